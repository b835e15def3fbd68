// The NLP pipeline: small versioned stages over one Document, shared by the parser role and `chorus analyze`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chorus::nlp {

struct FeatureSet;  // nlp/feedback_features.hpp

// What moved a model's decision: a word or feature as a reader would say it ("crash", "not working",
// "rating 1★") and its pull towards the chosen label against the average of the others.
struct Evidence {
  std::string term;
  double weight = 0.0;
};

enum class TextFormat { plain, html, markdown };

struct Document {
  // Input
  std::string raw;  // as the source gave it
  TextFormat format = TextFormat::plain;
  std::string title;  // optional; read by sentiment, category and themes, not part of the stored text
  std::optional<int> rating;  // 1-5 stars where the source carries them; read by the models

  // Clean text stage
  std::string text;              // plain text for display and storage: HTML/markdown stripped, entities decoded
  std::string analysis_text;     // text with code blocks, stack traces, quoted replies and URLs removed
  bool has_stack_trace = false;  // a stack trace was removed from analysis_text (a strong bug signal)
  // analysis_text minus an issue form's labels, one-line answers, declarations and collapsed system information,
  // when the input had any (CleanText::themes): what the themes stage reads instead of analysis_text.
  std::optional<std::string> theme_text;

  // Language stage
  std::string language_code = "un";
  std::string language = "Unknown";

  // Sentiment stage
  std::string sentiment_type = "neutral";  // positive | negative | neutral | mixed
  double sentiment_compound = 0.0;         // [-1, 1]
  int sentiment_score = 0;                 // [-10, 10], compound x 10 rounded
  double sentiment_confidence = 0.0;       // the model's probability of sentiment_type, two decimals
  double lexicon_compound = 0.0;           // the lexicon analyser's own compound (before the model)
  double sentiment_polarity = 0.0;         // the model's P(positive) - P(negative)
  std::vector<Evidence> sentiment_evidence;
  // What the trained models read (set by the sentiment stage, reused by the category stage).
  std::shared_ptr<const FeatureSet> features;
  // The sentiment stage scores both trained models in one pass over the features and fills in the
  // category too; the category stage then has nothing left to do.
  bool category_decided = false;

  // Category stage
  std::string category = "other";  // bug | feature_request | question | praise | complaint | other
  double category_confidence = 0.0;
  std::vector<Evidence> category_evidence;

  // Themes stage
  // Level 1: the taxonomy's aspects the text is about, then key phrases that fit no aspect (0-5 short
  // lowercase names). Level 2: the key phrases under each aspect, as (aspect, phrase).
  std::vector<std::string> themes;
  std::vector<std::pair<std::string, std::string>> sub_themes;

  // Near-duplicate fingerprint of analysis_text (fingerprint_of: four 16-bit MinHash bands); named after the
  // record field it fills
  std::uint64_t simhash = 0;
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view version() const = 0;
  // Must never throw and must accept any bytes (invalid UTF-8, binary junk, megabyte lines).
  virtual void run(Document& doc) const = 0;
};

class Pipeline {
 public:
  // The default engine: clean -> language -> sentiment -> category -> themes -> fingerprint.
  static const Pipeline& standard();

  explicit Pipeline(std::vector<std::unique_ptr<Stage>> stages);
  void run(Document& doc) const;
  // Builds the standard stages' shared tables (lexicons, vocabularies, taxonomy, models) ahead of the first
  // document. Threads that call it at once share the work, each building the next table not yet taken. Any
  // thread may call it; the tables are built once.
  static void prepare();
  // "clean@1,language@1,..." stamped on every record as context_info.nlp_version.
  const std::string& version() const { return version_; }

 private:
  std::vector<std::unique_ptr<Stage>> stages_;
  std::string version_;
};

}  // namespace chorus::nlp
