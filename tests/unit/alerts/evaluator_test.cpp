// The evaluator over a real SQLite store at a fixed clock: live bursts fire once per rule, theme and
// episode, a growing burst updates the one pending message, history (items that arrived long after their
// own time) never fires, and two evaluators on one store add one message.
#include "alerts/evaluator.hpp"

#include <gtest/gtest.h>

#include "alerts/alert_event.hpp"
#include "alerts/live_items.hpp"
#include "support/store_workspace.hpp"

namespace chorus::alerts {
namespace {

constexpr TimeMs kNow = 1772000000000;  // 2026-02-25
constexpr TimeMs kMinute = 60000;

class Evaluator : public testing::StoreWorkspace {
 protected:
  store::AlertRule rule(const std::string& kind, json::object params) {
    store::AlertRule r;
    r.workspace_id = ws_;
    r.name = kind + " rule";
    r.kind = kind;
    r.params = std::move(params);
    r.channel_type = "webhook";
    r.channel = json::object{{"url", "https://example.com/hook"}};
    auto stored = store_->create_alert_rule(r);
    EXPECT_TRUE(stored);
    return *stored;
  }
  // n records about `theme`, stamped `age` before kNow and received at kNow, as live items too.
  void add(int n, const std::string& theme, TimeMs age, const std::string& sentiment = "negative") {
    std::vector<FeedbackRecord> records;
    for (int i = 0; i < n; ++i) {
      records.push_back(record(theme, kNow - age + i, sentiment, sentiment == "negative" ? -0.5 - 0.01 * i : 0.5));
      records.back().url = "https://example.com/t/" + std::to_string(uid_);
      records.back().received_at = kNow;
    }
    std::vector<store::LiveItem> live;
    for (const auto& r : commit(std::move(records)))
      if (auto item = live_item_of(r, kNow)) live.push_back(*item);
    ASSERT_TRUE(store_->add_live_items(live));
  }
  // Items of the source that arrived at these times, each written a minute before it arrived.
  void arrive(const std::vector<TimeMs>& times) {
    std::vector<FeedbackRecord> records;
    for (TimeMs t : times) {
      records.push_back(record("pushes", t - kMinute, "neutral", 0.0));
      records.back().received_at = t;
    }
    std::vector<store::LiveItem> live;
    for (const auto& r : commit(std::move(records)))
      if (auto item = live_item_of(r, kNow)) live.push_back(*item);
    ASSERT_TRUE(store_->add_live_items(live));
  }
  std::vector<store::AlertDelivery> outbox(Id rule) { return *store_->list_alert_deliveries(ws_, rule, 100); }
  // Sends what is due at `now` as if the endpoint took it.
  void deliver_due(TimeMs now) {
    auto due = store_->claim_alert_deliveries(now, 100, 60000);
    ASSERT_TRUE(due);
    for (auto d : *due) {
      d.state = "delivered";
      d.delivered_at = now;
      ASSERT_TRUE(store_->finish_alert_delivery(d));
    }
  }
};

TEST_F(Evaluator, LiveBurstFiresOnceWithQuotesAndAGrowingBurstUpdatesTheOneMessage) {
  auto r =
      rule("emerging", json::object{{"min_count", 8}, {"min_score", 6}, {"window_hours", 24}, {"live_lag_hours", 6}});
  AlertEvaluator ev(*store_, EvaluatorOptions{"https://chorus.example.com", 20000});
  add(5, "checkout", 30 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow), 0u) << "five items are below min_count";
  add(5, "checkout", 20 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow), 1u);
  auto first = outbox(r.id);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].subject, "checkout");
  EXPECT_EQ(first[0].next_attempt_at, kNow + 20000) << "it settles before it is sent";
  auto event = event_from_json(first[0].payload);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->count, 10);
  EXPECT_EQ(*event->theme, "checkout");
  EXPECT_EQ(event->quotes.size(), 3u);
  EXPECT_NE(event->dashboard_url.find("https://chorus.example.com/#/"), std::string::npos);

  add(10, "checkout", 10 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow + kMinute), 0u);
  auto grown = outbox(r.id);
  ASSERT_EQ(grown.size(), 1u) << "one message per episode";
  EXPECT_EQ(event_from_json(grown[0].payload)->count, 20) << "the pending message carries the newer count";
}

