// Category stage: bug | feature_request | question | praise | complaint | other, by the trained category model
// (feedback_models.hpp) over words and transparent rule evidence.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nlp/stage.hpp"

namespace chorus::nlp {

struct CategoryInput {
  std::string_view text;   // analysis text
  std::string_view title;  // optional
  double sentiment_compound = 0.0;
  bool has_stack_trace = false;
  std::string_view language_code = "en";  // adds that language's signal words to English's
};

struct CategoryResult {
  std::string_view category = "other";
  double confidence = 0.0;  // [0, 1]: the model's probability of the category, rounded to two decimals
};

// What the hand-written rules see: the summed weights of each category's signal words and phrases found in
// the title and text (each signal counts once), in the order bug, feature_request, question, complaint,
// praise; and how much the text is phrased as a question (a closing '?', an interrogative opening).
struct RuleEvidence {
  static constexpr std::size_t kRuleCategories = 5;
  std::array<double, kRuleCategories> signals{};
  double question_form = 0.0;
  double request_form = 0.0;  // 1 when the title opens with a request's verb ("Add ...", "Support ...")
};
RuleEvidence rule_evidence(const CategoryInput& in);
// The same from the words of the title and text as category_words gives them (the model reads them too).
RuleEvidence rule_evidence(const CategoryInput& in, const std::vector<std::string>& words);
// Reads the signal lists (English's in the code, the other languages' from data/intent/signals.json).
void prepare_category_rules();

// The words both the rules and the model read: lowercase, apostrophes straightened, punctuation dropped,
// the title's then the text's, at most kMaxCategoryWords.
constexpr std::size_t kMaxCategoryWords = 5000;  // categories show early; long texts need not be read to the end
std::vector<std::string> category_words(const CategoryInput& in);

// The rules alone: praise needs a word of praise and positive sentiment, complaint negative sentiment
// without clear bug signals; the highest sum wins, and below 1.0 everything is "other". Kept as a baseline
// for the accuracy report.
CategoryResult categorize_by_rules(const CategoryInput& in);

// The trained model on an English text without a rating (the rules when the binary carries no trained
// model). Never throws.
CategoryResult categorize(const CategoryInput& in);

class CategoryStage final : public Stage {
 public:
  std::string_view name() const override { return "category"; }
  std::string_view version() const override { return "20"; }
  void run(Document& doc) const override;
};

}  // namespace chorus::nlp
