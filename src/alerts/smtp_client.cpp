// SMTP through libcurl's easy interface: one connection per message (alerts are few).
#include "alerts/smtp_client.hpp"

#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <sys/socket.h>

#include "core/secrets.hpp"

namespace chorus::alerts {

namespace {

std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '\r' && c != '\n') out += c;
  return out;
}

bool ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// RFC 2047 for a header that is not plain ASCII.
std::string header_text(std::string_view s) {
  std::string line = one_line(s);
  return ascii(line) ? line : "=?UTF-8?B?" + base64_encode(line) + "?=";
}

std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n')
      out += "\r\n";
    else
      out += text[i];
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

// "<" + s + ">" written out: GCC 12 warns falsely (-Wrestrict) on the operator+ chain.
std::string enclosed(char open, std::string_view s, char close) {
  std::string out;
  out.reserve(s.size() + 2);
  out += open;
  out.append(s);
  out += close;
  return out;
}

struct Upload {
  std::string data;
  std::size_t sent = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t room = size * n, left = up->data.size() - up->sent;
  std::size_t take = std::min(room, left);
  std::memcpy(buffer, up->data.data() + up->sent, take);
  up->sent += take;
  return take;
}

struct EgressCheck {
  const ingest::EgressPolicy* policy = nullptr;
  std::string refusal;
};

// Opens the connection's socket once the policy allows the address (after DNS), as the HTTP client does.
curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* check = static_cast<EgressCheck*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN) {
    auto ip = ingest::IpAddress::from_sockaddr(&address->addr);
    auto why = ip ? check->policy->refusal(*ip) : std::optional<std::string>("the address family is not IP");
    if (why) {
      check->refusal = std::move(*why);
      return CURL_SOCKET_BAD;
    }
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::string format_mail(const MailMessage& m, std::int64_t now_s) {
  char date[64];
  std::time_t t = static_cast<std::time_t>(now_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string to;
  for (const auto& r : m.to) to += (to.empty() ? "" : ", ") + one_line(r);
  std::string out;
  out += "Date: " + std::string(date) + "\r\n";
  out += "From: " + one_line(m.from) + "\r\n";
  out += "To: " + to + "\r\n";
  out += "Subject: " + header_text(m.subject) + "\r\n";
  if (!m.message_id.empty()) out += "Message-ID: " + enclosed('<', one_line(m.message_id), '>') + "\r\n";
  out += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n";
  out += "Auto-Submitted: auto-generated\r\n\r\n";
  out += crlf(m.text);
  return out;
}

MailResult send_mail(const MailMessage& m, const ingest::EgressPolicy& egress) {
  MailResult result;
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) {
    result.error = "cannot start an SMTP transfer";
    return result;
  }
  std::string host =
      m.host.find(':') != std::string::npos && m.host.front() != '[' ? enclosed('[', m.host, ']') : m.host;
  std::string url = (m.port == 465 ? "smtps://" : "smtp://") + host + ":" + std::to_string(m.port);
  Upload upload{format_mail(m, static_cast<std::int64_t>(std::time(nullptr))), 0};
  std::unique_ptr<curl_slist, ListDeleter> rcpt;
  for (const auto& r : m.to) rcpt.reset(curl_slist_append(rcpt.release(), enclosed('<', one_line(r), '>').c_str()));
  std::string from = enclosed('<', one_line(m.from), '>');
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(m.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  EgressCheck check{&egress, {}};
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &check);
  if (m.port != 465 && m.tls != MailTls::off)
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     static_cast<long>(m.tls == MailTls::required ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  if (!m.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, m.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, m.password.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  result.code = code;
  if (rc == CURLE_OK) {
    result.sent = true;
    return result;
  }
  if (!check.refusal.empty()) {
    result.error = "SMTP " + m.host + ":" + std::to_string(m.port) + ": refused by the egress policy: " +
                   check.refusal + " (an operator can allow its range with --egress-allow)";
    return result;
  }
  result.error = "SMTP " + m.host + ":" + std::to_string(m.port) + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc));
  if (code) result.error += " (last reply " + std::to_string(code) + ")";
  return result;
}

}  // namespace chorus::alerts
