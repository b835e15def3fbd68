// libFuzzer target for the NLP engine, which reads whatever customers and third parties send: the line
// front end of `chorus analyze` (plain and JSON lines), each text converter, and the whole pipeline.
// Build with -DCHORUS_FUZZ=ON and clang; run as `build/nlp_fuzz -max_len=65536 corpus/`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "nlp/analyze.hpp"
#include "nlp/clean.hpp"
#include "nlp/fingerprint.hpp"
#include "nlp/sentiment.hpp"
#include "nlp/stage.hpp"
#include "nlp/utf8.hpp"

namespace {

using namespace chorus::nlp;

// The analyze front end must give one JSON object per line and never throw.
void check_line(std::string_view bytes, bool jsonl) {
  std::string out = analyze_line(bytes, jsonl, 1);
  if (out.empty() || out.front() != '{' || out.back() != '}' || out.find('\n') != std::string::npos) __builtin_trap();
}

// Each converter on repaired bytes, then the narrowing of the analysis text.
void check_converters(std::string_view bytes) {
  std::string valid = sanitize_utf8(bytes);
  for (CleanText t : {html_to_text(valid), markdown_to_text(valid), plain_to_text(valid)}) {
    bool trace = false;
    std::string analysis = strip_urls_and_traces(strip_replies_and_signatures(t.analysis), trace);
    collapse_whitespace(analysis, false);
    collapse_whitespace(t.text, true);
  }
}

// The whole pipeline in each input format; the results stay within their contract.
void check_pipeline(std::string_view bytes, TextFormat format) {
  Document doc;
  doc.raw = std::string(bytes);
  doc.format = format;
  doc.title = std::string(bytes.substr(0, 64));
  Pipeline::standard().run(doc);
  if (doc.sentiment_compound < -1.0 || doc.sentiment_compound > 1.0) __builtin_trap();
  if (doc.sentiment_score < -10 || doc.sentiment_score > 10) __builtin_trap();
  if (doc.themes.size() > 5 || doc.category_confidence < 0.0 || doc.category_confidence > 1.0) __builtin_trap();
  if (!doc.text.empty() && fingerprint_of(doc.analysis_text, doc.language_code) != doc.simhash) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the mode, so one corpus reaches every entry point.
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      check_line(bytes, false);
      break;
    case 1:
      check_line(bytes, true);
      break;
    case 2:
      check_converters(bytes);
      break;
    case 3:
      check_pipeline(bytes, TextFormat::plain);
      break;
    case 4:
      check_pipeline(bytes, TextFormat::html);
      break;
    default:
      check_pipeline(bytes, TextFormat::markdown);
      analyze_sentiment(sanitize_utf8(bytes), std::string_view(bytes.substr(0, 2)));
      break;
  }
  return 0;
}
