// A multinomial logistic regression over hashed named features, as `chorus train` writes it (text, one
// feature a line) and the sentiment and category stages read it from the binary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
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
  // or, in a sparse model, every feature line as <feature name>\t<class index>:<w> ... naming only the classes
  // whose weight is not 0, in class order. A sparse model is kept sparse in memory; it serves scores() and
  // predict() without evidence, and cannot join a ModelSet.
  static Result<LinearModel> parse(std::string_view text);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& classes() const { return classes_; }
  std::size_t feature_count() const { return rows_; }
  bool sparse() const { return sparse_; }

  // Scores a document's features; with evidence > 0, also the strongest features for the chosen class.
  Prediction predict(const FeatureSet& features, std::size_t evidence = 0) const;
  // Each class's raw score, its bias plus every feature's weight times its value, with no softmax: for a
  // model whose classes are separate yes/no decisions, each score is that class's log-odds.
  std::vector<double> scores(const FeatureSet& features) const;
  // Every feature with its weights (classes().size() per feature), for ModelSet.
  template <class Visit>
  void for_each_feature(Visit&& visit) const {
    if (sparse_) return;  // dense models only
    for (std::size_t row = 0; row < hashes_.size(); ++row) visit(hashes_[row], &weights_[row * classes_.size()]);
  }
  const std::vector<float>& bias() const { return bias_; }
  // The weights of one feature (classes().size() of them), or nullptr when the model does not read it (or
  // is sparse).
  const float* weights_of(std::uint64_t hash) const { return find(hash); }

  // The text format of a trained model; parse(serialize(...)) reproduces the weights to 4 decimals. Sparse
  // leaves out the weights that round to 0, and the features left with none.
  static std::string serialize(std::string_view name, std::span<const std::string> classes,
                               std::span<const double> bias,
                               const std::vector<std::pair<std::string, std::vector<double>>>& weights,
                               std::string_view comment, bool sparse = false);

 private:
  // Open addressing over feature hashes (linear probing, at most three quarters full). A slot holds the
  // hash's high half and where the feature's row is, eight bytes, so that a probe for a feature the model
  // does not read, the common case, touches a table a quarter the size of one of whole hashes and rows side
  // by side; the row's full hash is compared only when the high halves agree.
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t row = kEmpty;
  };
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
  static std::uint32_t tag_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 32); }
  std::uint64_t hash_at(std::uint32_t row) const;
  const float* find(std::uint64_t hash) const;
  std::uint32_t find_row(std::uint64_t hash) const;  // kEmpty when absent
  // Files a row whose hash hash_at() already reads; false when a row with that hash is filed.
  bool insert(std::uint64_t hash, std::uint32_t row);
  void place(std::uint64_t hash, std::uint32_t row);

  std::string name_;
  std::vector<std::string> classes_;
  std::vector<float> bias_;
  std::vector<Slot> slots_;  // size a power of two
  std::size_t rows_ = 0;
  bool sparse_ = false;
  // A dense model's rows: row r is the feature hashes_[r] with the weights at weights_[r * classes].
  std::vector<std::uint64_t> hashes_;
  std::vector<float> weights_;
  // A sparse model's rows, each in one run of words, so that a feature found is one more cache line read:
  // the hash's low and high halves, the count n of weights, then n pairs of a class index and a weight's
  // bits. A slot's row is the run's first word.
  std::vector<std::uint32_t> packed_;
};

// Several models over the same features, looked up together: one probe per feature finds the weights of
// every model side by side, where separate models would each pay a cache miss for it.
class ModelSet {
 public:
  explicit ModelSet(std::vector<const LinearModel*> models);
  std::size_t size() const { return models_.size(); }
  const LinearModel& model(std::size_t i) const { return *models_[i]; }
  // One prediction per model, in the order given; each with up to `evidence` terms.
  std::vector<Prediction> predict(const FeatureSet& features, std::size_t evidence = 0) const;

 private:
  std::vector<const LinearModel*> models_;
  std::vector<std::size_t> offsets_;  // each model's first column in a row
  std::size_t stride_ = 0;            // columns per row: every model's classes
  static constexpr std::uint64_t kNoKey = 0;
  struct Slot {
    std::uint64_t key = kNoKey;
    std::uint32_t row = 0;  // first float of the feature's row in rows_
  };
  std::vector<Slot> slots_;  // open addressing, linear probing, at most half full
  std::vector<float> rows_;  // stride_ floats per feature, packed
  const float* find(std::uint64_t hash) const;
};

// How a reader would say a feature's name: "w:crash" -> "crash", "n:good" -> "not good", "b:not working"
// -> "not working", "rating:1" -> "rating 1", "lex:negative" -> "negative words".
std::string readable_feature(const FeatureName& name);

}  // namespace chorus::nlp
