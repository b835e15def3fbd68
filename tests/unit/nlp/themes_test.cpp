// Themes stage: key phrases, their stem normalisation and their display form.
#include "nlp/themes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

namespace chorus::nlp {
namespace {

std::vector<std::string> themes(std::string_view text, std::string_view lang = "en", std::string_view title = "") {
  return extract_themes(text, title, lang);
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Themes, SyncVariantsShareOneThemeAcrossDocuments) {
  for (std::string_view text :
       {"Syncing is broken", "sync issue again", "Sync fails", "SYNC problems", "The sync keeps failing"}) {
    EXPECT_EQ(themes(text, "en"), std::vector<std::string>{"sync"}) << text;
    EXPECT_EQ(themes(text, "un"), std::vector<std::string>{"sync"}) << text;
  }
  EXPECT_EQ(theme_key("Syncing", "en"), theme_key("sync issue", "en"));
  EXPECT_EQ(theme_key("sync issue", "en"), "sync");
}

TEST(Themes, MultiWordPhrasesAreKept) {
  auto t = themes("Please add a dark mode. The dark mode in the beta looks nice.");
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t.front(), "dark mode");
}

TEST(Themes, GenericWordsNumbersAndOpinionsAreNotThemes) {
  auto t = themes("Thanks! The app has an issue, a problem, 42 things and a great bug. x");
  EXPECT_TRUE(t.empty()) << t.front();
  // Forum talk: a person in general, a reason, filler.
  auto talk = themes("This guy makes no sense, idk, tbh for some reason.");
  EXPECT_TRUE(talk.empty()) << talk.front();
  // Buying and receiving, in the languages feedback most often comes in; the thing bought stays.
  for (auto [text, lang, thing] :
       {std::tuple{"Acheté en mars, reçu hier, finalement la coque est cassée.", "fr", "coque"},
        std::tuple{"Gekauft und erhalten, eigentlich ist die Hülle gerne zu klein.", "de", "hülle"},
        std::tuple{"Lo compré, recibido ayer, la funda llegó rota.", "es", "funda"}}) {
    auto got = extract_themes(text, "", lang);
    EXPECT_TRUE(contains(got, thing)) << text << ": " << ::testing::PrintToString(got);
    for (std::string_view no :
         {"acheté", "reçu", "finalement", "gekauft", "erhalten", "eigentlich", "gerne", "compré", "recibido"})
      EXPECT_FALSE(contains(got, no)) << text << ": " << ::testing::PrintToString(got);
  }
}

TEST(Themes, AtMostFiveLowercaseThemes) {
  auto t = themes(
      "Calendar export, invoice templates, PDF rendering, keyboard shortcuts, offline mode, "
      "tag filters and Zapier webhooks all matter to us.");
  EXPECT_EQ(t.size(), 5u);
  for (const auto& theme : t) {
    EXPECT_EQ(theme, [&] {
      std::string lower = theme;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      return lower;
    }());
  }
}

TEST(Themes, RepetitionRanksHigher) {
  auto t = themes("Login is slow. The login page times out. Login again fails. Also the footer colour.");
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t.front(), "login");
}

