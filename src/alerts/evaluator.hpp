// The alert evaluator: judges each enabled rule on live items and puts what fires into the outbox, once
// per rule, subject and episode, with at most one update when a burst grows materially after it was sent. Only one evaluator runs at a time across processes (a store lease), so
// two reports processes never decide the same alert twice; the outbox's dedup key guards it as well.
#pragma once

#include <string>
#include <vector>

#include "alerts/alert_event.hpp"
#include "store/store.hpp"

namespace chorus::alerts {

struct EvaluatorOptions {
  std::string dashboard_base = "http://127.0.0.1:8080";  // links in messages point here
  // A fired alert waits this long before it is sent: a burst still growing folds into the one message.
  TimeMs settle_ms = 10000;
};

class AlertEvaluator {
 public:
  AlertEvaluator(store::Store& store, EvaluatorOptions options) : store_(store), options_(std::move(options)) {}

  // Judges the rules of these workspaces (all workspaces when `all`) at `now`. Returns how many alerts fired.
  Result<std::size_t> evaluate(const std::vector<store::AlertRule>& rules, TimeMs now);
  // A rule's sample event for POST .../alerts/{id}/test: the newest records' words, marked as a test.
  Result<AlertEvent> sample_event(const store::AlertRule& rule, TimeMs now);

 private:
  struct Firing {
    std::string subject;
    std::string window_key;
    TimeMs window_end = 0;
    AlertEvent event;
  };
  Result<std::vector<Firing>> judge(const store::AlertRule& rule, TimeMs now);
  Result<std::vector<Firing>> judge_emerging(const store::AlertRule& rule, TimeMs now);
  Result<std::vector<Firing>> judge_negative_share(const store::AlertRule& rule, TimeMs now);
  Result<std::vector<Firing>> judge_new_theme(const store::AlertRule& rule, TimeMs now);
  Result<std::vector<Firing>> judge_source_stale(const store::AlertRule& rule, TimeMs now);
  Result<std::optional<Firing>> judge_quiet_source(const store::AlertRule& rule, const store::Source& source,
                                                  TimeMs now);
  Result<std::vector<Firing>> judge_weekly_digest(const store::AlertRule& rule, TimeMs now);
  Status add_quotes(AlertEvent& event, const store::LiveWindow& window, const std::string& theme);
  AlertEvent base_event(const store::AlertRule& rule, TimeMs now);
  Result<bool> put(const store::AlertRule& rule, Firing firing, TimeMs now);
  // The episode is open: extend it, or add its one update when the count grew enough since it was sent.
  Result<bool> follow_up(const store::AlertRule& rule, const store::AlertDelivery& last, Firing firing);

  store::Store& store_;
  EvaluatorOptions options_;
};

// The dashboard view of a workspace's feedback, filtered to a theme when given.
std::string dashboard_link(const std::string& base, Id workspace_id, const std::optional<std::string>& theme);

}  // namespace chorus::alerts
