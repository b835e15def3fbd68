// The SQLite store held to the shared store spec.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <limits>
#include <random>
#include <thread>
#include <tuple>

#include "core/sqlite.hpp"
#include "unit/store/alert_spec.hpp"
#include "unit/store/governance_spec.hpp"
#include "unit/store/store_spec.hpp"
#include "unit/store/taxonomy_spec.hpp"

namespace chorus::store {
namespace {

class SqliteBackend final : public StoreBackend {
 public:
  explicit SqliteBackend(SqliteStoreOptions options = {}) : options_(options) {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("chorus-store-" + std::to_string(rd()));
  }
  ~SqliteBackend() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Result<std::unique_ptr<Store>> open() override { return open_sqlite_store(dir_, options_); }
  std::vector<std::string> rows_of_workspace(Id ws) override {
    auto db = sqlite::Database::open(dir_ / "chorus.db", sqlite::OpenOptions{.what = "", .wal = false});
    if (!db) return {"cannot open the database: " + db.error().message};
    std::vector<std::pair<std::string, std::string>> columns{{"workspaces", "id"}};
    auto tables = db->prepare(
        "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND "
        "c.name IN ('workspace', 'workspace_id') ORDER BY 1");
    if (!tables) return {tables.error().message};
    while (auto row = tables->step()) {
      if (!*row) break;
      columns.emplace_back(tables->text(0), tables->text(1));
    }
    std::vector<std::string> out;
    if (columns.size() < 10) out.push_back("only " + std::to_string(columns.size()) + " tables found to walk");
    for (const auto& [table, column] : columns) {
      auto q = db->prepare("SELECT count(*) FROM \"" + table + "\" WHERE \"" + column + "\" = ?");
      if (!q) return {q.error().message};
      q->bind(1, ws);
      if (auto row = q->step(); !row) return {row.error().message};
      if (q->int64(0) > 0) out.push_back(table + "." + column + ": " + std::to_string(q->int64(0)));
    }
    return out;
  }

 private:
  SqliteStoreOptions options_;
  std::filesystem::path dir_;
};

// A neutral English record of a jsonl source, with nothing else set.
FeedbackRecord plain_record(Id ws, Id source, std::int64_t uid, TimeMs ts) {
  FeedbackRecord r;
  r.unique_identifier = uid;
  r.workspace_id = ws;
  r.source_id = source;
  r.source_type = "jsonl";
  r.text = "text " + std::to_string(uid);
  r.timestamp = ts;
  r.received_at = ts;
  r.sentiment_type = "neutral";
  r.category = "other";
  r.language_code = "en";
  return r;
}

// The records in the database file, read on a connection of its own; -1 if it cannot be read.
std::int64_t count_records(const std::filesystem::path& file) {
  auto db = sqlite::Database::open(file, sqlite::OpenOptions{.what = "", .wal = false});
  if (!db) return -1;
  auto q = db->prepare("SELECT count(*) FROM records");
  if (!q) return -1;
  auto row = q->step();
  return row && *row ? q->int64(0) : -1;
}

// Writes `pages` pages of 500 records, each with a raw item of about `raw_bytes`, into a new workspace of
// `store`, one commit after another; calls `after_page` after each.
void write_pages(Store& store, int pages, std::size_t raw_bytes, const std::function<void()>& after_page) {
  auto customer = store.create_customer("c", "hash-c");
  ASSERT_TRUE(customer);
  auto ws = store.create_workspace(customer->id, "w");
  ASSERT_TRUE(ws);
  Source src;
  src.workspace_id = ws->id;
  src.type = "jsonl";
  src.name = "s";
  src.sealed_secrets = "sealed";
  auto source = store.create_source(src);
  ASSERT_TRUE(source);
  const std::string filler(raw_bytes, 'x');
  for (int page = 0; page < pages; ++page) {
    PageCommit p;
    p.workspace_id = ws->id;
    p.source_id = source->id;
    for (int i = 0; i < 500; ++i) {
      FeedbackRecord r = plain_record(ws->id, source->id, page * 1000 + i + 1, 1772409600000 + page * 1000 + i + 1);
      r.raw_item = filler + std::to_string(r.unique_identifier);
      p.records.push_back(std::move(r));
    }
    ASSERT_TRUE(store.commit_page(p));
    after_page();
  }
}

std::filesystem::path fresh_dir(const std::string& name) {
  std::random_device rd;
  return std::filesystem::temp_directory_path() / (name + "-" + std::to_string(rd()));
}

// A store with a workspace and a source, and commits of records given as (id, fingerprint), one second apart.
struct IndexFixture {
  std::filesystem::path dir = fresh_dir("chorus-near-index");
  std::unique_ptr<Store> store;
  Id customer_id = 0, ws = 0, source_id = 0;
  static constexpr TimeMs kStart = 1772409600000;

