// Stale health: quiet for several schedule intervals means stale; any new item resets the clock.
#include "ingest/source_health.hpp"

#include <gtest/gtest.h>

namespace chorus::ingest {
namespace {

constexpr TimeMs kEvery = 60'000;

TEST(StaleWatch, QuietForSeveralIntervalsIsStale) {
  StaleWatch watch(3);
  EXPECT_FALSE(watch.observe(1, 40, kEvery, 0));
  EXPECT_FALSE(watch.observe(1, 40, kEvery, 2 * kEvery));
  EXPECT_FALSE(watch.observe(1, 40, kEvery, 3 * kEvery - 1));
  EXPECT_TRUE(watch.observe(1, 40, kEvery, 3 * kEvery));
}

TEST(StaleWatch, NewItemsResetTheClock) {
  StaleWatch watch(3);
  watch.observe(1, 40, kEvery, 0);
  EXPECT_FALSE(watch.observe(1, 41, kEvery, 2 * kEvery));
  EXPECT_FALSE(watch.observe(1, 41, kEvery, 4 * kEvery));
  EXPECT_TRUE(watch.observe(1, 41, kEvery, 5 * kEvery));
  EXPECT_FALSE(watch.observe(1, 45, kEvery, 5 * kEvery + 1));
}

TEST(StaleWatch, SourcesAreIndependentAndForgettable) {
  StaleWatch watch(2);
  watch.observe(1, 0, kEvery, 0);
  watch.observe(2, 0, kEvery, kEvery);
  EXPECT_TRUE(watch.observe(1, 0, kEvery, 2 * kEvery));
  EXPECT_FALSE(watch.observe(2, 0, kEvery, 2 * kEvery));
  watch.forget(1);
  EXPECT_FALSE(watch.observe(1, 0, kEvery, 2 * kEvery));  // the clock starts again
}

TEST(StaleWatch, NoScheduleNeverStale) {
  StaleWatch watch;
  watch.observe(1, 0, 0, 0);
  EXPECT_FALSE(watch.observe(1, 0, 0, 1'000'000'000));
}

}  // namespace
}  // namespace chorus::ingest
