// RollupPace: the parser waits only while the reports role is more than the bound behind and still moving;
// a reports role that stalls, a position that cannot be read, or a bound of 0 never holds it.
#include "roles/rollup_pace.hpp"

#include <gtest/gtest.h>

namespace chorus::roles {
namespace {

using namespace std::chrono_literals;

class RollupPaceTest : public ::testing::Test {
 protected:
  RollupPace make(std::int64_t max_lag = 1000) {
    return RollupPace(
        [this]() -> Result<bus::GroupPosition> {
          ++reads_;
          if (unreadable_) return make_error(ErrorCode::unavailable, "bus down");
          return bus::GroupPosition{committed_, lag_};
        },
        RollupPacePolicy{.max_lag = max_lag, .refresh = 50ms, .stalled = 5s});
  }
  // The reports role at `committed`, `lag` behind, `dt` later: whether the parser holds then.
  bool at(RollupPace& p, std::int64_t committed, std::int64_t lag, RollupPace::Clock::duration dt = 60ms) {
    committed_ = committed;
    lag_ = lag;
    t_ += dt;
    return p.hold(t_);
  }
  std::int64_t committed_ = 0, lag_ = 0;
  bool unreadable_ = false;
  int reads_ = 0;
  RollupPace::Clock::time_point t_ = RollupPace::Clock::time_point{} + 1h;
};

TEST_F(RollupPaceTest, HoldsWhileTheReportsRoleIsFarBehindAndLetsGoWhenItCatchesUp) {
  auto p = make();
  EXPECT_FALSE(at(p, 0, 500));
  EXPECT_FALSE(at(p, 0, 1000)) << "at the bound, not past it";
  EXPECT_TRUE(at(p, 100, 1001));
  EXPECT_TRUE(at(p, 900, 4000));
  EXPECT_FALSE(at(p, 4500, 400));
  auto h = p.health();
  EXPECT_FALSE(h.at("holding").as_bool());
  EXPECT_EQ(h.at("reports_lag").as_int64(), 400);
  EXPECT_EQ(h.at("max_lag").as_int64(), 1000);
  EXPECT_EQ(h.at("held_ms").as_int64(), 120) << "two steps of 60 ms held";
}

TEST_F(RollupPaceTest, AStalledReportsRoleDoesNotHoldTheParserUp) {
  auto p = make();
  EXPECT_TRUE(at(p, 10, 5000));
  EXPECT_TRUE(at(p, 10, 6000, 4s)) << "no progress yet for 4 s: still waiting for it";
  EXPECT_FALSE(at(p, 10, 7000, 2s)) << "no progress for 6 s: the parser goes on";
  EXPECT_FALSE(at(p, 10, 8000));
  EXPECT_TRUE(at(p, 20, 8000)) << "moving again";
}

TEST_F(RollupPaceTest, ReadsThePositionAtMostOncePerRefresh) {
  auto p = make();
  EXPECT_FALSE(at(p, 0, 0));
  EXPECT_EQ(reads_, 1);
  EXPECT_FALSE(at(p, 0, 5000, 10ms)) << "the lag read 10 ms ago still stands";
  EXPECT_EQ(reads_, 1);
  EXPECT_TRUE(at(p, 5, 5000, 50ms));
  EXPECT_EQ(reads_, 2);
}

TEST_F(RollupPaceTest, AnUnreadablePositionOrABoundOfZeroNeverHolds) {
  auto p = make();
  EXPECT_TRUE(at(p, 1, 5000));
  unreadable_ = true;
  EXPECT_FALSE(at(p, 2, 5000));
  EXPECT_TRUE(p.health().at("reports_lag").is_null());
  auto off = make(0);
  EXPECT_FALSE(at(off, 3, 1'000'000));
}

}  // namespace
}  // namespace chorus::roles
