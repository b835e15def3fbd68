// The insight report over a real (SQLite) store and a generated year: three sources with steady
// backgrounds, injected bursts (found with their theme and window, nothing else), a source connected
// late whose backfill is no spike (and is one when judged naively), a connector outage caught up late,
// ratings, quotes, cross-source issues, and the same report from rollups and from the records.
#include "insights/insight_report.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "core/sqlite.hpp"

namespace chorus::insights {
namespace {

const TimeMs kYear = *parse_time("2025-01-01T00:00:00Z");
constexpr TimeMs kHour = 3600000;
TimeMs day(int i) { return kYear + static_cast<TimeMs>(i) * kDayMs; }

struct Wording {
  std::vector<std::string> negative, positive;
};

const std::map<std::string, Wording>& wordings() {
  static const std::map<std::string, Wording> w{
      {"checkout crash",
       {{"The app crashes at checkout when I tap pay", "Checkout crashed again, lost my cart at the payment step",
         "Crash on the checkout screen right after entering my card", "Payment page crashes and closes the app"},
        {"Checkout was quick today"}}},
      {"dark mode",
       {{"Dark mode makes the text unreadable in the editor"},
        {"Please add a dark mode for night reading", "Dark mode would be lovely for the reader view",
         "Would love a dark mode option in settings"}}},
      {"billing",
       {{"I was charged twice for the annual plan", "Billing took money after I cancelled, refund please",
         "Double charge on my invoice this month"},
        {"Billing is clear and the invoices are easy to find", "Happy with the billing page"}}},
      {"sync",
       {{"Sync is slow between my laptop and phone"},
        {"Sync works great across all my devices", "Love how fast sync is now"}}},
      {"login",
       {{"Login with Google fails sometimes", "Cannot log in after password reset"},
        {"Login is fast with the passkey", "Logging in is easy now"}}},
      {"search", {{"Search misses notes with accents"}, {"Search finds everything instantly", "Great search results"}}},
  };
  return w;
}

class InsightReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("chorus-insights-" + std::to_string(rd()));
    auto s = store::open_sqlite_store(dir_);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
    auto c = store_->create_customer("acme", "hash");
    ASSERT_TRUE(c);
    auto w = store_->create_workspace(c->id, "app");
    ASSERT_TRUE(w);
    ws_ = w->id;
    for (const char* type : {"discourse", "github", "appstore"}) {
      store::Source src;
      src.workspace_id = ws_;
      src.type = type;
      src.name = type;
      src.sealed_secrets = "x";
      auto made = store_->create_source(src);
      ASSERT_TRUE(made);
      sources_.push_back(made->id);
    }
    // The forum and GitHub were connected long before the year; the app store on day 250.
    connect(sources_[0], day(-400));
    connect(sources_[1], day(-400));
    connect(sources_[2], day(250) + 15 * kHour);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Sources get their connection time from the clock; a test of history sets it directly.
  void connect(Id source, TimeMs at) {
    auto db = sqlite::Database::open(dir_ / "chorus.db", {});
    ASSERT_TRUE(db);
    auto q = db->prepare("UPDATE sources SET created_at = ? WHERE id = ?");
    ASSERT_TRUE(q);
    ASSERT_TRUE(q->bind(1, at).bind(2, source).run());
  }

  FeedbackRecord make(Id source, int d, const std::string& theme, bool negative) {
    FeedbackRecord r;
    r.unique_identifier = ++next_uid_;
    r.workspace_id = ws_;
    r.source_id = source;
    r.source_type = source == sources_[0] ? "discourse" : source == sources_[1] ? "github" : "appstore";
    r.external_id = std::to_string(r.unique_identifier);
    const auto& w = wordings().at(theme);
    const auto& texts = negative ? w.negative : w.positive;
    r.text = texts[rng_() % texts.size()] + " (" + std::to_string(rng_() % 1000) + ")";
    r.sentiment_type = negative ? "negative" : "positive";
    r.sentiment_compound = negative ? -0.3 - (rng_() % 60) / 100.0 : 0.3 + (rng_() % 60) / 100.0;
    r.category = negative ? "bug" : "praise";
    r.language_code = "en";
    r.themes = {theme};
    r.timestamp = day(d) + static_cast<TimeMs>(rng_() % kDayMs);
    r.received_at = r.timestamp + 60000;
    r.url = "https://example.com/" + r.external_id;
    r.username = "user" + std::to_string(rng_() % 400);
    if (source == sources_[2]) r.rating = negative ? 1.0 + rng_() % 2 : 4.0 + rng_() % 2;
    return r;
  }