TEST_F(Evaluator, ASentAlertWhoseBurstDoublesSendsOneUpdateAndNoMore) {
  auto r = rule("emerging", json::object{{"min_count", 8}, {"min_score", 6}, {"update_factor", 2}});
  AlertEvaluator ev(*store_, EvaluatorOptions{"https://chorus.example.com", 20000});
  add(10, "checkout", 30 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow), 1u);
  deliver_due(kNow + 20000);
  add(9, "checkout", 20 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow + kMinute), 0u) << "19 is less than twice the 10 sent";
  EXPECT_EQ(outbox(r.id).size(), 1u);
  EXPECT_EQ(event_from_json(outbox(r.id)[0].payload)->count, 10) << "a sent message stays as it was sent";
  add(1, "checkout", 15 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow + 2 * kMinute), 1u) << "20 is twice 10: one update";
  auto both = outbox(r.id);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].dedup_key, both[1].dedup_key + ":update");
  EXPECT_EQ(both[0].next_attempt_at, kNow + 2 * kMinute + 20000) << "an update settles too";
  auto update = event_from_json(both[0].payload);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->type, "alert.updated");
  EXPECT_EQ(update->count, 20);
  EXPECT_EQ(update->previous_count, 10);
  EXPECT_EQ(update->first_fired_at, kNow);
  EXPECT_TRUE(update->title.starts_with("Update: Emerging")) << update->title;
  EXPECT_NE(update->summary.find("Grown from 10 to 20"), std::string::npos) << update->summary;
  EXPECT_NE(event_text(*update).find("grown from 10 to 20"), std::string::npos) << event_text(*update);
  const json::value as_json = event_to_json(*update);
  EXPECT_EQ(get_int(*find_path(as_json, "update"), "previous_count"), 10);
  // Still growing before the update is sent: the update takes the newer count, and stays one.
  add(20, "checkout", 10 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow + 3 * kMinute), 0u);
  ASSERT_EQ(outbox(r.id).size(), 2u);
  EXPECT_EQ(event_from_json(outbox(r.id)[0].payload)->count, 40);
  EXPECT_EQ(event_from_json(outbox(r.id)[0].payload)->previous_count, 10);
  // Sent, and growing on: nothing more for this episode.
  deliver_due(kNow + 4 * kMinute);
  add(60, "checkout", 5 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow + 5 * kMinute), 0u);
  EXPECT_EQ(outbox(r.id).size(), 2u);
}

TEST_F(Evaluator, AnAlertThatFailedGetsNoUpdate) {
  auto r = rule("new_theme", json::object{{"min_count", 5}});
  AlertEvaluator ev(*store_, EvaluatorOptions{"https://chorus.example.com", 0});
  add(6, "invoices", 30 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow), 1u);
  auto due = store_->claim_alert_deliveries(kNow, 10, 60000);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  (*due)[0].state = "failed";
  ASSERT_TRUE(store_->finish_alert_delivery((*due)[0]));
  add(30, "invoices", 20 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow + kMinute), 0u) << "the team never got the first message";
  EXPECT_EQ(outbox(r.id).size(), 1u);
}