TEST(Themes, DisplayUsesABaseFormOnlyWhereItIsSafe) {
  EXPECT_TRUE(contains(themes("The invoices are wrong"), "invoice"));
  EXPECT_TRUE(contains(themes("Syncing keeps failing"), "sync"));
  EXPECT_TRUE(contains(themes("The reporting dashboard is slow"), "reporting dashboard"));
  EXPECT_TRUE(contains(themes("The settings page is empty"), "settings page"));
  // A base form is shown only when it is a word: never the stem "morn" or "chang".
  EXPECT_TRUE(contains(themes("Exporting to CSV drops rows"), "export"));
  auto changing = themes("Currency changing. The ledger resets.");
  EXPECT_TRUE(contains(changing, "currency changing")) << changing.front();
  EXPECT_TRUE(contains(themes("Billing. Changing!"), "changing"));
  EXPECT_FALSE(contains(themes("Billing. Changing!"), "chang"));
  EXPECT_TRUE(themes("Good morning team").empty()) << themes("Good morning team").front();
  // Plurals in "-ies": "calories" -> "calorie", "countries" -> "country".
  EXPECT_TRUE(contains(themes("Calories are wrong. Calories!"), "calorie"));
  EXPECT_TRUE(contains(themes("Countries missing. Countries!"), "country"));
  // Plurals in "-es": the singular whose stem is the plural's, never the stem itself ("purchas", "respons").
  for (auto [text, singular] : {std::pair{"Card purchases vanish. Card purchases!", "card purchase"},
                                std::pair{"API responses are empty. API responses!", "api response"},
                                std::pair{"Minor releases break it. Minor releases!", "minor release"},
                                std::pair{"School buses are late. School buses!", "school bus"},
                                std::pair{"Camera lenses fog up. Camera lenses!", "camera lens"},
                                std::pair{"Shipping boxes arrive crushed. Shipping boxes!", "shipping box"}}) {
    auto got = themes(text);
    EXPECT_TRUE(contains(got, singular)) << text << ": " << ::testing::PrintToString(got);
  }
  // A possessive is shown without its "'s".
  auto possessive = themes("Ferrodb's free tier keeps shrinking; is Ferrodb's");
  EXPECT_TRUE(contains(possessive, "ferrodb")) << possessive.front();
  EXPECT_FALSE(contains(possessive, "ferrodb'"));
  // A word capitalised inside a sentence is a name and keeps its letters; the same word elsewhere does not.
  auto os = themes("It came with Windows 7 and the drivers for Windows crash");
  EXPECT_TRUE(contains(os, "windows")) << os.front();
  EXPECT_FALSE(contains(os, "window"));
  EXPECT_TRUE(contains(themes("The windows of the app overlap"), "window"));
  auto owner = themes("The export keeps failing, and so does Brightvault's");
  EXPECT_TRUE(contains(owner, "brightvault")) << owner.front();
}

TEST(Themes, LoneAdverbsAreNotThemesButNamesInLyAre) {
  EXPECT_TRUE(themes("Genuinely. Totally, absolutely!").empty()) << themes("Genuinely. Totally, absolutely!").front();
  EXPECT_TRUE(contains(themes("We switched to Calendly for scheduling"), "calendly"));
  EXPECT_TRUE(contains(themes("The family plan is great"), "family plan"));
  EXPECT_TRUE(contains(themes("Monthly billing summary please"), "monthly billing summary"));  // inside a phrase
}

// A day or a month alone says when, in any language; inside a phrase it can name the thing.
TEST(Themes, LoneDaysAndMonthsAreNotThemesButPhrasesWithThemAre) {
  for (auto [text, lang] : {std::pair{"Deployed on Friday, rolled back on Monday.", "en"},
                            std::pair{"Since March the export is broken, still in April.", "en"},
                            std::pair{"Seit Montag kommt keine Bestellung an.", "de"},
                            std::pair{"Depuis lundi la synchronisation échoue.", "fr"},
                            std::pair{"Me cobran diez euros al mes, cada mes.", "es"}}) {
    for (const auto& t : extract_themes(text, "", lang))
      for (std::string_view day : {"friday", "monday", "march", "april", "montag", "lundi", "mes"})
        EXPECT_NE(t, day) << text;
  }
  auto sale = extract_themes("The Black Friday sale prices were wrong at checkout.", "", "en");
  EXPECT_NE(std::find(sale.begin(), sale.end(), "black friday sale"), sale.end()) << ::testing::PrintToString(sale);
}

// Minutes, evenings, yesterday and someone are not what a message is about, in other languages either.
TEST(Themes, TimeWordsAndSomeoneAreNotThemesInOtherLanguages) {
  for (auto [text, lang, word] :
       {std::tuple{"Llevo 40 minutos esperando al repartidor, ¿alguien sabe algo?", "es", "minutos"},
        std::tuple{"Llevo 40 minutos esperando al repartidor, ¿alguien sabe algo?", "es", "alguien"},
        std::tuple{"Gestern Abend ist die Synchronisierung abgestürzt.", "de", "gestern abend"},
        std::tuple{"Ce matin la synchronisation a planté.", "fr", "matin"}}) {
    auto got = extract_themes(text, "", lang);
    EXPECT_FALSE(contains(got, word)) << text << ": " << ::testing::PrintToString(got);
  }
}

