// IngressBacklog.
#include "api/ingress_backlog.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace chorus::api {

IngressBacklog::IngressBacklog(bus::Bus& bus, BacklogPolicy policy) : bus_(bus), policy_(policy) {}

void IngressBacklog::refresh_locked(std::chrono::steady_clock::time_point now) {
  auto position = bus_.group_position(bus::kRawItems, "parser");
  if (!position) {
    lag_ = -1;  // unknown: deliveries are accepted (the bus itself refuses what it cannot store)
  } else {
    lag_ = position->lag;
    if (committed_ >= 0 && read_at_ != std::chrono::steady_clock::time_point{}) {
      double secs = std::chrono::duration<double>(now - read_at_).count();
      if (secs > 0) drain_per_s_ = static_cast<double>(std::max<std::int64_t>(0, position->committed - committed_)) / secs;
    }
    committed_ = position->committed;
  }
  read_at_ = now;
  cached_lag_.store(lag_, std::memory_order_relaxed);
}

std::optional<int> IngressBacklog::refuse() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - read_at_ >= policy_.refresh) refresh_locked(now);  // also without a bound: cached_lag() reads it
  if (policy_.max_backlog <= 0) return std::nullopt;
  bool over = lag_ > policy_.max_backlog;
  if (over != refusing_) {
    refusing_ = over;
    if (over)
      spdlog::warn("webhook: the parser is {} deliveries behind (bound {}): refusing new deliveries with 503 and "
                   "Retry-After until it catches up",
                   lag_, policy_.max_backlog);
    else
      spdlog::info("webhook: the parser backlog is down to {} (bound {}): accepting deliveries again", lag_,
                   policy_.max_backlog);
  }
  if (!over) return std::nullopt;
  // Long enough for the parser to take the excess at its recent rate, within 1 s to 60 s.
  double excess = static_cast<double>(lag_ - policy_.max_backlog);
  double wait = drain_per_s_ > 0 ? excess / drain_per_s_ : 5.0;
  return static_cast<int>(std::clamp(std::ceil(wait), 1.0, 60.0));
}

json::object IngressBacklog::health() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - read_at_ >= policy_.refresh) refresh_locked(now);
  return json::object{{"backlog", lag_}, {"max_backlog", policy_.max_backlog}, {"refusing", refusing_}};
}

}  // namespace chorus::api
