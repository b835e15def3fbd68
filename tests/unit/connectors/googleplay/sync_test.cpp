// Google Play sync against a fake Android Publisher API: token pagination, the last-modified mark with
// the reviews of its second, the backfill window, Google's error answers, and faults.
#include <gtest/gtest.h>

#include "connectors/googleplay/googleplay_connector.hpp"
#include "support/fake_googleplay.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;
using testing::FakeGooglePlay;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "googleplay";
constexpr std::int64_t kT = 1771930000;

std::vector<std::string> ids_of(const std::vector<json::value>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(*get_string(i, "reviewId"));
  return out;
}

const std::vector<std::string> kAll{"gp:AOqpTOGm1xKc0g7", "gp:AOqpTOGm1xKc0h8", "gp:AOqpTOGm1xKc0f6",
                                    "gp:AOqpTOGm1xKc0e5", "gp:AOqpTOGm1xKc0d4", "gp:AOqpTOGm1xKc0c3",
                                    "gp:AOqpTOGm1xKc0b2", "gp:AOqpTOGm1xKc0a1"};

json::object review_at(std::string id, std::int64_t seconds, std::string text) {
  json::object r = testing::read_fixture(kFixtures / "reviews.json").as_array()[4].as_object();
  r["reviewId"] = std::move(id);
  json::object& uc = r["comments"].as_array()[0].as_object()["userComment"].as_object();
  uc["text"] = std::move(text);
  uc["lastModified"] = json::object{{"seconds", std::to_string(seconds)}, {"nanos", 0}};
  return r;
}

class GooglePlaySync : public ::testing::Test {
 protected:
  GooglePlaySync() { fake.set_max_results_cap(3); }

  testing::SyncHarness harness(json::object extra = {}) {
    json::object c{{"package_name", FakeGooglePlay::kPackage}, {"base_url", fake.base_url()}};
    for (auto& kv : extra) c[kv.key()] = kv.value();
    json::object creds{{"access_token", FakeGooglePlay::kToken}};
    if (auto st = validate_fields(googleplay::connector(), c, creds); !st) ADD_FAILURE() << st.error().message;
    return testing::SyncHarness(googleplay::connector(), std::move(c), std::move(creds));
  }
  std::vector<testing::FakeHttpService::SeenRequest> requests() const { return fake.service().requests(); }

  FakeGooglePlay fake{kFixtures};
};

TEST_F(GooglePlaySync, FirstSyncFollowsPageTokens) {
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(ids_of(h.sink.items()), kAll);
  auto reqs = requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path, FakeGooglePlay::path());
  EXPECT_EQ(reqs[0].query.at("maxResults"), "100");
  EXPECT_EQ(reqs[0].query.count("token"), 0u);
  EXPECT_EQ(reqs[1].query.at("token"), FakeGooglePlay::token_for(3));
  EXPECT_EQ(reqs[2].query.at("token"), FakeGooglePlay::token_for(6));
  for (const auto& req : reqs)
    EXPECT_EQ(req.headers.get("Authorization"), std::string("Bearer ") + FakeGooglePlay::kToken);
  // Two reviews share the newest second; the mark names both.
  EXPECT_EQ(*r, format_time((kT + 21600) * 1000) + "|gp%3AAOqpTOGm1xKc0g7,gp%3AAOqpTOGm1xKc0h8");
  EXPECT_EQ(h.sink.cursors(), (std::vector<std::string>{*r}));
}

TEST_F(GooglePlaySync, SecondSyncTakesOnlyNewReviewsIncludingOnesInTheMarksSecond) {
  auto h = harness();
  auto first = h.sync();
  ASSERT_TRUE(first);
  fake.add_review(review_at("gp:AOqpTOGm1xKc0i9", kT + 21600, "Budget alerts arrive a day late."));
  fake.add_review(review_at("gp:AOqpTOGm1xKc1j0", kT + 25000, "Love the new widgets!"));

  std::size_t before = requests().size();
  testing::RecordingSink next;
  auto second = h.sync(*first, &next);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(ids_of(next.items()), (std::vector<std::string>{"gp:AOqpTOGm1xKc1j0", "gp:AOqpTOGm1xKc0i9"}));
  EXPECT_EQ(requests().size(), before + 2);  // the second page reaches an older review and stops
  EXPECT_EQ(*second, format_time((kT + 25000) * 1000) + "|gp%3AAOqpTOGm1xKc1j0");
}

