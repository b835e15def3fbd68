// The five roles. Each is wiring only: it connects the bus, the store, connectors and the NLP pipeline.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <algorithm>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/metrics.hpp"
#include "bus/bus.hpp"
#include "bus/messages.hpp"
#include "core/secrets.hpp"
#include "ingest/circuit_breaker.hpp"
#include "ingest/egress.hpp"
#include "ingest/source_health.hpp"
#include "nlp/pii_redaction.hpp"
#include "nlp/workspace_taxonomy.hpp"
#include "roles/analysis_pool.hpp"
#include "roles/consumer_loop.hpp"
#include "store/store.hpp"

namespace chorus::roles {

struct RoleDeps {
  store::Store& store;
  bus::Bus& bus;
  const SecretBox& secrets;
  api::Metrics& metrics;
};

struct ParserOptions {
  std::size_t batch_messages = 256;  // raw.items messages taken from the bus at once
  // Records per store transaction and publish (whole messages, at least one). Each record adds a row at a random
  // place of several indexes, so a commit rewrites up to one page per row of each; the more rows a commit holds,
  // the more of them share a page. 16,384 took a 400,000-item import from 3,121 to 3,814 items/s.
  std::size_t batch_records = 16384;
  std::size_t analysis_threads = std::max(1u, std::thread::hardware_concurrency());  // NLP, the parser's included
  ThreadPriority priority = ThreadPriority::normal;  // of the parser's thread and its analysis threads
  std::function<bool()> hold = nullptr;  // when set and true, the parser waits before its next batch (IngressYield)
  std::function<std::size_t()> batch_cap = nullptr;  // when set, the most messages its next batch takes
  // When set and true, the parser waits before it stores its next chunk (RollupPace); the chunk after it is
  // analysed meanwhile.
  std::function<bool()> pace = nullptr;
};

// parser: raw.items -> connector mapping -> NLP -> near-duplicates -> upsert -> feedback.records, a bus batch
// at a time: one store transaction and one publish per batch.
class ParserRole {
 public:
  explicit ParserRole(RoleDeps deps, ParserOptions options = {});
  void start() { loop_.start(options_.priority); }
  void stop() { loop_.stop(); }
  json::object health() const { return loop_.health(); }
  // One raw.items message, exposed for tests: durable when it returns ok.
  Status process(const bus::Message& message);
  // A batch of raw.items messages as the consumer hands them over: durable when it returns ok.
  Status process_batch(std::span<const bus::Message> batch);

 private:
  // What a workspace's governance settings ask of the parser: the PII to mask, whether raw items are kept, and
  // the salted hashes of erased persons whose items are dropped.
  struct WorkspaceRules {
    store::WorkspaceSettings settings;
    nlp::RedactionPolicy redaction;
    std::unordered_set<std::string> erased;
  };
  // An item mapped and waiting for the NLP, and where its record goes.
  struct PendingAnalysis {
    MappedItem mapped;
    json::value item;
    const store::Source* source;
    TimeMs received_at;
    std::string raw_ref;
    nlp::TaxonomyApplier* taxonomy;
    std::size_t page, index;
    const WorkspaceRules* rules;  // lives in the batch's state
    std::string analysis_text;    // what the engine read, for the workspace's custom theme rules
  };
  // Pages whose items wait for (or are in) the NLP, and those items.
  struct Chunk {
    std::vector<store::PageCommit> pages;
    std::vector<PendingAnalysis> pending;
    std::size_t records = 0;
    bool started = false;  // its analysis is running on the pool
  };
  // What one batch reads once: the sources, and the workspaces' taxonomies (so a change applies from the
  // next batch on).
  struct BatchState {
    std::unordered_map<Id, std::optional<store::Source>> sources;  // nullopt: deleted
    std::unordered_map<Id, std::shared_ptr<nlp::TaxonomyApplier>> taxonomies;
    std::unordered_map<Id, std::shared_ptr<const WorkspaceRules>> rules;  // null: the workspace was deleted
    Chunk filling;  // the messages mapped since the last chunk was handed to the pool
  };
  // Maps one message into state.filling (its items await the NLP), or sends it to the dead letters.
  Status prepare(const bus::Message& message, BatchState& state);
  // The batch's copy of a source (the pointer stays valid for the batch), or null when it was deleted.
  Result<const store::Source*> source_of(Id source_id, BatchState& state);
  Result<std::shared_ptr<nlp::TaxonomyApplier>> taxonomy_of(Id workspace_id, BatchState& state);
  // The workspace's rules for this batch, or null when the workspace no longer exists.
  Result<std::shared_ptr<const WorkspaceRules>> rules_of(Id workspace_id, BatchState& state);
  // Hands the filled chunk to the pool and stores the chunk analysed before it meanwhile.
  Status advance(BatchState& state, Chunk& analysing);
  void start_analysis(Chunk& chunk);
  void finish_analysis(Chunk& chunk);
  Status store_and_publish(std::vector<store::PageCommit>& pages);
  // The chunks' publishes in flight: a chunk is published without waiting for the bus, so that the next one is
  // stored meanwhile; the batch is done (and its messages committed) only once every publish has landed.
  // Shared with the bus's callbacks, which may outlive a batch that failed.
  struct Publishes {
    std::mutex mu;
    std::condition_variable cv;
    int pending = 0;
    Status failed;  // the first publish that failed since the last wait
  };
  // Waits until no publish is in flight, and returns the first failure among those that landed.
  Status wait_published();
  RoleDeps deps_;
  ParserOptions options_;
  std::shared_ptr<Publishes> publishes_ = std::make_shared<Publishes>();
  AnalysisPool pool_;  // before loop_: the loop's thread uses it until the loop is destroyed
  ConsumerLoop loop_;
};

// reports: feedback.records -> rollups, exactly once per record revision.
class ReportsRole {
 public:
  explicit ReportsRole(RoleDeps deps, ThreadPriority priority = ThreadPriority::normal);
  void start() { loop_.start(priority_); }
  void stop() { loop_.stop(); }
  json::object health() const { return loop_.health(); }

 private:
  RoleDeps deps_;
  ThreadPriority priority_;
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
