// Integration harness: a whole Chorus (all roles, SQLite, embedded bus) in the test process on a free
// port, a real HTTP client, and helpers that poll until the asynchronous pipeline has caught up.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "core/json.hpp"
#include "ingest/http_client.hpp"
#include "roles/process.hpp"
#include "support/mock_cluster.hpp"
#include "support/postgres_server.hpp"

namespace chorus::testing {

struct Reply {
  int status = 0;
  json::value body;
  std::string raw;
  http::Headers headers;
};

inline std::filesystem::path temp_dir(const std::string& name) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("chorus-" + name + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir;
}

class Api {
 public:
  explicit Api(std::string base) : base_(std::move(base)) {}

  Reply call(const std::string& method, const std::string& path, const std::string& key = "",
             const std::string& body = "", const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    ingest::OutboundRequest req;
    req.method = method;
    req.url = base_ + path;
    req.body = body;
    if (!key.empty()) req.headers.set("authorization", "Bearer " + key);
    if (!body.empty()) req.headers.set("content-type", "application/json");
    for (const auto& [k, v] : headers) req.headers.set(k, v);
    auto r = client_.send(req);
    Reply out;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": " << r.error().message;
      return out;
    }
    out.status = r->status;
    out.raw = r->body;
    out.headers = r->headers;
    if (auto v = parse_json(r->body); v) out.body = std::move(*v);
    return out;
  }
  Reply get(const std::string& path, const std::string& key) { return call("GET", path, key); }
  Reply post(const std::string& path, const std::string& key, const json::value& body) {
    return call("POST", path, key, json::serialize(body));
  }
  const std::string& base() const { return base_; }

 private:
  std::string base_;
  ingest::HttpClient client_;
};

// Polls `done` every 50 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

inline std::string str(const json::value& v, std::string_view path) {
  const auto* p = find_path(v, path);
  if (!p) return "";
  auto s = scalar_to_string(*p);
  return s.value_or(p->is_null() ? "null" : json::serialize(*p));
}

inline std::int64_t num(const json::value& v, std::string_view path) {
  const auto* p = find_path(v, path);
  return p && p->is_number() ? p->to_number<std::int64_t>() : -1;
}

// The two deployments the suite runs against: everything embedded (SQLite and the embedded log), and
// the scale-out pair (Kafka, here librdkafka's mock cluster on loopback, and a real PostgreSQL).
enum class Backend { embedded, kafka_postgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::embedded ? "EmbeddedSqlite" : "KafkaPostgres";
}

inline MockCluster& shared_mock_cluster() {
  static MockCluster cluster(3);
  return cluster;
}

// A running Chorus with a fresh data dir (and, on the scale-out pair, its own topics and database);
// restartable on the same state.
class ChorusFixture : public ::testing::Test {
 protected:
  virtual Backend backend() const { return Backend::embedded; }

  void SetUp() override {
    dir_ = temp_dir("it");
    if (backend() == Backend::kafka_postgres) {
      std::random_device rd;
      std::string tag = "t" + std::to_string(rd());
      auto* pg = PostgresServer::shared();
      ASSERT_NE(pg, nullptr);
      postgres_url_ = pg->create_database(tag);
      kafka_prefix_ = tag + ".";
      shared_mock_cluster().create_topics(kafka_prefix_, 2);
    }
    start();
  }
  void TearDown() override {
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void start() {
    roles::ServeConfig config;
    config.listen = "127.0.0.1:0";
    config.data_dir = dir_;
    config.http_threads = 4;
    config.schedule_tick_ms = 100;
    config.body_limit = body_limit_;
    config.egress_allow = "127.0.0.0/8";  // the fake services are on loopback
    config.roles = roles_;
    config.webhook_max_backlog = webhook_max_backlog_;
    config.parser_yield_backlog = parser_yield_backlog_;
    config.parser_yield_rate = parser_yield_rate_;
    config.bus_retention_hours = bus_retention_hours_;
    // Alerts judged and sent quickly, so flows need not wait out production pacing.
    config.alerts_evaluate_ms = 200;
    config.alerts_settle_ms = 600;
    config.alerts_retry_base_ms = 300;
    if (backend() == Backend::kafka_postgres) {
      config.bus = "kafka";
      config.kafka_brokers = shared_mock_cluster().bootstraps();
      config.kafka_topic_prefix = kafka_prefix_;
      config.kafka_config = "consumer.session.timeout.ms=3000,consumer.heartbeat.interval.ms=500";
      config.store = "postgres";
      config.postgres_url = postgres_url_;
    }
    auto p = roles::ChorusProcess::start(config);
    ASSERT_TRUE(p) << p.error().message;
    process_ = std::move(p.value());
    api_ = std::make_unique<Api>(process_->base_url());
  }
  void restart() {
    process_->stop();
    process_.reset();
    start();
  }

  // A new customer; returns its API key.
  std::string customer(const std::string& name) {
    auto r = api().post("/v1/customers", process_->admin_key(), json::object{{"name", name}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return str(r.body, "api_key");
  }

  Api& api() { return *api_; }

  std::filesystem::path dir_;
  std::string postgres_url_, kafka_prefix_;
  std::size_t body_limit_ = 1024 * 1024;
  std::string roles_ = "all";
  std::int64_t webhook_max_backlog_ = 100000;
  std::int64_t parser_yield_backlog_ = 500000;
  double parser_yield_rate_ = 5000;
  double bus_retention_hours_ = 24 * 7;
  std::unique_ptr<roles::ChorusProcess> process_;
  std::unique_ptr<Api> api_;
};

// A customer with an empty workspace, and the calls most flows need.
class WorkspaceFixture : public ChorusFixture {
 protected:
  void SetUp() override {
    ChorusFixture::SetUp();
    key_ = customer("Acme");
    auto r = api().post("/v1/workspaces", key_, json::object{{"name", "Feedback"}, {"sources", json::array{}}});
    ASSERT_EQ(r.status, 201) << r.raw;
    ws_ = str(r.body, "id");
  }

  // Adds a source from a SourceSpec; returns its id.
  std::string add_source(json::object spec) {
    auto r = api().post("/v1/workspaces/" + ws_ + "/sources", key_, spec);
    EXPECT_EQ(r.status, 201) << r.raw;
    return str(r.body, "id");
  }

  // Triggers a sync and waits until it is done or failed; returns the sync.
  json::value sync_and_wait(const std::string& src) {
    auto r = api().post("/v1/workspaces/" + ws_ + "/sources/" + src + "/sync", key_, json::object{});
    EXPECT_EQ(r.status, 202) << r.raw;
    std::string sync_id = str(r.body, "sync_id");
    json::value last;
    EXPECT_TRUE(eventually([&] {
      last = api().get("/v1/workspaces/" + ws_ + "/syncs/" + sync_id, key_).body;
      return str(last, "state") == "done" || str(last, "state") == "failed";
    })) << json::serialize(last) << "\nhealth: " << api().get("/healthz", "").raw;
    return last;
  }

  std::string key_, ws_;
};

// Runs a fixture's TEST_P cases on both deployments: INSTANTIATE_TEST_SUITE_P(Backends, X,
// ::testing::Values(Backend::embedded, Backend::kafka_postgres), backend_name).
template <class Fixture>
class OnEveryBackend : public Fixture, public ::testing::WithParamInterface<Backend> {
 protected:
  Backend backend() const override { return this->GetParam(); }
};

}  // namespace chorus::testing
