// `chorus analyze`: one input line in, one JSON result line out (CONTRACT section 2).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "nlp/stage.hpp"

namespace chorus::nlp {

// {language_code, language, sentiment_type, sentiment_compound (4 decimals), sentiment_score, category,
//  category_confidence, sentiment_confidence, themes, sub_themes, evidence} of an analysed document.
json::object analysis_to_json(const Document& doc);
// The same, serialised as to_compact_json would, without building the object (the hot path of analyze;
// analysis_to_json is parsed from it).
std::string analysis_json_line(const Document& doc);

// {"sentiment":[{term, weight}...], "category":[...]}: what moved each label most.
void append_evidence_json(std::string& out, const std::vector<Evidence>& sentiment,
                          const std::vector<Evidence>& category);

// Analyses one input line with Pipeline::standard() and returns one JSON object, without a trailing newline.
// Plain mode reads the line as text (HTML when it looks like HTML). With jsonl the line must be an object
// with a string "text"; optional "title", "rating" (1-5) and "format" ("plain" | "html" | "markdown"). Empty or unusable
// lines give {"error":"line N: ..."} so output stays aligned with input. line_number is 1-based; 0 omits
// the "line N: " prefix. Thread-safe.
std::string analyze_line(std::string_view line, bool jsonl, std::size_t line_number = 0);

// With explain, the object also carries "simhash" (the near-duplicate fingerprint, 16 hex digits) and
// "features" ({name: value}, what the trained models read), for the accuracy report (bench/nlp/).
struct AnalyzeOptions {
  bool jsonl = false;
  bool explain = false;
};
std::string analyze_line(std::string_view line, const AnalyzeOptions& options, std::size_t line_number = 0);

// Serialises like json::serialize, but writes doubles in plain decimal ("-0.5423", not "-5.423E-1").
std::string to_compact_json(const json::value& v);

// Guesses the format of raw text: HTML when it contains recognisable tags, markdown when it has fenced code,
// inline links or quote/heading lines, plain otherwise.
TextFormat guess_format(std::string_view text);

}  // namespace chorus::nlp