TEST_F(GooglePlaySync, NothingNewKeepsTheCursor) {
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

TEST_F(GooglePlaySync, AnEmptyPageHasNoReviewsKey) {
  fake.page_faults().add(
      "token", "",
      testing::json_reply(
          200,
          json::object{{"pageInfo", json::object{{"totalResults", 0}, {"resultPerPage", 100}, {"startIndex", 0}}}}));
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "");
  EXPECT_TRUE(h.sink.items().empty());
  EXPECT_EQ(requests().size(), 1u);
}

TEST_F(GooglePlaySync, SinceEndsTheFirstSync) {
  auto h = harness(json::object{{"since", format_time((kT + 14400) * 1000)}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(ids_of(h.sink.items()), (std::vector<std::string>{"gp:AOqpTOGm1xKc0g7", "gp:AOqpTOGm1xKc0h8",
                                                              "gp:AOqpTOGm1xKc0f6", "gp:AOqpTOGm1xKc0e5"}));
}

TEST_F(GooglePlaySync, TranslationLanguageIsSent) {
  auto h = harness(json::object{{"translation_language", "en"}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(requests()[0].query.at("translationLanguage"), "en");
}

TEST_F(GooglePlaySync, QuotaExceededWithRetryAfterThenSucceeds) {
  fake.service().answer_next(FakeGooglePlay::path(), FakeGooglePlay::quota_exceeded(5));
  auto h = harness();
  ASSERT_TRUE(h.sync());
  EXPECT_TRUE(h.slept_at_least(milliseconds(5000)));
  EXPECT_EQ(ids_of(h.sink.items()), kAll);
}

TEST_F(GooglePlaySync, ServerErrorThenRecovery) {
  fake.page_faults().add_status("token", FakeGooglePlay::token_for(3), 500);
  auto h = harness();
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(requests().size(), 4u);
  EXPECT_EQ(ids_of(h.sink.items()), kAll);
}

TEST_F(GooglePlaySync, MalformedPageFailsAndTheCursorStays) {
  fake.page_faults().add_truncated("token", FakeGooglePlay::token_for(3),
                                   R"({"reviews":[{"reviewId":"gp:AOqpTOGm1xKc0e5","authorName":)");
  auto h = harness();
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_TRUE(r.error().message.starts_with("GET " + FakeGooglePlay::path() + " page 2: malformed JSON"))
      << r.error().message;
  EXPECT_TRUE(h.sink.cursors().empty());
}

TEST_F(GooglePlaySync, AReviewWithoutItsCommentIsMalformed) {
  fake.page_faults().add(
      "token", "",
      testing::json_reply(200, json::object{{"reviews", json::array{json::object{{"reviewId", "gp:x"}}}}}));
  auto h = harness();
  auto r = h.sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "GET " + FakeGooglePlay::path() + " page 1: reviews[0] has no reviewId or userComment.lastModified");
}

TEST_F(GooglePlaySync, GoogleErrorsNameTheRequest) {
  auto h = harness();
  h.source.credentials["access_token"] = "ya29.expired";
  auto unauthorized = h.sync();
  ASSERT_FALSE(unauthorized);
  EXPECT_NE(unauthorized.error().message.find("401"), std::string::npos);
  EXPECT_NE(unauthorized.error().message.find("UNAUTHENTICATED"), std::string::npos);
  EXPECT_EQ(unauthorized.error().message.find("ya29.expired"), std::string::npos);

  auto other = harness(json::object{{"package_name", "com.example.unknown"}});
  auto missing = other.sync();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_TRUE(
      missing.error().message.starts_with("GET /androidpublisher/v3/applications/com.example.unknown/reviews page 1: "))
      << missing.error().message;
}

TEST_F(GooglePlaySync, MaxPagesBoundsTheSync) {
  auto h = harness(json::object{{"max_pages", 2}});
  ASSERT_TRUE(h.sync());
  EXPECT_EQ(requests().size(), 2u);
  EXPECT_EQ(h.sink.items().size(), 6u);
}

}  // namespace
}  // namespace chorus::connectors
