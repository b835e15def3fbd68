// kill -9 under load at the parser's batch sizes: webhooks pour into a `chorus serve` (all roles, embedded)
// while its parser works through batches of hundreds; the process is killed mid-stream, restarted on the
// same data dir, and every acknowledged delivery is then stored exactly once, counted once by the rollups.
// The same for a bulk import (`chorus import`'s requests of a thousand items), killed while it is parsed.
#include <mutex>
#include <set>
#include <thread>

#include "scaleout/cluster.hpp"

namespace chorus::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAdmin = "chadm_crash_under_load_admin";
constexpr const char* kToken = "crash-under-load-token";

class CrashUnderLoad : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_dir("crash-load"); }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    if (!HasFailure()) std::filesystem::remove_all(dir_, ec);
  }
  void start() {
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{CHORUS_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir",
                                 (dir_ / "data").string(), "--parser-batch", "256"},
        std::map<std::string, std::string>{{"CHORUS_ADMIN_KEY", kAdmin}},
        dir_ / ("serve-" + std::to_string(++starts_) + ".log"));
    std::string url = server_->wait_for(R"(listening on (http://127\.0\.0\.1:\d+))");
    ASSERT_FALSE(url.empty()) << server_->log();
    api_ = std::make_unique<Api>(url);
  }
  void make_source(const json::object& extra) {
    auto c = api_->post("/v1/customers", kAdmin, json::object{{"name", "acme"}});
    ASSERT_EQ(c.status, 201) << c.raw;
    key_ = str(c.body, "api_key");
    auto w = api_->post("/v1/workspaces", key_, json::object{{"name", "app"}, {"sources", json::array{}}});
    ASSERT_EQ(w.status, 201) << w.raw;
    ws_ = str(w.body, "id");
    json::object spec{{"type", "jsonl"},
                      {"name", "feed"},
                      {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"},
                                                                      {"timestamp", "at"}}}}}};
    for (const auto& kv : extra) spec[kv.key()] = kv.value();
    auto s = api_->post("/v1/workspaces/" + ws_ + "/sources", key_, spec);
    ASSERT_EQ(s.status, 201) << s.raw;
    src_ = str(s.body, "id");
  }
  // Every record of the workspace, by external id, checking on the way that none is listed twice.
  std::set<std::string> stored_ids() {
    std::set<std::string> stored;
    std::size_t listed = 0;
    std::string cursor;
    do {
      auto page = api_->get(
          "/v1/workspaces/" + ws_ + "/feedback?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor), key_);
      EXPECT_EQ(page.status, 200) << page.raw;
      if (page.status != 200) break;
      for (const auto& item : page.body.at("items").as_array()) {
        stored.insert(str(item, "metadata_attributes.external_id"));
        ++listed;
      }
      cursor = str(page.body, "next_cursor");
      if (cursor == "null") cursor.clear();
    } while (!cursor.empty());
    EXPECT_EQ(listed, stored.size()) << "a record was stored twice";
    return stored;
  }
  bool caught_up(std::int64_t total) {
    auto h = api_->get("/healthz", "");
    return items_total() >= total && num(h.body, "roles.parser.lag") == 0 && num(h.body, "roles.reports.lag") == 0;
  }
  std::int64_t items_total() {
    return num(api_->get("/v1/workspaces/" + ws_ + "/sources/" + src_, key_).body, "status.items_total");
  }

  std::filesystem::path dir_;
  int starts_ = 0;  // each start logs to its own file, so its address is the one read back
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<Api> api_;
  std::string key_, ws_, src_;
};

