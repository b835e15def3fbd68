// Near-duplicate fingerprints: near-identical feedback lands within 3 bits, unrelated feedback far apart.
#include "nlp/simhash.hpp"

#include <gtest/gtest.h>

namespace chorus::nlp {
namespace {

constexpr std::string_view kReport =
    "After updating to version 4.2 the calendar sync stopped working on my iPhone and every event I created on the "
    "desktop app since Monday is missing from the phone even after reinstalling and logging out and back in";

TEST(Simhash, IdenticalTextsHaveIdenticalFingerprints) {
  EXPECT_EQ(simhash_of(kReport), simhash_of(kReport));
  EXPECT_NE(simhash_of(kReport), 0u);
}

TEST(Simhash, CaseAndPunctuationDoNotMatter) {
  std::string shouted(kReport);
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(hamming_distance(simhash_of(kReport), simhash_of(shouted)), 0);
  EXPECT_EQ(simhash_of("the sync, it stopped!"), simhash_of("The sync it stopped"));
}

TEST(Simhash, GreetingsAndSignOffsAreIgnored) {
  std::string greeted = "Hi team, " + std::string(kReport) + ". Thanks in advance, kind regards";
  EXPECT_LE(hamming_distance(simhash_of(kReport), simhash_of(greeted)), 3);
  EXPECT_EQ(simhash_of("Hello! The export button does nothing at all"),
            simhash_of("The export button does nothing at all. Thanks"));
}

TEST(Simhash, OneWordEditStaysMuchNearerThanUnrelatedText) {
  // A changed word alters three of ~36 shingles: a few bits, where unrelated texts differ by ~20 or more.
  std::string edited(kReport);
  edited.replace(edited.find("Monday"), 6, "Tuesday");
  EXPECT_LE(hamming_distance(simhash_of(kReport), simhash_of(edited)), 8);
}

TEST(Simhash, UnrelatedTextsAreFarApart) {
  std::uint64_t a = simhash_of(kReport);
  std::uint64_t b = simhash_of(
      "Please add an option to export invoices as CSV files with custom columns so our accountant can import them "
      "straight into the bookkeeping tool without retyping every single line by hand");
  std::uint64_t c = simhash_of("Love the new dark theme, the colours are easy on the eyes and the fonts look great");
  EXPECT_GT(hamming_distance(a, b), 12);
  EXPECT_GT(hamming_distance(a, c), 12);
  EXPECT_GT(hamming_distance(b, c), 12);
}

TEST(Simhash, ShortTextsUseShorterShingles) {
  EXPECT_NE(simhash_of("export broken"), 0u);
  EXPECT_NE(simhash_of("broken"), 0u);
  EXPECT_EQ(simhash_of(""), 0u);
  EXPECT_EQ(simhash_of("!!! ..."), 0u);
}

TEST(Simhash, FingerprintIsPinned) {
  // Stored fingerprints must stay comparable: a change of hash or shingling has to be a conscious one
  // (and a new stage version).
  EXPECT_EQ(simhash_of("the export button does nothing"), 0x846a4192b81a4261ULL);
}

TEST(Simhash, HammingDistance) {
  EXPECT_EQ(hamming_distance(0, 0), 0);
  EXPECT_EQ(hamming_distance(0, ~0ULL), 64);
  EXPECT_EQ(hamming_distance(0b1011, 0b0001), 2);
}

TEST(Simhash, StageFingerprintsAnalysisText) {
  Document doc;
  doc.analysis_text = std::string(kReport);
  SimhashStage().run(doc);
  EXPECT_EQ(doc.simhash, simhash_of(kReport));
}

}  // namespace
}  // namespace chorus::nlp
