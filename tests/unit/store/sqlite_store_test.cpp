// The SQLite store held to the shared store spec.
#include <filesystem>
#include <chrono>
#include <random>
#include <thread>

#include "core/near_duplicate_index.hpp"
#include "core/near_duplicate_keys.hpp"
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

// A key crowded with texts that share much with a record without being within 3 bits is read only as far
// back as its newest kNearDuplicateScan rows (core/near_duplicate_keys.hpp): the lookup names the recent
// near-duplicate, and an old one behind the crowd is out of its reach. Every fingerprint below shares blocks
// 0 and 1 (one pair key) with the record looked up, and the crowd differs from it in blocks 2 to 4 by at least
// six bits.
TEST_P(StoreSpec, ACrowdedKeyIsReadOnlyAsFarBackAsItsNewestRows) {
  const std::uint64_t target = 0x0123456789ABCDEFULL;
  const std::uint64_t old_near = target ^ (1ULL << 30) ^ (1ULL << 45) ^ (1ULL << 56);  // 3 bits, blocks 2-4
  const std::uint64_t recent_near = target ^ (1ULL << 31) ^ (1ULL << 46);             // 2 bits
  auto crowd_fp = [&](int i) { return target ^ ((0x3FULL | (static_cast<std::uint64_t>(i) << 6)) << 26); };
  auto at = [](int minute) { return kMar2 + static_cast<TimeMs>(minute) * 60000; };
  auto stored = [&](std::int64_t uid, int minute, std::uint64_t fp) {
    auto r = record(uid, at(minute), "neutral", 0.0);
    r.simhash = fp;
    return r;
  };
  std::vector<FeedbackRecord> rows{stored(1, 0, old_near)};
  for (int i = 0; i < kNearDuplicateScan - 1; ++i) rows.push_back(stored(100 + i, 1 + i, crowd_fp(i)));
  commit(rows);
  // The old near-duplicate is still among the newest rows of the key: it is the answer, as before.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, target, 3, 9000, at(500)), std::optional<std::int64_t>(1));
  // One more crowding row pushes it out of reach.
  commit({stored(100 + kNearDuplicateScan, 200, crowd_fp(kNearDuplicateScan))});
  EXPECT_EQ(*store_->find_near_duplicate(ws_, target, 3, 9000, at(500)), std::nullopt);
  // A recent near-duplicate in the same crowded key is found.
  commit({stored(2, 300, recent_near)});
  EXPECT_EQ(*store_->find_near_duplicate(ws_, target, 3, 9000, at(500)), std::optional<std::int64_t>(2));
  // An identical fingerprint is a direct hit, however far back the crowd has pushed it.
  commit({stored(3, -1, target)});
  std::vector<FeedbackRecord> crowd;
  for (int i = 0; i < 3 * kNearDuplicateScan; ++i) crowd.push_back(stored(1000 + i, 400 + i, crowd_fp(100 + i)));
  commit(crowd);
  EXPECT_EQ(*store_->find_near_duplicate(ws_, target, 3, 9000, at(900)), std::optional<std::int64_t>(3));
  // And a text near many copies of another names the first copy (uid 2), not one of the newest: these keys
  // hold only copies, all within reach, and the earliest of them is out of the scanned rows.
  std::vector<FeedbackRecord> copies;
  for (int i = 0; i < 4 * kNearDuplicateScan; ++i) copies.push_back(stored(5000 + i, 1000 + i, recent_near));
  commit(copies);
  const std::uint64_t near_the_copies = recent_near ^ (1ULL << 35) ^ (1ULL << 55);  // 4 bits from the target
  EXPECT_EQ(*store_->find_near_duplicate(ws_, near_the_copies, 3, 9000, at(2000)), std::optional<std::int64_t>(2));
}

// The re-analysis finds near-duplicates in memory (NearDuplicateIndex) by the store's rule: fed the same
// records in time order, both name the same record for each, through crowded keys, identical copies and
// texts of no match.
TEST_P(StoreSpec, TheInMemoryIndexAnswersAsTheStoreDoes) {
  std::mt19937_64 rng(41);
  const std::uint64_t bases[] = {0x0123456789ABCDEFULL, 0x0123456789ABCDEFULL ^ (0xFFULL << 40), 0xF0F0F0F0F0F0F0F0ULL};
  NearDuplicateIndex index;
  int matched = 0;
  for (int i = 0; i < 700; ++i) {
    std::uint64_t fp = bases[rng() % 3];
    // Mostly far flips in the upper blocks, so keys over the lower ones crowd; some copies and near texts.
    switch (rng() % 4) {
      case 0:
        break;
      case 1:
        fp ^= std::uint64_t{1} << (rng() % 64);
        break;
      default:
        for (int f = 0; f < 6; ++f) fp ^= std::uint64_t{1} << (26 + rng() % 38);
    }
    const std::int64_t uid = 10000 + static_cast<std::int64_t>(rng() % 100000) * 10 + i % 10;
    const TimeMs ts = kMar2 + static_cast<TimeMs>(i) * 1000;
    auto stored = store_->find_near_duplicate(ws_, fp, 3, uid, ts);
    ASSERT_TRUE(stored) << stored.error().message;
    auto memory = index.earliest_match(fp, 3);
    ASSERT_EQ(*stored, memory) << "record " << i;
    matched += memory ? 1 : 0;
    auto r = record(uid, ts, "neutral", 0.0);
    r.simhash = fp;
    commit({r});
    index.add(uid, fp);
  }
  EXPECT_GT(matched, 400);  // most records have an earlier near-duplicate: the keys are crowded
}

// The checkpoint thread copies the WAL back into the database file as the store grows. Its connection had
// never read the file, so it did not know the file was in WAL mode, and every checkpoint succeeded without
// copying a page: the WAL held the whole store (tens of GB over a million imported items).
TEST(SqliteCheckpoints, TheWalIsCopiedBackAsTheStoreGrows) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("chorus-checkpoint-" + std::to_string(rd()));
  {
    auto store = open_sqlite_store(dir);
    ASSERT_TRUE(store) << store.error().message;
    auto customer = (*store)->create_customer("c", "hash-c");
    ASSERT_TRUE(customer);
    auto ws = (*store)->create_workspace(customer->id, "w");
    ASSERT_TRUE(ws);
    Source src;
    src.workspace_id = ws->id;
    src.type = "jsonl";
    src.name = "s";
    src.sealed_secrets = "sealed";
    auto source = (*store)->create_source(src);
    ASSERT_TRUE(source);
    const std::string filler(6000, 'x');
    // About 40 MiB of raw items: past the 8,000 WAL pages that call for a checkpoint.
    for (int page = 0; page < 14; ++page) {
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
      ASSERT_TRUE((*store)->commit_page(p));
    }
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

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSpec,
                         ::testing::Values(BackendFactory{"sqlite",
                                                          [](std::string&) -> std::unique_ptr<StoreBackend> {
                                                            return std::make_unique<SqliteBackend>();
                                                          }}),
                         backend_name);

}  // namespace
}  // namespace chorus::store
