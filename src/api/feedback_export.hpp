// Exports of feedback records: JSON lines (each line the record exactly as the API returns it) and CSV
// (one column per field of the record's shape, flattened as group.field; lists and source metadata as
// JSON text; null as an empty cell and an empty string as "").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/record.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

namespace chorus::api {

enum class ExportFormat { jsonl, csv };

std::optional<ExportFormat> parse_export_format(std::string_view s);

// The CSV header line and one row per record, each ending in CRLF (RFC 4180).
std::string csv_header();
void append_csv_row(std::string& out, const FeedbackRecord& r);

// Every record the filter matches, newest first, read page by page from the store.
Result<http::Response> export_feedback(store::Store& store, const store::FeedbackFilter& filter, ExportFormat format);

}  // namespace chorus::api
