#include "store/sqlite/near_duplicate_index.hpp"

#include <algorithm>
#include <limits>

namespace chorus::store {

namespace {

// The recent arrays are merged into the large ones when they outnumber this share of them (and the store's
// floor): a row is moved about this many times over a workspace's growth, and a sort of pending rows into the
// recent arrays moves at most a sixty-fourth of the workspace. (bench/RESULTS.md, issue 12.)
constexpr std::size_t kLargeToRecent = 64;
// Records left unsorted before they are sorted into the recent arrays: a lookup scans this many slots a key.
constexpr std::size_t kPendingRecords = 256;

}  // namespace

NearDuplicateIndex::NearDuplicateIndex(std::size_t recent_rows) : recent_rows_(recent_rows) {}
NearDuplicateIndex::~NearDuplicateIndex() = default;

// Record numbers are given in (time, id) order, so within a key the numbers are in position order and each
// large array is one sort of packed integers.
std::unique_ptr<NearDuplicateIndex::Space> NearDuplicateIndex::build(std::vector<Row> rows) {
  auto s = std::make_unique<Space>();
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.position() < b.position(); });
  s->recs = std::move(rows);
  s->dead.assign(s->recs.size(), 0);
  s->live = s->recs.size();
  const auto n = static_cast<std::uint32_t>(s->recs.size());
  std::vector<std::uint64_t> packed(n);
  for (int k = 0; k < kNearDuplicateKeys; ++k) {
    for (std::uint32_t r = 0; r < n; ++r)
      packed[r] = (static_cast<std::uint64_t>(near_duplicate_keys(s->recs[r].simhash)[k].value) << 32) | r;
    std::sort(packed.begin(), packed.end());
    auto& large = s->keys[static_cast<std::size_t>(k)].large;
    large.resize(n);
    for (std::uint32_t i = 0; i < n; ++i)
      large[i] = {static_cast<std::uint32_t>(packed[i] >> 32), static_cast<std::uint32_t>(packed[i])};
  }
  auto& fps = s->fingerprints.large;
  fps.resize(n);
  for (std::uint32_t r = 0; r < n; ++r) fps[r] = {s->recs[r].simhash, r};
  std::stable_sort(fps.begin(), fps.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return s;
}

void NearDuplicateIndex::load(Id workspace_id, std::vector<Row> rows) {
  auto& slot = spaces_[workspace_id];
  slot = build(std::move(rows));
  ++counts_.loads;
  changes_.push_back({Change::Kind::loaded, workspace_id, 0, nullptr});
}

void NearDuplicateIndex::insert(Id workspace_id, const Row& row) {
  auto it = spaces_.find(workspace_id);
  if (it == spaces_.end() || row.simhash == 0) return;
  Space& s = *it->second;
  const auto rec = static_cast<std::uint32_t>(s.recs.size());
  s.recs.push_back(row);
  s.dead.push_back(0);
  ++s.live;
  const auto keys = near_duplicate_keys(row.simhash);
  for (int k = 0; k < kNearDuplicateKeys; ++k)
    s.keys[static_cast<std::size_t>(k)].pending.push_back({static_cast<std::uint32_t>(keys[k].value), rec});
  s.fingerprints.pending.push_back({row.simhash, rec});
  if (++s.pending >= std::min(kPendingRecords, recent_rows_)) sort_pending(s);
  changes_.push_back({Change::Kind::inserted, workspace_id, rec, nullptr});
  touched_.push_back(workspace_id);
}

// The live record with this fingerprint, time and id, looked up under its fingerprint in each level.
std::optional<std::uint32_t> NearDuplicateIndex::find(const Space& s, const Row& row) const {
  const auto& run = s.fingerprints;
  const Position at = row.position();
  for (const auto* sorted : {&run.large, &run.recent}) {
    auto [first, end] = range(s, *sorted, row.simhash, at);
    for (std::size_t i = end; i < sorted->size() && (*sorted)[i].key == row.simhash; ++i) {
      const std::uint32_t rec = (*sorted)[i].rec;
      if (position(s, rec) != at) break;
      if (!s.dead[rec]) return rec;
    }
  }
  for (const auto& slot : run.pending)
    if (slot.key == row.simhash && !s.dead[slot.rec] && position(s, slot.rec) == at) return slot.rec;
  return std::nullopt;
}

void NearDuplicateIndex::erase(Id workspace_id, const Row& row) {
  auto it = spaces_.find(workspace_id);
  if (it == spaces_.end() || row.simhash == 0) return;
  Space& s = *it->second;
  auto rec = find(s, row);
  if (!rec) return;
  s.dead[*rec] = 1;
  --s.live;
  changes_.push_back({Change::Kind::erased, workspace_id, *rec, nullptr});
  touched_.push_back(workspace_id);
}

void NearDuplicateIndex::drop(Id workspace_id) {
  auto it = spaces_.find(workspace_id);
  if (it == spaces_.end()) return;
  changes_.push_back({Change::Kind::dropped, workspace_id, 0, std::move(it->second)});
  spaces_.erase(it);
}

void NearDuplicateIndex::rollback() {
  for (auto c = changes_.rbegin(); c != changes_.rend(); ++c) {
    switch (c->kind) {
      case Change::Kind::loaded:
        spaces_.erase(c->workspace_id);
        break;
      case Change::Kind::dropped:
        spaces_[c->workspace_id] = std::move(c->space);
        break;
      case Change::Kind::inserted:
      case Change::Kind::erased: {
        // A workspace loaded in the same transaction is already gone again.
        auto it = spaces_.find(c->workspace_id);
        if (it == spaces_.end()) break;
        Space& s = *it->second;
        if (c->kind == Change::Kind::inserted) {
          s.dead[c->rec] = 1;
          --s.live;
        } else {
          s.dead[c->rec] = 0;
          ++s.live;
        }
        break;
      }
    }
  }
  changes_.clear();
  touched_.clear();
}

