// The Discourse connector's declared settings and its webhook handling.
#include "connectors/discourse/discourse_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"

namespace chorus::connectors::discourse {

namespace {

const std::array<FieldSpec, 5> kConfig{{
    {"base_url", "string", true, "",
     "The forum's address, e.g. https://meta.discourse.org (a self-hosted forum or a test server works too)."},
    {"query", "string", false, "\"\"",
     "Discourse search terms selecting the posts to collect, e.g. \"sync #support\"; empty collects every post."},
    {"since", "time", false, "",
     "Where the first sync starts (ISO-8601); later syncs continue from the newest post already collected."},
    {"max_pages", "integer", false, "50",
     "Most search result pages (50 posts each) read in one sync. Search returns the newest posts first, so a "
     "first sync reaches back at most this far; raise it for a long backfill."},
    {"concurrency", "integer", false, "4", "Posts fetched at once from /posts/{id}.json."},
}};

const std::array<FieldSpec, 2> kCredentials{{
    {"api_key", "string", false, "", "An API key (Admin > API), sent as the Api-Key header; needed for private categories."},
    {"api_username", "string", false, "", "The user the key acts as, sent as Api-Username, e.g. system."},
}};

const std::array<std::string_view, 1> kSchemes{"discourse"};

bool non_empty_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() && !it->value().get_string().empty();
}

// The event's kind ("post", "topic", "ping") from the header, or from the body's one wrapper key.
std::string event_type(const http::Headers& headers, const json::object& body) {
  if (auto t = headers.get("X-Discourse-Event-Type"); t && !t->empty()) return *t;
  for (std::string_view key : {"post", "topic", "ping"})
    if (body.contains(key)) return std::string(key);
  return "";
}

}  // namespace

std::string_view DiscourseConnector::description() const {
  return "Posts from a Discourse forum, found with a search query and kept current by incremental syncs or "
         "post webhooks.";
}

std::span<const FieldSpec> DiscourseConnector::config_fields() const { return kConfig; }
std::span<const FieldSpec> DiscourseConnector::credential_fields() const { return kCredentials; }
std::span<const std::string_view> DiscourseConnector::webhook_schemes() const { return kSchemes; }

Status DiscourseConnector::check_settings(const json::object& config, const json::object& credentials) const {
  auto base = config.find("base_url");
  std::string_view url;
  if (base != config.end() && base->value().is_string()) url = base->value().get_string();
  // Required here: there is no public Discourse to fall back to.
  if (auto s = check_base_url(url, "https://meta.discourse.org"); !s) return s;
  if (auto s = check_common_fields(config); !s) return s;
  // Discourse rejects a key without the user it acts as, and the reverse is meaningless.
  bool key = non_empty_string(credentials, "api_key");
  bool user = non_empty_string(credentials, "api_username");
  if (key && !user)
    return make_error(ErrorCode::bad_request, "credentials.api_username is required with credentials.api_key");
  if (user && !key)
    return make_error(ErrorCode::bad_request, "credentials.api_key is required with credentials.api_username");
  return {};
}

// Discourse wraps each delivery as {"<event type>": payload}: post events carry the post itself, topic
// events only say that something changed, and a ping carries nothing.
Result<WebhookItems> DiscourseConnector::from_webhook(const http::Headers& headers, const json::value& body,
                                                      const SourceSettings& /*source*/) const {
  if (!body.is_object()) return make_error(ErrorCode::bad_request, "discourse webhook body must be a JSON object");
  const json::object& obj = body.get_object();
  std::string type = event_type(headers, obj);
  std::string event = headers.get("X-Discourse-Event").value_or("");
  WebhookItems out;

  if (type == "post") {
    if (!event.empty() && event != "post_created" && event != "post_edited") return out;
    auto it = obj.find("post");
    if (it == obj.end() || !it->value().is_object())
      return make_error(ErrorCode::bad_request, "discourse post webhook has no \"post\" object");
    const json::value& post = it->value();
    if (!get_string(post, "id")) return make_error(ErrorCode::bad_request, "discourse post has no id");
    // Discourse often sends posts without `cooked` or `raw`: such a delivery is only a notice, and the
    // sync it asks for brings the post with its text. Stored as it came, it would be an empty record.
    if (!post.as_object().contains("cooked") && !post.as_object().contains("raw"))
      out.fetch = true;
    else
      out.items.push_back(post);
  } else if (type == "topic") {
    out.fetch = event != "topic_destroyed";
  }
  return out;
}

// Posts a reader of the forum no longer sees (deleted by staff or by their author, hidden by flags) and
// private messages are not the forum's feedback, whichever way they arrive.
std::optional<std::string> DiscourseConnector::skip_reason(const json::value& raw, const SourceSettings& /*source*/) const {
  const json::value* post = &raw;
  if (raw.is_object() && !raw.get_object().contains("id"))
    if (const json::value* inner = raw.get_object().if_contains("post"); inner && inner->is_object()) post = inner;
  if (!post->is_object()) return std::nullopt;
  const json::object& p = post->get_object();
  if (const json::value* d = p.if_contains("deleted_at"); d && !d->is_null()) return "deleted";
  if (get_bool(*post, "user_deleted") == true) return "deleted";
  if (get_bool(*post, "hidden") == true) return "hidden";
  if (get_string(*post, "topic_archetype") == std::optional<std::string>("private_message") ||
      get_string(*post, "archetype") == std::optional<std::string>("private_message"))
    return "private_message";
  if (const json::value* topic = p.if_contains("topic"); topic && topic->is_object())
    if (get_string(*topic, "archetype") == std::optional<std::string>("private_message")) return "private_message";
  return std::nullopt;
}

const Connector& connector() {
  static const DiscourseConnector instance;
  return instance;
}

std::string base_url(const SourceSettings& source) {
  auto it = source.config.find("base_url");
  std::string url = it != source.config.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace chorus::connectors::discourse
