// What the trained sentiment, category and aspect models read of a document: its words, word pairs and the
// characters of unspaced scripts, each marked when a negator governs it, plus the lexicon analyser's
// verdict, the category rules' evidence, the rating and the text's form. One visitor serves training (which
// needs names) and inference (which hashes the same parts), so the two cannot drift apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nlp/category.hpp"
#include "nlp/sentiment.hpp"

namespace chorus::nlp {

// Praise aimed at a problem, the commonest irony in feedback: a sentence that opens with praise standing alone
// or aimed at what follows ("Great, another outage.", "Love how the update broke sync", "Thanks for deleting
// my notes", "Merci pour ces 3h d'attente") in a text that names a problem, without a fix to thank for ("Great,
// thanks for the quick fix") or a turn to another side ("love the app but sync fails" is mixed feelings).
// English words apply to every text, those of the text's language too (en, fr, es, de, it, pt, nl).
bool ironic_praise(std::string_view text, std::string_view title, std::string_view language_code);

struct FeedbackInput {
  std::string_view text;   // analysis text (quotes, code and URLs already removed)
  std::string_view title;  // optional
  std::string_view language_code = "un";
  std::optional<int> rating;  // 1-5 stars where the source carries them
  bool has_stack_trace = false;
  SentimentResult lexicon;  // the lexicon-and-rules analyser's verdict on text and title
};

// A feature is named by up to three parts ("b:" + "not" + " working"); value is its strength (1 for a
// present word). Parts are views into text, the input, or static strings, valid during the call.
struct FeatureName {
  std::string_view prefix, a, b;
  std::string str() const;
};

// The 64-bit hash by which models store a feature: FNV-1a over the parts in order.
std::uint64_t feature_hash(std::string_view prefix, std::string_view a, std::string_view b);
inline std::uint64_t feature_hash(const FeatureName& n) { return feature_hash(n.prefix, n.a, n.b); }

// Words the models read, at most this many (the start of a long text says what it is about).
constexpr std::size_t kMaxFeatureWords = 400;

// The words and marks the models read: lowercase word tokens, marked "negated" within a negator's reach
// (three words, never past punctuation), emoji as their own tokens, and single characters of unspaced
// scripts; the title's first, then the text's, at most kMaxFeatureWords.
struct FeatureToken {
  std::string text;
  bool negated = false;
  bool unspaced = false;  // one character of Han, Kana, Hangul or Thai
  bool title = false;
};
std::vector<FeatureToken> feature_tokens(const FeedbackInput& in);

// The dense features: the lexicon verdict, the category rules, the rating, the text's form.
struct DenseFeature {
  std::string_view name;  // a static string
  float value;
};
std::vector<DenseFeature> dense_features(const FeedbackInput& in);

struct Feature {
  std::uint64_t hash;
  FeatureName name;  // views into FeatureSet::tokens or static strings
  float value;
};
// Every feature of a document once, sorted by hash. Owns the tokens its names point into; moving it keeps
// them valid (the tokens stay where they are).
struct FeatureSet {
  std::vector<FeatureToken> tokens;
  std::vector<Feature> features;
};
FeatureSet feedback_features(const FeedbackInput& in);

}  // namespace chorus::nlp
