// IngressYield.
#include "roles/ingress_yield.hpp"

namespace chorus::roles {

IngressYield::IngressYield(std::function<std::uint64_t()> accepted, std::function<std::int64_t()> lag,
                           IngressYieldPolicy policy)
    : accepted_(std::move(accepted)), lag_(std::move(lag)), policy_(policy) {}

bool IngressYield::hold(Clock::time_point now) {
  if (policy_.max_lag <= 0) return false;
  std::uint64_t count = accepted_();
  std::lock_guard lock(mu_);
  if (sampled_at_ == Clock::time_point{}) {
    sampled_at_ = now;  // the first call only starts the count
    sampled_count_ = count;
  } else if (now - sampled_at_ >= policy_.sample) {
    double secs = std::chrono::duration<double>(now - sampled_at_).count();
    rate_ = static_cast<double>(count - sampled_count_) / secs;
    sampled_at_ = now;
    sampled_count_ = count;
  }
  bool hold = false;
  if (rate_ >= policy_.busy_per_s) {
    std::int64_t lag = lag_();
    hold = lag >= 0 && lag < policy_.max_lag;
  }
  if (holding_) held_ms_ += std::chrono::duration_cast<std::chrono::milliseconds>(now - held_since_).count();
  holding_ = hold;
  held_since_ = now;
  return hold;
}

bool IngressYield::ingress_active() const {
  std::lock_guard lock(mu_);
  return rate_ > 0;
}

json::object IngressYield::health() const {
  std::lock_guard lock(mu_);
  return json::object{{"yielding", holding_},
                      {"ingress_per_s", static_cast<std::int64_t>(rate_)},
                      {"busy_per_s", policy_.busy_per_s},
                      {"max_lag", policy_.max_lag},
                      {"held_ms", held_ms_}};
}

}  // namespace chorus::roles
