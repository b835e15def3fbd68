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
//
// Which earlier record a lookup names, the same in both stores and the re-analysis (a bounded rule, so that a
// lookup costs the same however many texts share a key): among the records before the one asking ((time, id)
// lower, another id),
//   1. the direct hit: the earliest with an identical fingerprint, read straight from an index;
//   2. for each of the ten keys, at most kNearDuplicateScan of its rows, newest first, before the direct hit
//      if there is one (nothing after it can be earlier) else before the record; each within max_distance
//      bits is a candidate;
//   3. a candidate stands for its fingerprint: the earliest record with it (before the same bound, again
//      straight from the index) is as near;
//   4. the earliest of the direct hit and those of step 3.
// While no key holds more than kNearDuplicateScan rows before the record this is the earliest match of all.
// A key crowded with texts that share it without being near (numbered texts that differ only in the number)
// costs kNearDuplicateScan rows instead of all of them and still finds recent near-duplicates; a crowd of
// copies of one text still leads to its first copy.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace chorus {

inline constexpr int kNearDuplicateKeyBits = 3;  // the largest distance the keys are sure to find
inline constexpr int kNearDuplicateKeys = 10;    // pairs of five blocks
// The rows of one key a lookup reads at most (rule 2 above). bench/ingest/near_duplicate_scan_bench reads
// streams of 20,000 texts: of the labelled corpus's texts (pairs of them, or one with a number), 32 rows
// give the answers of reading every row for all but 2 records; of the webhook benchmark's numbered texts,
// whose keys hold thousands of rows, a lookup reads 62 rows instead of 8,646 and 5% of the records find no
// near-duplicate where reading every row finds one (7% at 16 rows, 4% at 64). bench/RESULTS.md, issue 12.
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
