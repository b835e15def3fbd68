// The PostgreSQL store's TimescaleDB layout, run for real on the suite's TimescaleDB stand-in
// (tests/support/timescale_standin.hpp): the shared store spec, plus what only this layout has:
// hypertables, the daily continuous aggregate, and reports read from it that equal a recount.
#include <map>
#include <random>

#include "store/postgres/postgres_store.hpp"
#include "support/timescale_standin.hpp"
#include "unit/store/store_spec.hpp"
#include "unit/store/taxonomy_spec.hpp"

namespace chorus::store {
namespace {

using chorus::testing::TimescaleStandIn;

// The stand-in serves one connection at a time, so every store on it has a pool of one.
PostgresOptions standin_options() {
  PostgresOptions o;
  o.timescale = PostgresOptions::Timescale::required;
  o.pool_size = 1;
  return o;
}

class TimescaleBackend final : public StoreBackend {
 public:
  explicit TimescaleBackend(TimescaleStandIn& server) : server_(server) { ok_ = server_.reset(); }
  Result<std::unique_ptr<Store>> open() override {
    if (!ok_) return make_error(ErrorCode::unavailable, "the stand-in database could not be emptied");
    return open_postgres_store(server_.url(), standin_options());
  }

 private:
  TimescaleStandIn& server_;
  bool ok_ = false;
};

std::unique_ptr<StoreBackend> timescale(std::string&) {
  auto* server = TimescaleStandIn::shared();
  if (!server) return nullptr;
  return std::make_unique<TimescaleBackend>(*server);
}

INSTANTIATE_TEST_SUITE_P(Timescale, StoreSpec, ::testing::Values(BackendFactory{"timescale", timescale}),
                         backend_name);

class TimescaleLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = TimescaleStandIn::shared();
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->reset());
    open();
    ASSERT_NE(store_, nullptr);
    customer_ = store_->create_customer("acme", "hash-acme")->id;
    ws_ = store_->create_workspace(customer_, "app")->id;
    for (const char* name : {"forum", "tracker"}) {
      Source src;
      src.workspace_id = ws_;
      src.type = "discourse";
      src.name = name;
      src.sealed_secrets = "sealed";
      sources_.push_back(store_->create_source(src)->id);
    }
  }

  void open() {
    auto s = open_postgres_store(server_->url(), standin_options());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s).value();
  }
  // The test's own SQL needs the one connection: the store lets go of it first.
  std::string scalar(const std::string& sql) {
    store_.reset();
    std::string out = server_->scalar(sql);
    open();
    return out;
  }
  bool exec(const std::string& sql) {
    store_.reset();
    bool ok = server_->exec(sql);
    open();
    return ok;
  }

  void commit(std::vector<FeedbackRecord> records) {
    PageCommit page;
    page.workspace_id = ws_;
    page.source_id = sources_[0];
    page.records = std::move(records);
    auto stored = store_->commit_page(page);
    ASSERT_TRUE(stored) << stored.error().message;
    auto applied = store_->apply_rollups(*stored);
    ASSERT_TRUE(applied) << applied.error().message;
  }

  // Random records over 40 days of March and April 2026, in two sources.
  std::vector<FeedbackRecord> random_records(int n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    const char* sentiments[] = {"positive", "negative", "neutral", "mixed"};
    const char* languages[] = {"en", "de", "fr"};
    std::vector<FeedbackRecord> out;
    for (int i = 0; i < n; ++i) {
      FeedbackRecord r;
      r.unique_identifier = 1000 + i;
      r.workspace_id = ws_;
      r.source_id = sources_[rng() % 2];
      r.customer_id = customer_;
      r.source_type = "discourse";
      r.external_id = std::to_string(r.unique_identifier);
      r.text = "text " + std::to_string(i);
      r.timestamp = kStart + static_cast<TimeMs>(rng() % (40ULL * 86400000ULL));
      r.received_at = r.timestamp;
      r.sentiment_type = sentiments[rng() % 4];
      r.sentiment_compound = static_cast<double>(static_cast<int>(rng() % 2001) - 1000) / 1000.0;
      r.category = "other";
      r.language_code = languages[rng() % 3];
      out.push_back(std::move(r));
    }
    return out;
  }

  // day start -> (count, sum of compound) of these records, per sentiment.
  using Recount = std::map<std::string, std::map<TimeMs, std::pair<std::int64_t, double>>>;
  static Recount recount(const std::vector<FeedbackRecord>& records) {
    Recount out;
    for (const auto& r : records) {
      auto& cell = out[r.sentiment_type][bucket_start(r.timestamp, Bucket::day)];
      cell.first += 1;
      cell.second += r.sentiment_compound;
    }
    return out;
  }
  void expect_equal(const std::vector<ReportSeries>& series, const Recount& want) {
    std::size_t seen = 0;
    for (const auto& s : series) {
      auto days = want.find(s.key);
      ASSERT_NE(days, want.end()) << "unexpected series " << s.key;
      ASSERT_EQ(s.points.size(), days->second.size()) << s.key;
      for (const auto& p : s.points) {
        auto cell = days->second.find(p.t);
        ASSERT_NE(cell, days->second.end()) << s.key << " has a point at " << p.t;
        EXPECT_EQ(p.count, cell->second.first) << s.key << " at " << p.t;
        EXPECT_NEAR(p.avg_compound, cell->second.second / static_cast<double>(cell->second.first), 1e-9);
      }
      ++seen;
    }
    EXPECT_EQ(seen, want.size());
  }
  FeedbackFilter days_filter() const {
    FeedbackFilter f;
    f.workspace_id = ws_;
    f.from = kStart;
    f.to = kStart + 45LL * 86400000;  // the records' 40 days, and the 3 some move by
    return f;
  }

  static inline const TimeMs kStart = *parse_time("2026-03-01T00:00:00Z");
  TimescaleStandIn* server_ = nullptr;
  std::unique_ptr<Store> store_;
  Id customer_ = 0, ws_ = 0;
  std::vector<Id> sources_;
};

