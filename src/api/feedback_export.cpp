// JSON lines and CSV exports of feedback records. CSV columns come from the record's JSON shape, so a
// field added to the record appears in the export without a change here.
#include "api/feedback_export.hpp"

#include <vector>

namespace chorus::api {

namespace {

constexpr std::size_t kPage = 1000;
constexpr std::string_view kExtraColumn = "metadata_attributes.extra";

// Leaf paths of the record's JSON shape, in its order.
std::vector<std::string> flatten_paths(const json::object& o, const std::string& prefix = "") {
  std::vector<std::string> out;
  for (const auto& kv : o) {
    std::string path = prefix.empty() ? std::string(kv.key()) : prefix + "." + std::string(kv.key());
    if (kv.value().is_object()) {
      auto inner = flatten_paths(kv.value().get_object(), path);
      out.insert(out.end(), inner.begin(), inner.end());
    } else {
      out.push_back(std::move(path));
    }
  }
  return out;
}

// The columns, from an empty record; metadata a source adds (tags, state, ...) goes to one JSON column.
const std::vector<std::string>& columns() {
  static const std::vector<std::string> cols = [] {
    auto c = flatten_paths(record_to_json(FeedbackRecord{}));
    c.emplace_back(kExtraColumn);
    return c;
  }();
  return cols;
}

void append_cell(std::string& out, std::string_view text, bool quote_always) {
  bool quote = quote_always || text.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_value(std::string& out, const json::value* v) {
  if (!v || v->is_null()) return;                                                         // null: an empty cell
  if (v->is_string()) return append_cell(out, v->get_string(), v->get_string().empty());  // "" stays ""
  append_cell(out, to_json_string(*v), false);
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view s) {
  if (s == "jsonl" || s == "ndjson") return ExportFormat::jsonl;
  if (s == "csv") return ExportFormat::csv;
  return std::nullopt;
}

std::string csv_header() {
  std::string out;
  for (const auto& c : columns()) {
    if (!out.empty()) out += ',';
    append_cell(out, c, false);
  }
  return out + "\r\n";
}

void append_csv_row(std::string& out, const FeedbackRecord& r) {
  json::value record = record_to_json(r);
  bool first = true;
  for (const auto& c : columns()) {
    if (!first) out += ',';
    first = false;
    if (c == kExtraColumn) {
      json::object extra;
      for (const auto& kv : r.extra) extra[kv.key()] = kv.value();
      if (!extra.empty()) append_cell(out, to_json_string(extra), false);
      continue;
    }
    append_value(out, find_path(record, c));
  }
  out += "\r\n";
}

Result<http::Response> export_feedback(store::Store& store, const store::FeedbackFilter& filter, ExportFormat format) {
  http::Response res;
  std::string name = "feedback-" + std::to_string(filter.workspace_id);
  if (format == ExportFormat::csv) {
    res.content_type = "text/csv; charset=utf-8";
    res.headers.set("content-disposition", "attachment; filename=\"" + name + ".csv\"");
    res.body = csv_header();
  } else {
    res.content_type = "application/x-ndjson";
    res.headers.set("content-disposition", "attachment; filename=\"" + name + ".jsonl\"");
  }
  std::optional<std::string> cursor;
  std::int64_t n = 0;
  do {
    auto page = store.query_feedback(filter, kPage, cursor);
    if (!page) return page.error();
    for (const auto& r : page->items) {
      if (format == ExportFormat::csv) {
        append_csv_row(res.body, r);
      } else {
        res.body += to_json_string(record_to_json(r));
        res.body += '\n';
      }
    }
    n += static_cast<std::int64_t>(page->items.size());
    cursor = page->next_cursor;
  } while (cursor);
  res.headers.set("x-record-count", std::to_string(n));
  return res;
}

}  // namespace chorus::api
