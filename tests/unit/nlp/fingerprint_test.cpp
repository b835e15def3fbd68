// Near-duplicate fingerprints: reposts, greetings and small edits land within kNearDuplicateBits, unrelated
// feedback far apart.
#include "nlp/fingerprint.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace chorus::nlp {
namespace {

constexpr std::string_view kReport =
    "After updating to version 4.2 the calendar sync stopped working on my iPhone and every event I created on the "
    "desktop app since Monday is missing from the phone even after reinstalling and logging out and back in";

bool near(std::string_view a, std::string_view b) {
  return hamming_distance(fingerprint_of(a), fingerprint_of(b)) <= kNearDuplicateBits;
}

TEST(Fingerprint, IdenticalTextsHaveIdenticalFingerprints) {
  EXPECT_EQ(fingerprint_of(kReport), fingerprint_of(kReport));
  EXPECT_NE(fingerprint_of(kReport), 0u);
}

TEST(Fingerprint, CasePunctuationHyphensAndApostrophesDoNotMatter) {
  std::string shouted(kReport);
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(fingerprint_of(kReport), fingerprint_of(shouted));
  EXPECT_EQ(fingerprint_of("the sync, it stopped!"), fingerprint_of("The sync it stopped"));
  EXPECT_EQ(fingerprint_of("Too many pop-ups; can't read the e-mail"),
            fingerprint_of("Too many popups, cant read the email"));
}

TEST(Fingerprint, GreetingsAndSignOffsAreIgnored) {
  std::string greeted = "Hi team, " + std::string(kReport) + ". Thanks in advance, kind regards";
  EXPECT_EQ(fingerprint_of(kReport), fingerprint_of(greeted));
  EXPECT_EQ(fingerprint_of("Hello! The export button does nothing at all"),
            fingerprint_of("The export button does nothing at all. Thanks"));
}

TEST(Fingerprint, StopWordsAndInflectionsDoNotMatter) {
  EXPECT_TRUE(near("Works perfectly on all my devices, sync is instant.",
                   "Works perfectly on all of my devices, the sync is instant."));
  EXPECT_TRUE(near("Offline mode doesn't work, the app shows a blank screen",
                   "Offline mode does not work and the app is showing a blank screen"));
}

// Each content word of the report replaced in turn by a word of its own: most single-word edits of a long
// text keep all four bands (Jaccard similarity about 0.9, so about 0.9^4 of them).
TEST(Fingerprint, MostOneWordEditsOfALongTextStayNear) {
  std::vector<std::string> words;
  std::istringstream in{std::string(kReport)};
  for (std::string w; in >> w;) words.push_back(w);
  int edits = 0, kept = 0;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].size() < 5) continue;  // content words
    std::string edited;
    for (std::size_t k = 0; k < words.size(); ++k) edited += (k == i ? "zebra" + std::to_string(k) : words[k]) + " ";
    ++edits;
    kept += near(kReport, edited) ? 1 : 0;
  }
  ASSERT_GE(edits, 15);
  EXPECT_GE(kept * 2, edits);
  EXPECT_LT(kept, edits);  // and the fingerprint does notice words: not every edit is free
}

TEST(Fingerprint, UnrelatedTextsAreFarApart) {
  std::uint64_t a = fingerprint_of(kReport);
  std::uint64_t b = fingerprint_of(
      "Please add an option to export invoices as CSV files with custom columns so our accountant can import them "
      "straight into the bookkeeping tool without retyping every single line by hand");
  std::uint64_t c =
      fingerprint_of("Love the new dark theme, the colours are easy on the eyes and the fonts look great");
  EXPECT_GT(hamming_distance(a, b), 12);
  EXPECT_GT(hamming_distance(a, c), 12);
  EXPECT_GT(hamming_distance(b, c), 12);
}

TEST(Fingerprint, SameSentencePatternWithAnotherSubjectIsNotADuplicate) {
  EXPECT_FALSE(near("The app crashes every time I try to open a PDF attachment.",
                    "The app crashes every time I try to open the camera."));
  EXPECT_FALSE(
      near("How do I change the email address on my account?", "How do I change the billing address on my invoices?"));
}

TEST(Fingerprint, ShortTextsUseWordPairs) {
  EXPECT_NE(fingerprint_of("export broken"), 0u);
  EXPECT_NE(fingerprint_of("broken"), 0u);
  EXPECT_EQ(fingerprint_of(""), 0u);
  EXPECT_EQ(fingerprint_of("!!! ..."), 0u);
  // Two short texts that share only stop words are not duplicates.
  EXPECT_FALSE(near("This is my second account, the first one is for work.", "My username is the same as my email."));
}

TEST(Fingerprint, OtherLanguagesUseTheirStopWordsAndStems) {
  EXPECT_EQ(fingerprint_of("Die App stürzt jedes Mal ab, wenn ich ein Foto hochladen will", "de"),
            fingerprint_of("Hallo, die App stürzt jedes Mal ab wenn ich ein Foto hochladen will. Danke", "de"));
}

TEST(Fingerprint, FingerprintIsPinned) {
  // Stored fingerprints must stay comparable: a change of hash or features has to be a conscious one (and a
  // new stage version).
  EXPECT_EQ(fingerprint_of("the export button does nothing at all"), 0x2d293a43cfd6a1f8ULL);
  // Short texts fingerprint their word pairs too; a single word stands for itself.
  EXPECT_EQ(fingerprint_of("it is okay"), 0xc89766f6464ac25fULL);
  EXPECT_EQ(fingerprint_of("okay"), 0x2106aed84d27769eULL);
  EXPECT_EQ(fingerprint_of("Die App stürzt ab", "de"), 0xd6ead582977d8c58ULL);
}

TEST(Fingerprint, HammingDistance) {
  EXPECT_EQ(hamming_distance(0, 0), 0);
  EXPECT_EQ(hamming_distance(0, ~0ULL), 64);
  EXPECT_EQ(hamming_distance(0b1011, 0b0001), 2);
}

TEST(Fingerprint, StageFingerprintsAnalysisTextInItsLanguage) {
  Document doc;
  doc.analysis_text = "Die Synchronisierung funktioniert seit dem Update nicht mehr";
  doc.language_code = "de";
  FingerprintStage().run(doc);
  EXPECT_EQ(doc.simhash, fingerprint_of(doc.analysis_text, "de"));
}

}  // namespace
}  // namespace chorus::nlp