  void add(Id source, int d, const std::string& theme, double rate, double negative_share) {
    auto n = std::poisson_distribution<int>(rate)(rng_);
    for (int i = 0; i < n; ++i)
      batch_.push_back(make(source, d, theme, std::uniform_real_distribution<double>(0, 1)(rng_) < negative_share));
  }

  void flush() {
    std::map<Id, std::vector<FeedbackRecord>> by_source;
    for (auto& r : batch_) by_source[r.source_id].push_back(std::move(r));
    batch_.clear();
    for (auto& [source, rs] : by_source) {
      store::PageCommit page;
      page.workspace_id = ws_;
      page.source_id = source;
      page.records = std::move(rs);
      auto stored = store_->commit_page(page);
      ASSERT_TRUE(stored) << stored.error().message;
      ASSERT_TRUE(store_->apply_rollups(*stored));
      total_ += static_cast<std::int64_t>(stored->size());
    }
  }

  // A year: steady themes on the forum and GitHub, three injected episodes, the app store's backfill
  // and live reviews, and GitHub down for a week with its items caught up afterwards.
  void generate_year() {
    for (int d = 0; d < 365; ++d) {
      for (Id s : {sources_[0], sources_[1]}) {
        add(s, d, "sync", 6.0, 0.3);
        add(s, d, "login", 3.0, 0.4);
        add(s, d, "search", 2.0, 0.2);
        add(s, d, "billing", 4.0, 0.1);
        add(s, d, "checkout crash", 0.3, 0.8);
      }
      if (d >= 100 && d < 103)  // a crash after a release, reported on the forum and on GitHub
        for (Id s : {sources_[0], sources_[1]}) add(s, d, "checkout crash", 12.0, 0.95);
      if (d >= 220 && d < 223)  // billing turns sour without growing much: double charges
        add(sources_[0], d, "billing", 8.0, 1.0);
      if (d >= 300 && d < 304) add(sources_[1], d, "dark mode", 9.0, 0.1);  // a new request
      // Sync volume jumps for two days with its usual tone: one issue, not a second one for its
      // negative records, which only grew with the volume.
      if (d >= 160 && d < 162)
        for (Id s : {sources_[0], sources_[1]}) add(s, d, "sync", 25.0, 0.3);
      // The app store lists its newest reviews in full and only a few older ones: at connection ten
      // dense days arrive, heavy on login, after a sparse history.
      if (d < 240) add(sources_[2], d, "login", 0.3, 0.5);
      if (d >= 240 && d < 250) add(sources_[2], d, "login", 25.0, 0.7);
      if (d >= 251) {
        add(sources_[2], d, "login", 3.0, 0.5);
        add(sources_[2], d, "search", 2.0, 0.3);
      }
    }
    // GitHub's connector is down for days 180-186 and catches up on day 187: the items carry their own
    // times, and arrive together.
    for (auto& r : batch_)
      if (r.source_id == sources_[1] && r.timestamp >= day(180) && r.timestamp < day(187)) r.received_at = day(187);
    flush();
  }

