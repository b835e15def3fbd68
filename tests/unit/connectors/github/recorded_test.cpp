// GitHub on recorded payloads (tests/fixtures/github/recorded/SOURCE.md): a real issues page with its pull
// requests synced through the fake API, and real webhook deliveries, mapped as the parser maps them.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>

#include "connectors/github/github_connector.hpp"
#include "support/fake_github.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "github" / "recorded";
constexpr const char* kRepo = "openframeworks/openFrameworks";

http::Headers event(std::string name) {
  http::Headers h;
  h.set("X-GitHub-Event", std::move(name));
  h.set("X-GitHub-Delivery", "d6a5b3c0-7723-11e9-8f9e-2a86e4085a59");
  return h;
}

SourceSettings settings(bool pull_requests) {
  SourceSettings s;
  s.type = "github";
  s.config = json::object{{"repo", kRepo}, {"include_comments", true}, {"include_pull_requests", pull_requests}};
  return s;
}

// The numbers of the issues a sync of the recorded page leaves as records, and how many it skips, by reason.
struct Pulled {
  std::set<std::string> numbers;
  std::map<std::string, int> skipped;
  std::size_t listed = 0;
};

Pulled pulled(bool pull_requests) {
  testing::FakeGitHub fake(kRecorded, kRepo, "1106185");
  fake.set_max_per_page(7);  // several pages, through GitHub's Link headers
  json::object config{{"repo", kRepo},
                      {"base_url", fake.base_url()},
                      {"include_comments", false},
                      {"include_pull_requests", pull_requests}};
  json::object creds;
  if (auto st = validate_fields(github::connector(), config, creds); !st) ADD_FAILURE() << st.error().message;
  testing::SyncHarness h(github::connector(), std::move(config), std::move(creds));
  auto r = h.sync();
  EXPECT_TRUE(r) << r.error().message;
  Pulled out;
  out.listed = h.sink.items().size();
  auto admitted = h.admitted();
  for (const auto& item : admitted.kept) out.numbers.insert(*get_string(item, "number"));
  out.skipped = admitted.skipped;
  return out;
}

// What a push of the same items keeps, as POST .../items admits them.
Pulled pushed(const json::array& items, bool pull_requests) {
  Pulled out;
  out.listed = items.size();
  for (const auto& item : items) {
    auto a = admit_item(github::connector(), item, settings(pull_requests));
    EXPECT_TRUE(a) << a.error().message;
    if (a && a->item)
      out.numbers.insert(*get_string(item, "number"));
    else if (a)
      ++out.skipped[a->skipped];
  }
  return out;
}

constexpr std::array<const char*, 7> kPullRequests{"6155", "6144", "6142", "6140", "6137", "6136", "6128"};

TEST(GitHubRecorded, EveryItemOfARealIssuesPageMaps) {
  auto page = testing::read_fixture(kRecorded / "issues.json");
  ASSERT_EQ(page.as_array().size(), 30u);
  int pulls = 0;
  for (const auto& item : page.as_array()) {
    auto m = github::connector().map(item, settings(true));
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->external_id, "issue:" + *get_string(item, "id"));
    EXPECT_EQ(m->extra.at("repository"), json::value(kRepo));
    EXPECT_TRUE(m->timestamp);
    EXPECT_TRUE(m->username);
    EXPECT_FALSE(m->text.empty());
    pulls += m->extra.at("pull_request").as_bool() ? 1 : 0;
  }
  EXPECT_EQ(pulls, 7);
}

TEST(GitHubRecorded, ALinkOnlyIssueKeepsItsTitle) {
  auto page = testing::read_fixture(kRecorded / "issues.json");
  const json::value* link_only = nullptr;
  for (const auto& item : page.as_array())
    if (get_string(item, "number") == "6147") link_only = &item;
  ASSERT_NE(link_only, nullptr);
  auto m = github::connector().map(*link_only, settings(false));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->title, "Rendering completely broken on macos 10.14");
  // What is analysed is the title and the body, not the link alone.
  EXPECT_EQ(m->text, "Rendering completely broken on macos 10.14\n\n" + *get_string(*link_only, "body"));
  EXPECT_EQ(m->url, "https://github.com/openframeworks/openFrameworks/issues/6147");
  EXPECT_EQ(m->timestamp, parse_time("2018-10-06T12:03:12Z"));
}

