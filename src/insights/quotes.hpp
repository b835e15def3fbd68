// Representative quotes: records that say clearly, in the words most of their neighbours use, what a
// theme or an emerging issue is about, and that are not near-copies of each other.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/record.hpp"

namespace chorus::insights {

struct QuoteOptions {
  std::size_t count = 3;
  double near_copy = 0.6;  // word overlap at which two texts count as the same quote
};

// Indices into `candidates`, best first. Prefers records of `sentiment` when given (an issue's tone),
// strong compound scores, central wording (TF-IDF similarity to the candidates' centroid) and texts of
// a readable length. Near-duplicates (duplicate_of, or heavy word overlap with a chosen quote) are skipped.
std::vector<std::size_t> pick_quotes(std::span<const FeedbackRecord> candidates,
                                     const std::optional<std::string>& sentiment, const QuoteOptions& options = {});

}  // namespace chorus::insights
