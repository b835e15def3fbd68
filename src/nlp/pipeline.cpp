// Pipeline assembly and the standard stage order.
#include "nlp/category.hpp"
#include "nlp/clean.hpp"
#include "nlp/language.hpp"
#include "nlp/sentiment.hpp"
#include "nlp/feedback_models.hpp"
#include "nlp/fingerprint.hpp"
#include "nlp/lexicons.hpp"
#include "nlp/sentiment_rules.hpp"
#include "nlp/stage.hpp"
#include "nlp/taxonomy.hpp"
#include "nlp/themes.hpp"

namespace chorus::nlp {

Pipeline::Pipeline(std::vector<std::unique_ptr<Stage>> stages) : stages_(std::move(stages)) {
  for (const auto& s : stages_) {
    if (!version_.empty()) version_.push_back(',');
    version_.append(s->name());
    version_.push_back('@');
    version_.append(s->version());
  }
}

void Pipeline::run(Document& doc) const {
  for (const auto& s : stages_) {
    try {
      s->run(doc);
    } catch (...) {
      // Stages are written not to throw; if one runs out of memory on a freak input, the document keeps
      // that stage's defaults rather than failing the batch it belongs to.
    }
  }
}

void Pipeline::prepare(unsigned share, unsigned shares) {
  // Two parts of about equal cost: the sentiment vocabularies, then the taxonomy and the models.
  auto part = [&](unsigned k) { return shares <= 1 || share % 2 == k; };
  if (part(0)) {
    sentiment_rules::Vocabulary::for_language("en");
    vader_lexicon();
  }
  if (part(1)) {
    Taxonomy::builtin();
    feedback_models();
    prepare_category_rules();
  }
  standard();
}

const Pipeline& Pipeline::standard() {
  static const Pipeline pipeline = [] {
    std::vector<std::unique_ptr<Stage>> stages;
    stages.push_back(std::make_unique<CleanStage>());
    stages.push_back(std::make_unique<LanguageStage>());
    stages.push_back(std::make_unique<SentimentStage>());
    stages.push_back(std::make_unique<CategoryStage>());
    stages.push_back(std::make_unique<ThemesStage>());
    stages.push_back(std::make_unique<FingerprintStage>());
    return Pipeline(std::move(stages));
  }();
  return pipeline;
}

}  // namespace chorus::nlp