// After a pronoun, a clitic, a negation, an auxiliary or "very", a lone word is what happens or how it is; the
// nouns of the same texts stay.
TEST(Themes, LoneWordsAfterPronounsNegationsOrAuxiliariesAreNotThemes) {
  for (auto [text, lang, verb, noun] :
       {std::tuple{"El pedido nunca llega y la tarjeta se queda bloqueada.", "es", "llega", "tarjeta"},
        std::tuple{"Je constate que le service client est réactif.", "fr", "réactif", "service client"},
        std::tuple{"Não consigo entrar, o cartão não chega.", "pt", "chega", "cartão"},
        std::tuple{"Ho ordinato tre volte e il corriere non arriva.", "it", "arriva", "corriere"},
        std::tuple{"Ik zat een uur te wachten, de bediening was traag.", "nl", "zat", "bediening"},
        std::tuple{"Код подтверждения не приходит, а баланс не обновляется.", "ru", "приходит", "баланс"},
        std::tuple{"The map won't load and the menu is confusing.", "en", "load", "map"},
        std::tuple{"The map won't load and the menu is confusing.", "en", "confusing", "menu"},
        // Portuguese and Spanish verbs by their endings.
        std::tuple{"Comprei a cadeira e chegou rápido.", "pt", "comprei", "cadeira"},
        std::tuple{"Comprei a cadeira e chegou rápido.", "pt", "chegou", "cadeira"},
        std::tuple{"Estou aguardando a nota fiscal.", "pt", "aguardando", "nota fiscal"},
        std::tuple{"La silla llegó rota y la caja también.", "es", "llegó", "silla"}}) {
    auto got = extract_themes(text, "", lang);
    EXPECT_FALSE(contains(got, verb)) << text << ": " << ::testing::PrintToString(got);
    EXPECT_TRUE(contains(got, noun)) << text << ": " << ::testing::PrintToString(got);
  }
  // Spanish "mal" before a noun is an adjective: the noun stays.
  auto smell = extract_themes("Muy mal olor, la tarjeta no llega.", "", "es");
  EXPECT_TRUE(contains(smell, "olor")) << ::testing::PrintToString(smell);
  // A verb of arriving ends a phrase.
  auto arrived = extract_themes("A cadeira veio quebrada, conforme combinado não foi.", "", "pt");
  EXPECT_TRUE(contains(arrived, "cadeira")) << ::testing::PrintToString(arrived);
  for (std::string_view no : {"cadeira veio", "quebrada", "combinado"})
    EXPECT_FALSE(contains(arrived, no)) << no << ": " << ::testing::PrintToString(arrived);
  // An infinitive after a preposition is a verb; a French noun in "-ier" is not.
  auto infinitive = extract_themes("Falta un botón para cambiar la contraseña.", "", "es");
  EXPECT_FALSE(contains(infinitive, "cambiar")) << ::testing::PrintToString(infinitive);
  EXPECT_TRUE(contains(infinitive, "botón")) << ::testing::PrintToString(infinitive);
  EXPECT_TRUE(contains(extract_themes("Impossible de télécharger, erreur de fichier.", "", "fr"), "fichier"));
  // A modal that is no stop word starts no phrase: "pouvoir choisir" is neither a theme nor "choisir" alone.
  auto modal = extract_themes("Je voudrais pouvoir choisir la livraison.", "", "fr");
  EXPECT_FALSE(contains(modal, "pouvoir choisir")) << ::testing::PrintToString(modal);
  EXPECT_FALSE(contains(modal, "choisir")) << ::testing::PrintToString(modal);
  EXPECT_TRUE(contains(modal, "livraison")) << ::testing::PrintToString(modal);
  // The same word after an article is a thing, and in Dutch after an auxiliary too (the object comes first).
  EXPECT_TRUE(contains(extract_themes("Quiero cambiar la fecha de la entrega.", "", "es"), "entrega"));
  EXPECT_TRUE(contains(extract_themes("Wij hebben mosselen gegeten.", "", "nl"), "mosselen"));
  // A name written capitalised inside the sentence stays a name.
  EXPECT_TRUE(contains(extract_themes("Honestly it is not Roamly that failed me.", "", "en"), "roamly"));
}

