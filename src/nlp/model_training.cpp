// Multinomial logistic regression, fitted deterministically (see model_training.hpp).
#include "nlp/model_training.hpp"

#include <algorithm>
#include <cmath>

namespace chorus::nlp {

namespace {

void softmax_in_place(std::vector<double>& z) {
  double m = *std::max_element(z.begin(), z.end());
  double s = 0.0;
  for (double& v : z) s += v = std::exp(v - m);
  for (double& v : z) v /= s;
}

}  // namespace

std::vector<double> predict_probabilities(const TrainedModel& model, const TrainingExample& ex) {
  std::vector<double> z = model.bias;
  for (const auto& [j, v] : ex.features) {
    if (j >= model.weights.size()) continue;
    const std::vector<double>& w = model.weights[j];
    for (std::size_t c = 0; c < z.size(); ++c) z[c] += v * w[c];
  }
  softmax_in_place(z);
  return z;
}

TrainedModel train_logistic(const std::vector<TrainingExample>& examples, std::size_t feature_count,
                            std::size_t k, const TrainingOptions& o) {
  TrainedModel m;
  m.bias.assign(k, 0.0);
  m.weights.assign(feature_count, std::vector<double>(k, 0.0));
  if (examples.empty() || k < 2) return m;

  std::vector<double> class_weight(k, 1.0);
  if (o.balance_classes) {
    std::vector<double> count(k, 0.0);
    for (const auto& ex : examples) count[ex.label] += ex.weight;
    double present = 0.0;
    for (double c : count) present += c > 0 ? 1.0 : 0.0;
    double total = 0.0;
    for (double c : count) total += c;
    for (std::size_t c = 0; c < k; ++c) class_weight[c] = count[c] > 0 ? total / (present * count[c]) : 0.0;
  }
  double total_weight = 0.0;
  for (const auto& ex : examples) total_weight += ex.weight * class_weight[ex.label];

  std::vector<std::vector<double>> gw(feature_count, std::vector<double>(k, 0.0));
  std::vector<std::vector<double>> gsq(feature_count, std::vector<double>(k, 1e-8));
  std::vector<double> gb(k, 0.0), gbsq(k, 1e-8);
  std::vector<double> p(k);
  for (std::size_t epoch = 0; epoch < o.epochs; ++epoch) {
    for (auto& row : gw) std::fill(row.begin(), row.end(), 0.0);
    std::fill(gb.begin(), gb.end(), 0.0);
    for (const auto& ex : examples) {
      p = m.bias;
      for (const auto& [j, v] : ex.features) {
        const std::vector<double>& w = m.weights[j];
        for (std::size_t c = 0; c < k; ++c) p[c] += v * w[c];
      }
      softmax_in_place(p);
      double scale = ex.weight * class_weight[ex.label] / total_weight;
      for (std::size_t c = 0; c < k; ++c) {
        double g = (p[c] - (c == ex.label ? 1.0 : 0.0)) * scale;
        gb[c] += g;
        for (const auto& [j, v] : ex.features) gw[j][c] += g * v;
      }
    }
    for (std::size_t c = 0; c < k; ++c) {
      gbsq[c] += gb[c] * gb[c];
      m.bias[c] -= o.step * gb[c] / std::sqrt(gbsq[c]);
    }
    for (std::size_t j = 0; j < feature_count; ++j) {
      double l2 = j < o.dense_features ? o.l2_dense : o.l2;
      for (std::size_t c = 0; c < k; ++c) {
        double g = gw[j][c] + l2 * m.weights[j][c];
        gsq[j][c] += g * g;
        m.weights[j][c] -= o.step * g / std::sqrt(gsq[j][c]);
      }
    }
  }
  return m;
}

}  // namespace chorus::nlp
