// Near-duplicate fingerprint: 64-bit SimHash over word shingles, so texts saying the same thing in nearly
// the same words land a few bits apart.
#pragma once

#include <cstdint>
#include <string_view>

#include "nlp/stage.hpp"

namespace chorus::nlp {

// Fingerprint of lowercased words in 3-shingles (2-shingles for texts under eight words). Opening greetings
// and closing thanks/regards are ignored. Stable across runs, builds and machines; 0 for empty text.
std::uint64_t simhash_of(std::string_view text);

// Number of differing bits; near-duplicates are typically within 3.
int hamming_distance(std::uint64_t a, std::uint64_t b);

class SimhashStage final : public Stage {
 public:
  std::string_view name() const override { return "simhash"; }
  std::string_view version() const override { return "1"; }
  void run(Document& doc) const override;
};

}  // namespace chorus::nlp
