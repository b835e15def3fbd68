// Webhook: any URL, the alert event as the JSON body, signed with Standard Webhooks headers.
#include <ctime>

#include "alerts/channel.hpp"
#include "alerts/http_delivery.hpp"
#include "alerts/outbound_url.hpp"
#include "alerts/standard_webhooks.hpp"

namespace chorus::alerts {

namespace {

const ChannelField kFields[] = {
    {"url", "url", true, false, "", "where the signed JSON is POSTed"},
    {"secret", "string", false, true, "",
     "the signing secret, \"whsec_\" and base64; made for you (and shown once) when left out"},
};

class WebhookChannel final : public Channel {
 public:
  std::string_view type() const override { return "webhook"; }
  std::string_view description() const override {
    return "a JSON POST signed with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature)";
  }
  std::span<const ChannelField> fields() const override { return kFields; }
  Status validate(const ChannelSettings& s, const ingest::EgressPolicy& egress) const override {
    const auto* url = s.config.if_contains("url");
    if (auto st = check_outbound_url(url && url->is_string() ? std::string_view(url->get_string()) : "", "channel.url",
                                   egress);
        !st)
      return st;
    const auto* secret = s.secrets.if_contains("secret");
    if (secret && secret->is_string())
      if (auto key = webhook_secret_key(secret->get_string()); !key) return key.error();
    return {};
  }
  std::vector<std::string> complete(ChannelSettings& s) const override {
    const auto* secret = s.secrets.if_contains("secret");
    if (secret && secret->is_string()) return {};
    s.secrets["secret"] = generate_webhook_secret();
    return {"secret"};
  }
  DeliveryOutcome deliver(const AlertEvent& e, const ChannelSettings& s, const std::string& message_id,
                          const ingest::EgressPolicy& egress) const override {
    const auto* url = s.config.if_contains("url");
    const auto* secret = s.secrets.if_contains("secret");
    if (!url || !url->is_string() || !secret || !secret->is_string())
      return DeliveryOutcome{false, std::nullopt, "the channel has no URL or secret", true, {}};
    auto key = webhook_secret_key(secret->get_string());
    if (!key) return DeliveryOutcome{false, std::nullopt, "the channel's secret is unreadable", true, {}};
    std::string body = to_json_string(event_to_json(e));
    auto ts = static_cast<std::int64_t>(std::time(nullptr));
    return post_json(std::string(url->get_string()), body,
                     {{"webhook-id", message_id},
                      {"webhook-timestamp", std::to_string(ts)},
                      {"webhook-signature", standard_webhook_signature(*key, message_id, ts, body)}},
                     "the webhook", egress);
  }
};

}  // namespace

const Channel& webhook_channel() {
  static const WebhookChannel channel;
  return channel;
}

}  // namespace chorus::alerts
