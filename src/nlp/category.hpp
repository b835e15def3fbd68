// Category stage: transparent weighted rules -> bug | feature_request | question | praise | complaint | other.
#pragma once

#include <string_view>

#include "nlp/stage.hpp"

namespace chorus::nlp {

struct CategoryInput {
  std::string_view text;   // analysis text
  std::string_view title;  // optional
  double sentiment_compound = 0.0;
  bool has_stack_trace = false;
};

struct CategoryResult {
  std::string_view category = "other";
  double confidence = 0.0;  // [0, 1]: how clearly the winner beat the runner-up, and how strong it was
};

// Each category sums the weights of its signals found in the title and text (each signal counts once);
// praise needs a word of praise and positive sentiment, complaint negative sentiment without clear bug signals. The
// highest sum wins (ties: bug, feature_request, question, complaint, praise); below 1.0 everything is "other".
CategoryResult categorize(const CategoryInput& in);

class CategoryStage final : public Stage {
 public:
  std::string_view name() const override { return "category"; }
  std::string_view version() const override { return "1"; }
  void run(Document& doc) const override;
};

}  // namespace chorus::nlp
