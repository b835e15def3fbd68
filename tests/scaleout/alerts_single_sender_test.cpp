// Alerts with two reports processes on Kafka and PostgreSQL: both take live items from feedback.records,
// one evaluates (a store lease) and the outbox hands each message to one sender, so a live burst reaches
// the fake Slack endpoint exactly once (and so does its update, when there is one).
#include <gtest/gtest.h>

#include <atomic>

#include "scaleout/cluster.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::testing {
namespace {

using namespace std::chrono_literals;

TEST(AlertsScaleOut, TwoReportsProcessesSendEachAlertOnce) {
  auto* postgres = PostgresServer::shared();
  ASSERT_NE(postgres, nullptr);
  ScaleOutCluster cluster(*postgres, "alerts_" + std::to_string(getpid()));
  ASSERT_FALSE(cluster.brokers().empty());
  cluster.set_env("CHORUS_ALERTS_EVALUATE_MS", "300");
  cluster.set_env("CHORUS_ALERTS_SETTLE_MS", "1000");
  cluster.start("api", "api");
  cluster.start("parser", "parser");
  cluster.start("reports-a", "reports");
  cluster.start("reports-b", "reports");

  FakeHttpService slack;
  std::atomic<int> posts{0};
  slack.route("POST", "/services/T/B/X", [&](http::Request&) {
    ++posts;
    http::Response r;
    r.content_type = "text/plain";
    r.body = "ok";
    return r;
  });
  slack.start();

  Api api(cluster.url("api"));
  auto customer = api.post("/v1/customers", ScaleOutCluster::kAdminKey, json::object{{"name", "Acme"}});
  ASSERT_EQ(customer.status, 201) << customer.raw;
  std::string key = str(customer.body, "api_key");
  auto ws = api.post(
      "/v1/workspaces", key,
      json::object{
          {"name", "app"},
          {"sources",
           json::array{json::object{
               {"type", "jsonl"},
               {"name", "survey"},
               {"config",
                json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}, {"timestamp", "at"}}}}}}}}});
  ASSERT_EQ(ws.status, 201) << ws.raw;
  std::string w = str(ws.body, "id"), src = str(ws.body, "sources.0.id");
  auto rule = api.post(
      "/v1/workspaces/" + w + "/alerts", key,
      json::object{{"name", "Checkout"},
                   {"kind", "new_theme"},
                   {"params", json::object{{"min_count", 5}}},
                   {"channel", json::object{{"type", "slack"}, {"url", slack.base_url() + "/services/T/B/X"}}}});
  ASSERT_EQ(rule.status, 201) << rule.raw;

  // Several pushes spread over the workspace's partitions' consumers.
  TimeMs at = now_ms() - 10 * 60000;
  for (int push = 0; push < 4; ++push) {
    json::array items;
    for (int i = 0; i < 3; ++i)
      items.push_back(json::object{
          {"id", "p" + std::to_string(push) + "-" + std::to_string(i)},
          {"text", "Checkout payment fails with an error when I pay by card, attempt " + std::to_string(push * 3 + i)},
          {"at", format_time(at + push * 1000 + i)}});
    auto r = api.post("/v1/workspaces/" + w + "/sources/" + src + "/items", key, items);
    ASSERT_EQ(r.status, 202) << r.raw;
  }
  ASSERT_TRUE(eventually([&] { return posts.load() >= 1; }, 90s)) << "no alert reached Slack";
  std::this_thread::sleep_for(4s);  // a second sender would have sent by now
  auto log = api.get("/v1/workspaces/" + w + "/alerts/" + str(rule.body, "id") + "/deliveries", key);
  ASSERT_EQ(log.status, 200) << log.raw;
  // One alert, and its one update if the pushes reached the evaluator slowly enough for the first message to
  // go out at five or six items: every message in the log reached Slack exactly once.
  const auto& items = find_path(log.body, "items")->as_array();
  ASSERT_GE(items.size(), 1u) << log.raw;
  ASSERT_LE(items.size(), 2u) << log.raw;
  EXPECT_EQ(static_cast<std::size_t>(posts.load()), items.size()) << log.raw;
  for (const auto& d : items) EXPECT_EQ(str(d, "state"), "delivered") << log.raw;
  EXPECT_EQ(str(items.back(), "type"), "alert.fired") << log.raw;
}

}  // namespace
}  // namespace chorus::testing
