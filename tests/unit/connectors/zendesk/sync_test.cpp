// Zendesk sync against the fake account over loopback: export and rating paging, cursors, faults.
#include <gtest/gtest.h>

#include <algorithm>

#include "connectors/connector.hpp"
#include "core/secrets.hpp"
#include "core/time.hpp"
#include "ingest/fetcher.hpp"
#include "support/fake_zendesk.hpp"
#include "support/recording_sink.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;
using testing::FakeZendesk;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "zendesk";
constexpr const char* kExport = "/api/v2/incremental/tickets/cursor.json";
constexpr const char* kRatings = "/api/v2/satisfaction_ratings.json";

ingest::RetryPolicy fast_retries() {
  ingest::RetryPolicy p;
  p.max_attempts = 3;
  p.base_delay = milliseconds(1);
  p.max_delay = milliseconds(5);
  return p;
}

std::string id_of(const json::value& item) { return get_string(item, "id").value_or(""); }

std::vector<std::string> ticket_ids(const std::vector<json::value>& items) {
  std::vector<std::string> out;
  for (const auto& i : items)
    if (!i.as_object().contains("ticket_id")) out.push_back(id_of(i));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> rating_ids(const std::vector<json::value>& items) {
  std::vector<std::string> out;
  for (const auto& i : items)
    if (i.as_object().contains("ticket_id")) out.push_back(id_of(i));
  std::sort(out.begin(), out.end());
  return out;
}

class ZendeskSync : public ::testing::Test {
 protected:
  explicit ZendeskSync(const std::filesystem::path& fixtures = kFixtures)
      : zendesk(fixtures), fetcher(client, fast_retries(), [this](milliseconds d) { sleeps.push_back(d); }) {
    source.workspace_id = 1;
    source.source_id = 4;
    source.type = "zendesk";
    source.config = json::object{{"subdomain", "acme"},
                                 {"base_url", zendesk.base_url()},
                                 {"include_satisfaction_ratings", true},
                                 {"max_pages", 50}};
    source.credentials = json::object{{"email", FakeZendesk::kEmail}, {"api_token", FakeZendesk::kToken}};
  }

  Result<std::string> sync(std::string cursor = "", testing::RecordingSink* into = nullptr) {
    SyncContext ctx{source, std::move(cursor), fetcher};
    return connector.sync(ctx, into ? *into : sink);
  }
  // What the parser keeps of a sync's items as records.
  std::vector<json::value> kept(const testing::RecordingSink& from) const {
    return testing::kept_items(connector, source, from.items());
  }

  std::vector<testing::FakeHttpService::SeenRequest> requests_to(const std::string& path) {
    std::vector<testing::FakeHttpService::SeenRequest> out;
    for (auto& r : zendesk.http().requests())
      if (r.path == path) out.push_back(r);
    return out;
  }

  FakeZendesk zendesk;
  ingest::HttpClient client;
  std::vector<milliseconds> sleeps;
  ingest::Fetcher fetcher;
  const Connector& connector = *find_connector("zendesk");
  SourceSettings source;
  testing::RecordingSink sink;
};

TEST_F(ZendeskSync, FirstSyncExportsEveryTicketAndTheCommentedRatings) {
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;

  // 9 tickets, 3 per page: three export pages, the last says end_of_stream. The deleted one (48107) is
  // not feedback.
  EXPECT_EQ(zendesk.http().count(kExport), 3);
  EXPECT_EQ(ticket_ids(kept(sink)),
            (std::vector<std::string>{"48101", "48102", "48103", "48104", "48105", "48106", "48108", "48109"}));
  // 5 ratings, 2 per page: three pages. Only verdicts with a comment become records.
  EXPECT_EQ(zendesk.http().count(kRatings), 3);
  EXPECT_EQ(rating_ids(kept(sink)), (std::vector<std::string>{"5501", "5502", "5505"}));

  auto exports = requests_to(kExport);
  EXPECT_EQ(exports[0].query.at("start_time"), "0");
  EXPECT_EQ(exports[0].query.at("include"), "users");
  EXPECT_FALSE(exports[1].query.contains("start_time"));
  EXPECT_FALSE(exports[1].query.at("cursor").empty());
  for (const auto& req : zendesk.http().requests())
    EXPECT_EQ(req.headers.get("Authorization"),
              "Basic " + base64_encode(std::string(FakeZendesk::kEmail) + "/token:" + FakeZendesk::kToken));

  // The requester is copied from the sideloaded users onto the ticket.
  for (const auto& item : kept(sink)) {
    if (id_of(item) != "48101") continue;
    auto m = connector.map(item, source);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->username, "Ines Duarte");
    EXPECT_EQ(m->email, "ines.duarte@example.com");
  }

  // Only the last page carries the cursor: the export position and the ratings' next start.
  ASSERT_EQ(sink.cursors().size(), 1u);
  EXPECT_TRUE(sink.pages.back().cursor.has_value());
  auto cursor = parse_json(*r);
  ASSERT_TRUE(cursor) << *r;
  EXPECT_FALSE(get_string(*cursor, "tickets").value_or("").empty());
  EXPECT_EQ(get_int(*cursor, "ratings_after"), *parse_time("2026-03-05T17:40:41Z") / 1000 + 1);
  EXPECT_EQ(sink.pages.back().cursor, *r);
}

