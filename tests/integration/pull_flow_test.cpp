// End to end over real HTTP for the pull connectors: each fake API in its real shape, Chorus with every
// role, and the path from a SourceSpec to records with the right source_info, ratings, titles and
// metadata; incremental second syncs; and a signed GitHub webhook landing on the record a sync made.
#include "core/secrets.hpp"
#include "integration/harness.hpp"
#include "support/fake_algolia.hpp"
#include "support/fake_appstore.hpp"
#include "support/fake_github.hpp"
#include "support/fake_googleplay.hpp"
#include "support/fake_reddit.hpp"

namespace chorus::testing {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES);

class PullFlow : public WorkspaceFixture {
 protected:

  std::vector<json::value> records(const std::string& src) {
    std::vector<json::value> out;
    std::string cursor;
    do {
      auto r = api().get(
          "/v1/workspaces/" + ws_ + "/feedback?limit=100&source=" + src + (cursor.empty() ? "" : "&cursor=" + cursor),
          key_);
      EXPECT_EQ(r.status, 200) << r.raw;
      for (const auto& it : r.body.at("items").as_array()) out.push_back(it);
      cursor = str(r.body, "next_cursor");
      if (cursor == "null") cursor.clear();
    } while (!cursor.empty());
    return out;
  }

  const json::value* record(const std::vector<json::value>& all, const std::string& external_id) {
    for (const auto& r : all)
      if (str(r, "metadata_attributes.external_id") == external_id) return &r;
    return nullptr;
  }

  // Syncs, waits for the parser, then syncs again: the second finds nothing new.
  void sync_twice(const std::string& src, std::size_t expected) {
    auto first = sync_and_wait(src);
    ASSERT_EQ(str(first, "state"), "done") << json::serialize(first);
    EXPECT_EQ(num(first, "items"), static_cast<std::int64_t>(expected));
    ASSERT_TRUE(eventually([&] { return records(src).size() == expected; })) << records(src).size();
    auto second = sync_and_wait(src);
    ASSERT_EQ(str(second, "state"), "done") << json::serialize(second);
    EXPECT_EQ(num(second, "items"), 0);
    auto source = api().get("/v1/workspaces/" + ws_ + "/sources/" + src, key_);
    EXPECT_EQ(str(source.body, "status.state"), "ok");
    EXPECT_EQ(num(source.body, "status.items_total"), static_cast<std::int64_t>(expected));
    EXPECT_NE(str(source.body, "status.cursor"), "null");
  }
};

TEST_F(PullFlow, GitHubIssuesAndCommentsThenASignedWebhook) {
  FakeGitHub github(kFixtures / "github");
  github.require_token("ghp_flowtoken");
  const std::string secret = "gh-webhook-secret";
  std::string src =
      add_source(json::object{{"type", "github"},
                              {"name", "App issues"},
                              {"config", json::object{{"repo", "octo-org/octo-app"}, {"base_url", github.base_url()}}},
                              {"credentials", json::object{{"token", "ghp_flowtoken"}}},
                              {"webhook", json::object{{"scheme", "github"}, {"secret", secret}}}});
  sync_twice(src, 12);
  auto all = records(src);
  const json::value* issue = record(all, "issue:2101000101");
  ASSERT_NE(issue, nullptr);
  EXPECT_EQ(str(*issue, "core_attributes.source_info"), "GitHubIssue");
  EXPECT_EQ(str(*issue, "review_attributes.title"), "Sync stops after the 3.2 update");
  EXPECT_EQ(str(*issue, "user_attributes.username"), "mara-k");
  EXPECT_EQ(str(*issue, "metadata_attributes.url"), "https://github.com/octo-org/octo-app/issues/101");
  EXPECT_EQ(str(*issue, "conversation_attributes.text").find("**"), std::string::npos);  // markdown stripped
  const json::value* comment = record(all, "issue_comment:3300000201");
  ASSERT_NE(comment, nullptr);
  EXPECT_EQ(str(*comment, "core_attributes.source_info"), "GitHubIssueComment");

  // An issue_comment delivery for the comment the sync stored: still one record, with the new text.
  json::value payload = read_fixture(kFixtures / "github" / "webhook_issue_comment_created.json");
  payload.as_object()["comment"].as_object()["id"] = 3300000201;
  payload.as_object()["comment"].as_object()["body"] = "Edited: fixed for me in 3.2.1.";
  std::string body = json::serialize(payload);
  auto hook = [&](const std::string& signature) {
    return api().call(
        "POST", "/v1/hooks/" + src, "", body,
        {{"X-GitHub-Event", "issue_comment"}, {"X-GitHub-Delivery", "d1"}, {"X-Hub-Signature-256", signature}});
  };
  EXPECT_EQ(hook("sha256=" + std::string(64, '0')).status, 401);
  EXPECT_EQ(hook("sha256=" + to_hex(hmac_sha256_raw(secret, body))).status, 202);
  std::string text;
  ASSERT_TRUE(eventually([&] {
    auto now = records(src);
    const json::value* r = record(now, "issue_comment:3300000201");
    text = r ? str(*r, "conversation_attributes.text") : "";
    return text == "Edited: fixed for me in 3.2.1.";
  })) << text;
  EXPECT_EQ(records(src).size(), 12u);
}

