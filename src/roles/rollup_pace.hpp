// RollupPace: keeps the parser about a chunk ahead of the reports role when both run in one process.
//
// On two cores the parser and its analysis threads take most of the CPU; the reports role, which folds every
// stored record into the rollups, falls behind and then works alone once the parser is done, one core idle.
// Holding the parser while the reports role is more than a bound behind keeps the rollups within about a chunk
// of the records: during a 400,000-item import the reports role fell 166,000 records behind without it and
// counted the last records 7 s after they were stored; with it, about a second after. A reports role that
// makes no progress (failing, or stopped) never holds the parser up.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "bus/bus.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace chorus::roles {

struct RollupPacePolicy {
  std::int64_t max_lag = 16384;             // records the reports role may be behind; <= 0: never hold
  std::chrono::milliseconds refresh{50};    // how often the reports role's position is read
  std::chrono::milliseconds stalled{5000};  // no progress for this long: the parser goes on regardless
};

class RollupPace {
 public:
  using Clock = std::chrono::steady_clock;
  // `position`: where the reports role's group stands on the records topic.
  RollupPace(std::function<Result<bus::GroupPosition>()> position, RollupPacePolicy policy);

  // Whether the parser should wait a moment rather than store its next chunk. Called by one thread.
  bool hold(Clock::time_point now = Clock::now());
  // Whether it holds now, the lag it last read, its bound, and the time spent holding.
  json::object health() const;

 private:
  std::function<Result<bus::GroupPosition>()> position_;
  RollupPacePolicy policy_;
  mutable std::mutex mu_;  // health() reads from another thread
  Clock::time_point read_at_{};
  Clock::time_point progressed_at_{};
  std::int64_t committed_ = -1;
  std::int64_t lag_ = -1;  // -1: unknown
  bool holding_ = false;
  Clock::time_point held_since_{};
  std::int64_t held_ms_ = 0;
};

}  // namespace chorus::roles
