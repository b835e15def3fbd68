// Slack: an incoming-webhook URL (the URL is the secret) and a Block Kit message: theme, count against
// baseline, sentiment, three quotes with links, and a button to the dashboard view. An update of an alert
// says so in its header and gives the new count beside the one first sent.
#include <cstdio>

#include "alerts/channel.hpp"
#include "alerts/http_delivery.hpp"
#include "alerts/outbound_url.hpp"
#include "core/text_escape.hpp"

namespace chorus::alerts {

namespace {

const ChannelField kFields[] = {
    {"url", "url", true, true, "", "the incoming-webhook URL Slack gave (https://hooks.slack.com/services/...)"},
};

std::string clip(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  std::size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  return std::string(s.substr(0, cut)) + "…";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

json::object mrkdwn(std::string text) { return json::object{{"type", "mrkdwn"}, {"text", std::move(text)}}; }

json::object blocks_of(const AlertEvent& e) {
  json::array blocks;
  blocks.push_back(
      json::object{{"type", "header"}, {"text", json::object{{"type", "plain_text"}, {"text", clip(e.title, 140)}}}});
  json::array fields;
  if (e.theme) fields.push_back(mrkdwn("*Theme*\n" + escape_markup_text(*e.theme)));
  std::string count = std::to_string(e.count) + " items";
  if (e.baseline) count += (e.type == "digest.weekly" ? " (previous week " : " (baseline ") + number(*e.baseline) + ")";
  if (e.previous_count) count += ", up from " + std::to_string(*e.previous_count) + " in the first alert";
  fields.push_back(mrkdwn((e.previous_count ? "*Count, updated*\n" : "*Count*\n") + count));
  if (!e.sentiment_type.empty()) fields.push_back(mrkdwn("*Sentiment*\n" + escape_markup_text(e.sentiment_type)));
  if (e.share) fields.push_back(mrkdwn("*Negative share*\n" + number(*e.share * 100) + "%"));
  json::object section{{"type", "section"}, {"text", mrkdwn(escape_markup_text(clip(e.summary, 2900)))}};
  section["fields"] = std::move(fields);
  blocks.push_back(std::move(section));
  if (!e.quotes.empty()) {
    blocks.push_back(json::object{{"type", "divider"}});
    for (const auto& q : e.quotes) {
      std::string text = "> " + escape_markup_text(clip(q.text, 280));
      for (std::size_t p = 0; (p = text.find('\n', p)) != std::string::npos; p += 3) text.replace(p, 1, "\n> ");
      if (q.url) text += "\n<" + *q.url + "|View the original>";
      blocks.push_back(json::object{{"type", "section"}, {"text", mrkdwn(std::move(text))}});
    }
  }
  if (!e.dashboard_url.empty()) {
    json::object button{{"type", "button"},
                        {"text", json::object{{"type", "plain_text"}, {"text", "Open in Chorus"}}},
                        {"url", e.dashboard_url}};
    blocks.push_back(json::object{{"type", "actions"}, {"elements", json::array{button}}});
  }
  blocks.push_back(
      json::object{{"type", "context"},
                   {"elements", json::array{mrkdwn("Chorus alert *" + escape_markup_text(e.rule_name) + "* (" + e.kind +
                                                   ") in " + escape_markup_text(e.workspace_name))}}});
  return json::object{{"text", clip(e.title, 300)}, {"blocks", std::move(blocks)}};
}

class SlackChannel final : public Channel {
 public:
  std::string_view type() const override { return "slack"; }
  std::string_view description() const override { return "a Slack channel, through an incoming webhook"; }
  std::span<const ChannelField> fields() const override { return kFields; }
  Status validate(const ChannelSettings& s, const ingest::EgressPolicy& egress) const override {
    const auto* url = s.secrets.if_contains("url");
    return check_outbound_url(url && url->is_string() ? std::string_view(url->get_string()) : "", "channel.url",
                              egress);
  }
  DeliveryOutcome deliver(const AlertEvent& e, const ChannelSettings& s, const std::string&,
                          const ingest::EgressPolicy& egress) const override {
    const auto* url = s.secrets.if_contains("url");
    if (!url || !url->is_string()) return DeliveryOutcome{false, std::nullopt, "the channel has no URL", true, {}};
    return post_json(std::string(url->get_string()), to_json_string(blocks_of(e)), {}, "Slack", egress);
  }
};

}  // namespace

const Channel& slack_channel() {
  static const SlackChannel channel;
  return channel;
}

}  // namespace chorus::alerts
