// Reddit on recorded payloads (tests/fixtures/reddit/recorded/SOURCE.md): real AskReddit posts (most of them
// a title alone) and comments, mapped and synced through the fake API with `after` paging.
#include <gtest/gtest.h>

#include <set>

#include "connectors/reddit/reddit_connector.hpp"
#include "support/fake_reddit.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "reddit" / "recorded";

SourceSettings askreddit() {
  SourceSettings s;
  s.type = "reddit";
  s.config = json::object{{"subreddit", "AskReddit"}};
  return s;
}

TEST(RedditRecorded, RealPostsMapAndATitleOnlyPostIsItsTitle) {
  auto posts = testing::read_fixture(kRecorded / "posts.json");
  ASSERT_EQ(posts.as_array().size(), 25u);
  int title_only = 0;
  for (const auto& child : posts.as_array()) {
    auto m = reddit::connector().map(child, askreddit());
    ASSERT_TRUE(m) << m.error().message;
    const auto& data = child.as_object().at("data");
    EXPECT_EQ(m->external_id, *get_string(data, "name"));
    EXPECT_EQ(m->source_info, "RedditPost");
    EXPECT_EQ(m->title, get_string(data, "title"));
    EXPECT_FALSE(m->text.empty());
    ASSERT_TRUE(m->url);
    EXPECT_TRUE(m->url->starts_with("https://www.reddit.com/r/AskReddit/comments/")) << *m->url;
    if (get_string(data, "selftext").value_or("").empty()) {
      ++title_only;
      EXPECT_EQ(m->text, *m->title);
    }
  }
  EXPECT_EQ(title_only, 24);
  auto first = reddit::connector().map(posts.as_array()[0], askreddit());
  EXPECT_EQ(first->external_id, "t3_48fbm9");
  EXPECT_EQ(first->text, "[Serious] Parents of Reddit, what's the biggest lie about yourself you've told your kids?");
  EXPECT_EQ(first->username, "RedHeadQc");
  EXPECT_EQ(first->timestamp, TimeMs{1456821458000});
}

TEST(RedditRecorded, RealCommentsMap) {
  auto comments = testing::read_fixture(kRecorded / "comments.json");
  for (const auto& child : comments.as_array()) {
    auto m = reddit::connector().map(child, askreddit());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->source_info, "RedditComment");
    EXPECT_FALSE(m->title);
    EXPECT_FALSE(m->text.empty());
  }
  auto first = reddit::connector().map(comments.as_array()[0], askreddit());
  EXPECT_EQ(first->external_id, "t1_d4y8bdp");
  EXPECT_EQ(first->text, "great, life is so much better when you can do what you enjoy for a living");
}

TEST(RedditRecorded, SyncPagesThroughTheRealListings) {
  testing::FakeReddit fake(kRecorded, "AskReddit");
  fake.set_max_limit(10);
  json::object config{{"subreddit", "AskReddit"},
                      {"base_url", fake.base_url()},
                      {"include_comments", true},
                      {"since", "2016-01-01T00:00:00Z"}};
  json::object creds{{"access_token", "reddit-token-0001"}};
  ASSERT_TRUE(validate_fields(reddit::connector(), config, creds));
  testing::SyncHarness h(reddit::connector(), std::move(config), std::move(creds));
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  std::set<std::string> names;
  for (const auto& item : h.admitted().kept) names.insert(*get_string(*find_path(item, "data"), "name"));
  EXPECT_EQ(names.size(), 50u);
  EXPECT_TRUE(names.contains("t3_48fbm9"));
  EXPECT_TRUE(names.contains("t1_d4y8bdp"));
}

}  // namespace
}  // namespace chorus::connectors
