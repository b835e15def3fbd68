// Fetcher: retries, backoff, rate limits and error messages against scripted answers on loopback.
#include "ingest/fetcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <vector>

#include "core/time.hpp"
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

// Records every requested sleep instead of sleeping.
struct FakeSleeper {
  std::vector<milliseconds> sleeps;
  Fetcher::Sleeper fn() {
    return [this](milliseconds d) { sleeps.push_back(d); };
  }
};

RetryPolicy fast_policy(int attempts = 5) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.base_delay = 100ms;
  p.max_delay = 1000ms;
  return p;
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST(Fetcher, RetriesA5xxThenSucceeds) {
  LocalServer server;
  server.script("/flaky", {LocalServer::answer(500, "oops"), LocalServer::answer(200, "fine")});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  auto res = fetcher.get(get(server.url("/flaky")));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "fine");
  EXPECT_EQ(fetcher.attempts_made(), 2);
  EXPECT_EQ(server.hits("/flaky"), 2);
  ASSERT_EQ(sleeper.sleeps.size(), 1u);
  EXPECT_LE(sleeper.sleeps[0], 100ms);  // full jitter under base_delay for the first retry
}

TEST(Fetcher, GivesUpOn5xxAfterMaxAttemptsWithGrowingCaps) {
  LocalServer server;
  server.script("/down", {LocalServer::answer(502, "<html>bad gateway</html>")});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(4), sleeper.fn());
  auto res = fetcher.get(get(server.url("/down?token=s3cret")));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::upstream);
  EXPECT_EQ(res.error().message,
            "GET " + server.url("/down") + " answered 502 Bad Gateway (after 4 attempts): <html>bad gateway</html>");
  EXPECT_EQ(fetcher.attempts_made(), 4);
  ASSERT_EQ(sleeper.sleeps.size(), 3u);
  EXPECT_LE(sleeper.sleeps[0], 100ms);
  EXPECT_LE(sleeper.sleeps[1], 200ms);
  EXPECT_LE(sleeper.sleeps[2], 400ms);
}

TEST(Fetcher, BackoffIsCappedByMaxDelay) {
  LocalServer server;
  server.script("/down", {LocalServer::answer(500)});
  HttpClient client;
  FakeSleeper sleeper;
  RetryPolicy policy = fast_policy(8);
  policy.max_delay = 150ms;
  Fetcher fetcher(client, policy, sleeper.fn());
  EXPECT_FALSE(fetcher.get(get(server.url("/down"))).ok());
  ASSERT_EQ(sleeper.sleeps.size(), 7u);
  for (auto d : sleeper.sleeps) EXPECT_LE(d, 150ms);
}

TEST(Fetcher, TooManyRequestsWaitsForRetryAfterSeconds) {
  LocalServer server;
  server.script("/limited",
                {LocalServer::answer(429, "slow down", {{"Retry-After", "2"}}), LocalServer::answer(200, "[]")});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  auto res = fetcher.get(get(server.url("/limited")));
  ASSERT_TRUE(res.ok()) << res.error().message;
  ASSERT_EQ(sleeper.sleeps.size(), 1u);
  EXPECT_EQ(sleeper.sleeps[0], 2000ms);
}

TEST(Fetcher, RetryAfterAsAnHttpDate) {
  LocalServer server;
  server.script("/limited", {LocalServer::answer(429, "", {{"Retry-After", http_date(std::time(nullptr) + 10)}}),
                             LocalServer::answer(200, "ok")});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  ASSERT_TRUE(fetcher.get(get(server.url("/limited"))).ok());
  ASSERT_EQ(sleeper.sleeps.size(), 1u);
  EXPECT_GE(sleeper.sleeps[0], 8000ms);
  EXPECT_LE(sleeper.sleeps[0], 10000ms);
}

