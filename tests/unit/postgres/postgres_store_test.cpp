// The PostgreSQL store held to the shared store spec on the monthly-partition layout (the TimescaleDB
// layout has its own binary, tests/unit/timescale/), plus what only a server shows: migrations,
// partitions, concurrent writers from several processes' worth of connections, invalid text, and a
// server restart.
#include <atomic>
#include <thread>

#include "core/near_duplicate_keys.hpp"
#include "store/postgres/postgres_store.hpp"
#include "support/postgres_server.hpp"
#include "unit/store/alert_spec.hpp"
#include "unit/store/governance_spec.hpp"
#include "unit/store/store_spec.hpp"
#include "unit/store/taxonomy_spec.hpp"

namespace chorus::store {
namespace {

constexpr const char* kLatestMigration = "12";  // the last of kMigrations in src/store/postgres/pg_schema.cpp

using chorus::testing::PostgresServer;

std::string fresh_database(const std::string& what) {
  static int counter = 0;
  return what + "_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
}

class PostgresBackend final : public StoreBackend {
 public:
  PostgresBackend(PostgresServer& server, PostgresOptions options)
      : server_(server), name_(fresh_database("spec")), url_(server.create_database(name_)), options_(options) {}
  ~PostgresBackend() override { server_.exec(server_.url("postgres"), "DROP DATABASE " + name_ + " WITH (FORCE)"); }
  Result<std::unique_ptr<Store>> open() override { return open_postgres_store(url_, options_); }
  std::vector<std::string> rows_of_workspace(Id ws) override {
    auto conn = pg::Connection::open(url_);
    if (!conn) return {"cannot connect: " + conn.error().message};
    auto columns = (*conn)->exec(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name IN ('workspace', 'workspace_id') UNION ALL SELECT 'workspaces', 'id' ORDER BY 1");
    if (!columns) return {columns.error().message};
    std::vector<std::string> out;
    if (columns->size() < 10) out.push_back("only " + std::to_string(columns->size()) + " tables found to walk");
    for (int i = 0; i < columns->size(); ++i) {
      std::string table = columns->text(i, 0), column = columns->text(i, 1);
      auto n = (*conn)->exec("SELECT count(*) FROM \"" + table + "\" WHERE \"" + column + "\" = $1",
                             pg::Params().add(ws));
      if (!n) return {n.error().message};
      if (n->int64(0, 0) > 0) out.push_back(table + "." + column + ": " + std::to_string(n->int64(0, 0)));
    }
    return out;
  }

 private:
  PostgresServer& server_;
  std::string name_, url_;
  PostgresOptions options_;
};

std::unique_ptr<StoreBackend> partitioned(std::string&) {
  auto* server = PostgresServer::shared();
  if (!server) return nullptr;
  PostgresOptions o;
  o.timescale = PostgresOptions::Timescale::off;
  return std::make_unique<PostgresBackend>(*server, o);
}

// The TimescaleDB layout runs on the suite's TimescaleDB stand-in, in tests/unit/timescale/.
INSTANTIATE_TEST_SUITE_P(Postgres, StoreSpec, ::testing::Values(BackendFactory{"partitioned", partitioned}),
                         backend_name);

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = PostgresServer::shared();
    ASSERT_NE(server_, nullptr);
    name_ = fresh_database("pg");
    url_ = server_->create_database(name_);
  }
  void TearDown() override {
    if (server_) {
      server_->start();  // in case a test left it stopped
      server_->exec(server_->url("postgres"), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
  }

  std::unique_ptr<Store> open(PostgresOptions options = {}) {
    auto s = open_postgres_store(url_, options);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(s).value() : nullptr;
  }

  // A customer, workspace and source to hang records on.
  struct Tenant {
    Id customer = 0, workspace = 0, source = 0;
  };
  static Tenant make_tenant(Store& store) {
    Tenant t;
    t.customer = store.create_customer("acme", "hash-" + std::to_string(now_ms()))->id;
    t.workspace = store.create_workspace(t.customer, "app")->id;
    Source src;
    src.workspace_id = t.workspace;
    src.type = "discourse";
    src.name = "forum";
    src.sealed_secrets = "sealed";
    t.source = store.create_source(src)->id;
    return t;
  }
  static FeedbackRecord record(const Tenant& t, std::int64_t uid, TimeMs ts, std::string text = "hello") {
    FeedbackRecord r;
    r.unique_identifier = uid;
    r.workspace_id = t.workspace;
    r.source_id = t.source;
    r.customer_id = t.customer;
    r.source_type = "discourse";
    r.external_id = std::to_string(uid);
    r.text = std::move(text);
    r.timestamp = ts;
    r.received_at = ts;
    r.sentiment_type = "neutral";
    r.category = "other";
    r.language_code = "en";
    r.themes = {"sync"};
    return r;
  }
  static PageCommit page(const Tenant& t, std::vector<FeedbackRecord> records) {
    PageCommit p;
    p.workspace_id = t.workspace;
    p.source_id = t.source;
    p.records = std::move(records);
    return p;
  }
  std::string scalar(const std::string& sql) { return server_->scalar(url_, sql); }

  PostgresServer* server_ = nullptr;
  std::string name_, url_;
};

TEST_F(PostgresStoreTest, MigrationsAreVersionedAndAppliedOnce) {
  PostgresOptions off;
  off.timescale = PostgresOptions::Timescale::off;
  auto first = open(off);
  ASSERT_NE(first, nullptr);
  auto tenant = make_tenant(*first);
  first.reset();
  auto second = open(off);  // opening again changes nothing and loses nothing
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(scalar("SELECT count(*) FROM schema_version"), kLatestMigration);
  EXPECT_EQ(scalar("SELECT max(version) FROM schema_version"), kLatestMigration);
  EXPECT_EQ(scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'workspace_taxonomies'"), "1");
  EXPECT_EQ(scalar("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'alert_%'"), "3");
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'record_bands_by_record'"), "1");
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'record_bands'"), "2");  // by record, by time
  EXPECT_EQ(scalar("SELECT value FROM store_settings WHERE name = 'layout'"), "partitioned");
  EXPECT_TRUE(second->get_workspace(tenant.customer, tenant.workspace));
  EXPECT_EQ(second->health().at("layout").as_string(), "partitioned");

  // A database from a newer Chorus is refused rather than misread.
  ASSERT_TRUE(server_->exec(url_, "INSERT INTO schema_version VALUES (99, 'from the future', 0)"));
  auto newer = open_postgres_store(url_, off);
  ASSERT_FALSE(newer);
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos) << newer.error().message;
}

// Migration 3 makes the band rows of records stored before it anew: their keys, fingerprint and time.
TEST_F(PostgresStoreTest, MigrationThreeFillsExistingBands) {
  PostgresOptions off;
  off.timescale = PostgresOptions::Timescale::off;
  auto store = open(off);
  ASSERT_NE(store, nullptr);
  auto t = make_tenant(*store);
  const TimeMs jan = *parse_time("2026-01-05T00:00:00Z");
  auto a = record(t, 1, jan);
  a.simhash = 0x0123456789ABCDEFULL;
  ASSERT_TRUE(store->commit_page(page(t, {a})));
  store.reset();
  // Back to the version 2 layout: four 16-bit bands per record, without fingerprint or time.
  ASSERT_TRUE(server_->exec(url_, "DROP INDEX record_bands_by_record; ALTER TABLE record_bands DROP COLUMN simhash, "
                                  "DROP COLUMN ts; DELETE FROM record_bands; INSERT INTO record_bands VALUES (" +
                                  std::to_string(t.workspace) + ", 0, 1, 1); DROP TABLE workspace_taxonomies; "
                                  "DROP TABLE alert_rules, alert_deliveries, alert_live_items, leases; "
                                  "DELETE FROM schema_version WHERE version >= 3"));
  store = open(off);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(scalar("SELECT max(version) FROM schema_version"), kLatestMigration);
  EXPECT_EQ(scalar("SELECT count(*) FROM record_bands WHERE simhash = " +
                   std::to_string(static_cast<std::int64_t>(a.simhash)) + " AND ts = " + std::to_string(jan)),
            std::to_string(kNearDuplicateKeys));
  auto dup = store->find_near_duplicate(t.workspace, a.simhash ^ 0x1, 3, 2, jan + 86400000);
  ASSERT_TRUE(dup) << dup.error().message;
  EXPECT_EQ(*dup, std::optional<std::int64_t>(1));
}

TEST_F(PostgresStoreTest, ProcessesStartingTogetherMigrateOnce) {
  constexpr int kStarters = 6;
  std::atomic<int> failures{0};
  std::vector<std::thread> starters;
  for (int i = 0; i < kStarters; ++i)
    starters.emplace_back([&] {
      auto s = open_postgres_store(url_);
      if (!s) {
        ADD_FAILURE() << s.error().message;
        ++failures;
      }
    });
  for (auto& t : starters) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM schema_version"), kLatestMigration);
}

// Migration 6: a customer key of an earlier version becomes an admin key over all the customer's workspaces.
TEST_F(PostgresStoreTest, MigrationSixMakesEarlierKeysAdminKeysOverAllWorkspaces) {
  PostgresOptions off;
  off.timescale = PostgresOptions::Timescale::off;
  auto store = open(off);
  ASSERT_NE(store, nullptr);
  auto t = make_tenant(*store);
  store.reset();
  ASSERT_TRUE(server_->exec(url_, "DROP TABLE api_keys; CREATE TABLE api_keys(key_hash TEXT PRIMARY KEY, "
                                  "customer_id BIGINT NOT NULL REFERENCES customers(id), created_at BIGINT NOT NULL); "
                                  "INSERT INTO api_keys VALUES ('hash-before', " + std::to_string(t.customer) +
                                  ", 1000); DELETE FROM schema_version WHERE version >= 6"));
  store = open(off);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(scalar("SELECT max(version) FROM schema_version"), kLatestMigration);
  auto key = store->find_api_key("hash-before", now_ms());
  ASSERT_TRUE(key && key->has_value());
  EXPECT_EQ((*key)->customer_id, t.customer);
  EXPECT_EQ((*key)->role, "admin");
  EXPECT_FALSE((*key)->workspaces.has_value());
  EXPECT_EQ((*key)->created_at, 1000);
  EXPECT_GT((*key)->id, 0);
  ApiKey next;
  next.customer_id = t.customer;
  next.name = "after";
  next.role = "viewer";
  next.key_hash = "hash-after";
  auto made = store->create_api_key(next);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_GT(made->id, (*key)->id);
}

// Migration 8: sources of earlier versions are not paused, and the audit log starts empty.
TEST_F(PostgresStoreTest, MigrationEightAddsPausingAndTheAuditLog) {
  PostgresOptions off;
  off.timescale = PostgresOptions::Timescale::off;
  auto store = open(off);
  ASSERT_NE(store, nullptr);
  auto t = make_tenant(*store);
  store.reset();
  ASSERT_TRUE(server_->exec(url_,
                            "ALTER TABLE sources DROP COLUMN paused; DROP TABLE audit_log; "
                            "DELETE FROM schema_version WHERE version >= 8"));
  store = open(off);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(scalar("SELECT max(version) FROM schema_version"), kLatestMigration);
  auto src = store->get_source(t.workspace, t.source);
  ASSERT_TRUE(src) << src.error().message;
  EXPECT_FALSE(src->paused);
  EXPECT_EQ(store->list_scheduled_sources()->size(), 0u);
  AuditQuery q;
  q.customer_id = t.customer;
  EXPECT_TRUE(store->list_audit_entries(q)->empty());
}

TEST_F(PostgresStoreTest, RecordsLandInMonthlyPartitions) {
  PostgresOptions off;
  off.timescale = PostgresOptions::Timescale::off;
  auto store = open(off);
  ASSERT_NE(store, nullptr);
  auto t = make_tenant(*store);
  const TimeMs jan = *parse_time("2026-01-31T23:59:59Z"), mar = *parse_time("2026-03-01T00:00:00Z");
  const TimeMs old = *parse_time("1999-12-31T12:00:00Z");
  ASSERT_TRUE(store->commit_page(page(t, {record(t, 1, jan), record(t, 2, mar), record(t, 3, mar), record(t, 4, old)})));
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'records'::regclass"), "3");
  EXPECT_EQ(scalar("SELECT count(*) FROM records_2026_01"), "1");
  EXPECT_EQ(scalar("SELECT count(*) FROM records_2026_03"), "2");
  EXPECT_EQ(scalar("SELECT count(*) FROM records_1999_12"), "1");
  // Moving a record to another month leaves no copy behind.
  ASSERT_TRUE(store->commit_page(page(t, {record(t, 2, jan)})));
  EXPECT_EQ(scalar("SELECT count(*) FROM records_2026_03"), "1");
  EXPECT_EQ(scalar("SELECT count(*) FROM records"), "4");
  // A second process knows nothing of the partitions this one made, and copes.
  auto other = open(off);
  ASSERT_TRUE(other->commit_page(page(t, {record(t, 5, jan), record(t, 6, mar + 40LL * 86400000)})));
  EXPECT_EQ(scalar("SELECT count(*) FROM records"), "6");
}

TEST_F(PostgresStoreTest, TextPostgresWouldRefuseIsStoredCleaned) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto t = make_tenant(*store);
  static constexpr char kText[] = "nul\0byte and \xff\xfe bad";
  auto r = record(t, 9, *parse_time("2026-03-02T00:00:00Z"), std::string(kText, sizeof kText - 1));
  r.themes = {std::string("th\0eme", 6), "quote\"and\\slash", "sync"};
  auto stored = store->commit_page(page(t, {r}));
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_TRUE(store->apply_rollups(*stored));
  auto got = store->get_record(t.workspace, 9);
  ASSERT_TRUE(got) << got.error().message;
  // The record's JSON escapes the NUL, so it comes back as it went in; the invalid bytes do not.
  EXPECT_EQ(got->text.substr(0, 8), std::string("nul\0byte", 8));
  EXPECT_NE(got->text.find("byte and \xEF\xBF\xBD"), std::string::npos);
  EXPECT_TRUE(store->add_dead_letter(t.workspace, t.source, std::string("\xc3\x28\0", 3), "bad bytes"));
  FeedbackFilter f;
  f.workspace_id = t.workspace;
  f.theme = "quote\"and\\slash";
  EXPECT_EQ(store->totals(f)->count, 1);
  f.theme.reset();
  f.q = "BYTE AND";  // the search text is cleaned, and still found
  EXPECT_EQ(store->totals(f)->count, 1);
}

// Two parsers upserting the same items and two reports processes folding the same revisions, at once:
// no lost revision, no double count.
TEST_F(PostgresStoreTest, ConcurrentWritersNeitherLoseNorDoubleCount) {
  auto a = open();
  auto b = open();
  ASSERT_TRUE(a && b);
  auto t = make_tenant(*a);
  const TimeMs ts = *parse_time("2026-03-05T10:00:00Z");
  constexpr int kRounds = 15, kItems = 20;
  std::vector<FeedbackRecord> items;
  for (int i = 0; i < kItems; ++i) items.push_back(record(t, 100 + i, ts + i * 60000));
  std::atomic<int> failures{0};
  auto writer = [&](Store& store, bool reversed) {
    for (int round = 0; round < kRounds; ++round) {
      auto batch = items;
      if (reversed) std::reverse(batch.begin(), batch.end());  // lock order must not matter
      auto stored = store.commit_page(page(t, batch));
      if (!stored) {
        ADD_FAILURE() << stored.error().message;
        ++failures;
        continue;
      }
      if (auto s = store.apply_rollups(*stored); !s) {
        ADD_FAILURE() << s.error().message;
        ++failures;
      }
    }
  };
  std::thread ta(writer, std::ref(*a), false), tb(writer, std::ref(*b), true);
  ta.join();
  tb.join();
  ASSERT_EQ(failures.load(), 0);
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(a->get_record(t.workspace, 100 + i)->revision, 2 * kRounds);
  EXPECT_EQ(a->get_source(t.workspace, t.source)->status.items_total, kItems);
  FeedbackFilter f;
  f.workspace_id = t.workspace;
  EXPECT_EQ(a->totals(f)->count, kItems);
  auto themes = a->top_themes(f, 5);
  ASSERT_EQ(themes->size(), 1u);
  EXPECT_EQ(themes->front().count, kItems);
  EXPECT_EQ(scalar("SELECT sum(count) FROM rollup"), std::to_string(kItems));
}

TEST_F(PostgresStoreTest, ARestartedServerIsUnavailableThenReconnected) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto t = make_tenant(*store);
  const TimeMs ts = *parse_time("2026-03-05T10:00:00Z");
  ASSERT_TRUE(store->commit_page(page(t, {record(t, 1, ts)})));

