// Near-duplicate fingerprint: 64 bits in four 16-bit bands, each band the MinHash of the text's content
// words, so texts saying the same thing in nearly the same words get the same fingerprint.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/near_duplicate_keys.hpp"
#include "nlp/stage.hpp"

namespace chorus::nlp {

// Fingerprints within this many bits are near-duplicates. The stores find candidates by the keys of
// core/near_duplicate_keys.hpp (two fingerprints this close share at least one) and then compare all 64 bits.
inline constexpr int kNearDuplicateBits = 3;
static_assert(kNearDuplicateBits <= kNearDuplicateKeyBits, "the stores' keys would miss near-duplicates");

// The features are the distinct stems of the text's content words: lowercased, hyphens and apostrophes
// dropped ("e-mail" = "email"), opening greetings and closing thanks removed, stop words of the language
// left out (all words when fewer than three remain), Snowball-stemmed ("organising" = "organise"). Band b
// is 16 bits of the smallest of the features' hashes under the b-th hash function, so two texts whose
// feature sets have Jaccard similarity J agree in a band with probability J and in all four with J^4:
// a repost or a greeting (J = 1) lands at distance 0, one extra word in ten (J = 0.9) usually does, texts
// on other subjects almost never. Stable across runs, builds and machines; 0 for text without words.
std::uint64_t fingerprint_of(std::string_view text, std::string_view language_code = "en");

// Number of differing bits.
int hamming_distance(std::uint64_t a, std::uint64_t b);

class FingerprintStage final : public Stage {
 public:
  std::string_view name() const override { return "fingerprint"; }
  std::string_view version() const override { return "2"; }
  void run(Document& doc) const override;
};

}  // namespace chorus::nlp
