// Intercom sync against the fake workspace over loopback: search paging, parts, cursors, faults.
#include <gtest/gtest.h>

#include <algorithm>

#include "connectors/connector.hpp"
#include "core/time.hpp"
#include "ingest/fetcher.hpp"
#include "support/fake_intercom.hpp"
#include "support/recording_sink.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;
using testing::FakeIntercom;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "intercom";
constexpr const char* kSearch = "/conversations/search";

ingest::RetryPolicy fast_retries() {
  ingest::RetryPolicy p;
  p.max_attempts = 3;
  p.base_delay = milliseconds(1);
  p.max_delay = milliseconds(5);
  return p;
}

std::int64_t epoch(const char* iso) { return *parse_time(iso) / 1000; }

// Conversation ids, and "conversation/parts/part" ids for parts, sorted.
std::vector<std::string> ids_of(const std::vector<json::value>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) {
    std::string id = get_string(i, "id").value_or("");
    if (auto c = get_string(i, "conversation_id")) id = *c + "/parts/" + id;
    out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class IntercomSync : public ::testing::Test {
 protected:
  explicit IntercomSync(const std::filesystem::path& fixtures = kFixtures)
      : intercom(fixtures), fetcher(client, fast_retries(), [this](milliseconds d) { sleeps.push_back(d); }) {
    source.workspace_id = 1;
    source.source_id = 5;
    source.type = "intercom";
    source.config = json::object{{"base_url", intercom.base_url()},
                                 {"include_parts", false},
                                 {"per_page", 50},
                                 {"max_pages", 100},
                                 {"api_version", "2.11"}};
    source.credentials = json::object{{"access_token", FakeIntercom::kToken}};
  }

  Result<std::string> sync(std::string cursor = "", testing::RecordingSink* into = nullptr) {
    SyncContext ctx{source, std::move(cursor), fetcher};
    return connector.sync(ctx, into ? *into : sink);
  }
  // What the parser keeps of a sync's items as records.
  std::vector<json::value> kept(const testing::RecordingSink& from) const {
    return testing::kept_items(connector, source, from.items());
  }

  std::vector<json::value> search_bodies() {
    std::vector<json::value> out;
    for (const auto& r : intercom.http().requests())
      if (r.path == kSearch) out.push_back(parse_json(r.body).value());
    return out;
  }

  FakeIntercom intercom;
  ingest::HttpClient client;
  std::vector<milliseconds> sleeps;
  ingest::Fetcher fetcher;
  const Connector& connector = *find_connector("intercom");
  SourceSettings source;
  testing::RecordingSink sink;
};

TEST_F(IntercomSync, FirstSyncPagesThroughEveryCustomerConversation) {
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  // 7 conversations, at most 3 per page: three pages. 803 was started by a teammate: not feedback.
  EXPECT_EQ(intercom.http().count(kSearch), 3);
  EXPECT_EQ(ids_of(kept(sink)), (std::vector<std::string>{"215471234567801", "215471234567802", "215471234567804",
                                                            "215471234567805", "215471234567806", "215471234567807"}));
  EXPECT_EQ(intercom.http().count_prefix("/conversations/2"), 0) << "no part fetches without include_parts";

  auto bodies = search_bodies();
  EXPECT_EQ(find_path(bodies[0], "query.field")->as_string(), "updated_at");
  EXPECT_EQ(find_path(bodies[0], "query.operator")->as_string(), ">");
  EXPECT_EQ(find_path(bodies[0], "query.value")->to_number<std::int64_t>(), 0);
  EXPECT_EQ(find_path(bodies[0], "sort.order")->as_string(), "ascending");
  EXPECT_EQ(find_path(bodies[0], "pagination.starting_after"), nullptr);
  ASSERT_NE(find_path(bodies[1], "pagination.starting_after"), nullptr);
  for (const auto& req : intercom.http().requests()) {
    EXPECT_EQ(req.headers.get("Authorization"), std::string("Bearer ") + FakeIntercom::kToken);
    EXPECT_EQ(req.headers.get("Intercom-Version"), "2.11");
  }
  EXPECT_EQ(*r, std::to_string(epoch("2026-03-06T09:31:00Z")));
  ASSERT_EQ(sink.cursors().size(), 1u);
  EXPECT_EQ(sink.pages.back().cursor, *r);
}

TEST_F(IntercomSync, IncludePartsAddsTheCustomersReplies) {
  source.config["include_parts"] = true;
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(intercom.http().count_prefix("/conversations/2"), 7);
  auto ids = ids_of(kept(sink));
  // Customer replies in 801 (Ines), 803 (Priya, in a conversation a teammate started) and 806 (Léa);
  // the teammates' parts are left out.
  std::vector<std::string> parts;
  std::copy_if(ids.begin(), ids.end(), std::back_inserter(parts),
               [](const auto& id) { return id.find("/parts/") != std::string::npos; });
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(parts[0].starts_with("215471234567801/parts/"));
  EXPECT_TRUE(parts[1].starts_with("215471234567803/parts/"));
  EXPECT_TRUE(parts[2].starts_with("215471234567806/parts/"));
  for (const auto& item : kept(sink)) {
    auto m = connector.map(item, source);
    ASSERT_TRUE(m) << m.error().message;
  }
}

TEST_F(IntercomSync, SecondSyncFetchesOnlyUpdatedConversations) {
  auto first = sync();
  ASSERT_TRUE(first) << first.error().message;
  const json::value fixtures = testing::read_fixture(kFixtures / "conversations.json");
  json::object updated = fixtures.as_array()[4].as_object();  // 805
  updated["updated_at"] = epoch("2026-03-07T08:00:00Z");
  updated["state"] = "closed";
  intercom.put(updated);
  json::object fresh = fixtures.as_array()[6].as_object();
  fresh["id"] = "215471234567811";
  fresh["created_at"] = fresh["updated_at"] = epoch("2026-03-07T09:00:00Z");
  intercom.put(fresh);

  testing::RecordingSink next;
  auto second = sync(*first, &next);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(ids_of(kept(next)), (std::vector<std::string>{"215471234567805", "215471234567811"}));
  EXPECT_EQ(find_path(search_bodies().back(), "query.value")->to_number<std::int64_t>(), std::stoll(*first));
  EXPECT_EQ(*second, std::to_string(epoch("2026-03-07T09:00:00Z")));

  testing::RecordingSink third;
  auto again = sync(*second, &third);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *second);
  ASSERT_EQ(third.pages.size(), 1u);
  EXPECT_TRUE(third.pages[0].items.empty());
  EXPECT_EQ(third.pages[0].cursor, *second);
}