TEST_F(Evaluator, HistoryNeverFiresButTeachesTheBaseline) {
  auto r =
      rule("emerging", json::object{{"min_count", 8}, {"min_score", 6}, {"window_hours", 24}, {"live_lag_hours", 6}});
  AlertEvaluator ev(*store_, EvaluatorOptions{});
  add(30, "refunds", 10 * 60 * kMinute);       // arrived 10 hours after their time: a fetcher catching up
  add(30, "refunds", 20 * 24 * 60 * kMinute);  // last month, imported today
  EXPECT_EQ(*ev.evaluate({r}, kNow), 0u);
  EXPECT_TRUE(outbox(r.id).empty());
  // A steady theme: ten a day for four weeks of history, then ten live ones today is no burst.
  for (int d = 2; d <= 28; ++d) add(10, "login", static_cast<TimeMs>(d) * 24 * 60 * kMinute);
  add(10, "login", 30 * kMinute);
  EXPECT_EQ(*ev.evaluate({r}, kNow), 0u);
}

TEST_F(Evaluator, NegativeShareAndNewThemeAndTwoEvaluatorsAddOneMessage) {
  auto share = rule("negative_share",
                    json::object{{"threshold", 0.5}, {"min_items", 10}, {"window_hours", 24}, {"live_lag_hours", 6}});
  auto fresh = rule("new_theme",
                    json::object{{"min_count", 5}, {"lookback_days", 28}, {"window_hours", 24}, {"live_lag_hours", 6}});
  add(3, "dark mode", 30 * kMinute, "positive");
  add(9, "invoices", 30 * kMinute, "negative");
  AlertEvaluator a(*store_, EvaluatorOptions{}), b(*store_, EvaluatorOptions{});
  EXPECT_EQ(*a.evaluate({share, fresh}, kNow), 2u);  // 9 of 12 negative; "invoices" is new
  EXPECT_EQ(*b.evaluate({share, fresh}, kNow), 0u);
  EXPECT_EQ(outbox(share.id).size(), 1u);
  ASSERT_EQ(outbox(fresh.id).size(), 1u);
  EXPECT_EQ(outbox(fresh.id)[0].subject, "invoices");
  // A theme seen last week is not new.
  add(1, "exports", 7 * 24 * 60 * kMinute);
  add(6, "exports", 30 * kMinute);
  EXPECT_EQ(*a.evaluate({fresh}, kNow), 0u);
}

TEST_F(Evaluator, StaleOrFailingSourcesFireOncePerEpisode) {
  auto r = rule("source_stale", json::object{{"sources", json::array{}}});
  AlertEvaluator ev(*store_, EvaluatorOptions{});
  EXPECT_EQ(*ev.evaluate({r}, kNow), 0u);
  ASSERT_TRUE(store_->set_source_state(source_, "failed", std::string("HTTP 500 from the API")));
  EXPECT_EQ(*ev.evaluate({r}, kNow), 1u);
  EXPECT_EQ(*ev.evaluate({r}, kNow + kMinute), 0u);
  auto e = event_from_json(outbox(r.id)[0].payload);
  EXPECT_NE(e->summary.find("HTTP 500"), std::string::npos) << e->summary;
}

