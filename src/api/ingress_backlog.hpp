// Backpressure for the webhook ingress: how far the parser group is behind on raw.items, read from the bus
// at most once per refresh interval, and whether a new delivery should be refused until it catches up. It
// also counts the deliveries accepted, so a parser in the same process can tell a burst is arriving.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "bus/bus.hpp"

namespace chorus::api {

struct BacklogPolicy {
  std::int64_t max_backlog = 100000;  // raw.items messages the parser group may be behind; 0: no bound
  std::chrono::milliseconds refresh{250};  // how stale the lag figure may be
};

class IngressBacklog {
 public:
  IngressBacklog(bus::Bus& bus, BacklogPolicy policy);

  // When the backlog is over the bound: how many seconds the sender should wait (Retry-After), else nullopt.
  // Logs once when refusing starts and once when it ends.
  std::optional<int> refuse();
  // The last lag read (-1 when the bus could not tell), the bound, and whether deliveries are refused.
  json::object health();
  // A delivery was stored and answered 202.
  void accepted() noexcept { accepted_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t accepted_total() const noexcept { return accepted_.load(std::memory_order_relaxed); }
  // The lag as last read, without reading the bus (-1 when unknown). While deliveries arrive, each of them
  // refreshes it within the refresh interval.
  std::int64_t cached_lag() const noexcept { return cached_lag_.load(std::memory_order_relaxed); }

 private:
  void refresh_locked(std::chrono::steady_clock::time_point now);

  bus::Bus& bus_;
  BacklogPolicy policy_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point read_at_{};
  std::int64_t lag_ = -1;
  bool refusing_ = false;
  // The drain rate seen between two reads while refusing, for Retry-After.
  std::int64_t committed_ = -1;
  double drain_per_s_ = 0;
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::int64_t> cached_lag_{-1};
};

}  // namespace chorus::api