  void open(SqliteStoreOptions options = {.near_duplicate_recent_rows = 3}) {
    store.reset();
    auto s = open_sqlite_store(dir, options);
    ASSERT_TRUE(s) << s.error().message;
    store = std::move(s.value());
  }
  void setup() {
    open();
    use_new_workspace("c");
  }
  // A new customer with a workspace and a source, which later commits and lookups use.
  void use_new_workspace(const std::string& name) {
    auto customer = store->create_customer(name, "hash-" + name);
    ASSERT_TRUE(customer);
    customer_id = customer->id;
    auto w = store->create_workspace(customer->id, name);
    ASSERT_TRUE(w);
    ws = w->id;
    Source src;
    src.workspace_id = ws;
    src.type = "jsonl";
    src.name = "s";
    src.sealed_secrets = "sealed";
    auto source = store->create_source(src);
    ASSERT_TRUE(source);
    source_id = source->id;
  }
  Result<std::vector<FeedbackRecord>> commit(std::vector<std::pair<std::int64_t, std::uint64_t>> records) {
    PageCommit p;
    p.workspace_id = ws;
    p.source_id = source_id;
    p.near_duplicate_bits = 3;
    for (auto [uid, fp] : records) {
      FeedbackRecord r = plain_record(ws, source_id, uid, kStart + uid * 1000);
      r.simhash = fp;
      p.records.push_back(std::move(r));
    }
    return store->commit_page(p);
  }
  // The earliest near-duplicate of a record asking after all of them, -1 for none.
  std::int64_t found(std::uint64_t fp) {
    auto f = store->find_near_duplicate(ws, fp, 3, 99, kStart + 100000);
    EXPECT_TRUE(f) << f.error().message;
    return f.ok() ? f->value_or(-1) : -2;
  }
  std::int64_t health(const char* field) { return store->health().at(field).as_int64(); }
  void exec(const std::string& sql) {
    auto db = sqlite::Database::open(dir / "chorus.db", sqlite::OpenOptions{.what = "", .wal = false});
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(db->exec(sql)) << sql;
  }
  ~IndexFixture() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// The near-duplicate index holds a workspace's fingerprints in memory: read from the records when first asked
// about, kept by the store's own writes, merged from its recent rows into its sorted arrays as they grow, and
// read again after a reopen. Lookups meet rows on both sides of a merge.
TEST(SqliteNearDuplicateIndex, LookupsReadRecentAndMergedRowsAndSurviveAReopen) {
  IndexFixture f;
  f.setup();
  const std::uint64_t a = 0x0123456789ABCDEFULL, b = 0xF0E1D2C3B4A59687ULL, c = 0x5A5A5A5A12345678ULL;
  ASSERT_TRUE(f.commit({{1, a}, {2, b}}));
  EXPECT_EQ(f.health("near_duplicate_loads"), 1);
  EXPECT_EQ(f.health("near_duplicate_records"), 2);
  EXPECT_EQ(f.health("near_duplicate_merges"), 0);
  ASSERT_TRUE(f.commit({{3, a ^ 1}, {4, b ^ 2}}));  // four recent records: more than three, merged
  EXPECT_EQ(f.health("near_duplicate_merges"), 1);
  for (std::int64_t uid = 5; uid <= 6; ++uid)  // recent again, far from the others
    ASSERT_TRUE(f.commit({{uid, 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(uid)}}));
  EXPECT_EQ(f.health("near_duplicate_merges"), 1);
  EXPECT_EQ(f.health("near_duplicate_records"), 6);
  EXPECT_GT(f.health("near_duplicate_bytes"), 0);
  auto check = [&] {
    EXPECT_EQ(f.found(a ^ 4), 1);                             // 1 and 3, merged
    EXPECT_EQ(f.found(b ^ 2 ^ 8), 2);                         // 2 and 4, merged
    EXPECT_EQ(f.found((0x9E3779B97F4A7C15ULL * 6) ^ 16), 6);  // recent
    EXPECT_EQ(f.found(c ^ 0xF000000F), -1);                   // too far from everything
  };
  check();
  // A record that comes back with another fingerprint leaves its old place.
  ASSERT_TRUE(f.commit({{1, c}}));
  EXPECT_EQ(f.found(a ^ 4), 3);
  EXPECT_EQ(f.found(c ^ 2), 1);
  ASSERT_TRUE(f.commit({{1, a}}));
  f.open();
  EXPECT_EQ(f.health("near_duplicate_loads"), 0);  // nothing read until asked
  check();
  EXPECT_EQ(f.health("near_duplicate_loads"), 1);
  // Records deleted with their workspace's retention leave the index.
  ASSERT_TRUE(f.store->delete_records_before(f.ws, IndexFixture::kStart + 3500));
  EXPECT_EQ(f.found(a ^ 4), -1);
  EXPECT_EQ(f.found(b ^ 2 ^ 8), 4);
  EXPECT_EQ(f.health("near_duplicate_records"), 3);
}

// A batch that fails leaves the index as it was: its records are not found, and a record it changed is found
// where it was.
TEST(SqliteNearDuplicateIndex, AFailedBatchLeavesTheIndexAsItWas) {
  IndexFixture f;
  f.setup();
  const std::uint64_t a = 0x0123456789ABCDEFULL, b = 0xF0E1D2C3B4A59687ULL;
  // Another connection adds a trigger that refuses record 666; the store notices the write and starts over.
  f.exec("CREATE TRIGGER refuse AFTER INSERT ON records WHEN NEW.uid = 666 BEGIN SELECT RAISE(ABORT, 'refused'); END");
  ASSERT_TRUE(f.commit({{1, a}}));
  EXPECT_EQ(f.found(a ^ 1), 1);
  // Record 2 is new, record 1 moves to b's neighbourhood, and then 666 fails the batch.
  auto failed = f.commit({{2, a ^ 2}, {1, b ^ 1}, {666, b}});
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("refused"), std::string::npos) << failed.error().message;
  EXPECT_EQ(f.found(a ^ 1), 1);
  EXPECT_EQ(f.found(b ^ 4), -1);
  EXPECT_EQ(f.health("near_duplicate_records"), 1);
  // The same batch without the refused record goes through.
  ASSERT_TRUE(f.commit({{2, a ^ 2}, {1, b ^ 1}}));
  EXPECT_EQ(f.found(a ^ 1), 2);
  EXPECT_EQ(f.found(b ^ 4), 1);
}

// Another connection's write to the database (here a record deleted behind the store's back) empties the index,
// which reads the records again: a lookup never names a record that is gone.
TEST(SqliteNearDuplicateIndex, AnotherWriterIsNoticed) {
  IndexFixture f;
  f.setup();
  const std::uint64_t a = 0x0123456789ABCDEFULL;
  ASSERT_TRUE(f.commit({{1, a}, {2, a ^ 1}}));
  EXPECT_EQ(f.found(a ^ 4), 1);
  const auto clears = f.health("near_duplicate_clears");
  f.exec("DELETE FROM records WHERE uid = 1");
  EXPECT_EQ(f.found(a ^ 4), 2);
  EXPECT_EQ(f.health("near_duplicate_clears"), clears + 1);
  // The store's own commits do not count as another writer's.
  ASSERT_TRUE(f.commit({{3, a ^ 8}}));
  EXPECT_EQ(f.found(a ^ 4), 2);
  EXPECT_EQ(f.health("near_duplicate_clears"), clears + 1);
}

// A workspace deleted takes its index with it; a record of another workspace is never a near-duplicate.
TEST(SqliteNearDuplicateIndex, WorkspacesAreApart) {
  IndexFixture f;
  f.setup();
  const std::uint64_t a = 0x0123456789ABCDEFULL;
  ASSERT_TRUE(f.commit({{1, a}}));
  const Id first = f.ws;
  f.use_new_workspace("d");
  EXPECT_EQ(f.found(a ^ 1), -1);
  ASSERT_TRUE(f.commit({{5, a ^ 2}}));
  EXPECT_EQ(f.found(a ^ 1), 5);
  ASSERT_TRUE(f.store->delete_workspace(f.customer_id, f.ws));
  EXPECT_EQ(f.health("near_duplicate_records"), 1);
  f.ws = first;
  EXPECT_EQ(f.found(a ^ 1), 1);
}

// Reports and pages of feedback read on a connection of their own: while a parser's batch transaction of
// 20,000 records holds the writer, they go on answering. (On the writer, each waited for the whole batch.)
TEST(SqliteReads, ReportsAndFeedbackAnswerWhileABatchTransactionHoldsTheWriter) {
  auto dir = fresh_dir("chorus-reads");
  auto store = open_sqlite_store(dir);
  ASSERT_TRUE(store) << store.error().message;
  auto customer = (*store)->create_customer("c", "hash-c");
  auto ws = (*store)->create_workspace(customer->id, "w");
  Source src;
  src.workspace_id = ws->id;
  src.type = "jsonl";
  src.name = "s";
  src.sealed_secrets = "sealed";
  auto source = (*store)->create_source(src);
  ASSERT_TRUE(source);
  std::vector<PageCommit> pages(40);
  const std::string filler(2000, 'x');
  for (int page = 0; page < 40; ++page) {
    pages[page].workspace_id = ws->id;
    pages[page].source_id = source->id;
    for (int i = 0; i < 500; ++i) {
      FeedbackRecord r = plain_record(ws->id, source->id, page * 1000 + i + 1, 1772409600000 + page * 1000 + i);
      r.raw_item = filler + std::to_string(r.unique_identifier);
      pages[page].records.push_back(std::move(r));
    }
  }
  std::atomic<bool> started{false}, done{false};
  std::thread batch([&] {
    started = true;
    auto stored = (*store)->commit_pages(pages);
    EXPECT_TRUE(stored) << stored.error().message;
    done = true;
  });
  while (!started) std::this_thread::yield();
  FeedbackFilter f;
  f.workspace_id = ws->id;
  int answered_meanwhile = 0;
  while (!done) {
    auto report = (*store)->report(f, Bucket::day, GroupBy::sentiment);
    ASSERT_TRUE(report) << report.error().message;
    auto page = (*store)->query_feedback(f, 10, std::nullopt);
    ASSERT_TRUE(page) << page.error().message;
    if (!done) ++answered_meanwhile;
  }
  batch.join();
  EXPECT_GE(answered_meanwhile, 3);
  // And once it is committed, the reader sees it.
  auto page = (*store)->query_feedback(f, 10, std::nullopt);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 10u);
  store->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// A batch is counted into the rollups in the transaction that stores it: reports see it at once, a new revision
// replaces its old counts, and the reports role that reads the batch afterwards finds it counted on the reader,
// without waiting for the writer (here held by another connection's open write transaction). With
// rollups_at_commit off, nothing is counted until the reports role applies the batch, and the counts are the same.
TEST(SqliteRollupsAtCommit, ABatchIsCountedWhereItIsStored) {
  using Counts = std::tuple<std::int64_t, std::int64_t, std::int64_t>;  // all, negative, neutral
  auto totals_of = [](Store& store, Id ws) {
    FeedbackFilter f;
    f.workspace_id = ws;
    auto t = store.totals(f);
    EXPECT_TRUE(t) << t.error().message;
    return t ? Counts(t->count, t->by_sentiment["negative"], t->by_sentiment["neutral"]) : Counts(-1, -1, -1);
  };
  for (bool at_commit : {true, false}) {
    SCOPED_TRACE(at_commit ? "counted at commit" : "counted by the reports role");
    IndexFixture fx;
    fx.open({.rollups_at_commit = at_commit});
    fx.use_new_workspace("c");
    auto first = fx.commit({{1, 0x11}, {2, 0x22}, {3, 0x33}});
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(totals_of(*fx.store, fx.ws), at_commit ? Counts(3, 0, 3) : Counts(0, 0, 0));
    ASSERT_TRUE(fx.store->apply_rollups(*first));
    EXPECT_EQ(totals_of(*fx.store, fx.ws), Counts(3, 0, 3));

    // Record 2 again, now negative: revision 2 takes the place of revision 1 in the counts.
    PageCommit p;
    p.workspace_id = fx.ws;
    p.source_id = fx.source_id;
    FeedbackRecord again = plain_record(fx.ws, fx.source_id, 2, IndexFixture::kStart + 2000);
    again.sentiment_type = "negative";
    again.sentiment_compound = -0.6;
    p.records = {again};
    auto second = fx.store->commit_page(p);
    ASSERT_TRUE(second) << second.error().message;
    ASSERT_EQ(second->front().revision, 2);
    EXPECT_EQ(totals_of(*fx.store, fx.ws), at_commit ? Counts(3, 1, 2) : Counts(3, 0, 3));

    // Another connection holds the writer. Only a batch already counted can be applied meanwhile.
    auto other = sqlite::Database::open(fx.dir / "chorus.db", sqlite::OpenOptions{.what = "", .wal = false});
    ASSERT_TRUE(other) << other.error().message;
    ASSERT_TRUE(other->exec("BEGIN IMMEDIATE"));
    std::vector<FeedbackRecord> redelivered = *first;
    redelivered.push_back(second->front());
    if (at_commit) {
      auto applied = fx.store->apply_rollups(redelivered);
      EXPECT_TRUE(applied) << applied.error().message;
    }
    ASSERT_TRUE(other->exec("ROLLBACK"));
    ASSERT_TRUE(fx.store->apply_rollups(redelivered));
    ASSERT_TRUE(fx.store->apply_rollups(*first));  // an older revision, late: changes nothing
    EXPECT_EQ(totals_of(*fx.store, fx.ws), Counts(3, 1, 2));
  }
}

// The checkpoint thread copies the WAL back into the database file as the store grows. Its connection had
// never read the file, so it did not know the file was in WAL mode, and every checkpoint succeeded without
// copying a page: the WAL held the whole store (tens of GB over a million imported items).
TEST(SqliteCheckpoints, TheWalIsCopiedBackAsTheStoreGrows) {
  auto dir = fresh_dir("chorus-checkpoint");
  {
    auto store = open_sqlite_store(dir);
    ASSERT_TRUE(store) << store.error().message;
    // About 40 MiB of raw items: past the 8,000 WAL pages that call for a checkpoint.
    write_pages(**store, 14, 6000, [] {});
    std::int64_t copied = 0;
    for (int wait = 0; wait < 200 && copied == 0; ++wait) {
      auto health = (*store)->health();
      copied = health.at("wal_frames_copied").as_int64();
      if (copied == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_GT(copied, 8000);
  }
  EXPECT_GT(std::filesystem::file_size(dir / "chorus.db"), 30u * 1024 * 1024);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// A writer that never pauses: the passive checkpoints copy everything back but never leave the writer a moment
// to start the WAL over, so it grew with the whole import (15 GB over a million items). Past its limit the
// writer starts it over, writing over the same file: the file is neither truncated nor grown without end.
TEST(SqliteCheckpoints, TheWalStaysBoundedUnderAWriterThatNeverPauses) {
  auto dir = fresh_dir("chorus-wal-limit");
  std::uintmax_t largest_wal = 0;
  std::uintmax_t smallest_after_restart = std::numeric_limits<std::uintmax_t>::max();
  {
    auto store = open_sqlite_store(dir, SqliteStoreOptions{.wal_limit_frames = 32000});
    ASSERT_TRUE(store) << store.error().message;
    // About 400 MiB of raw items, page after page: three times the WAL's limit of 128 MiB.
    write_pages(**store, 40, 20000, [&] {
      std::error_code ec;
      const std::uintmax_t wal = std::filesystem::file_size(dir / "chorus.db-wal", ec);
      largest_wal = std::max(largest_wal, wal);
      if ((*store)->health().at("wal_truncations").as_int64() > 0)
        smallest_after_restart = std::min(smallest_after_restart, wal);
    });
    EXPECT_GE((*store)->health().at("wal_truncations").as_int64(), 1);
  }
  EXPECT_LT(largest_wal, 200u * 1024 * 1024) << "the WAL grew with everything written";
  // Started over, not truncated: the pages after the limit are written over the file's own blocks.
  EXPECT_GT(smallest_after_restart, 64u * 1024 * 1024) << "the WAL file was cut back after its limit";
  // Nothing was lost on the way.
  EXPECT_EQ(count_records(dir / "chorus.db"), 20000);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// A large import leaves a WAL as large as its limit. Once the store has gone a while without a commit, the
// file is copied back and cut to nothing; a small WAL is left alone, and a store that is written to keeps its.
TEST(SqliteCheckpoints, AQuietStoreCutsALargeWalBack) {
  auto dir = fresh_dir("chorus-wal-idle");
  const auto wal_size = [&] {
    std::error_code ec;
    const auto size = std::filesystem::file_size(dir / "chorus.db-wal", ec);
    return ec ? std::uintmax_t{0} : size;
  };
  {
    auto store = open_sqlite_store(
        dir,
        SqliteStoreOptions{.wal_checkpoint_frames = 200, .wal_limit_frames = 100000, .wal_truncate_when_idle_ms = 300});
    ASSERT_TRUE(store) << store.error().message;
    // About 6 MiB of raw items, written without a pause between commits longer than the quiet while.
    write_pages(**store, 4, 3000, [] {});
    EXPECT_GT(wal_size(), 200u * 4096) << "the writes should have grown the WAL past a checkpoint";
    // A trickle of small commits, as a lease renewed every few seconds makes, is still quiet.
    std::int64_t cut = 0;
    for (int wait = 0; wait < 200 && cut == 0; ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (wait % 4 == 0) {
        ASSERT_TRUE((*store)->create_customer("t" + std::to_string(wait), "hash-t" + std::to_string(wait)));
      }
      cut = (*store)->health().at("wal_idle_truncations").as_int64();
    }
    EXPECT_GE(cut, 1);
    EXPECT_LT(wal_size(), 200u * 4096);
    // A small write leaves a small WAL: the next quiet while leaves it as it is.
    ASSERT_TRUE((*store)->create_customer("d", "hash-d"));
    ASSERT_GT(wal_size(), 0u);
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    EXPECT_EQ((*store)->health().at("wal_idle_truncations").as_int64(), cut);
    EXPECT_GT(wal_size(), 0u);
  }
  // Nothing was lost by cutting it back.
  EXPECT_EQ(count_records(dir / "chorus.db"), 2000);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// The same spec with the near-duplicate index merging its recent rows every few records, so that lookups,
// updates, erasures and deletes meet rows on both sides of a merge.
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSpec,
                         ::testing::Values(BackendFactory{"sqlite",
                                                          [](std::string&) -> std::unique_ptr<StoreBackend> {
                                                            return std::make_unique<SqliteBackend>();
                                                          }},
                                           BackendFactory{"sqlite_index_merges",
                                                          [](std::string&) -> std::unique_ptr<StoreBackend> {
                                                            return std::make_unique<SqliteBackend>(
                                                                SqliteStoreOptions{.near_duplicate_recent_rows = 2});
                                                          }},
                                           // Every batch counted by apply_rollups alone, as the reports role does
                                           // on PostgreSQL.
                                           BackendFactory{"sqlite_rollups_by_reports",
                                                          [](std::string&) -> std::unique_ptr<StoreBackend> {
                                                            return std::make_unique<SqliteBackend>(
                                                                SqliteStoreOptions{.rollups_at_commit = false});
                                                          }}),
                         backend_name);

}  // namespace
}  // namespace chorus::store
