// What the trained models read: tokens, negation marks, unspaced scripts, dense features, hashing.
#include "nlp/feedback_features.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace chorus::nlp {
namespace {

FeedbackInput input(std::string_view text, std::string_view lang = "en") {
  FeedbackInput in;
  in.text = text;
  in.language_code = lang;
  in.lexicon = analyze_sentiment(text, lang);
  return in;
}

bool has(const FeatureSet& set, std::string_view name) {
  return std::any_of(set.features.begin(), set.features.end(), [&](const Feature& f) { return f.name.str() == name; });
}

TEST(FeedbackFeatures, NegatorMarksTheNextWordsUntilPunctuation) {
  auto tokens = feature_tokens(input("It does not work well, great support"));
  std::vector<std::pair<std::string, bool>> got;
  for (const auto& t : tokens) got.emplace_back(t.text, t.negated);
  std::vector<std::pair<std::string, bool>> want = {{"it", false},  {"does", false}, {"not", false},
                                                    {"work", true}, {"well", true},  {"great", false},
                                                    {"support", false}};
  EXPECT_EQ(got, want);
}

TEST(FeedbackFeatures, NegationReachIsThreeWords) {
  auto tokens = feature_tokens(input("never ever gonna use this again"));
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_TRUE(tokens[1].negated);
  EXPECT_TRUE(tokens[3].negated);
  EXPECT_FALSE(tokens[4].negated);
}

TEST(FeedbackFeatures, OtherLanguagesUseTheirNegators) {
  auto tokens = feature_tokens(input("Die App funktioniert nicht mehr richtig", "de"));
  auto it = std::find_if(tokens.begin(), tokens.end(), [](const FeatureToken& t) { return t.text == "mehr"; });
  ASSERT_NE(it, tokens.end());
  EXPECT_TRUE(it->negated);
}

TEST(FeedbackFeatures, UnspacedScriptsBecomeCharactersAndPairs) {
  FeatureSet set = feedback_features(input("应用很慢", "zh"));
  ASSERT_EQ(set.tokens.size(), 4u);
  EXPECT_TRUE(set.tokens[0].unspaced);
  EXPECT_TRUE(has(set, "w:慢"));
  EXPECT_TRUE(has(set, "b:很 慢"));
}

TEST(FeedbackFeatures, NumbersAreOneTokenAndCaseIsFolded) {
  auto tokens = feature_tokens(input("Charged 49 EUR twice"));
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].text, "0");
  EXPECT_EQ(tokens[2].text, "eur");
}

TEST(FeedbackFeatures, TitleWordsAreMarkedAndNotPairedAcrossTheBoundary) {
  FeedbackInput in = input("the app crashes");
  in.title = "Crash";
  FeatureSet set = feedback_features(in);
  EXPECT_TRUE(has(set, "t:crash"));
  EXPECT_TRUE(has(set, "b:the app"));
  EXPECT_FALSE(has(set, "b:crash the"));
}

TEST(FeedbackFeatures, FunctionWordsCountOnlyInTheirPairs) {
  // "very" and "my" alone carry the lean of whatever corpus a model was fitted on; in pairs they say more.
  FeatureSet set = feedback_features(input("Very fast service for my team"));
  EXPECT_FALSE(has(set, "w:very"));
  EXPECT_FALSE(has(set, "w:my"));
  EXPECT_FALSE(has(set, "w:for"));
  EXPECT_TRUE(has(set, "b:very fast"));
  EXPECT_TRUE(has(set, "b:my team"));
  EXPECT_TRUE(has(set, "w:fast"));
  EXPECT_TRUE(has(set, "w:team"));
  // Words that say what a text asks or wants stay: questions, requests, negators.
  set = feedback_features(input("How can I please not lose my notes?"));
  for (std::string_view kept : {"w:how", "w:can", "w:please", "w:not"}) EXPECT_TRUE(has(set, kept)) << kept;
  // So in the corpus's other languages: articles, pronouns, prepositions, copulas and intensifiers alone lean
  // the way a few hundred training texts happened to phrase things ("un", "pour", "il" towards requests).
  set = feedback_features(input("Die App ist sehr gut, aber nicht für mich", "de"));
  for (std::string_view dropped : {"w:die", "w:ist", "w:sehr", "w:für", "w:mich"})
    EXPECT_FALSE(has(set, dropped)) << dropped;
  for (std::string_view kept : {"w:gut", "w:aber", "w:nicht", "b:sehr gut"}) EXPECT_TRUE(has(set, kept)) << kept;
  set = feedback_features(input("Il serait bien de pouvoir exporter un rapport", "fr"));
  for (std::string_view dropped : {"w:il", "w:de", "w:un"}) EXPECT_FALSE(has(set, dropped)) << dropped;
  EXPECT_TRUE(has(set, "w:serait"));
  // A language without a list is read whole.
  EXPECT_TRUE(has(feedback_features(input("Jag gillar appen", "sv")), "w:jag"));
}

TEST(FeedbackFeatures, RatingLexiconAndFormAreDense) {
  FeedbackInput in = input("WHY IS THIS SO SLOW?");
  in.rating = 1;
  FeatureSet set = feedback_features(in);
  EXPECT_TRUE(has(set, "rating:1"));
  EXPECT_TRUE(has(set, "form:ends_question"));
  EXPECT_TRUE(has(set, "form:shouting"));
  EXPECT_TRUE(has(set, "bias:any"));
  EXPECT_FALSE(has(set, "rating:5"));
}

