// Re-analysis of a stored record.
#include "nlp/record_analysis.hpp"

#include <cmath>

#include "nlp/analyze.hpp"

namespace chorus::nlp {

std::string reanalyse_record(FeedbackRecord& record, const Pipeline& pipeline) {
  Document doc;
  doc.raw = record.text;
  doc.format = TextFormat::plain;
  doc.title = record.title.value_or("");
  if (record.rating) doc.rating = static_cast<int>(std::lround(*record.rating));
  pipeline.run(doc);
  apply_analysis(record, doc, pipeline);
  return std::move(doc.analysis_text);
}

void apply_analysis(FeedbackRecord& record, const Document& doc, const Pipeline& pipeline) {
  record.language = doc.language;
  record.language_code = doc.language_code;
  record.sentiment_type = doc.sentiment_type;
  record.sentiment_score = doc.sentiment_score;
  record.sentiment_compound = std::round(doc.sentiment_compound * 10000.0) / 10000.0;  // as `chorus analyze` prints it
  record.sentiment_confidence = doc.sentiment_confidence;
  record.category = doc.category;
  record.category_confidence = doc.category_confidence;
  std::string evidence;
  append_evidence_json(evidence, doc.sentiment_evidence, doc.category_evidence);
  auto parsed = parse_json(evidence);
  record.evidence = parsed.ok() && parsed->is_object() ? parsed->get_object() : json::object{};
  record.themes = doc.themes;
  record.sub_themes = doc.sub_themes;
  record.simhash = doc.simhash;
  record.nlp_version = pipeline.version();
}

}  // namespace chorus::nlp