TEST_F(PullFlow, HackerNewsSearch) {
  FakeAlgolia hn(kFixtures / "hackernews");
  std::string src =
      add_source(json::object{{"type", "hackernews"},
                              {"name", "HN mentions"},
                              {"config", json::object{{"query", "tallybook"}, {"base_url", hn.base_url()}}}});
  sync_twice(src, 12);
  auto all = records(src);
  const json::value* c = record(all, "43100017");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(str(*c, "core_attributes.source_info"), "HackerNewsComment");
  EXPECT_NE(str(*c, "conversation_attributes.text").find("doesn't"), std::string::npos);  // entity decoded
  const json::value* s = record(all, "43100040");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(str(*s, "core_attributes.source_info"), "HackerNewsStory");
  EXPECT_EQ(str(*s, "metadata_attributes.url"), "https://news.ycombinator.com/item?id=43100040");
}

TEST_F(PullFlow, RedditPostsAndComments) {
  FakeReddit reddit(kFixtures / "reddit");
  std::string src = add_source(json::object{
      {"type", "reddit"},
      {"name", "r/tallybook"},
      {"config", json::object{{"subreddit", "tallybook"}, {"include_comments", true}, {"base_url", reddit.base_url()}}},
      {"credentials", json::object{{"access_token", "reddit-token-0001"}}}});
  sync_twice(src, 14);
  auto all = records(src);
  const json::value* post = record(all, "t3_1t0a001");
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(str(*post, "core_attributes.source_info"), "RedditPost");
  EXPECT_EQ(str(*post, "review_attributes.title"), "Sync stopped after the 2.0 update");
  const json::value* comment = record(all, "t1_kq0b003");
  ASSERT_NE(comment, nullptr);
  EXPECT_EQ(str(*comment, "core_attributes.source_info"), "RedditComment");
}

TEST_F(PullFlow, AppStoreAndGooglePlayReviewsCarryRatings) {
  FakeAppStore appstore(kFixtures / "appstore");
  FakeGooglePlay play(kFixtures / "googleplay");
  std::string ios =
      add_source(json::object{{"type", "appstore"},
                              {"name", "iOS reviews"},
                              {"config", json::object{{"app_id", "1404176564"}, {"base_url", appstore.base_url()}}}});
  std::string android = add_source(
      json::object{{"type", "googleplay"},
                   {"name", "Android reviews"},
                   {"config", json::object{{"package_name", "com.tallybook.app"}, {"base_url", play.base_url()}}},
                   {"credentials", json::object{{"access_token", FakeGooglePlay::kToken}}}});
  sync_twice(ios, 10);
  sync_twice(android, 8);
  auto ios_records = records(ios);
  const json::value* review = record(ios_records, "11020300160");
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(str(*review, "core_attributes.source_info"), "AppStoreReview");
  EXPECT_EQ(num(*review, "review_attributes.rating"), 1);
  EXPECT_EQ(str(*review, "review_attributes.title"), "Lost two months of data");
  EXPECT_EQ(str(*review, "user_attributes.username"), "J. Okafor");
  auto android_records = records(android);
  const json::value* play_review = record(android_records, "gp:AOqpTOGm1xKc0b2");
  ASSERT_NE(play_review, nullptr);
  EXPECT_EQ(str(*play_review, "core_attributes.source_info"), "GooglePlayReview");
  EXPECT_EQ(num(*play_review, "review_attributes.rating"), 1);
  EXPECT_EQ(str(*play_review, "conversation_attributes.sentiment_type"), "negative");
}

}  // namespace
}  // namespace chorus::testing
