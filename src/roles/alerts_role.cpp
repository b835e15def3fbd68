// The alerts role's wiring.
#include "roles/alerts_role.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "alerts/live_items.hpp"
#include "roles/stored_record.hpp"

namespace chorus::roles {

namespace {
constexpr TimeMs kFullPassEvery = 60000;  // every rule, whether or not new items came (stale sources, lapsing episodes)
constexpr TimeMs kPruneEvery = 3600000;
constexpr TimeMs kRetentionEvery = 24 * 3600000;  // workspaces' retention_days, applied daily and at start-up
}  // namespace

AlertsRole::AlertsRole(RoleDeps deps, AlertsOptions options)
    : deps_(deps),
      options_(std::move(options)),
      loop_("alerts", deps.bus, std::string(bus::kFeedbackRecords), "alerts", 256,
            [this](std::span<const bus::Message> b) { return take_records(b); }),
      evaluator_(deps.store, options_.evaluator),
      sender_(deps.store, deps.secrets, options_.delivery),
      owner_("alerts-" + random_token(9)) {}

AlertsRole::~AlertsRole() { stop(); }

Status AlertsRole::take_records(std::span<const bus::Message> batch) {
  std::vector<store::LiveItem> items;
  TimeMs now = now_ms();
  for (const auto& m : batch) {
    auto r = read_counted_record(m.payload);  // a live item takes a few of its fields
    if (!r) continue;  // the reports role logs unreadable records
    if (auto item = alerts::live_item_of(*r, now)) items.push_back(std::move(*item));
  }
  return deps_.store.add_live_items(items);
}

void AlertsRole::start() {
  if (running_.exchange(true)) return;
  loop_.start();
  evaluator_thread_ = std::thread([this] { evaluate_loop(); });
  sender_thread_ = std::thread([this] { send_loop(); });
}

void AlertsRole::stop() {
  if (!running_.exchange(false)) return;
  cv_.notify_all();
  if (evaluator_thread_.joinable()) evaluator_thread_.join();
  if (sender_thread_.joinable()) sender_thread_.join();
  loop_.stop();
}

bool AlertsRole::wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [this] { return !running_.load(); });
  return running_.load();
}

Status AlertsRole::evaluate_once(TimeMs now) {
  const TimeMs every = options_.evaluate_every.count();
  auto held = deps_.store.hold_lease("alerts.evaluator", owner_, now, 3 * every + 10000);
  if (!held) return held.error();
  leading_ = *held;
  if (!*held) return {};
  auto rules = deps_.store.list_enabled_alert_rules();
  if (!rules) return rules.error();
  const bool full = now - last_full_pass_ >= kFullPassEvery;
  std::vector<store::AlertRule> chosen;
  if (full) {
    chosen = std::move(*rules);
    last_full_pass_ = now;
  } else {
    // Only the workspaces that received live items since the last pass (with room for clocks and commit order).
    auto fresh = deps_.store.workspaces_with_new_live_items(last_pass_ - 2 * every - 5000);
    if (!fresh) return fresh.error();
    std::set<Id> ws(fresh->begin(), fresh->end());
    for (auto& r : *rules)
      if (ws.contains(r.workspace_id) && r.kind != "source_stale" && r.kind != "weekly_digest")
        chosen.push_back(std::move(r));
  }
  last_pass_ = now;
  auto fired = evaluator_.evaluate(chosen, now);
  if (!fired) return fired.error();
  fired_ += static_cast<std::int64_t>(*fired);
  if (*fired) deps_.metrics.add("chorus_alerts_fired_total", static_cast<std::int64_t>(*fired));
  if (now - last_prune_ >= kPruneEvery) {
    if (auto s = deps_.store.prune_live_items(now - alerts::kLiveRetention); !s) return s;
    last_prune_ = now;
  }
  if (now - last_retention_ >= kRetentionEvery) {
    auto pass = store::apply_retention(deps_.store, now);
    if (!pass) {
      last_retention_ = now - kRetentionEvery + kPruneEvery;  // tried again in an hour
      return pass.error();
    }
    last_retention_ = now;
    if (pass->records > 0) {
      spdlog::info("retention: removed {} records older than their workspace's retention_days in {} workspaces",
                   pass->records, pass->workspaces);
      deps_.metrics.add("chorus_records_expired_total", pass->records);
    }
  }
  return {};
}

void AlertsRole::evaluate_loop() {
  while (running_) {
    if (auto s = evaluate_once(now_ms()); !s) {
      spdlog::warn("alerts: evaluation failed, retrying: {}", s.error().message);
      std::lock_guard lock(error_mu_);
      last_error_ = s.error().message;
    }
    if (!wait(options_.evaluate_every)) break;
  }
}

void AlertsRole::send_loop() {
  while (running_) {
    auto sent = sender_.run_once(now_ms());
    if (!sent) {
      spdlog::warn("alerts: delivery pass failed, retrying: {}", sent.error().message);
      std::lock_guard lock(error_mu_);
      last_error_ = sent.error().message;
    } else {
      sent_ += static_cast<std::int64_t>(*sent);
      if (*sent) continue;  // more may be due at once
    }
    if (!wait(options_.send_every)) break;
  }
}

json::object AlertsRole::health() const {
  json::object h = loop_.health();
  h["evaluator"] = leading_ ? "leading" : "standby";
  h["alerts_fired"] = fired_.load();
  h["deliveries_attempted"] = sent_.load();
  std::lock_guard lock(error_mu_);
  if (!last_error_.empty()) h["last_alerts_error"] = last_error_;
  return h;
}

}  // namespace chorus::roles
