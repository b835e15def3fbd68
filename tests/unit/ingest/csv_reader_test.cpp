// CsvReader: RFC 4180 quoting, line endings, a BOM, and clear errors for broken files.
#include <gtest/gtest.h>

#include <sstream>

#include "ingest/csv_reader.hpp"

namespace chorus::ingest {
namespace {

std::vector<json::object> read_all(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  EXPECT_TRUE(reader.read_header());
  std::vector<json::object> rows;
  for (;;) {
    auto row = reader.next();
    EXPECT_TRUE(row) << (row ? "" : row.error().message);
    if (!row || !*row) break;
    rows.push_back(**row);
  }
  return rows;
}

TEST(CsvReader, ReadsQuotedFieldsDoubledQuotesAndNewlines) {
  auto rows = read_all("\xEF\xBB\xBFid,text,rating\r\n1,\"Sync \"\"fails\"\", again\",2\r\n2,\"multi\nline\",5\n\n3,plain,\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("id"), "1");
  EXPECT_EQ(rows[0].at("text"), "Sync \"fails\", again");
  EXPECT_EQ(rows[1].at("text"), "multi\nline");
  EXPECT_EQ(rows[2].at("rating"), "");
}

TEST(CsvReader, ReportsBrokenRowsByNumber) {
  std::istringstream in("id,text\n1,ok\n2,too,many\n");
  CsvReader reader(in);
  ASSERT_TRUE(reader.read_header());
  EXPECT_TRUE(reader.next());
  auto bad = reader.next();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("3 fields but the header has 2"), std::string::npos) << bad.error().message;

  std::istringstream open_quote("id,text\n1,\"never closed\n");
  CsvReader unterminated(open_quote);
  ASSERT_TRUE(unterminated.read_header());
  auto err = unterminated.next();
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message.find("unterminated"), std::string::npos);

  std::istringstream empty("");
  CsvReader nothing(empty);
  EXPECT_FALSE(nothing.read_header());
}

}  // namespace
}  // namespace chorus::ingest
