// The tables behind the sentiment analyser: degree modifiers, negators, multi-word expressions, emoji and
// the product-feedback vocabulary that general-purpose lexicons lack.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  bool self_negating;  // starts with a negator, so earlier negators do not flip it again
};
// All phrases whose first word is `first`, longest first; nullptr when none.
const std::vector<Phrase>* phrases_starting_with(std::string_view first);

}  // namespace chorus::nlp::sentiment_rules
