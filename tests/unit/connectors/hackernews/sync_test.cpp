// Hacker News sync against a fake Algolia: nbPages paging, tags and numericFilters, the created_at_i
// cursor, narrowing windows past Algolia's pagination limit, and faults.
#include <gtest/gtest.h>

#include "connectors/hackernews/hackernews_connector.hpp"
#include "support/fake_algolia.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;
using testing::FakeAlgolia;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "hackernews";
constexpr std::int64_t kT = 1771927200;  // 2026-02-24T10:00:00Z, the oldest fixture hit
const std::string kNewest = std::to_string(kT + 174600);
const std::string kPath = "/api/v1/search_by_date";

std::vector<std::string> ids_of(const std::vector<json::value>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(*get_string(i, "objectID"));
  return out;
}

const std::vector<std::string> kAllNewestFirst{"43100210", "43100200", "43100130", "43100115", "43100100", "43100070",
                                               "43100061", "43100052", "43100040", "43100017", "43100010", "43100001"};

class HackerNewsSync : public ::testing::Test {
 protected:
  testing::SyncHarness harness(json::object extra = {}) {
    json::object c{{"query", "tallybook"}, {"base_url", fake.base_url()}, {"hits_per_page", 5}};
    for (auto& kv : extra) c[kv.key()] = kv.value();
    json::object creds;
    if (auto st = validate_fields(hackernews::connector(), c, creds); !st) ADD_FAILURE() << st.error().message;
    return testing::SyncHarness(hackernews::connector(), std::move(c));
  }
  std::vector<testing::FakeHttpService::SeenRequest> requests() const { return fake.service().requests(); }

  FakeAlgolia fake{kFixtures};
};

TEST_F(HackerNewsSync, FirstSyncReadsEveryPageNbPagesAnnounces) {
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(ids_of(h.sink.items()), kAllNewestFirst);  // the two hits without the word are not matched
  auto reqs = requests();
  ASSERT_EQ(reqs.size(), 3u);  // pages 0, 1, 2
  EXPECT_EQ(reqs[0].path, kPath);
  EXPECT_EQ(reqs[0].query.at("query"), "tallybook");
  EXPECT_EQ(reqs[0].query.at("tags"), "(story,comment)");
  EXPECT_EQ(reqs[0].query.at("hitsPerPage"), "5");
  EXPECT_EQ(reqs[0].query.at("page"), "0");
  EXPECT_EQ(reqs[0].query.count("numericFilters"), 0u);
  std::set<std::string> pages;
  for (const auto& r : reqs) pages.insert(r.query.at("page"));
  EXPECT_EQ(pages, (std::set<std::string>{"0", "1", "2"}));
  EXPECT_EQ(*r, kNewest);
  EXPECT_EQ(h.sink.cursors(), (std::vector<std::string>{kNewest}));
  EXPECT_FALSE(h.sink.pages.front().cursor);
}

