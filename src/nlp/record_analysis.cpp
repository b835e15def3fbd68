// Re-analysis of a stored record.
#include "nlp/record_analysis.hpp"

namespace chorus::nlp {

void reanalyse_record(FeedbackRecord& record, const Pipeline& pipeline) {
  Document doc;
  doc.raw = record.text;
  doc.format = TextFormat::plain;
  doc.title = record.title.value_or("");
  pipeline.run(doc);
  record.language = doc.language;
  record.language_code = doc.language_code;
  record.sentiment_type = doc.sentiment_type;
  record.sentiment_score = doc.sentiment_score;
  record.sentiment_compound = doc.sentiment_compound;
  record.category = doc.category;
  record.category_confidence = doc.category_confidence;
  record.themes = doc.themes;
  record.simhash = doc.simhash;
  record.nlp_version = pipeline.version();
}

}  // namespace chorus::nlp
