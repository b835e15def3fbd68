// The SQLite store held to the shared store spec.
#include <filesystem>
#include <functional>
#include <chrono>
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
  SqliteBackend() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("chorus-store-" + std::to_string(rd()));
  }
  ~SqliteBackend() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Result<std::unique_ptr<Store>> open() override { return open_sqlite_store(dir_); }
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
  std::filesystem::path dir_;
};

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
      FeedbackRecord r;
      r.unique_identifier = page * 1000 + i + 1;
      r.workspace_id = ws->id;
      r.source_id = source->id;
      r.source_type = "jsonl";
      r.text = "text " + std::to_string(r.unique_identifier);
      r.timestamp = 1772409600000 + r.unique_identifier;
      r.received_at = r.timestamp;
      r.sentiment_type = "neutral";
      r.category = "other";
      r.language_code = "en";
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
// writer truncates it.
TEST(SqliteCheckpoints, TheWalStaysBoundedUnderAWriterThatNeverPauses) {
  auto dir = fresh_dir("chorus-wal-limit");
  std::uintmax_t largest_wal = 0;
  {
    auto store = open_sqlite_store(dir);
    ASSERT_TRUE(store) << store.error().message;
    // About 400 MiB of raw items, page after page: three times the WAL's limit of 128 MiB.
    write_pages(**store, 40, 20000, [&] {
      std::error_code ec;
      largest_wal = std::max<std::uintmax_t>(largest_wal, std::filesystem::file_size(dir / "chorus.db-wal", ec));
    });
    EXPECT_GE((*store)->health().at("wal_truncations").as_int64(), 1);
  }
  EXPECT_LT(largest_wal, 200u * 1024 * 1024) << "the WAL grew with everything written";
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

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSpec,
                         ::testing::Values(BackendFactory{"sqlite",
                                                          [](std::string&) -> std::unique_ptr<StoreBackend> {
                                                            return std::make_unique<SqliteBackend>();
                                                          }}),
                         backend_name);

}  // namespace
}  // namespace chorus::store
