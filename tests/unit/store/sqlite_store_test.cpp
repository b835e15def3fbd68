// The SQLite store held to the shared store spec.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <limits>
#include <random>
#include <thread>

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

// New near-duplicate key rows wait in a small table. While it holds key_merge_rows or more, each commit also
// moves one band of them (a tenth) into the large one. A lookup reads both tables, and the count of waiting
// rows survives a reopen.
TEST(SqliteKeyMerges, RecentKeyRowsMoveIntoTheLargeTableAndLookupsReadBoth) {
  auto dir = fresh_dir("chorus-key-merges");
  auto rows_in = [&](const char* table) {
    auto db = sqlite::Database::open(dir / "chorus.db", sqlite::OpenOptions{.what = "", .wal = false});
    EXPECT_TRUE(db);
    auto q = db->prepare(std::string("SELECT count(*) FROM ") + table);
    EXPECT_TRUE(q);
    EXPECT_TRUE(q->step());
    return q->int64(0);
  };
  const std::uint64_t a = 0x0123456789ABCDEFULL, b = 0xF0E1D2C3B4A59687ULL, c = 0x5A5A5A5A12345678ULL;
  Id ws = 0, source_id = 0;
  {
    auto store = open_sqlite_store(dir, SqliteStoreOptions{.key_merge_rows = 30});
    ASSERT_TRUE(store) << store.error().message;
    auto customer = (*store)->create_customer("c", "hash-c");
    ASSERT_TRUE(customer);
    auto w = (*store)->create_workspace(customer->id, "w");
    ASSERT_TRUE(w);
    ws = w->id;
    Source src;
    src.workspace_id = ws;
    src.type = "jsonl";
    src.name = "s";
    src.sealed_secrets = "sealed";
    auto source = (*store)->create_source(src);
    ASSERT_TRUE(source);
    source_id = source->id;
    auto commit = [&](std::vector<std::pair<std::int64_t, std::uint64_t>> records) {
      PageCommit p;
      p.workspace_id = ws;
      p.source_id = source->id;
      for (auto [uid, fp] : records) {
        FeedbackRecord r = plain_record(ws, source->id, uid, 1772409600000 + uid * 1000);
        r.simhash = fp;
        p.records.push_back(std::move(r));
      }
      ASSERT_TRUE((*store)->commit_page(p));
    };
    auto health = [&](const char* field) { return (*store)->health().at(field).as_int64(); };
    commit({{1, a}, {2, b}});
    EXPECT_EQ(health("recent_key_rows"), 20);
    EXPECT_EQ(health("key_merges"), 0);
    commit({{3, a ^ 1}});  // thirty rows: band 0 moves, one row of each record
    EXPECT_EQ(health("recent_key_rows"), 27);
    EXPECT_EQ(health("key_merges"), 1);
    EXPECT_EQ(rows_in("near_duplicate_keys"), 3);
    commit({{4, b ^ 2}});  // still thirty or more: band 1 moves
    EXPECT_EQ(rows_in("near_duplicate_keys"), 7);
    // One record a commit, each far from the others: bands 2 to 9 move in turn, so every row of records 1 to 3
    // is in the large table, record 4 has one waiting (its band 0), and record 12 all but one.
    for (std::int64_t uid = 5; uid <= 12; ++uid)
      commit({{uid, 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(uid)}});
    EXPECT_EQ(health("key_merges"), 10);
    EXPECT_EQ(rows_in("near_duplicate_keys"), 75);  // band k held the rows of records 1 to k + 3
    EXPECT_EQ(rows_in("near_duplicate_keys_recent"), 45);
    EXPECT_EQ(health("recent_key_rows"), 45);
    // The earliest near-duplicate, whichever table its rows are in (not an identical fingerprint, so the keys
    // are read rather than the records' fingerprint index).
    const TimeMs later = 1772409600000 + 100000;
    auto found = [&](std::uint64_t fp) {
      auto f = (*store)->find_near_duplicate(ws, fp, 3, 99, later);
      EXPECT_TRUE(f) << f.error().message;
      return f.ok() ? f->value_or(-1) : -2;
    };
    EXPECT_EQ(found(a ^ 4), 1);                               // 1 and 3, all moved
    EXPECT_EQ(found(b ^ 2 ^ 8), 2);                           // 2 moved, 4 mostly: 2 is earlier
    EXPECT_EQ(found((0x9E3779B97F4A7C15ULL * 12) ^ 16), 12);  // mostly waiting
    EXPECT_EQ(found(c ^ 0xF000000F), -1);                     // too far from everything
  }
  auto store = open_sqlite_store(dir, SqliteStoreOptions{.key_merge_rows = 30});
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->health().at("recent_key_rows").as_int64(), 45);
  auto f = (*store)->find_near_duplicate(ws, (0x9E3779B97F4A7C15ULL * 12) ^ 16, 3, 99, 1772409600000 + 100000);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, std::optional<std::int64_t>(12));
  // Rows deleted with their records leave the table without a move: the next move counts what is left.
  ASSERT_TRUE((*store)->delete_records_before(ws, 1772409600000 + 100000));
  EXPECT_EQ(rows_in("near_duplicate_keys_recent"), 0);
  PageCommit p;
  p.workspace_id = ws;
  p.source_id = source_id;
  p.records.push_back(plain_record(ws, source_id, 13, 1772409600000 + 200000));
  p.records.back().simhash = c;
  ASSERT_TRUE((*store)->commit_page(p));  // 45 counted + 10: band 0 moves
  EXPECT_EQ((*store)->health().at("recent_key_rows").as_int64(), 9);
  EXPECT_EQ(rows_in("near_duplicate_keys_recent"), 9);
  store->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
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
    auto store = open_sqlite_store(dir);
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
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "chorus.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM records", -1, &count, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(count, 0), 20000);
  sqlite3_finalize(count);
  sqlite3_close(db);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// The same spec with near-duplicate key rows moved into the large table every few records, so that lookups,
// updates, erasures and deletes meet rows in both tables.
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSpec,
                         ::testing::Values(BackendFactory{"sqlite",
                                                          [](std::string&) -> std::unique_ptr<StoreBackend> {
                                                            return std::make_unique<SqliteBackend>();
                                                          }},
                                           BackendFactory{"sqlite_key_merges",
                                                          [](std::string&) -> std::unique_ptr<StoreBackend> {
                                                            return std::make_unique<SqliteBackend>(
                                                                SqliteStoreOptions{.key_merge_rows = 25});
                                                          }}),
                         backend_name);

}  // namespace
}  // namespace chorus::store