TEST_F(ZendeskSync, SinceSetsTheFirstExportsStartTime) {
  source.config["since"] = "2026-03-05T00:00:00Z";
  ASSERT_TRUE(sync());
  auto exports = requests_to(kExport);
  ASSERT_FALSE(exports.empty());
  EXPECT_EQ(exports[0].query.at("start_time"), std::to_string(*parse_time("2026-03-05T00:00:00Z") / 1000));
  // Updated on or after March 5: 48106, 48108, 48109 (48107 is deleted).
  EXPECT_EQ(ticket_ids(kept(sink)), (std::vector<std::string>{"48106", "48108", "48109"}));
  EXPECT_EQ(rating_ids(kept(sink)), (std::vector<std::string>{"5505"}));
  EXPECT_EQ(requests_to(kRatings)[0].query.at("start_time"), exports[0].query.at("start_time"));
}

TEST_F(ZendeskSync, SecondSyncFetchesOnlyWhatChanged) {
  auto first = sync();
  ASSERT_TRUE(first) << first.error().message;
  int exports_before = zendesk.http().count(kExport);

  // A new ticket, an update to an old one, and a new commented rating.
  const json::value fixtures = testing::read_fixture(kFixtures / "tickets.json");
  json::object fresh = fixtures.as_array()[0].as_object();
  fresh["id"] = 48110;
  fresh["created_at"] = fresh["updated_at"] = "2026-03-07T08:00:00Z";
  fresh["subject"] = "Offline mode lost my edits";
  fresh["description"] = "I edited notes on a plane and everything I wrote is gone after reconnecting.";
  zendesk.put_ticket(fresh);
  json::object updated = fixtures.as_array()[4].as_object();
  updated["status"] = "solved";
  updated["updated_at"] = "2026-03-07T09:00:00Z";
  zendesk.put_ticket(updated);
  zendesk.add_rating(json::object{{"url", "https://acme.zendesk.com/api/v2/satisfaction_ratings/5506.json"},
                                  {"id", 5506},
                                  {"ticket_id", 48105},
                                  {"requester_id", 9005},
                                  {"score", "good"},
                                  {"comment", "Solved in minutes."},
                                  {"created_at", "2026-03-07T09:05:00Z"},
                                  {"updated_at", "2026-03-07T09:05:00Z"}});

  testing::RecordingSink next;
  auto second = sync(*first, &next);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(ticket_ids(kept(next)), (std::vector<std::string>{"48105", "48110"}));
  EXPECT_EQ(rating_ids(kept(next)), (std::vector<std::string>{"5506"}));
  // One export request, from the saved cursor; ratings from the saved start.
  EXPECT_EQ(zendesk.http().count(kExport), exports_before + 1);
  auto exports = requests_to(kExport);
  EXPECT_EQ(exports.back().query.at("cursor"), get_string(*parse_json(*first), "tickets"));
  EXPECT_EQ(requests_to(kRatings).back().query.at("start_time"),
            std::to_string(*get_int(*parse_json(*first), "ratings_after")));

  // Nothing changed since: a third sync emits one empty page that keeps the position.
  testing::RecordingSink third;
  auto again = sync(*second, &third);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(kept(third).empty());
  ASSERT_EQ(third.pages.size(), 1u);
  EXPECT_EQ(third.pages[0].cursor, *again);
  EXPECT_EQ(get_string(*parse_json(*again), "tickets"), get_string(*parse_json(*second), "tickets"));
}

class ZendeskEmptyAccount : public ZendeskSync {
 protected:
  ZendeskEmptyAccount() : ZendeskSync(std::filesystem::path()) {}
};

