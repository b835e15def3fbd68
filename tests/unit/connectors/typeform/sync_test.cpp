// Typeform sync against the fake account over loopback: newest-first paging with before, since, faults.
#include <gtest/gtest.h>

#include <algorithm>

#include "connectors/connector.hpp"
#include "core/time.hpp"
#include "ingest/fetcher.hpp"
#include "support/fake_typeform.hpp"
#include "support/recording_sink.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;
using testing::FakeTypeform;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "typeform";

ingest::RetryPolicy fast_retries() {
  ingest::RetryPolicy p;
  p.max_attempts = 3;
  p.base_delay = milliseconds(1);
  p.max_delay = milliseconds(5);
  return p;
}

class TypeformSync : public ::testing::Test {
 protected:
  explicit TypeformSync(const std::filesystem::path& fixtures = kFixtures)
      : typeform(fixtures), fetcher(client, fast_retries(), [this](milliseconds d) { sleeps.push_back(d); }) {
    source.workspace_id = 1;
    source.source_id = 6;
    source.type = "typeform";
    source.config =
        json::object{{"form_id", FakeTypeform::kFormId}, {"base_url", typeform.base_url()}, {"page_size", 3}};
    source.credentials = json::object{{"access_token", FakeTypeform::kToken}};
    for (const auto& r : fixture.as_array())
      token_at[std::string(r.at("submitted_at").as_string())] = std::string(r.at("token").as_string());
  }

  Result<std::string> sync(std::string cursor = "", testing::RecordingSink* into = nullptr) {
    SyncContext ctx{source, std::move(cursor), fetcher};
    return connector.sync(ctx, into ? *into : sink);
  }
  // What the parser keeps of a sync's items as records.
  std::vector<json::value> kept(const testing::RecordingSink& from) const {
    return testing::kept_items(connector, source, from.items());
  }

  // The submitted_at of each emitted response, sorted.
  static std::vector<std::string> submitted(const std::vector<json::value>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(get_string(i, "submitted_at").value_or(""));
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<testing::FakeHttpService::SeenRequest> listing() {
    std::vector<testing::FakeHttpService::SeenRequest> out;
    for (auto& r : typeform.http().requests())
      if (r.path == typeform.path()) out.push_back(r);
    return out;
  }

  FakeTypeform typeform;
  ingest::HttpClient client;
  std::vector<milliseconds> sleeps;
  ingest::Fetcher fetcher;
  const Connector& connector = *find_connector("typeform");
  SourceSettings source;
  testing::RecordingSink sink;
  json::value fixture = testing::read_fixture(kFixtures / "responses.json");
  std::map<std::string, std::string> token_at;
};

TEST_F(TypeformSync, FirstSyncPagesBackWithBeforeTokens) {
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  // 8 responses, 3 per page, newest first: 3 + 3 + 2, the short page ends the listing.
  auto requests = listing();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].query.at("page_size"), "3");
  EXPECT_FALSE(requests[0].query.contains("before"));
  EXPECT_FALSE(requests[0].query.contains("since"));
  EXPECT_EQ(requests[1].query.at("before"), token_at.at("2026-03-05T14:02:17Z"));  // the last of page 1
  EXPECT_EQ(requests[2].query.at("before"), token_at.at("2026-03-03T07:02:10Z"));
  for (const auto& req : requests)
    EXPECT_EQ(req.headers.get("Authorization"), std::string("Bearer ") + FakeTypeform::kToken);
  // The response with only a plan and a country (no open text, no score) says nothing to collect, and the
  // one with only an NPS score has no words to analyse: neither becomes a record.
  EXPECT_EQ(submitted(kept(sink)),
            (std::vector<std::string>{"2026-03-02T08:14:03Z", "2026-03-02T10:41:30Z", "2026-03-04T09:12:45Z",
                                      "2026-03-05T14:02:17Z", "2026-03-05T18:05:00Z", "2026-03-06T09:30:00Z"}));
  EXPECT_EQ(*r, "2026-03-06T09:30:00Z");
  ASSERT_EQ(sink.cursors().size(), 1u);
  EXPECT_EQ(sink.pages.back().cursor, *r);
}

TEST_F(TypeformSync, AFullLastPageIsFollowedByAnEmptyOne) {
  source.config["page_size"] = 4;
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  auto requests = listing();
  ASSERT_EQ(requests.size(), 3u);  // 4 + 4, then an empty page
  EXPECT_EQ(kept(sink).size(), 6u);  // of 7: the NPS-only response has no words, so no record
  EXPECT_EQ(*r, "2026-03-06T09:30:00Z");
}