TEST_F(HackerNewsSync, TagsNarrowTheSearch) {
  auto h = harness(json::object{{"tags", "comment"}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(requests()[0].query.at("tags"), "comment");
  EXPECT_EQ(ids_of(h.sink.items()), (std::vector<std::string>{"43100210", "43100130", "43100115", "43100070",
                                                              "43100061", "43100052", "43100017", "43100010"}));
}

TEST_F(HackerNewsSync, SinceBecomesANumericFilter) {
  auto h = harness(json::object{{"since", "2026-02-25T10:00:00Z"}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(requests()[0].query.at("numericFilters"), "created_at_i>" + std::to_string(kT + 86400 - 1));
  EXPECT_EQ(ids_of(h.sink.items()),
            (std::vector<std::string>{"43100210", "43100200", "43100130", "43100115", "43100100"}));
}

TEST_F(HackerNewsSync, SecondSyncFetchesOnlyWhatIsNew) {
  auto h = harness();
  auto first = h.sync();
  ASSERT_TRUE(first);
  json::value hits = testing::read_fixture(kFixtures / "hits.json");
  json::object late = hits.as_array()[1].as_object();
  late["objectID"] = "43100400";
  late["created_at_i"] = kT + 180000;
  late["created_at"] = "2026-02-26T12:00:00.000Z";
  late["comment_text"] = "Tallybook 2.1 finally has a dark theme.";
  fake.add_hit(late);

  std::size_t before = requests().size();
  testing::RecordingSink next;
  auto second = h.sync(*first, &next);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(ids_of(next.items()), (std::vector<std::string>{"43100400"}));
  EXPECT_EQ(*second, std::to_string(kT + 180000));
  auto reqs = requests();
  ASSERT_EQ(reqs.size(), before + 1);
  EXPECT_EQ(reqs.back().query.at("numericFilters"), "created_at_i>" + kNewest);
}

TEST_F(HackerNewsSync, NothingNewIsOneEmptyPageAndTheSameCursor) {
  auto h = harness();
  testing::RecordingSink sink;
  auto r = h.sync(kNewest, &sink);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, kNewest);
  ASSERT_EQ(sink.pages.size(), 1u);
  EXPECT_TRUE(sink.pages[0].items.empty());
  EXPECT_EQ(sink.pages[0].cursor, kNewest);
  EXPECT_EQ(requests().size(), 1u);
}

TEST_F(HackerNewsSync, PastThePaginationLimitNarrowingWindowsReachEverything) {
  fake.set_pagination_limit(5);  // one page of five per query, of twelve hits
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(ids_of(h.sink.items()), kAllNewestFirst);  // each once, still newest first
  auto reqs = requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].query.at("numericFilters"), "created_at_i<=" + std::to_string(kT + 86400));
  EXPECT_EQ(reqs[2].query.at("numericFilters"), "created_at_i<=" + std::to_string(kT + 7200));
  EXPECT_EQ(*r, kNewest);
}

TEST_F(HackerNewsSync, WindowsKeepTheCursorAsTheirLowerBound) {
  fake.set_pagination_limit(5);
  auto h = harness();
  ASSERT_TRUE(h.sync(std::to_string(kT + 3600)));
  EXPECT_EQ(ids_of(h.sink.items()),
            (std::vector<std::string>{"43100210", "43100200", "43100130", "43100115", "43100100", "43100070",
                                      "43100061", "43100052", "43100040"}));
  EXPECT_EQ(requests()[1].query.at("numericFilters"),
            "created_at_i>" + std::to_string(kT + 3600) + ",created_at_i<=" + std::to_string(kT + 86400));
}

TEST_F(HackerNewsSync, MaxPagesBoundsTheSync) {
  auto h = harness(json::object{{"max_pages", 2}});
  auto r = h.sync();
  ASSERT_TRUE(r);
  EXPECT_EQ(requests().size(), 2u);
  EXPECT_EQ(h.sink.items().size(), 10u);
  EXPECT_EQ(*r, kNewest);
}

TEST_F(HackerNewsSync, RateLimitedWithRetryAfterThenSucceeds) {
  fake.service().answer_next(kPath, FakeAlgolia::too_many_requests(4));
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(h.slept_at_least(milliseconds(4000)));
  EXPECT_EQ(ids_of(h.sink.items()), kAllNewestFirst);
}

TEST_F(HackerNewsSync, ServerErrorThenRecovery) {
  fake.page_faults().add_status("page", "1", 500);
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(requests().size(), 4u);
  EXPECT_EQ(ids_of(h.sink.items()), kAllNewestFirst);
}

TEST_F(HackerNewsSync, MalformedPageFailsAndTheCursorStays) {
  fake.page_faults().add_truncated("page", "2", R"({"hits":[{"created_at":"2026-02-24T10:30:00.000Z","title":nu)");
  auto h = harness();
  auto r = h.sync("1771000000");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_TRUE(r.error().message.starts_with("GET /search_by_date page 2: malformed JSON")) << r.error().message;
  EXPECT_TRUE(h.sink.cursors().empty());
}

TEST_F(HackerNewsSync, AHitWithoutAnIdIsMalformed) {
  fake.page_faults().add(
      "page", "0",
      testing::json_reply(
          200, json::object{{"hits", json::array{json::object{{"title", "x"}}}}, {"nbHits", 1}, {"nbPages", 1}}));
  auto h = harness();
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "GET /search_by_date page 0: hits[0] has no objectID or created_at_i");
}

TEST_F(HackerNewsSync, ABadCursorIsABadRequest) {
  auto h = harness();
  auto r = h.sync("t3_abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
}

}  // namespace
}  // namespace chorus::connectors
