// The aspect model: which of the taxonomy's aspects a text is about, as one logistic regression per aspect
// (a text can be about several) over its words and word pairs and over which aspects' terms it contains.
// Trained by `chorus train` on the corpus's labelled aspects, like the sentiment and category models.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nlp/feedback_features.hpp"
#include "nlp/linear_model.hpp"
#include "nlp/model_training.hpp"

namespace chorus::nlp {

// Aspect ids as model classes: spaces become underscores ("data loss" -> "data_loss"), and back.
std::string aspect_class_name(std::string_view aspect_id);
std::string aspect_id_of_class(std::string_view class_name);

// The model's inputs beside the document's words: "term:<aspect id>" for each aspect whose terms occur.
std::string aspect_term_feature(std::string_view aspect_id);

// Whether the aspect model reads a feature of the document (words, word pairs, negated words, title words).
bool is_aspect_feature(const FeatureName& name);

struct AspectExample {
  std::vector<std::pair<std::uint32_t, float>> features;  // indices unique
  std::vector<std::size_t> labels;                        // aspect indices
};

// One-vs-rest logistic regression fitted by AdaGrad over the examples in order, `epochs` times; no
// randomness. Returns bias and weights per feature like train_logistic.
TrainedModel train_one_vs_rest(const std::vector<AspectExample>& examples, std::size_t feature_count,
                               std::size_t class_count, std::size_t epochs, double step, double l2);

// The aspects the model finds (score above zero, that is probability above one half), strongest first, at
// most max: aspect indices into Taxonomy::builtin().
std::vector<std::size_t> predict_aspects(const LinearModel& model, const FeatureSet& features,
                                         const std::vector<std::size_t>& term_aspects, std::size_t max);

// What the themes stage files a text under: the model's aspects first (at most kModelAspects, the
// strongest), then those whose terms the text contains, kMaxTextAspects in all. Leave-one-domain-out,
// the model alone finds too few aspects and the terms alone too many wrong ones (bench/RESULTS.md).
constexpr std::size_t kModelAspects = 2;
constexpr std::size_t kMaxTextAspects = 3;
std::vector<std::size_t> combine_aspects(const std::vector<std::size_t>& model, const std::vector<std::size_t>& terms);

// The embedded aspect model (data/models/aspects.model); nullptr when the binary carries an untrained one.
const LinearModel* aspect_model();

}  // namespace chorus::nlp
