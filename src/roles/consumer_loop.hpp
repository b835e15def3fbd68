// ConsumerLoop: one thread that polls a topic for its role's consumer group, hands each batch to the
// role, and commits only after the role reports the batch durable. A failing batch is retried from the
// committed position with backoff, so nothing is lost and nothing blocks shutdown. A batch that keeps
// failing for a reason other than an unavailable dependency is retried message by message, and the
// message that still fails goes to the dead-letter topic with its error, so it never stalls a partition.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "bus/bus.hpp"
#include "roles/thread_priority.hpp"

namespace chorus::roles {

class ConsumerLoop {
 public:
  using BatchHandler = std::function<Status(std::span<const bus::Message>)>;

  ConsumerLoop(std::string role, bus::Bus& bus, std::string topic, std::string group, std::size_t batch,
               BatchHandler handler);
  ~ConsumerLoop();

  // Before each poll, while `hold` says so, the loop waits instead of taking a batch (checking again every
  // kHoldStep). Set before start().
  void hold_while(std::function<bool()> hold) { hold_ = std::move(hold); }
  // Before each poll, the most messages to take this time (at most the loop's batch). Set before start().
  void cap_batch(std::function<std::size_t()> cap) { cap_ = std::move(cap); }
  // Starts the loop's thread, scheduled with `priority`.
  void start(ThreadPriority priority = ThreadPriority::normal);
  // Finishes the batch in hand, then stops.
  void stop();
  // For the handler, mid-batch: waits in steps of kHoldStep while `cond` says so, or until the loop stops.
  void wait_while(const std::function<bool()>& cond);
  json::object health() const;

 private:
  void run();
  void pause(std::chrono::milliseconds d);
  Status isolate_poison(std::span<const bus::Message> batch);

  static constexpr int kPoisonAfter = 3;  // failed runs of the same batch before it is taken apart
  static constexpr std::chrono::milliseconds kHoldStep{20};

  std::string role_, topic_, group_;
  bus::Bus& bus_;
  std::size_t batch_;
  BatchHandler handler_;
  std::function<bool()> hold_;
  std::function<std::size_t()> cap_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string state_ = "stopped";
  std::string last_error_;
  std::int64_t processed_ = 0;
  std::int64_t failures_ = 0;
  std::int64_t dead_lettered_ = 0;
  std::pair<std::int32_t, std::int64_t> failed_at_{-1, -1};  // first message of the batch that failed
  int failed_runs_ = 0;
};

}  // namespace chorus::roles