  store::FeedbackFilter year() const {
    store::FeedbackFilter f;
    f.workspace_id = ws_;
    f.from = day(0);
    f.to = day(365);
    return f;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  Id ws_ = 0;
  std::vector<Id> sources_;
  std::mt19937 rng_{2025};
  std::int64_t next_uid_ = 0, total_ = 0;
  std::vector<FeedbackRecord> batch_;
};

bool has_spike(const InsightReport& r, const std::string& theme, int first, int last_exclusive, std::string slice) {
  for (const auto& e : r.emerging)
    if (e.theme == theme && e.slice == slice && e.spike.start == day(first) && e.spike.end == day(last_exclusive))
      return true;
  return false;
}

std::string describe(const InsightReport& r) {
  std::string out;
  for (const auto& e : r.emerging)
    out += "\n  " + e.theme + " [" + e.slice + "] " + format_time(e.spike.start) + " .. " + format_time(e.spike.end) +
           " count " + std::to_string(e.spike.count) + " score " + std::to_string(e.spike.score);
  return out;
}

TEST_F(InsightReportTest, AYearOfFeedbackTellsWhatIsNewGrowingAndHowCustomersFeel) {
  generate_year();
  InsightOptions options;
  options.now = day(400);
  auto report = build_insights(*store_, year(), options);
  ASSERT_TRUE(report) << report.error().message;
  const auto& r = *report;

  // Exactly the three injected episodes: not the backfill, not the outage's catch-up, nothing quiet.
  EXPECT_TRUE(has_spike(r, "checkout crash", 100, 103, "all")) << describe(r);
  EXPECT_TRUE(has_spike(r, "dark mode", 300, 304, "all")) << describe(r);
  EXPECT_TRUE(has_spike(r, "billing", 220, 223, "negative")) << describe(r);
  EXPECT_TRUE(has_spike(r, "sync", 160, 162, "all")) << describe(r);
  EXPECT_EQ(r.emerging.size(), 4u) << describe(r);
  // The same with small samples, where the negative records of the sync jump are not all among the
  // records sampled for the volume spike: still one issue.
  InsightOptions small = options;
  small.candidates_per_theme = 3;
  auto sampled = build_insights(*store_, year(), small);
  ASSERT_TRUE(sampled);
  EXPECT_EQ(sampled->emerging.size(), 4u) << describe(*sampled);
  for (const auto& e : r.emerging) {
    EXPECT_GE(e.spike.score, 6.0);
    EXPECT_FALSE(e.quotes.empty()) << e.theme;
    for (const auto& q : e.quotes) {
      EXPECT_GE(q.timestamp, e.spike.start);
      EXPECT_LT(q.timestamp, e.spike.end);
      EXPECT_TRUE(q.url.has_value());
    }
  }
  for (const auto& e : r.emerging) {
    if (e.theme == "checkout crash") {
      EXPECT_EQ(e.sentiment_type, "negative");
      EXPECT_EQ(e.sources, (std::vector<Id>{sources_[0], sources_[1]}));
      EXPECT_GT(e.people, 20);
    }
    if (e.theme == "dark mode") {
      EXPECT_EQ(e.sentiment_type, "positive");
    }
    if (e.theme == "billing") {
      EXPECT_EQ(e.sentiment_type, "negative");
      EXPECT_LT(e.avg_compound, 0.0);
    }
  }

  // Totals and themes agree with what was generated; the previous year was empty.
  EXPECT_EQ(r.totals.count, total_);
  ASSERT_FALSE(r.top_themes.empty());
  EXPECT_EQ(r.top_themes.front().theme, "sync");
  for (const auto& t : r.top_themes) {
    EXPECT_EQ(t.previous_count, std::optional<std::int64_t>(0));
    EXPECT_LE(r.quotes.at(t.theme).size(), 3u);
  }
  ASSERT_TRUE(r.ratings.csat);
  EXPECT_FALSE(r.ratings.nps);
  EXPECT_EQ(r.ratings.csat->sources, std::vector<Id>{sources_[2]});

  // The checkout crash reported on the forum and on GitHub is one issue across both.
  bool linked = false;
  for (const auto& issue : r.issues)
    if (issue.theme == "checkout crash" && issue.sources.size() == 2 && issue.emerging) linked = true;
  std::string issues;
  for (const auto& issue : r.issues)
    issues += "\n  " + issue.theme + " sources " + std::to_string(issue.sources.size()) + " records " +
              std::to_string(issue.records) + " people " + std::to_string(issue.people) +
              (issue.emerging ? " emerging" : "");
  EXPECT_TRUE(linked) << issues;
}

// A workspace connected today imports a year of history from the forum and GitHub: what spiked last
// spring is reported for its period, as it would have been live; the app store's truncated backfill still
// is not a burst, and nothing is reported for "now".
TEST_F(InsightReportTest, ImportedHistoryIsJudgedInItemTime) {
  generate_year();
  connect(sources_[0], day(400));
  connect(sources_[1], day(400));
  InsightOptions options;
  options.now = day(400);
  auto report = build_insights(*store_, year(), options);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(has_spike(*report, "checkout crash", 100, 103, "all")) << describe(*report);
  EXPECT_TRUE(has_spike(*report, "dark mode", 300, 304, "all")) << describe(*report);
  EXPECT_TRUE(has_spike(*report, "billing", 220, 223, "negative")) << describe(*report);
  EXPECT_TRUE(has_spike(*report, "sync", 160, 162, "all")) << describe(*report);
  EXPECT_EQ(report->emerging.size(), 4u) << describe(*report);
  for (const auto& e : report->emerging) {
    if (e.theme != "checkout crash") continue;
    EXPECT_GE(e.spike.count, 60);  // the burst's items, not a share of them
  }

  // Nothing in the days just before the import: a backfill does not make "now" a spike.
  auto recent = year();
  recent.from = day(335);
  auto now = build_insights(*store_, recent, options);
  ASSERT_TRUE(now);
  EXPECT_TRUE(now->emerging.empty()) << describe(*now);
}

// A launch week triples all the feedback: every theme grows with it, and none of them is an issue of its own;
// a crash burst in the same week still is.
TEST_F(InsightReportTest, AWeekOfThreeTimesAllTheFeedbackIsNoThemesIssue) {
  for (int d = 0; d < 120; ++d) {
    const double launch = d >= 90 && d < 97 ? 3.0 : 1.0;
    add(sources_[0], d, "sync", 6.0 * launch, 0.3);
    add(sources_[0], d, "billing", 4.0 * launch, 0.3);
    add(sources_[0], d, "dark mode", 3.0 * launch, 0.1);
    add(sources_[0], d, "login", 8.0 * launch, 0.3);
    if (d >= 92 && d < 95) add(sources_[0], d, "checkout crash", 12.0, 0.95);
  }
  flush();
  auto range = year();
  range.to = day(120);
  InsightOptions options;
  options.now = day(120);
  auto report = build_insights(*store_, range, options);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(has_spike(*report, "checkout crash", 92, 95, "all")) << describe(*report);
  EXPECT_EQ(report->emerging.size(), 1u) << describe(*report);
}

// A range of a century finds what the data's own year holds: the empty days around it add nothing.
TEST_F(InsightReportTest, ACenturyRangeFindsWhatTheDataHolds) {
  generate_year();
  InsightOptions options;
  options.now = day(400);
  auto century = year();
  century.from = parse_time("2000-01-01T00:00:00Z").value();
  century.to = parse_time("2100-01-01T00:00:00Z").value();
  auto report = build_insights(*store_, century, options);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(has_spike(*report, "checkout crash", 100, 103, "all")) << describe(*report);
  EXPECT_TRUE(has_spike(*report, "dark mode", 300, 304, "all")) << describe(*report);
  EXPECT_EQ(report->emerging.size(), 4u) << describe(*report);
  EXPECT_EQ(report->totals.count, total_);
}

TEST_F(InsightReportTest, TheBackfillIsASpikeOnlyWhenASourceIsJudgedBeforeItWasConnected) {
  generate_year();
  connect(sources_[2], day(-400));  // as if the app store had been watched all along
  InsightOptions options;
  auto report = build_insights(*store_, year(), options);
  ASSERT_TRUE(report);
  bool backfill = false;
  for (const auto& e : report->emerging)
    if (e.theme == "login" && e.spike.start >= day(238) && e.spike.start < day(250)) backfill = true;
  EXPECT_TRUE(backfill) << describe(*report);
}

TEST_F(InsightReportTest, TheSameReportFromRollupsAndFromTheRecords) {
  generate_year();
  // Re-analysis turns some records negative before the comparison.
  store::FeedbackFilter all;
  all.workspace_id = ws_;
  all.theme = "search";
  auto page = store_->query_feedback(all, 300, std::nullopt);
  ASSERT_TRUE(page);
  for (auto& rec : page->items) {
    rec.sentiment_type = "negative";
    rec.sentiment_compound = -0.9;
  }
  store::PageCommit commit;
  commit.workspace_id = ws_;
  commit.source_id = sources_[0];
  commit.records = page->items;
  auto stored = store_->commit_page(commit);
  ASSERT_TRUE(stored);
  ASSERT_TRUE(store_->apply_rollups(*stored));

  InsightOptions options;
  for (auto f : {year(), [&] {
                   auto h = year();
                   h.from = day(90) + 5 * kHour + 123;  // edges inside hours
                   h.to = day(200) + 7 * kHour;
                   h.source_id = sources_[0];
                   return h;
                 }()}) {
    auto from_rollups = build_insights(*store_, f, options);
    ASSERT_TRUE(from_rollups);
    f.from_records = true;
    auto from_records = build_insights(*store_, f, options);
    ASSERT_TRUE(from_records);
    EXPECT_EQ(json::serialize(insights_to_json(*from_rollups)), json::serialize(insights_to_json(*from_records)));
    EXPECT_FALSE(from_rollups->emerging.empty());
  }
}

}  // namespace
}  // namespace chorus::insights
