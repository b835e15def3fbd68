// The category model: features from the words and the rule evidence, scored by weights learned from the
// labelled set (bench/nlp/train_category.py writes category_weights.inc; nothing here is tuned by hand).
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>

#include "nlp/category.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr std::size_t kModelClasses = 6;

struct ModelWeight {
  std::string_view feature;
  std::array<float, kModelClasses> weights;
};

#include "nlp/category_weights.inc"

constexpr std::size_t kMaxWords = 300;  // categories show early; long texts need not be read to the end
constexpr std::size_t kShortText = 5;
constexpr std::size_t kLongText = 40;
constexpr double kEvidenceScale = 3.0;
constexpr double kTraceEvidence = 3.0;  // rule sums are on a 0..~10 scale; features stay near 0..2
constexpr std::array<std::string_view, RuleEvidence::kRuleCategories> kRuleNames = {
    "r:bug", "r:feature_request", "r:question", "r:complaint", "r:praise"};

std::string_view trim_end(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Features are named by up to three parts ("b:" + "please" + " add"); inference hashes the parts without
// building the name, training reads the names. One visitor serves both, so they cannot disagree.
template <class Visit>
void visit_features(const CategoryInput& in, Visit&& visit) {
  const std::vector<std::string> words = category_words(in);
  const std::size_t n = std::min(words.size(), kMaxWords);  // the model reads the first kMaxWords
  for (std::size_t i = 0; i < n; ++i) {
    visit("w:", words[i], "", "", 1.0f);
    if (i + 1 < n) visit("b:", words[i], " ", words[i + 1], 1.0f);
  }
  if (n > 0) visit("first:", words.front(), "", "", 1.0f);
  if (n <= kShortText) visit("len:short", "", "", "", 1.0f);
  if (n > kLongText) visit("len:long", "", "", "", 1.0f);

  RuleEvidence e = rule_evidence(in, words);
  if (in.has_stack_trace) e.signals[0] += kTraceEvidence;  // as the rules weigh it: a strong bug signal
  for (std::size_t k = 0; k < kRuleNames.size(); ++k) {
    if (e.signals[k] != 0.0)
      visit(kRuleNames[k], "", "", "", static_cast<float>(std::clamp(e.signals[k], -6.0, 6.0) / kEvidenceScale));
  }
  if (e.question_form > 0.0) visit("r:question_form", "", "", "", static_cast<float>(e.question_form / kEvidenceScale));
  if (in.has_stack_trace) visit("trace", "", "", "", 1.0f);
  if (in.sentiment_compound > 0.0) visit("sent:positive", "", "", "", static_cast<float>(in.sentiment_compound));
  if (in.sentiment_compound < 0.0) visit("sent:negative", "", "", "", static_cast<float>(-in.sentiment_compound));
  std::string_view body = trim_end(in.text);
  if (!body.empty() && body.back() == '?') visit("end:question", "", "", "", 1.0f);
  if (in.text.find('!') != std::string_view::npos) visit("has:exclamation", "", "", "", 1.0f);
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Weights by the 64-bit hash of the feature name.
using WeightIndex = std::unordered_map<std::uint64_t, const std::array<float, kModelClasses>*>;

const WeightIndex& weight_index() {
  static const WeightIndex index = [] {
    WeightIndex idx;
    for (const ModelWeight& w : kCategoryWeights) idx.emplace(fnv1a(w.feature), &w.weights);
    return idx;
  }();
  return index;
}

}  // namespace

CategoryFeatures category_features(const CategoryInput& in) {
  std::map<std::string, float> f;
  visit_features(in, [&](std::string_view a, std::string_view b, std::string_view c, std::string_view d, float v) {
    std::string name;
    name.reserve(a.size() + b.size() + c.size() + d.size());
    name.append(a).append(b).append(c).append(d);
    f[std::move(name)] = v;
  });
  return CategoryFeatures(f.begin(), f.end());
}

CategoryResult categorize(const CategoryInput& in) {
  std::vector<std::pair<std::uint64_t, float>> features;
  features.reserve(64);
  visit_features(in, [&](std::string_view a, std::string_view b, std::string_view c, std::string_view d, float v) {
    features.emplace_back(fnv1a(d, fnv1a(c, fnv1a(b, fnv1a(a)))), v);
  });
  // A repeated word is one feature, as in category_features.
  std::sort(features.begin(), features.end());
  features.erase(
      std::unique(features.begin(), features.end(), [](const auto& x, const auto& y) { return x.first == y.first; }),
      features.end());
  std::array<double, kModelClasses> z{};
  for (std::size_t c = 0; c < kModelClasses; ++c) z[c] = kCategoryBias[c];
  const WeightIndex& index = weight_index();
  for (const auto& [hash, value] : features) {
    auto it = index.find(hash);
    if (it == index.end()) continue;
    for (std::size_t c = 0; c < kModelClasses; ++c) z[c] += value * (*it->second)[c];
  }
  std::size_t best = 0;
  for (std::size_t c = 1; c < kModelClasses; ++c) {
    if (z[c] > z[best]) best = c;  // strict: ties keep the earlier class
  }
  double total = 0.0;
  for (double v : z) total += std::exp(v - z[best]);
  CategoryResult r;
  r.category = kCategoryClasses[best];
  r.confidence = std::round(100.0 / total) / 100.0;
  return r;
}

void CategoryStage::run(Document& doc) const {
  CategoryResult r = categorize({doc.analysis_text, doc.title, doc.sentiment_compound, doc.has_stack_trace});
  doc.category = std::string(r.category);
  doc.category_confidence = r.confidence;
}

}  // namespace chorus::nlp
