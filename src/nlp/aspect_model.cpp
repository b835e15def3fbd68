// The aspect model (see aspect_model.hpp).
#include "nlp/aspect_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nlp/embedded_data.hpp"
#include "nlp/taxonomy.hpp"

namespace chorus::nlp {

std::string aspect_class_name(std::string_view id) {
  std::string s(id);
  std::replace(s.begin(), s.end(), ' ', '_');
  return s;
}

std::string aspect_id_of_class(std::string_view name) {
  std::string s(name);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string aspect_term_feature(std::string_view id) { return "term:" + aspect_class_name(id); }

bool is_aspect_feature(const FeatureName& n) {
  return !n.a.empty() && (n.prefix == "w:" || n.prefix == "t:" || n.prefix == "b:" || n.prefix == "n:");
}

TrainedModel train_one_vs_rest(const std::vector<AspectExample>& examples, std::size_t feature_count,
                               std::size_t k, std::size_t epochs, double step, double l2) {
  TrainedModel m;
  m.bias.assign(k, 0.0);
  m.weights.assign(feature_count, std::vector<double>(k, 0.0));
  std::vector<std::vector<double>> gsq(feature_count, std::vector<double>(k, 1e-8));
  std::vector<double> gbsq(k, 1e-8), z(k);
  std::vector<char> target(k);
  for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
    for (const AspectExample& ex : examples) {
      z = m.bias;
      for (const auto& [j, v] : ex.features)
        for (std::size_t c = 0; c < k; ++c) z[c] += v * m.weights[j][c];
      std::fill(target.begin(), target.end(), 0);
      for (std::size_t a : ex.labels) target[a] = 1;
      for (std::size_t c = 0; c < k; ++c) {
        double g = 1.0 / (1.0 + std::exp(-z[c])) - target[c];
        gbsq[c] += g * g;
        m.bias[c] -= step * g / std::sqrt(gbsq[c]);
        for (const auto& [j, v] : ex.features) {
          double gj = g * v + l2 * m.weights[j][c];
          gsq[j][c] += gj * gj;
          m.weights[j][c] -= step * gj / std::sqrt(gsq[j][c]);
        }
      }
    }
  }
  return m;
}

std::vector<std::size_t> predict_aspects(const LinearModel& model, const FeatureSet& features,
                                         const std::vector<std::size_t>& term_aspects, std::size_t max) {
  const Taxonomy& taxonomy = Taxonomy::builtin();
  std::vector<double> z(model.bias().begin(), model.bias().end());
  auto add = [&](const float* w, float v) {
    if (!w) return;
    for (std::size_t c = 0; c < z.size(); ++c) z[c] += v * w[c];
  };
  for (const Feature& f : features.features)
    if (is_aspect_feature(f.name)) add(model.weights_of(f.hash), f.value);
  for (std::size_t a : term_aspects) {
    std::string name = aspect_term_feature(taxonomy.aspects()[a].id);
    add(model.weights_of(feature_hash(name, {}, {})), 1.0f);
  }
  std::vector<std::pair<double, std::size_t>> found;
  for (std::size_t c = 0; c < z.size(); ++c) {
    if (z[c] <= 0.0) continue;
    if (auto a = taxonomy.find(aspect_id_of_class(model.classes()[c]))) found.emplace_back(z[c], *a);
  }
  std::sort(found.begin(), found.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<std::size_t> out;
  for (const auto& [score, a] : found) {
    if (out.size() == max) break;
    out.push_back(a);
  }
  return out;
}

std::vector<std::size_t> combine_aspects(const std::vector<std::size_t>& model, const std::vector<std::size_t>& terms) {
  std::vector<std::size_t> out;
  auto add = [&](std::size_t a) {
    if (out.size() < kMaxTextAspects && std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  };
  for (std::size_t i = 0; i < model.size() && i < kModelAspects; ++i) add(model[i]);
  for (std::size_t a : terms) add(a);
  return out;
}

const LinearModel* aspect_model() {
  static const LinearModel* model = [] () -> const LinearModel* {
    auto parsed = LinearModel::parse(embedded::aspect_model);
    if (!parsed.ok()) {
      std::fprintf(stderr, "chorus: the embedded aspect model is unreadable (%s); using the taxonomy's terms\n",
                   parsed.error().message.c_str());
      return nullptr;
    }
    if (parsed->feature_count() == 0) return nullptr;
    return new LinearModel(std::move(parsed).value());  // lives for the process
  }();
  return model;
}

}  // namespace chorus::nlp
