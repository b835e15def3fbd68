// The weekly digest: ISO weeks read and written, and one week against the one before over a real SQLite
// store — volume, sentiment, top themes with quotes, movers up and down, and themes new this week.
#include "insights/weekly_digest.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.hpp"

namespace chorus::insights {
namespace {

TEST(IsoWeek, ParsesAndNamesWeeks) {
  EXPECT_EQ(*parse_iso_week("2026-W10"), *parse_time("2026-03-02T00:00:00Z"));
  EXPECT_EQ(*parse_iso_week("2026-W01"), *parse_time("2025-12-29T00:00:00Z"));
  EXPECT_EQ(*parse_iso_week("2026-W53"), *parse_time("2026-12-28T00:00:00Z"));  // 2026 starts on a Thursday
  EXPECT_FALSE(parse_iso_week("2025-W53"));
  for (const char* bad : {"2026-W00", "2026-10", "2026W10", "2026-W1x", "", "abcd-W10"})
    EXPECT_FALSE(parse_iso_week(bad)) << bad;
  EXPECT_EQ(iso_week_of(*parse_time("2026-03-08T23:59:59Z")), "2026-W10");
  EXPECT_EQ(iso_week_of(*parse_time("2026-03-09T00:00:00Z")), "2026-W11");
  EXPECT_EQ(iso_week_of(*parse_time("2027-01-01T12:00:00Z")), "2026-W53");
  EXPECT_EQ(iso_week_of(*parse_time("2025-12-30T00:00:00Z")), "2026-W01");
}

class WeeklyDigest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chorus-digest-XXXXXX").string();
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
  void add(int n, const std::string& theme, TimeMs at, const std::string& sentiment, double compound) {
    std::vector<FeedbackRecord> records;
    for (int i = 0; i < n; ++i) {
      FeedbackRecord r;
      r.unique_identifier = ++uid_;
      r.workspace_id = ws_;
      r.source_id = source_;
      r.customer_id = 1;
      r.source_type = "jsonl";
      r.external_id = std::to_string(uid_);
      static const char* kWords[] = {"checkout broke while paying",  "refund never arrived today",
                                     "card declined twice already",  "login screen froze on start",
                                     "invoice totals look wrong",    "support answered slowly again",
                                     "mobile app crashed at launch", "export button does nothing",
                                     "password reset mail missing",  "prices went up without notice"};
      r.text = std::string(kWords[uid_ % 10]) + " (" + theme + ")";
      r.sentiment_type = sentiment;
      r.sentiment_compound = compound;
      r.themes = {theme};
      r.timestamp = r.received_at = at + i * 60000;
      records.push_back(r);
    }
    store::PageCommit page;
    page.workspace_id = ws_;
    page.source_id = source_;
    page.records = records;
    auto stored = store_->commit_page(page);
    ASSERT_TRUE(stored) << stored.error().message;
    ASSERT_TRUE(store_->apply_rollups(*stored));
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  Id ws_ = 0, source_ = 0;
  std::int64_t uid_ = 0;
};

TEST_F(WeeklyDigest, ComparesTheWeekWithTheOneBefore) {
  const TimeMs week = *parse_iso_week("2026-W10");
  const TimeMs day = 86400000;
  add(2, "payments", week - 5 * day, "negative", -0.5);
  add(5, "login", week - 4 * day, "negative", -0.4);
  add(6, "payments", week + 1 * day, "negative", -0.7);
  add(3, "invoices", week + 2 * day, "neutral", 0.0);
  add(1, "login", week + 3 * day, "positive", 0.6);
  DigestOptions o;
  o.now = week + 10 * day;
  auto d = build_weekly_digest(*store_, ws_, week, o);
  ASSERT_TRUE(d) << d.error().message;
  const json::value v = *d;
  EXPECT_EQ(*get_string(v, "week"), "2026-W10");
  EXPECT_TRUE(find_path(v, "complete")->as_bool());
  EXPECT_EQ(find_path(v, "volume.count")->to_number<std::int64_t>(), 10);
  EXPECT_EQ(find_path(v, "volume.previous_count")->to_number<std::int64_t>(), 7);
  EXPECT_EQ(find_path(v, "sentiment.this_week.by_sentiment.negative")->to_number<std::int64_t>(), 6);
  EXPECT_EQ(*get_string(*find_path(v, "top_themes.0"), "theme"), "payments");
  EXPECT_EQ(find_path(v, "top_themes.0.previous_count")->to_number<std::int64_t>(), 2);
  EXPECT_EQ(find_path(v, "top_themes.0.quotes")->as_array().size(), 3u);
  EXPECT_EQ(*get_string(*find_path(v, "movers.up.0"), "theme"), "payments");
  EXPECT_EQ(find_path(v, "movers.up.0.change")->to_number<std::int64_t>(), 4);
  EXPECT_EQ(*get_string(*find_path(v, "movers.down.0"), "theme"), "login");
  EXPECT_EQ(find_path(v, "movers.down.0.change")->to_number<std::int64_t>(), -4);
  ASSERT_EQ(find_path(v, "new_themes")->as_array().size(), 1u);
  EXPECT_EQ(*get_string(*find_path(v, "new_themes.0"), "theme"), "invoices");
  std::string text = digest_text(*d);
  EXPECT_NE(text.find("Weekly digest 2026-W10"), std::string::npos) << text;
  EXPECT_NE(text.find("Feedback: 10 (previous week 7)"), std::string::npos) << text;
  EXPECT_NE(text.find("Moving down\n  login: 1 (previous week 5)"), std::string::npos) << text;
}

}  // namespace
}  // namespace chorus::insights
