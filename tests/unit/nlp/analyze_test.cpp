// `chorus analyze` line handling: output shape per CONTRACT section 2, errors that keep lines aligned.
#include "nlp/analyze.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "core/json.hpp"
#include "utf8_check.hpp"

namespace chorus::nlp {
namespace {

json::object parse_object(const std::string& line) {
  auto v = parse_json(line);
  EXPECT_TRUE(v.ok()) << line;
  EXPECT_TRUE(v->is_object()) << line;
  return v->get_object();
}

TEST(AnalyzeLine, PlainLineHasExactlyTheContractFields) {
  std::string line = analyze_line("The app stopped working after the update and I lost my data", false, 1);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  json::object o = parse_object(line);
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"language_code", "language", "sentiment_type", "sentiment_compound",
                                            "sentiment_score", "category", "category_confidence",
                                            "sentiment_confidence", "themes", "sub_themes", "evidence"}));
  EXPECT_EQ(o["language_code"], "en");
  EXPECT_EQ(o["language"], "English");
  EXPECT_EQ(o["sentiment_type"], "negative");
  EXPECT_TRUE(o["sentiment_compound"].is_double());
  EXPECT_TRUE(o["sentiment_score"].is_int64());
  EXPECT_EQ(o["category"], "bug");
  EXPECT_TRUE(o["themes"].is_array());
}

TEST(AnalyzeLine, CompoundIsRoundedToFourDecimalsAndPrintedPlainly) {
  std::string line = analyze_line("good", false);
  EXPECT_EQ(line.find("E-"), std::string::npos);
  json::object o = parse_object(line);
  double c = o["sentiment_compound"].as_double();
  EXPECT_GT(c, 0.0);
  EXPECT_EQ(std::round(c * 10000.0) / 10000.0, c) << line;
  EXPECT_EQ(o["sentiment_score"].as_int64(), static_cast<std::int64_t>(std::lround(c * 10)));
}

// Short reviews in other languages: placed by their words, read with that language's words, and their opinion
// words and verbs are no themes ("Excelente" is Spanish and Portuguese alike: unknown, yet read as praise).
TEST(AnalyzeLine, ShortReviewsInOtherLanguagesAreReadInThem) {
  for (auto [text, lang, type] : {std::tuple{"Muito bom", "pt", "positive"}, std::tuple{"Adorei", "pt", "positive"},
                                  std::tuple{"Nao gostei", "pt", "negative"}, std::tuple{"Muy malo", "es", "negative"},
                                  std::tuple{"Excelente", "un", "positive"}, std::tuple{"Pessimo", "un", "negative"}}) {
    json::object o = parse_object(analyze_line(text, false));
    EXPECT_EQ(o["language_code"], lang) << text;
    EXPECT_EQ(o["sentiment_type"], type) << text;
    EXPECT_TRUE(o["themes"].as_array().empty()) << text << ": " << json::serialize(o["themes"]);
  }
  // Text with an English word is not read in other languages: "support" is no Spanish praise here.
  json::object english = parse_object(analyze_line("GitLab support pls", false));
  EXPECT_EQ(english["language_code"], "un");
  EXPECT_NE(english["sentiment_type"], "positive");
}

// An issue form's fields name the reporter's system, not what the issue is about; a sentence that names it is read.
TEST(AnalyzeLine, AnIssueFormsFieldsAreNoThemes) {
  json::object form_line;
  form_line["format"] = "markdown";
  form_line["title"] = "Custom layer weights lost on reload";
  form_line["text"] =
      "### Issue type\n\nBug\n\n### TensorFlow version\n\n2.11\n\n### OS platform and distribution\n\n"
      "Linux Ubuntu 22.04\n\n### Python version\n\n3.10\n\n### GPU model and memory\n\nRTX 3080, 10 GB\n\n"
      "### Current behaviour?\n\nSaving a model with a custom layer and loading it again loses the layer's weights.\n";
  json::object form = parse_object(analyze_line(json::serialize(form_line), true));
  EXPECT_EQ(form["category"], "bug");
  const std::string themes = json::serialize(form["themes"]);
  for (std::string_view not_a_theme : {"compatibility", "os platform", "gpu model", "python"})
    EXPECT_EQ(themes.find(not_a_theme), std::string::npos) << not_a_theme << " in " << themes;
  EXPECT_NE(themes.find("custom layer"), std::string::npos) << themes;

  json::object prose_line;
  prose_line["format"] = "markdown";
  prose_line["text"] = "The app is not compatible with Windows 10 since the last version and will not start.";
  json::object prose = parse_object(analyze_line(json::serialize(prose_line), true));
  EXPECT_NE(json::serialize(prose["themes"]).find("compatibility"), std::string::npos);
}

TEST(AnalyzeLine, EmptyLinesYieldErrors) {
  EXPECT_EQ(analyze_line("", false, 3), R"({"error":"line 3: empty line"})");
  EXPECT_EQ(analyze_line("  \r", false, 4), R"({"error":"line 4: empty line"})");
  EXPECT_EQ(analyze_line("", true, 0), R"({"error":"empty line"})");
}

