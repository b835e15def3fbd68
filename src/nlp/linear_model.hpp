// A multinomial logistic regression over hashed named features, as `chorus train` writes it (text, one
// feature a line) and the sentiment and category stages read it from the binary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "nlp/feedback_features.hpp"
#include "nlp/stage.hpp"

namespace chorus::nlp {

struct Prediction {
  std::size_t best = 0;                // index into classes()
  std::vector<double> probabilities;  // per class, summing to 1
  std::vector<Evidence> evidence;     // strongest first, at most the number asked for
};

class LinearModel {
 public:
  // Parses the text format:
  //   # comment lines
  //   model <name> <format version 1>
  //   classes <c1> <c2> ...
  //   bias <b1> <b2> ...
  //   <feature name>\t<w1> <w2> ...      (one line per feature, names as FeatureName::str() gives them)
  static Result<LinearModel> parse(std::string_view text);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& classes() const { return classes_; }
  std::size_t feature_count() const { return rows_.size(); }

  // Scores a document's features; with evidence > 0, also the strongest features for the chosen class.
  Prediction predict(const FeatureSet& features, std::size_t evidence = 0) const;

  // The text format of a trained model; parse(serialize(...)) reproduces the weights to 4 decimals.
  static std::string serialize(std::string_view name, std::span<const std::string> classes,
                               std::span<const double> bias,
                               const std::vector<std::pair<std::string, std::vector<double>>>& weights,
                               std::string_view comment);

 private:
  std::string name_;
  std::vector<std::string> classes_;
  std::vector<float> bias_;
  std::unordered_map<std::uint64_t, std::uint32_t> rows_;  // feature hash -> first weight in weights_
  std::vector<float> weights_;                             // classes_.size() per feature
};

// How a reader would say a feature's name: "w:crash" -> "crash", "n:good" -> "not good", "b:not working"
// -> "not working", "rating:1" -> "rating 1", "lex:negative" -> "negative words".
std::string readable_feature(const FeatureName& name);

}  // namespace chorus::nlp
