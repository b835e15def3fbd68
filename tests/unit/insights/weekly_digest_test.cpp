// The weekly digest: ISO weeks read and written, and one week against the one before over a real SQLite
// store — volume, sentiment, top themes with quotes, movers up and down, and themes new this week.
#include "insights/weekly_digest.hpp"

#include <gtest/gtest.h>

#include "support/store_workspace.hpp"

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

class WeeklyDigest : public testing::StoreWorkspace {
 protected:
  void add(int n, const std::string& theme, TimeMs at, const std::string& sentiment, double compound) {
    static const char* kWords[] = {"checkout broke while paying",  "refund never arrived today",
                                   "card declined twice already",  "login screen froze on start",
                                   "invoice totals look wrong",    "support answered slowly again",
                                   "mobile app crashed at launch", "export button does nothing",
                                   "password reset mail missing",  "prices went up without notice"};
    std::vector<FeedbackRecord> records;
    for (int i = 0; i < n; ++i) {
      records.push_back(record(theme, at + i * 60000, sentiment, compound));
      records.back().text = std::string(kWords[uid_ % 10]) + " (" + theme + ")";
    }
    commit(std::move(records));
  }
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

// `chorus digest` prints whatever a server answered: an answer without the parts a digest has (another server
// behind --server, an older one) reads as nothing, never as a crash.
TEST(DigestText, AnAnswerWithoutItsPartsReadsAsNothing) {
  for (const char* body : {R"({})", R"({"volume":5,"sentiment":"x","top_themes":3,"movers":{"up":null}})",
                           R"({"volume":{"count":"many"},"sentiment":{"this_week":[]},"top_themes":[1,"a",null]})"}) {
    auto parsed = parse_json(body);
    ASSERT_TRUE(parsed && parsed->is_object()) << body;
    std::string text = digest_text(parsed->as_object());
    EXPECT_NE(text.find("Feedback: 0 (previous week 0)"), std::string::npos) << body << "\n" << text;
    EXPECT_NE(text.find("Top themes"), std::string::npos) << body;
  }
}

}  // namespace
}  // namespace chorus::insights