  ASSERT_TRUE(server_->stop());
  auto during = store->commit_page(page(t, {record(t, 2, ts)}));
  ASSERT_FALSE(during);
  EXPECT_EQ(during.error().code, ErrorCode::unavailable) << during.error().message;
  auto read = store->get_record(t.workspace, 1);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::unavailable);
  EXPECT_FALSE(store->health().at("ok").as_bool());

  ASSERT_TRUE(server_->start());
  // Every pooled connection died with the server; the store replaces them without being reopened.
  auto after = store->commit_page(page(t, {record(t, 2, ts)}));
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(store->get_record(t.workspace, 1));
  EXPECT_TRUE(store->health().at("ok").as_bool());
  EXPECT_EQ(store->get_source(t.workspace, t.source)->status.items_total, 2);
}

// The store's sessions never JIT-compile: a batch's near-duplicate lookup has a plan that PostgreSQL's default
// thresholds would compile with LLVM, which cost seconds a batch. The server's own default stays on.
TEST_F(PostgresStoreTest, StoreSessionsRunWithoutJit) {
  auto conn = pg::Connection::open(url_);
  ASSERT_TRUE(conn) << conn.error().message;
  auto jit = (*conn)->exec("SHOW jit");
  ASSERT_TRUE(jit) << jit.error().message;
  EXPECT_EQ(jit->text(0, 0), "off");
  auto server_default = (*conn)->exec("SELECT boot_val FROM pg_settings WHERE name = 'jit'");
  ASSERT_TRUE(server_default) << server_default.error().message;
  EXPECT_EQ(server_default->text(0, 0), "on");
}

TEST_F(PostgresStoreTest, RequiringTimescaleWhereItIsMissingFailsClearly) {
  if (server_->has_timescale()) GTEST_SKIP() << "TimescaleDB is installed here";
  PostgresOptions required;
  required.timescale = PostgresOptions::Timescale::required;
  auto s = open_postgres_store(url_, required);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("TimescaleDB"), std::string::npos) << s.error().message;
  // Nothing was half-created: the default then makes the partitioned layout.
  auto fallback = open();
  ASSERT_NE(fallback, nullptr);
  EXPECT_EQ(fallback->health().at("layout").as_string(), "partitioned");
}

TEST(PostgresStoreUrl, UnreachableServerIsUnavailable) {
  auto s = open_postgres_store("postgresql://chorus@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::unavailable);
  EXPECT_EQ(open_postgres_store("").error().code, ErrorCode::bad_request);
}

}  // namespace
}  // namespace chorus::store
