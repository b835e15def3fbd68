// What every Store backend owes alerts: rules scoped to their workspace, one outbox message per rule and
// dedup key, claims that hand each due message to one sender however many ask, live items counted within
// their lag, a source's arrivals, and a lease held by one owner at a time. Included after store_spec.hpp by each backend's test binary.
#pragma once

#include <atomic>
#include <set>
#include <thread>

#include "unit/store/store_spec.hpp"

namespace chorus::store {

inline AlertRule spec_rule(Id ws) {
  AlertRule r;
  r.workspace_id = ws;
  r.name = "checkout";
  r.kind = "emerging";
  r.params = json::object{{"min_count", 8}};
  r.channel_type = "slack";
  r.sealed_secrets = "sealed-bytes";
  return r;
}

inline AlertDelivery spec_delivery(const AlertRule& rule, const std::string& key, TimeMs due) {
  AlertDelivery d;
  d.rule_id = rule.id;
  d.workspace_id = rule.workspace_id;
  d.dedup_key = key;
  d.subject = "payments";
  d.payload = R"({"type":"alert.fired"})";
  d.next_attempt_at = due;
  d.window_end = due + 3600000;
  return d;
}

TEST_P(StoreSpec, AlertRulesBelongToTheirWorkspace) {
  auto other = store_->create_workspace(customer_, "second");
  auto made = store_->create_alert_rule(spec_rule(ws_));
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_GT(made->id, 0);
  EXPECT_EQ(store_->get_alert_rule(ws_, made->id)->sealed_secrets, "sealed-bytes");
  EXPECT_EQ(store_->get_alert_rule(other->id, made->id).error().code, ErrorCode::not_found);
  EXPECT_EQ(store_->list_alert_rules(other->id)->size(), 0u);
  auto changed = *made;
  changed.name = "renamed";
  changed.workspace_id = other->id;
  EXPECT_EQ(store_->update_alert_rule(changed).error().code, ErrorCode::not_found);
  changed.workspace_id = ws_;
  ASSERT_TRUE(store_->update_alert_rule(changed));
  EXPECT_EQ(store_->get_alert_rule(ws_, made->id)->name, "renamed");
  ASSERT_TRUE(store_->disable_alert_rule(made->id, "Slack answered 410"));
  auto off = store_->get_alert_rule(ws_, made->id);
  EXPECT_FALSE(off->enabled);
  EXPECT_EQ(*off->disabled_reason, "Slack answered 410");
  EXPECT_TRUE(store_->list_enabled_alert_rules()->empty());
  EXPECT_EQ(store_->delete_alert_rule(other->id, made->id).error().code, ErrorCode::not_found);
  ASSERT_TRUE(store_->delete_alert_rule(ws_, made->id));
  EXPECT_EQ(store_->list_alert_rules(ws_)->size(), 0u);
}

TEST_P(StoreSpec, OutboxKeepsOneMessagePerDedupKeyAndHandsEachToOneSender) {
  auto rule = *store_->create_alert_rule(spec_rule(ws_));
  const TimeMs now = 1772000000000;
  auto first = store_->add_alert_delivery(spec_delivery(rule, "emerging:payments:w1", now));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->has_value());
  auto again = store_->add_alert_delivery(spec_delivery(rule, "emerging:payments:w1", now));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value()) << "the same rule, subject and window is one message";
  for (int i = 0; i < 19; ++i)
    ASSERT_TRUE(store_->add_alert_delivery(spec_delivery(rule, "k" + std::to_string(i), now)));
  ASSERT_TRUE(store_->add_alert_delivery(spec_delivery(rule, "later", now + 60000)));

  auto open = store_->open_alert_episode(rule.id, "payments", now);
  ASSERT_TRUE(open && open->has_value());
  ASSERT_TRUE(store_->extend_alert_episode((*open)->id, now + 7200000, std::string(R"({"count":20})")));
  EXPECT_EQ((*store_->open_alert_episode(rule.id, "payments", now))->payload, R"({"count":20})");
  EXPECT_FALSE(store_->open_alert_episode(rule.id, "payments", now + 8000000)->has_value());

  // Four senders at once: twenty due messages, each claimed exactly once; the later one not yet.
  std::mutex mu;
  std::multiset<Id> claimed;
  std::vector<std::thread> senders;
  for (int s = 0; s < 4; ++s)
    senders.emplace_back([&] {
      for (int round = 0; round < 10; ++round) {
        auto got = store_->claim_alert_deliveries(now, 3, 60000);
        ASSERT_TRUE(got) << got.error().message;
        std::lock_guard lock(mu);
        for (const auto& d : *got) {
          EXPECT_EQ(d.state, "sending");
          claimed.insert(d.id);
        }
      }
    });
  for (auto& t : senders) t.join();
  EXPECT_EQ(claimed.size(), 20u);
  EXPECT_EQ(std::set<Id>(claimed.begin(), claimed.end()).size(), 20u);
  // A sender that died: its claim lapses and the message is due again.
  auto lapsed = store_->claim_alert_deliveries(now + 60001, 100, 60000);
  ASSERT_TRUE(lapsed);
  EXPECT_EQ(lapsed->size(), 21u);
  auto d = lapsed->front();
  d.state = "delivered";
  d.attempts = 2;
  d.delivered_at = now + 60001;
  d.last_status = 200;
  ASSERT_TRUE(store_->finish_alert_delivery(d));
  auto log = store_->list_alert_deliveries(ws_, rule.id, 100);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->size(), 21u);
  bool found = false;
  for (const auto& x : *log)
    if (x.id == d.id) {
      found = true;
      EXPECT_EQ(x.state, "delivered");
      EXPECT_EQ(x.attempts, 2);
      EXPECT_EQ(*x.last_status, 200);
    }
  EXPECT_TRUE(found);
}

