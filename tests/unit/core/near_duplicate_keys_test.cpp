// The near-duplicate keys: every fingerprint within 3 bits shares a key, and the SQL form agrees with C++.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "core/near_duplicate_keys.hpp"
#include "core/sqlite.hpp"

namespace chorus {
namespace {

bool share_a_key(std::uint64_t a, std::uint64_t b) {
  auto ka = near_duplicate_keys(a), kb = near_duplicate_keys(b);
  for (int k = 0; k < kNearDuplicateKeys; ++k)
    if (ka[k].value == kb[k].value) return true;
  return false;
}

TEST(NearDuplicateKeys, EveryFingerprintWithinThreeBitsSharesAKey) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 4; ++round) {
    const std::uint64_t fp = rng();
    for (int a = 0; a < 64; ++a) {
      ASSERT_TRUE(share_a_key(fp, fp ^ (1ULL << a)));
      for (int b = a + 1; b < 64; ++b) {
        ASSERT_TRUE(share_a_key(fp, fp ^ (1ULL << a) ^ (1ULL << b)));
        for (int c = b + 1; c < 64; ++c)
          ASSERT_TRUE(share_a_key(fp, fp ^ (1ULL << a) ^ (1ULL << b) ^ (1ULL << c))) << a << " " << b << " " << c;
      }
    }
  }
}

TEST(NearDuplicateKeys, KeysAreDistinctPerPairAndFitTwentySixBits) {
  auto keys = near_duplicate_keys(~0ULL);
  std::set<int> indexes;
  for (const auto& k : keys) {
    indexes.insert(k.index);
    EXPECT_GE(k.value, 0);
    EXPECT_LT(k.value, 1LL << 26);
  }
  EXPECT_EQ(indexes.size(), static_cast<std::size_t>(kNearDuplicateKeys));
  // Far-apart fingerprints share nothing: one block apart in every position is enough.
  EXPECT_FALSE(share_a_key(0, ~0ULL));
}

TEST(NearDuplicateKeys, SqlFormEqualsTheKeysForSignedColumns) {
  auto dir = std::filesystem::temp_directory_path() / "chorus-near-duplicate-keys-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto db = sqlite::Database::open(dir / "k.db", sqlite::OpenOptions{});
    ASSERT_TRUE(db) << db.error().message;
    std::mt19937_64 rng(7);
    for (int n = 0; n < 200; ++n) {
      std::uint64_t fp = n == 0 ? ~0ULL : n == 1 ? 0x8000000000000001ULL : rng();
      auto keys = near_duplicate_keys(fp);
      for (int k = 0; k < kNearDuplicateKeys; ++k) {
        auto q = db->prepare("SELECT " + near_duplicate_key_sql(k, "?1"));
        ASSERT_TRUE(q) << q.error().message;
        q->bind(1, static_cast<std::int64_t>(fp));
        auto row = q->step();
        ASSERT_TRUE(row && *row);
        EXPECT_EQ(q->int64(0), keys[k].value) << std::hex << fp << " key " << k;
      }
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chorus
