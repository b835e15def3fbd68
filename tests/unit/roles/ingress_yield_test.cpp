// IngressYield: the parser steps aside only while deliveries arrive faster than the set rate, and only
// until it is the set number behind; an unknown lag or a zero limit never holds it.
#include <gtest/gtest.h>

#include "roles/ingress_yield.hpp"

namespace chorus::roles {
namespace {

using namespace std::chrono_literals;

class IngressYieldTest : public ::testing::Test {
 protected:
  IngressYield make(IngressYieldPolicy policy) {
    return IngressYield([this] { return accepted_; }, [this] { return lag_; }, policy);
  }
  // `deliveries` more accepted over `dt`, the parser `lag` behind: whether it holds then.
  bool after(IngressYield& y, std::uint64_t deliveries, std::int64_t lag, IngressYield::Clock::duration dt = 20ms) {
    accepted_ += deliveries;
    lag_ = lag;
    t_ += dt;
    return y.hold(t_);
  }
  IngressYieldPolicy policy() {
    IngressYieldPolicy p;
    p.busy_per_s = 1000;
    p.max_lag = 500;
    p.sample = 20ms;
    return p;
  }
  std::uint64_t accepted_ = 0;
  std::int64_t lag_ = 0;
  IngressYield::Clock::time_point t_ = IngressYield::Clock::time_point{} + 1h;
};

TEST_F(IngressYieldTest, HoldsWhileABurstArrivesAndLetsGoWhenItEnds) {
  auto y = make(policy());
  EXPECT_FALSE(y.hold(t_));  // the first call only starts counting
  // 40 deliveries in 20 ms: 2,000 a second.
  accepted_ += 40;
  lag_ = 40;
  t_ += 20ms;
  EXPECT_TRUE(y.hold(t_));
  EXPECT_EQ(get_bool(json::value(y.health()), "yielding"), true);
  EXPECT_EQ(get_int(json::value(y.health()), "ingress_per_s"), 2000);
  // Within the sample span the decision stands.
  t_ += 5ms;
  EXPECT_TRUE(y.hold(t_));
  // 10 deliveries in the next 20 ms (500 a second, under the rate): the parser goes back to work.
  accepted_ += 10;
  t_ += 10ms;
  EXPECT_TRUE(y.hold(t_));  // 15 ms since the last sample: not yet measured
  t_ += 5ms;
  EXPECT_FALSE(y.hold(t_));
  auto h = json::value(y.health());
  EXPECT_EQ(get_bool(h, "yielding"), false);
  EXPECT_EQ(get_int(h, "ingress_per_s"), 500);
  EXPECT_EQ(get_int(h, "held_ms"), 20);  // from the first hold until it let go
  EXPECT_EQ(get_int(h, "max_lag"), 500);
}

TEST_F(IngressYieldTest, StopsSteppingAsideOnceThatFarBehind) {
  auto y = make(policy());
  y.hold(t_);
  EXPECT_TRUE(after(y, 100, 499));
  EXPECT_FALSE(after(y, 100, 500));  // at the limit: the burst goes on, and so does the parser
  EXPECT_TRUE(after(y, 100, 300));   // caught up some way while the burst goes on: it steps aside again
}

TEST_F(IngressYieldTest, AnUnknownLagOrAZeroLimitNeverHolds) {
  auto unknown = make(policy());
  unknown.hold(t_);
  EXPECT_FALSE(after(unknown, 1000, -1));

  auto p = policy();
  p.max_lag = 0;
  auto off = make(p);
  off.hold(t_);
  EXPECT_FALSE(after(off, 1000, 10));
}

TEST_F(IngressYieldTest, AQuietSpellBetweenCallsIsNotABurst) {
  auto y = make(policy());
  y.hold(t_);
  EXPECT_FALSE(y.ingress_active());
  // 500 deliveries spread over 2 s (250 a second), seen in one call after a long batch.
  EXPECT_FALSE(after(y, 500, 100, 2s));
  EXPECT_TRUE(y.ingress_active());  // deliveries are arriving, though not a burst
  EXPECT_FALSE(after(y, 0, 0, 30ms));
  EXPECT_FALSE(y.ingress_active());
}

}  // namespace
}  // namespace chorus::roles
