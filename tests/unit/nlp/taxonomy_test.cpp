// The aspect taxonomy: its file, the phrase matcher in spaced and unspaced scripts, and the built-in data.
#include "nlp/taxonomy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "nlp/themes.hpp"

namespace chorus::nlp {
namespace {

constexpr std::string_view kTaxonomy = R"({"version": 3, "aspects": [
  {"id": "pricing", "name": "pricing", "terms": {"en": ["price", "too expensive", "price increase"], "de": ["Preis", "zu teuer"], "ja": ["値段"]}},
  {"id": "login", "name": "login", "terms": {"en": ["log in", "login", "sign in", "password"]}, "none": {"en": ["log cabin"]}},
  {"id": "battery", "name": "battery", "terms": {"en": ["battery", "charging port"]}, "none": {"en": ["battery of tests"]}}
]})";

std::vector<std::string> aspects_of(const Taxonomy& t, std::string_view text, std::string_view lang, std::size_t max = 3) {
  std::vector<std::string> out;
  for (std::size_t a : t.match(PhraseMatcher::Text(text), lang, max)) out.push_back(t.aspects()[a].id);
  return out;
}

TEST(Taxonomy, ParsesAndMatchesByStemsInOrderOfMention) {
  auto t = Taxonomy::parse(kTaxonomy);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->version(), 3);
  EXPECT_EQ(aspects_of(*t, "Can't log-in since the PRICES went up", "en"), (std::vector<std::string>{"login", "pricing"}));
  EXPECT_EQ(aspects_of(*t, "Logging in fails", "en"), (std::vector<std::string>{"login"}));
  EXPECT_EQ(aspects_of(*t, "It is way too expensive", "en"), (std::vector<std::string>{"pricing"}));
  EXPECT_TRUE(aspects_of(*t, "expensive, but worth it", "en").empty());  // "too expensive" is the term
  EXPECT_EQ(aspects_of(*t, "price login battery", "en", 2).size(), 2u);
}

TEST(Taxonomy, OtherLanguagesAlsoMatchEnglishTerms) {
  auto t = Taxonomy::parse(kTaxonomy);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(aspects_of(*t, "Die Preise sind zu hoch", "de"), (std::vector<std::string>{"pricing"}));
  EXPECT_EQ(aspects_of(*t, "Das Login geht nicht", "de"), (std::vector<std::string>{"login"}));
  EXPECT_EQ(aspects_of(*t, "この値段は高すぎる", "ja"), (std::vector<std::string>{"pricing"}));
}

TEST(Taxonomy, NonePhrasesCancelTheirAspect) {
  auto t = Taxonomy::parse(kTaxonomy);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(aspects_of(*t, "The battery dies by noon", "en"), (std::vector<std::string>{"battery"}));
  EXPECT_TRUE(aspects_of(*t, "We ran a battery of tests", "en").empty());
  // A "none" phrase rules out only its own aspect, only where it covers the aspect's term, and is never a
  // term itself.
  EXPECT_EQ(aspects_of(*t, "We ran a battery of tests, and then the battery died", "en"),
            (std::vector<std::string>{"battery"}));
  EXPECT_EQ(aspects_of(*t, "A battery of tests on the login page, and the price went up", "en"),
            (std::vector<std::string>{"login", "pricing"}));
  EXPECT_EQ(aspects_of(*t, "log cabin, battery of tests, price", "en", 1), (std::vector<std::string>{"pricing"}));
  EXPECT_FALSE(t->aspect_of_phrase("log cabin", "en").has_value());
  EXPECT_EQ(t->aspect_of_phrase("battery of tests", "en"), t->find("battery"));  // by its term "battery"
  EXPECT_EQ(t->aspect_of_phrase("login screen", "en"), t->find("login"));
}

