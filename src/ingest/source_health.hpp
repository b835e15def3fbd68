// Stale health: a scheduled source that has produced nothing new for several of its intervals is
// probably broken in a way no error shows (a renamed repository, an empty search, revoked scopes).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>

#include "core/record.hpp"
#include "core/time.hpp"

namespace chorus::ingest {

class StaleWatch {
 public:
  // Quiet for this many schedule intervals means stale.
  explicit StaleWatch(int intervals = 3) : intervals_(intervals < 1 ? 1 : intervals) {}

  // Feeds a scheduled source's item count as the store reports it now; true when no new item has
  // arrived for `intervals` times `every_ms`. The first observation starts the clock, so a restart
  // never marks anything stale before it has watched for that long.
  bool observe(Id source, std::int64_t items_total, TimeMs every_ms, TimeMs now);
  void forget(Id source);

 private:
  struct Seen {
    std::int64_t items_total = 0;
    TimeMs changed_at = 0;
  };
  int intervals_;
  std::mutex mu_;
  std::map<Id, Seen> seen_;
};

}  // namespace chorus::ingest
