// Training of the linear models: a multinomial logistic regression with L2 regularisation fitted by
// full-batch gradient descent with AdaGrad steps from zero weights. No randomness and one thread, so the
// same examples give the same weights on every run (`chorus train --check` relies on it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace chorus::nlp {

struct TrainingExample {
  std::vector<std::pair<std::uint32_t, float>> features;  // feature index, value; indices unique
  std::size_t label = 0;
  double weight = 1.0;
};

struct TrainingOptions {
  std::size_t epochs = 150;
  double step = 0.5;
  double l2 = 1e-3;          // per example, on features whose index is >= dense_features
  double l2_dense = 1e-4;    // on the first dense_features indices (lexicon, rules, rating, form)
  std::size_t dense_features = 0;
  bool balance_classes = false;  // weigh each class as if all were equally frequent
};

struct TrainedModel {
  std::vector<double> bias;                  // per class
  std::vector<std::vector<double>> weights;  // per feature index, per class
};

TrainedModel train_logistic(const std::vector<TrainingExample>& examples, std::size_t feature_count,
                            std::size_t class_count, const TrainingOptions& options);

// Class probabilities of one example under a trained model (for evaluation without serialising).
std::vector<double> predict_probabilities(const TrainedModel& model, const TrainingExample& example);

}  // namespace chorus::nlp