// German capitalises its nouns: a lowercase lone word is a verb or an adjective, unless the writer never
// capitalises, and capitals outside ASCII count.
TEST(Themes, LowercaseLoneWordsOfACapitalisingGermanWriterAreNotThemes) {
  auto got = extract_themes("Die Übersicht ist leer und es dauert. Die Rechnung kommt nie.", "", "de");
  EXPECT_FALSE(contains(got, "dauert")) << ::testing::PrintToString(got);
  EXPECT_FALSE(contains(got, "leer")) << ::testing::PrintToString(got);
  EXPECT_TRUE(contains(got, "übersicht")) << ::testing::PrintToString(got);
  EXPECT_TRUE(contains(got, "rechnung")) << ::testing::PrintToString(got);
  auto lower = extract_themes("die synchronisierung klappt seit dem update nicht", "", "de");
  EXPECT_TRUE(contains(lower, "synchronisierung")) << ::testing::PrintToString(lower);
  // Nor is a writer who capitalises only a brand.
  auto brand = extract_themes("seit gestern stürzt die app von Spotify ab und der akku ist leer", "", "de");
  EXPECT_TRUE(contains(brand, "akku")) << ::testing::PrintToString(brand);
}

// In a short German text there are too few capitals to judge the writer: a lowercase lone word after a negation,
// a copula, "sehr" or a pronoun is still a verb or an adjective, a capitalised one there a noun; months say when.
TEST(Themes, GermanLowercaseWordsAfterANegationOrACopulaAreNotThemes) {
  auto never = extract_themes("Mein Produkt ist nie angekommen!", "", "de");
  EXPECT_FALSE(contains(never, "angekommen")) << ::testing::PrintToString(never);
  auto loud = extract_themes("Der Lüfter ist sehr laut.", "", "de");
  EXPECT_FALSE(contains(loud, "laut")) << ::testing::PrintToString(loud);
  EXPECT_TRUE(contains(loud, "lüfter")) << ::testing::PrintToString(loud);
  auto junk = extract_themes("Der Akku ist Müll.", "", "de");
  EXPECT_TRUE(contains(junk, "müll")) << ::testing::PrintToString(junk);
  auto months = extract_themes("Schon nach vier Monaten kaputt.", "", "de");
  EXPECT_FALSE(contains(months, "monaten")) << ::testing::PrintToString(months);
}

// A French past participle says what happened ("arrivé emballé", "comme indiqué"), and the nouns of "du coup",
// "au bout de" and "de temps en temps" say nothing alone; nouns in "-té" and the listed ones in "-é" stay.
TEST(Themes, FrenchParticiplesAndIdiomsOfTimeAreNotThemes) {
  auto arrived = extract_themes("Du coup le produit est arrivé emballé dans un sac.", "", "fr");
  for (std::string_view not_a_theme : {"coup", "arrivé emballé", "arrivé", "emballé"})
    EXPECT_FALSE(contains(arrived, not_a_theme)) << not_a_theme << " in " << ::testing::PrintToString(arrived);
  EXPECT_TRUE(contains(arrived, "sac")) << ::testing::PrintToString(arrived);
  auto month = extract_themes("Au bout d'un mois, comme indiqué, de temps en temps l'écran clignote.", "", "fr");
  for (std::string_view not_a_theme : {"bout", "d'un", "indiqué", "temps"})
    EXPECT_FALSE(contains(month, not_a_theme)) << not_a_theme << " in " << ::testing::PrintToString(month);
  EXPECT_TRUE(std::any_of(month.begin(), month.end(), [](const std::string& t) { return t.starts_with("écran"); }))
      << ::testing::PrintToString(month);
  auto nouns = extract_themes("La qualité est bonne. La moitié du marché.", "", "fr");
  EXPECT_TRUE(contains(nouns, "qualité")) << ::testing::PrintToString(nouns);
  EXPECT_TRUE(contains(nouns, "moitié") || contains(nouns, "marché")) << ::testing::PrintToString(nouns);
}

