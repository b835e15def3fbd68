// GitHub sync against the fake API over loopback: Link paging, pull requests and comments by config,
// per-listing marks, the backfill window, and the faults GitHub really answers with.
#include <gtest/gtest.h>

#include <map>

#include "connectors/github/github_connector.hpp"
#include "support/fake_github.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;
using testing::FakeGitHub;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "github";
const std::string kIssues = "/repos/octo-org/octo-app/issues";
const std::string kComments = "/repos/octo-org/octo-app/issues/comments";

std::vector<std::string> ids_of(const std::vector<json::value>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(*get_string(i, "id"));
  return out;
}

class GitHubSync : public ::testing::Test {
 protected:
  GitHubSync() {
    fake.set_max_per_page(3);
    fake.require_token("ghp_chorusTest0001");
  }

  json::object config() const { return json::object{{"repo", FakeGitHub::kRepo}, {"base_url", fake.base_url()}}; }
  testing::SyncHarness harness(json::object extra = {}) {
    json::object c = config();
    for (auto& kv : extra) c[kv.key()] = kv.value();
    // Defaults as validate_fields applies them.
    json::object creds{{"token", "ghp_chorusTest0001"}};
    if (auto st = validate_fields(github::connector(), c, creds); !st) ADD_FAILURE() << st.error().message;
    return testing::SyncHarness(github::connector(), std::move(c), std::move(creds));
  }

  int requests_to(const std::string& path_suffix) const {
    int n = 0;
    for (const auto& r : fake.service().requests()) n += r.path.ends_with(path_suffix) ? 1 : 0;
    return n;
  }

  FakeGitHub fake{kFixtures};
};

TEST_F(GitHubSync, FirstSyncFollowsLinksThroughEveryPage) {
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;

  // 8 issues (2 of them pull requests) and 7 comments, 3 a page: 3 pages each.
  EXPECT_EQ(requests_to("/issues"), 3);
  EXPECT_EQ(requests_to("/issues/comments"), 3);
  auto requests = fake.service().requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(requests[0].path, kIssues);
  EXPECT_EQ(requests[0].query.at("state"), "all");
  EXPECT_EQ(requests[0].query.at("sort"), "updated");
  EXPECT_EQ(requests[0].query.at("direction"), "asc");
  EXPECT_EQ(requests[0].query.count("since"), 0u);
  EXPECT_EQ(requests[1].path, "/repositories/733100221/issues");  // followed from the Link header
  EXPECT_EQ(requests[1].query.at("page"), "2");
  for (const auto& req : requests) {
    EXPECT_EQ(req.headers.get("Authorization"), "Bearer ghp_chorusTest0001");
    EXPECT_EQ(req.headers.get("Accept"), "application/vnd.github+json");
    EXPECT_EQ(req.headers.get("X-GitHub-Api-Version"), "2022-11-28");
  }

  // Pull requests and the comment on one are listed, and left out by default (by the parser, which counts
  // them); oldest update first.
  EXPECT_EQ(h.sink.items().size(), 15u);
  EXPECT_EQ(h.admitted().skipped, (std::map<std::string, int>{{"pull_request", 3}}));
  EXPECT_EQ(ids_of(h.admitted().kept), (std::vector<std::string>{"2101000101", "2101000102", "2101000104", "2101000105",
                                                              "2101000106", "2101000108", "3300000201", "3300000202",
                                                              "3300000203", "3300000205", "3300000206", "3300000207"}));
  // The cursor rides on the last page only, and marks each listing separately.
  ASSERT_GE(h.sink.pages.size(), 2u);
  for (std::size_t i = 0; i + 1 < h.sink.pages.size(); ++i) EXPECT_FALSE(h.sink.pages[i].cursor);
  auto cursor = parse_json(*r);
  ASSERT_TRUE(cursor) << *r;
  EXPECT_EQ(get_string(*cursor, "issues"), "2026-02-19T16:40:00Z|issue%3A2101000108");
  EXPECT_EQ(get_string(*cursor, "comments"), "2026-02-18T08:00:00Z|issue_comment%3A3300000207");
  EXPECT_EQ(h.sink.cursors(), (std::vector<std::string>{*r}));
}

