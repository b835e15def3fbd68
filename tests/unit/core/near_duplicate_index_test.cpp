// The re-analysis's in-memory near-duplicate index answers by the stores' bounded rule.
#include <gtest/gtest.h>

#include <bit>
#include <random>

#include "core/near_duplicate_index.hpp"

namespace chorus {
namespace {

// Members of one family share the four low blocks; a crowd member is at least four bits from the others.
std::uint64_t crowd_member(std::uint64_t base, int i) {
  return base ^ ((std::uint64_t{0xF} | (static_cast<std::uint64_t>(i) << 4)) << 52);
}

TEST(NearDuplicateIndex, FewRecordsGiveTheEarliestMatch) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    const std::uint64_t base = rng();
    std::vector<std::uint64_t> fps;
    NearDuplicateIndex index;
    for (int i = 0; i < kNearDuplicateScan; ++i) {
      std::uint64_t fp = base;
      for (int flips = static_cast<int>(rng() % 5); flips > 0; --flips) fp ^= std::uint64_t{1} << (rng() % 64);
      std::optional<std::int64_t> earliest;
      for (std::size_t j = 0; j < fps.size() && !earliest; ++j)
        if (std::popcount(fps[j] ^ fp) <= 3) earliest = static_cast<std::int64_t>(j);
      ASSERT_EQ(index.earliest_match(fp, 3), earliest) << round << " " << i;
      index.add(static_cast<std::int64_t>(fps.size()), fp);
      fps.push_back(fp);
    }
  }
}

TEST(NearDuplicateIndex, ACrowdedKeyIsReadNewestFirst) {
  const std::uint64_t fp = 0x0123456789ABCDEFULL, asking = fp ^ (1ULL << 58);
  NearDuplicateIndex index;
  index.add(1, fp ^ (1ULL << 57));
  for (int i = 0; i < kNearDuplicateScan - 1; ++i) index.add(100 + i, crowd_member(fp, i));
  EXPECT_EQ(index.earliest_match(asking, 3), std::optional<std::int64_t>(1));  // just within reach
  for (int i = kNearDuplicateScan - 1; i < kNearDuplicateScan + 4; ++i) index.add(100 + i, crowd_member(fp, i));
  EXPECT_EQ(index.earliest_match(asking, 3), std::nullopt);  // behind the crowd
  index.add(2, fp ^ (1ULL << 62));
  EXPECT_EQ(index.earliest_match(asking, 3), std::optional<std::int64_t>(2));
}

TEST(NearDuplicateIndex, ADirectHitAnswersAndBoundsTheKeys) {
  const std::uint64_t fp = 0x0123456789ABCDEFULL;
  NearDuplicateIndex index;
  index.add(1, fp ^ (1ULL << 57));
  for (int i = 0; i < kNearDuplicateScan - 2; ++i) index.add(100 + i, crowd_member(fp, i));
  index.add(2, fp);
  for (int i = 0; i < 3 * kNearDuplicateScan; ++i) index.add(200 + i, crowd_member(fp, kNearDuplicateScan + i));
  index.add(3, fp);
  // The keys are read before the direct hit (2), where they reach 1.
  EXPECT_EQ(index.earliest_match(fp, 3), std::optional<std::int64_t>(1));
  // One bit off there is no direct hit and the crowd after 2 hides 1 and 2; the newest copy (3) is a candidate
  // and stands for its fingerprint's first record (2).
  EXPECT_EQ(index.earliest_match(fp ^ (1ULL << 58), 3), std::optional<std::int64_t>(2));
}

TEST(NearDuplicateIndex, TheDirectHitIsTheEarliestIdenticalFingerprint) {
  const std::uint64_t fp = 0x5A5A00FF12345678ULL;
  NearDuplicateIndex index;
  for (int i = 0; i < 3 * kNearDuplicateScan; ++i) index.add(1000 + i, crowd_member(fp, i));
  for (int i = 0; i < 3 * kNearDuplicateScan; ++i) index.add(2000 + i, fp);
  EXPECT_EQ(index.earliest_match(fp, 3), std::optional<std::int64_t>(2000));
  // A near one reads the newest copies only, and they lead to the first.
  EXPECT_EQ(index.earliest_match(fp ^ 0x100, 3), std::optional<std::int64_t>(2000));
  EXPECT_EQ(index.earliest_match(0, 3), std::nullopt);  // no fingerprint, no duplicate
}

}  // namespace
}  // namespace chorus
