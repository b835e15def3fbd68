// The parser stepping aside for a webhook burst when both run in one process. On a small machine a
// parser analysing at full speed takes CPU from the threads answering senders, and their latency grows
// (measured in bench/RESULTS.md: the all-roles p99 fell from over 20 ms to under 10 ms with this). While
// accepted deliveries arrive faster than a set rate, the parser waits before each poll instead; it stops
// waiting once it is a set number of deliveries behind, so webhooks are never refused because of it, and
// once the burst ends it drains the backlog at full speed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "core/json.hpp"

namespace chorus::roles {

struct IngressYieldPolicy {
  double busy_per_s = 5000;       // accepted deliveries a second that make a burst
  std::int64_t max_lag = 500000;  // the parser stops stepping aside this far behind; 0: it never does
  std::chrono::milliseconds sample{20};  // the shortest span the delivery rate is measured over
};

class IngressYield {
 public:
  using Clock = std::chrono::steady_clock;
  // `accepted`: deliveries accepted so far (a running count); `lag`: how far the parser is behind, -1 when
  // unknown (then it never steps aside).
  IngressYield(std::function<std::uint64_t()> accepted, std::function<std::int64_t()> lag, IngressYieldPolicy policy);

  // Whether the parser should wait a moment rather than take its next batch. Called by one thread.
  bool hold(Clock::time_point now = Clock::now());
  // Whether any delivery arrived in the span the rate was last measured over (as of the last hold()).
  bool ingress_active() const;
  // Whether it is stepping aside now, the delivery rate it last saw, its limits, and the time spent waiting.
  json::object health() const;

 private:
  std::function<std::uint64_t()> accepted_;
  std::function<std::int64_t()> lag_;
  IngressYieldPolicy policy_;
  mutable std::mutex mu_;  // health() reads from another thread
  Clock::time_point sampled_at_{};
  std::uint64_t sampled_count_ = 0;
  double rate_ = 0;
  bool holding_ = false;
  Clock::time_point held_since_{};
  std::int64_t held_ms_ = 0;
};

}  // namespace chorus::roles
