// App Store on a recorded feed (tests/fixtures/appstore/recorded/SOURCE.md): every entry of a real
// Japanese reviews page maps, with its rating, title and text read from Apple's label objects.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "appstore" / "recorded";

TEST(AppStoreRecorded, EveryEntryOfARealFeedPageMaps) {
  const Connector& connector = *find_connector("appstore");
  SourceSettings source;
  source.type = "appstore";
  source.config = json::object{{"app_id", "1404176564"}, {"country", "jp"}};
  auto feed = testing::read_fixture(kRecorded / "reviews_jp.json");
  const auto& entries = find_path(feed, "feed.entry")->as_array();
  ASSERT_EQ(entries.size(), 50u);
  for (const auto& entry : entries) {
    auto m = connector.map(entry, source);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->external_id, *get_string(*find_path(entry, "id"), "label"));
    ASSERT_TRUE(m->rating);
    EXPECT_GE(*m->rating, 1.0);
    EXPECT_LE(*m->rating, 5.0);
    EXPECT_TRUE(m->title);
    EXPECT_TRUE(m->text.starts_with(*m->title)) << m->text;
  }
  auto first = connector.map(entries[0], source);
  EXPECT_EQ(first->external_id, "6290024630");
  EXPECT_EQ(first->rating, 4.0);
  EXPECT_EQ(first->title, "神アプリ");
  EXPECT_EQ(first->username, "ヤミ。");
  EXPECT_EQ(first->text.rfind("神アプリ\n\nとにかく周りの人皆んなが暖かく", 0), 0u);
  EXPECT_NE(first->text.find("\n面白い人がたくさんいる"), std::string::npos);
  EXPECT_EQ(first->extra.at("app_version"), json::value("3.4.3"));
}

}  // namespace
}  // namespace chorus::connectors
