// Sending one e-mail over SMTP through libcurl: STARTTLS (required when asked for), implicit TLS on port
// 465, AUTH when a user is set.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ingest/egress.hpp"

namespace chorus::alerts {

// STARTTLS: refuse to send without it, use it when the server offers it, or never.
enum class MailTls { required, when_offered, off };

struct MailMessage {
  std::string host;
  int port = 587;
  MailTls tls = MailTls::required;  // port 465 is implicit TLS whatever this says
  std::string user, password;       // no AUTH when user is empty
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string text;  // plain text, UTF-8
  std::string message_id;
  std::chrono::milliseconds timeout{30000};
};

struct MailResult {
  bool sent = false;
  std::int64_t code = 0;  // the server's last reply code, 0 when none came
  std::string error;      // in words, never the password
};

// Every connection opened goes through `egress` first.
MailResult send_mail(const MailMessage& message, const ingest::EgressPolicy& egress);

// The RFC 5322 message as sent (headers and body, CRLF line ends): exposed for tests.
std::string format_mail(const MailMessage& message, std::int64_t now_s);

}  // namespace chorus::alerts
