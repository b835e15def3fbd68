// GitHub webhooks: issues and issue_comment deliveries carry their item; pull requests, deletions, pings
// and other events bring nothing; settings are validated.
#include <gtest/gtest.h>

#include "connectors/github/github_connector.hpp"
#include "ingest/webhook_scheme.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "github";

http::Headers event(std::string name) {
  http::Headers h;
  h.set("X-GitHub-Event", std::move(name));
  h.set("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
  return h;
}

class GitHubWebhook : public ::testing::Test {
 protected:
  GitHubWebhook() {
    source.type = "github";
    source.config =
        json::object{{"repo", "octo-org/octo-app"}, {"include_comments", true}, {"include_pull_requests", false}};
  }
  SourceSettings source;
  const Connector& connector = github::connector();
};

TEST_F(GitHubWebhook, IssueOpenedCarriesTheIssue) {
  auto body = testing::read_fixture(kFixtures / "webhook_issues_opened.json");
  auto out = connector.from_webhook(event("issues"), body, source);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(out->fetch);
  ASSERT_EQ(out->items.size(), 1u);
  EXPECT_EQ(get_string(out->items[0], "number"), "109");
  auto m = connector.map(out->items[0], source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->external_id, "issue:2101000109");
}

TEST_F(GitHubWebhook, CommentCreatedCarriesTheComment) {
  auto body = testing::read_fixture(kFixtures / "webhook_issue_comment_created.json");
  auto out = connector.from_webhook(event("issue_comment"), body, source);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->items.size(), 1u);
  auto m = connector.map(out->items[0], source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->source_info, "GitHubIssueComment");
  EXPECT_EQ(m->text, "Fixed for me in 3.2.1, thank you!");
}

TEST_F(GitHubWebhook, TheEventIsInferredWithoutItsHeader) {
  auto body = testing::read_fixture(kFixtures / "webhook_issue_comment_created.json");
  auto out = connector.from_webhook(http::Headers{}, body, source);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->items.size(), 1u);
  EXPECT_EQ(get_string(out->items[0], "id"), "3300000208");
}

// The delivery carries the comment; whether it becomes a record is the settings' business, asked of the
// item as of a synced or pushed one (admit_item), and the reason is counted.
TEST_F(GitHubWebhook, PullRequestCommentsFollowTheSetting) {
  auto body = testing::read_fixture(kFixtures / "webhook_pull_request_comment.json");
  auto split = connector.from_webhook(event("issue_comment"), body, source);
  ASSERT_TRUE(split);
  ASSERT_EQ(split->items.size(), 1u);
  auto skipped = admit_item(connector, split->items[0], source);
  ASSERT_TRUE(skipped);
  EXPECT_FALSE(skipped->item);
  EXPECT_EQ(skipped->skipped, "pull_request");
  source.config["include_pull_requests"] = true;
  auto kept = admit_item(connector, split->items[0], source);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->item);
}

TEST_F(GitHubWebhook, CommentsOffMeansNoCommentItems) {
  source.config["include_comments"] = false;
  auto body = testing::read_fixture(kFixtures / "webhook_issue_comment_created.json");
  auto out = connector.from_webhook(event("issue_comment"), body, source);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->items.size(), 1u);
  auto admitted = admit_item(connector, out->items[0], source);
  ASSERT_TRUE(admitted);
  EXPECT_FALSE(admitted->item);
  EXPECT_EQ(admitted->skipped, "comment");
}

TEST_F(GitHubWebhook, DeletionsPingsAndOtherEventsBringNothing) {
  json::object deleted = testing::read_fixture(kFixtures / "webhook_issue_comment_created.json").as_object();
  deleted["action"] = "deleted";
  auto a = connector.from_webhook(event("issue_comment"), json::value(deleted), source);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->items.empty());
  json::value ping = json::object{{"zen", "Keep it logically awesome."}, {"hook_id", 12345678}};
  auto b = connector.from_webhook(event("ping"), ping, source);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->items.empty());
  auto c = connector.from_webhook(event("push"), json::object{{"ref", "refs/heads/main"}}, source);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->items.empty());
  EXPECT_FALSE(c->fetch);
}

TEST_F(GitHubWebhook, MalformedDeliveriesAreErrors) {
  EXPECT_FALSE(connector.from_webhook(event("issues"), json::array{}, source));
  auto no_issue = connector.from_webhook(event("issues"), json::object{{"action", "opened"}}, source);
  ASSERT_FALSE(no_issue);
  EXPECT_NE(no_issue.error().message.find("\"issue\""), std::string::npos);
}

TEST_F(GitHubWebhook, TheSchemeIsGitHubs) {
  ASSERT_EQ(connector.webhook_schemes().size(), 1u);
  EXPECT_EQ(connector.webhook_schemes()[0], "github");
  EXPECT_NE(ingest::find_webhook_scheme("github"), nullptr);
}

TEST(GitHubSettings, ValidatesRepoAndAppliesDefaults) {
  const Connector& c = github::connector();
  json::object config{{"repo", "octo-org/octo-app"}}, creds;
  ASSERT_TRUE(validate_fields(c, config, creds));
  EXPECT_EQ(config.at("include_comments"), json::value(true));
  EXPECT_EQ(config.at("include_pull_requests"), json::value(false));
  EXPECT_EQ(config.at("base_url"), json::value("https://api.github.com"));
  EXPECT_EQ(config.at("max_pages"), json::value(50));
  EXPECT_FALSE(config.contains("since"));

  for (const char* bad : {"octo-app", "octo/app/extra", "/app", "octo/", "octo org/app"}) {
    json::object cfg{{"repo", bad}}, cr;
    auto st = validate_fields(c, cfg, cr);
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().message, "config.repo must be owner/name, e.g. octo-org/octo-app");
  }
  json::object missing, cr;
  EXPECT_EQ(validate_fields(c, missing, cr).error().message, "config.repo is required");
  json::object bad_url{{"repo", "a/b"}, {"base_url", "ftp://x"}};
  EXPECT_FALSE(validate_fields(c, bad_url, cr));
  json::object bad_since{{"repo", "a/b"}, {"since", "last week"}};
  EXPECT_FALSE(validate_fields(c, bad_since, cr));
}

}  // namespace
}  // namespace chorus::connectors
