// Sentiment tokeniser: words, emoticons and emoji with sentence and clause boundaries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nlp/sentiment_rules.hpp"

namespace chorus::nlp {

struct SentimentToken {
  std::string word;        // lookup form: lowercase, curly apostrophes straightened; emoticons as written
  float preset = 0.0f;     // valence fixed at tokenisation (emoji, shortcodes, emoticons)
  bool caps = false;       // written in ALL CAPS
  bool has_lower = false;  // has at least one lowercase letter
  std::uint32_t sentence = 0;
  std::uint32_t clause = 0;  // clauses end at , ; : and before contrast words ("but", "aber")
  bool question = false;     // its sentence ends with '?'
};

struct SentimentTokens {
  std::vector<SentimentToken> tokens;
  int exclamations = 0;
  int questions = 0;
};

// Whitespace-delimited words with edge punctuation removed, emoticons kept whole, emoji one per token. With
// a vocabulary, elongated words resolve to the form it knows ("goooood" -> "good"; English also undoes
// inflections, "lacks" -> "lack"). Reads at most max_tokens tokens.
SentimentTokens tokenize_for_sentiment(std::string_view text, const sentiment_rules::Vocabulary* vocab,
                                       std::size_t max_tokens);

}  // namespace chorus::nlp
