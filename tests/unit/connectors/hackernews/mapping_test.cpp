// Hacker News mapping: comments and stories from Algolia hits, and settings validation.
#include <gtest/gtest.h>

#include "connectors/hackernews/hackernews_connector.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "hackernews";

const json::value& hit(const json::value& hits, std::string_view id) {
  for (const auto& h : hits.as_array())
    if (h.as_object().at("objectID").as_string() == id) return h;
  throw std::runtime_error("no hit " + std::string(id));
}

TEST(HackerNewsMapping, Comment) {
  json::value hits = testing::read_fixture(kFixtures / "hits.json");
  SourceSettings source;
  auto m = hackernews::connector().map(hit(hits, "43100017"), source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "43100017");
  EXPECT_EQ(m->source_info, "HackerNewsComment");
  EXPECT_EQ(m->format, MappedItem::Format::html);
  EXPECT_NE(m->text.find("doesn&#x27;t"), std::string::npos);  // entities decoded later, by the NLP stage
  EXPECT_FALSE(m->title);
  EXPECT_EQ(m->url, "https://news.ycombinator.com/item?id=43100017");
  EXPECT_EQ(m->username, "kpatel");
  EXPECT_EQ(m->timestamp, parse_time("2026-02-24T11:00:00Z"));
  EXPECT_EQ(m->extra.at("story_id"), json::value(43100001));
  EXPECT_EQ(m->extra.at("parent_id"), json::value(43100010));
  EXPECT_EQ(m->extra.at("story_title"), json::value("Show HN: Tallybook – plain-text budgets that sync everywhere"));
  EXPECT_EQ(m->extra.at("link"), json::value("https://tallybook.example/"));
  EXPECT_EQ(m->extra.at("tags"), json::value(json::array{"comment"}));
  EXPECT_FALSE(m->extra.contains("points"));  // null on comments
}

TEST(HackerNewsMapping, StoriesWithAndWithoutText) {
  json::value hits = testing::read_fixture(kFixtures / "hits.json");
  SourceSettings source;
  auto ask = hackernews::connector().map(hit(hits, "43100040"), source);
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->source_info, "HackerNewsStory");
  EXPECT_EQ(ask->title, "Ask HN: Anyone else losing data with Tallybook 2.0?");
  // The title is read with the story's text, as its first paragraph.
  EXPECT_TRUE(ask->text.starts_with("<p>Ask HN: Anyone else losing data with Tallybook 2.0?</p>After upgrading"))
      << ask->text;
  EXPECT_EQ(ask->extra.at("points"), json::value(58));
  EXPECT_EQ(ask->extra.at("num_comments"), json::value(3));
  EXPECT_EQ(ask->extra.at("tags"), json::value(json::array{"story", "ask_hn"}));

  auto link = hackernews::connector().map(hit(hits, "43100200"), source);
  ASSERT_TRUE(link);
  EXPECT_EQ(link->text, "Tallybook's new receipt scanner is surprisingly accurate");  // a link story is its title
  EXPECT_EQ(link->extra.at("link"), json::value("https://blog.example.org/receipt-scanner"));
  EXPECT_EQ(link->timestamp, parse_time("2026-02-26T10:00:00Z"));  // "Z" without milliseconds
}

TEST(HackerNewsMapping, RejectsHitsWithoutAnId) {
  SourceSettings source;
  auto m = hackernews::connector().map(json::object{{"title", "x"}}, source);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "hackernews hit has no objectID");
}

TEST(HackerNewsSettings, QueryRequiredDefaultsApplied) {
  const Connector& c = hackernews::connector();
  json::object config{{"query", "tallybook"}}, creds;
  ASSERT_TRUE(validate_fields(c, config, creds));
  EXPECT_EQ(config.at("tags"), json::value("(story,comment)"));
  EXPECT_EQ(config.at("base_url"), json::value("https://hn.algolia.com/api/v1"));
  EXPECT_EQ(config.at("hits_per_page"), json::value(100));
  json::object missing;
  EXPECT_EQ(validate_fields(c, missing, creds).error().message, "config.query is required");
  json::object big{{"query", "x"}, {"hits_per_page", 5000}};
  EXPECT_EQ(validate_fields(c, big, creds).error().message, "config.hits_per_page must be between 1 and 1000");
  json::object fast{{"query", "x"}, {"concurrency", 64}};
  EXPECT_FALSE(validate_fields(c, fast, creds));
  EXPECT_TRUE(c.credential_fields().empty());
  EXPECT_TRUE(c.webhook_schemes().empty());
}

}  // namespace
}  // namespace chorus::connectors
