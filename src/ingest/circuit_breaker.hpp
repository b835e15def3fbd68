// A circuit breaker per source: after repeated failures a source is left alone for a cool-down instead
// of being hammered (and instead of holding a sync worker), then one probe decides whether it is back.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/record.hpp"
#include "core/time.hpp"

namespace chorus::ingest {

struct BreakerPolicy {
  int failure_threshold = 5;                         // consecutive failures that open the breaker
  std::chrono::milliseconds cool_down{300000};       // first wait before a probe
  std::chrono::milliseconds max_cool_down{3600000};  // each failed probe doubles the wait, up to this
};

// closed: calls go ahead. open: calls are refused until the cool-down ends. half_open: one probe is out;
// its success closes the breaker, its failure opens it again for twice as long.
class CircuitBreaker {
 public:
  enum class State { closed, open, half_open };

  explicit CircuitBreaker(BreakerPolicy policy = {});

  // Whether a call may start at `now`. Past the cool-down, exactly one caller is let through as the probe.
  bool allow(TimeMs now);
  void record_success();
  void record_failure(TimeMs now);

  State state(TimeMs now) const;
  int consecutive_failures() const { return failures_; }
  // When an open breaker lets the next probe through.
  TimeMs retry_at() const { return open_until_; }

 private:
  BreakerPolicy policy_;
  bool open_ = false;
  bool probing_ = false;
  int failures_ = 0;
  TimeMs open_until_ = 0;
  std::chrono::milliseconds cool_down_;
};

const char* state_name(CircuitBreaker::State state);

// One breaker per source id, safe to share between sync workers.
class SourceBreakers {
 public:
  explicit SourceBreakers(BreakerPolicy policy = {}) : policy_(policy) {}

  struct Admission {
    bool allowed = true;
    bool probe = false;      // the one call let through a half-open breaker
    int failures = 0;        // consecutive failures so far
    TimeMs retry_at = 0;     // when refused: when the next probe may go
    std::string last_error;  // what the last failure said
  };
  Admission admit(Id source, TimeMs now);
  void succeeded(Id source);
  void failed(Id source, TimeMs now, std::string why = {});
  void forget(Id source);
  // Without side effects (admit() may start a probe): closed for a source never seen.
  CircuitBreaker::State state(Id source, TimeMs now) const;
  // How many breakers are not closed (for health).
  std::size_t open_count(TimeMs now) const;

 private:
  struct Entry {
    CircuitBreaker breaker;
    std::string last_error;
  };
  Entry& entry(Id source);

  BreakerPolicy policy_;
  mutable std::mutex mu_;
  std::map<Id, Entry> breakers_;
};

}  // namespace chorus::ingest
