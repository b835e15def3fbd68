// Near-duplicate lookups in memory, by the stores' rule (kNearDuplicateScan in core/near_duplicate_keys.hpp),
// for a pass that sees records in (timestamp, unique_identifier) order: the re-analysis of a workspace.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
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
    std::size_t bound = entries_.size();  // a match must come before this entry
    std::optional<std::size_t> best;
    if (auto same = first_with_.find(fp); same != first_with_.end()) best = bound = same->second;
    std::optional<std::uint64_t> found;  // the fingerprint of a match the keys found
    for (const NearDuplicateKey& k : near_duplicate_keys(fp)) {
      auto it = keys_.find(slot(k));
      if (it == keys_.end()) continue;
      const std::vector<std::size_t>& rows = it->second;  // ascending
      auto end = std::lower_bound(rows.begin(), rows.end(), bound);
      auto begin = end - std::min<std::ptrdiff_t>(end - rows.begin(), kNearDuplicateScan);
      for (auto r = begin; r != end; ++r) {
        if (std::popcount(entries_[*r].fp ^ fp) <= max_distance) {  // the earliest of the newest rows
          best = bound = *r;
          found = entries_[*r].fp;
          break;
        }
      }
    }
    if (found) best = first_with_.at(*found);  // the earliest copy of the match is as near
    if (!best) return std::nullopt;
    return entries_[*best].uid;
  }

  // Records must be added in (timestamp, unique_identifier) order, so a lower index is an earlier record.
  void add(std::int64_t uid, std::uint64_t fp) {
    if (fp == 0) return;
    entries_.push_back({uid, fp});
    first_with_.try_emplace(fp, entries_.size() - 1);
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
  std::unordered_map<std::uint64_t, std::size_t> first_with_;  // fingerprint -> its first entry
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> keys_;
};

}  // namespace chorus
