// ConsumerLoop.
#include "roles/consumer_loop.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace chorus::roles {

ConsumerLoop::ConsumerLoop(std::string role, bus::Bus& bus, std::string topic, std::string group, std::size_t batch,
                           BatchHandler handler)
    : role_(std::move(role)), topic_(std::move(topic)), group_(std::move(group)), bus_(bus), batch_(batch),
      handler_(std::move(handler)) {}

ConsumerLoop::~ConsumerLoop() { stop(); }

void ConsumerLoop::start(ThreadPriority priority) {
  running_ = true;
  {
    std::lock_guard lock(mu_);
    state_ = "running";
  }
  thread_ = std::thread([this, priority] {
    // Named for top -H, perf and gdb: "chorus/parser", "chorus/reports" (at most 15 characters).
    pthread_setname_np(pthread_self(), ("chorus/" + role_).substr(0, 15).c_str());
    if (priority != ThreadPriority::normal && !set_this_thread_priority(priority))
      spdlog::warn("{}: could not lower its thread to background priority; it runs at normal priority", role_);
    run();
  });
}

void ConsumerLoop::stop() {
  running_ = false;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  state_ = "stopped";
}

void ConsumerLoop::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [this] { return !running_; });
}

void ConsumerLoop::wait_while(const std::function<bool()>& cond) {
  while (running_ && cond()) pause(kHoldStep);
}

json::object ConsumerLoop::health() const {
  std::lock_guard lock(mu_);
  return json::object{{"state", state_},
                      {"topic", topic_},
                      {"group", group_},
                      {"processed", processed_},
                      {"failures", failures_},
                      {"dead_lettered", dead_lettered_},
                      {"last_error", last_error_.empty() ? json::value(nullptr) : json::value(last_error_)}};
}

Status ConsumerLoop::isolate_poison(std::span<const bus::Message> batch) {
  for (const auto& m : batch) {
    Status one = handler_(std::span<const bus::Message>(&m, 1));
    if (one || one.error().code == ErrorCode::unavailable) {
      if (!one) return one;
      continue;
    }
    json::object letter{{"role", role_},     {"topic", m.topic},         {"partition", m.partition},
                        {"offset", m.offset}, {"key", m.key},             {"payload", m.payload},
                        {"error", one.error().message}, {"failed_at", format_time(now_ms())}};
    if (auto s = bus_.publish(bus::kDeadLetters, m.key, to_json_string(letter)); !s) return s;
    spdlog::error("{}: moved {}/{}/{} to {} after repeated failures: {}", role_, m.topic, m.partition, m.offset,
                  bus::kDeadLetters, one.error().message);
    std::lock_guard lock(mu_);
    ++dead_lettered_;
  }
  failed_runs_ = 0;
  return {};
}

void ConsumerLoop::run() {
  std::chrono::milliseconds backoff{100};
  std::unique_ptr<bus::Consumer> consumer;
  while (running_) {
    if (!consumer) {
      auto c = bus_.subscribe(topic_, group_);
      if (!c) {
        spdlog::warn("{}: cannot subscribe to {}: {}", role_, topic_, c.error().message);
        pause(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      consumer = std::move(c.value());
    }
    if (hold_ && hold_()) {
      pause(kHoldStep);
      continue;
    }
    const std::size_t take = cap_ ? std::clamp<std::size_t>(cap_(), 1, batch_) : batch_;
    auto batch = consumer->poll(take, std::chrono::milliseconds(250));
    if (!batch) {
      spdlog::warn("{}: poll failed: {}", role_, batch.error().message);
      consumer.reset();
      pause(backoff);
      continue;
    }
    if (batch->empty()) continue;
    Status done = handler_(*batch);
    if (!done && done.error().code != ErrorCode::unavailable) {
      // Not a dependency being down: the same batch failed before, so one message in it is poison.
      std::pair<std::int32_t, std::int64_t> at{batch->front().partition, batch->front().offset};
      failed_runs_ = at == failed_at_ ? failed_runs_ + 1 : 1;
      failed_at_ = at;
      if (failed_runs_ >= kPoisonAfter) done = isolate_poison(*batch);
    }
    if (done) done = consumer->commit(batch->back());
    if (done) {
      std::lock_guard lock(mu_);
      processed_ += static_cast<std::int64_t>(batch->size());
      state_ = "running";
      last_error_.clear();
      backoff = std::chrono::milliseconds(100);
      continue;
    }
    // Redeliver from the committed position after a pause: the work is idempotent.
    {
      std::lock_guard lock(mu_);
      ++failures_;
      state_ = "retrying";
      last_error_ = done.error().message;
    }
    spdlog::warn("{}: batch failed, retrying in {} ms: {}", role_, backoff.count(), done.error().message);
    consumer.reset();
    pause(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace chorus::roles
