// The SQLite store's near-duplicate index, held in memory beside the database: for each workspace, its records'
// fingerprints under the ten keys of core/near_duplicate_keys.hpp and under the whole fingerprint, each ordered
// by (time, id) within a key. It answers the lookups of that file's rule without reading the database, and a
// record's keys cost no rows and no index pages to write.
//
// A workspace is read from the records table the first time it is asked about (load) and kept current by the
// store's own writes (insert, erase, drop). Changes made inside a store transaction are undone if it rolls back
// (rollback) and kept when it commits (commit); the store forgets everything when another connection has
// written the database (clear), and reads again what it needs.
//
// Three levels a key, each newer than the one before: a large sorted array; a recent sorted array, merged into
// the large one by a commit after which it holds more than max(recent_rows, a sixty-fourth of the large one)
// records; and the last few hundred records unsorted, read by a scan and sorted into the recent array when
// they fill up. An insert costs a few array moves, spread over later merges, and a lookup two binary searches
// and a short scan a key, however many records share the key. An erased record is marked dead and skipped;
// merges at a commit leave dead rows out, and a workspace whose dead records outnumber its live ones is made
// anew from the live ones.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/near_duplicate_keys.hpp"
#include "core/record.hpp"
#include "core/time.hpp"

namespace chorus::store {

class NearDuplicateIndex {
 public:
  using Position = std::pair<TimeMs, std::int64_t>;  // (time, id): what "earlier" compares
  struct Row {
    std::uint64_t simhash = 0;
    TimeMs ts = 0;
    std::int64_t uid = 0;
    Position position() const { return {ts, uid}; }
  };
  struct Stats {
    std::int64_t workspaces = 0;  // loaded
    std::int64_t records = 0;     // live records held
    std::int64_t bytes = 0;       // their arrays and sets, roughly
    std::int64_t loads = 0;       // workspaces read from the database since start-up
    std::int64_t merges = 0;      // recent rows merged into the large arrays
    std::int64_t clears = 0;      // times another connection's write made the index start over
  };

  explicit NearDuplicateIndex(std::size_t recent_rows = 8192);
  ~NearDuplicateIndex();
  NearDuplicateIndex(const NearDuplicateIndex&) = delete;
  NearDuplicateIndex& operator=(const NearDuplicateIndex&) = delete;

  bool loaded(Id workspace_id) const { return spaces_.contains(workspace_id); }
  // The workspace's records with a fingerprint, in any order; undone by rollback.
  void load(Id workspace_id, std::vector<Row> rows);
  // A record written (insert) or removed, or its old fingerprint or time replaced (erase). Nothing happens for
  // a workspace not loaded: its load will read the database as it then is. Undone by rollback.
  void insert(Id workspace_id, const Row& row);
  void erase(Id workspace_id, const Row& row);
  void drop(Id workspace_id);  // the workspace was deleted
  void commit();               // the transaction holding the changes committed
  void rollback();             // it did not: every change since the last commit or rollback is undone
  void clear();                // another connection wrote the database
  bool changed() const { return !changes_.empty(); }  // since the last commit or rollback

  // The earliest live record with this fingerprint before `before`, other than `self`.
  std::optional<Position> first_identical(Id workspace_id, std::uint64_t fp, Position before, std::int64_t self) const;
  // The fingerprints of at most `limit` live records under the key, newest first before `before`, other than
  // `self`, handed to f in that order.
  template <class F>
  void newest(Id workspace_id, const NearDuplicateKey& key, Position before, std::int64_t self, int limit, F&& f) const;

  Stats stats() const;

 private:
  // One key space: the ten keys of a fingerprint (K = std::uint32_t) or the fingerprint itself (std::uint64_t).
  template <class K>
  struct Run {
    struct Slot {
      K key;
      std::uint32_t rec;
    };
    std::vector<Slot> large;    // by (key, position of rec)
    std::vector<Slot> recent;   // likewise
    std::vector<Slot> pending;  // in the order written
  };
  struct Space {
    std::vector<Row> recs;  // by record number
    std::vector<std::uint8_t> dead;
    std::size_t live = 0;
    std::array<Run<std::uint32_t>, kNearDuplicateKeys> keys;
    Run<std::uint64_t> fingerprints;
    std::size_t recent = 0;   // records in the recent arrays
    std::size_t pending = 0;  // and in the pending ones
  };
  struct Change {
    enum class Kind { inserted, erased, loaded, dropped } kind;
    Id workspace_id;
    std::uint32_t rec = 0;
    std::unique_ptr<Space> space;  // a dropped workspace, restored by rollback
  };

