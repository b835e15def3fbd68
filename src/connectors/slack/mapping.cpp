// Maps one Slack message event to a MappedItem, turning Slack's message markup into plain text.
#include <cmath>

#include "connectors/slack/slack_connector.hpp"

namespace chorus::connectors::slack {

namespace {

std::optional<std::string> non_empty(const json::value& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (s && s->empty()) return std::nullopt;
  return s;
}

// Slack escapes only these three in message text.
std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      if (s.substr(i, 5) == "&amp;") {
        out.push_back('&');
        i += 4;
        continue;
      }
      if (s.substr(i, 4) == "&lt;") {
        out.push_back('<');
        i += 3;
        continue;
      }
      if (s.substr(i, 4) == "&gt;") {
        out.push_back('>');
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// One <...> span: what a reader sees in the Slack client.
std::string render_span(std::string_view inner) {
  std::string_view target = inner, label;
  if (auto bar = inner.find('|'); bar != std::string_view::npos) {
    target = inner.substr(0, bar);
    label = inner.substr(bar + 1);
  }
  std::string out;
  if (target.starts_with("@") || target.starts_with("#")) {
    // <@U024BE7LH>, <#C024BE7LR|general>
    out.push_back(target.front());
    out.append(label.empty() ? target.substr(1) : label);
  } else if (target.starts_with("!")) {
    // <!here>, <!channel>, <!everyone>; <!subteam^ID|@team> and <!date^...|fallback> have labels.
    if (label.empty()) {
      std::string_view word = target.substr(1);
      out.push_back('@');
      out.append(word.substr(0, word.find('^')));
    } else {
      out.append(label);
    }
  } else {
    out.append(label.empty() ? target : label);
  }
  return out;
}

// Slack's message timestamp "1355517523.000005": seconds, then a per-channel sequence.
std::optional<TimeMs> ts_to_ms(std::string_view ts) {
  std::string text(ts);
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || seconds <= 0) return std::nullopt;
  return static_cast<TimeMs>(std::llround(seconds * 1000));
}

}  // namespace

std::string plain_text(std::string_view mrkdwn) {
  std::string out;
  out.reserve(mrkdwn.size());
  std::size_t i = 0;
  while (i < mrkdwn.size()) {
    std::size_t open = mrkdwn.find('<', i);
    if (open == std::string_view::npos) {
      out += decode_entities(mrkdwn.substr(i));
      break;
    }
    std::size_t close = mrkdwn.find('>', open);
    out += decode_entities(mrkdwn.substr(i, open - i));
    if (close == std::string_view::npos) {
      out += decode_entities(mrkdwn.substr(open));
      break;
    }
    out += decode_entities(render_span(mrkdwn.substr(open + 1, close - open - 1)));
    i = close + 1;
  }
  return out;
}

Result<MappedItem> SlackConnector::map(const json::value& raw, const SourceSettings& source) const {
  const json::value* message = &raw;
  // A delivery pushed as it came maps like the event inside it.
  if (const json::value* event = find_path(raw, "event"); event && event->is_object()) message = event;
  if (!message->is_object()) return make_error(ErrorCode::bad_request, "slack item must be a JSON object (a message)");
  auto ts = non_empty(*message, "ts");
  auto channel = non_empty(*message, "channel");
  if (!ts || !channel) return make_error(ErrorCode::bad_request, "slack message needs a ts and a channel");
  auto text = non_empty(*message, "text");
  if (!text) return make_error(ErrorCode::bad_request, "slack message " + *ts + " in " + *channel + " has no text");

  MappedItem m;
  // ts is unique within a channel, and it is how Slack itself addresses a message.
  m.external_id = *channel + "/" + *ts;
  m.source_info = "SlackMessage";
  m.text = plain_text(*text);
  m.format = MappedItem::Format::plain;
  m.timestamp = ts_to_ms(*ts);
  m.user_id = non_empty(*message, "user");
  if (const json::value* profile = find_path(*message, "user_profile"); profile && profile->is_object()) {
    m.username = non_empty(*profile, "display_name");
    if (!m.username) m.username = non_empty(*profile, "real_name");
    if (!m.username) m.username = non_empty(*profile, "name");
  }
  auto workspace = get_string(source.config, "workspace_url");
  if (workspace && !workspace->empty()) {
    while (workspace->ends_with('/')) workspace->pop_back();
    std::string digits;
    for (char c : *ts)
      if (c != '.') digits.push_back(c);
    m.url = *workspace + "/archives/" + *channel + "/p" + digits;
  }
  m.extra["channel"] = *channel;
  for (std::string_view key : {"thread_ts", "team", "channel_type"})
    if (auto v = non_empty(*message, key)) m.extra[key] = *v;
  return m;
}

}  // namespace chorus::connectors::slack