TEST_F(TimescaleLayoutTest, RecordsAndRollupsAreHypertablesWithADailyContinuousAggregate) {
  EXPECT_EQ(store_->health().at("layout").as_string(), "timescale");
  EXPECT_EQ(scalar("SELECT string_agg(hypertable_name, ',' ORDER BY hypertable_name) FROM "
                   "timescaledb_information.hypertables WHERE hypertable_schema = 'postgres'"),
            "records,rollup,rollup_themes");
  EXPECT_EQ(scalar("SELECT view_name || ':' || materialized_only FROM timescaledb_information.continuous_aggregates"),
            "rollup_daily:false");
  EXPECT_EQ(scalar("SELECT value FROM store_settings WHERE name = 'layout'"), "timescale");
  // Records land in 30-day chunks of the records hypertable.
  commit({random_records(1, 1)[0]});
  EXPECT_EQ(scalar("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'records'"), "1");
}

TEST_F(TimescaleLayoutTest, DailyReportsReadTheContinuousAggregateAndEqualARecount) {
  auto records = random_records(600, 7);
  for (std::size_t i = 0; i < records.size(); i += 100)
    commit(std::vector<FeedbackRecord>(records.begin() + i, records.begin() + i + 100));
  // Some records change their minds and move in time: the aggregate follows.
  auto changed = std::vector<FeedbackRecord>(records.begin(), records.begin() + 50);
  for (auto& r : changed) {
    r.sentiment_type = "negative";
    r.timestamp += 3LL * 86400000;
  }
  commit(changed);
  std::copy(changed.begin(), changed.end(), records.begin());

  auto daily = store_->report(days_filter(), Bucket::day, GroupBy::sentiment);
  ASSERT_TRUE(daily) << daily.error().message;
  expect_equal(*daily, recount(records));
  auto from_records = days_filter();
  from_records.from_records = true;
  auto recounted = store_->report(from_records, Bucket::day, GroupBy::sentiment);
  ASSERT_TRUE(recounted) << recounted.error().message;
  expect_equal(*recounted, recount(records));
  auto totals = store_->totals(days_filter());
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->count, 600);

  // The materialized days hold every record: the aggregate answered, not the hourly rollup behind it.
  EXPECT_EQ(scalar("SELECT sum(count) FROM rollup_daily"), "600");
  const std::string materialized = scalar(
      "SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name) FROM "
      "timescaledb_information.continuous_aggregates WHERE view_name = 'rollup_daily'");
  EXPECT_EQ(scalar("SELECT sum(count) FROM " + materialized), "600");
  // Proof by tampering: a change made to the materialized days only shows in day reports.
  const TimeMs first_day = kStart;
  const std::string first_negative_rows =
      " WHERE day = " + std::to_string(first_day) + " AND sentiment = 'negative'";
  const std::int64_t rows = std::stoll(scalar("SELECT count(*) FROM " + materialized + first_negative_rows));
  ASSERT_GT(rows, 0);
  ASSERT_TRUE(exec("UPDATE " + materialized + " SET count = count + 1000" + first_negative_rows));
  auto tampered = store_->report(days_filter(), Bucket::day, GroupBy::sentiment);
  ASSERT_TRUE(tampered);
  std::int64_t first_negative = 0;
  for (const auto& s : *tampered)
    if (s.key == "negative")
      for (const auto& p : s.points)
        if (p.t == first_day) first_negative = p.count;
  EXPECT_EQ(first_negative, recount(records)["negative"][first_day].first + 1000 * rows);
  auto hourly = store_->report(days_filter(), Bucket::hour, GroupBy::none);
  ASSERT_TRUE(hourly);
  std::int64_t hourly_total = 0;
  for (const auto& s : *hourly)
    for (const auto& p : s.points) hourly_total += p.count;
  EXPECT_EQ(hourly_total, 600);
}

TEST_F(TimescaleLayoutTest, ReportsOverUnalignedRangesFallBackToTheHourlyRollup) {
  auto records = random_records(200, 11);
  commit(records);
  auto f = days_filter();
  f.from = kStart + 5LL * 3600000;  // not a day boundary: the daily aggregate cannot answer
  auto report = store_->report(f, Bucket::day, GroupBy::sentiment);
  ASSERT_TRUE(report) << report.error().message;
  std::vector<FeedbackRecord> within;
  for (const auto& r : records)
    if (r.timestamp >= *f.from) within.push_back(r);
  expect_equal(*report, recount(within));
}

}  // namespace
}  // namespace chorus::store
