// ConsumerLoop: one thread that polls a topic for its role's consumer group, hands each batch to the
// role, and commits only after the role reports the batch durable. A failing batch is retried from the
// committed position with backoff, so nothing is lost and nothing blocks shutdown.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "bus/bus.hpp"

namespace chorus::roles {

class ConsumerLoop {
 public:
  using BatchHandler = std::function<Status(std::span<const bus::Message>)>;

  ConsumerLoop(std::string role, bus::Bus& bus, std::string topic, std::string group, std::size_t batch,
               BatchHandler handler);
  ~ConsumerLoop();

  void start();
  // Finishes the batch in hand, then stops.
  void stop();
  json::object health() const;

 private:
  void run();
  void pause(std::chrono::milliseconds d);

  std::string role_, topic_, group_;
  bus::Bus& bus_;
  std::size_t batch_;
  BatchHandler handler_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string state_ = "stopped";
  std::string last_error_;
  std::int64_t processed_ = 0;
  std::int64_t failures_ = 0;
};

}  // namespace chorus::roles
