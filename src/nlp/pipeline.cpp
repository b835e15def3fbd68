// Pipeline assembly and the standard stage order.
#include <atomic>
#include <iterator>

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

void Pipeline::prepare() {
  // The tables, largest first; each thread that calls this takes the next one nobody has taken, so two
  // threads build them side by side. A table another thread is still building is waited for on first use.
  using Task = void (*)();
  static constexpr Task kTasks[] = {
      [] { Taxonomy::builtin(); },
      [] { feedback_models(); },
      [] { sentiment_rules::Vocabulary::for_language("de"); },
      [] { sentiment_rules::Vocabulary::for_language("fr"); },
      [] { sentiment_rules::Vocabulary::for_language("es"); },
      [] { sentiment_rules::Vocabulary::for_language("pt"); },
      [] { sentiment_rules::Vocabulary::for_language("it"); },
      [] { sentiment_rules::Vocabulary::for_language("nl"); },
      [] {
        sentiment_rules::Vocabulary::for_language("en");
        vader_lexicon();
      },
      [] { prepare_category_rules(); },
  };
  static std::atomic<std::size_t> next{0};
  for (std::size_t k = next++; k < std::size(kTasks); k = next++) kTasks[k]();
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