TEST(RetryAfter, SecondsDatesAndWhatCannotBeRead) {
  auto wait = [](std::string value, TimeMs now = 0) {
    http::Headers h;
    h.set("Retry-After", std::move(value));
    return retry_after(h, now);
  };
  EXPECT_EQ(wait("120"), std::optional<milliseconds>(120000ms));
  EXPECT_EQ(wait("0.5"), std::optional<milliseconds>(500ms));
  const TimeMs now = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(wait("Sun, 06 Nov 1994 08:49:47 GMT", now), std::optional<milliseconds>(10000ms));
  EXPECT_EQ(wait("Sun, 06 Nov 1994 08:49:27 GMT", now), std::optional<milliseconds>(0ms));  // past: no wait
  EXPECT_EQ(wait("soon"), std::nullopt);
  EXPECT_EQ(wait("-5"), std::nullopt);
  EXPECT_EQ(retry_after(http::Headers{}, now), std::nullopt);
}

TEST(Fetcher, ForbiddenWithNoRemainingQuotaWaitsForTheReset) {
  LocalServer server;
  auto reset = std::to_string(now_ms() / 1000 + 30);
  server.script("/gh", {LocalServer::answer(403, R"({"message":"API rate limit exceeded"})",
                                            {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", reset}}),
                        LocalServer::answer(200, "ok")});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  ASSERT_TRUE(fetcher.get(get(server.url("/gh"))).ok());
  ASSERT_EQ(sleeper.sleeps.size(), 1u);
  EXPECT_GE(sleeper.sleeps[0], 28000ms);
  EXPECT_LE(sleeper.sleeps[0], 30000ms);
}

TEST(Fetcher, RateLimitWithoutAHintBacksOff) {
  LocalServer server;
  server.script("/limited", {LocalServer::answer(429), LocalServer::answer(200, "ok")});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  ASSERT_TRUE(fetcher.get(get(server.url("/limited"))).ok());
  ASSERT_EQ(sleeper.sleeps.size(), 1u);
  EXPECT_LE(sleeper.sleeps[0], 100ms);
}

TEST(Fetcher, RateLimitLongerThanAllowedGivesUp) {
  LocalServer server;
  server.script("/limited", {LocalServer::answer(429, "", {{"Retry-After", "3600"}})});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  auto res = fetcher.get(get(server.url("/limited")));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::rate_limited);
  EXPECT_EQ(res.error().message, "rate limited by " + server.host() + " for 3600s; giving up");
  EXPECT_TRUE(sleeper.sleeps.empty());
  EXPECT_EQ(server.hits("/limited"), 1);
}

TEST(Fetcher, RateLimitThatNeverLiftsEndsAfterMaxAttempts) {
  LocalServer server;
  server.script("/limited", {LocalServer::answer(429, "", {{"Retry-After", "1"}})});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(3), sleeper.fn());
  auto res = fetcher.get(get(server.url("/limited")));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::rate_limited);
  EXPECT_EQ(sleeper.sleeps, (std::vector<milliseconds>{1000ms, 1000ms}));
}

TEST(Fetcher, NotFoundIsAnImmediateErrorNamingTheStatus) {
  LocalServer server;
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  auto res = fetcher.get(get(server.url("/missing?api_key=s3cret")));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::not_found);
  EXPECT_EQ(res.error().message,
            "GET " + server.url("/missing") + R"( answered 404 Not Found: {"message":"Not Found"})");
  EXPECT_EQ(fetcher.attempts_made(), 1);
  EXPECT_TRUE(sleeper.sleeps.empty());
}

TEST(Fetcher, ForbiddenWithoutRateLimitIsNotRetried) {
  LocalServer server;
  server.script("/private", {LocalServer::answer(403, std::string(500, 'x'), {{"X-RateLimit-Remaining", "12"}})});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  auto res = fetcher.get(get(server.url("/private")));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::upstream);
  std::string prefix = "GET " + server.url("/private") + " answered 403 Forbidden: ";
  ASSERT_EQ(res.error().message.substr(0, prefix.size()), prefix);
  EXPECT_LE(res.error().message.size() - prefix.size(), 200u);  // a snippet, not the whole body
  EXPECT_EQ(server.hits("/private"), 1);
}

