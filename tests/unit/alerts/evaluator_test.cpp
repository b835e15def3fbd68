// The evaluator over a real SQLite store at a fixed clock: live bursts fire once per rule, theme and
// episode, a growing burst updates the one pending message, history (items that arrived long after their
// own time) never fires, and two evaluators on one store add one message.
#include "alerts/evaluator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "alerts/alert_event.hpp"
#include "alerts/live_items.hpp"
#include "store/store.hpp"

namespace chorus::alerts {
namespace {

constexpr TimeMs kNow = 1772000000000;  // 2026-02-25
constexpr TimeMs kMinute = 60000;

class Evaluator : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chorus-alerts-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = store::open_sqlite_store(dir_);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
    auto c = store_->create_customer("acme", "hash");
    ws_ = store_->create_workspace(c->id, "app")->id;
    store::Source src;
    src.workspace_id = ws_;
    src.type = "jsonl";
    src.name = "survey";
    source_ = store_->create_source(src)->id;
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

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
  // n records about `theme`, stamped `age` before kNow and received at kNow.
  void add(int n, const std::string& theme, TimeMs age, const std::string& sentiment = "negative") {
    std::vector<FeedbackRecord> records;
    for (int i = 0; i < n; ++i) {
      FeedbackRecord r;
      r.unique_identifier = ++uid_;
      r.workspace_id = ws_;
      r.source_id = source_;
      r.customer_id = 1;
      r.source_type = "jsonl";
      r.external_id = std::to_string(uid_);
      r.text = "words about " + theme + " number " + std::to_string(uid_);
      r.url = "https://example.com/t/" + std::to_string(uid_);
      r.sentiment_type = sentiment;
      r.sentiment_compound = sentiment == "negative" ? -0.5 - 0.01 * i : 0.5;
      r.themes = {theme};
      r.timestamp = kNow - age + i;
      r.received_at = kNow;
      records.push_back(r);
    }
    store::PageCommit page;
    page.workspace_id = ws_;
    page.source_id = source_;
    page.records = records;
    auto stored = store_->commit_page(page);
    ASSERT_TRUE(stored) << stored.error().message;
    ASSERT_TRUE(store_->apply_rollups(*stored));
    std::vector<store::LiveItem> live;
    for (const auto& r : *stored)
      if (auto item = live_item_of(r, kNow)) live.push_back(*item);
    ASSERT_TRUE(store_->add_live_items(live));
  }
  std::vector<store::AlertDelivery> outbox(Id rule) { return *store_->list_alert_deliveries(ws_, rule, 100); }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  Id ws_ = 0, source_ = 0;
  std::int64_t uid_ = 0;
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
