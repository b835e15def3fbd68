// Untrusted bytes through the whole pipeline: never crash, never throw, always valid UTF-8, never slow.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "nlp/stage.hpp"
#include "utf8_check.hpp"

namespace chorus::nlp {
namespace {

Document run_all(std::string raw, TextFormat format) {
  Document doc;
  doc.raw = std::move(raw);
  doc.format = format;
  Pipeline::standard().run(doc);
  return doc;
}

void expect_valid(const Document& d) {
  EXPECT_TRUE(testing::is_valid_utf8(d.text));
  EXPECT_TRUE(testing::is_valid_utf8(d.analysis_text));
  EXPECT_TRUE(testing::is_valid_utf8(d.language));
  for (const auto& t : d.themes) EXPECT_TRUE(testing::is_valid_utf8(t)) << t;
  EXPECT_LE(d.themes.size(), 5u);
  EXPECT_GE(d.sentiment_compound, -1.0);
  EXPECT_LE(d.sentiment_compound, 1.0);
  EXPECT_GE(d.sentiment_score, -10);
  EXPECT_LE(d.sentiment_score, 10);
  EXPECT_GE(d.category_confidence, 0.0);
  EXPECT_LE(d.category_confidence, 1.0);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(Robustness, RandomBytesInEveryFormat) {
  std::mt19937 rng(12345);
  for (TextFormat format : {TextFormat::plain, TextFormat::html, TextFormat::markdown}) {
    for (int round = 0; round < 50; ++round) {
      std::string junk(static_cast<std::size_t>(rng() % 3000), '\0');
      for (char& c : junk) c = static_cast<char>(rng() % 256);
      expect_valid(run_all(junk, format));
    }
  }
}

TEST(Robustness, PathologicalMarkupFinishesQuickly) {
  const std::string patterns[] = {
      "<div>", "<b>x", "<table><tr><td>",   "<a><b><i>",        "[[[",     "```", "<<<<", "**_~`",
      "&#",    "<p",   "at a.b(C.java:1) ", "\xF0\x9F\x98\x80", "\xE2\x80"};
  for (const std::string& p : patterns) {
    std::string big;
    while (big.size() < 1'000'000) big += p;
    for (TextFormat format : {TextFormat::plain, TextFormat::html, TextFormat::markdown}) {
      auto t0 = std::chrono::steady_clock::now();
      expect_valid(run_all(big, format));
      EXPECT_LT(seconds_since(t0), 5.0) << "pattern " << p;
    }
  }
}

TEST(Robustness, TagsWithThousandsOfAttributesFinishQuickly) {
  std::string tag = "<p";
  for (int i = 0; i < 1500; ++i) tag += " a" + std::to_string(i);
  tag += ">x</p>";
  std::string big;
  while (big.size() < 1'000'000) big += tag;
  auto t0 = std::chrono::steady_clock::now();
  expect_valid(run_all(big, TextFormat::html));
  EXPECT_LT(seconds_since(t0), 2.0);
}

TEST(Robustness, MegabyteOfProseFinishesQuickly) {
  std::string prose;
  const std::string sentence = "The sync is not working again and I really hate it but support was great! ";
  while (prose.size() < 1'000'000) prose += sentence;
  auto t0 = std::chrono::steady_clock::now();
  Document d = run_all(prose, TextFormat::plain);
  EXPECT_LT(seconds_since(t0), 5.0);
  expect_valid(d);
  EXPECT_EQ(d.language_code, "en");
  EXPECT_NE(d.simhash, 0u);
}

TEST(Robustness, MegabyteSingleWordAndNulBytes) {
  expect_valid(run_all(std::string(1'000'000, 'a'), TextFormat::plain));
  expect_valid(run_all(std::string(100'000, '\0'), TextFormat::html));
}

}  // namespace
}  // namespace chorus::nlp
