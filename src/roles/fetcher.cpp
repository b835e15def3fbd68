// The fetcher role: runs syncs on a small worker pool so that one slow or failing source never holds
// up another, and queues scheduled syncs when they fall due.
#include "ingest/fetcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/source_spec.hpp"
#include "api/sync_request.hpp"
#include "connectors/connector.hpp"
#include "roles/roles.hpp"

namespace chorus::roles {

namespace {

// Publishes pages one behind, so the last page of a successful sync can be marked final and carry the
// cursor; a failed sync's pages still arrive, but never move the cursor.
class PageForwarder final : public connectors::PageSink {
 public:
  PageForwarder(bus::Bus& bus, const store::Source& source, Id sync_id) : bus_(bus), source_(source), sync_id_(sync_id) {}

  Status emit(connectors::RawPage page) override {
    if (held_) {
      held_->cursor.reset();
      if (auto s = send(*held_, false); !s) return s;
    }
    held_ = std::move(page);
    return {};
  }

  Status finish(const std::optional<std::string>& cursor) {
    connectors::RawPage last = held_ ? std::move(*held_) : connectors::RawPage{};
    held_.reset();
    if (cursor) last.cursor = cursor;
    return send(last, true);
  }

  Status abandon() {
    if (!held_) return {};
    held_->cursor.reset();
    auto s = send(*held_, false);
    held_.reset();
    return s;
  }

  std::int64_t items_sent() const { return items_; }

 private:
  Status send(const connectors::RawPage& page, bool final) {
    bus::RawItems m;
    m.kind = bus::RawItems::Kind::page;
    m.workspace_id = source_.workspace_id;
    m.source_id = source_.id;
    m.source_type = source_.type;
    m.sync_id = sync_id_;
    m.cursor = page.cursor;
    m.final = final;
    m.received_at = now_ms();
    for (const auto& it : page.items) m.items.push_back(it);
    items_ += static_cast<std::int64_t>(page.items.size());
    return bus_.publish(bus::kRawItems, bus::workspace_key(source_.workspace_id), bus::encode(m));
  }

  bus::Bus& bus_;
  const store::Source& source_;
  Id sync_id_;
  std::optional<connectors::RawPage> held_;
  std::int64_t items_ = 0;
};

}  // namespace

FetcherRole::FetcherRole(RoleDeps deps, FetcherOptions options)
    : deps_(deps), options_(options),
      loop_("fetcher", deps.bus, std::string(bus::kFetchRequests), "fetcher", 16,
            [this](std::span<const bus::Message> b) { return accept(b); }),
      breakers_(options.breaker), stale_(options.stale_after_intervals) {}

FetcherRole::~FetcherRole() { stop(); }

void FetcherRole::start() {
  running_ = true;
  // Syncs that were queued or running when the process last stopped start again.
  if (auto unfinished = deps_.store.list_unfinished_syncs(); unfinished)
    for (const auto& s : *unfinished) enqueue(bus::FetchRequest{s.workspace_id, s.source_id, s.id});
  for (std::size_t i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { work(); });
  scheduler_ = std::thread([this] { schedule(); });
  loop_.start();
}

void FetcherRole::stop() {
  if (!running_.exchange(false)) return;
  loop_.stop();
  cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
  if (scheduler_.joinable()) scheduler_.join();
}

json::object FetcherRole::health() const {
  json::object h = loop_.health();
  std::lock_guard lock(mu_);
  h["queued"] = queue_.size();
  h["syncs_done"] = syncs_done_;
  h["syncs_failed"] = syncs_failed_;
  h["paused_sources"] = breakers_.open_count(now_ms());
  return h;
}

Status FetcherRole::accept(std::span<const bus::Message> batch) {
  // The sync's durable record is its row in the store; the request only wakes a worker.
  for (const auto& m : batch) {
    auto req = bus::decode_fetch_request(m.payload);
    if (!req) {
      spdlog::warn("fetcher: skipping unreadable fetch request at offset {}: {}", m.offset, req.error().message);
      continue;
    }
    enqueue(*req);
  }
  return {};
}

void FetcherRole::enqueue(const bus::FetchRequest& request) {
  std::lock_guard lock(mu_);
  if (!pending_syncs_.insert(request.sync_id).second) return;
  queue_.push_back(request);
  // The scheduler waits on the same condition variable: notify_one could wake it instead of a worker and
  // leave the sync queued until the next enqueue.
  cv_.notify_all();
}

void FetcherRole::work() {
  while (true) {
    bus::FetchRequest req;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !running_ || !queue_.empty(); });
      if (!running_) return;
      req = queue_.front();
      queue_.pop_front();
    }
    run_sync(req);
    std::lock_guard lock(mu_);
    pending_syncs_.erase(req.sync_id);
  }
}