TEST(GitHubRecorded, SyncingTheRealPageLeavesPullRequestsOutUnlessAskedFor) {
  auto without = pulled(false);
  auto with = pulled(true);
  EXPECT_EQ(without.listed, 30u);  // the sync lists them all; the parser leaves the pull requests out
  EXPECT_EQ(without.numbers.size(), 23u);
  EXPECT_EQ(without.skipped, (std::map<std::string, int>{{"pull_request", 7}}));
  EXPECT_EQ(with.numbers.size(), 30u);
  EXPECT_TRUE(with.skipped.empty());
  for (const char* pr : kPullRequests) {
    EXPECT_FALSE(without.numbers.contains(pr)) << pr;
    EXPECT_TRUE(with.numbers.contains(pr)) << pr;
  }
  EXPECT_TRUE(without.numbers.contains("6147"));
}

TEST(GitHubRecorded, PushingTheRealPageMeetsTheSameRule) {
  const json::array page = testing::read_fixture(kRecorded / "issues.json").as_array();
  auto without = pushed(page, false);
  EXPECT_EQ(without.numbers, pulled(false).numbers);
  EXPECT_EQ(without.skipped, (std::map<std::string, int>{{"pull_request", 7}}));
  EXPECT_EQ(pushed(page, true).numbers.size(), 30u);
  // A pull request pushed as the whole webhook payload it came in is the same pull request.
  auto wrapped = admit_item(github::connector(),
                            testing::read_fixture(kRecorded / "webhook_issues_milestoned_pull_request.json"),
                            settings(false));
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_FALSE(wrapped->item);
  EXPECT_EQ(wrapped->skipped, "pull_request");
}

TEST(GitHubRecorded, RealIssueAndCommentDeliveriesCarryTheirItems) {
  auto opened = github::connector().from_webhook(
      event("issues"), testing::read_fixture(kRecorded / "webhook_issues_opened.json"), settings(false));
  ASSERT_TRUE(opened) << opened.error().message;
  ASSERT_EQ(opened->items.size(), 1u);
  auto issue = github::connector().map(opened->items[0], settings(false));
  ASSERT_TRUE(issue);
  EXPECT_EQ(issue->external_id, "issue:444500041");
  EXPECT_EQ(issue->title, "Spelling error in the README file");
  EXPECT_TRUE(issue->text.starts_with("Spelling error in the README file\n\nIt looks like you accidently spelled"));
  EXPECT_EQ(issue->username, "Codertocat");
  EXPECT_EQ(issue->extra.at("repository"), json::value("Codertocat/Hello-World"));

  auto created = github::connector().from_webhook(
      event("issue_comment"), testing::read_fixture(kRecorded / "webhook_issue_comment_created.json"),
      settings(false));
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(created->items.size(), 1u);
  auto comment = github::connector().map(created->items[0], settings(false));
  ASSERT_TRUE(comment);
  EXPECT_EQ(comment->external_id, "issue_comment:492700400");
  EXPECT_EQ(comment->text, "You are totally right! I'll get this fixed right away.");
  EXPECT_EQ(comment->url, "https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400");
  EXPECT_EQ(comment->timestamp, parse_time("2019-05-15T15:20:21Z"));
  EXPECT_EQ(comment->extra.at("issue_number"), json::value(1));
}

TEST(GitHubRecorded, ARealPullRequestDeliveryFollowsTheSetting) {
  auto body = testing::read_fixture(kRecorded / "webhook_issues_milestoned_pull_request.json");
  auto split = github::connector().from_webhook(event("issues"), body, settings(false));
  ASSERT_TRUE(split) << split.error().message;
  ASSERT_EQ(split->items.size(), 1u);
  auto skipped = admit_item(github::connector(), split->items[0], settings(false));
  ASSERT_TRUE(skipped);
  EXPECT_FALSE(skipped->item);
  EXPECT_EQ(skipped->skipped, "pull_request");
  auto kept = admit_item(github::connector(), split->items[0], settings(true));
  ASSERT_TRUE(kept && kept->item);
  EXPECT_EQ(kept->item->extra.at("pull_request"), json::value(true));

  // A comment on a pull request, delivered with its issue: the issue says it is a pull request.
  auto comment = testing::read_fixture(kRecorded / "webhook_issue_comment_created.json");
  comment.as_object()["issue"].as_object()["pull_request"] =
      json::object{{"url", "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"}};
  auto on_pull = github::connector().from_webhook(event("issue_comment"), comment, settings(false));
  ASSERT_TRUE(on_pull && on_pull->items.size() == 1u);
  EXPECT_EQ(admit_item(github::connector(), on_pull->items[0], settings(false))->skipped, "pull_request");

  auto ping = github::connector().from_webhook(event("ping"), testing::read_fixture(kRecorded / "webhook_ping.json"),
                                               settings(false));
  ASSERT_TRUE(ping);
  EXPECT_TRUE(ping->items.empty());
  EXPECT_FALSE(ping->fetch);
}

}  // namespace
}  // namespace chorus::connectors
