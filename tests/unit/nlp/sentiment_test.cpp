// Sentiment rules, one behaviour per test: each names the rule it pins down.
#include "nlp/sentiment.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace chorus::nlp {
namespace {

double compound(std::string_view text) { return analyze_sentiment(text).compound; }
std::string_view type_of(std::string_view text) { return analyze_sentiment(text).type; }

TEST(Sentiment, LexiconWordsCarryTheirPolarity) {
  EXPECT_GT(compound("The new editor is good"), 0.05);
  EXPECT_LT(compound("The new editor is bad"), -0.05);
  EXPECT_EQ(compound("The editor has a toolbar"), 0.0);
}

TEST(Sentiment, EverydayProductWordsAndWarnings) {
  EXPECT_GT(compound("Very convenient"), 0.05);
  EXPECT_GT(compound("The sync is so smooth"), 0.05);
  EXPECT_LT(compound("Unable to log in since Monday"), -0.05);
  EXPECT_LT(compound("Do not download this app"), -0.3);
  EXPECT_LT(compound("Don't buy this charger"), -0.3);
  // Negated, "waste" and "complain" read the other way round; the idioms say it plainly.
  EXPECT_LT(compound("It does not sync at all. Don't waste your time."), -0.3);
  EXPECT_GT(compound("Arrived quickly, I have nothing to complain about"), 0.3);
}

TEST(Sentiment, PraiseAimedAtAProblemCountsAgainst) {
  SentimentResult ironic = analyze_sentiment("Great, another outage. Love how the status page stays green.");
  EXPECT_TRUE(ironic.ironic);
  EXPECT_LT(ironic.compound, -0.05);
  EXPECT_EQ(ironic.type, "negative");
  EXPECT_EQ(ironic.strongest_positive_clause, 0.0);
  // The same praise for a fix, or with no problem named, keeps its sign.
  SentimentResult sincere = analyze_sentiment("Great, thanks for the quick fix!");
  EXPECT_FALSE(sincere.ironic);
  EXPECT_GT(sincere.compound, 0.05);
  EXPECT_GT(compound("Great, the new editor is fast."), 0.05);
}

TEST(Sentiment, NegationFlipsWithinThreeWords) {
  EXPECT_LT(compound("not good"), 0.0);
  EXPECT_LT(compound("This is not really good"), 0.0);
  EXPECT_GT(compound("It isn't bad at all"), 0.0);
  // Beyond three words the negator no longer reaches.
  EXPECT_GT(compound("not that I ever thought it good"), 0.0);
}

// Emoji and emoticons carry the writer's mood, whatever words stand before them.
TEST(Sentiment, EmojiAndEmoticonsAreNeverNegated) {
  EXPECT_GT(compound("Nope :-)"), 0.0);
  EXPECT_GT(compound("not today \xF0\x9F\x98\x8A"), 0.0);  // U+1F60A smiling face
  EXPECT_LT(compound("no :("), 0.0);
  EXPECT_LT(compound("not good :)"), compound("good :)")) << "the word is still negated";
}

TEST(Sentiment, NegationScopeEndsAtAnEarlierSentimentWord) {
  // Each "care" is negated by its own "don't", not flipped back by the previous one.
  EXPECT_LT(compound("DON'T CARE DON'T CARE DON'T CARE about the wedding"), 0.0);
}

TEST(Sentiment, ButShiftsWeightToTheSecondClause) {
  double plain = compound("The design is great and the sync is terrible");
  double with_but = compound("The design is great but the sync is terrible");
  EXPECT_LT(with_but, plain);
  EXPECT_LT(with_but, 0.0);
  EXPECT_GT(compound("The sync is terrible but the design is great"), 0.0);
}

TEST(Sentiment, AllCapsEmphasisesOnlyInMixedCaseText) {
  EXPECT_GT(compound("The support was GREAT today"), compound("The support was great today"));
  // When everything is capitals, capitals say nothing.
  EXPECT_DOUBLE_EQ(compound("THE SUPPORT WAS GREAT TODAY"), compound("the support was great today"));
}

TEST(Sentiment, BoostersAndDampenersScaleIntensity) {
  EXPECT_GT(compound("very good"), compound("good"));
  EXPECT_GT(compound("extremely bad"), -1.0);
  EXPECT_LT(compound("extremely bad"), compound("bad"));
  EXPECT_LT(compound("slightly good"), compound("good"));
  EXPECT_LT(compound("it is kind of good"), compound("it is good"));
  EXPECT_GT(compound("it is kind of good"), 0.0);
}

TEST(Sentiment, LeastNegatesUnlessAtLeast) {
  EXPECT_LT(compound("the least helpful answer"), 0.0);
  EXPECT_GT(compound("at least helpful"), 0.0);
}

TEST(Sentiment, ExclamationMarksAmplifyUpToFour) {
  EXPECT_GT(compound("good!"), compound("good"));
  EXPECT_GT(compound("good!!!"), compound("good!"));
  EXPECT_DOUBLE_EQ(compound("good!!!!"), compound("good!!!!!!!!"));
  EXPECT_LT(compound("bad!!!"), compound("bad"));
}

TEST(Sentiment, QuestionMarksAmplifyWhenRepeated) {
  EXPECT_LT(compound("Why is this so bad??"), compound("Why is this so bad?"));
}

TEST(Sentiment, IdiomsScoreAsAWhole) {
  EXPECT_LT(compound("yeah right"), 0.0);
  EXPECT_LT(compound("What a waste of time"), 0.0);
}

TEST(Sentiment, UnicodeEmojiCarrySentiment) {
  EXPECT_GT(compound("\xF0\x9F\x98\x80"), 0.3);   // grinning face
  EXPECT_LT(compound("\xF0\x9F\x98\xA1"), -0.3);  // pouting face
  EXPECT_GT(compound("update installed \xF0\x9F\x98\x80"), 0.0);
  EXPECT_LT(compound("update installed\xF0\x9F\x98\xA1"), 0.0);  // glued to the word
  EXPECT_GT(compound("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), 0.0);  // thumbs up with a skin tone
}

TEST(Sentiment, EmoticonsAndShortcodesCarrySentiment) {
  EXPECT_GT(compound(":)"), 0.3);
  EXPECT_LT(compound(":("), -0.3);
  EXPECT_GT(compound("new release :D"), 0.0);
  EXPECT_LT(compound("new release D:"), 0.0);
  EXPECT_GT(compound("thanks:)"), compound("thanks"));
  EXPECT_LT(compound("the export :rage:"), 0.0);
  EXPECT_GT(compound("the export :+1:"), 0.0);
}

TEST(Sentiment, ElongatedAndInflectedWordsAreRecognised) {
  EXPECT_GT(compound("sooooo goooood"), 0.3);
  EXPECT_LT(compound("the manual lacks detail"), 0.0);
  EXPECT_LT(compound("baaaad"), 0.0);
}

TEST(Sentiment, WellSharesTheNegationOfItsVerb) {
  EXPECT_LT(compound("the case did not fit well"), compound("the case did not fit"));
  EXPECT_LT(compound("it doesn't play well with itunes"), 0.0);
  EXPECT_GT(compound("it works well"), 0.0);
  EXPECT_LT(compound("don't care, don't care"), 0.0);  // each "care" still negated once
}

TEST(Sentiment, JudgementsTheGeneralLexiconLacksCarrySentiment) {
  EXPECT_GT(compound("incredible camera"), 0.3);
  EXPECT_GT(compound("the service has been reliable and the app is snappy"), 0.3);
  EXPECT_LT(compound("the charger is unreliable and the phone keeps overheating"), -0.3);
}

TEST(Sentiment, DataGoneAndNoAnswerAreComplaints) {
  for (std::string_view text :
       {"it deleted all my notes", "my photos disappeared after the update", "two weeks and no reply from the team",
        "still waiting for the refund", "my order hasn't shipped in 9 days", "The food was cold. Never again.",
        "I want my money back.", "Seriously?! Another price hike?"})
    EXPECT_LT(compound(text), 0.0) << text;
}

TEST(Sentiment, CrashesAndPraiseInLanguagesWithoutAHandMadeTable) {
  for (auto [text, code] : {std::pair{"Приложение постоянно вылетает после обновления", "ru"},
                            {"Aplikacja ciągle się zawiesza", "pl"},
                            {"Uygulama sürekli çöküyor", "tr"},
                            {"更新后一直闪退", "zh"}})
    EXPECT_LT(analyze_sentiment(text, code).compound, 0.0) << text;
  EXPECT_GT(analyze_sentiment("とても使いやすいアプリです", "ja").compound, 0.0);
}

TEST(Sentiment, DisbeliefHeightensRatherThanDenies) {
  EXPECT_GT(compound("I can't believe how good this update is"), 0.0);
  EXPECT_LT(compound("I can't believe how bad this update is"), 0.0);
  EXPECT_LT(compound("it can't be good"), 0.0);
}

TEST(Sentiment, WordsThatOnlyLookInflectedKeepNoValence) {
  EXPECT_LT(compound("the pictures come out hazy if your hands shake"), 0.0);
  EXPECT_EQ(compound("they are likely to claim it"), 0.0);
  EXPECT_GT(compound("I like it"), 0.0);
}

TEST(Sentiment, ADoubleLetterIsSpellingNotStretching) {
  // Squeezing the double letter away would read these as "smother", "fury" and "super".
  EXPECT_GE(compound("scrolling is smoother now"), 0.0);
  EXPECT_EQ(compound("a furry dog"), 0.0);
  EXPECT_EQ(compound("we had supper"), 0.0);
}

TEST(Sentiment, AbsenceOfProblemsIsPositive) {
  EXPECT_EQ(type_of("No problems at all, works great"), "positive");
  EXPECT_EQ(type_of("No issues so far"), "positive");
  EXPECT_EQ(type_of("There is nothing wrong with the new build"), "positive");
  EXPECT_EQ(type_of("It just works"), "positive");
}

TEST(Sentiment, ThingsNotWorkingAreNegative) {
  for (std::string_view text :
       {"It doesn't work", "It does not work", "The app stopped working after the update", "The page won't load",
        "It crashes", "It crashed twice", "It keeps crashing", "The editor freezes", "Terrible lag when scrolling",
        "So laggy", "This caused data loss", "I lost my data", "The export is broken", "Sync fails every night",
        "The total is not correct", "It doesn\xE2\x80\x99t work"}) {
    EXPECT_EQ(type_of(text), "negative") << text;
  }
}

TEST(Sentiment, PoliteFixRequestsAreMildlyNegative) {
  double kindly = compound("kindly fix the sync");
  EXPECT_LT(kindly, -0.05);
  EXPECT_GT(kindly, -0.5);
  EXPECT_EQ(type_of("please fix the export"), "negative");
}

TEST(Sentiment, RequestWordsAreNotPraise) {
  // "please" and "free" are positive in a general lexicon; in feedback they ask and name a plan.
  EXPECT_EQ(compound("Please add an audit log for admin actions"), 0.0);
  EXPECT_EQ(compound("Does the free plan include the mobile app"), 0.0);
}

TEST(Sentiment, PraiseWordsInAWishCountForLess) {
  double wish = compound("It would be great to have a pause button");
  double judgement = compound("It is great to have a pause button");
  EXPECT_GT(wish, 0.0);
  EXPECT_LT(wish, 0.5 * judgement);
  EXPECT_LT(compound("I'd love a dark mode"), 0.5 * compound("I love the dark mode"));
  EXPECT_EQ(type_of("Would be nice to have keyboard shortcuts"), "positive") << "still leaning positive";
}

TEST(Sentiment, PraiseWordsInAQuestionCountForLess) {
  EXPECT_LT(compound("Is it safe to delete the cache folder?"), 0.5 * compound("It is safe to delete the cache folder."));
  // Complaints put as questions stay complaints.
  EXPECT_EQ(type_of("Why is the app so slow and buggy?"), "negative");
}

TEST(Sentiment, ProductProblemsWithoutOpinionWordsAreNegative) {
  EXPECT_EQ(type_of("Recurring meetings created on desktop don't show up in the mobile app"), "negative");
  EXPECT_EQ(type_of("Too many clicks to do anything simple"), "negative");
  EXPECT_EQ(type_of("The app hangs on a blank screen"), "negative");
  EXPECT_EQ(type_of("The new pricing model is a cash grab"), "negative");
}

TEST(Sentiment, MixedWhenClearlyPositiveAndNegativeClausesBalance) {
  EXPECT_EQ(type_of("I love the new design but sync is broken"), "mixed");
  EXPECT_EQ(type_of("Great editor. Terrible support."), "mixed");
  // One side dominating is not mixed.
  EXPECT_EQ(type_of("Great editor, fantastic export, wonderful themes, but a tiny bit slow"), "positive");
  EXPECT_EQ(type_of("Great and amazing"), "positive");
}

TEST(Sentiment, NeutralTextIsNeutral) {
  EXPECT_EQ(type_of("The export button is next to the search field"), "neutral");
  EXPECT_EQ(type_of(""), "neutral");
  EXPECT_EQ(type_of("   "), "neutral");
}

TEST(Sentiment, ScoreIsRoundedCompoundTimesTen) {
  for (std::string_view text : {"good", "very bad!!!", "I love it so much, best app ever!!!", "meh"}) {
    SentimentResult r = analyze_sentiment(text);
    EXPECT_EQ(r.score, static_cast<int>(std::lround(r.compound * 10))) << text;
    EXPECT_GE(r.compound, -1.0);
    EXPECT_LE(r.compound, 1.0);
  }
}

TEST(Sentiment, OtherLanguagesUseTheirOwnWords) {
  // "die" is an English lexicon word; in German it is an article.
  EXPECT_EQ(analyze_sentiment("Die App hat die Farbe blau", "de").compound, 0.0);
  EXPECT_EQ(analyze_sentiment("Die App stürzt ständig ab", "de").type, "negative");
  EXPECT_EQ(analyze_sentiment("Die Synchronisierung funktioniert nicht", "de").type, "negative");
  EXPECT_EQ(analyze_sentiment("Die App ist nicht gut", "de").type, "negative");
  EXPECT_EQ(analyze_sentiment("Super App, danke!", "de").type, "positive");
  EXPECT_EQ(analyze_sentiment("Ce n'est pas bon", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Je ne suis pas content", "fr").type, "negative");  // "ne ... pas" negates once
  EXPECT_EQ(analyze_sentiment("J'adore cette application", "fr").type, "positive");
  EXPECT_EQ(analyze_sentiment("La aplicación no funciona", "es").type, "negative");
  EXPECT_EQ(analyze_sentiment("Excelente, pero muy lenta", "es").type, "mixed");
  // "Bien" and the short "buen" before a noun are praise too; "no está bien" denies it.
  EXPECT_EQ(analyze_sentiment("Está muy bien", "es").type, "positive");
  EXPECT_EQ(analyze_sentiment("Buen producto", "es").type, "positive");
  EXPECT_EQ(analyze_sentiment("No está bien", "es").type, "negative");
  EXPECT_EQ(analyze_sentiment("Funciona bem", "pt").type, "positive");
}

// Writers without an accented keyboard: the plain spelling of a word, a negator or a fixed expression counts as
// the word itself.
TEST(Sentiment, WordsWrittenWithoutTheirAccentsKeepTheirValence) {
  EXPECT_EQ(analyze_sentiment("Produto otimo", "pt").type, "positive");
  EXPECT_EQ(analyze_sentiment("Produto pessimo", "pt").type, "negative");
  EXPECT_EQ(analyze_sentiment("Nao gostei", "pt").type, "negative");  // "nao" negates as "não" does
  EXPECT_EQ(analyze_sentiment("O aplicativo nao funciona", "pt").type, "negative");
  EXPECT_NEAR(analyze_sentiment("Produto otimo", "pt").compound, analyze_sentiment("Produto ótimo", "pt").compound,
              1e-9);
  EXPECT_EQ(analyze_sentiment("La aplicacion es pesima", "es").type, "negative");
}

// French denies after the verb: "pas" and "jamais" deny the word before them, "plus" and "point" only after
// a "ne"; "pas" before an opinion word of its own denies that one instead. Elided words ("n'aime") split.
TEST(Sentiment, FrenchNegationAfterTheVerbDeniesIt) {
  EXPECT_EQ(analyze_sentiment("Je ne recommande pas ce produit", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Je recommande pas", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Je n'aime pas du tout", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Je n’aime pas", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Je ne le recommanderai plus", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Super, pas cher", "fr").type, "positive");
  EXPECT_EQ(analyze_sentiment("Ce n'est pas bon", "fr").type, "negative");  // denied once, not twice
  EXPECT_EQ(analyze_sentiment("Je recommande, plus simple que l'autre", "fr").type, "positive");
  // A phrase that holds its own "pas" is denied by it once, in the phrase's valence, not flipped again.
  EXPECT_EQ(analyze_sentiment("Le produit ne fonctionne pas.", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Ça marche pas", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Défectueux : le produit ne fonctionne pas", "fr").type, "negative");
}

// German and Dutch deny after the verb and its pronouns too; a negator with an opinion word of its own right after
// it denies that one instead.
TEST(Sentiment, GermanAndDutchNegationAfterTheVerbDeniesIt) {
  EXPECT_EQ(analyze_sentiment("Das Produkt gefällt mir nicht.", "de").type, "negative");
  EXPECT_EQ(analyze_sentiment("Ich empfehle es nicht.", "de").type, "negative");
  EXPECT_EQ(analyze_sentiment("Het bevalt me niet.", "nl").type, "negative");
  EXPECT_EQ(analyze_sentiment("Gefällt mir sehr gut", "de").type, "positive");
  EXPECT_GT(analyze_sentiment("Gut, nicht teuer.", "de").compound, 0.0);  // "nicht" denies "teuer", not "gut"
}

// Goods that arrive broken, or not at all, in the hand-made lists' languages.
TEST(Sentiment, DefectiveAndUndeliveredGoodsAreNegative) {
  EXPECT_EQ(analyze_sentiment("Meine Hülle ist bis heute nicht angekommen.", "de").type, "negative");
  EXPECT_EQ(analyze_sentiment("Gerät war defekt", "de").type, "negative");
  EXPECT_EQ(analyze_sentiment("Produit reçu cassé", "fr").type, "negative");
  EXPECT_EQ(analyze_sentiment("Il pacco non è arrivato", "it").type, "negative");
  EXPECT_EQ(analyze_sentiment("Het apparaat was kapot", "nl").type, "negative");
}

// A short Snowball stem is shared by unrelated words: "prazo" (deadline) is no "prazer" (pleasure), "perro"
// (dog) no "perra", "würde" (would) no "würdig". A listed adjective's endings still find it.
TEST(Sentiment, ShortStemsCarryNoValenceToUnrelatedWords) {
  EXPECT_EQ(analyze_sentiment("Chegou no último dia do prazo", "pt").compound, 0.0);
  EXPECT_EQ(analyze_sentiment("El perro lo usa cada día", "es").compound, 0.0);
  EXPECT_EQ(analyze_sentiment("Ich würde es kaufen", "de").compound, 0.0);
  EXPECT_EQ(analyze_sentiment("Je l'ai acheté avant Noël", "fr").compound, 0.0);
  EXPECT_GT(analyze_sentiment("Toller Artikel", "de").compound, 0.0);
  EXPECT_LT(analyze_sentiment("Mit schlechten Teilen", "de").compound, 0.0);
  EXPECT_GT(analyze_sentiment("Une bonne affaire", "fr").compound, 0.0);
  EXPECT_GT(analyze_sentiment("Produtos ótimos", "pt").compound, 0.0);
  EXPECT_GT(analyze_sentiment("Me ha gustado", "es").compound, 0.0);
  EXPECT_LT(analyze_sentiment("Es fehlen Teile", "de").compound, 0.0);
}

// "Quality" and "price" say what a review is about; the general lists counted them as praise.
TEST(Sentiment, QualityAndPriceAreNoPraise) {
  EXPECT_EQ(analyze_sentiment("Sehr schlechte Qualität", "de").type, "negative");
  EXPECT_EQ(analyze_sentiment("Prix trop élevé", "fr").compound, 0.0);
  EXPECT_EQ(analyze_sentiment("Mala calidad", "es").type, "negative");
  EXPECT_EQ(analyze_sentiment("Qualidade ruim", "pt").type, "negative");
}

TEST(Sentiment, MultilangWordListsScoreLanguagesWithoutAHandMadeList) {
  EXPECT_EQ(analyze_sentiment("Aplikacja jest okropna", "pl").type, "negative");
  EXPECT_EQ(analyze_sentiment("Отличное приложение, очень удобно", "ru").type, "positive");
  EXPECT_EQ(analyze_sentiment("Appen är dålig", "sv").type, "negative");
  EXPECT_EQ(analyze_sentiment("Harika bir uygulama", "tr").type, "positive");
  // Words the lists have no opinion on stay neutral.
  EXPECT_EQ(analyze_sentiment("Aplikacja ma niebieski kolor", "pl").compound, 0.0);
}

TEST(Sentiment, MultilangNegatorsFlipTheWordAfterThem) {
  EXPECT_GT(analyze_sentiment("приложение хорошее", "ru").compound, 0.0);
  EXPECT_LT(analyze_sentiment("приложение не хорошее", "ru").compound, 0.0);
  EXPECT_LT(analyze_sentiment("appen är inte bra", "sv").compound, 0.0);
}

TEST(Sentiment, CantWaitIsAnticipationAndFreeIsPraiseUnlessItNamesATier) {
  EXPECT_GT(compound("I can't wait for the new version"), 0.3);
  EXPECT_GT(compound("Cannot wait!"), 0.3);
  EXPECT_LT(compound("I can't log in"), 0.0);  // "can't" still negates
  EXPECT_GT(compound("Free shipping on every order"), 0.3);
  EXPECT_EQ(compound("The free plan has three boards"), 0.0);
  EXPECT_EQ(compound("Free up space on the phone"), 0.0);
  EXPECT_LT(compound("The free tier is useless"), -0.3);
}

TEST(Sentiment, InflectedFormsMatchTheListByStem) {
  // The Polish list has "dobry" and "okropny"; feedback writes "dobra", "okropna".
  EXPECT_GT(analyze_sentiment("dobra", "pl").compound, 0.0);
  EXPECT_LT(analyze_sentiment("okropna", "pl").compound, 0.0);
}

TEST(Sentiment, MachineTranslatedPriceWordsAreCorrected) {
  // AFINN's "dear" (+2) became "dyrt" and "drogo", which mean expensive in feedback.
  EXPECT_LT(analyze_sentiment("Alldeles för dyrt", "sv").compound, 0.0);
  EXPECT_LT(analyze_sentiment("Za drogo", "pl").compound, 0.0);
}

TEST(Sentiment, UnspacedScriptsAreSegmentedByTheWordList) {
  EXPECT_EQ(analyze_sentiment("このアプリは素晴らしいです", "ja").type, "positive");
  EXPECT_EQ(analyze_sentiment("このアプリは最悪です", "ja").type, "negative");
  EXPECT_EQ(analyze_sentiment("这个应用让我很失望", "zh").type, "negative");
  EXPECT_EQ(analyze_sentiment("我喜欢这个应用", "zh").type, "positive");
}

TEST(Sentiment, EmojiRankingCoversEmojiBeyondTheHandMadeTable) {
  EXPECT_GT(compound("new release \xF0\x9F\x8E\xB6"), 0.0);  // U+1F3B6 multiple musical notes
  EXPECT_LT(compound("new release \xF0\x9F\x91\xBF"), 0.0);  // U+1F47F imp
  // The hand-made table still decides the emoji it lists: U+1F602 is +1.5 there (amused), where the ranking,
  // which also counts its sarcastic uses, would give it +0.88.
  EXPECT_NEAR(compound("\xF0\x9F\x98\x82"), 1.5 / std::sqrt(1.5 * 1.5 + 15.0), 1e-4);
}

TEST(Sentiment, LanguagesWithoutAWordListOnlyCountEmoji) {
  EXPECT_EQ(analyze_sentiment("Rakendus on väga hea", "et").compound, 0.0);
  EXPECT_GT(analyze_sentiment("Rakendus \xF0\x9F\x98\x80", "et").compound, 0.0);
  EXPECT_LT(analyze_sentiment("Rakendus :(", "et").compound, 0.0);
}

}  // namespace
}  // namespace chorus::nlp