// A "context" phrase is said where the aspect's terms mean something else, wherever it is in the text.
TEST(Taxonomy, ContextPhrasesRuleTheirAspectOutOfTheWholeText) {
  auto t = Taxonomy::parse(R"({"version": 1, "aspects": [
    {"id": "multiplayer", "terms": {"en": ["lobby"]}, "none": {"en": ["lobby bar"]}, "context": {"en": ["hotel"]}},
    {"id": "pricing", "terms": {"en": ["price"]}}
  ]})");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(aspects_of(*t, "Stuck in the lobby for ten minutes", "en"), (std::vector<std::string>{"multiplayer"}));
  // A "none" phrase covers only its own words; a context phrase covers the text, and only its own aspect.
  EXPECT_EQ(aspects_of(*t, "Drinks in the lobby bar. Then stuck in the lobby", "en"),
            (std::vector<std::string>{"multiplayer"}));
  EXPECT_EQ(aspects_of(*t, "Great hotel. The lobby was spotless and the price fair", "en"),
            (std::vector<std::string>{"pricing"}));
  // It is never a term, and a key phrase holding it belongs to no aspect by it.
  EXPECT_TRUE(aspects_of(*t, "hotel", "en").empty());
  EXPECT_FALSE(t->aspect_of_phrase("hotel room", "en").has_value());
  std::vector<std::size_t> ruled_out;
  EXPECT_TRUE(t->mentions(PhraseMatcher::Text("the hotel lobby"), "en", 3, &ruled_out).empty());
  EXPECT_EQ(ruled_out, (std::vector<std::size_t>{*t->find("multiplayer")}));
}

TEST(Taxonomy, RejectsBrokenFiles) {
  EXPECT_FALSE(Taxonomy::parse("not json").ok());
  EXPECT_FALSE(Taxonomy::parse(R"({"aspects": 3})").ok());
  EXPECT_FALSE(Taxonomy::parse(R"({"aspects": [{"name": "x"}]})").ok());
  auto dup = Taxonomy::parse(R"({"aspects": [{"id": "x"}, {"id": "x"}]})");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("twice"), std::string::npos);
}

TEST(Taxonomy, KeyPhrasesRememberedPerTaxonomyAndLanguage) {
  auto a = Taxonomy::parse(R"({"aspects": [{"id": "pricing", "terms": {"en": ["plan"]}}]})");
  auto b = Taxonomy::parse(R"({"aspects": [{"id": "roadmap", "terms": {"en": ["plan"], "de": ["Plan"]}},
                                           {"id": "pricing", "terms": {"de": ["Tarif"]}}]})");
  ASSERT_TRUE(a.ok() && b.ok());
  for (int round = 0; round < 2; ++round) {  // the second round answers from the memo
    EXPECT_EQ(a->aspect_of_phrase("free plan", "en"), a->find("pricing"));
    EXPECT_EQ(b->aspect_of_phrase("free plan", "en"), b->find("roadmap"));
    EXPECT_EQ(b->aspect_of_phrase("tarif wechsel", "de"), b->find("pricing"));
    EXPECT_FALSE(b->aspect_of_phrase("tarif wechsel", "en").has_value());
    EXPECT_FALSE(a->aspect_of_phrase("tarif wechsel", "de").has_value());
  }
  Taxonomy copy = *b;  // the same phrases: the same answers
  EXPECT_EQ(copy.aspect_of_phrase("free plan", "de"), copy.find("roadmap"));
}

