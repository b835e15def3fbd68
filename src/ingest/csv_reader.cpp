// RFC 4180 CSV reading.
#include "ingest/csv_reader.hpp"

namespace chorus::ingest {

Result<std::optional<std::vector<std::string>>> CsvReader::read_row() {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, any = false, after_quote = false;
  int c;
  while ((c = in_.get()) != EOF) {
    any = true;
    char ch = static_cast<char>(c);
    if (quoted) {
      if (ch == '"') {
        if (in_.peek() == '"') {
          field += '"';
          in_.get();
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        field += ch;
      }
      continue;
    }
    if (ch == '"' && field.empty() && !after_quote) {
      quoted = true;
    } else if (ch == ',') {
      fields.push_back(std::move(field));
      field.clear();
      after_quote = false;
    } else if (ch == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      fields.push_back(std::move(field));
      ++row_;
      return std::optional<std::vector<std::string>>(std::move(fields));
    } else if (after_quote && ch != '\r') {
      return make_error(ErrorCode::bad_request, "row " + std::to_string(row_ + 1) + ": text after a closing quote");
    } else {
      field += ch;
    }
  }
  if (quoted) return make_error(ErrorCode::bad_request, "row " + std::to_string(row_ + 1) + ": unterminated quoted field");
  if (!any) return std::optional<std::vector<std::string>>{};
  if (!field.empty() && field.back() == '\r') field.pop_back();
  fields.push_back(std::move(field));
  ++row_;
  return std::optional<std::vector<std::string>>(std::move(fields));
}

Status CsvReader::read_header() {
  auto row = read_row();
  if (!row) return row.error();
  if (!*row || (*row)->empty()) return make_error(ErrorCode::bad_request, "the file has no header row");
  header_ = std::move(**row);
  if (!header_.empty() && header_[0].starts_with("\xEF\xBB\xBF")) header_[0].erase(0, 3);  // UTF-8 BOM
  return {};
}

Result<std::optional<json::object>> CsvReader::next() {
  for (;;) {
    auto row = read_row();
    if (!row) return row.error();
    if (!*row) return std::optional<json::object>{};
    auto& fields = **row;
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() != header_.size())
      return make_error(ErrorCode::bad_request, "row " + std::to_string(row_) + " has " + std::to_string(fields.size()) +
                                                    " fields but the header has " + std::to_string(header_.size()));
    json::object o;
    for (std::size_t i = 0; i < fields.size(); ++i) o[header_[i]] = fields[i];
    return std::optional<json::object>(std::move(o));
  }
}

}  // namespace chorus::ingest
