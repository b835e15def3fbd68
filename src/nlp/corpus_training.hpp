// Training and evaluating the sentiment, category and aspect models on the labelled corpus (data/corpus/, format in
// docs/labelling.md): reading it, turning each item into the features the stages compute, fitting the
// models, and leave-one-domain-out evaluation. `chorus train` is the command over this.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "nlp/feedback_features.hpp"
#include "nlp/model_training.hpp"

namespace chorus::nlp {

struct CorpusItem {
  std::string id, domain, register_name, language;
  std::optional<int> rating;
  std::string title, text;
  std::string sentiment, category;
  std::vector<std::string> aspects, tags;
};

// Every *.jsonl file of dir, in name order; an unreadable line is an error naming file and line.
Result<std::vector<CorpusItem>> read_corpus(const std::string& dir);

// An item as the stages see it: cleaned, language-tagged, with the lexicon's verdict and the features.
struct PreparedItem {
  const CorpusItem* item = nullptr;
  std::string detected_language;
  double lexicon_compound = 0.0;
  std::string lexicon_type;
  FeatureSet features;
  std::optional<FeatureSet> form_free;  // theme_features: what the aspect model reads, when not `features`
  std::string analysis_text, title;     // what the themes stage reads, for the aspects of each fold
  const FeatureSet& aspect_input() const { return form_free ? *form_free : features; }
};
std::vector<PreparedItem> prepare_corpus(const std::vector<CorpusItem>& items);

inline const std::vector<std::string> kSentimentClasses = {"positive", "negative", "neutral", "mixed"};
inline const std::vector<std::string> kCategoryClasses = {"bug", "feature_request", "question", "praise",
                                                          "complaint", "other"};

// One model's task: which label of an item it learns, its classes and its training settings.
struct ModelTask {
  std::string name;  // "sentiment" | "category"
  const std::vector<std::string>* classes;
  TrainingOptions options;
  // Each class a yes/no model of its own, fitted by fit_aspect_model and stored sparse; else one multinomial.
  bool yes_no_classes = false;
};
// The tasks with the settings the committed models were trained with; `chorus train` can override them
// for experiments (the model file records what it was trained with).
ModelTask sentiment_task();
ModelTask category_task();
// The aspect model: one yes/no decision per built-in aspect (classes are the aspects' ids with "_" for
// spaces), each fitted on its own; a class's weights are its log-odds.
ModelTask aspect_task();

// A model fitted on some items, with the names of the features it reads.
struct FittedModel {
  std::vector<std::string> feature_names;  // index -> FeatureName::str()
  TrainedModel model;
  // The class probabilities of an item under the model.
  std::vector<double> predict(const FeatureSet& features) const;

 private:
  friend FittedModel fit_model(const ModelTask&, const std::vector<const PreparedItem*>&);
  friend FittedModel fit_aspect_model(const ModelTask&, const std::vector<const PreparedItem*>&);
  std::vector<std::pair<std::uint64_t, std::uint32_t>> index_;  // hash -> feature index, sorted
};
FittedModel fit_model(const ModelTask& task, const std::vector<const PreparedItem*>& training);
// The aspect model of aspect_task() on the items' aspect labels.
FittedModel fit_aspect_model(const ModelTask& task, const std::vector<const PreparedItem*>& training);

// The model file `chorus train` writes (LinearModel's text format), weights that round to 0 left out.
std::string model_file(const ModelTask& task, const FittedModel& fitted, std::size_t items, std::size_t domains);

// Leave-one-domain-out: for each domain, the three models fitted on every other domain and applied to it.
// One JSON line per item: id, domain, language, register, tags, the gold labels, the predictions with
// their confidences, the lexicon's verdict and the stored compound.
std::vector<std::string> leave_one_domain_out(const std::vector<PreparedItem>& prepared,
                                              const std::function<void(const std::string&)>& progress,
                                              const ModelTask& sentiment = sentiment_task(),
                                              const ModelTask& category = category_task(),
                                              const ModelTask& aspect = aspect_task());

}  // namespace chorus::nlp
