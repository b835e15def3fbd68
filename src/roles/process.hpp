// ChorusProcess: opens the store and the bus, loads the keys, and starts the chosen roles.
// `chorus serve` runs one; integration tests run several in one test binary.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/access.hpp"
#include "core/result.hpp"
#include "roles/thread_priority.hpp"

namespace chorus::roles {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  std::filesystem::path data_dir = "./var";
  std::string roles = "all";  // all | comma list of api,webhook,fetcher,parser,reports
  std::string bus = "embedded";
  // The embedded bus deletes a message every consumer group has finished once it is this old; 0 keeps them all.
  double bus_retention_hours = 24 * 7;
  std::string kafka_brokers;
  std::string kafka_topic_prefix;  // e.g. "staging." before every topic and consumer group
  std::string kafka_config;        // librdkafka settings "key=value,..."; producer./consumer./admin. prefixes
  std::string store = "sqlite";
  std::string postgres_url;
  std::size_t http_io_threads = 2;  // read and write HTTP, and take webhook deliveries (which never block)
  std::size_t http_threads = 16;    // run API handlers, which may block on the store
  std::size_t fetch_workers = 4;
  std::size_t body_limit = 8 * 1024 * 1024;
  std::string web_root;      // dashboard assets; defaults to web/dist beside the binary's source tree
  std::string admin_key;     // CHORUS_ADMIN_KEY
  std::string master_key;    // CHORUS_MASTER_KEY
  int schedule_tick_ms = 1000;
  // Address ranges outbound requests may reach although private, loopback or link-local ("10.0.0.0/8,...").
  std::string egress_allow;  // CHORUS_EGRESS_ALLOW
  // raw.items messages the parser takes at once (256 while webhooks arrive beside it, when the webhook role
  // runs in the same process and parser_yield_backlog > 0)
  std::size_t parser_batch = 2048;
  // Of the parser's and the reports role's threads: in the background, a burst of deliveries is taken at the
  // speed of ingress and analysed on the CPU time left over.
  ThreadPriority pipeline_priority = ThreadPriority::background;
  std::int64_t webhook_max_backlog = 1000000;  // raw.items messages the parser may be behind before the
                                               // webhook role answers 503 with Retry-After; 0: no bound
  // With the parser and webhook roles in one process: while deliveries arrive faster than the rate, the
  // parser waits, until it is this many behind (at most half of webhook_max_backlog); 0: it never waits.
  std::int64_t parser_yield_backlog = 500000;
  double parser_yield_rate = 5000;  // accepted deliveries a second
  // With the parser and reports roles in one process on the embedded bus: the parser waits while the reports
  // role is more than this many records behind, so the rollups keep up with the records; 0: it never waits.
  std::int64_t parser_rollup_lag = 16384;
  // Alerts (run with the reports role): where message links point (empty: this server's own URL), how
  // often live items are judged, how long a fired alert settles before it is sent, the first retry's wait.
  std::string public_url;
  int alerts_evaluate_ms = 5000;
  int alerts_settle_ms = 10000;
  int alerts_retry_base_ms = 30000;
};

class ChorusProcess {
 public:
  static Result<std::unique_ptr<ChorusProcess>> start(const ServeConfig& config);
  ~ChorusProcess();

  // The HTTP port when the api or webhook role runs, else 0.
  std::uint16_t port() const;
  std::string base_url() const;
  // Where the admin key lives (empty when it came from the environment).
  std::filesystem::path admin_key_file() const;
  const std::string& admin_key() const;
  // Every (method, pattern) the router serves, and the access each was registered with (tests walk them).
  std::vector<std::pair<std::string, std::string>> routes() const;
  const api::RouteAccessTable& route_access() const;
  // Stops accepting requests, drains in-flight work, and stops every role.
  void stop();

  struct Impl;

 private:
  explicit ChorusProcess(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chorus::roles