TEST_P(StoreSpec, LiveItemsCountWithinTheLagAndOnce) {
  const TimeMs now = 1772000000000, hour = 3600000;
  std::vector<LiveItem> items;
  for (int i = 0; i < 5; ++i)
    items.push_back(
        LiveItem{ws_, 100 + i, source_, now - hour, now, i < 3 ? "negative" : "positive", -0.1 * i, {"sync"}});
  items.push_back(LiveItem{ws_, 200, source_, now - 10 * hour, now, "negative", -0.9, {"sync"}});  // arrived late
  ASSERT_TRUE(store_->add_live_items(items));
  ASSERT_TRUE(store_->add_live_items(items));  // redelivered: counted once
  auto counts = store_->live_theme_counts(LiveWindow{ws_, now - 24 * hour, now + hour, 6 * hour});
  ASSERT_TRUE(counts) << counts.error().message;
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].theme, "");
  EXPECT_EQ((*counts)[0].count, 5);
  EXPECT_EQ((*counts)[1].theme, "sync");
  EXPECT_EQ((*counts)[1].negative, 3);
  EXPECT_EQ((*counts)[1].first_timestamp, now - hour);
  auto quotes = store_->live_items_of_theme(LiveWindow{ws_, now - 24 * hour, now + hour, 6 * hour}, "sync", 2);
  ASSERT_TRUE(quotes);
  EXPECT_EQ(*quotes, (std::vector<std::int64_t>{104, 103})) << "the most negative first";
  auto fresh = store_->workspaces_with_new_live_items(0);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(*fresh, std::vector<Id>{ws_});
  ASSERT_TRUE(store_->prune_live_items(now));
  EXPECT_TRUE(store_->live_theme_counts(LiveWindow{ws_, 0, now * 2, 100 * hour})->empty());
}

TEST_P(StoreSpec, ASourcesArrivalsAreItsHoursWithLiveItemsAndTheNewest) {
  const TimeMs now = 1772000000000, hour = 3600000;
  const TimeMs base = now - now % hour;
  auto other = store_->create_workspace(customer_, "second");
  ASSERT_TRUE(other);
  std::vector<LiveItem> items{
      LiveItem{ws_, 1, source_, base - 30 * hour, base - 30 * hour + 5, "neutral", 0, {"a", "b"}},
      LiveItem{ws_, 2, source_, base - 30 * hour, base - 30 * hour + 900000, "neutral", 0, {}},
      LiveItem{ws_, 3, source_, base - 100 * hour, base - 2 * hour + 60000, "neutral", 0, {"a"}},  // four days late
      LiveItem{ws_, 4, source_ + 1, base - hour, base - hour, "neutral", 0, {}},                     // another source
      LiveItem{other->id, 5, source_, base - hour, base - hour, "neutral", 0, {}},                   // another workspace
      LiveItem{ws_, 6, source_, base - 50 * hour, base - 50 * hour, "neutral", 0, {}},               // before `since`
  };
  ASSERT_TRUE(store_->add_live_items(items));
  auto got = store_->live_source_arrivals(ws_, source_, base - 40 * hour);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->hours, (std::vector<TimeMs>{base - 30 * hour, base - 2 * hour}));
  EXPECT_EQ(got->last, base - 2 * hour + 60000);
  auto none = store_->live_source_arrivals(ws_, source_ + 7, base - 40 * hour);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->hours.empty());
  EXPECT_FALSE(none->last);
}

TEST_P(StoreSpec, ALeaseHasOneHolderUntilItLapses) {
  const TimeMs now = 1772000000000;
  EXPECT_TRUE(*store_->hold_lease("alerts.evaluator", "a", now, 10000));
  EXPECT_FALSE(*store_->hold_lease("alerts.evaluator", "b", now + 5000, 10000));
  EXPECT_TRUE(*store_->hold_lease("alerts.evaluator", "a", now + 5000, 10000));
  EXPECT_FALSE(*store_->hold_lease("alerts.evaluator", "b", now + 14000, 10000));
  EXPECT_TRUE(*store_->hold_lease("alerts.evaluator", "b", now + 15001, 10000));
  EXPECT_FALSE(*store_->hold_lease("alerts.evaluator", "a", now + 16000, 10000));
}

}  // namespace chorus::store
