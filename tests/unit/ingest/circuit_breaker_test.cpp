// The circuit breaker's states: closed, open after N failures, one probe after the cool-down, closed on
// success, longer cool-down after a failed probe; and the per-source table.
#include "ingest/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace chorus::ingest {
namespace {

using std::chrono::milliseconds;
using State = CircuitBreaker::State;

BreakerPolicy policy() {
  BreakerPolicy p;
  p.failure_threshold = 3;
  p.cool_down = milliseconds(1000);
  p.max_cool_down = milliseconds(3000);
  return p;
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailures) {
  CircuitBreaker b(policy());
  EXPECT_TRUE(b.allow(0));
  b.record_failure(0);
  b.record_failure(10);
  EXPECT_EQ(b.state(10), State::closed);
  EXPECT_TRUE(b.allow(10));
  b.record_failure(20);
  EXPECT_EQ(b.state(20), State::open);
  EXPECT_FALSE(b.allow(20));
  EXPECT_FALSE(b.allow(1019));
  EXPECT_EQ(b.retry_at(), 1020);
  EXPECT_EQ(b.consecutive_failures(), 3);
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
  CircuitBreaker b(policy());
  b.record_failure(0);
  b.record_failure(0);
  b.record_success();
  b.record_failure(0);
  b.record_failure(0);
  EXPECT_EQ(b.state(0), State::closed);
  EXPECT_TRUE(b.allow(0));
}

TEST(CircuitBreaker, OneProbeAfterTheCoolDownThenClosesOnSuccess) {
  CircuitBreaker b(policy());
  for (int i = 0; i < 3; ++i) b.record_failure(0);
  EXPECT_EQ(b.state(1000), State::half_open);
  EXPECT_TRUE(b.allow(1000));   // the probe
  EXPECT_FALSE(b.allow(1001));  // only one at a time
  EXPECT_EQ(b.state(1001), State::half_open);
  b.record_success();
  EXPECT_EQ(b.state(1001), State::closed);
  EXPECT_TRUE(b.allow(1001));
  EXPECT_EQ(b.consecutive_failures(), 0);
}

TEST(CircuitBreaker, AFailedProbeReopensForLonger) {
  CircuitBreaker b(policy());
  for (int i = 0; i < 3; ++i) b.record_failure(0);
  ASSERT_TRUE(b.allow(1000));
  b.record_failure(1000);
  EXPECT_EQ(b.state(1000), State::open);
  EXPECT_FALSE(b.allow(2999));
  EXPECT_EQ(b.retry_at(), 3000);  // 2 s now
  ASSERT_TRUE(b.allow(3000));
  b.record_failure(3000);
  EXPECT_EQ(b.retry_at(), 6000);  // capped at max_cool_down (3 s)
  ASSERT_TRUE(b.allow(6000));
  b.record_success();
  // Closed again with the original cool-down for next time.
  for (int i = 0; i < 3; ++i) b.record_failure(7000);
  EXPECT_EQ(b.retry_at(), 8000);
}

TEST(SourceBreakers, EachSourceHasItsOwn) {
  SourceBreakers table(policy());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(table.admit(7, 0).allowed);
    table.failed(7, 0);
  }
  auto refused = table.admit(7, 10);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.failures, 3);
  EXPECT_EQ(refused.retry_at, 1000);
  EXPECT_TRUE(table.admit(8, 10).allowed);  // another source is not affected
  EXPECT_EQ(table.open_count(10), 1u);

  auto probe = table.admit(7, 1000);
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  EXPECT_FALSE(table.admit(7, 1000).allowed);
  table.succeeded(7);
  auto after = table.admit(7, 1001);
  EXPECT_TRUE(after.allowed);
  EXPECT_FALSE(after.probe);
  EXPECT_EQ(table.open_count(1001), 0u);
}

TEST(SourceBreakers, RemembersTheLastErrorAndReportsStateWithoutProbing) {
  SourceBreakers table(policy());
  EXPECT_EQ(table.state(5, 0), State::closed);
  table.failed(5, 0, "GET /x answered 500");
  table.failed(5, 0, "GET /x answered 502");
  table.failed(5, 0, "GET /x answered 503");
  EXPECT_EQ(table.state(5, 10), State::open);
  EXPECT_EQ(table.state(5, 1000), State::half_open);
  EXPECT_EQ(table.state(5, 1000), State::half_open);  // asking twice starts no probe
  auto a = table.admit(5, 1000);
  EXPECT_TRUE(a.allowed);
  EXPECT_TRUE(a.probe);
  EXPECT_EQ(a.last_error, "GET /x answered 503");
}

TEST(SourceBreakers, ForgetClosesABreaker) {
  SourceBreakers table(policy());
  for (int i = 0; i < 3; ++i) table.failed(4, 0);
  EXPECT_FALSE(table.admit(4, 0).allowed);
  table.forget(4);
  EXPECT_TRUE(table.admit(4, 0).allowed);
}

}  // namespace
}  // namespace chorus::ingest
