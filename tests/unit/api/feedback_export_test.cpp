// CSV export of records: a header from the record's shape, RFC 4180 quoting, null and "" kept apart,
// source metadata as JSON; read back cell for cell by an independent parser.
#include "api/feedback_export.hpp"

#include <gtest/gtest.h>

namespace chorus::api {
namespace {

// Rows of cells, with a flag per cell for whether it was quoted (to tell "" from an empty cell).
struct Cell {
  std::string text;
  bool quoted = false;
};

std::vector<std::vector<Cell>> parse_csv(std::string_view s) {
  std::vector<std::vector<Cell>> rows(1, std::vector<Cell>(1));
  bool in_quotes = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    auto& cell = rows.back().back();
    if (in_quotes) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        cell.text += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        cell.text += c;
      }
    } else if (c == '"') {
      in_quotes = true;
      cell.quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      ++i;
      rows.emplace_back(1);
    } else {
      cell.text += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].text.empty() && !rows.back()[0].quoted) rows.pop_back();
  return rows;
}

std::size_t column(const std::vector<Cell>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i].text == name) return i;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST(CsvExport, EveryFieldRoundTripsWithQuotingAndNulls) {
  FeedbackRecord r;
  r.unique_identifier = -3161350398033114604;
  r.workspace_id = 1;
  r.source_id = 3;
  r.source_type = "discourse";
  r.text = "Line one, with a comma\r\nline \"two\"\nand a third";
  r.title = "";
  r.rating = 4.5;
  r.themes = {"sync", "data loss"};
  r.sentiment_compound = -0.3125;
  r.url = "https://example.com/t/1";
  r.extra["tags"] = json::array{"a", "b"};
  r.timestamp = *parse_time("2026-03-10T08:00:00Z");
  std::string csv = csv_header();
  append_csv_row(csv, r);
  FeedbackRecord bare;
  bare.unique_identifier = 7;
  append_csv_row(csv, bare);

  auto rows = parse_csv(csv);
  ASSERT_EQ(rows.size(), 3u);
  const auto& header = rows[0];
  ASSERT_EQ(rows[1].size(), header.size());
  ASSERT_EQ(rows[2].size(), header.size());
  const auto& row = rows[1];
  EXPECT_EQ(row[column(header, "unique_identifier")].text, "-3161350398033114604");
  EXPECT_EQ(row[column(header, "conversation_attributes.text")].text, r.text);
  EXPECT_EQ(row[column(header, "conversation_attributes.themes")].text, R"(["sync","data loss"])");
  EXPECT_EQ(row[column(header, "conversation_attributes.sentiment_compound")].text, "-0.3125");
  EXPECT_EQ(row[column(header, "review_attributes.rating")].text, "4.5");
  EXPECT_EQ(row[column(header, "metadata_attributes.url")].text, "https://example.com/t/1");
  EXPECT_EQ(row[column(header, "metadata_attributes.extra")].text, R"({"tags":["a","b"]})");
  EXPECT_EQ(row[column(header, "context_info.timestamp")].text, "2026-03-10T08:00:00Z");
  // An empty title is "", a missing one is an empty cell.
  EXPECT_TRUE(row[column(header, "review_attributes.title")].quoted);
  EXPECT_EQ(row[column(header, "review_attributes.title")].text, "");
  EXPECT_FALSE(rows[2][column(header, "review_attributes.title")].quoted);
  EXPECT_EQ(rows[2][column(header, "user_attributes.email")].text, "");
  EXPECT_EQ(rows[2][column(header, "metadata_attributes.extra")].text, "");
}

TEST(CsvExport, FormatNames) {
  EXPECT_EQ(parse_export_format("csv"), ExportFormat::csv);
  EXPECT_EQ(parse_export_format("jsonl"), ExportFormat::jsonl);
  EXPECT_FALSE(parse_export_format("xml"));
}

}  // namespace
}  // namespace chorus::api
