// E-mail: SMTP through libcurl (host, port, STARTTLS, user, password, from, to), the alert as plain text.
#include "alerts/channel.hpp"
#include "alerts/outbound_url.hpp"
#include "alerts/smtp_client.hpp"

namespace chorus::alerts {

namespace {

const ChannelField kFields[] = {
    {"host", "string", true, false, "", "the SMTP server"},
    {"port", "integer", false, false, "587", "its port, 1 to 65535 (465 is implicit TLS)"},
    {"starttls", "boolean", false, false, "",
     "true: require STARTTLS; false: plain SMTP; left out: required when logging in, used when offered otherwise"},
    {"user", "string", false, false, "", "the user to log in as; no login when empty"},
    {"password", "string", false, true, "", "that user's password"},
    {"from", "string", true, false, "", "the sender address"},
    {"to", "string[]", true, false, "", "the recipients"},
};

bool plausible_address(std::string_view a) {
  auto at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.size() > 254) return false;
  for (unsigned char c : a)
    if (c <= ' ' || c == '<' || c == '>' || c == ',' || c == '"' || c == 0x7f) return false;
  return true;
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

class EmailChannel final : public Channel {
 public:
  std::string_view type() const override { return "email"; }
  std::string_view description() const override { return "e-mail through an SMTP server"; }
  std::span<const ChannelField> fields() const override { return kFields; }
  Status validate(const ChannelSettings& s, const ingest::EgressPolicy& egress) const override {
    std::string host = text_of(s.config, "host");
    if (host.empty()) return make_error(ErrorCode::bad_request, "channel.host is required: the SMTP server");
    if (auto st = check_outbound_host(host, "channel.host", egress); !st) return st;
    const auto* port = s.config.if_contains("port");
    if (!port || !port->is_int64() || port->as_int64() < 1 || port->as_int64() > 65535)
      return make_error(ErrorCode::bad_request, "channel.port must be a whole number from 1 to 65535");
    if (!plausible_address(text_of(s.config, "from")))
      return make_error(ErrorCode::bad_request, "channel.from must be an e-mail address, such as alerts@example.com");
    const auto& to = s.config.at("to").get_array();
    if (to.empty()) return make_error(ErrorCode::bad_request, "channel.to must name at least one recipient");
    if (to.size() > 50) return make_error(ErrorCode::bad_request, "channel.to may name at most 50 recipients");
    for (const auto& r : to)
      if (!plausible_address(r.get_string()))
        return make_error(ErrorCode::bad_request,
                          "channel.to: \"" + std::string(r.get_string()) + "\" is not an e-mail address");
    return {};
  }
  DeliveryOutcome deliver(const AlertEvent& e, const ChannelSettings& s, const std::string& message_id,
                          const ingest::EgressPolicy& egress) const override {
    MailMessage m;
    m.host = text_of(s.config, "host");
    m.port = static_cast<int>(s.config.at("port").as_int64());
    m.user = text_of(s.config, "user");
    const auto* starttls = s.config.if_contains("starttls");
    m.tls = starttls && starttls->is_bool() ? (starttls->as_bool() ? MailTls::required : MailTls::off)
                                            : (m.user.empty() ? MailTls::when_offered : MailTls::required);
    m.password = text_of(s.secrets, "password");
    m.from = text_of(s.config, "from");
    for (const auto& r : s.config.at("to").get_array()) m.to.emplace_back(r.get_string());
    m.subject = "[Chorus] " + e.title;
    m.text = event_text(e);
    m.message_id = message_id + "@chorus";
    DeliveryOutcome out;
    auto sent = send_mail(m, egress);
    out.delivered = sent.sent;
    if (sent.code) out.status = sent.code;
    out.error = sent.error;
    // 5xx replies to the envelope (a refused recipient, a refused login) stay refused.
    out.permanent = !sent.sent && sent.code >= 500 && sent.code < 600;
    return out;
  }
};

}  // namespace

const Channel& email_channel() {
  static const EmailChannel channel;
  return channel;
}

}  // namespace chorus::alerts