// A phrase is shown as written, its inner elisions included; its first word loses its article.
TEST(Themes, FrenchElisionsInsideAPhraseAreShown) {
  ThemeLevels got = extract_theme_levels("La housse d'origine est déchirée et l'étui craque.", "", "fr");
  std::vector<std::string> phrases = got.themes;
  for (const auto& [aspect, phrase] : got.sub_themes) phrases.push_back(phrase);
  EXPECT_TRUE(contains(phrases, "housse d'origine")) << ::testing::PrintToString(phrases);
  EXPECT_FALSE(contains(phrases, "housse origine")) << ::testing::PrintToString(phrases);
  EXPECT_FALSE(std::any_of(phrases.begin(), phrases.end(), [](const std::string& t) { return t.starts_with("l'"); }))
      << ::testing::PrintToString(phrases);
}

// Paying, asking and thanking alone are what was done; a thing named with them stays.
TEST(Themes, PayingOrAskingAloneIsNotAThemeButApplePayIs) {
  auto paid = themes("Paid twice. Pay again? Paying for nothing, widget still blank.");
  for (std::string_view verb : {"pay", "paid", "paying"}) EXPECT_FALSE(contains(paid, verb)) << verb;
  EXPECT_TRUE(contains(paid, "widget"));
  EXPECT_TRUE(contains(themes("Apple Pay fails at checkout"), "apple pay"));
  // Nor are asking and thanking.
  auto asked = themes("Request: an option, please. Suggestion? Dark mode. Shoutout to you all.");
  for (std::string_view word : {"request", "option", "suggestion", "shoutout"})
    EXPECT_FALSE(contains(asked, word)) << word;
  EXPECT_TRUE(contains(asked, "dark mode"));
  EXPECT_TRUE(contains(themes("My refund request was ignored"), "refund request"));
}

TEST(Themes, HandlesAreNeverThemes) {
  auto t = themes("@LumoPay hiya, @northvale_help the online banking balance is wrong");
  EXPECT_TRUE(contains(t, "online banking balance")) << t.front();
  for (const std::string& theme : t) {
    EXPECT_EQ(theme.find("lumopay"), std::string::npos) << theme;
    EXPECT_EQ(theme.find("northvale"), std::string::npos) << theme;
  }
  // A handle runs on through underscores: no "fr" from "@KestrelCard_FR".
  for (const std::string& theme : themes("@KestrelCard_FR la carte virtuelle est refusée", "fr"))
    EXPECT_NE(theme.substr(0, 2), "fr") << theme;
  EXPECT_TRUE(contains(themes("@KestrelCard_FR the virtual card portal keeps timing out"), "virtual card portal"));
  // The part of an address after its "@" is not a handle; neither is a word after a lone "@".
  EXPECT_TRUE(contains(themes("write to billing@acme.example about the invoice portal"), "invoice portal"));
  EXPECT_TRUE(contains(themes("meet @ reception desk"), "reception desk"));
}

// How a message opens or closes is never a theme, in any language, and it ends a phrase.
TEST(Themes, GreetingsAreNeverThemes) {
  for (auto [text, lang] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"Bonjour, la carte virtuelle est refusée", "fr"},
           {"Hallo, die Kontoauszüge fehlen", "de"},
           {"Hola, la tarjeta virtual no funciona", "es"},
           {"Buongiorno, la carta virtuale non funziona", "it"},
           {"Hej, det virtuella kortet fungerar inte", "sv"},
           {"Hiya, the virtual card is declined", "en"}}) {
    for (const std::string& theme : themes(text, lang)) {
      for (std::string_view greeting : {"bonjour", "hallo", "hola", "buongiorno", "hej", "hiya"})
        EXPECT_EQ(theme.find(greeting), std::string::npos) << text << ": " << theme;
    }
  }
}

TEST(Themes, CanonicalPhrasesGetTheirTeamName) {
  EXPECT_TRUE(contains(themes("I lost my data after the update"), "data loss"));
  EXPECT_TRUE(contains(themes("Can't sign in with Google"), "login"));
}

TEST(Themes, TitleCounts) {
  auto t = themes("It is slow.", "en", "Calendar export");
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t.front(), "calendar export");
}

