// RollupPace.
#include "roles/rollup_pace.hpp"

namespace chorus::roles {

RollupPace::RollupPace(std::function<Result<bus::GroupPosition>()> position, RollupPacePolicy policy)
    : position_(std::move(position)), policy_(policy) {}

bool RollupPace::hold(Clock::time_point now) {
  if (policy_.max_lag <= 0) return false;
  std::lock_guard lock(mu_);
  if (read_at_ == Clock::time_point{} || now - read_at_ >= policy_.refresh) {
    read_at_ = now;
    auto p = position_();
    if (!p) {
      lag_ = -1;
    } else {
      if (p->committed != committed_) {
        committed_ = p->committed;
        progressed_at_ = now;
      }
      lag_ = p->lag;
    }
  }
  const bool hold = lag_ > policy_.max_lag && now - progressed_at_ < policy_.stalled;
  if (holding_) held_ms_ += std::chrono::duration_cast<std::chrono::milliseconds>(now - held_since_).count();
  holding_ = hold;
  held_since_ = now;
  return hold;
}

json::object RollupPace::health() const {
  std::lock_guard lock(mu_);
  return json::object{{"holding", holding_},
                      {"reports_lag", lag_ < 0 ? json::value(nullptr) : json::value(lag_)},
                      {"max_lag", policy_.max_lag},
                      {"held_ms", held_ms_}};
}

}  // namespace chorus::roles
