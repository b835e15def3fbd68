// alerts: feedback.records -> live items (its own consumer group); an evaluator that turns live items into
// outbox messages (one at a time across processes, by a store lease); a sender that drains the outbox.
// Runs wherever the reports role runs, on threads of its own: a dead endpoint never slows the pipeline. The
// evaluator's lease holder also runs the daily maintenance: workspaces' retention.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "alerts/delivery.hpp"
#include "alerts/evaluator.hpp"
#include "roles/roles.hpp"

namespace chorus::roles {

struct AlertsOptions {
  std::chrono::milliseconds evaluate_every{5000};  // how often live items are judged
  std::chrono::milliseconds send_every{1000};      // how often the outbox is looked at
  alerts::EvaluatorOptions evaluator;
  alerts::DeliveryOptions delivery;
};

class AlertsRole {
 public:
  AlertsRole(RoleDeps deps, AlertsOptions options);
  ~AlertsRole();
  void start();
  void stop();
  json::object health() const;

 private:
  Status take_records(std::span<const bus::Message> batch);
  void evaluate_loop();
  void send_loop();
  Status evaluate_once(TimeMs now);
  bool wait(std::chrono::milliseconds d);

  RoleDeps deps_;
  AlertsOptions options_;
  ConsumerLoop loop_;
  alerts::AlertEvaluator evaluator_;
  alerts::DeliverySender sender_;
  const std::string owner_;  // this process's name for the evaluator lease
  std::atomic<bool> running_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread evaluator_thread_, sender_thread_;
  TimeMs last_full_pass_ = 0, last_pass_ = 0, last_prune_ = 0, last_retention_ = 0;
  std::atomic<std::int64_t> fired_{0}, sent_{0};
  std::atomic<bool> leading_{false};
  mutable std::mutex error_mu_;
  std::string last_error_;
};

}  // namespace chorus::roles
