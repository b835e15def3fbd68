// SQLite rollups against brute force: every filter combination, bucket and group over hourly and
// daily cubes and the records themselves, through re-analysis that changes sentiments, themes, times
// and ratings; rating counts; raw items; and the upgrade of a version 1 data dir.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include "core/sqlite.hpp"
#include "store/store.hpp"

namespace chorus::store {
namespace {

constexpr TimeMs kHour = 3600000;
constexpr TimeMs kDay = 24 * kHour;
const TimeMs kJan = *parse_time("2026-01-01T00:00:00Z");

std::int64_t units(double c) { return std::llround(c * 10000.0); }

class SqliteRollups : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("chorus-rollups-" + std::to_string(rd()));
    open();
    auto c = store_->create_customer("acme", "hash-acme");
    ASSERT_TRUE(c);
    customer_ = c->id;
    auto w = store_->create_workspace(customer_, "app");
    ASSERT_TRUE(w);
    ws_ = w->id;
    for (const char* type : {"discourse", "github", "appstore"}) {
      Source src;
      src.workspace_id = ws_;
      src.type = type;
      src.name = type;
      src.sealed_secrets = "sealed";
      auto made = store_->create_source(src);
      ASSERT_TRUE(made) << made.error().message;
      sources_.push_back(made->id);
    }
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void open() {
    store_.reset();
    auto s = open_sqlite_store(dir_);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
  }

