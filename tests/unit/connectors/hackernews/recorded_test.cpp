// Hacker News on recorded payloads (tests/fixtures/hackernews/recorded/SOURCE.md): real Algolia answers
// mapped, synced through the fake API, and pushed; config.tags means the same on both paths.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "connectors/hackernews/hackernews_connector.hpp"
#include "support/fake_algolia.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "hackernews" / "recorded";

SourceSettings settings(json::object config) {
  json::object creds;
  if (auto st = validate_fields(hackernews::connector(), config, creds); !st) ADD_FAILURE() << st.error().message;
  SourceSettings s;
  s.type = "hackernews";
  s.config = std::move(config);
  return s;
}

TEST(HackerNewsRecorded, ARealAnswerMapsWithItsHtmlDecoded) {
  auto answer = testing::read_fixture(kRecorded / "search_by_date_comment_apple.json");
  ASSERT_EQ(answer.at("hits").as_array().size(), 1u);
  auto m = hackernews::connector().map(answer.at("hits").as_array()[0], settings(json::object{{"query", "apple"}}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "7919418");
  EXPECT_EQ(m->source_info, "HackerNewsComment");
  EXPECT_EQ(m->format, MappedItem::Format::html);
  EXPECT_EQ(m->username, "fleitz");
  EXPECT_EQ(m->url, "https://news.ycombinator.com/item?id=7919418");
  EXPECT_EQ(m->timestamp, parse_time("2014-06-20T03:32:34.000Z"));
  EXPECT_EQ(m->extra.at("story_id"), json::value(7918547));
  EXPECT_TRUE(has_text_to_analyse(*m));
}

TEST(HackerNewsRecorded, EveryRecordedHitMapsAndStoriesAreReadWithTheirTitles) {
  auto hits = testing::read_fixture(kRecorded / "hits.json").as_array();
  ASSERT_EQ(hits.size(), 9u);
  auto all = settings(json::object{{"query", "x"}, {"tags", "(story,comment,poll)"}});
  for (const auto& hit : hits) {
    auto a = admit_item(hackernews::connector(), hit, all);
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_TRUE(a->item) << *get_string(hit, "objectID") << " skipped: " << a->skipped;
    if (a->item->source_info == "HackerNewsStory") {
      ASSERT_TRUE(a->item->title) << a->item->external_id;
      EXPECT_NE(a->item->text.find(*a->item->title), std::string::npos) << a->item->external_id;
    }
  }
}

TEST(HackerNewsRecorded, TheTagsSettingMeansTheSameOnSyncAndPush) {
  // The default, (story,comment), leaves polls out: Algolia does it for a sync, the connector for a push.
  testing::FakeAlgolia fake(kRecorded);
  // "a": a query every recorded hit matches, so that only the tags decide.
  json::object config{{"query", "a"}, {"base_url", fake.base_url()}};
  json::object creds;
  ASSERT_TRUE(validate_fields(hackernews::connector(), config, creds));
  testing::SyncHarness h(hackernews::connector(), config);
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  std::set<std::string> synced;
  for (const auto& item : h.admitted().kept) synced.insert(*get_string(item, "objectID"));

  std::set<std::string> pushed;
  std::map<std::string, int> skipped;
  const json::value list = testing::read_fixture(kRecorded / "hits.json");
  for (const auto& hit : list.as_array()) {
    auto a = admit_item(hackernews::connector(), hit, h.source);
    ASSERT_TRUE(a) << a.error().message;
    if (a->item)
      pushed.insert(a->item->external_id);
    else
      ++skipped[a->skipped];
  }
  EXPECT_EQ(skipped, (std::map<std::string, int>{{"tags", 3}}));  // the three recorded polls
  EXPECT_FALSE(synced.contains("6604931"));                      // "Poll: Which iPad(s) do you use?"
  EXPECT_EQ(synced.size(), 6u);
  EXPECT_EQ(synced, pushed);
}

}  // namespace
}  // namespace chorus::connectors