TEST(Themes, OtherLanguagesUseTheirStopWordsAndStemmer) {
  auto t = themes("La synchronisation ne fonctionne plus depuis la mise à jour de l'interface.", "fr");
  EXPECT_TRUE(contains(t, "synchronisation")) << testing::PrintToString(t);
  EXPECT_TRUE(contains(t, "interface")) << testing::PrintToString(t);  // elided article dropped
  // The product itself is no theme in any language.
  EXPECT_FALSE(contains(themes("L'application est géniale, merci !", "fr"), "application"));
  EXPECT_TRUE(themes("Die App ist super, danke!", "de").empty());
  EXPECT_EQ(theme_key("Synchronisierung", "de"), theme_key("synchronisierungen", "de"));
  // Words of the language's sentiment expressions are not themes.
  EXPECT_EQ(themes("Die Synchronisierung funktioniert nicht.", "de"), std::vector<std::string>{"synchronisierung"});
}

TEST(Themes, AnOwnersPossessiveIsNotPartOfTheTopic) {
  auto t = themes("My daughter's maths tutor loved the whiteboard.");
  EXPECT_TRUE(contains(t, "maths tutor")) << testing::PrintToString(t);
  t = themes("Is anyone else's watch strap giving them a rash?");
  EXPECT_TRUE(contains(t, "watch strap")) << testing::PrintToString(t);
  t = themes("I switched after GitHub's code scanning flagged it.");
  EXPECT_TRUE(contains(t, "code scanning")) << testing::PrintToString(t);
  for (const std::string& theme : t) EXPECT_EQ(theme.find('\''), std::string::npos) << theme;
  // A plural owner that names a kind, and a name written in capitals, stay whole.
  EXPECT_TRUE(contains(themes("The children's menu was tiny."), "children's menu"));
  EXPECT_TRUE(contains(themes("We ordered from Luigi's Slice House again."), "luigi's slice house"));
  // Other languages' apostrophes are not English possessives ("schema's" is a Dutch plural).
  EXPECT_TRUE(contains(themes("De nieuwe hardloopschema's zijn te zwaar.", "nl"), "nieuwe hardloopschema's"));
}

TEST(Themes, APhraseEndsAtItsNounNotAtAVerbOrAdverbAfterIt) {
  auto t = themes("Payday delayed again this month.");
  EXPECT_TRUE(contains(t, "payday")) << testing::PrintToString(t);
  t = themes("The migration tool converted nothing and the return window closed.");
  EXPECT_TRUE(contains(t, "migration tool")) << testing::PrintToString(t);
  EXPECT_TRUE(contains(t, "return window")) << testing::PrintToString(t);
  t = themes("PDF statements finally arrived.");
  EXPECT_TRUE(contains(t, "pdf statement")) << testing::PrintToString(t);
  for (const std::string& theme : t) EXPECT_EQ(theme.find("finally"), std::string::npos) << theme;
  // A participle before its noun stays: it says which one.
  EXPECT_TRUE(contains(themes("The scheduled pipeline never ran."), "scheduled pipeline"));
}

TEST(Themes, NamesWrittenInMixedCaseAndWordsInSThatAreNoPluralKeepTheirLetters) {
  // "iPadOS" is no plural of "ipado", "upstairs" none of "upstair".
  auto named = themes("Split view on iPadOS is broken");
  EXPECT_TRUE(contains(named, "ipados")) << testing::PrintToString(named);
  auto t = themes("We have one speaker upstairs and one downstairs");
  EXPECT_TRUE(contains(t, "downstairs")) << testing::PrintToString(t);
  for (const std::string& theme : t) EXPECT_EQ(theme.find("upstair "), std::string::npos) << theme;
  // A word in lowercase is still shown in its singular.
  EXPECT_TRUE(contains(themes("Split views on ipados are broken"), "split view"));
  // Software whose name ends in "s", at a sentence's start or in lowercase, and singulars in one "s".
  for (auto [text, shown, never] : {std::tuple{"Keras crashes when I load a model.", "keras", "kera"},
                                    std::tuple{"The canvas is blank after an update.", "canvas", "canva"},
                                    std::tuple{"Kubernetes pods restart every hour.", "kubernetes", "kubernete"},
                                    std::tuple{"Our vuejs build fails since the update.", "vuejs build", "vuej"}}) {
    auto got = themes(text);
    EXPECT_TRUE(
        std::any_of(got.begin(), got.end(), [&](const std::string& t) { return t.find(shown) != std::string::npos; }))
        << text << ": " << testing::PrintToString(got);
    for (const std::string& theme : got)
      EXPECT_EQ((theme + " ").find(std::string(never) + " "), std::string::npos) << text;
  }
}

