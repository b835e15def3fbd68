// App Store sync against a fake reviews feed: the last page from feed.link, concurrent pages, the
// newest-id cursor, the feed's quirks (an app entry first, one entry as an object), and faults.
#include <gtest/gtest.h>

#include "connectors/appstore/appstore_connector.hpp"
#include "support/fake_appstore.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;
using testing::FakeAppStore;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "appstore";

std::vector<std::string> ids_of(const std::vector<json::value>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(*appstore::label_of(i, "id"));
  return out;
}

const std::vector<std::string> kAll{"11020300299", "11020300271", "11020300255", "11020300230", "11020300203",
                                    "11020300188", "11020300160", "11020300142", "11020300117", "11020300101"};

class AppStoreSync : public ::testing::Test {
 protected:
  AppStoreSync() { fake.set_page_size(3); }

  testing::SyncHarness harness(json::object extra = {}) {
    json::object c{{"app_id", FakeAppStore::kApp}, {"base_url", fake.base_url()}};
    for (auto& kv : extra) c[kv.key()] = kv.value();
    json::object creds;
    if (auto st = validate_fields(appstore::connector(), c, creds); !st) ADD_FAILURE() << st.error().message;
    return testing::SyncHarness(appstore::connector(), std::move(c));
  }
  int hits(int page) const { return fake.service().count(FakeAppStore::path(page)); }

  FakeAppStore fake{kFixtures};
};

TEST_F(AppStoreSync, FirstSyncReadsUpToTheLastPage) {
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(ids_of(h.sink.items()), kAll);  // page 4 holds one review, written as an object
  for (int p = 1; p <= 4; ++p) EXPECT_EQ(hits(p), 1) << p;
  EXPECT_EQ(hits(5), 0);
  EXPECT_EQ(*r, "11020300299");
  EXPECT_EQ(h.sink.cursors(), (std::vector<std::string>{"11020300299"}));
  EXPECT_EQ(h.sink.pages.size(), 4u);
}

TEST_F(AppStoreSync, SecondSyncStopsAtTheNewestIdCollected) {
  auto h = harness();
  auto first = h.sync();
  ASSERT_TRUE(first);
  json::value reviews = testing::read_fixture(kFixtures / "reviews.json");
  json::object fresh = reviews.as_array()[1].as_object();
  fresh["id"] = json::object{{"label", "11020300315"}};
  fresh["title"] = json::object{{"label", "Widgets gone"}};
  fresh["content"] = json::object{{"label", "The home screen widgets vanished after 2.1.1."},
                                  {"attributes", json::object{{"type", "text"}}}};
  fake.add_review(fresh);

  testing::RecordingSink next;
  auto second = h.sync(*first, &next);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(ids_of(next.items()), (std::vector<std::string>{"11020300315"}));
  EXPECT_EQ(*second, "11020300315");
  EXPECT_EQ(hits(1), 2);
  EXPECT_EQ(hits(2), 1);  // page 1 already reached what was collected
}

TEST_F(AppStoreSync, NothingNewKeepsTheCursor) {
  auto h = harness();
  testing::RecordingSink sink;
  auto r = h.sync("11020300299", &sink);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "11020300299");
  ASSERT_EQ(sink.pages.size(), 1u);
  EXPECT_TRUE(sink.pages[0].items.empty());
  EXPECT_EQ(sink.pages[0].cursor, "11020300299");
}

TEST_F(AppStoreSync, SinceEndsTheFirstSync) {
  auto h = harness(json::object{{"since", "2026-02-16T00:00:00Z"}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(ids_of(h.sink.items()),
            (std::vector<std::string>{"11020300299", "11020300271", "11020300255", "11020300230"}));
}

TEST_F(AppStoreSync, TheAppEntryIsNotAReview) {
  fake.lead_with_app_entry(true);
  auto h = harness();
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(h.sink.items().size(), 10u);
}

TEST_F(AppStoreSync, AnAppWithoutReviewsIsAnEmptyFeed) {
  auto h = harness(json::object{{"app_id", "id999000111"}});
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "");
  EXPECT_TRUE(h.sink.items().empty());
  EXPECT_EQ(fake.service().count(FakeAppStore::path(1, "us", "999000111")), 1);
}

TEST_F(AppStoreSync, CountryPicksTheStorefront) {
  auto h = harness(json::object{{"country", "GB"}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(fake.service().count(FakeAppStore::path(1, "gb")), 1);
  EXPECT_TRUE(h.sink.items().empty());  // the fixtures are US reviews
}

TEST_F(AppStoreSync, RateLimitedWithRetryAfterThenSucceeds) {
  fake.service().rate_limit_next(FakeAppStore::path(1), 3, json::object{{"errorMessage", "Too Many Requests"}});
  auto h = harness();
  ASSERT_TRUE(h.sync());
  EXPECT_TRUE(h.slept_at_least(milliseconds(3000)));
  EXPECT_EQ(ids_of(h.sink.items()), kAll);
}

TEST_F(AppStoreSync, ServerErrorThenRecovery) {
  fake.service().fail_next(FakeAppStore::path(2), 503);
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(hits(2), 2);
  EXPECT_EQ(ids_of(h.sink.items()), kAll);
}

TEST_F(AppStoreSync, MalformedPageFailsAndTheCursorStays) {
  fake.service().truncate_next(FakeAppStore::path(3),
                               R"({"feed":{"author":{"name":{"label":"iTunes Store"}},"entry":[{"author":)", 5);
  auto h = harness();
  auto r = h.sync("11020300101");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_TRUE(r.error().message.starts_with("GET " + FakeAppStore::path(3) + ": malformed JSON")) << r.error().message;
  EXPECT_TRUE(h.sink.cursors().empty());
}

TEST_F(AppStoreSync, AnAnswerWithoutAFeedIsMalformed) {
  fake.service().answer_next(FakeAppStore::path(1), testing::json_reply(200, json::object{{"errors", json::array{}}}));
  auto h = harness();
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "GET " + FakeAppStore::path(1) + ": expected an object with a \"feed\"");
}

TEST_F(AppStoreSync, MaxPagesBoundsTheSync) {
  auto h = harness(json::object{{"max_pages", 2}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(h.sink.items().size(), 6u);
  EXPECT_EQ(hits(3), 0);
}

}  // namespace
}  // namespace chorus::connectors