TEST_F(TypeformSync, SecondSyncAsksSinceTheCursorAndEmitsOnlyNewResponses) {
  auto first = sync();
  ASSERT_TRUE(first);
  json::object fresh = fixture.as_array()[0].as_object();
  fresh["token"] = fresh["response_id"] = fresh["landing_id"] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  fresh["submitted_at"] = "2026-03-07T10:00:00Z";
  typeform.add(fresh);

  testing::RecordingSink next;
  auto second = sync(*first, &next);
  ASSERT_TRUE(second) << second.error().message;
  auto requests = listing();
  ASSERT_EQ(requests.size(), 4u);  // one request: it reached what was collected
  EXPECT_EQ(requests.back().query.at("since"), std::to_string(*parse_time(*first) / 1000));
  // since is inclusive: the newest response already collected comes back and is dropped.
  EXPECT_EQ(submitted(kept(next)), (std::vector<std::string>{"2026-03-07T10:00:00Z"}));
  EXPECT_EQ(*second, "2026-03-07T10:00:00Z");

  testing::RecordingSink third;
  auto again = sync(*second, &third);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *second);
  EXPECT_TRUE(kept(third).empty());
  ASSERT_EQ(third.pages.size(), 1u);
  EXPECT_EQ(third.pages[0].cursor, *second);
}

TEST_F(TypeformSync, SinceIsInclusiveOnTheFirstSync) {
  source.config["since"] = "2026-03-05T18:05:00Z";
  ASSERT_TRUE(sync());
  EXPECT_EQ(listing()[0].query.at("since"), std::to_string(*parse_time("2026-03-05T18:05:00Z") / 1000 - 1));
  EXPECT_EQ(submitted(kept(sink)), (std::vector<std::string>{"2026-03-05T18:05:00Z", "2026-03-06T09:30:00Z"}));
}

class TypeformEmptyForm : public TypeformSync {
 protected:
  TypeformEmptyForm() : TypeformSync(std::filesystem::path()) {}
};

TEST_F(TypeformEmptyForm, AFormWithoutResponsesCompletes) {
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(listing().size(), 1u);
  ASSERT_EQ(sink.pages.size(), 1u);
  EXPECT_TRUE(sink.pages[0].items.empty());
}

TEST_F(TypeformSync, RateLimitIsWaitedOut) {
  typeform.http().rate_limit_next(typeform.path(), 2,
                                  json::object{{"code", "TOO_MANY_REQUESTS"}, {"description", "Rate limit exceeded"}});
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(sleeps.empty());
  EXPECT_EQ(sleeps.front(), milliseconds(2000));
  EXPECT_EQ(kept(sink).size(), 6u);  // of 7: the NPS-only response has no words, so no record
}

TEST_F(TypeformSync, ServerErrorsAreRetriedUntilTheyRecover) {
  typeform.http().fail_next(typeform.path(), 500, 2);
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(listing().size(), 5u);
  EXPECT_EQ(kept(sink).size(), 6u);  // of 7: the NPS-only response has no words, so no record
}

TEST_F(TypeformSync, MalformedPageFailsTheSyncAndKeepsTheCursor) {
  typeform.http().truncate_next(typeform.path(), R"({"total_items":5,"page_count":2,"items":[{"landing_id":)", 1,
                                "before");
  auto r = sync("2026-03-01T00:00:00Z");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_NE(r.error().message.find("GET /forms/lT4Z3j/responses page 2: malformed JSON"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().message.find("before="), std::string::npos);
  EXPECT_TRUE(sink.cursors().empty());
}

TEST_F(TypeformSync, ResponseWithoutATokenFailsTheSync) {
  typeform.http().answer_next(
      typeform.path(),
      testing::json_reply(
          200, json::object{{"total_items", 1},
                            {"page_count", 1},
                            {"items", json::array{json::object{{"submitted_at", "2026-03-02T08:14:03Z"}}}}}));
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("items[0] has no token"), std::string::npos) << r.error().message;
}

TEST_F(TypeformSync, UnknownFormAndWrongTokenFailWithTheStatus) {
  source.config["form_id"] = "nope42";
  auto missing = sync();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("/forms/nope42/responses"), std::string::npos) << missing.error().message;

  source.config["form_id"] = FakeTypeform::kFormId;
  source.credentials["access_token"] = "tfp_wrong";
  auto denied = sync();
  ASSERT_FALSE(denied);
  EXPECT_NE(denied.error().message.find("401"), std::string::npos);
  EXPECT_EQ(denied.error().message.find("tfp_wrong"), std::string::npos);
}

}  // namespace
}  // namespace chorus::connectors
