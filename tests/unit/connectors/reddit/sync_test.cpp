// Reddit sync against a fake OAuth API: `after` paging, posts and comments with their own marks, the
// backfill window, Reddit's reset-in-seconds rate limit, and its error answers.
#include <gtest/gtest.h>

#include "connectors/reddit/reddit_connector.hpp"
#include "support/fake_reddit.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;
using testing::FakeReddit;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "reddit";
constexpr TimeMs kT = 1771930000LL * 1000;  // the oldest fixture post
const std::string kNew = "/r/tallybook/new.json";
const std::string kComments = "/r/tallybook/comments.json";

std::vector<std::string> names_of(const std::vector<json::value>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(*get_string(*find_path(i, "data"), "name"));
  return out;
}

class RedditSync : public ::testing::Test {
 protected:
  RedditSync() { fake.set_max_limit(4); }

  testing::SyncHarness harness(json::object extra = {}) {
    json::object c{{"subreddit", "tallybook"}, {"base_url", fake.base_url()}};
    for (auto& kv : extra) c[kv.key()] = kv.value();
    json::object creds{{"access_token", "reddit-token-0001"}};
    if (auto st = validate_fields(reddit::connector(), c, creds); !st) ADD_FAILURE() << st.error().message;
    return testing::SyncHarness(reddit::connector(), std::move(c), std::move(creds));
  }
  std::vector<testing::FakeHttpService::SeenRequest> requests() const { return fake.service().requests(); }

  FakeReddit fake{kFixtures};
};

TEST_F(RedditSync, FirstSyncPagesWithAfter) {
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(names_of(h.admitted().kept),
            (std::vector<std::string>{"t3_1t0a009", "t3_1t0a008", "t3_1t0a007", "t3_1t0a006", "t3_1t0a005",
                                      "t3_1t0a004", "t3_1t0a003", "t3_1t0a002", "t3_1t0a001"}));
  auto reqs = requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path, kNew);
  EXPECT_EQ(reqs[0].query.at("limit"), "100");
  EXPECT_EQ(reqs[0].query.at("raw_json"), "1");
  EXPECT_EQ(reqs[0].query.count("after"), 0u);
  EXPECT_EQ(reqs[1].query.at("after"), "t3_1t0a006");
  EXPECT_EQ(reqs[2].query.at("after"), "t3_1t0a002");
  for (const auto& req : reqs) {
    EXPECT_EQ(req.headers.get("Authorization"), "Bearer reddit-token-0001");
    EXPECT_EQ(req.headers.get("User-Agent"), "server:chorus-feedback:0.1 (feedback aggregation)");
  }
  std::string mark = format_time(kT + 28'800'000) + "|t3_1t0a009";
  EXPECT_EQ(*r, json::serialize(json::object{{"posts", mark}}));
  EXPECT_EQ(h.sink.cursors(), (std::vector<std::string>{*r}));
}

TEST_F(RedditSync, CommentsWhenAskedForWithTheirOwnMark) {
  auto h = harness(json::object{{"include_comments", true}});
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  auto names = names_of(h.admitted().kept);
  ASSERT_EQ(names.size(), 14u);  // 9 posts, 5 comments (one was deleted)
  EXPECT_EQ(std::vector<std::string>(names.begin() + 9, names.end()),
            (std::vector<std::string>{"t1_kq0b006", "t1_kq0b005", "t1_kq0b003", "t1_kq0b002", "t1_kq0b001"}));
  int comment_requests = 0;
  for (const auto& req : requests()) comment_requests += req.path == kComments ? 1 : 0;
  EXPECT_EQ(comment_requests, 2);
  auto cursor = parse_json(*r);
  EXPECT_EQ(get_string(*cursor, "comments"), format_time(kT + 27'000'000) + "|t1_kq0b006");
}

TEST_F(RedditSync, SecondSyncStopsAtTheMark) {
  auto h = harness();
  auto first = h.sync();
  ASSERT_TRUE(first);
  json::value posts = testing::read_fixture(kFixtures / "posts.json");
  json::object late = posts.as_array()[7].as_object();
  json::object& data = late["data"].as_object();
  data["id"] = "1t0a010";
  data["name"] = "t3_1t0a010";
  data["title"] = "Widgets vanished after the update";
  data["selftext"] = "All home screen widgets are gone since this morning.";
  data["created_utc"] = (kT + 30'000'000) / 1000.0;
  fake.add_post(late);

  std::size_t before = requests().size();
  testing::RecordingSink next;
  auto second = h.sync(*first, &next);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(names_of(next.items()), (std::vector<std::string>{"t3_1t0a010"}));
  EXPECT_EQ(requests().size(), before + 1);  // the first page already reaches the mark
  EXPECT_EQ(get_string(*parse_json(*second), "posts"), format_time(kT + 30'000'000) + "|t3_1t0a010");
}

