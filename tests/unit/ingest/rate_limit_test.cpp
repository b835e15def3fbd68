// The rate-limit signals of particular APIs: GitHub's secondary limit (403 with Retry-After or only a
// message), GitHub's primary reset as an epoch, Reddit's reset as seconds from now (and as a float),
// and 404/410 as not_found.
#include <gtest/gtest.h>

#include <chrono>

#include "core/time.hpp"
#include "ingest/fetcher.hpp"
#include "unit/ingest/local_server.hpp"

namespace chorus::ingest {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using test::LocalServer;

OutboundRequest get(std::string url) {
  OutboundRequest req;
  req.url = std::move(url);
  return req;
}

struct Sleeps {
  std::vector<milliseconds> list;
  Fetcher::Sleeper fn() {
    return [this](milliseconds d) { list.push_back(d); };
  }
};

RetryPolicy policy() {
  RetryPolicy p;
  p.max_attempts = 4;
  p.base_delay = 10ms;
  p.max_delay = 20ms;
  p.max_rate_limit_wait = 600s;
  return p;
}

const char* kSecondary =
    R"({"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",)"
    R"("documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"})";

TEST(RateLimits, GitHubSecondaryWithRetryAfter) {
  LocalServer server;
  // Quota is left (remaining 4990), so the reset an hour away must not be what we wait for.
  std::string reset = std::to_string(now_ms() / 1000 + 3600);
  server.script(
      "/repos/a/b/issues",
      {LocalServer::answer(403, kSecondary,
                           {{"Retry-After", "30"}, {"X-RateLimit-Remaining", "4990"}, {"X-RateLimit-Reset", reset}}),
       LocalServer::answer(200, "[]")});
  HttpClient client;
  Sleeps sleeps;
  Fetcher fetcher(client, policy(), sleeps.fn());
  auto res = fetcher.get(get(server.url("/repos/a/b/issues")));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(sleeps.list, (std::vector<milliseconds>{30s}));
}

TEST(RateLimits, GitHubSecondaryWithOnlyAMessageWaitsAMinuteThenLonger) {
  LocalServer server;
  server.script("/search", {LocalServer::answer(403, kSecondary, {{"X-RateLimit-Remaining", "25"}}),
                            LocalServer::answer(403, kSecondary, {{"X-RateLimit-Remaining", "25"}}),
                            LocalServer::answer(200, "[]")});
  HttpClient client;
  Sleeps sleeps;
  Fetcher fetcher(client, policy(), sleeps.fn());
  ASSERT_TRUE(fetcher.get(get(server.url("/search"))));
  EXPECT_EQ(sleeps.list, (std::vector<milliseconds>{60s, 120s}));
}

TEST(RateLimits, GitHubSecondaryLongerThanAllowedGivesUpAsRateLimited) {
  LocalServer server;
  server.script("/search", {LocalServer::answer(403, kSecondary)});
  HttpClient client;
  Sleeps sleeps;
  RetryPolicy p = policy();
  p.max_rate_limit_wait = 90s;
  Fetcher fetcher(client, p, sleeps.fn());
  auto res = fetcher.get(get(server.url("/search")));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, ErrorCode::rate_limited);
  EXPECT_EQ(sleeps.list, (std::vector<milliseconds>{60s}));  // the second wait (120 s) is over the limit
}

