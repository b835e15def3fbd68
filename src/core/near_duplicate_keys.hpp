// The keys a 64-bit near-duplicate fingerprint is indexed under, shared by both stores and the re-analysis.
//
// The fingerprint's 64 bits are split into five blocks (13, 13, 13, 13 and 12 bits). Two fingerprints at
// most kNearDuplicateKeyBits = 3 bits apart differ in at most three blocks, so at least two blocks are
// equal, and with them the key of that pair of blocks: indexing each fingerprint under the ten pair keys
// finds every fingerprint within 3 bits by exact lookups, and the caller compares all 64 bits after.
//
// Pairs rather than single blocks, because the fingerprint's bits are not independent: each 16-bit band
// is the hash of one MinHash minimum, and a common word is the minimum of many documents. Every pair key
// spans two bands, so a bucket needs two minima in common and stays small as a workspace grows.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace chorus {

inline constexpr int kNearDuplicateKeyBits = 3;  // the largest distance the keys are sure to find
inline constexpr int kNearDuplicateKeys = 10;    // pairs of five blocks

// A lookup's answer is the earliest of: the earliest earlier record with the very same fingerprint (from an
// index of fingerprints), and, for each key, the earliest within reach among that key's kNearDuplicateScan
// newest rows before the record (or before the identical one, which nothing later can beat). While no key
// holds more rows than that before a record, this is the earliest record within reach, as found by reading
// every row; a crowded key (texts that share much without being within 3 bits: "row 17", "row 18", ...) is
// read only as far back as its newest rows, so a lookup costs the same however many such texts are stored,
// and still names a real earlier near-duplicate when one is among them. A match found that way gives way to
// the earliest record with the match's own fingerprint, which is as near: a text near 300 identical copies
// names the first copy, not one of the last. The SQLite store and the re-analysis keep this rule;
// PostgreSQL reads every row of a key.
inline constexpr int kNearDuplicateScan = 32;

struct NearDuplicateKey {
  int index;           // which pair of blocks, 0..9
  std::int64_t value;  // the two blocks side by side, 26 bits at most
};

namespace near_duplicate_detail {
inline constexpr int kBlocks = 5;
inline constexpr int kShift[kBlocks] = {0, 13, 26, 39, 52};
inline constexpr int kWidth[kBlocks] = {13, 13, 13, 13, 12};
inline constexpr std::array<std::pair<int, int>, kNearDuplicateKeys> kPairs = {
    {{0, 1}, {0, 2}, {0, 3}, {0, 4}, {1, 2}, {1, 3}, {1, 4}, {2, 3}, {2, 4}, {3, 4}}};
inline constexpr std::uint64_t block(std::uint64_t fp, int i) {
  return (fp >> kShift[i]) & ((std::uint64_t{1} << kWidth[i]) - 1);
}
}  // namespace near_duplicate_detail

inline std::array<NearDuplicateKey, kNearDuplicateKeys> near_duplicate_keys(std::uint64_t fp) {
  using namespace near_duplicate_detail;
  std::array<NearDuplicateKey, kNearDuplicateKeys> keys{};
  for (int k = 0; k < kNearDuplicateKeys; ++k) {
    auto [i, j] = kPairs[k];
    keys[k] = {k, static_cast<std::int64_t>((block(fp, i) << 13) | block(fp, j))};
  }
  return keys;
}

// The same key as an SQL expression over a signed 64-bit column holding the fingerprint, for migrations
// that index stored records (SQLite and PostgreSQL shift signed integers arithmetically; the masks keep
// only the block's bits, so the result equals near_duplicate_keys).
inline std::string near_duplicate_key_sql(int index, std::string_view column) {
  using namespace near_duplicate_detail;
  auto part = [&](int b) {
    return "((" + std::string(column) + " >> " + std::to_string(kShift[b]) + ") & " +
           std::to_string((1 << kWidth[b]) - 1) + ")";
  };
  auto [i, j] = kPairs[index];
  return "((" + part(i) + " << 13) | " + part(j) + ")";
}

}  // namespace chorus