TEST(PhraseMatcher, PhrasesSharingAFirstWordAreTellApartByTheWordsAfterIt) {
  PhraseMatcher m;
  m.add("en", "not syncing", 1);
  m.add("en", "not loading at all", 2);
  m.add("en", "not", 3);
  m.add("en", "in app purchase", 4);
  auto tags = [&](std::string_view text) { return m.find(PhraseMatcher::Text(text), {"en"}); };
  EXPECT_EQ(tags("Notes not synced"), (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(tags("page is not loading at all"), (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(tags("not loading"), (std::vector<std::size_t>{3}));  // the longer phrase needs "at all"
  EXPECT_EQ(tags("too many in-app purchases"), (std::vector<std::size_t>{4}));
  EXPECT_TRUE(tags("in the app").empty());
  EXPECT_EQ(m.find_in_phrase("in-app purchases", "en"), std::optional<std::size_t>(4));
  EXPECT_EQ(m.find_in_phrase("not loading at all", "en"), std::optional<std::size_t>(2));  // longest first
  EXPECT_EQ(m.find_in_phrase("not sure", "en"), std::optional<std::size_t>(3));
}

TEST(PhraseMatcher, WhatAThreadRemembersFollowsAddsAndCopies) {
  auto tags = [](const PhraseMatcher& m, std::string_view text) { return m.find(PhraseMatcher::Text(text), {"en"}); };
  PhraseMatcher m;
  m.add("en", "export", 1);
  EXPECT_TRUE(tags(m, "sync is broken").empty());
  m.add("en", "sync", 2);  // "sync" was looked up before and had no phrases then
  EXPECT_EQ(tags(m, "sync is broken"), (std::vector<std::size_t>{2}));
  PhraseMatcher copy;
  {
    PhraseMatcher original;
    original.add("en", "battery drain", 7);
    EXPECT_EQ(tags(original, "battery drain overnight"), (std::vector<std::size_t>{7}));
    copy = original;
  }  // the copy's phrases live on after the original is gone
  EXPECT_EQ(tags(copy, "battery drain overnight"), (std::vector<std::size_t>{7}));
  copy.add("en", "overnight", 8);
  EXPECT_EQ(tags(copy, "battery drain overnight"), (std::vector<std::size_t>{7, 8}));
}

TEST(Taxonomy, MatcherWordsSplitHyphensAndKeepApostrophes) {
  EXPECT_EQ(matcher_words("Sign-in doesn't WORK!"), (std::vector<std::string>{"sign", "in", "doesn't", "work"}));
}

TEST(Taxonomy, MatcherWordsKnowTheirSentence) {
  std::vector<std::uint32_t> starts;
  const auto words = matcher_words("Version 6.2 broke sync. Why?! Fix it\nplease; thanks\u3002ok...", &starts);
  EXPECT_EQ(words, (std::vector<std::string>{"version", "6", "2", "broke", "sync", "why", "fix", "it", "please",
                                             "thanks", "ok"}));
  // "6.2" is not a full stop; "?!" ends one sentence, not two; the last full stops end nothing after them.
  EXPECT_EQ(starts, (std::vector<std::uint32_t>{5, 6, 8, 9, 10}));
  const PhraseMatcher::Text text("One two. Three!");
  EXPECT_EQ(text.sentence_of(1), 0u);
  EXPECT_EQ(text.sentence_of(2), 1u);
  EXPECT_EQ(text.sentence_words(0), (std::pair<std::size_t, std::size_t>{0, 2}));
  EXPECT_EQ(text.sentence_words(1), (std::pair<std::size_t, std::size_t>{2, 3}));
}

// A handle names an account: its words (through underscores) are no terms. An address is not a handle.
TEST(Taxonomy, HandlesAreNotMatched) {
  EXPECT_EQ(PhraseMatcher::Text("@Acme_Battery_Team hi @ home").words, (std::vector<std::string>{"hi", "home"}));
  EXPECT_EQ(PhraseMatcher::Text("battery@acme.example").words,
            (std::vector<std::string>{"battery", "acme", "example"}));
  EXPECT_EQ(matcher_words("@battery"), (std::vector<std::string>{"battery"}));  // phrases keep every word
  auto t = Taxonomy::parse(kTaxonomy);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(aspects_of(*t, "@acme_battery the price went up", "en"), (std::vector<std::string>{"pricing"}));
}

// Opinion terms name their aspect only beside a judgement: a word the sentiment vocabulary scores, or one
// of the taxonomy's opinion words, at most two words away.
TEST(Taxonomy, OpinionTermsCountOnlyWhereSomethingIsSaidOfThem) {
  auto t = Taxonomy::parse(R"({"version": 1, "opinion_words": {"en": ["prompt"], "nl": ["lekker"]}, "aspects": [
    {"id": "customer support", "terms": {"en": ["waiter"]}, "opinion_terms": {"en": ["service"], "ja": ["サービス"]},
     "none": {"en": ["service fee"]}},
    {"id": "food quality", "terms": {"en": ["cold food"]}, "opinion_terms": {"en": ["food"], "nl": ["eten"]}}
  ]})");
  ASSERT_TRUE(t.ok()) << t.error().message;
  using V = std::vector<std::string>;
  EXPECT_EQ(aspects_of(*t, "The service was excellent", "en"), (V{"customer support"}));
  EXPECT_EQ(aspects_of(*t, "Service was prompt", "en"), (V{"customer support"}));  // the taxonomy's own word
  EXPECT_EQ(aspects_of(*t, "terrible food, lovely service", "en"), (V{"food quality", "customer support"}));
  EXPECT_TRUE(aspects_of(*t, "We run three services on one box", "en").empty());
  EXPECT_TRUE(aspects_of(*t, "I ordered food for the whole office last night and it was excellent", "en").empty());
  // A plain term needs nothing beside it; a "none" phrase still cancels the aspect.
  EXPECT_EQ(aspects_of(*t, "Our waiter came twice", "en"), (V{"customer support"}));
  EXPECT_TRUE(aspects_of(*t, "Awful service fee", "en").empty());
  EXPECT_EQ(aspects_of(*t, "Great service, awful service fee", "en"), (V{"customer support"}));
  // Other languages, with English's judgements too.
  EXPECT_EQ(aspects_of(*t, "Het eten was lekker", "nl"), (V{"food quality"}));
  EXPECT_EQ(aspects_of(*t, "Het eten was super", "nl"), (V{"food quality"}));
  EXPECT_TRUE(aspects_of(*t, "We gaan eten om zes uur", "nl").empty());
  // Unspaced scripts have no neighbouring words to vouch, so their opinion terms are not kept.
  EXPECT_TRUE(aspects_of(*t, "サービスは最高です", "ja").empty());
  // A key phrase is filed by plain terms only.
  EXPECT_FALSE(t->aspect_of_phrase("food truck", "en").has_value());
  EXPECT_EQ(t->aspect_of_phrase("cold food", "en"), t->find("food quality"));
}

// The built-in taxonomy's service and food as shipped: waiting staff by name, food where it is judged.
TEST(BuiltinTaxonomy, FindsServiceAndFoodWhereTheyAreJudged) {
  const Taxonomy& t = Taxonomy::builtin();
  using V = std::vector<std::string>;
  EXPECT_EQ(aspects_of(t, "The waitress was lovely and the food was delicious", "en"),
            (V{"customer support", "food quality"}));
  EXPECT_EQ(aspects_of(t, "De bediening was erg vriendelijk", "nl"), (V{"customer support"}));
  EXPECT_EQ(aspects_of(t, "Das Essen war lecker", "de"), (V{"food quality"}));
  auto has = [](const V& v, const char* a) { return std::find(v.begin(), v.end(), a) != v.end(); };
  EXPECT_FALSE(has(aspects_of(t, "Every Friday I order food for the whole office", "en"), "food quality"));
  EXPECT_TRUE(has(aspects_of(t, "Great laptop for the money", "en"), "pricing"));
}

// Speed said as a judgement of the product is performance; fast delivery, fast staff, playback speed and
// other languages' "fast" (German "almost", Swedish "although") are not.
TEST(BuiltinTaxonomy, FindsSpeedSaidOfTheProduct) {
  const Taxonomy& t = Taxonomy::builtin();
  using V = std::vector<std::string>;
  auto has = [](const V& v, const char* a) { return std::find(v.begin(), v.end(), a) != v.end(); };
  EXPECT_TRUE(has(aspects_of(t, "This laptop is really fast", "en"), "performance"));
  EXPECT_TRUE(has(aspects_of(t, "Fast and reliable, love it", "en"), "performance"));
  EXPECT_TRUE(has(aspects_of(t, "Love the speed!", "en"), "performance"));
  EXPECT_FALSE(has(aspects_of(t, "Delivery was so fast, thank you", "en"), "performance"));
  EXPECT_TRUE(has(aspects_of(t, "The app is really fast, and delivery was fast too", "en"), "performance"));
  EXPECT_FALSE(has(aspects_of(t, "The service was really fast and friendly", "en"), "performance"));
  EXPECT_FALSE(
      has(aspects_of(t, "Please add a 2x speed option, the playback speed is great otherwise", "en"), "performance"));
  EXPECT_FALSE(has(aspects_of(t, "Die App hat fast alle Funktionen", "de"), "performance"));
  EXPECT_FALSE(has(aspects_of(t, "Klockan vibrerar fast jag har stängt av det", "sv"), "performance"));
}

// Warranty, repairs and replacements are what the company's people do for a customer: customer support, in
// every language, not the product's build.
TEST(BuiltinTaxonomy, WarrantyAndRepairsAreCustomerSupport) {
  const Taxonomy& t = Taxonomy::builtin();
  using V = std::vector<std::string>;
  EXPECT_EQ(aspects_of(t, "Two months left on the warranty and they still refuse", "en"), (V{"customer support"}));
  EXPECT_EQ(aspects_of(t, "Sent it in for repair twice, still waiting on a replacement", "en"),
            (V{"customer support"}));
  EXPECT_EQ(aspects_of(t, "Die Garantie wurde abgelehnt", "de"), (V{"customer support"}));
  auto has = [](const V& v, const char* a) { return std::find(v.begin(), v.end(), a) != v.end(); };
  EXPECT_FALSE(has(aspects_of(t, "Two months left on the warranty", "en"), "product quality"));
}

// Talking to a voice assistant, or to a friend, is no contact with support; talking to an agent is.
TEST(BuiltinTaxonomy, TalkingToSomeoneIsSupportOnlyWhenItIsSupport) {
  const Taxonomy& t = Taxonomy::builtin();
  using V = std::vector<std::string>;
  auto has = [](const V& v, const char* a) { return std::find(v.begin(), v.end(), a) != v.end(); };
  EXPECT_FALSE(has(aspects_of(t, "My four year old loves talking to Alexa", "en"), "customer support"));
  EXPECT_FALSE(has(aspects_of(t, "I spoke to my wife about it", "en"), "customer support"));
  EXPECT_TRUE(has(aspects_of(t, "I spoke to an agent for an hour", "en"), "customer support"));
  EXPECT_TRUE(has(aspects_of(t, "Finally talked to someone who could help", "en"), "customer support"));
}

// Noise cancelling is how a product sounds, not a cancellation, in the languages whose word for it holds a
// cancellation term; a cancellation said beside it is still found.
TEST(BuiltinTaxonomy, NoiseCancellingIsProductQualityNotCancellation) {
  const Taxonomy& t = Taxonomy::builtin();
  using V = std::vector<std::string>;
  EXPECT_EQ(aspects_of(t, "The noise cancelling on these headphones is weak", "en"), (V{"product quality"}));
  EXPECT_EQ(aspects_of(t, "La cancelación de ruido es muy mala", "es"), (V{"product quality"}));
  EXPECT_EQ(aspects_of(t, "O cancelamento de ruído é fraco", "pt"), (V{"product quality"}));
  EXPECT_EQ(aspects_of(t, "Aktif gürültü iptali çok zayıf", "tr"), (V{"product quality"}));
  auto both = aspects_of(t, "The noise cancelling is bad, so I want to cancel my order", "en");
  EXPECT_NE(std::find(both.begin(), both.end(), "cancellation"), both.end());
  EXPECT_NE(std::find(both.begin(), both.end(), "product quality"), both.end());
}

// The built-in taxonomy as shipped: every aspect of the labelling guide, each with terms in at least ten
// languages, and the common ways of saying the common aspects found.
TEST(BuiltinTaxonomy, HasEveryAspectInTenLanguages) {
  const Taxonomy& t = Taxonomy::builtin();
  EXPECT_GE(t.aspects().size(), 40u);
  for (std::string_view id : {"pricing", "billing", "refunds", "login", "performance", "crashes", "sync", "data loss",
                              "notifications", "search", "ui design", "customer support", "delivery", "privacy",
                              "security", "ads", "battery", "onboarding", "integrations", "export", "accessibility",
                              "localization"})
    EXPECT_TRUE(t.find(id).has_value()) << id;
  EXPECT_EQ(aspects_of(t, "The app keeps crashing when I open a note", "en"), (std::vector<std::string>{"crashes"}));
  EXPECT_EQ(aspects_of(t, "I was charged twice this month", "en"), (std::vector<std::string>{"billing"}));
  EXPECT_EQ(aspects_of(t, "Die App stürzt ständig ab", "de"), (std::vector<std::string>{"crashes"}));
  EXPECT_EQ(aspects_of(t, "La synchronisation ne fonctionne plus", "fr"), (std::vector<std::string>{"sync"}));
}

TEST(ThemeLevels, AspectsFirstAndKeyPhrasesBeneathThem) {
  ThemeLevels l = extract_theme_levels("The price increase on the free plan is steep", "", "en");
  ASSERT_FALSE(l.themes.empty());
  EXPECT_EQ(l.themes.front(), "pricing");
  std::set<std::string> parents;
  for (const auto& [parent, phrase] : l.sub_themes) parents.insert(parent);
  EXPECT_EQ(parents, std::set<std::string>{"pricing"});
  // A key phrase with no aspect of its own goes under the aspect talked about nearest to it.
  ThemeLevels three = extract_theme_levels(
      "The battery dies fast and the price is too high. Support never answered my emails.", "", "en");
  ASSERT_EQ(three.themes, (std::vector<std::string>{"battery", "pricing", "customer support"}));
  for (const auto& [parent, phrase] : three.sub_themes) {
    if (phrase.rfind("battery", 0) == 0) {
      EXPECT_EQ(parent, "battery") << phrase;
    }
    if (phrase.rfind("support", 0) == 0 || phrase.rfind("email", 0) == 0) {
      EXPECT_EQ(parent, "customer support") << phrase;
    }
  }
  // Only an aspect of the phrase's own sentence takes it: the sink is not a pricing phrase, and with no
  // aspect in its sentence it is filed nowhere.
  ThemeLevels apart = extract_theme_levels("The price is too high. The bathroom sink leaked all night.", "", "en");
  ASSERT_EQ(apart.themes, (std::vector<std::string>{"pricing"}));
  for (const auto& [parent, phrase] : apart.sub_themes) EXPECT_EQ(phrase.find("sink"), std::string::npos) << phrase;
  ThemeLevels together =
      extract_theme_levels("The price is too high for a bathroom sink that leaked all night.", "", "en");
  bool filed = false;
  for (const auto& [parent, phrase] : together.sub_themes)
    if (phrase.find("sink") != std::string::npos) filed = parent == "pricing";
  EXPECT_TRUE(filed);
  // A phrase that only repeats its parent's name is not filed beneath it.
  for (std::string_view text :
       {"Asked the chatbot how to close my account. It offered me a loan.",
        "On hold with Ardent support for 52 minutes today.", "The new card arrived but the card reader rejects it.",
        "Tried to book a class but the booking page kept failing."}) {
    ThemeLevels l = extract_theme_levels(text, "", "en");
    ASSERT_FALSE(l.themes.empty()) << text;
    for (const auto& [parent, phrase] : l.sub_themes)
      EXPECT_TRUE(phrase != "account" && phrase != "support" && phrase != "card" && phrase != "book")
          << text << ": " << parent << " / " << phrase;
  }
  // A key phrase holding an aspect's term does not bring back an aspect its text rules out.
  ThemeLevels hotel = extract_theme_levels("Great hotel, fair price. The hotel lobby was spotless.", "", "en");
  EXPECT_EQ(std::count(hotel.themes.begin(), hotel.themes.end(), "multiplayer"), 0);
  for (const auto& [parent, phrase] : hotel.sub_themes) EXPECT_NE(parent, "multiplayer") << phrase;
  ThemeLevels game = extract_theme_levels("Stuck in the game lobby for ten minutes.", "", "en");
  EXPECT_EQ(game.themes, (std::vector<std::string>{"multiplayer"}));
  ThemeLevels none = extract_theme_levels("Quarterly roadmap webinar recording", "", "en");
  EXPECT_TRUE(none.sub_themes.empty());
  EXPECT_FALSE(none.themes.empty());  // key phrases stand on their own where no aspect fits
}

TEST(ThemeLevels, AModelsLikelyAspectsFollowThoseTheTextNames) {
  const std::vector<std::string> likely = {"customer support", "pricing", "no such aspect", "battery", "refunds"};
  // The named aspect first, then the model's in its order, three in all; a named one is not repeated and an
  // id the taxonomy does not hold is passed over.
  EXPECT_EQ(extract_theme_levels("The price is too high.", "", "en").themes, (std::vector<std::string>{"pricing"}));
  EXPECT_EQ(extract_theme_levels("The price is too high.", "", "en", likely).themes,
            (std::vector<std::string>{"pricing", "customer support", "battery"}));
  // A text that names no aspect keeps its key phrases as themes, after the model's aspect; at most five
  // themes, so a full list gives up its last key phrase.
  const std::vector<std::string> docs = {"documentation"};
  for (std::string_view text :
       {"Quarterly roadmap webinar recording",
        "Quarterly roadmap webinar recording, vendor lanyard checklist, warehouse forklift rota, parking "
        "garage gate, cafeteria menu board, conference badge printer"}) {
    ThemeLevels plain = extract_theme_levels(text, "", "en");
    ThemeLevels with_model = extract_theme_levels(text, "", "en", docs);
    ASSERT_FALSE(plain.themes.empty()) << text;
    for (const std::string& t : plain.themes) ASSERT_FALSE(Taxonomy::builtin().find(t)) << t;
    std::vector<std::string> expected = {"documentation"};
    expected.insert(expected.end(), plain.themes.begin(), plain.themes.end());
    if (expected.size() > 5) expected.resize(5);
    EXPECT_EQ(with_model.themes, expected) << text;
  }
  // What the text rules out by context, the model cannot bring back.
  const std::vector<std::string> game = {"multiplayer"};
  ThemeLevels hotel = extract_theme_levels("Great hotel, fair price. The hotel lobby was spotless.", "", "en", game);
  EXPECT_EQ(std::count(hotel.themes.begin(), hotel.themes.end(), "multiplayer"), 0);
  EXPECT_EQ(std::count(hotel.themes.begin(), hotel.themes.end(), "pricing"), 1);
}

}  // namespace
}  // namespace chorus::nlp
