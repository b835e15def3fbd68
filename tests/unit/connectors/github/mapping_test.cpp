// GitHub issue and comment mapping: ids that cannot collide, text, title, user, labels and state.
#include <gtest/gtest.h>

#include "connectors/github/github_connector.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "github";

class GitHubMapping : public ::testing::Test {
 protected:
  GitHubMapping() {
    source.type = "github";
    source.config = json::object{{"repo", "octo-org/octo-app"}};
  }
  const json::value& issue(std::size_t i) { return issues.as_array().at(i); }
  const json::value& comment(std::size_t i) { return comments.as_array().at(i); }

  SourceSettings source;
  json::value issues = testing::read_fixture(kFixtures / "issues.json");
  json::value comments = testing::read_fixture(kFixtures / "comments.json");
  const Connector& connector = github::connector();
};

TEST_F(GitHubMapping, Issue) {
  auto m = connector.map(issue(0), source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "issue:2101000101");
  EXPECT_EQ(m->source_info, "GitHubIssue");
  EXPECT_EQ(m->title, "Sync stops after the 3.2 update");
  EXPECT_EQ(m->format, MappedItem::Format::markdown);
  EXPECT_NE(m->text.find("**3.2**"), std::string::npos);
  EXPECT_TRUE(m->text.starts_with("Sync stops after the 3.2 update\n\n")) << m->text;  // the title is read too
  EXPECT_EQ(m->url, "https://github.com/octo-org/octo-app/issues/101");
  EXPECT_EQ(m->username, "mara-k");
  EXPECT_EQ(m->user_id, "4410021");
  EXPECT_EQ(m->timestamp, parse_time("2026-02-10T08:15:00Z"));
  EXPECT_FALSE(m->rating);
  EXPECT_EQ(m->extra.at("number"), json::value(101));
  EXPECT_EQ(m->extra.at("state"), json::value("open"));
  EXPECT_EQ(m->extra.at("labels"), (json::value(json::array{"bug", "sync"})));
  EXPECT_EQ(m->extra.at("comments"), json::value(3));
  EXPECT_EQ(m->extra.at("reactions"), json::value(14));
  EXPECT_EQ(m->extra.at("repository"), json::value("octo-org/octo-app"));
  EXPECT_EQ(m->extra.at("pull_request"), json::value(false));
}

TEST_F(GitHubMapping, ClosedIssueAndPullRequest) {
  auto closed = connector.map(issue(4), source);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->extra.at("state"), json::value("closed"));
  EXPECT_EQ(closed->extra.at("state_reason"), json::value("completed"));
  auto pr = connector.map(issue(2), source);
  ASSERT_TRUE(pr);
  EXPECT_EQ(pr->extra.at("pull_request"), json::value(true));
  EXPECT_EQ(pr->extra.at("author_association"), json::value("MEMBER"));
}

TEST_F(GitHubMapping, AnIssueWithoutABodyIsItsTitle) {
  auto m = connector.map(issue(7), source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "Love the new calendar view");
  EXPECT_EQ(m->title, "Love the new calendar view");
}

TEST_F(GitHubMapping, Comment) {
  auto m = connector.map(comment(0), source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "issue_comment:3300000201");
  EXPECT_EQ(m->source_info, "GitHubIssueComment");
  EXPECT_EQ(m->text, "Same here on two Android phones, nothing syncs since yesterday.");
  EXPECT_FALSE(m->title);
  EXPECT_EQ(m->url, "https://github.com/octo-org/octo-app/issues/101#issuecomment-3300000201");
  EXPECT_EQ(m->username, "devon-ops");
  EXPECT_EQ(m->extra.at("issue_number"), json::value(101));
  EXPECT_EQ(m->extra.at("repository"), json::value("octo-org/octo-app"));
  EXPECT_EQ(m->extra.at("reactions"), json::value(5));
  EXPECT_EQ(m->extra.at("pull_request"), json::value(false));
  auto on_pr = connector.map(comment(3), source);
  ASSERT_TRUE(on_pr);
  EXPECT_EQ(on_pr->extra.at("pull_request"), json::value(true));
}

TEST_F(GitHubMapping, IssueAndCommentWithTheSameNumberStayApart) {
  json::object c = comment(0).as_object();
  c["id"] = 2101000101;
  auto a = connector.map(issue(0), source);
  auto b = connector.map(json::value(c), source);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->external_id, b->external_id);
}

TEST_F(GitHubMapping, AWholeWebhookPayloadMapsLikeItsItem) {
  auto payload = testing::read_fixture(kFixtures / "webhook_issue_comment_created.json");
  auto m = connector.map(payload, source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "issue_comment:3300000208");
  auto opened = testing::read_fixture(kFixtures / "webhook_issues_opened.json");
  auto i = connector.map(opened, source);
  ASSERT_TRUE(i);
  EXPECT_EQ(i->external_id, "issue:2101000109");
  EXPECT_EQ(i->title, "Attachments fail to upload over mobile data");
}

TEST_F(GitHubMapping, RejectsWhatIsNotAnItem) {
  EXPECT_FALSE(connector.map(json::value("text"), source));
  auto m = connector.map(json::value(json::object{{"title", "no id"}}), source);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "github item has no id");
}

}  // namespace
}  // namespace chorus::connectors
