// Backpressure over real loopback HTTP: while the parser is too far behind on raw.items, webhook deliveries
// get 503 with Retry-After and nothing is appended; /healthz and /metrics show each group's lag; once a
// parser drains the backlog, deliveries are accepted again and every accepted one is stored once.
#include "integration/harness.hpp"

namespace chorus::testing {
namespace {

constexpr const char* kToken = "backpressure-token-123";

class Backpressure : public WorkspaceFixture {
 protected:
  void SetUp() override {
    roles_ = "api,webhook";  // no parser: the backlog only grows
    webhook_max_backlog_ = 5;
    WorkspaceFixture::SetUp();
    src_ = add_source(json::object{{"type", "jsonl"},
                                   {"name", "hooks"},
                                   {"webhook", json::object{{"scheme", "token"}, {"secret", kToken}}},
                                   {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  }
  Reply hook(int i) {
    std::string body = R"({"id":"h)" + std::to_string(i) + R"(","text":"Great app!"})";
    return api().call("POST", "/v1/hooks/" + src_, "", body, {{"x-webhook-token", kToken}});
  }
  std::int64_t stored() {
    return num(api().get("/v1/workspaces/" + ws_ + "/sources/" + src_, key_).body, "status.items_total");
  }
  std::string src_;
};

TEST_F(Backpressure, OverTheBoundWebhooksAreRefusedWithRetryAfterUntilTheParserCatchesUp) {
  int accepted = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = hook(i);
    ASSERT_EQ(r.status, 202) << r.raw;
    ++accepted;
  }
  // The lag is read at most every 250 ms: refusals start once it shows 6 > 5.
  Reply refused;
  int next = 100;
  ASSERT_TRUE(eventually([&] {
    refused = hook(next++);
    if (refused.status == 202) ++accepted;
    return refused.status == 503;
  })) << refused.raw;
  const std::string refused_id = "h" + std::to_string(next - 1);
  EXPECT_EQ(str(refused.body, "error.code"), "unavailable") << refused.raw;
  auto retry = refused.headers.get("retry-after");
  ASSERT_TRUE(retry.has_value());
  int seconds = std::stoi(*retry);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 60);
  EXPECT_EQ(hook(next - 1).status, 503);

  auto health = api().get("/healthz", "");
  EXPECT_EQ(health.status, 200) << health.raw;  // refusing is the webhook working as configured, not a fault
  EXPECT_EQ(str(health.body, "roles.webhook.backpressure.refusing"), "true") << health.raw;
  EXPECT_EQ(num(health.body, "roles.webhook.backpressure.backlog"), accepted) << health.raw;
  EXPECT_EQ(num(health.body, "roles.webhook.backpressure.max_backlog"), 5);
  auto metrics = api().get("/metrics", "");
  EXPECT_NE(metrics.raw.find("chorus_webhook_refused_total 2\n"), std::string::npos) << metrics.raw;
  EXPECT_NE(metrics.raw.find("# TYPE chorus_bus_lag gauge\n"), std::string::npos) << metrics.raw;

  // A parser on the same data dir drains the backlog; the role reports its lag, and deliveries flow again.
  roles_ = "all";
  restart();
  ASSERT_TRUE(eventually([&] { return stored() == accepted; })) << stored();
  // The offsets are committed just after the records: the lag reaches 0 a moment later.
  EXPECT_TRUE(eventually([&] {
    health = api().get("/healthz", "");
    return num(health.body, "roles.parser.lag") == 0;
  })) << health.raw;
  EXPECT_EQ(str(health.body, "roles.parser.group"), "parser") << health.raw;
  metrics = api().get("/metrics", "");
  EXPECT_NE(metrics.raw.find("chorus_bus_lag{topic=\"raw.items\",group=\"parser\"} 0\n"), std::string::npos)
      << metrics.raw;
  Reply again;
  ASSERT_TRUE(eventually([&] {
    again = hook(200);
    return again.status == 202;
  })) << again.raw;
  EXPECT_TRUE(eventually([&] { return stored() == accepted + 1; })) << stored();
  // Refused deliveries were never appended: none of them is stored.
  auto refused_item = api().get("/v1/workspaces/" + ws_ + "/feedback?q=Great&limit=100", key_);
  for (const auto& item : refused_item.body.at("items").as_array())
    EXPECT_NE(str(item, "metadata_attributes.external_id"), refused_id);
}

// With the parser beside the webhook role, a burst of deliveries finds the parser stepping aside; once the
// burst ends it takes the backlog, and every delivery is stored once. /healthz says what it did.
class ParserYield : public Backpressure {
 protected:
  void SetUp() override {
    Backpressure::SetUp();
    roles_ = "all";
    webhook_max_backlog_ = 100000;
    parser_yield_rate_ = 10;  // any sequence of requests over loopback is a burst, even on a loaded machine
    restart();
  }
  json::value yield_health() {
    auto h = api().get("/healthz", "");
    EXPECT_EQ(h.status, 200) << h.raw;
    const auto* y = h.body.at("roles").at("parser").as_object().if_contains("ingress_yield");
    return y ? *y : json::value(nullptr);
  }
};

TEST_F(ParserYield, StepsAsideDuringABurstAndDrainsItAfterwards) {
  auto idle = yield_health();
  ASSERT_TRUE(idle.is_object());
  EXPECT_EQ(get_bool(idle, "yielding"), false);
  EXPECT_EQ(get_int(idle, "max_lag"), 50000);  // half the webhook bound of 100,000
  // The parser has joined its group: until then the backlog is unknown (-1), and a parser never steps aside
  // for a backlog it cannot measure. On a loaded machine it can join after a short burst has ended.
  ASSERT_TRUE(eventually([&] {
    auto h = api().get("/healthz", "");
    return num(h.body, "roles.webhook.backpressure.backlog") == 0;
  })) << api().get("/healthz", "").raw;
  constexpr int kBurst = 400;
  for (int i = 0; i < kBurst; ++i) ASSERT_EQ(hook(i).status, 202);
  ASSERT_TRUE(eventually([&] { return stored() == kBurst; })) << stored();
  json::value after;
  EXPECT_TRUE(eventually([&] {
    after = yield_health();
    return get_int(after, "held_ms").value_or(0) > 0 && get_bool(after, "yielding") == false;
  })) << json::serialize(after);
  auto page = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=500", key_);
  EXPECT_EQ(page.body.at("items").as_array().size(), std::size_t{kBurst}) << page.raw;
}

class ParserYieldLimits : public ParserYield {
 protected:
  void SetUp() override {
    ParserYield::SetUp();
    webhook_max_backlog_ = 40;
    parser_yield_backlog_ = 1000;
    restart();
  }
};

TEST_F(ParserYieldLimits, NeverPastHalfTheWebhookBoundAndOffAtZero) {
  EXPECT_EQ(get_int(yield_health(), "max_lag"), 20);
  parser_yield_backlog_ = 0;
  restart();
  EXPECT_TRUE(yield_health().is_null());
  ASSERT_EQ(hook(1).status, 202);
  EXPECT_TRUE(eventually([&] { return stored() == 1; }));
}

// The embedded bus deletes deliveries and records once every role has finished them and they are past the
// retention; the pipeline carries on with the next offsets and nothing stored changes.
class BusRetention : public Backpressure {
 protected:
  void SetUp() override {
    bus_retention_hours_ = 1e-9;  // a few microseconds: finished means gone at the next trim
    Backpressure::SetUp();
  }
  // A group's lag on a topic, from /healthz (topic names have dots, so not through num()'s path).
  std::int64_t lag(const json::value& health, const char* topic, const char* group) {
    const auto* t = health.at("bus").at("topics").as_object().if_contains(topic);
    if (!t) return -1;
    const auto* g = t->at("groups").as_object().if_contains(group);
    return g ? g->at("lag").to_number<std::int64_t>() : -1;
  }
  std::int64_t trimmed(const json::value& health) {
    return health.at("bus").at("trimmed_messages").to_number<std::int64_t>();
  }
};

TEST_F(BusRetention, FinishedMessagesAreDeletedAndThePipelineCarriesOn) {
  roles_ = "all";
  restart();
  for (int i = 0; i < 6; ++i) ASSERT_EQ(hook(i).status, 202);
  ASSERT_TRUE(eventually([&] { return stored() == 6; })) << stored();
  Reply health;
  ASSERT_TRUE(eventually([&] {
    health = api().get("/healthz", "");
    return lag(health.body, "raw.items", "parser") == 0 && lag(health.body, "feedback.records", "reports") == 0 &&
           lag(health.body, "feedback.records", "alerts") == 0;
  })) << health.raw;

  // The bus trims when it opens, and then every interval: six deliveries and six records.
  restart();
  ASSERT_TRUE(eventually([&] {
    health = api().get("/healthz", "");
    return trimmed(health.body) == 12;
  })) << health.raw;
  EXPECT_EQ(health.body.at("bus").at("topics").at("raw.items").at("end_offset").to_number<std::int64_t>(), 6);
  auto metrics = api().get("/metrics", "");
  EXPECT_NE(metrics.raw.find("chorus_bus_trimmed_messages_total 12\n"), std::string::npos) << metrics.raw;

  // What was stored is all there, and the next delivery flows through with the next offset.
  EXPECT_EQ(stored(), 6);
  ASSERT_EQ(hook(6).status, 202);
  ASSERT_TRUE(eventually([&] { return stored() == 7; })) << stored();
  auto page = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=100", key_);
  EXPECT_EQ(page.body.at("items").as_array().size(), 7u) << page.raw;
}

}  // namespace
}  // namespace chorus::testing