void FetcherRole::schedule() {
  while (running_) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, options_.schedule_tick, [this] { return !running_; });
      if (!running_) return;
    }
    auto sources = deps_.store.list_scheduled_sources();
    if (!sources) {
      spdlog::warn("fetcher: cannot read schedules: {}", sources.error().message);
      continue;
    }
    TimeMs now = now_ms();
    for (const auto& s : *sources) {
      // An interval stored before schedules were bounded may have wrapped below zero from a huge number: it is
      // taken as the longest interval the API allows, not as "every tick".
      const std::int64_t every_s = *s.schedule_every_s;
      TimeMs every = (every_s <= 0 ? api::kMaxEverySeconds : std::min(every_s, api::kMaxEverySeconds)) * 1000;
      TimeMs last = s.status.last_sync_at.value_or(0);
      mark_if_stale(s, every, now);
      if (s.status.state == "queued" || s.status.state == "running" || now - last < every) continue;
      // A paused source gets no scheduled syncs until its cool-down ends and a probe may go.
      if (breakers_.state(s.id, now) == ingest::CircuitBreaker::State::open) continue;
      if (auto r = api::request_sync(deps_.store, deps_.bus, s); !r)
        spdlog::warn("fetcher: cannot queue the scheduled sync of source {}: {}", s.id, r.error().message);
    }
  }
}

// Syncs that succeed but bring nothing, interval after interval, hide a problem no error shows (a
// renamed repository, a query that no longer matches): such a source's status reads "stale".
void FetcherRole::mark_if_stale(const store::Source& source, TimeMs every, TimeMs now) {
  bool quiet = stale_.observe(source.id, source.status.items_total, every, now);
  if (!quiet || source.status.state != "ok") return;
  spdlog::info("fetcher: source {} brought no new items for {} intervals; marking it stale", source.id,
               options_.stale_after_intervals);
  if (auto s = deps_.store.set_source_state(source.id, "stale", std::nullopt); !s)
    spdlog::warn("fetcher: cannot mark source {} stale: {}", source.id, s.error().message);
}

void FetcherRole::run_sync(const bus::FetchRequest& req) {
  auto fail = [&](const std::string& why) {
    spdlog::warn("fetcher: sync {} of source {} failed: {}", req.sync_id, req.source_id, why);
    (void)deps_.store.update_sync(req.sync_id, "failed", why);
    deps_.metrics.add("chorus_syncs_failed_total");
    std::lock_guard lock(mu_);
    ++syncs_failed_;
  };
  auto sync = deps_.store.get_sync(req.workspace_id, req.sync_id);
  if (!sync || sync->state == "done" || sync->state == "failed") return;  // already settled
  auto source = deps_.store.get_source(req.workspace_id, req.source_id);
  if (!source) return fail("the source was deleted");
  // Paused after the sync was queued: it does not run.
  if (source->paused) return fail("the source was paused before the sync started; resume it to sync");
  const auto* connector = connectors::find_connector(source->type);
  if (!connector) return fail("source type " + source->type + " is not available in this build");
  auto secrets = api::open_source_secrets(*source, deps_.secrets);
  if (!secrets) return fail(secrets.error().message);
  TimeMs started = now_ms();
  auto admission = breakers_.admit(source->id, started);
  if (!admission.allowed) {
    return fail("paused after " + std::to_string(admission.failures) + " failed syncs in a row; the next attempt goes "
                "ahead after " + format_time(admission.retry_at) + " (last error: " + admission.last_error + ")");
  }
  (void)deps_.store.update_sync(req.sync_id, "running", std::nullopt);

  auto settings = api::source_settings(*source, std::move(secrets->credentials));
  // Connectors bound their own parallelism (config.concurrency, at most 32); the client must not cap it lower.
  ingest::HttpClientOptions client_options;
  client_options.max_concurrency = 32;
  client_options.egress = options_.egress;
  ingest::HttpClient client(client_options);
  ingest::Fetcher fetcher(client);
  connectors::SyncContext ctx{settings, source->status.cursor, fetcher, [this] { return !running_.load(); }};
  PageForwarder forward(deps_.bus, *source, req.sync_id);
  auto cursor = connector->sync(ctx, forward);
  if (!running_) {
    // Interrupted by shutdown: the sync stays queued in the store and runs again at the next start.
    (void)forward.abandon();
    (void)deps_.store.update_sync(req.sync_id, "queued", std::nullopt);
    return;
  }
  if (!cursor) {
    (void)forward.abandon();
    breakers_.failed(source->id, now_ms(), cursor.error().message);
    return fail(cursor.error().message);
  }
  breakers_.succeeded(source->id);
  std::optional<std::string> final_cursor;
  if (!cursor->empty()) final_cursor = *cursor;
  if (auto s = forward.finish(final_cursor); !s) return fail("could not hand the last page on: " + s.error().message);
  deps_.metrics.add("chorus_items_fetched_total", forward.items_sent());
  std::lock_guard lock(mu_);
  ++syncs_done_;
}

}  // namespace chorus::roles