  void commit(std::vector<FeedbackRecord> records) {
    std::map<Id, std::vector<FeedbackRecord>> by_source;
    for (auto& r : records) by_source[r.source_id].push_back(std::move(r));
    for (auto& [source, rs] : by_source) {
      PageCommit page;
      page.workspace_id = ws_;
      page.source_id = source;
      page.records = std::move(rs);
      auto stored = store_->commit_page(page);
      ASSERT_TRUE(stored) << stored.error().message;
      ASSERT_TRUE(store_->apply_rollups(*stored));
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  Id customer_ = 0, ws_ = 0;
  std::vector<Id> sources_;
};

// A deterministic mix: three sources, four sentiments, three categories, two languages, up to three
// themes, ratings on two sources (1-5 and 0-10), times spread over 70 days to the millisecond.
struct Generator {
  std::mt19937 rng{2026};
  const std::vector<std::string> sentiments{"positive", "negative", "neutral", "mixed"};
  const std::vector<std::string> categories{"bug", "praise", "question"};
  const std::vector<std::string> languages{"en", "de"};
  const std::vector<std::string> themes{"sync", "export", "login", "billing"};

  FeedbackRecord make(std::int64_t uid, Id ws, const std::vector<Id>& sources) {
    FeedbackRecord r;
    r.unique_identifier = uid;
    r.workspace_id = ws;
    r.source_id = sources[rng() % sources.size()];
    r.source_type = "test";
    r.external_id = std::to_string(uid);
    r.text = "text of " + std::to_string(uid);
    r.timestamp = kJan + static_cast<TimeMs>(rng() % (70 * kDay));
    r.received_at = r.timestamp;
    reanalyse(r, sources);
    return r;
  }
  void reanalyse(FeedbackRecord& r, const std::vector<Id>& sources) {
    r.sentiment_type = sentiments[rng() % sentiments.size()];
    r.sentiment_compound = (static_cast<int>(rng() % 20001) - 10000) / 10000.0 + 0.00003;  // off the grid
    r.category = categories[rng() % categories.size()];
    r.language_code = languages[rng() % languages.size()];
    r.themes.clear();
    for (const auto& t : themes)
      if (rng() % 3 == 0) r.themes.push_back(t);
    r.rating.reset();
    if (r.source_id == sources[1]) r.rating = static_cast<double>(1 + rng() % 5);
    if (r.source_id == sources[2]) r.rating = static_cast<double>(rng() % 11);
  }
};

bool matches(const FeedbackRecord& r, const FeedbackFilter& f) {
  if (f.from && r.timestamp < *f.from) return false;
  if (f.to && r.timestamp >= *f.to) return false;
  if (f.source_id && r.source_id != *f.source_id) return false;
  if (f.sentiment && r.sentiment_type != *f.sentiment) return false;
  if (f.category && r.category != *f.category) return false;
  if (f.language && r.language_code != *f.language) return false;
  if (f.theme && std::find(r.themes.begin(), r.themes.end(), *f.theme) == r.themes.end()) return false;
  return true;
}

std::vector<std::string> keys_of(const FeedbackRecord& r, GroupBy g) {
  switch (g) {
    case GroupBy::none:
      return {"all"};
    case GroupBy::source:
      return {std::to_string(r.source_id)};
    case GroupBy::sentiment:
      return {r.sentiment_type};
    case GroupBy::category:
      return {r.category};
    case GroupBy::language:
      return {r.language_code};
    case GroupBy::theme:
      return r.themes;
  }
  return {};
}

struct Cell {
  std::int64_t count = 0;
  std::int64_t units = 0;
  bool operator==(const Cell&) const = default;
};

using Series = std::map<std::pair<std::string, TimeMs>, Cell>;

Series brute_report(const std::vector<FeedbackRecord>& all, const FeedbackFilter& f, Bucket b, GroupBy g) {
  Series out;
  for (const auto& r : all) {
    if (!matches(r, f)) continue;
    // Grouped by theme under a theme filter, the one series is that theme's.
    auto keys = g == GroupBy::theme && f.theme ? std::vector<std::string>{*f.theme} : keys_of(r, g);
    for (const auto& k : keys) {
      auto& c = out[{k, bucket_start(r.timestamp, b)}];
      ++c.count;
      c.units += units(r.sentiment_compound);
    }
  }
  return out;
}

// The store's answer, with each average turned back into the exact sum it must have come from.
Series store_report(Store& store, const FeedbackFilter& f, Bucket b, GroupBy g, bool& averages_exact,
                    const Series& want) {
  Series out;
  auto series = store.report(f, b, g);
  EXPECT_TRUE(series) << series.error().message;
  if (!series) return out;
  for (const auto& s : *series)
    for (const auto& p : s.points) {
      Cell c{p.count, 0};
      auto it = want.find({s.key, p.t});
      if (it != want.end()) {
        c.units = it->second.units;
        double expect = static_cast<double>(it->second.units) / 10000.0 / static_cast<double>(it->second.count);
        if (p.avg_compound != expect) averages_exact = false;
      }
      out[{s.key, p.t}] = c;
    }
  return out;
}

TEST_F(SqliteRollups, EveryFilterBucketAndGroupMatchesABruteForceRecountThroughReanalysis) {
  Generator gen;
  std::vector<FeedbackRecord> all;
  for (int i = 0; i < 1500; ++i) all.push_back(gen.make(10000 + i, ws_, sources_));
  commit(all);
  // Re-analysis: a third of the records change sentiment, themes, category, language and rating;
  // some move in time; one batch is delivered twice.
  std::vector<FeedbackRecord> changed;
  for (std::size_t i = 0; i < all.size(); i += 3) {
    gen.reanalyse(all[i], sources_);
    if (i % 2 == 0) all[i].timestamp += static_cast<TimeMs>(gen.rng() % (5 * kDay)) - 2 * kDay;
    changed.push_back(all[i]);
  }
  commit(changed);
  {
    PageCommit page;
    page.workspace_id = ws_;
    page.source_id = sources_[0];
    FeedbackFilter none;
    none.workspace_id = ws_;
    auto again = store_->query_feedback(none, 50, std::nullopt);
    ASSERT_TRUE(again);
    ASSERT_TRUE(store_->apply_rollups(again->items));  // revisions already counted: nothing changes
  }

  const std::vector<std::pair<std::optional<TimeMs>, std::optional<TimeMs>>> ranges{
      {std::nullopt, std::nullopt},
      {kJan + 10 * kDay, kJan + 40 * kDay},                                           // whole days
      {kJan + 10 * kDay + 5 * kHour, kJan + 40 * kDay + 17 * kHour},                  // whole hours
      {kJan + 10 * kDay + 5 * kHour + 1234567, kJan + 40 * kDay + 17 * kHour + 999},  // mid-hour edges
      {kJan + 3 * kDay + 1, kJan + 3 * kDay + 2 * kHour},                             // inside one day, unaligned start
      {std::nullopt, kJan + 20 * kDay + 30 * 60000},
      {kJan, kJan + 59 * kDay},                                           // whole months (January, February)
      {kJan + 14 * kDay + 10 * kHour + 5, kJan + 61 * kDay + 3 * kHour},  // a whole month inside, days and hours around
  };
  int checked = 0;
  bool averages_exact = true;
  for (const auto& [from, to] : ranges) {
    for (int mask = 0; mask < 32; ++mask) {
      FeedbackFilter f;
      f.workspace_id = ws_;
      f.from = from;
      f.to = to;
      if (mask & 1) f.source_id = sources_[1];
      if (mask & 2) f.sentiment = "negative";
      if (mask & 4) f.category = "bug";
      if (mask & 8) f.language = "de";
      if (mask & 16) f.theme = "export";
      for (GroupBy g :
           {GroupBy::none, GroupBy::source, GroupBy::sentiment, GroupBy::category, GroupBy::language, GroupBy::theme}) {
        for (Bucket b : {Bucket::hour, Bucket::day, Bucket::week, Bucket::month}) {
          if (b == Bucket::hour && mask % 3 != 0) continue;  // hour buckets are slow to brute-force; a third suffice
          auto want = brute_report(all, f, b, g);
          auto got = store_report(*store_, f, b, g, averages_exact, want);
          ASSERT_EQ(got, want) << "mask " << mask << " group " << static_cast<int>(g) << " bucket "
                               << static_cast<int>(b) << " range " << (from ? format_time(*from) : "-") << " .. "
                               << (to ? format_time(*to) : "-");
          auto raw = f;
          raw.from_records = true;
          auto from_records = store_report(*store_, raw, b, g, averages_exact, want);
          ASSERT_EQ(from_records, want) << "from records, mask " << mask;
          ++checked;
        }
      }
      auto totals = store_->totals(f);
      ASSERT_TRUE(totals);
      auto whole = brute_report(all, f, Bucket::month, GroupBy::sentiment);
      std::int64_t n = 0, u = 0;
      std::map<std::string, std::int64_t> by;
      for (const auto& [k, c] : whole) {
        n += c.count;
        u += c.units;
        by[k.first] += c.count;
      }
      EXPECT_EQ(totals->count, n) << "mask " << mask;
      for (const auto& [s, c] : by) EXPECT_EQ(totals->by_sentiment[s], c) << s << " mask " << mask;
      EXPECT_EQ(totals->avg_compound, n ? static_cast<double>(u) / 10000.0 / static_cast<double>(n) : 0.0);
      auto top = store_->top_themes(f, 10);
      ASSERT_TRUE(top);
      auto themes = brute_report(all, f, Bucket::month, GroupBy::theme);
      std::map<std::string, std::int64_t> per_theme;
      for (const auto& [k, c] : themes) per_theme[k.first] += c.count;
      ASSERT_EQ(top->size(), per_theme.size());
      for (const auto& t : *top) EXPECT_EQ(t.count, per_theme[t.theme]) << t.theme << " mask " << mask;
    }
  }
  EXPECT_TRUE(averages_exact) << "an average differs from the exact sum of ten-thousandths";
  EXPECT_GT(checked, 1000);
}

TEST_F(SqliteRollups, RatingCountsMatchABruteForceRecount) {
  Generator gen;
  std::vector<FeedbackRecord> all;
  for (int i = 0; i < 600; ++i) all.push_back(gen.make(i + 1, ws_, sources_));
  commit(all);
  std::vector<FeedbackRecord> changed;
  for (std::size_t i = 0; i < all.size(); i += 4) {
    gen.reanalyse(all[i], sources_);
    changed.push_back(all[i]);
  }
  commit(changed);
  for (int mask = 0; mask < 16; ++mask) {
    FeedbackFilter f;
    f.workspace_id = ws_;
    if (mask & 1) f.from = kJan + 7 * kDay;
    if (mask & 2) f.to = kJan + 50 * kDay + 3 * kHour + 17;
    if (mask & 4) f.sentiment = "positive";
    if (mask & 8) f.theme = "sync";
    std::map<std::pair<Id, double>, std::int64_t> want;
    for (const auto& r : all)
      if (r.rating && matches(r, f)) ++want[{r.source_id, *r.rating}];
    for (bool from_records : {false, true}) {
      f.from_records = from_records;
      auto got = store_->rating_counts(f);
      ASSERT_TRUE(got) << got.error().message;
      std::map<std::pair<Id, double>, std::int64_t> have;
      for (const auto& c : *got) have[{c.source_id, c.rating}] = c.count;
      EXPECT_EQ(have, want) << "mask " << mask << " from records " << from_records;
      // The generic implementation other backends inherit gives the same answer.
      auto generic = store_->Store::rating_counts(f);
      ASSERT_TRUE(generic);
      EXPECT_EQ(generic->size(), got->size());
    }
  }
}

TEST_F(SqliteRollups, RawItemIsKeptAndSurvivesAReanalysisWithoutIt) {
  FeedbackRecord r;
  r.unique_identifier = 42;
  r.workspace_id = ws_;
  r.source_id = sources_[0];
  r.external_id = "42";
  r.text = "hello";
  r.timestamp = kJan;
  r.raw_item = R"({"id":42,"body":"<p>hello</p>","extra":{"x":[1,2]}})";
  commit({r});
  auto got = store_->get_record(ws_, 42);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->raw_item, r.raw_item);
  r.raw_item.clear();
  r.sentiment_type = "positive";
  commit({r});
  got = store_->get_record(ws_, 42);
  EXPECT_EQ(got->raw_item, R"({"id":42,"body":"<p>hello</p>","extra":{"x":[1,2]}})");
  EXPECT_EQ(got->sentiment_type, "positive");
  EXPECT_EQ(got->revision, 2);
  // The raw item is not part of the record's public shape.
  EXPECT_EQ(record_to_json(*got).if_contains("raw_item"), nullptr);
}

TEST_F(SqliteRollups, DayBucketsAreUtcDaysEvenForTimesNearMidnight) {
  std::vector<FeedbackRecord> rs;
  const TimeMs midnight = kJan + 5 * kDay;
  for (TimeMs t : {midnight - 1, midnight, midnight + kDay - 1, midnight + kDay}) {
    FeedbackRecord r;
    r.unique_identifier = t;
    r.workspace_id = ws_;
    r.source_id = sources_[0];
    r.external_id = std::to_string(t);
    r.timestamp = t;
    r.themes = {"sync"};
    rs.push_back(r);
  }
  commit(rs);
  FeedbackFilter f;
  f.workspace_id = ws_;
  // 2026-01-06T00:00:00+01:00 is 2026-01-05T23:00:00Z: the range starts an hour before midnight UTC.
  f.from = *parse_time("2026-01-06T00:00:00+01:00");
  f.to = *parse_time("2026-01-07T00:00:00Z");
  auto series = store_->report(f, Bucket::day, GroupBy::theme);
  ASSERT_TRUE(series);
  ASSERT_EQ(series->size(), 1u);
  ASSERT_EQ(series->front().points.size(), 2u);
  EXPECT_EQ(format_time(series->front().points[0].t), "2026-01-05T00:00:00Z");
  EXPECT_EQ(series->front().points[0].count, 1);  // 23:59:59.999 on the 5th
  EXPECT_EQ(format_time(series->front().points[1].t), "2026-01-06T00:00:00Z");
  EXPECT_EQ(series->front().points[1].count, 2);  // 00:00 and 23:59:59.999 on the 6th
}

// A data dir written by the first schema opens, gains the new columns and cubes, and its rollups are
// refolded from what had been applied.
TEST_F(SqliteRollups, AVersionOneDataDirIsUpgraded) {
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  std::filesystem::create_directories(dir_);
  {
    sqlite::OpenOptions options;
    auto db = sqlite::Database::open(dir_ / "chorus.db", options);
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(db->exec(R"sql(
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE api_keys(key_hash TEXT PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
  created_at INTEGER NOT NULL);
CREATE TABLE workspaces(id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, name TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE records(
  workspace_id INTEGER NOT NULL, uid INTEGER NOT NULL, source_id INTEGER NOT NULL, ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL, sentiment TEXT NOT NULL, compound REAL NOT NULL, category TEXT NOT NULL,
  language TEXT NOT NULL, simhash INTEGER NOT NULL, revision INTEGER NOT NULL, search_text TEXT NOT NULL,
  body TEXT NOT NULL, PRIMARY KEY(workspace_id, uid));
CREATE TABLE record_themes(workspace_id INTEGER NOT NULL, uid INTEGER NOT NULL, theme TEXT NOT NULL,
  PRIMARY KEY(workspace_id, uid, theme));
CREATE INDEX record_themes_by_theme ON record_themes(workspace_id, theme);
CREATE TABLE rollup(
  workspace_id INTEGER NOT NULL, hour INTEGER NOT NULL, source_id INTEGER NOT NULL, sentiment TEXT NOT NULL,
  category TEXT NOT NULL, language TEXT NOT NULL, count INTEGER NOT NULL, sum_compound REAL NOT NULL,
  PRIMARY KEY(workspace_id, hour, source_id, sentiment, category, language));
CREATE TABLE rollup_themes(
  workspace_id INTEGER NOT NULL, theme TEXT NOT NULL, hour INTEGER NOT NULL, source_id INTEGER NOT NULL,
  sentiment TEXT NOT NULL, category TEXT NOT NULL, language TEXT NOT NULL, count INTEGER NOT NULL,
  sum_compound REAL NOT NULL, PRIMARY KEY(workspace_id, theme, hour, source_id, sentiment, category, language));
CREATE TABLE rollup_applied(
  workspace_id INTEGER NOT NULL, uid INTEGER NOT NULL, revision INTEGER NOT NULL, hour INTEGER NOT NULL,
  source_id INTEGER NOT NULL, sentiment TEXT NOT NULL, category TEXT NOT NULL, language TEXT NOT NULL,
  compound REAL NOT NULL, themes TEXT NOT NULL, PRIMARY KEY(workspace_id, uid));
CREATE TABLE record_bands(workspace_id INTEGER NOT NULL, band INTEGER NOT NULL, value INTEGER NOT NULL,
  uid INTEGER NOT NULL, PRIMARY KEY(workspace_id, band, value, uid));
CREATE TABLE schema_version(version INTEGER NOT NULL);
INSERT INTO schema_version VALUES(1);
INSERT INTO customers VALUES(1, 'acme', 0);
INSERT INTO api_keys VALUES('hash-acme', 1, 500);
INSERT INTO workspaces VALUES(1, 1, 'app', 0);
INSERT INTO records VALUES(1, 7, 3, 1767225600000, 0, 'negative', -0.25, 'bug', 'en', 281483566841860, 1, 'slow sync',
  '{"unique_identifier":"7","workspace_id":"1","source_id":"3","review_attributes":{"rating":2},"conversation_attributes":{"text":"slow sync","sentiment_type":"negative","sentiment_compound":-0.25,"category":"bug","themes":["sync"]},"context_info":{"timestamp":"2026-01-01T00:00:00Z"}}');
INSERT INTO record_themes VALUES(1, 7, 'sync');
INSERT INTO record_bands VALUES(1, 0, 4, 7), (1, 1, 3, 7), (1, 2, 2, 7), (1, 3, 1, 7);
INSERT INTO rollup VALUES(1, 1767225600000, 3, 'negative', 'bug', 'en', 1, -0.25);
INSERT INTO rollup_themes VALUES(1, 'sync', 1767225600000, 3, 'negative', 'bug', 'en', 1, -0.25);
INSERT INTO rollup_applied VALUES(1, 7, 1, 1767225600000, 3, 'negative', 'bug', 'en', -0.25, 'sync');
)sql"));
  }
  open();
  FeedbackFilter f;
  f.workspace_id = 1;
  auto totals = store_->totals(f);
  ASSERT_TRUE(totals) << totals.error().message;
  EXPECT_EQ(totals->count, 1);
  EXPECT_EQ(totals->avg_compound, -0.25);
  f.theme = "sync";
  f.from = kJan;
  f.to = kJan + kDay;
  auto page = store_->query_feedback(f, 10, std::nullopt);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->items.size(), 1u);  // found through the theme index, which now carries times
  f.theme.reset();
  auto ratings = store_->rating_counts(f);
  ASSERT_TRUE(ratings);
  ASSERT_EQ(ratings->size(), 1u);
  EXPECT_EQ(ratings->front().rating, 2.0);
  auto series = store_->report(f, Bucket::day, GroupBy::theme);
  ASSERT_TRUE(series);
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ(series->front().points.at(0).count, 1);
  // The record is found by its fingerprint (0x0001000200030004) and time from the records themselves: a later record
  // one bit away finds it, an earlier one does not.
  auto dup = store_->find_near_duplicate(1, 0x0001000200030005ULL, 3, 8, kJan + kDay);
  ASSERT_TRUE(dup) << dup.error().message;
  EXPECT_EQ(*dup, std::optional<std::int64_t>(7));
  EXPECT_FALSE(store_->find_near_duplicate(1, 0x0001000200030005ULL, 3, 8, kJan - kDay)->has_value());
  // The customer's key of before is an admin key over all its workspaces.
  auto key = store_->find_api_key("hash-acme", now_ms());
  ASSERT_TRUE(key && key->has_value());
  EXPECT_EQ((*key)->customer_id, 1);
  EXPECT_EQ((*key)->role, "admin");
  EXPECT_FALSE((*key)->workspaces.has_value());
  EXPECT_EQ((*key)->created_at, 500);
  // The upgrade adds workspace taxonomies.
  EXPECT_EQ(store_->get_taxonomy(1)->version, 0);
  EXPECT_EQ(*store_->put_taxonomy(1, 0, "{}"), 1);
  // Opening again changes nothing.
  open();
  EXPECT_EQ(store_->totals(f)->count, 1);
  EXPECT_EQ(store_->get_taxonomy(1)->version, 1);
  EXPECT_EQ(store_->list_api_keys(1)->size(), 1u);
  EXPECT_EQ(*store_->find_near_duplicate(1, 0x0001000200030005ULL, 3, 8, kJan + kDay), std::optional<std::int64_t>(7));
}

// A data dir of version 11 gains the retired ids with their triggers and the fingerprint in records_by_time
// (what the near-duplicate index is read from), and loses the tables of near-duplicate key rows that versions 6
// to 14 kept, and the fingerprint index of versions 12 to 14.
TEST_F(SqliteRollups, AnOlderDataDirGainsTheRetiredIdsAndTheFingerprintByTimeAndLosesTheKeyTables) {
  store_.reset();
  auto db_path = dir_ / "chorus.db";
  {
    auto db = sqlite::Database::open(db_path, sqlite::OpenOptions{.what = "", .wal = false});
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(
        db->exec("DROP INDEX records_by_time; CREATE INDEX records_by_time ON records(workspace_id, ts, uid); CREATE "
                 "INDEX records_by_fingerprint ON records(workspace_id, simhash, ts, uid); CREATE TABLE "
                 "near_duplicate_keys(workspace_id, band, value, ts, uid, simhash); CREATE TABLE "
                 "near_duplicate_keys_recent(workspace_id); DROP TRIGGER "
                 "workspaces_retire_ids; DROP TRIGGER sources_retire_ids; DROP TABLE retired_ids; UPDATE "
                 "schema_version SET version = 11"));
  }
  open();
  auto db = sqlite::Database::open(db_path, sqlite::OpenOptions{.what = "", .wal = false});
  ASSERT_TRUE(db) << db.error().message;
  auto q = db->prepare(
      "SELECT (SELECT count(*) FROM pragma_index_info('records_by_time') WHERE name = 'simhash'), "
      "(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'near_duplicate_keys%'), "
      "(SELECT max(version) FROM schema_version), "
      "(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'retired_ids'), "
      "(SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_retire_ids'), "
      "(SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'records_by_fingerprint')");
  ASSERT_TRUE(q) << q.error().message;
  ASSERT_TRUE(q->step());
  EXPECT_EQ(q->int64(0), 1);
  EXPECT_EQ(q->int64(1), 0);
  EXPECT_EQ(q->int64(2), 15);
  EXPECT_EQ(q->int64(3), 1);
  EXPECT_EQ(q->int64(4), 7);
  EXPECT_EQ(q->int64(5), 0);
}

}  // namespace
}  // namespace chorus::store
