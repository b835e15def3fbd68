// Reddit mapping: posts and comments, removed texts and deleted authors, and settings validation.
#include <gtest/gtest.h>

#include "connectors/reddit/reddit_connector.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "reddit";

class RedditMapping : public ::testing::Test {
 protected:
  SourceSettings source;
  json::value posts = testing::read_fixture(kFixtures / "posts.json");
  json::value comments = testing::read_fixture(kFixtures / "comments.json");
  const Connector& connector = reddit::connector();
};

TEST_F(RedditMapping, Post) {
  auto m = connector.map(posts.as_array()[1], source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "t3_1t0a002");
  EXPECT_EQ(m->source_info, "RedditPost");
  EXPECT_EQ(m->title, "Feature request: shared budgets with my partner");
  EXPECT_TRUE(m->text.starts_with("Feature request: shared budgets with my partner\n\nIt would be great to share one budget"))
      << m->text;  // the title is read with the text
  EXPECT_EQ(m->format, MappedItem::Format::markdown);
  EXPECT_EQ(m->url, "https://www.reddit.com/r/tallybook/comments/1t0a002/feature_request_shared_budgets_with_my/");
  EXPECT_EQ(m->username, "budget_nerd");
  EXPECT_EQ(m->user_id, "t2_8a1b3d");
  EXPECT_EQ(m->timestamp, 1771933600500);  // created_utc 1771933600.5
  EXPECT_EQ(m->extra.at("subreddit"), json::value("tallybook"));
  EXPECT_EQ(m->extra.at("flair"), json::value("Feature Request"));
  EXPECT_EQ(m->extra.at("score"), json::value(87));
  EXPECT_EQ(m->extra.at("num_comments"), json::value(1));
  EXPECT_EQ(m->extra.at("upvote_ratio"), json::value(0.98));
  EXPECT_FALSE(m->extra.contains("link"));
}

TEST_F(RedditMapping, LinkPostAndRemovedPostAreTheirTitles) {
  auto link = connector.map(posts.as_array()[5], source);
  ASSERT_TRUE(link);
  EXPECT_EQ(link->text, "Review: Tallybook vs spreadsheets after one year");
  EXPECT_EQ(link->extra.at("link"), json::value("https://blog.example.org/tallybook-one-year"));
  auto removed = connector.map(posts.as_array()[4], source);
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->text, "Price increase is too much");
  EXPECT_FALSE(removed->username);  // "[deleted]"
  EXPECT_FALSE(removed->user_id);
}

TEST_F(RedditMapping, Comment) {
  auto m = connector.map(comments.as_array()[2], source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "t1_kq0b003");
  EXPECT_EQ(m->source_info, "RedditComment");
  EXPECT_FALSE(m->title);
  EXPECT_EQ(m->text, "It wants semicolons, not commas. Open the CSV in a text editor and replace them.");
  EXPECT_EQ(m->url, "https://www.reddit.com/r/tallybook/comments/1t0a003/how_do_i_import_my_bank/kq0b003/");
  EXPECT_EQ(m->extra.at("link_id"), json::value("t3_1t0a003"));
  EXPECT_EQ(m->extra.at("parent_id"), json::value("t3_1t0a003"));
  EXPECT_EQ(m->extra.at("link_title"), json::value("How do I import my bank CSV?"));
  EXPECT_EQ(m->extra.at("edited"), json::value(false));
}

TEST_F(RedditMapping, DataAloneMapsToo) {
  auto m = connector.map(comments.as_array()[0].as_object().at("data"), source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->source_info, "RedditComment");
  auto bad = connector.map(json::object{{"kind", "t5"}, {"data", json::object{{"name", "t5_7xk2q"}}}}, source);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("t5"), std::string::npos);
  EXPECT_FALSE(connector.map(json::object{{"data", json::object{}}}, source));
}

TEST(RedditSettings, SubredditNamesAndTheToken) {
  EXPECT_EQ(reddit::subreddit_name("r/Tallybook/"), "Tallybook");
  EXPECT_EQ(reddit::subreddit_name("/r/tallybook"), "tallybook");
  EXPECT_EQ(reddit::subreddit_name("tally book"), "");
  EXPECT_EQ(reddit::subreddit_name("x"), "");
  const Connector& c = reddit::connector();
  json::object config{{"subreddit", "tallybook"}}, creds{{"access_token", "t"}};
  ASSERT_TRUE(validate_fields(c, config, creds));
  EXPECT_EQ(config.at("include_comments"), json::value(false));
  EXPECT_EQ(config.at("base_url"), json::value("https://oauth.reddit.com"));
  json::object no_token;
  json::object cfg{{"subreddit", "tallybook"}};
  EXPECT_EQ(validate_fields(c, cfg, no_token).error().message, "credentials.access_token is required");
  json::object bad{{"subreddit", "no spaces"}};
  EXPECT_NE(validate_fields(c, bad, creds).error().message.find("config.subreddit must be"), std::string::npos);
}

}  // namespace
}  // namespace chorus::connectors
