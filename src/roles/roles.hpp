// The five roles. Each is wiring only: it connects the bus, the store, connectors and the NLP pipeline.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/metrics.hpp"
#include "bus/bus.hpp"
#include "bus/messages.hpp"
#include "core/secrets.hpp"
#include "ingest/circuit_breaker.hpp"
#include "ingest/egress.hpp"
#include "ingest/source_health.hpp"
#include "nlp/workspace_taxonomy.hpp"
#include "roles/consumer_loop.hpp"
#include "store/store.hpp"

namespace chorus::roles {

struct RoleDeps {
  store::Store& store;
  bus::Bus& bus;
  const SecretBox& secrets;
  api::Metrics& metrics;
};

// parser: raw.items -> connector mapping -> NLP -> near-duplicates -> upsert -> feedback.records.
class ParserRole {
 public:
  explicit ParserRole(RoleDeps deps);
  void start() { loop_.start(); }
  void stop() { loop_.stop(); }
  json::object health() const { return loop_.health(); }
  // One raw.items message, exposed for tests: durable when it returns ok.
  Status process(const bus::Message& message);

 private:
  // The taxonomies of the workspaces seen in one batch: read once per batch, so a change applies from the
  // next batch on.
  using Taxonomies = std::unordered_map<Id, std::shared_ptr<nlp::TaxonomyApplier>>;
  Status process_batch(std::span<const bus::Message> batch);
  Status process(const bus::Message& message, Taxonomies& taxonomies);
  RoleDeps deps_;
  ConsumerLoop loop_;
};

// reports: feedback.records -> rollups, exactly once per record revision.
class ReportsRole {
 public:
  explicit ReportsRole(RoleDeps deps);
  void start() { loop_.start(); }
  void stop() { loop_.stop(); }
  json::object health() const { return loop_.health(); }

 private:
  RoleDeps deps_;
  ConsumerLoop loop_;
};

struct FetcherOptions {
  std::size_t workers = 4;                         // syncs running at once
  std::chrono::milliseconds schedule_tick{1000};   // how often schedules are checked
  ingest::BreakerPolicy breaker;                   // when a failing source is paused, and for how long
  int stale_after_intervals = 3;                   // a scheduled source quiet this many intervals is stale
  ingest::EgressPolicy egress;                     // where syncs may connect (private ranges refused)
};

// fetcher: fetch.requests and schedules -> connector syncs -> raw.items pages.
class FetcherRole {
 public:
  FetcherRole(RoleDeps deps, FetcherOptions options = {});
  ~FetcherRole();
  void start();
  void stop();
  json::object health() const;

 private:
  Status accept(std::span<const bus::Message> batch);
  void enqueue(const bus::FetchRequest& request);
  void work();
  void schedule();
  void run_sync(const bus::FetchRequest& request);
  void mark_if_stale(const store::Source& source, TimeMs every, TimeMs now);

  RoleDeps deps_;
  FetcherOptions options_;
  ConsumerLoop loop_;
  std::atomic<bool> running_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<bus::FetchRequest> queue_;
  std::set<Id> pending_syncs_;
  std::vector<std::thread> workers_;
  std::thread scheduler_;
  std::int64_t syncs_done_ = 0, syncs_failed_ = 0;
  ingest::SourceBreakers breakers_;  // per source, in memory: a restart gives every source a fresh start
  ingest::StaleWatch stale_;
};

}  // namespace chorus::roles