TEST(AnalyzeLine, JsonlNeedsAStringTextField) {
  const std::string expected = R"({"error":"line 3: expected a JSON object with a string \"text\" field"})";
  EXPECT_EQ(analyze_line(R"({"body":"hi"})", true, 3), expected);
  EXPECT_EQ(analyze_line(R"({"text":42})", true, 3), expected);
  EXPECT_EQ(analyze_line(R"(["text"])", true, 3), expected);
  json::object bad = parse_object(analyze_line("{not json", true, 5));
  EXPECT_EQ(bad.size(), 1u);
  EXPECT_TRUE(bad["error"].as_string().starts_with("line 5: "));
}

TEST(AnalyzeLine, JsonlReadsTextTitleAndFormat) {
  json::object o = parse_object(
      analyze_line(R"({"text":"<p>Please add a <b>dark mode</b></p>","title":"Dark mode","format":"html"})", true, 1));
  EXPECT_EQ(o["category"], "feature_request");
  ASSERT_FALSE(o["themes"].as_array().empty());
  EXPECT_EQ(o["themes"].as_array()[0], "ui design");  // the aspect; the key phrase sits beneath it
  EXPECT_EQ(to_compact_json(o["sub_themes"]), R"([{"theme":"ui design","phrase":"dark mode"}])");
}

TEST(AnalyzeLine, HtmlIsRecognisedInPlainMode) {
  json::object o = parse_object(analyze_line("<p>I love it &amp; use it daily</p>", false));
  EXPECT_EQ(o["sentiment_type"], "positive");
}

TEST(AnalyzeLine, JunkStillGivesOneValidLine) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131 + 7) % 256));
  for (char& c : junk)
    if (c == '\n') c = ' ';
  std::string line = analyze_line(junk, false, 9);
  EXPECT_TRUE(testing::is_valid_utf8(line));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  parse_object(line);
}

TEST(AnalyzeLine, SafeToCallFromManyThreads) {
  const std::string expected = analyze_line("The export crashes, please fix it :(", false);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (analyze_line("The export crashes, please fix it :(", false) != expected) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(AnalysisToJson, SerialisesAnalysedDocument) {
  Document doc;
  doc.language_code = "de";
  doc.language = "German";
  doc.sentiment_type = "mixed";
  doc.sentiment_compound = -0.123456;
  doc.sentiment_score = -1;
  doc.category = "bug";
  doc.category_confidence = 0.5;
  doc.themes = {"sync", "data loss"};
  doc.sub_themes = {{"sync", "sync server"}};
  doc.sentiment_confidence = 0.61;
  doc.sentiment_evidence = {{"verloren", 1.25}, {"aber", 0.5}};
  doc.category_evidence = {{"sync \"fehler\"", 0.8}};
  EXPECT_EQ(to_compact_json(analysis_to_json(doc)),
            R"({"language_code":"de","language":"German","sentiment_type":"mixed","sentiment_compound":-0.1235,)"
            R"("sentiment_score":-1,"category":"bug","category_confidence":0.5,"sentiment_confidence":0.61,)"
            R"("themes":["sync","data loss"],"sub_themes":[{"theme":"sync","phrase":"sync server"}],"evidence":{"sentiment":[{"term":"verloren","weight":1.25},)"
            R"({"term":"aber","weight":0.5}],"category":[{"term":"sync \"fehler\"","weight":0.8}]}})");
}

TEST(AnalysisToJson, DirectLineEqualsTheObjectSerialised) {
  Document doc;
  doc.language_code = "ja";
  doc.language = "Japanese";
  doc.sentiment_type = "negative";
  doc.sentiment_compound = -0.99999;
  doc.sentiment_score = -10;
  doc.category = "complaint";
  doc.category_confidence = 0.3333333333;
  EXPECT_EQ(analysis_json_line(doc), to_compact_json(analysis_to_json(doc)));  // no themes
  doc.themes = {"say \"hi\"", "back\\slash", "tab\there", "同期", "don't"};
  doc.sentiment_compound = 1e-7;
  doc.category_confidence = 1.0;
  EXPECT_EQ(analysis_json_line(doc), to_compact_json(analysis_to_json(doc)));
  EXPECT_NE(analysis_json_line(doc).find(R"("say \"hi\"")"), std::string::npos);
}

TEST(GuessFormat, RecognisesHtmlTagsOnly) {
  EXPECT_EQ(guess_format("<p>hello</p>"), TextFormat::html);
  EXPECT_EQ(guess_format("line<br>break"), TextFormat::html);
  EXPECT_EQ(guess_format("I <3 it, 2 < 3 > 1"), TextFormat::plain);
  EXPECT_EQ(guess_format("use <T> generics"), TextFormat::plain);
  EXPECT_EQ(guess_format("see [docs](https://x.io)"), TextFormat::markdown);
  EXPECT_EQ(guess_format("It fails:\n```\ncode\n```"), TextFormat::markdown);
  EXPECT_EQ(guess_format("quoting:\n> old text\nnew text"), TextFormat::markdown);
  EXPECT_EQ(guess_format("# 1 priority: sync"), TextFormat::markdown);
  EXPECT_EQ(guess_format("issue #42 again"), TextFormat::plain);
}

}  // namespace
}  // namespace chorus::nlp
