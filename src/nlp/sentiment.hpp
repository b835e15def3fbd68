// Sentiment: a lexicon-and-rules analyser in the manner of VADER (Hutto & Gilbert, ICWSM 2014), extended
// with product-feedback vocabulary and a "mixed" verdict; the stage feeds its verdict, with the words, to
// the trained sentiment model (feedback_models.hpp), which decides the label.
#pragma once

#include <string_view>

#include "nlp/stage.hpp"

namespace chorus::nlp {

struct SentimentResult {
  double compound = 0.0;                   // [-1, 1]
  std::string_view type = "neutral";       // positive | negative | neutral | mixed
  int score = 0;                           // round(compound x 10), [-10, 10]
  double strongest_positive_clause = 0.0;  // highest clause valence sum (>= 0)
  double strongest_negative_clause = 0.0;  // lowest clause valence sum (<= 0)
  bool ironic = false;  // praise aimed at a problem (ironic_praise): its praise was counted against
};

// Scores cleaned text with the vocabulary of its language: the full English rules for "en" and "un" (short
// texts are mostly English), compact word lists for de, fr, es, pt, it and nl, and only emoji, emoticons
// and punctuation for other languages. Reads at most the first 20,000 tokens; never throws.
SentimentResult analyze_sentiment(std::string_view text, std::string_view language_code = "en");

class SentimentStage final : public Stage {
 public:
  std::string_view name() const override { return "sentiment"; }
  std::string_view version() const override { return "20"; }
  void run(Document& doc) const override;
};

}  // namespace chorus::nlp