// A push source has no schedule: it is quiet when nothing arrived for 1.5 times its longest quiet spell of
// the last 28 days (here items every 4 hours, so 6 hours), or for the rule's expected_every_hours.
TEST_F(Evaluator, APushSourceIsQuietAfterItsLearntIntervalOrTheOneTheRuleSets) {
  auto learnt = rule("source_stale", json::object{});
  auto daily = rule("source_stale", json::object{{"expected_every_hours", 24}});
  std::vector<TimeMs> times;
  for (TimeMs t = kNow - 5 * 60 * kMinute; t >= kNow - 5 * 24 * 60 * kMinute; t -= 4 * 60 * kMinute) times.push_back(t);
  arrive(times);
  AlertEvaluator ev(*store_, EvaluatorOptions{});
  EXPECT_EQ(*ev.evaluate({learnt, daily}, kNow), 0u) << "five hours of quiet is within six";
  const TimeMs later = kNow + 2 * 60 * kMinute;
  EXPECT_EQ(*ev.evaluate({learnt, daily}, later), 1u) << "seven hours is not";
  EXPECT_EQ(*ev.evaluate({learnt, daily}, later + kMinute), 0u) << "one alert per quiet spell";
  ASSERT_EQ(outbox(learnt.id).size(), 1u);
  EXPECT_TRUE(outbox(daily.id).empty());
  auto e = event_from_json(outbox(learnt.id)[0].payload);
  EXPECT_EQ(e->subject, "source:" + std::to_string(source_));
  EXPECT_EQ(e->title, "Source \"survey\" has gone quiet");
  EXPECT_NE(e->summary.find("received nothing for 7"), std::string::npos) << e->summary;
  EXPECT_NE(e->summary.find("6 h expected"), std::string::npos) << e->summary;
  EXPECT_EQ(*get_string(e->details, "state"), "quiet");
  EXPECT_EQ(*ev.evaluate({daily}, kNow + 20 * 60 * kMinute), 1u) << "25 hours against the rule's 24";
  // An item arrives again: the spell is over. Its 8 hours of quiet were the longest, so 12 are expected now.
  arrive({later + 60 * kMinute});
  EXPECT_EQ(*ev.evaluate({learnt}, later + 2 * 60 * kMinute), 0u);
  EXPECT_EQ(*ev.evaluate({learnt}, later + 12 * 60 * kMinute), 0u);
  EXPECT_EQ(*ev.evaluate({learnt}, later + 14 * 60 * kMinute), 1u) << "13 hours: a new spell, a new alert";
  EXPECT_EQ(outbox(learnt.id).size(), 2u);
}

TEST_F(Evaluator, APushSourceIsNotJudgedUntilItHasHistoryAndAScheduledOneNeverOnArrivals) {
  auto r = rule("source_stale", json::object{});
  arrive({kNow - 30 * 60 * kMinute, kNow - 28 * 60 * kMinute});
  AlertEvaluator ev(*store_, EvaluatorOptions{});
  EXPECT_EQ(*ev.evaluate({r}, kNow), 0u) << "a day and a half of history teaches nothing yet";
  store::Source pulled;
  pulled.workspace_id = ws_;
  pulled.type = "github";
  pulled.name = "issues";
  pulled.schedule_every_s = 3600;
  ASSERT_TRUE(store_->create_source(pulled));
  auto given = rule("source_stale", json::object{{"expected_every_hours", 1}});
  EXPECT_EQ(*ev.evaluate({given}, kNow), 1u) << "only the push source: the fetcher judges the scheduled one";
  EXPECT_EQ(outbox(given.id)[0].subject, "source:" + std::to_string(source_));
}

TEST_F(Evaluator, TheWeeklyDigestIsSentOnceAfterItsHourOnMonday) {
  auto r = rule("weekly_digest", json::object{{"hour_utc", 8}});
  AlertEvaluator ev(*store_, EvaluatorOptions{});
  const TimeMs monday = *parse_time("2026-03-09T00:00:00Z");
  add(4, "payments", kNow - (monday + 8 * 3600000 - 2 * 86400000));  // stamped the Saturday before
  EXPECT_EQ(*ev.evaluate({r}, monday + 7 * 3600000), 0u) << "before its hour";
  EXPECT_EQ(*ev.evaluate({r}, monday + 9 * 3600000), 1u);
  EXPECT_EQ(*ev.evaluate({r}, monday + 30 * 3600000), 0u) << "once a week";
  auto sent = outbox(r.id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].dedup_key, "weekly_digest:digest:2026-W10");
  auto e = event_from_json(sent[0].payload);
  EXPECT_EQ(e->type, "digest.weekly");
  EXPECT_EQ(e->count, 4);
  EXPECT_NE(e->summary.find("Top themes\n  payments: 4"), std::string::npos) << e->summary;
  EXPECT_EQ(*ev.evaluate({r}, monday + 7 * 86400000 + 9 * 3600000), 1u) << "and again the next Monday";
}

}  // namespace
}  // namespace chorus::alerts
