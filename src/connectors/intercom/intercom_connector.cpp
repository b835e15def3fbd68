// The Intercom connector's declared settings and its webhook handling.
#include "connectors/intercom/intercom_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"

namespace chorus::connectors::intercom {

namespace {

const std::array<FieldSpec, 7> kConfig{{
    base_url_field("https://api.intercom.io",
                   "workspaces hosted in the EU (https://api.eu.intercom.io) or Australia "
                   "(https://api.au.intercom.io)"),
    {"app_id", "string", false, "",
     "Your workspace (app) id, used to link each record to the conversation in the Intercom inbox."},
    {"include_parts", "boolean", false, "false",
     "Also collect the customer's later replies in each conversation, each as its own record (one extra "
     "request per conversation)."},
    {"since", "time", false, "",
     "Where the first sync starts (ISO-8601, by the conversation's last update); later syncs continue from the "
     "newest update already collected."},
    {"per_page", "integer", false, "50", "Conversations per search page (1 to 150)."},
    max_pages_field(100, "up to per_page conversations, oldest update first; the next sync carries on from there"),
    {"api_version", "string", false, "\"2.11\"",
     "Sent as the Intercom-Version header: the API version whose answers this connector reads (2.0 and later "
     "have conversation search).",
     {"2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14",
      "2.15", "2.16", "Unstable"}},
}};

const std::array<FieldSpec, 1> kCredentials{{
    {"access_token", "string", false, "",
     "An access token of your Intercom app (Developer Hub > Authentication), with read access to conversations."},
}};

const std::array<std::string_view, 1> kSchemes{"intercom"};

bool is_customer_type(std::string_view type) { return type == "user" || type == "lead" || type == "contact"; }

}  // namespace

std::string_view IntercomConnector::description() const {
  return "Customer conversations from Intercom (HTML message bodies), through the conversation search API and "
         "conversation webhooks.";
}

std::span<const FieldSpec> IntercomConnector::config_fields() const { return kConfig; }
std::span<const FieldSpec> IntercomConnector::credential_fields() const { return kCredentials; }
std::span<const std::string_view> IntercomConnector::webhook_schemes() const { return kSchemes; }

Status IntercomConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  if (auto st = check_common_fields(config); !st) return st;
  if (auto it = config.find("per_page"); it != config.end()) {
    double n = it->value().to_number<double>();
    if (n < 1 || n > 150) return make_error(ErrorCode::bad_request, "config.per_page must be between 1 and 150");
  }
  return {};
}

bool written_by_customer(const json::value& message) {
  const json::value* type = find_path(message, "author.type");
  return type && type->is_string() && is_customer_type(type->get_string());
}

const json::value* opening_message(const json::value& conversation) {
  for (std::string_view key : {"source", "conversation_message"})
    if (const json::value* message = find_path(conversation, key); message && message->is_object()) return message;
  return nullptr;
}

std::vector<json::value> customer_parts(const json::value& conversation) {
  std::vector<json::value> out;
  auto conversation_id = get_string(conversation, "id");
  const json::value* parts = find_path(conversation, "conversation_parts.conversation_parts");
  if (!conversation_id || !parts || !parts->is_array()) return out;
  for (const json::value& part : parts->get_array()) {
    if (!part.is_object() || !written_by_customer(part)) continue;
    auto body = get_string(part, "body");
    if (!body || body->empty()) continue;  // assignments, state changes and attachments without words
    json::value copy = part;
    copy.get_object()["conversation_id"] = *conversation_id;
    out.push_back(std::move(copy));
  }
  return out;
}

// Deliveries are {"type": "notification_event", "topic": "conversation.user.created", "data": {"item":
// <conversation>}}; the conversation is in the shape of the app's API version (opening_message says where
// its first message sits). Every conversation topic refreshes the conversation's record (its state, tags or
// rating may have changed); replies add the customer's parts when include_parts is on. Conversations a
// teammate started are not feedback in themselves, and a conversation without its opening message is
// fetched by a sync instead. Other topics (contacts, ping) carry nothing to collect.
Result<WebhookItems> IntercomConnector::from_webhook(const http::Headers& /*headers*/, const json::value& body,
                                                     const SourceSettings& source) const {
  if (!body.is_object()) return make_error(ErrorCode::bad_request, "intercom webhook body must be a JSON object");
  WebhookItems out;
  auto topic = get_string(body, "topic").value_or("");
  if (!topic.starts_with("conversation.")) return out;
  const json::value* item = find_path(body, "data.item");
  if (!item || !item->is_object() || !get_string(*item, "id"))
    return make_error(ErrorCode::bad_request, "intercom " + topic + " delivery has no data.item conversation");
  if (const json::value* opening = opening_message(*item)) {
    auto text = get_string(*opening, "body");
    if (!text || text->empty())
      out.fetch = true;
    else
      out.items.push_back(*item);
  } else {
    out.fetch = true;
  }
  if (setting_bool(source, "include_parts", false)) {
    for (auto& part : customer_parts(*item)) out.items.push_back(std::move(part));
  }
  return out;
}

// Conversations a teammate started, and parts a teammate wrote, are not customer feedback; a pushed
// conversation whose opening message has no words has nothing to read.
std::optional<std::string> IntercomConnector::skip_reason(const json::value& raw, const SourceSettings& /*source*/) const {
  if (!raw.is_object()) return std::nullopt;
  const json::value* message = &raw;
  if (get_string(raw, "type") != std::optional<std::string>("conversation_part")) {
    const json::value* conversation = &raw;
    if (const json::value* item = find_path(raw, "data.item"); item && item->is_object() && !opening_message(raw))
      conversation = item;
    message = opening_message(*conversation);
    if (!message) return std::nullopt;  // map() says what is missing
  }
  auto body = get_string(*message, "body");
  if (!body || body->empty()) return std::string(kNoText);
  if (find_path(*message, "author.type") && !written_by_customer(*message)) return "teammate";
  return std::nullopt;
}

const Connector& connector() {
  static const IntercomConnector instance;
  return instance;
}

std::string base_url(const SourceSettings& source) { return setting_base_url(source, "https://api.intercom.io"); }

}  // namespace chorus::connectors::intercom