TEST(RateLimits, GitHubPrimaryLimitOn429WaitsForTheEpochReset) {
  LocalServer server;
  std::string reset = std::to_string(now_ms() / 1000 + 40);
  server.script("/x", {LocalServer::answer(429, R"({"message":"API rate limit exceeded for user ID 1."})",
                                           {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", reset}}),
                       LocalServer::answer(200, "[]")});
  HttpClient client;
  Sleeps sleeps;
  Fetcher fetcher(client, policy(), sleeps.fn());
  ASSERT_TRUE(fetcher.get(get(server.url("/x"))));
  ASSERT_EQ(sleeps.list.size(), 1u);
  EXPECT_GE(sleeps.list[0], 38s);
  EXPECT_LE(sleeps.list[0], 40s);
}

TEST(RateLimits, ForbiddenWithQuotaLeftAndNoMessageIsNotARateLimit) {
  LocalServer server;
  server.script("/private", {LocalServer::answer(403, R"({"message":"Resource not accessible by integration"})",
                                                 {{"X-RateLimit-Remaining", "4999"}})});
  HttpClient client;
  Sleeps sleeps;
  Fetcher fetcher(client, policy(), sleeps.fn());
  auto res = fetcher.get(get(server.url("/private")));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, ErrorCode::upstream);
  EXPECT_TRUE(sleeps.list.empty());
}

TEST(RateLimits, RedditResetCountsSecondsFromNow) {
  LocalServer server;
  // Reddit's headers, floats included; the reset is the seconds left in the 10-minute window.
  server.script("/r/x/new.json",
                {LocalServer::answer(
                     429, R"({"message": "Too Many Requests", "error": 429})",
                     {{"X-Ratelimit-Used", "100"}, {"X-Ratelimit-Remaining", "0.0"}, {"X-Ratelimit-Reset", "42"}}),
                 LocalServer::answer(200, "{}")});
  HttpClient client;
  Sleeps sleeps;
  RetryPolicy p = policy();
  p.rate_limit_reset = RateLimitReset::seconds_from_now;
  Fetcher fetcher(client, p, sleeps.fn());
  ASSERT_TRUE(fetcher.get(get(server.url("/r/x/new.json"))));
  EXPECT_EQ(sleeps.list, (std::vector<milliseconds>{42s}));
}

TEST(RateLimits, RedditStyleResetReadAsAnEpochWouldNotWait) {
  // The same answer under the epoch reading: 42 is long past, so there is nothing to wait for. This is
  // why the Reddit connector switches the policy.
  LocalServer server;
  server.script("/r/x/new.json",
                {LocalServer::answer(429, "", {{"X-Ratelimit-Remaining", "0"}, {"X-Ratelimit-Reset", "42"}}),
                 LocalServer::answer(200, "{}")});
  HttpClient client;
  Sleeps sleeps;
  Fetcher fetcher(client, policy(), sleeps.fn());
  ASSERT_TRUE(fetcher.get(get(server.url("/r/x/new.json"))));
  EXPECT_EQ(sleeps.list, (std::vector<milliseconds>{0ms}));
}

TEST(RateLimits, FractionalSecondsRoundUp) {
  LocalServer server;
  server.script("/x", {LocalServer::answer(429, "", {{"X-Ratelimit-Remaining", "0"}, {"X-Ratelimit-Reset", "1.2005"}}),
                       LocalServer::answer(429, "", {{"Retry-After", "0.25"}}), LocalServer::answer(200, "{}")});
  HttpClient client;
  Sleeps sleeps;
  RetryPolicy p = policy();
  p.rate_limit_reset = RateLimitReset::seconds_from_now;
  Fetcher fetcher(client, p, sleeps.fn());
  ASSERT_TRUE(fetcher.get(get(server.url("/x"))));
  EXPECT_EQ(sleeps.list, (std::vector<milliseconds>{1201ms, 250ms}));
}

TEST(RateLimits, NotFoundAndGoneAreNotFound) {
  LocalServer server;
  server.script("/gone", {LocalServer::answer(410, R"({"message":"This issue was deleted"})")});
  HttpClient client;
  Sleeps sleeps;
  Fetcher fetcher(client, policy(), sleeps.fn());
  auto gone = fetcher.get(get(server.url("/gone")));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);
  EXPECT_NE(gone.error().message.find("answered 410 Gone"), std::string::npos) << gone.error().message;
  auto missing = fetcher.get_json(get(server.url("/nothing-here")));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(server.hits("/gone"), 1);
  EXPECT_TRUE(sleeps.list.empty());
}

TEST(RateLimits, PolicyCanBeAdjustedAfterConstruction) {
  HttpClient client;
  Fetcher fetcher(client, policy(), [](milliseconds) {});
  fetcher.policy().rate_limit_reset = RateLimitReset::seconds_from_now;
  EXPECT_EQ(fetcher.policy().rate_limit_reset, RateLimitReset::seconds_from_now);
  EXPECT_EQ(fetcher.policy().max_attempts, 4);
}

}  // namespace
}  // namespace chorus::ingest
