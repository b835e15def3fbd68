// Re-analysis of a stored record: the current engine over the item its source gave, or the text the record keeps.
#pragma once

#include "core/record.hpp"
#include "nlp/pii_redaction.hpp"
#include "nlp/stage.hpp"

namespace chorus::nlp {

// The engine's reading of a text format as a source declares it.
TextFormat text_format(MappedItem::Format format);

// The document the engine reads for an item as its source mapped it: body in its format, title and rating.
Document document_of(const MappedItem& item);

// The item's text and title with the policy's PII kinds masked, as the parser masks them before analysis.
void redact_item(MappedItem& item, const RedactionPolicy& policy);

// Re-analysis from the item as its source mapped it (redacted as the workspace asks): what the parser read,
// with the markup that tells prose from code, quotes and an issue form's fields. Otherwise as below.
std::string reanalyse_record(FeedbackRecord& record, const MappedItem& item,
                             const Pipeline& pipeline = Pipeline::standard());

// Runs the pipeline over the record's stored text (plain text, already cleaned for display) and title, and
// replaces every field the engine derives: language, sentiment, category and its confidence, themes, the
// near-duplicate fingerprint and nlp_version. The text itself and everything the source said are kept;
// duplicate_of is left to the caller, which knows the other records. Returns the text the engine read
// (quoted replies, signatures, code and URLs removed), which the workspace's custom theme rules read next.
std::string reanalyse_record(FeedbackRecord& record, const Pipeline& pipeline = Pipeline::standard());

// Copies what the pipeline derived from an analysed document into the record (the one list of those
// fields, used by the parser and by re-analysis).
void apply_analysis(FeedbackRecord& record, const Document& doc, const Pipeline& pipeline);

}  // namespace chorus::nlp