TEST(Fetcher, TransportErrorsAreRetried) {
  std::string url = "http://127.0.0.1:" + std::to_string(test::closed_port()) + "/x";

  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(3), sleeper.fn());
  auto res = fetcher.get(get(url + "?secret=1"));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::upstream);
  EXPECT_EQ(res.error().message, "GET " + url + ": Couldn't connect to server (after 3 attempts)");
  EXPECT_EQ(fetcher.attempts_made(), 3);
  EXPECT_EQ(sleeper.sleeps.size(), 2u);
}

TEST(Fetcher, GetJsonParsesAndRejectsMalformedBodies) {
  LocalServer server;
  server.script("/good", {LocalServer::answer(200, R"({"topics":[{"id":1}]})")});
  server.script("/bad", {LocalServer::answer(200, "<html>not json")});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());

  auto good = fetcher.get_json(get(server.url("/good")));
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(find_path(*good, "topics.0.id")->as_int64(), 1);

  auto bad = fetcher.get_json(get(server.url("/bad?page=2&key=s3cret")));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::upstream);
  std::string prefix = "malformed JSON from " + server.url("/bad") + ": ";
  EXPECT_EQ(bad.error().message.substr(0, prefix.size()), prefix) << bad.error().message;
  EXPECT_EQ(bad.error().message.find("s3cret"), std::string::npos);
  EXPECT_GT(bad.error().message.size(), prefix.size());
}

TEST(Fetcher, GetJsonPassesHttpErrorsThrough) {
  LocalServer server;
  HttpClient client;
  Fetcher fetcher(client, fast_policy(), FakeSleeper{}.fn());
  auto res = fetcher.get_json(get(server.url("/nope")));
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("answered 404 Not Found"), std::string::npos);
}

TEST(Fetcher, GetAllRetriesOnlyTheFailuresAndKeepsOrder) {
  LocalServer server;
  server.script("/a", {LocalServer::answer(200, "a")});
  server.script("/b", {LocalServer::answer(503), LocalServer::answer(200, "b")});
  server.script("/c", {LocalServer::answer(429, "", {{"Retry-After", "1"}}), LocalServer::answer(200, "c")});
  server.script("/d", {LocalServer::answer(404)});
  HttpClient client;
  FakeSleeper sleeper;
  Fetcher fetcher(client, fast_policy(), sleeper.fn());
  std::vector<OutboundRequest> batch = {get(server.url("/a")), get(server.url("/b")), get(server.url("/c")),
                                        get(server.url("/d"))};
  auto results = fetcher.get_all(batch);
  ASSERT_EQ(results.size(), 4u);
  ASSERT_TRUE(results[0].ok());
  EXPECT_EQ(results[0]->body, "a");
  ASSERT_TRUE(results[1].ok());
  EXPECT_EQ(results[1]->body, "b");
  ASSERT_TRUE(results[2].ok());
  EXPECT_EQ(results[2]->body, "c");
  ASSERT_FALSE(results[3].ok());
  EXPECT_NE(results[3].error().message.find("404"), std::string::npos);
  EXPECT_EQ(server.hits("/a"), 1);
  EXPECT_EQ(server.hits("/b"), 2);
  EXPECT_EQ(server.hits("/c"), 2);
  EXPECT_EQ(server.hits("/d"), 1);
  EXPECT_EQ(fetcher.attempts_made(), 6);
  ASSERT_EQ(sleeper.sleeps.size(), 2u);
  EXPECT_EQ(sleeper.sleeps[1], 1000ms);
}

TEST(Fetcher, RealSleeperByDefault) {
  LocalServer server;
  server.script("/flaky", {LocalServer::answer(500), LocalServer::answer(200, "ok")});
  HttpClient client;
  RetryPolicy policy = fast_policy();
  policy.base_delay = 1ms;
  Fetcher fetcher(client, policy);
  auto res = fetcher.get(get(server.url("/flaky")));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(fetcher.attempts_made(), 2);
}

}  // namespace
}  // namespace chorus::ingest