TEST_F(IntercomSync, SinceStartsTheFirstSearch) {
  source.config["since"] = "2026-03-05T00:00:00Z";
  ASSERT_TRUE(sync());
  EXPECT_EQ(find_path(search_bodies()[0], "query.value")->to_number<std::int64_t>(), epoch("2026-03-05T00:00:00Z") - 1);
  EXPECT_EQ(ids_of(kept(sink)), (std::vector<std::string>{"215471234567806", "215471234567807"}));
}

class IntercomEmptyWorkspace : public IntercomSync {
 protected:
  IntercomEmptyWorkspace() : IntercomSync(std::filesystem::path()) {}
};

TEST_F(IntercomEmptyWorkspace, AnEmptyResultCompletesTheSync) {
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(intercom.http().count(kSearch), 1);
  ASSERT_EQ(sink.pages.size(), 1u);
  EXPECT_TRUE(sink.pages[0].items.empty());
  EXPECT_EQ(sink.pages[0].cursor, "0");
}

TEST_F(IntercomSync, RateLimitIsWaitedOut) {
  http::Response limited =
      FakeIntercom::error_list(429, "rate_limit_exceeded", "You have exceeded the rate limit. Please try again later.");
  limited.headers.set("Retry-After", "3");
  limited.headers.set("X-RateLimit-Limit", "10000");
  limited.headers.set("X-RateLimit-Remaining", "0");
  intercom.http().answer_next(kSearch, limited);
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(sleeps.empty());
  EXPECT_EQ(sleeps.front(), milliseconds(3000));
  EXPECT_EQ(kept(sink).size(), 6u);
}

TEST_F(IntercomSync, ServerErrorsAreRetriedUntilTheyRecover) {
  intercom.http().fail_next(kSearch, 502, 2);
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(intercom.http().count(kSearch), 5);
  EXPECT_EQ(kept(sink).size(), 6u);
}

TEST_F(IntercomSync, MalformedPageFailsTheSyncAndKeepsTheCursor) {
  intercom.http().truncate_next(kSearch,
                                R"({"type":"conversation.list","conversations":[{"type":"conversation","id":)");
  auto r = sync("1709290000");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_NE(r.error().message.find("POST /conversations/search page 1: malformed JSON"), std::string::npos)
      << r.error().message;
  EXPECT_TRUE(sink.cursors().empty());
}

TEST_F(IntercomSync, PageWithoutConversationsFailsTheSync) {
  intercom.http().answer_next(kSearch, testing::json_reply(200, json::object{{"type", "conversation.list"}}));
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("\"conversations\" is missing"), std::string::npos) << r.error().message;
  EXPECT_TRUE(sink.pages.empty());
}

TEST_F(IntercomSync, ARepeatedPageTokenStopsTheSync) {
  // A server that keeps answering with the same next token would page forever.
  json::object page{{"type", "conversation.list"},
                    {"conversations", json::array{}},
                    {"pages", json::object{{"next", json::object{{"starting_after", "WzE3MDkzNjcwMDAsIjEiXQ=="}}}}}};
  intercom.http().answer_next(kSearch, testing::json_reply(200, page), 5);
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("POST /conversations/search page 2"), std::string::npos) << r.error().message;
  EXPECT_TRUE(sink.cursors().empty());
}

TEST_F(IntercomSync, MaxPagesStopsEarlyAndTheNextSyncCarriesOn) {
  source.config["max_pages"] = 1;
  auto first = sync();
  ASSERT_TRUE(first);
  EXPECT_EQ(ids_of(kept(sink)), (std::vector<std::string>{"215471234567801", "215471234567802"}));
  EXPECT_EQ(*first, std::to_string(epoch("2026-03-03T10:12:00Z")));
  testing::RecordingSink rest;
  ASSERT_TRUE(sync(*first, &rest));
  EXPECT_EQ(ids_of(kept(rest)), (std::vector<std::string>{"215471234567804", "215471234567805", "215471234567806"}));
}

TEST_F(IntercomSync, AConversationDeletedAfterTheSearchIsSkipped) {
  source.config["include_parts"] = true;
  intercom.http().answer_next("/conversations/215471234567806",
                              FakeIntercom::error_list(404, "not_found", "Resource Not Found"));
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  auto ids = ids_of(kept(sink));
  EXPECT_EQ(
      std::count_if(ids.begin(), ids.end(), [](const auto& id) { return id.find("/parts/") != std::string::npos; }), 2);
}

TEST_F(IntercomSync, WrongTokenFailsWithTheStatus) {
  source.credentials["access_token"] = "revoked";
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("401"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("revoked"), std::string::npos);
  source.credentials = json::object{};
  auto none = sync();
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("credentials.access_token"), std::string::npos);
}

}  // namespace
}  // namespace chorus::connectors
