// NLP throughput: the whole pipeline and each stage on typical feedback, plus the megabyte worst case.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <vector>

#include "nlp/analyze.hpp"
#include "nlp/category.hpp"
#include "nlp/clean.hpp"
#include "nlp/language.hpp"
#include "nlp/sentiment.hpp"
#include "nlp/fingerprint.hpp"
#include "nlp/stage.hpp"
#include "nlp/themes.hpp"

namespace {

using namespace chorus::nlp;

const std::vector<std::string>& short_feedback() {
  static const std::vector<std::string> texts = {
      "The app stopped working after the update and I lost my data",
      "Love the new dark mode, thanks team!",
      "Can you please add an export to Excel? We need it for monthly reporting.",
      "Sync keeps failing on Android since version 3.1 :(",
      "Way too expensive for what it offers and support is rude",
      "Honestly the best note taking app I've used. Five stars!",
      "Search doesn't find notes with accented characters",
      "Die App stürzt nach dem Update ständig ab.",
  };
  return texts;
}

// The texts of the labelled set (tests/data/feedback_labelled.tsv), the input bench/nlp/throughput uses.
const std::vector<std::string>& labelled_texts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    std::ifstream in(CHORUS_SOURCE_DIR "/tests/data/feedback_labelled.tsv");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::size_t tab = 0;
      for (int i = 0; i < 5 && tab != std::string::npos; ++i) tab = line.find('\t', tab + 1);
      if (tab != std::string::npos) out.push_back(line.substr(tab + 1));
    }
    if (out.empty()) out.push_back("tests/data/feedback_labelled.tsv not found");
    return out;
  }();
  return texts;
}

const std::string& forum_post_html() {
  static const std::string html =
      "<p>Hi team,</p><aside class=\"quote\"><blockquote><p>Have you tried turning it off?</p></blockquote></aside>"
      "<p>Yes. The <strong>calendar sync</strong> still fails every morning &amp; duplicates events. "
      "<img class=\"emoji\" alt=\":rage:\" src=\"/e/rage.png\"></p><pre><code>Error: 409 Conflict\n  at sync "
      "(/app/sync.js:42:7)</code></pre><p>Logs: https://example.com/logs/123. Please fix, this is blocking our "
      "team of 40 people who rely on shared calendars.</p><p>Thanks</p>";
  return html;
}

void BM_PipelineShortFeedback(benchmark::State& state) {
  const auto& texts = short_feedback();
  std::size_t i = 0;
  for (auto _ : state) {
    Document doc;
    doc.raw = texts[i++ % texts.size()];
    Pipeline::standard().run(doc);
    benchmark::DoNotOptimize(doc.simhash);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PipelineShortFeedback);

void BM_PipelineForumPostHtml(benchmark::State& state) {
  for (auto _ : state) {
    Document doc;
    doc.raw = forum_post_html();
    doc.format = TextFormat::html;
    Pipeline::standard().run(doc);
    benchmark::DoNotOptimize(doc.simhash);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(forum_post_html().size()));
}
BENCHMARK(BM_PipelineForumPostHtml);

void BM_AnalyzeLine(benchmark::State& state) {
  const auto& texts = short_feedback();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(analyze_line(texts[i++ % texts.size()], false, 1));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnalyzeLine);

void BM_AnalyzeLabelledSet(benchmark::State& state) {
  const auto& texts = labelled_texts();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(analyze_line(texts[i++ % texts.size()], false, 1));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnalyzeLabelledSet);

// Each stage alone, on documents of the labelled set already carried through the stages before it.
template <class S>
void BM_Stage(benchmark::State& state) {
  std::vector<Document> docs;
  for (const auto& t : labelled_texts()) {
    Document d;
    d.raw = t;
    Pipeline::standard().run(d);
    docs.push_back(std::move(d));
  }
  S stage;
  std::size_t i = 0;
  for (auto _ : state) {
    Document d = docs[i++ % docs.size()];
    stage.run(d);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
// The copy of a carried-through document that BM_Stage makes before each run, alone: subtract it from a
// stage's time to compare the stage across versions whose documents carry more or fewer fields.
struct CopyOnly {
  void run(Document&) const {}
};
BENCHMARK(BM_Stage<CopyOnly>)->Name("BM_Stage/copy_only");
BENCHMARK(BM_Stage<CleanStage>)->Name("BM_Stage/clean");
BENCHMARK(BM_Stage<LanguageStage>)->Name("BM_Stage/language");
BENCHMARK(BM_Stage<SentimentStage>)->Name("BM_Stage/sentiment");
BENCHMARK(BM_Stage<CategoryStage>)->Name("BM_Stage/category");
BENCHMARK(BM_Stage<ThemesStage>)->Name("BM_Stage/themes");
BENCHMARK(BM_Stage<FingerprintStage>)->Name("BM_Stage/fingerprint");

// CLD2 alone (detect_language is the stage without the Document around it), on the labelled set's cleaned
// texts: the floor under the whole pipeline's cost per document.
void BM_DetectLanguageLabelledSet(benchmark::State& state) {
  std::vector<std::string> texts;
  for (const auto& t : labelled_texts()) {
    Document d;
    d.raw = t;
    CleanStage().run(d);
    texts.push_back(d.analysis_text);
  }
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(detect_language(texts[i++ % texts.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DetectLanguageLabelledSet);

void BM_PipelineMegabyteLine(benchmark::State& state) {
  std::string big;
  while (big.size() < 1'000'000) big += "The sync is not working again and I really hate it but support was great! ";
  for (auto _ : state) {
    Document doc;
    doc.raw = big;
    Pipeline::standard().run(doc);
    benchmark::DoNotOptimize(doc.simhash);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(big.size()));
}
BENCHMARK(BM_PipelineMegabyteLine)->Unit(benchmark::kMillisecond);

}  // namespace
