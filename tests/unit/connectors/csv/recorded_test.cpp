// The csv source on a file in the Google Play Console's review export layout (tests/fixtures/csv/SOURCE.md,
// written by hand): read as `chorus import` reads it, mapped by config.fields; the star-only row has no
// text and becomes no record.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "connectors/connector.hpp"
#include "ingest/csv_reader.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFile = std::filesystem::path(CHORUS_FIXTURES) / "csv" / "play_console_reviews.csv";

TEST(CsvExport, PlayConsoleRowsMapAndTheStarOnlyRowIsSkippedForWantOfText) {
  const Connector& csv = *find_connector("csv");
  json::object config{{"fields", json::object{{"id", "Review Link"},
                                              {"text", "Review Text"},
                                              {"title", "Review Title"},
                                              {"rating", "Star Rating"},
                                              {"timestamp", "Review Submit Date and Time"}}},
                      {"metadata", json::object{{"language", "Reviewer Language"}, {"app_version", "App Version Name"}}}};
  json::object creds;
  ASSERT_TRUE(validate_fields(csv, config, creds));
  SourceSettings source;
  source.type = "csv";
  source.config = config;

  std::ifstream in(kFile, std::ios::binary);
  ASSERT_TRUE(in) << kFile;
  ingest::CsvReader reader(in);
  ASSERT_TRUE(reader.read_header());
  std::vector<MappedItem> kept;
  std::vector<std::string> skipped;
  for (;;) {
    auto row = reader.next();
    ASSERT_TRUE(row) << row.error().message;
    if (!*row) break;
    auto a = admit_item(csv, json::value(**row), source);
    ASSERT_TRUE(a) << a.error().message;
    if (a->item)
      kept.push_back(std::move(*a->item));
    else
      skipped.push_back(a->skipped);
  }
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(skipped, std::vector<std::string>{"no_text"});
  EXPECT_EQ(kept[1].text, "Finally an expense tracker that exports clean CSVs, \"just works\" for my accountant.");
  EXPECT_EQ(kept[1].title, "Finally");
  EXPECT_EQ(kept[1].rating, 5.0);
  EXPECT_EQ(kept[2].text, "Perdi duas semanas de lançamentos depois de trocar de telemóvel.\nO backup não restaurou nada.");
  EXPECT_EQ(kept[2].timestamp, parse_time("2026-11-04T06:31:20Z"));
  EXPECT_EQ(kept[0].extra.at("language"), json::value("en"));
}

}  // namespace
}  // namespace chorus::connectors