TEST_F(RedditSync, NothingNewKeepsTheCursor) {
  auto h = harness();
  auto first = h.sync();
  ASSERT_TRUE(first);
  testing::RecordingSink next;
  auto second = h.sync(*first, &next);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, *first);
  ASSERT_EQ(next.pages.size(), 1u);
  EXPECT_TRUE(next.pages[0].items.empty());
}

TEST_F(RedditSync, SinceEndsTheFirstSync) {
  auto h = harness(json::object{{"since", format_time(kT + 10'800'000)}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(names_of(h.admitted().kept), (std::vector<std::string>{"t3_1t0a009", "t3_1t0a008", "t3_1t0a007", "t3_1t0a006",
                                                                "t3_1t0a005", "t3_1t0a004"}));
  EXPECT_EQ(requests().size(), 2u);
}

TEST_F(RedditSync, AnEmptyListingEndsTheSyncWithoutACursor) {
  fake.page_faults().add("after", "",
                         testing::json_reply(200, json::object{{"kind", "Listing"},
                                                               {"data", json::object{{"after", nullptr},
                                                                                     {"dist", 0},
                                                                                     {"modhash", ""},
                                                                                     {"geo_filter", nullptr},
                                                                                     {"children", json::array{}},
                                                                                     {"before", nullptr}}}}));
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "");
  ASSERT_EQ(h.sink.pages.size(), 1u);
  EXPECT_TRUE(h.sink.pages[0].items.empty());
  EXPECT_FALSE(h.sink.pages[0].cursor);
  EXPECT_EQ(requests().size(), 1u);
}

TEST_F(RedditSync, QuotaSpentWaitsTheSecondsRedditGives) {
  fake.service().answer_next(kNew, FakeReddit::quota_spent(42));
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(h.sleeps.empty());
  EXPECT_EQ(h.sleeps[0], milliseconds(42000));
  EXPECT_EQ(h.admitted().kept.size(), 9u);
}

TEST_F(RedditSync, RateLimitedWithRetryAfter) {
  fake.service().rate_limit_next(kNew, 6, json::object{{"message", "Too Many Requests"}, {"error", 429}});
  auto h = harness();
  ASSERT_TRUE(h.sync());
  EXPECT_TRUE(h.slept_at_least(milliseconds(6000)));
}

TEST_F(RedditSync, ServerErrorThenRecovery) {
  fake.page_faults().add_status("after", "t3_1t0a006", 503);
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(requests().size(), 4u);
  EXPECT_EQ(h.admitted().kept.size(), 9u);
}

TEST_F(RedditSync, MalformedPageFailsAndTheCursorStays) {
  fake.page_faults().add_truncated(
      "after", "t3_1t0a006",
      R"({"kind": "Listing", "data": {"after": "t3_1t0a002", "children": [{"kind": "t3", "data": {"subreddit": )");
  auto h = harness();
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_TRUE(r.error().message.starts_with("GET " + kNew + " page 2: malformed JSON")) << r.error().message;
  EXPECT_TRUE(h.sink.cursors().empty());
}

TEST_F(RedditSync, AnAnswerThatIsNotAListingIsMalformed) {
  fake.page_faults().add("after", "", testing::json_reply(200, json::object{{"kind", "t5"}, {"data", json::object{}}}));
  auto h = harness();
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "GET " + kNew + " page 1: expected a Listing with data.children");
}

TEST_F(RedditSync, PrivateUnknownAndUnauthorized) {
  auto h = harness(json::object{{"subreddit", "secretclub"}});
  auto priv = h.sync();
  ASSERT_FALSE(priv);
  EXPECT_TRUE(priv.error().message.starts_with("GET /r/secretclub/new.json page 1: ")) << priv.error().message;
  EXPECT_NE(priv.error().message.find("403"), std::string::npos);

  auto u = harness(json::object{{"subreddit", "r/nosuchsub/"}});
  auto unknown = u.sync();
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_TRUE(unknown.error().message.starts_with("GET /r/nosuchsub/new.json")) << unknown.error().message;

  auto bad = harness();
  bad.source.credentials["access_token"] = "expired";
  auto unauthorized = bad.sync();
  ASSERT_FALSE(unauthorized);
  EXPECT_NE(unauthorized.error().message.find("401"), std::string::npos);
  EXPECT_EQ(unauthorized.error().message.find("expired"), std::string::npos);
}

TEST_F(RedditSync, MaxPagesBoundsTheSync) {
  auto h = harness(json::object{{"max_pages", 2}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(requests().size(), 2u);
  EXPECT_EQ(h.admitted().kept.size(), 8u);
}

}  // namespace
}  // namespace chorus::connectors
