// Themes stage: up to five short key phrases per document, normalised by Snowball stems so that "syncing",
// "Sync" and "sync issue" are one theme ("sync") across documents.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nlp/stage.hpp"
#include "nlp/taxonomy.hpp"

namespace chorus::nlp {

class LinearModel;
struct FeatureSet;

// Key phrases of text (and its title, which counts extra), best first. Candidates are runs of one to three
// words between stop words, generic words, opinion words and punctuation (as in RAKE); each distinct stem
// sequence scores by its occurrences weighted by position and length, plus how often its words recur in
// other candidates (a co-occurrence degree, as in RAKE). Deterministic.
std::vector<std::string> extract_themes(std::string_view text, std::string_view title, std::string_view language_code);

// The phrase matcher's words and sentences of a title and text ("title\ntext", or the text alone), taken from
// the themes stage's own reading of them where that gives them exactly: the same as PhraseMatcher::Text of
// that string.
PhraseMatcher::Text matcher_text_of(std::string_view text, std::string_view title, std::string_view language_code);

// The grouping key of a phrase: Snowball stems of its words with generic words ("issue", "problem", "app")
// dropped. Two themes with the same key are the same theme. Empty when nothing specific remains.
std::string theme_key(std::string_view phrase, std::string_view language_code);

// A word the engine knows to be English: a word of the taxonomy's English terms or of the sentiment lexicon.
bool is_known_english_word(std::string_view word);

// Level-1 and level-2 themes of a text: the aspects of the built-in taxonomy it mentions (at most three,
// first mentioned first) and its key phrases, each filed under the aspect whose term it contains, else under
// the aspect talked about nearest to it in the same sentence (a phrase in no sentence with an aspect is left
// out); with no aspect at all, the key phrases are the themes.
struct ThemeLevels {
  std::vector<std::string> themes;
  std::vector<std::pair<std::string, std::string>> sub_themes;
};
//
// `likely` are aspects a trained model judged the text to be about (likely_aspects), most likely first: one
// the text does not name by a term is added after those it names, up to three aspects in all, unless the text
// rules it out by context ("hotel lobby" is no game's lobby). The model finds aspects told in words the
// taxonomy does not list ("took forever to get a human on the phone").
ThemeLevels extract_theme_levels(std::string_view text, std::string_view title, std::string_view language_code,
                                 std::span<const std::string> likely = {});

// The aspects the aspect model (feedback_models.hpp) finds more likely than not in a document's features,
// most likely first. Its classes are the aspects' ids with "_" for each space; each class's score is a
// separate log-odds.
std::vector<std::string> likely_aspects(const LinearModel& model, const FeatureSet& features);
// The aspect id an aspect model's class names ("customer_support" -> "customer support").
std::string aspect_of_class(std::string_view class_name);

class ThemesStage final : public Stage {
 public:
  std::string_view name() const override { return "themes"; }
  std::string_view version() const override { return "15"; }
  void run(Document& doc) const override;
};

}  // namespace chorus::nlp
