#include "nlp/stemmer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "nlp/lexicons.hpp"

namespace chorus::nlp {
namespace {

TEST(Stemmer, StemsByLanguageAndLeavesUnknownLanguagesAlone) {
  EXPECT_EQ(stem_word("crashes", "en"), "crash");
  EXPECT_EQ(stem_word("syncing", "un"), "sync");  // undetected text stems as English
  EXPECT_EQ(stem_word("applications", "fr"), "appliqu");
  EXPECT_EQ(stem_word("abonnements", "de"), stem_word("abonnement", "de"));
  EXPECT_EQ(stem_word("aplikacje", "pl"), "aplikacje");  // no Snowball algorithm: the word itself
  EXPECT_EQ(stem_word("", "en"), "");
}

TEST(Stemmer, ViewsAgreeWithCopiesWithOrWithoutAHashAtHand) {
  for (std::string w : {"notifications", "passwords", "billing", "a", "exportación"}) {
    const std::string copy = stem_word(w, w == "exportación" ? "es" : "en");
    EXPECT_EQ(stem_view(w, w == "exportación" ? "es" : "en"), copy) << w;
    EXPECT_EQ(stem_view(w, w == "exportación" ? "es" : "en", word_hash(w)), copy) << w;
  }
}

// The phrase matcher keeps views of stems while fresh_stems() is unchanged: a stem from the memo must not
// count as fresh, and a word never stemmed before must.
TEST(Stemmer, OnlyWordsStemmedAfreshCountAsFresh) {
  const std::string word = "reconnections";
  stem_view(word, "en");  // now in this thread's memo
  const std::uint64_t before = fresh_stems();
  const std::string_view kept = stem_view(word, "en");
  EXPECT_EQ(fresh_stems(), before);
  EXPECT_EQ(kept, "reconnect");
  stem_view("unheardofwordings" + std::to_string(before), "en");  // never seen by this thread
  EXPECT_EQ(fresh_stems(), before + 1);
  // Many fresh stems grow the memo, and views taken before them are looked up again: still right.
  for (int i = 0; i < 5000; ++i) stem_view("filler" + std::to_string(i) + "ings", "en");
  EXPECT_GT(fresh_stems(), before + 1000);
  EXPECT_EQ(stem_view(word, "en"), "reconnect");
}

}  // namespace
}  // namespace chorus::nlp
