// The Zendesk connector's declared settings and its webhook handling.
#include "connectors/zendesk/zendesk_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"

namespace chorus::connectors::zendesk {

namespace {

const std::array<FieldSpec, 5> kConfig{{
    {"subdomain", "string", true, "", "Your Zendesk subdomain: acme for https://acme.zendesk.com."},
    {"base_url", "string", false, "",
     "Another address for the API (a proxy or a test server); the default is https://{subdomain}.zendesk.com."},
    {"since", "time", false, "",
     "Where the first sync starts (ISO-8601); without it the first sync exports every ticket. Later syncs "
     "continue from the export cursor."},
    {"include_satisfaction_ratings", "boolean", false, "true",
     "Also collect satisfaction ratings that carry a customer comment, each as its own record."},
    {"max_pages", "integer", false, "50",
     "Most export pages (up to 1000 tickets each) read in one sync; the next sync carries on from there."},
}};

const std::array<FieldSpec, 2> kCredentials{{
    {"email", "string", false, "", "The agent's email address the API token belongs to."},
    {"api_token", "string", false, "",
     "An API token (Admin Center > Apps and integrations > Zendesk API), sent as basic auth "
     "{email}/token:{api_token}."},
}};

const std::array<std::string_view, 1> kSchemes{"zendesk"};

bool non_empty_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() && !it->value().get_string().empty();
}

bool valid_subdomain(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A ticket is worth mapping from a webhook only when it carries the customer's words; Zendesk event
// payloads (and many trigger bodies) name the ticket without them.
bool has_description(const json::value& ticket) {
  auto d = get_string(ticket, "description");
  return get_string(ticket, "id") && d && !d->empty();
}

}  // namespace

std::string_view ZendeskConnector::description() const {
  return "Support tickets from Zendesk through the incremental ticket export, plus satisfaction rating comments; "
         "ticket webhooks deliver changes as they happen.";
}

std::span<const FieldSpec> ZendeskConnector::config_fields() const { return kConfig; }
std::span<const FieldSpec> ZendeskConnector::credential_fields() const { return kCredentials; }
std::span<const std::string_view> ZendeskConnector::webhook_schemes() const { return kSchemes; }

Status ZendeskConnector::check_settings(const json::object& config, const json::object& credentials) const {
  if (auto it = config.find("subdomain"); it != config.end() && it->value().is_string()) {
    if (!valid_subdomain(it->value().get_string()))
      return make_error(ErrorCode::bad_request,
                        "config.subdomain must be the subdomain alone (letters, digits and hyphens), e.g. acme for "
                        "acme.zendesk.com");
  }
  if (auto st = check_common_fields(config); !st) return st;
  bool email = non_empty_string(credentials, "email");
  bool token = non_empty_string(credentials, "api_token");
  if (email && !token)
    return make_error(ErrorCode::bad_request, "credentials.api_token is required with credentials.email");
  if (token && !email)
    return make_error(ErrorCode::bad_request, "credentials.email is required with credentials.api_token");
  return {};
}

// Zendesk webhooks have no fixed body. Trigger webhooks send whatever JSON the admin wrote, usually
// {"ticket": {...}} built from placeholders, or the ticket's fields at the top level; event webhooks send
// {"type": "zen:event-type:ticket.created", "detail": {...}} without the description. A body that carries
// a ticket with its description is mapped directly; anything else only says that something changed, so
// a sync fetches it.
Result<WebhookItems> ZendeskConnector::from_webhook(const http::Headers& /*headers*/, const json::value& body,
                                                    const SourceSettings& /*source*/) const {
  if (!body.is_object()) return make_error(ErrorCode::bad_request, "zendesk webhook body must be a JSON object");
  WebhookItems out;
  const json::value* ticket = &body;
  if (const json::value* wrapped = find_path(body, "ticket"); wrapped && wrapped->is_object()) {
    ticket = wrapped;
  } else if (auto type = get_string(body, "type"); type && type->starts_with("zen:event-type:")) {
    if (!type->starts_with("zen:event-type:ticket.")) return out;  // user and organization events
    ticket = find_path(body, "detail");
    if (!ticket || !ticket->is_object()) {
      out.fetch = true;
      return out;
    }
  }
  if (has_description(*ticket)) {
    out.items.push_back(*ticket);
  } else {
    out.fetch = true;
  }
  return out;
}

// A deleted ticket is no longer anyone's feedback; a rating without a comment says nothing in words (its
// verdict is kept on the ticket's record); a ticket with neither description nor subject has no text.
std::optional<std::string> ZendeskConnector::skip_reason(const json::value& raw, const SourceSettings& /*source*/) const {
  if (!raw.is_object()) return std::nullopt;
  if (is_satisfaction_rating(raw)) {
    auto comment = get_string(raw, "comment");
    return comment && !comment->empty() ? std::nullopt : std::optional<std::string>(kNoText);
  }
  const json::value* ticket = &raw;
  if (!raw.get_object().contains("id"))
    if (const json::value* inner = raw.get_object().if_contains("ticket"); inner && inner->is_object()) ticket = inner;
  if (get_string(*ticket, "status") == std::optional<std::string>("deleted")) return "deleted";
  auto description = get_string(*ticket, "description");
  auto subject = get_string(*ticket, "subject");
  if (get_string(*ticket, "id") && (!description || description->empty()) && (!subject || subject->empty()))
    return std::string(kNoText);
  return std::nullopt;
}

const Connector& connector() {
  static const ZendeskConnector instance;
  return instance;
}

std::string base_url(const SourceSettings& source) {
  std::string subdomain = setting_string(source, "subdomain");
  return setting_base_url(source, subdomain.empty() ? "" : "https://" + subdomain + ".zendesk.com");
}

bool is_satisfaction_rating(const json::value& raw) {
  return raw.is_object() && raw.get_object().contains("ticket_id") && raw.get_object().contains("score");
}

std::optional<double> rating_of_score(std::string_view score) {
  if (score.starts_with("good")) return 5.0;
  if (score.starts_with("bad")) return 1.0;
  return std::nullopt;
}

}  // namespace chorus::connectors::zendesk
