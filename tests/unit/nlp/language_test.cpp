// Language stage: CLD2 answers as ISO 639-1 code and English name; short or unclear text is "un".
#include "nlp/language.hpp"

#include <gtest/gtest.h>

namespace chorus::nlp {
namespace {

void expect_language(std::string_view text, std::string_view code, std::string_view name) {
  DetectedLanguage lang = detect_language(text);
  EXPECT_EQ(lang.code, code) << text;
  EXPECT_EQ(lang.name, name) << text;
}

TEST(Language, DetectsCommonLanguages) {
  expect_language("The app stopped working after the latest update and I lost my notes.", "en", "English");
  expect_language("Die App stürzt nach dem Update ständig ab und die Synchronisierung funktioniert nicht mehr.", "de",
                  "German");
  expect_language("L'application plante après la mise à jour, c'est vraiment agaçant.", "fr", "French");
  expect_language("La aplicación no funciona después de la actualización, por favor arreglen la sincronización.", "es",
                  "Spanish");
  expect_language("このアプリはとても使いやすいです。毎日使っています。", "ja", "Japanese");
}

TEST(Language, PlainEnglishIsEnglishAndPlainAsciiInOtherLanguagesIsNot) {
  expect_language("Fix the sync please, it keeps failing", "en", "English");
  expect_language("It\u2019s fine but it doesn\u2019t sync", "en", "English");
  // Written without accents, with words English shares ("of", "me", "to", "for", "at", "on"): not English.
  for (std::string_view text : {"Ik weet niet of het werkt of niet, de app is traag",
                                "me gusta mucho la app pero no funciona bien",
                                "Die App ist super aber die Synchronisierung geht nicht",
                                "to jest bardzo dobra aplikacja ale nie dziala",
                                "on ne peut pas ouvrir le fichier depuis la mise a jour",
                                "det er godt for at den virker ikke"}) {
    EXPECT_NE(detect_language(text).code, "en") << text;
  }
}

TEST(Language, ModernCodesReplaceCld2Legacy) {
  expect_language("האפליקציה קורסת כל פעם שאני פותח את ההגדרות, בבקשה תתקנו את זה", "he", "Hebrew");
}

TEST(Language, ShortTextIsKnownOnlyByWordsOfOneLanguage) {
  expect_language("ok", "un", "Unknown");
  expect_language("Super!", "un", "Unknown");        // a word many languages share
  expect_language("Top product!", "un", "Unknown");  // Dutch as much as English
  // Every word known in one language, and one of them in that language alone.
  expect_language("Sehr gut", "de", "German");
  expect_language("Muy bueno", "es", "Spanish");
  expect_language("Muito bom", "pt", "Portuguese");
  expect_language("Adorei", "pt", "Portuguese");
  expect_language("Muito bom, ok", "pt", "Portuguese");  // "ok" is every language's
  expect_language("Hi", "un", "Unknown");                // a French stop word, and English too
  expect_language("no comment", "un", "Unknown");
  expect_language("Nao gostei", "pt", "Portuguese");  // written without the accent of "não"
  expect_language("Merci!", "fr", "French");
  expect_language("Excelente", "un", "Unknown");              // Spanish and Portuguese alike
  expect_language("Entrega rápida", "un", "Unknown");         // the same
  expect_language("Spotify rocks", "un", "Unknown");          // a name no language knows
  expect_language("@115877 @Uber_Support", "un", "Unknown");  // a handle's "uber" is no German "über"
  for (std::string_view text : {"Love it!", "Great", "Very good", "It works", "Pretty good", "I love it!"})
    expect_language(text, "en", "English");
  expect_language("", "un", "Unknown");
  expect_language("12345 67890 12345 67890", "un", "Unknown");
  expect_language("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80", "un", "Unknown");
}

TEST(Language, StageWritesTheDocument) {
  Document doc;
  doc.analysis_text = "Bitte fügen Sie einen dunklen Modus hinzu, die Augen tun mir weh.";
  LanguageStage().run(doc);
  EXPECT_EQ(doc.language_code, "de");
  EXPECT_EQ(doc.language, "German");
}

TEST(Language, NamesByCode) {
  EXPECT_EQ(language_name("pt"), "Portuguese");
  EXPECT_EQ(language_name("xx"), "Unknown");
}

}  // namespace
}  // namespace chorus::nlp
