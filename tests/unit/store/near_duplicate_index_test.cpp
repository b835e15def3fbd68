// The SQLite store's near-duplicate index held to a plain list of the live records, read the slow way, through
// random inserts, erasures, commits, rollbacks, loads and drops.
#include "store/sqlite/near_duplicate_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace chorus::store {
namespace {

using Row = NearDuplicateIndex::Row;
using Position = NearDuplicateIndex::Position;
using Rows = std::map<Id, std::vector<Row>>;  // live records by workspace

std::vector<std::uint64_t> newest_by_reading_all(const std::vector<Row>& rows, const NearDuplicateKey& key,
                                                 Position before, std::int64_t self, int limit) {
  std::vector<Row> picked;
  for (const Row& r : rows)
    if (near_duplicate_keys(r.simhash)[key.index].value == key.value && r.position() < before && r.uid != self)
      picked.push_back(r);
  std::sort(picked.begin(), picked.end(), [](const Row& a, const Row& b) { return a.position() > b.position(); });
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < picked.size() && static_cast<int>(i) < limit; ++i) out.push_back(picked[i].simhash);
  return out;
}

std::optional<Position> first_by_reading_all(const std::vector<Row>& rows, std::uint64_t fp, Position before,
                                             std::int64_t self) {
  std::optional<Position> best;
  for (const Row& r : rows)
    if (r.simhash == fp && r.position() < before && r.uid != self && (!best || r.position() < *best))
      best = r.position();
  return best;
}

// The parameter: how many records the recent arrays hold before a merge.
class IndexAgainstAList : public ::testing::TestWithParam<std::size_t> {};

TEST_P(IndexAgainstAList, AnswersAsReadingEveryLiveRecord) {
  std::mt19937_64 rng(GetParam() * 7919 + 1);
  NearDuplicateIndex index(GetParam());
  Rows committed, current;
  // A few fingerprints and their one- and two-bit neighbours, so that keys are shared and crowded; a few times,
  // so that positions tie on time.
  std::vector<std::uint64_t> bases;
  for (int i = 0; i < 5; ++i) bases.push_back(rng() | 1);
  auto fingerprint = [&] {
    std::uint64_t fp = bases[rng() % bases.size()];
    for (int flips = static_cast<int>(rng() % 3); flips > 0; --flips) fp ^= std::uint64_t{1} << (rng() % 64);
    return fp;
  };
  const std::vector<Id> workspaces{1, 2};
  for (Id ws : workspaces) {
    index.load(ws, {});
    current[ws];
  }
  index.commit();
  committed = current;
  for (int step = 0; step < 4000; ++step) {
    const Id ws = workspaces[rng() % workspaces.size()];
    auto& rows = current[ws];
    const auto op = rng() % 100;
    if (op < 55) {  // a record written: new, or an existing one with a new fingerprint or time
      const std::int64_t uid = static_cast<std::int64_t>(rng() % 120) - 20;
      auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.uid == uid; });
      if (it != rows.end()) {
        index.erase(ws, *it);
        rows.erase(it);
      }
      Row r{fingerprint(), static_cast<TimeMs>(rng() % 40), uid};
      index.insert(ws, r);
      rows.push_back(r);
    } else if (op < 70 && !rows.empty()) {  // a record removed
      auto it = rows.begin() + static_cast<std::ptrdiff_t>(rng() % rows.size());
      index.erase(ws, *it);
      rows.erase(it);
    } else if (op < 85) {
      index.commit();
      committed = current;
    } else if (op < 93) {
      index.rollback();
      current = committed;
    } else if (op < 95) {  // read again from the records, as after another writer
      index.clear();
      for (Id w : workspaces) index.load(w, current[w]);
      index.commit();
      committed = current;
    } else if (op < 96) {  // a workspace deleted and made again, in a transaction that may not commit
      index.drop(ws);
      if (rng() % 2) {
        index.rollback();
        current = committed;
      } else {
        index.load(ws, {});
        rows.clear();
        index.commit();
        committed = current;
      }
    }
    // Every few steps, lookups from random places, as the store makes them.
    if (step % 5 != 0) continue;
    const std::vector<Row>& live_rows = current[ws];  // `rows` may be gone: the map was assigned anew
    for (int q = 0; q < 6; ++q) {
      std::uint64_t fp = fingerprint();
      Position before{static_cast<TimeMs>(rng() % 45), static_cast<std::int64_t>(rng() % 120) - 20};
      if (!live_rows.empty() && rng() % 2) {  // from a record's own place, as the store asks
        const Row& r = live_rows[rng() % live_rows.size()];
        before = r.position();
        if (rng() % 2) fp = r.simhash;
      }
      const std::int64_t self = static_cast<std::int64_t>(rng() % 120) - 20;
      ASSERT_EQ(index.first_identical(ws, fp, before, self), first_by_reading_all(live_rows, fp, before, self))
          << "step " << step;
      const int limit = 1 + static_cast<int>(rng() % 6);
      for (const NearDuplicateKey& key : near_duplicate_keys(fp)) {
        std::vector<std::uint64_t> got;
        index.newest(ws, key, before, self, limit, [&](std::uint64_t s) { got.push_back(s); });
        // Live records of a workspace have distinct ids, so no two share a position: the order is exact.
        ASSERT_EQ(got, newest_by_reading_all(live_rows, key, before, self, limit))
            << "step " << step << " key " << key.index;
      }
    }
    std::int64_t live = 0;
    for (const auto& [w, r] : current) live += static_cast<std::int64_t>(r.size());
    ASSERT_EQ(index.stats().records, live) << "step " << step;
  }
  EXPECT_GT(index.stats().merges, 0);
}

// Recent rows merged after every few records, and seldom.
INSTANTIATE_TEST_SUITE_P(RecentRows, IndexAgainstAList,
                         ::testing::Values(std::size_t{2}, std::size_t{8}, std::size_t{24}));

}  // namespace
}  // namespace chorus::store