TEST_F(GitHubSync, PullRequestsWhenAskedFor) {
  auto h = harness(json::object{{"include_pull_requests", true}});
  ASSERT_TRUE(h.sync());
  auto ids = ids_of(h.admitted().kept);
  EXPECT_EQ(ids.size(), 15u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "2101000103"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "3300000204"), ids.end());
}

TEST_F(GitHubSync, CommentsCanBeLeftOut) {
  auto h = harness(json::object{{"include_comments", false}});
  auto r = h.sync();
  ASSERT_TRUE(r);
  EXPECT_EQ(requests_to("/issues/comments"), 0);
  EXPECT_EQ(h.admitted().kept.size(), 6u);
  EXPECT_FALSE(get_string(*parse_json(*r), "comments"));
}

TEST_F(GitHubSync, SecondSyncFetchesOnlyWhatIsNew) {
  auto h = harness();
  auto first = h.sync();
  ASSERT_TRUE(first);

  // A new issue written in the same second as the newest one collected, an edited comment, and an old
  // issue that was updated again.
  auto issues = testing::read_fixture(kFixtures / "issues.json").as_array();
  json::object same_second = issues[7].as_object();
  same_second["id"] = 2101000110;
  same_second["number"] = 110;
  same_second["title"] = "Widgets vanish from the home screen";
  same_second["body"] = "After a restart all widgets are gone.";
  fake.put_issue(same_second);
  json::object reopened = issues[1].as_object();
  reopened["updated_at"] = "2026-02-22T09:00:00Z";
  fake.put_issue(reopened);
  json::object edited = testing::read_fixture(kFixtures / "comments.json").as_array()[5].as_object();
  edited["body"] = "Settings > Account > Transfer worked for me (edit: it needs wifi).";
  edited["updated_at"] = "2026-02-22T10:00:00Z";
  fake.put_comment(edited);

  std::size_t before = fake.service().requests().size();
  testing::RecordingSink next;
  auto second = h.sync(*first, &next);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(ids_of(next.items()), (std::vector<std::string>{"2101000110", "2101000102", "3300000206"}));
  auto requests = fake.service().requests();
  ASSERT_EQ(requests.size(), before + 2);  // one page each
  EXPECT_EQ(requests[before].query.at("since"), "2026-02-19T16:40:00Z");
  EXPECT_EQ(requests[before + 1].query.at("since"), "2026-02-18T08:00:00Z");
  auto cursor = parse_json(*second);
  EXPECT_EQ(get_string(*cursor, "issues"), "2026-02-22T09:00:00Z|issue%3A2101000102");
  EXPECT_EQ(get_string(*cursor, "comments"), "2026-02-22T10:00:00Z|issue_comment%3A3300000206");
}

TEST_F(GitHubSync, NothingNewEmitsOneEmptyPageAndKeepsTheCursor) {
  auto h = harness();
  auto first = h.sync();
  ASSERT_TRUE(first);
  testing::RecordingSink next;
  auto second = h.sync(*first, &next);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, *first);
  ASSERT_EQ(next.pages.size(), 1u);
  EXPECT_TRUE(next.pages[0].items.empty());
  EXPECT_EQ(next.pages[0].cursor, *first);
}

