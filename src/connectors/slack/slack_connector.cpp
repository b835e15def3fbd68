// The Slack connector's declared settings and the Events API deliveries it accepts.
#include "connectors/slack/slack_connector.hpp"

#include <algorithm>
#include <array>

#include "connectors/common_fields.hpp"

namespace chorus::connectors::slack {

namespace {

const std::array<FieldSpec, 3> kConfig{{
    {"channels", "string[]", true, "",
     "The ids of the channels to listen to, e.g. [\"C024BE91L\"] (a channel's id is at the bottom of its "
     "About tab); messages elsewhere are ignored."},
    {"workspace_url", "string", false, "",
     "Your workspace's address, e.g. https://acme.slack.com, used to link each record to its message."},
    {"include_thread_replies", "boolean", false, "true", "Also collect replies in threads."},
}};

const std::array<std::string_view, 1> kSchemes{"slack"};

// Message subtypes that are a person writing: plain messages have none. Joins, topic changes, bot
// posts and deletions are not feedback; edits (message_changed) update the record they edit.
constexpr std::array<std::string_view, 3> kPersonSubtypes{"thread_broadcast", "file_share", "me_message"};

bool valid_channel_id(std::string_view id) {
  if (id.size() < 3 || (id[0] != 'C' && id[0] != 'G' && id[0] != 'D')) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool listened_to(const SourceSettings& source, std::string_view channel) {
  auto it = source.config.find("channels");
  if (it == source.config.end() || !it->value().is_array()) return false;
  for (const json::value& c : it->value().get_array())
    if (c.is_string() && c.get_string() == channel) return true;
  return false;
}

bool from_bot(const json::value& message) {
  return get_string(message, "bot_id").has_value() ||
         get_string(message, "subtype") == std::optional<std::string>("bot_message");
}

bool is_thread_reply(const json::value& message) {
  auto thread = get_string(message, "thread_ts");
  return thread && *thread != get_string(message, "ts").value_or("");
}

}  // namespace

std::string_view SlackConnector::description() const {
  return "Messages from chosen Slack channels, delivered by the Events API (push only: point the Slack app's "
         "event subscription at the source's webhook URL).";
}

std::span<const FieldSpec> SlackConnector::config_fields() const { return kConfig; }
std::span<const FieldSpec> SlackConnector::credential_fields() const { return {}; }
std::span<const std::string_view> SlackConnector::webhook_schemes() const { return kSchemes; }

Status SlackConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  if (auto it = config.find("channels"); it != config.end() && it->value().is_array()) {
    const json::array& channels = it->value().get_array();
    for (std::size_t i = 0; i < channels.size(); ++i) {
      if (!valid_channel_id(channels[i].get_string()))
        return make_error(ErrorCode::bad_request, "config.channels[" + std::to_string(i) +
                                                      "] must be a channel id such as C024BE91L, not a name like "
                                                      "#general");
    }
  }
  if (auto it = config.find("workspace_url"); it != config.end() && it->value().is_string()) {
    std::string_view url = it->value().get_string();
    if (!url.starts_with("https://") && !url.starts_with("http://"))
      return make_error(ErrorCode::bad_request,
                        "config.workspace_url must be an https:// address, e.g. https://acme.slack.com");
  }
  return {};
}

// Event deliveries are {"type": "event_callback", "team_id", "event": {...}, "event_id", "event_time"}.
// url_verification is answered by the webhook ingress before the body gets here.
Result<WebhookItems> SlackConnector::from_webhook(const http::Headers& /*headers*/, const json::value& body,
                                                  const SourceSettings& source) const {
  if (!body.is_object()) return make_error(ErrorCode::bad_request, "slack event body must be a JSON object");
  WebhookItems out;
  if (get_string(body, "type") != std::optional<std::string>("event_callback")) return out;
  const json::value* event = find_path(body, "event");
  if (!event || !event->is_object())
    return make_error(ErrorCode::bad_request, "slack event_callback has no \"event\" object");
  if (get_string(*event, "type") != std::optional<std::string>("message")) return out;
  auto channel = get_string(*event, "channel");
  if (!channel) return out;

  json::value message = *event;
  auto subtype = get_string(*event, "subtype");
  if (subtype == std::optional<std::string>("message_changed")) {
    // An edit: the new message is nested, without its channel.
    const json::value* edited = find_path(*event, "message");
    if (!edited || !edited->is_object()) return out;
    message = *edited;
  }
  // Channels, bots, joins and thread replies are the settings' business, judged by skip_reason on every path.
  if (!get_string(message, "ts")) return out;

  json::object& m = message.get_object();
  m["channel"] = *channel;
  if (!m.contains("team")) {
    if (auto team = get_string(body, "team_id")) m["team"] = *team;
  }
  out.items.push_back(std::move(message));
  return out;
}

// The same rules for a delivered, a pushed and a whole pushed delivery ({"event": {...}}).
std::optional<std::string> SlackConnector::skip_reason(const json::value& raw, const SourceSettings& source) const {
  const json::value* message = &raw;
  if (const json::value* event = find_path(raw, "event"); event && event->is_object()) message = event;
  if (!message->is_object()) return std::nullopt;
  auto channel = get_string(*message, "channel");
  if (channel && !listened_to(source, *channel)) return "channel";
  if (from_bot(*message)) return "bot";
  auto subtype = get_string(*message, "subtype");
  if (subtype == std::optional<std::string>("message_deleted")) return "deleted";
  if (subtype && std::find(kPersonSubtypes.begin(), kPersonSubtypes.end(), *subtype) == kPersonSubtypes.end())
    return "not_a_message";  // joins, topic changes and the like
  if (is_thread_reply(*message) && !setting_bool(source, "include_thread_replies", true)) return "thread_reply";
  auto text = get_string(*message, "text");
  if (!text || text->empty()) return std::string(kNoText);  // a file or a block without words
  return std::nullopt;
}

const Connector& connector() {
  static const SlackConnector instance;
  return instance;
}

}  // namespace chorus::connectors::slack
