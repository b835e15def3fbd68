// An in-memory near-duplicate index over records added in (time, id) order: the re-analysis job's, answering
// by the same bounded rule as the stores' lookups (core/near_duplicate_keys.hpp), so that both name the same
// record.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/near_duplicate_keys.hpp"

namespace chorus {

class NearDuplicateIndex {
 public:
  // The near-duplicate of a record with fingerprint `fp` among those added so far (all of them before it).
  std::optional<std::int64_t> earliest_match(std::uint64_t fp, int max_distance) const {
    if (fp == 0) return std::nullopt;
    std::size_t bound = entries_.size();  // the direct hit, else the record (after every entry)
    if (auto it = first_of_.find(fp); it != first_of_.end()) bound = it->second;
    std::size_t best = bound;
    for (const NearDuplicateKey& k : near_duplicate_keys(fp)) {
      auto it = keys_.find(slot(k));
      if (it == keys_.end()) continue;
      const std::vector<std::size_t>& rows = it->second;  // ascending
      auto end = std::lower_bound(rows.begin(), rows.end(), bound);
      for (int read = 0; end != rows.begin() && read < kNearDuplicateScan; ++read) {
        const Entry& e = entries_[*--end];
        // The first entry with a candidate's fingerprint comes no later than the candidate.
        if (std::popcount(e.fp ^ fp) <= max_distance) best = std::min(best, first_of_.at(e.fp));
      }
    }
    if (best == entries_.size()) return std::nullopt;
    return entries_[best].uid;
  }
  // Records must be added in (timestamp, unique_identifier) order, so a lower index is an earlier record.
  void add(std::int64_t uid, std::uint64_t fp) {
    if (fp == 0) return;
    entries_.push_back({uid, fp});
    first_of_.emplace(fp, entries_.size() - 1);
    for (const NearDuplicateKey& k : near_duplicate_keys(fp)) keys_[slot(k)].push_back(entries_.size() - 1);
  }

 private:
  static std::uint64_t slot(const NearDuplicateKey& k) {
    return (static_cast<std::uint64_t>(k.index) << 32) | static_cast<std::uint64_t>(k.value);
  }
  struct Entry {
    std::int64_t uid;
    std::uint64_t fp;
  };
  std::vector<Entry> entries_;
  std::unordered_map<std::uint64_t, std::size_t> first_of_;  // fingerprint -> its earliest entry
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> keys_;
};

}  // namespace chorus