TEST(FeedbackFeatures, ATitlesWordsCountTowardsTheLength) {
  FeedbackInput tiny = input("Love it");
  EXPECT_TRUE(has(feedback_features(tiny), "len:tiny"));
  FeedbackInput titled = input("see CI log");
  titled.title = "Intermittent failure in the wallet backup tests";
  FeatureSet set = feedback_features(titled);
  EXPECT_FALSE(has(set, "len:tiny"));
  EXPECT_TRUE(has(set, "len:short"));
}

TEST(FeedbackFeatures, ScareQuotesMarkIrony) {
  auto quoted = [](std::string_view text) { return has(feedback_features(input(text)), "form:scare_quotes"); };
  EXPECT_TRUE(quoted("so glad the 'quick' transfer took three days"));
  EXPECT_TRUE(quoted("thanks for \u201cimproving\u201d the sidebar"));
  EXPECT_FALSE(quoted("I don't think it's working"));
  EXPECT_FALSE(quoted("\"The whole review is quoted\""));
  EXPECT_FALSE(quoted("he said 'this is a much longer sentence in quotes than irony uses' today"));
}

TEST(FeedbackFeatures, PraiseAimedAtAProblemIsIrony) {
  // Praise standing alone or aimed at what follows, in a text that names a problem.
  EXPECT_TRUE(ironic_praise("Great, another outage.", "", "en"));
  EXPECT_TRUE(ironic_praise("Oh perfect. Lost all my data again", "", "en"));
  EXPECT_TRUE(ironic_praise("I love how the update broke sync", "", "en"));
  EXPECT_TRUE(ironic_praise("@Brand thanks for logging me out in the middle of my exam", "", "en"));
  EXPECT_TRUE(ironic_praise("The new release is out. Brilliant, it crashes on launch.", "", "en"));
  EXPECT_TRUE(ironic_praise("third pair with the same crackle, broken again", "Fantastic.", "en"));
  EXPECT_TRUE(ironic_praise("Merci pour ces 3h d'attente sur le tarmac", "", "fr"));
  EXPECT_TRUE(ironic_praise("Me encanta cómo la app se cae cada lunes, no funciona nada", "", "es"));
  // The other language's words apply only to texts in it; English's to every text.
  EXPECT_FALSE(ironic_praise("Merci pour ces 3h d'attente sur le tarmac", "", "de"));
  EXPECT_TRUE(ironic_praise("Great, the app crashed again", "", "de"));
  EXPECT_TRUE(ironic_praise("Wow, three days without a reply from support. Amazing service.", "", "en"));

  // Sincere: praise of a fix, a problem denied, no problem at all, a turn to the other side, praise not at a
  // sentence's start or not standing alone.
  EXPECT_FALSE(ironic_praise("Great, thanks for the quick fix!", "", "en"));
  EXPECT_FALSE(ironic_praise("Thanks for fixing the crash so fast", "", "en"));
  EXPECT_FALSE(ironic_praise("Wonderful, everything is back after the outage", "", "en"));
  EXPECT_FALSE(ironic_praise("Loving how stable it is, no crashes at all", "", "en"));
  EXPECT_FALSE(ironic_praise("Great app, works perfectly", "", "en"));
  EXPECT_FALSE(ironic_praise("Love the app but sync keeps failing", "", "en"));
  EXPECT_FALSE(ironic_praise("Great app. Sadly it crashed twice", "", "en"));
  EXPECT_FALSE(ironic_praise("The export crashed, that was great", "", "en"));

  // Any input: nothing to read, punctuation alone, a handle alone, invalid UTF-8.
  EXPECT_FALSE(ironic_praise("", "", "en"));
  EXPECT_FALSE(ironic_praise("...!!!???", "", "en"));
  EXPECT_FALSE(ironic_praise("@great", "", "en"));
  EXPECT_FALSE(ironic_praise("\xff\xfe great, \xc3", "", "en"));

  // The models read it as a feature.
  EXPECT_TRUE(has(feedback_features(input("Nice, the app logged me out again")), "form:ironic_praise"));
  EXPECT_FALSE(has(feedback_features(input("Nice app, it logged me in quickly")), "form:ironic_praise"));
}

TEST(FeedbackFeatures, EachFeatureOnceSortedByHash) {
  FeatureSet set = feedback_features(input("bad bad bad bad"));
  EXPECT_TRUE(std::is_sorted(set.features.begin(), set.features.end(),
                             [](const Feature& a, const Feature& b) { return a.hash < b.hash; }));
  EXPECT_EQ(std::count_if(set.features.begin(), set.features.end(), [](const Feature& f) { return f.name.str() == "w:bad"; }), 1);
}

TEST(FeedbackFeatures, HashOfPartsEqualsHashOfTheJoinedName) {
  EXPECT_EQ(feature_hash("b:", "not", "working"), feature_hash("b:not working", "", ""));
  EXPECT_NE(feature_hash("w:", "crash", ""), feature_hash("n:", "crash", ""));
}

TEST(FeedbackFeatures, WordCountIsBounded) {
  std::string long_text;
  for (int i = 0; i < 5000; ++i) long_text += "word" + std::to_string(i % 50) + " ";
  EXPECT_EQ(feature_tokens(input(long_text)).size(), kMaxFeatureWords);
}

}  // namespace
}  // namespace chorus::nlp
