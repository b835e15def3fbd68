// Re-analysis of a stored record.
#include "nlp/record_analysis.hpp"

#include <cmath>

#include "nlp/analyze.hpp"

namespace chorus::nlp {

TextFormat text_format(MappedItem::Format format) {
  switch (format) {
    case MappedItem::Format::html:
      return TextFormat::html;
    case MappedItem::Format::markdown:
      return TextFormat::markdown;
    case MappedItem::Format::plain:
      return TextFormat::plain;
  }
  return TextFormat::plain;
}

Document document_of(const MappedItem& item) {
  Document doc;
  doc.raw = item.text;
  doc.format = text_format(item.format);
  doc.title = item.title.value_or("");
  if (item.rating) doc.rating = static_cast<int>(std::lround(*item.rating));
  return doc;
}

void redact_item(MappedItem& item, const RedactionPolicy& policy) {
  if (!policy.any()) return;
  item.text = redact_pii(item.text, policy).text;
  if (item.title) item.title = redact_pii(*item.title, policy).text;
}

std::string reanalyse_record(FeedbackRecord& record, const MappedItem& item, const Pipeline& pipeline) {
  Document doc = document_of(item);
  pipeline.run(doc);
  apply_analysis(record, doc, pipeline);
  return std::move(doc.analysis_text);
}

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
