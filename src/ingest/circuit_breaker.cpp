// The breaker's state machine and the per-source table.
#include "ingest/circuit_breaker.hpp"

#include <algorithm>

namespace chorus::ingest {

CircuitBreaker::CircuitBreaker(BreakerPolicy policy) : policy_(policy), cool_down_(policy.cool_down) {
  policy_.failure_threshold = std::max(1, policy_.failure_threshold);
}

bool CircuitBreaker::allow(TimeMs now) {
  if (!open_) return true;
  if (probing_ || now < open_until_) return false;
  probing_ = true;
  return true;
}

void CircuitBreaker::record_success() {
  open_ = probing_ = false;
  failures_ = 0;
  cool_down_ = policy_.cool_down;
}

void CircuitBreaker::record_failure(TimeMs now) {
  ++failures_;
  if (probing_) {
    // The probe failed: back off further before the next one.
    probing_ = false;
    cool_down_ = std::min(policy_.max_cool_down, cool_down_ * 2);
    open_until_ = now + cool_down_.count();
    return;
  }
  if (!open_ && failures_ >= policy_.failure_threshold) {
    open_ = true;
    open_until_ = now + cool_down_.count();
  }
}

CircuitBreaker::State CircuitBreaker::state(TimeMs now) const {
  if (!open_) return State::closed;
  if (probing_ || now >= open_until_) return State::half_open;
  return State::open;
}

const char* state_name(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed:
      return "closed";
    case CircuitBreaker::State::open:
      return "open";
    case CircuitBreaker::State::half_open:
      return "half_open";
  }
  return "closed";
}

SourceBreakers::Entry& SourceBreakers::entry(Id source) {
  return breakers_.try_emplace(source, Entry{CircuitBreaker(policy_), {}}).first->second;
}

SourceBreakers::Admission SourceBreakers::admit(Id source, TimeMs now) {
  std::lock_guard lock(mu_);
  Entry& e = entry(source);
  bool was_open = e.breaker.state(now) != CircuitBreaker::State::closed;
  Admission a;
  a.allowed = e.breaker.allow(now);
  a.probe = a.allowed && was_open;
  a.failures = e.breaker.consecutive_failures();
  a.retry_at = e.breaker.retry_at();
  a.last_error = e.last_error;
  return a;
}

void SourceBreakers::succeeded(Id source) {
  std::lock_guard lock(mu_);
  // A closed breaker with no failures is the default: no entry needed.
  breakers_.erase(source);
}

void SourceBreakers::failed(Id source, TimeMs now, std::string why) {
  std::lock_guard lock(mu_);
  Entry& e = entry(source);
  e.breaker.record_failure(now);
  e.last_error = std::move(why);
}

void SourceBreakers::forget(Id source) {
  std::lock_guard lock(mu_);
  breakers_.erase(source);
}

CircuitBreaker::State SourceBreakers::state(Id source, TimeMs now) const {
  std::lock_guard lock(mu_);
  auto it = breakers_.find(source);
  return it == breakers_.end() ? CircuitBreaker::State::closed : it->second.breaker.state(now);
}

std::size_t SourceBreakers::open_count(TimeMs now) const {
  std::lock_guard lock(mu_);
  return static_cast<std::size_t>(std::count_if(breakers_.begin(), breakers_.end(), [&](const auto& kv) {
    return kv.second.breaker.state(now) != CircuitBreaker::State::closed;
  }));
}

}  // namespace chorus::ingest
