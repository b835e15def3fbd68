// The generic csv source: rows as `chorus import` sends them (JSON objects of strings keyed by the header
// row) mapped through config.fields.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "core/time.hpp"

namespace chorus::connectors {
namespace {

class CsvRows : public ::testing::Test {
 protected:
  CsvRows() {
    source.type = "csv";
    source.config = json::object{{"fields", json::object{{"id", "Response ID"},
                                                         {"text", "What could we do better?"},
                                                         {"timestamp", "Submitted At"},
                                                         {"author", "Name"},
                                                         {"rating", "Score (1-5)"},
                                                         {"title", "Topic"},
                                                         {"email", "customer.email"}}},
                                 {"metadata", json::object{{"region", "Region"}}}};
  }
  // A row the way CsvReader produces it: every cell a string.
  static json::object row(std::initializer_list<std::pair<const char*, const char*>> cells) {
    json::object out;
    for (auto [k, v] : cells) out[k] = v;
    return out;
  }
  const Connector& connector = *find_connector("csv");
  SourceSettings source;
};

TEST_F(CsvRows, CellsAreReadAsNumbersAndTimesWhereTheFieldNeedsThem) {
  auto m = connector.map(row({{"Response ID", "R_2"},
                              {"What could we do better?", "Faster support replies, please."},
                              {"Submitted At", "2026-03-02T08:14:03Z"},
                              {"Name", "Ines Duarte"},
                              {"Score (1-5)", "4"},
                              {"Topic", "Support"},
                              {"customer.email", "ines.duarte@example.com"},
                              {"Region", "EU"}}),
                         source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "R_2");
  EXPECT_EQ(m->text, "Faster support replies, please.");
  EXPECT_EQ(m->rating, 4.0);
  EXPECT_EQ(m->timestamp, parse_time("2026-03-02T08:14:03Z"));
  EXPECT_EQ(m->username, "Ines Duarte");
  EXPECT_EQ(m->title, "Support");
  // A header with a dot in it is a column name, not a path.
  EXPECT_EQ(m->email, "ines.duarte@example.com");
  EXPECT_EQ(m->extra.at("region"), "EU");
  EXPECT_EQ(m->source_info, "CsvRow");
}

TEST_F(CsvRows, EmptyCellsAreAbsentAndEpochSecondsAreTimes) {
  auto m = connector.map(row({{"Response ID", "R_3"},
                              {"What could we do better?", "Nothing, great job"},
                              {"Submitted At", "1772449200"},
                              {"Name", ""},
                              {"Score (1-5)", ""},
                              {"Topic", ""},
                              {"Region", ""}}),
                         source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->timestamp, std::int64_t{1772449200} * 1000);
  EXPECT_FALSE(m->username);
  EXPECT_FALSE(m->rating);
  EXPECT_FALSE(m->title);
  EXPECT_FALSE(m->extra.contains("region"));
}

TEST_F(CsvRows, BadCellsAreNamedByColumn) {
  auto rating = connector.map(
      row({{"Response ID", "R_4"}, {"What could we do better?", "x"}, {"Score (1-5)", "4 stars"}}), source);
  ASSERT_FALSE(rating);
  EXPECT_EQ(rating.error().message, "the rating at \"Score (1-5)\" must be a number (got \"4 stars\")");
  auto when = connector.map(
      row({{"Response ID", "R_5"}, {"What could we do better?", "x"}, {"Submitted At", "03/02/2026"}}), source);
  ASSERT_FALSE(when);
  EXPECT_EQ(when.error().message,
            "the timestamp at \"Submitted At\" must be an ISO-8601 time or epoch seconds (got \"03/02/2026\")");
  auto no_column = connector.map(row({{"Response ID", "R_6"}}), source);
  ASSERT_FALSE(no_column);
  EXPECT_EQ(no_column.error().message, "item R_6 has no text at \"What could we do better?\" (config.fields.text)");
  auto no_id = connector.map(row({{"What could we do better?", "x"}}), source);
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().message, "item has no id at \"Response ID\" (config.fields.id)");
}

TEST_F(CsvRows, SourceInfoCanBeSet) {
  source.config["source_info"] = "QualtricsExport";
  auto m = connector.map(row({{"Response ID", "R_7"}, {"What could we do better?", "ok"}}), source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->source_info, "QualtricsExport");
}

}  // namespace
}  // namespace chorus::connectors