void NearDuplicateIndex::commit() {
  changes_.clear();
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  for (Id ws : touched_) {
    auto it = spaces_.find(ws);
    if (it == spaces_.end()) continue;
    Space& s = *it->second;
    if (s.recs.size() - s.live > std::max<std::size_t>(s.live, recent_rows_)) {
      // Mostly dead: made anew from the live records, numbered in position order again.
      std::vector<Row> rows;
      rows.reserve(s.live);
      for (std::size_t r = 0; r < s.recs.size(); ++r)
        if (!s.dead[r]) rows.push_back(s.recs[r]);
      it->second = build(std::move(rows));
      ++counts_.merges;
    } else if (s.recent + s.pending > std::max(recent_rows_, s.keys[0].large.size() / kLargeToRecent)) {
      sort_pending(s);
      merge(s);
      ++counts_.merges;
    }
  }
  touched_.clear();
}

// Merges b, the smaller array, into a, both sorted by (key, position); with `drop_dead`, dead rows of either are
// left out. Each of b's rows finds its place in a by a binary search, and the runs of a between are copied
// whole: a key that many records share is not compared row by row (a comparison within one key reads both
// records' positions, far apart in memory).
template <class Slot>
static std::vector<Slot> merged(const std::vector<NearDuplicateIndex::Row>& recs, const std::vector<std::uint8_t>& dead,
                                const std::vector<Slot>& a, const std::vector<Slot>& b, bool drop_dead) {
  std::vector<Slot> out;
  out.reserve(a.size() + b.size());
  auto less = [&](const Slot& x, const Slot& y) {
    return x.key != y.key ? x.key < y.key : recs[x.rec].position() < recs[y.rec].position();
  };
  auto copy = [&](auto first, auto last) {
    if (!drop_dead) {
      out.insert(out.end(), first, last);
      return;
    }
    for (; first != last; ++first)
      if (!dead[first->rec]) out.push_back(*first);
  };
  auto at = a.begin();
  for (const Slot& y : b) {
    auto stop = std::lower_bound(at, a.end(), y, less);
    copy(at, stop);
    at = stop;
    if (!drop_dead || !dead[y.rec]) out.push_back(y);
  }
  copy(at, a.end());
  return out;
}

void NearDuplicateIndex::sort_pending(Space& s) {
  auto fold = [&](auto& run) {
    using Slot = typename std::remove_reference_t<decltype(run.pending)>::value_type;
    std::sort(run.pending.begin(), run.pending.end(), [&](const Slot& x, const Slot& y) {
      return x.key != y.key ? x.key < y.key : position(s, x.rec) < position(s, y.rec);
    });
    run.recent = merged(s.recs, s.dead, run.recent, run.pending, false);
    run.pending.clear();
  };
  for (auto& run : s.keys) fold(run);
  fold(s.fingerprints);
  s.recent += s.pending;
  s.pending = 0;
}

void NearDuplicateIndex::merge(Space& s) {
  for (auto& run : s.keys) {
    run.large = merged(s.recs, s.dead, run.large, run.recent, true);
    run.recent.clear();
  }
  s.fingerprints.large = merged(s.recs, s.dead, s.fingerprints.large, s.fingerprints.recent, true);
  s.fingerprints.recent.clear();
  s.recent = 0;
}

void NearDuplicateIndex::clear() {
  spaces_.clear();
  changes_.clear();
  touched_.clear();
  ++counts_.clears;
}

std::optional<NearDuplicateIndex::Position> NearDuplicateIndex::first_identical(Id workspace_id, std::uint64_t fp,
                                                                                Position before,
                                                                                std::int64_t self) const {
  auto it = spaces_.find(workspace_id);
  if (it == spaces_.end()) return std::nullopt;
  const Space& s = *it->second;
  const auto& run = s.fingerprints;
  std::optional<Position> best;
  auto offer = [&](std::uint32_t rec) {
    if (s.dead[rec] || s.recs[rec].uid == self) return false;
    const Position at = position(s, rec);
    if (!best || at < *best) best = at;
    return true;
  };
  for (const auto* sorted : {&run.large, &run.recent}) {
    auto [first, end] = range(s, *sorted, fp, before);
    for (std::size_t i = first; i < end; ++i)
      if (offer((*sorted)[i].rec)) break;
  }
  for (const auto& slot : run.pending)
    if (slot.key == fp && position(s, slot.rec) < before) offer(slot.rec);
  return best;
}

NearDuplicateIndex::Stats NearDuplicateIndex::stats() const {
  Stats out = counts_;
  out.workspaces = static_cast<std::int64_t>(spaces_.size());
  for (const auto& [id, s] : spaces_) {
    out.records += static_cast<std::int64_t>(s->live);
    std::size_t bytes = s->recs.capacity() * sizeof(Row) + s->dead.capacity();
    auto add = [&](const auto& run) {
      bytes += (run.large.capacity() + run.recent.capacity() + run.pending.capacity()) * sizeof(run.large[0]);
    };
    for (const auto& run : s->keys) add(run);
    add(s->fingerprints);
    out.bytes += static_cast<std::int64_t>(bytes);
  }
  return out;
}

}  // namespace chorus::store
