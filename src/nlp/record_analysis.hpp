// Re-analysis of a stored record: the current engine over the text the record keeps.
#pragma once

#include "core/record.hpp"
#include "nlp/stage.hpp"

namespace chorus::nlp {

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
