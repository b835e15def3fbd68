// CsvReader: RFC 4180 rows (quoted fields, doubled quotes, newlines inside quotes) as JSON objects
// keyed by the header row.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"

namespace chorus::ingest {

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  Status read_header();
  // The next row, nullopt at the end; an error names the row and what is wrong.
  Result<std::optional<json::object>> next();

 private:
  Result<std::optional<std::vector<std::string>>> read_row();
  std::istream& in_;
  std::vector<std::string> header_;
  std::size_t row_ = 0;
};

}  // namespace chorus::ingest