  static std::unique_ptr<Space> build(std::vector<Row> rows);
  // Pending rows into the recent arrays (dead ones kept: a rollback may revive them).
  static void sort_pending(Space& s);
  // Recent rows into the large arrays, dead ones of both left out (after a commit only).
  static void merge(Space& s);
  static Position position(const Space& s, std::uint32_t rec) { return s.recs[rec].position(); }
  // The slots of a sorted array under the key before `before`: [first, end), newest last.
  template <class Slot, class K>
  static std::pair<std::size_t, std::size_t> range(const Space& s, const std::vector<Slot>& sorted, K key,
                                                   Position before);
  std::optional<std::uint32_t> find(const Space& s, const Row& row) const;

  std::size_t recent_rows_;
  std::unordered_map<Id, std::unique_ptr<Space>> spaces_;
  std::vector<Change> changes_;
  std::vector<Id> touched_;  // workspaces changed since the last commit
  Stats counts_;
};

template <class Slot, class K>
std::pair<std::size_t, std::size_t> NearDuplicateIndex::range(const Space& s, const std::vector<Slot>& sorted, K key,
                                                              Position before) {
  auto lo = std::lower_bound(sorted.begin(), sorted.end(), key, [](const Slot& a, K k) { return a.key < k; });
  auto hi = std::upper_bound(lo, sorted.end(), key, [](K k, const Slot& a) { return k < a.key; });
  auto end = std::partition_point(lo, hi, [&](const Slot& a) { return position(s, a.rec) < before; });
  return {static_cast<std::size_t>(lo - sorted.begin()), static_cast<std::size_t>(end - sorted.begin())};
}

template <class F>
void NearDuplicateIndex::newest(Id workspace_id, const NearDuplicateKey& key, Position before, std::int64_t self,
                                int limit, F&& f) const {
  auto it = spaces_.find(workspace_id);
  if (it == spaces_.end()) return;
  const Space& s = *it->second;
  const auto& run = s.keys[static_cast<std::size_t>(key.index)];
  const auto value = static_cast<std::uint32_t>(key.value);
  auto usable = [&](std::uint32_t rec) { return !s.dead[rec] && s.recs[rec].uid != self; };
  // Three streams, each read newest first: the pending rows that qualify, sorted here, and the two sorted
  // arrays read backwards from the bound.
  std::vector<std::uint32_t> pending;
  for (const auto& slot : run.pending)
    if (slot.key == value && position(s, slot.rec) < before && usable(slot.rec)) pending.push_back(slot.rec);
  std::sort(pending.begin(), pending.end(),
            [&](std::uint32_t a, std::uint32_t b) { return position(s, a) > position(s, b); });
  auto [large_first, large_at] = range(s, run.large, value, before);
  auto [recent_first, recent_at] = range(s, run.recent, value, before);
  std::size_t pending_at = 0;
  int taken = 0;
  while (taken < limit) {
    // The newest of the three heads.
    std::uint32_t rec = 0;
    int from = -1;
    auto consider = [&](int stream, std::uint32_t r) {
      if (from < 0 || position(s, r) > position(s, rec)) {
        from = stream;
        rec = r;
      }
    };
    if (large_at > large_first) consider(0, run.large[large_at - 1].rec);
    if (recent_at > recent_first) consider(1, run.recent[recent_at - 1].rec);
    if (pending_at < pending.size()) consider(2, pending[pending_at]);
    if (from < 0) break;
    if (from == 0) --large_at;
    if (from == 1) --recent_at;
    if (from == 2) ++pending_at;
    if (!usable(rec)) continue;
    ++taken;
    f(s.recs[rec].simhash);
  }
}

}  // namespace chorus::store