TEST(Themes, AVerbGoingOnIsNoTheme) {
  // After "still", "keeps" or "finally", a lone word in "-ing" is what someone is doing, not what they talk about.
  for (std::string_view text : {"We are still learning all it can do", "It keeps asking again", "Finally working"}) {
    auto t = themes(text);
    for (const std::string& theme : t)
      EXPECT_TRUE(theme != "learn" && theme != "ask" && theme != "work") << text << ": " << theme;
  }
  // A noun after them is still a theme.
  EXPECT_TRUE(contains(themes("Still no dark mode"), "dark mode"));
}

TEST(Themes, DeterministicOrder) {
  std::string text = "alpha feature, beta screen, gamma widget, delta panel, epsilon chart, zeta list, eta grid";
  EXPECT_EQ(themes(text), themes(text));
}

TEST(Themes, StageUsesTitleAndLanguage) {
  Document doc;
  doc.analysis_text = "Export to PDF cuts off the last page";
  doc.title = "PDF export";
  doc.language_code = "en";
  ThemesStage().run(doc);
  ASSERT_FALSE(doc.themes.empty());
  EXPECT_EQ(doc.themes.front(), "export");  // the aspect; the title's phrase, weighted first, beneath it
  ASSERT_FALSE(doc.sub_themes.empty());
  EXPECT_EQ(doc.sub_themes.front(), (std::pair<std::string, std::string>{"export", "pdf export"}));
}

}  // namespace
}  // namespace chorus::nlp

namespace chorus::nlp {
namespace {

// The themes stage reads a text once and gives the phrase matcher its words from that reading. Whatever the
// text, they must be the words and sentences the matcher would read itself.
void expect_same_reading(const std::string& text, const std::string& title, const std::string& lang) {
  const PhraseMatcher::Text own(title.empty() ? text : title + "\n" + text);
  const PhraseMatcher::Text shared = matcher_text_of(text, title, lang);
  EXPECT_EQ(shared.words, own.words) << "title [" << title << "] text [" << text << "] " << lang;
  EXPECT_EQ(shared.sentence_starts, own.sentence_starts) << "title [" << title << "] text [" << text << "] " << lang;
}

TEST(ThemesMatcherReading, TheMatcherGetsTheWordsItWouldReadItself) {
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"Sign-in fails. Log-in works!", ""},
      {"@KestrelCard_FR card declined; what is going on", "Card"},
      {"@foo-bar_baz hello. @team-x: sync broke", ""},  // hyphens inside handles
      {"l'application plante. J'ai perdu qu'il l'a", "L'appli"},
      {"version 6.2 is out. e.g. this... and that\u2026 Next", "Update!"},
      {"don\u2019t stop \u2019quoted\u2019 it's", ""},
      {"\u540c\u6b65\u5931\u8d25\u3002 sync broken", "\u65e5\u672c"},  // unspaced scripts
      {"caf\u00e9-bar \u00c4rger \u00fcber-alles", "\u00dcbersicht"},
      {"billing@acme.example sent @ support_team", ""},
      {"", "only a title."},
      {"ends with a stop.", ""},
  };
  for (const auto& [text, title] : texts)
    for (const std::string lang : {"en", "fr", "de", "un", "ja"}) expect_same_reading(text, title, lang);
}

TEST(ThemesMatcherReading, RandomTextsOfTrickyCharactersReadTheSame) {
  const std::vector<std::string> pieces = {"a", "B", "\u00e9", "\u00c4", "-",      "'",          "\u2019", "@",  "_",
                                           ".", "!", " ",      "\n",     "\u65e5", "\U0001F600", "7",      "l'", "qu'",
                                           ";", "?", "\u2026", "\u3002", "Sync",   "x-y",        "\r"};
  std::uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  for (int n = 0; n < 3000; ++n) {
    std::string text, title;
    const std::uint32_t length = next() % 24, title_length = next() % 3 == 0 ? next() % 8 : 0;
    for (std::uint32_t k = 0; k < length; ++k) text += pieces[next() % pieces.size()];
    for (std::uint32_t k = 0; k < title_length; ++k) title += pieces[next() % pieces.size()];
    expect_same_reading(text, title, next() % 2 ? "en" : "fr");
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace chorus::nlp