TEST_F(GitHubSync, SinceStartsTheFirstSync) {
  auto h = harness(json::object{{"since", "2026-02-15T00:00:00Z"}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(fake.service().requests()[0].query.at("since"), "2026-02-15T00:00:00Z");
  EXPECT_EQ(ids_of(h.admitted().kept),
            (std::vector<std::string>{"2101000105", "2101000106", "2101000108", "3300000206", "3300000207"}));
}

TEST_F(GitHubSync, AnEmptyListingIsNotAnError) {
  auto h = harness(json::object{{"since", "2030-01-01T00:00:00Z"}});
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "");
  ASSERT_EQ(h.sink.pages.size(), 1u);
  EXPECT_TRUE(h.sink.pages[0].items.empty());
  EXPECT_FALSE(h.sink.pages[0].cursor);
}

TEST_F(GitHubSync, RateLimitedWithRetryAfterThenSucceeds) {
  fake.service().rate_limit_next(kIssues, 7,
                                 json::object{{"message", "API rate limit exceeded for user ID 4410021."},
                                              {"documentation_url", "https://docs.github.com/rest"}});
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(h.slept_at_least(milliseconds(7000)));
  EXPECT_EQ(h.admitted().kept.size(), 12u);
}

TEST_F(GitHubSync, SecondaryRateLimitIsWaitedOut) {
  fake.secondary_rate_limit_next(kComments, 30);
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(h.slept_at_least(milliseconds(30000)));
  EXPECT_FALSE(h.slept_at_least(milliseconds(31000)));  // not the primary window's reset
  EXPECT_EQ(h.admitted().kept.size(), 12u);
}

TEST_F(GitHubSync, ServerErrorOnAPageThenRecovery) {
  fake.page_faults().add_status("page", "2", 502);
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(requests_to("/issues"), 4);  // page 2 twice
  EXPECT_EQ(h.admitted().kept.size(), 12u);
}

TEST_F(GitHubSync, MalformedPageFailsAndTheCursorStays) {
  fake.page_faults().add_truncated("page", "2",
                                   R"([{"url":"https://api.github.com/repos/octo-org/octo-app/issues/105","id":)");
  auto h = harness();
  auto r = h.sync("{\"issues\":\"2026-01-01T00:00:00Z\"}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_TRUE(r.error().message.starts_with("GET " + kIssues + " page 2: malformed JSON")) << r.error().message;
  EXPECT_TRUE(h.sink.cursors().empty());
}

TEST_F(GitHubSync, APageThatIsNotAnArrayIsMalformed) {
  fake.page_faults().add("page", "", testing::json_reply(200, json::object{{"message", "moved"}}));
  auto h = harness();
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "GET " + kIssues + " page 1: expected a JSON array of issues");
}

TEST_F(GitHubSync, BadTokenFailsNamingThePathNotTheQuery) {
  auto h = harness();
  h.source.credentials["token"] = "ghp_revoked";
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("GET " + kIssues + " page 1: GET " + fake.base_url() + kIssues +
                                            " answered 401 Unauthorized"))
      << r.error().message;
  EXPECT_NE(r.error().message.find("Bad credentials"), std::string::npos);
  EXPECT_EQ(r.error().message.find("per_page"), std::string::npos);
  EXPECT_EQ(r.error().message.find("ghp_revoked"), std::string::npos);
  EXPECT_TRUE(h.sink.pages.empty());
}

TEST_F(GitHubSync, UnknownRepositoryIsNotFound) {
  auto h = harness();
  h.source.config["repo"] = "octo-org/no-such-app";
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_TRUE(r.error().message.starts_with("GET /repos/octo-org/no-such-app/issues page 1: ")) << r.error().message;
}

TEST_F(GitHubSync, MaxPagesStopsAndTheNextSyncResumes) {
  auto h = harness(json::object{{"max_pages", 1}, {"include_comments", false}});
  auto first = h.sync();
  ASSERT_TRUE(first);
  EXPECT_EQ(ids_of(h.admitted().kept), (std::vector<std::string>{"2101000101", "2101000102"}));  // 103 is a PR
  testing::RecordingSink next;
  auto second = h.sync(*first, &next);
  ASSERT_TRUE(second);
  // The next page of three from the mark: 103 again (covered), 104 and 105.
  EXPECT_EQ(ids_of(next.items()), (std::vector<std::string>{"2101000104", "2101000105"}));
}

TEST_F(GitHubSync, CorruptCursorIsABadRequest) {
  auto h = harness();
  auto r = h.sync("2026-02-01");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_EQ(fake.service().requests().size(), 0u);
}

TEST_F(GitHubSync, CancelledBetweenPages) {
  auto h = harness();
  int checks = 0;
  SyncContext ctx{h.source, "", h.fetcher, [&] { return ++checks > 2; }};
  auto r = github::connector().sync(ctx, h.sink);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cancelled"), std::string::npos);
  EXPECT_TRUE(h.sink.cursors().empty());
}

}  // namespace
}  // namespace chorus::connectors
