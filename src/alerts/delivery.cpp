// Sending outbox messages and recording what happened.
#include "alerts/delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "alerts/alert_rule.hpp"
#include "alerts/channel.hpp"

namespace chorus::alerts {

TimeMs retry_delay(const DeliveryOptions& o, std::int64_t attempts, std::mt19937_64& random) {
  double full = static_cast<double>(o.retry_base_ms) *
                std::pow(2.0, static_cast<double>(std::max<std::int64_t>(attempts, 1) - 1));
  full = std::min(full, static_cast<double>(o.retry_max_ms));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::max<TimeMs>(1, static_cast<TimeMs>(full * jitter(random)));
}

DeliverySender::DeliverySender(store::Store& store, const SecretBox& box, DeliveryOptions options)
    : store_(store), box_(box), options_(options), random_(std::random_device{}()) {}

Result<store::AlertDelivery> DeliverySender::attempt(store::AlertDelivery d, TimeMs now, bool retry) {
  d.attempts += 1;
  auto fail = [&](std::string error, bool final) {
    d.last_error = std::move(error);
    const bool expired = now + options_.retry_base_ms - d.created_at > options_.give_up_after_ms;
    if (final || !retry || expired) {
      d.state = "failed";
      if (expired && !final && retry)
        d.last_error = "gave up after 24 hours of retries; the last attempt: " + *d.last_error;
    } else {
      d.state = "pending";
      d.next_attempt_at = now + retry_delay(options_, d.attempts, random_);
    }
  };
  auto rule = store_.get_alert_rule(d.workspace_id, d.rule_id);
  if (!rule) {
    if (rule.error().code != ErrorCode::not_found) return rule.error();
    fail("the alert was deleted before this message was sent", true);
  } else if (!rule->enabled && d.subject != "test") {
    fail("not sent: the alert is disabled (" + rule->disabled_reason.value_or("no reason given") + ")", true);
  } else {
    const Channel* channel = find_channel(rule->channel_type);
    auto settings = open_channel(*rule, box_);
    auto event = event_from_json(d.payload);
    if (!channel || !settings || !event) {
      fail(!channel    ? "the alert's channel type is unknown"
           : !settings ? settings.error().message
                       : "the message is unreadable: " + event.error().message,
           true);
    } else {
      // webhook-id: one per message, the same on every retry, so receivers can drop a repeat.
      auto outcome = channel->deliver(*event, *settings, "msg_chorus_" + std::to_string(d.id), options_.egress);
      d.last_status = outcome.status;
      if (outcome.delivered) {
        d.state = "delivered";
        d.delivered_at = now;
        d.last_error.reset();
      } else {
        fail(outcome.error, outcome.permanent);
        if (outcome.disable_rule) {
          if (auto s = store_.disable_alert_rule(rule->id, *outcome.disable_rule); !s) return s.error();
          spdlog::warn("alerts: alert {} of workspace {} disabled: {}", rule->id, rule->workspace_id,
                       *outcome.disable_rule);
        }
      }
    }
  }
  if (auto s = store_.finish_alert_delivery(d); !s) return s.error();
  return d;
}

Result<std::size_t> DeliverySender::run_once(TimeMs now) {
  auto due = store_.claim_alert_deliveries(now, options_.batch, options_.claim_ms);
  if (!due) return due.error();
  for (auto& d : *due) {
    auto done = attempt(std::move(d), now, true);
    if (!done) return done.error();
    if (done->state != "delivered")
      spdlog::info("alerts: delivery {} of alert {}: {} after {} attempt(s): {}", done->id, done->rule_id, done->state,
                   done->attempts, done->last_error.value_or(""));
  }
  return due->size();
}

json::object delivery_to_json(const store::AlertDelivery& d) {
  json::object o{
      {"id", std::to_string(d.id)},
      {"alert_id", std::to_string(d.rule_id)},
      {"subject", d.subject},
      {"state", d.state},
      {"attempts", d.attempts},
      {"created_at", format_time(d.created_at)},
      {"updated_at", format_time(d.updated_at)},
      {"delivered_at", d.delivered_at ? json::value(format_time(*d.delivered_at)) : json::value(nullptr)},
      {"next_attempt_at", d.state == "pending" ? json::value(format_time(d.next_attempt_at)) : json::value(nullptr)},
      {"status", d.last_status ? json::value(*d.last_status) : json::value(nullptr)},
      {"error", d.last_error ? json::value(*d.last_error) : json::value(nullptr)}};
  if (auto e = event_from_json(d.payload)) {
    o["type"] = e->type;
    o["title"] = e->title;
    o["theme"] = e->theme ? json::value(*e->theme) : json::value(nullptr);
    o["count"] = e->count;
  }
  return o;
}

}  // namespace chorus::alerts