TEST_F(ZendeskEmptyAccount, AnEmptyExportCompletesWithACursor) {
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(zendesk.http().count(kExport), 1);
  ASSERT_EQ(sink.pages.size(), 1u);
  EXPECT_TRUE(sink.pages[0].items.empty());
  EXPECT_EQ(sink.pages[0].cursor, *r);
  EXPECT_TRUE(parse_json(*r));
}

TEST_F(ZendeskSync, AnEmptyPageInTheMiddleOfTheStreamIsFollowed) {
  std::string position = FakeZendesk::encode_cursor({-1, 0});
  zendesk.http().answer_next(kExport, testing::json_reply(200, json::object{{"tickets", json::array{}},
                                                                            {"after_cursor", position},
                                                                            {"after_url", nullptr},
                                                                            {"before_cursor", nullptr},
                                                                            {"before_url", nullptr},
                                                                            {"end_of_stream", false}}));
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(zendesk.http().count(kExport), 4);
  EXPECT_EQ(requests_to(kExport)[1].query.at("cursor"), position);
  EXPECT_EQ(ticket_ids(kept(sink)).size(), 8u);
}

TEST_F(ZendeskSync, RateLimitIsWaitedOutAsRetryAfterSays) {
  zendesk.http().rate_limit_next(
      kExport, 7,
      json::object{{"error", "APIRateLimitExceeded"},
                   {"description", "Number of allowed incremental export API requests per minute exceeded"}});
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(sleeps.empty());
  EXPECT_EQ(sleeps.front(), milliseconds(7000));
  EXPECT_EQ(zendesk.http().count(kExport), 4);  // the refused request, then the three pages
  EXPECT_EQ(ticket_ids(kept(sink)).size(), 8u);
}

TEST_F(ZendeskSync, ServerErrorsAreRetriedUntilTheyRecover) {
  zendesk.http().fail_next(kRatings, 500, 2);
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(zendesk.http().count(kRatings), 5);  // two 500s, then the three pages
  EXPECT_EQ(rating_ids(kept(sink)).size(), 3u);
  EXPECT_EQ(sleeps.size(), 2u);
}

TEST_F(ZendeskSync, ServerErrorsThatPersistFailTheSyncWithoutACursor) {
  zendesk.http().fail_next(kExport, 503, 10);
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("GET /api/v2/incremental/tickets/cursor.json page 1"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("503"), std::string::npos) << r.error().message;
  EXPECT_TRUE(sink.cursors().empty());
}

TEST_F(ZendeskSync, MalformedPageFailsTheSyncAndKeepsTheCursor) {
  zendesk.http().truncate_next(
      kExport, R"({"tickets":[{"url":"https://acme.zendesk.com/api/v2/tickets/48104.json","id":)", 1, "cursor");
  auto r = sync("");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_NE(r.error().message.find("GET /api/v2/incremental/tickets/cursor.json page 2"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("malformed JSON"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("cursor="), std::string::npos) << "query strings stay out of errors";
  EXPECT_TRUE(sink.cursors().empty());
}

TEST_F(ZendeskSync, PageOfTheWrongShapeFailsTheSync) {
  zendesk.http().answer_next(kRatings, testing::json_reply(200, json::object{{"satisfaction_ratings", "none"}}));
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("GET /api/v2/satisfaction_ratings.json page 1"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("satisfaction_ratings"), std::string::npos);
  EXPECT_TRUE(sink.cursors().empty());
}

TEST_F(ZendeskSync, MaxPagesStopsEarlyAndTheNextSyncCarriesOn) {
  source.config["max_pages"] = 1;
  source.config["include_satisfaction_ratings"] = false;
  auto first = sync();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(ticket_ids(kept(sink)).size(), 3u);
  EXPECT_EQ(zendesk.http().count(kRatings), 0);

  testing::RecordingSink rest;
  auto second = sync(*first, &rest);
  ASSERT_TRUE(second);
  // The second export page: 48105, 48103 and the deleted 48107.
  EXPECT_EQ(ticket_ids(kept(rest)), (std::vector<std::string>{"48103", "48105"}));
}

TEST_F(ZendeskSync, WrongCredentialsFailWithTheStatusAndNoSecret) {
  source.credentials["api_token"] = "not-the-token";
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("401"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(kExport), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("not-the-token"), std::string::npos);
  EXPECT_TRUE(sink.pages.empty());
}

TEST_F(ZendeskSync, MissingCredentialsAreNamed) {
  source.credentials = json::object{};
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_NE(r.error().message.find("credentials.email"), std::string::npos) << r.error().message;
  EXPECT_EQ(zendesk.http().requests().size(), 0u);
}

}  // namespace
}  // namespace chorus::connectors