TEST_F(CrashUnderLoad, EveryAcknowledgedWebhookIsStoredOnceAfterKillNine) {
  start();
  auto c = api_->post("/v1/customers", kAdmin, json::object{{"name", "acme"}});
  ASSERT_EQ(c.status, 201) << c.raw;
  key_ = str(c.body, "api_key");
  auto w = api_->post("/v1/workspaces", key_, json::object{{"name", "app"}, {"sources", json::array{}}});
  ASSERT_EQ(w.status, 201) << w.raw;
  ws_ = str(w.body, "id");
  auto s = api_->post("/v1/workspaces/" + ws_ + "/sources", key_,
                      json::object{{"type", "jsonl"},
                                   {"name", "hooks"},
                                   {"webhook", json::object{{"scheme", "token"}, {"secret", kToken}}},
                                   {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"},
                                                                                   {"timestamp", "at"}}}}}});
  ASSERT_EQ(s.status, 201) << s.raw;
  src_ = str(s.body, "id");

  // Six senders; half the texts identical (the near-duplicate index's hard case), half distinct.
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> killed{false};
  const std::string base = api_->base();
  std::vector<std::thread> senders;
  for (int t = 0; t < 6; ++t)
    senders.emplace_back([&, t] {
      ingest::HttpClient client;
      for (int i = t; i < 60000 && !killed; i += 6) {
        std::string id = "d" + std::to_string(i);
        std::string text = i % 2 ? "Great app!" : "Order " + std::to_string(i) + " never synced to my phone";
        ingest::OutboundRequest req;
        req.method = "POST";
        req.url = base + "/v1/hooks/" + src_;
        req.body = R"({"id":")" + id + R"(","text":")" + text + R"(","at":"2026-11-20T10:00:00Z"})";
        req.headers.set("content-type", "application/json");
        req.headers.set("x-webhook-token", kToken);
        auto r = client.send(req);
        if (!r) break;  // the server is gone
        if (r->status == 202) {
          std::lock_guard lock(mu);
          acked.insert(id);
        }
      }
    });
  // Kill once deliveries have flowed for a while and the parser has stored some, with more waiting.
  ASSERT_TRUE(eventually([&] { return items_total() >= 500; }, 60s)) << server_->log();
  std::this_thread::sleep_for(300ms);
  const std::int64_t stored_before = items_total();
  server_->signal(SIGKILL);
  EXPECT_EQ(server_->wait(), 128 + SIGKILL);
  killed = true;
  for (auto& t : senders) t.join();
  ASSERT_GE(acked.size(), 500u);

  start();
  // Everything acknowledged comes back from the log: stored, and the rollups caught up.
  ASSERT_TRUE(eventually(
      [&] {
        auto h = api_->get("/healthz", "");
        return items_total() >= static_cast<std::int64_t>(acked.size()) && num(h.body, "roles.parser.lag") == 0 &&
               num(h.body, "roles.reports.lag") == 0;
      },
      120s))
      << items_total() << " of " << acked.size() << " stored";
  std::set<std::string> stored;
  std::size_t listed = 0;
  std::string cursor;
  do {
    auto page = api_->get("/v1/workspaces/" + ws_ + "/feedback?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor),
                          key_);
    ASSERT_EQ(page.status, 200) << page.raw;
    for (const auto& item : page.body.at("items").as_array()) {
      stored.insert(str(item, "metadata_attributes.external_id"));
      ++listed;
    }
    cursor = str(page.body, "next_cursor");
    if (cursor == "null") cursor.clear();
  } while (!cursor.empty());
  EXPECT_EQ(listed, stored.size()) << "a delivery was stored twice";
  std::size_t missing = 0;
  for (const auto& id : acked) missing += stored.contains(id) ? 0 : 1;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged deliveries";
  // At most the deliveries in flight at the kill were stored without their 202 reaching the sender.
  EXPECT_LE(stored.size(), acked.size() + 6);
  EXPECT_EQ(items_total(), static_cast<std::int64_t>(stored.size()));
  auto insights =
      api_->get("/v1/workspaces/" + ws_ + "/insights?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", key_);
  EXPECT_EQ(num(insights.body, "totals.count"), static_cast<std::int64_t>(stored.size())) << insights.raw;
  std::printf("killed with %zu deliveries acknowledged and about %lld stored; all stored once after the restart\n",
              acked.size(), static_cast<long long>(stored_before));
}

TEST_F(CrashUnderLoad, EveryImportedItemIsStoredOnceAfterKillNine) {
  start();
  make_source({});
  // Thirty requests of a thousand items, as `chorus import` sends them; a third of the texts identical.
  constexpr int kBatches = 30, kPerBatch = 1000;
  for (int b = 0; b < kBatches; ++b) {
    std::string body;
    for (int i = b * kPerBatch; i < (b + 1) * kPerBatch; ++i) {
      std::string text = i % 3 ? "Import " + std::to_string(i) + " lost the attachment on my phone" : "Great app!";
      body += R"({"id":"m)" + std::to_string(i) + R"(","text":")" + text + R"(","at":"2026-11-2)" +
              std::to_string(i % 9) + R"(T10:00:00Z"})" + "\n";
    }
    auto r = api_->call("POST", "/v1/workspaces/" + ws_ + "/sources/" + src_ + "/items", key_, body,
                        {{"content-type", "application/x-ndjson"}});
    ASSERT_EQ(r.status, 202) << r.raw;
  }
  const std::int64_t total = kBatches * kPerBatch;
  // Killed while the parser is part way through the accepted items.
  ASSERT_TRUE(eventually([&] { return items_total() >= 2000; }, 120s)) << server_->log();
  const std::int64_t stored_before = items_total();
  server_->signal(SIGKILL);
  EXPECT_EQ(server_->wait(), 128 + SIGKILL);
  ASSERT_LT(stored_before, total) << "the import finished before the kill: nothing was tested";

  start();
  ASSERT_TRUE(eventually([&] { return caught_up(total); }, 300s)) << items_total() << " of " << total << " stored";
  auto stored = stored_ids();
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(total));
  std::size_t missing = 0;
  for (int i = 0; i < total; ++i) missing += stored.contains("m" + std::to_string(i)) ? 0 : 1;
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(items_total(), total);
  auto insights =
      api_->get("/v1/workspaces/" + ws_ + "/insights?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", key_);
  EXPECT_EQ(num(insights.body, "totals.count"), total) << insights.raw;
  std::printf("killed with about %lld of %lld imported items stored; all stored once after the restart\n",
              static_cast<long long>(stored_before), static_cast<long long>(total));
}

}  // namespace
}  // namespace chorus::testing
