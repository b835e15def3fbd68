// Re-analysis: POST /v1/workspaces/{ws}/reanalyze starts a background job that runs the current NLP engine
// over the workspace's stored records; GET /v1/workspaces/{ws}/reanalyze/{job} reports its progress.
//
// Jobs run one at a time on a worker of the api process and are kept in memory (the latest few per
// process): a restart forgets them, and a job cut short by one is simply started again, since re-analysis
// is idempotent. Records are read oldest first, re-analysed from the text they keep, checked for
// near-duplicates among the records before them, upserted a page at a time (each upsert bumps the
// revision) and published on feedback.records, where the reports role replaces each record's earlier
// contribution to the rollups.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "api/auth.hpp"
#include "api/context.hpp"
#include "api/reanalysis.hpp"
#include "api/respond.hpp"
#include "api/source_spec.hpp"
#include "api/theme_taxonomy.hpp"
#include "bus/messages.hpp"
#include "connectors/connector.hpp"
#include "core/near_duplicate_index.hpp"
#include "core/secrets.hpp"
#include "nlp/fingerprint.hpp"
#include "nlp/record_analysis.hpp"

namespace chorus::api {

namespace {

constexpr std::size_t kScanPage = 500;    // records per query while listing the workspace
constexpr std::size_t kCommitPage = 100;  // records per upsert transaction and bus publish
constexpr std::size_t kKeptJobs = 200;    // finished jobs remembered for their progress route

}  // namespace

struct ReanalysisJob {
  std::string id;
  Id workspace_id = 0;
  TimeMs created_at = 0;
  std::atomic<std::int64_t> done{0}, total{0};
  mutable std::mutex mu;
  std::string state = "queued";  // queued | running | done | failed
  std::optional<std::string> error;

  bool active() const {
    std::lock_guard lock(mu);
    return state == "queued" || state == "running";
  }
  void set_state(std::string s, std::optional<std::string> e = std::nullopt) {
    std::lock_guard lock(mu);
    state = std::move(s);
    error = std::move(e);
  }
  json::object view() const {
    std::lock_guard lock(mu);
    json::object o{{"job_id", id},          {"workspace_id", std::to_string(workspace_id)},
                   {"state", state},        {"done", done.load()},
                   {"total", total.load()}, {"created_at", format_time(created_at)}};
    o["error"] = error ? json::value(*error) : json::value(nullptr);
    return o;
  }
};

// The items as their sources mapped them, so that re-analysis reads what the parser read: the markup that
// tells prose from code blocks, quoted replies and an issue form's fields, which the stored display text has
// lost. A source's connector and settings are looked up once. A record without its raw item (its workspace
// keeps none), of a source deleted since, or that its source's settings now leave out, is read from its
// stored text instead.
class OriginalItems {
 public:
  OriginalItems(store::Store& store, nlp::RedactionPolicy redaction) : store_(store), redaction_(redaction) {}

  std::optional<MappedItem> of(const FeedbackRecord& record) {
    if (record.raw_item.empty()) return std::nullopt;
    auto [it, added] = sources_.try_emplace(record.source_id);
    if (added) {
      auto source = store_.get_source_by_id(record.source_id);
      const connectors::Connector* connector = source ? connectors::find_connector(source->type) : nullptr;
      if (connector) it->second = Mapping{connector, source_settings(*source, {})};
    }
    if (!it->second) return std::nullopt;
    auto raw = parse_json(record.raw_item);
    if (!raw) return std::nullopt;
    auto admitted = connectors::admit_item(*it->second->connector, *raw, it->second->settings);
    if (!admitted || !admitted->item) return std::nullopt;
    nlp::redact_item(*admitted->item, redaction_);
    return std::move(admitted->item);
  }

 private:
  struct Mapping {
    const connectors::Connector* connector;
    connectors::SourceSettings settings;
  };
  store::Store& store_;
  nlp::RedactionPolicy redaction_;
  std::unordered_map<Id, std::optional<Mapping>> sources_;
};

class ReanalysisJobs {
 public:
  ReanalysisJobs(store::Store& store, bus::Bus& bus) : store_(store), bus_(bus), worker_([this] { work(); }) {}
  ~ReanalysisJobs() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  // The workspace's queued or running job if there is one, else a new queued job. With `after_change`, a
  // running job (which may have read the workspace's taxonomy before the change) is not joined: a new job is
  // queued behind it unless one is queued already.
  std::shared_ptr<ReanalysisJob> start(Id workspace_id, bool after_change = false) {
    std::lock_guard lock(mu_);
    for (const auto& job : queue_)
      if (job->workspace_id == workspace_id) return job;
    for (const auto& [id, job] : jobs_) {
      if (job->workspace_id == workspace_id && job->active() && !after_change) return job;
    }
    auto job = std::make_shared<ReanalysisJob>();
    job->id = "ra_" + random_token(12);
    job->workspace_id = workspace_id;
    job->created_at = now_ms();
    jobs_[job->id] = job;
    order_.push_back(job->id);
    queue_.push_back(job);
    forget_old_jobs();
    cv_.notify_all();
    return job;
  }

  std::shared_ptr<ReanalysisJob> find(Id workspace_id, const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second->workspace_id != workspace_id) return nullptr;
    return it->second;
  }

 private:
  void forget_old_jobs() {
    while (order_.size() > kKeptJobs) {
      auto it = jobs_.find(order_.front());
      if (it != jobs_.end() && !it->second->active()) jobs_.erase(it);
      order_.pop_front();
    }
  }

  void work() {
    for (;;) {
      std::shared_ptr<ReanalysisJob> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = queue_.front();
        queue_.pop_front();
      }
      job->set_state("running");
      Status s = run(*job);
      if (s) {
        job->set_state("done");
      } else {
        spdlog::warn("reanalysis {} of workspace {} failed: {}", job->id, job->workspace_id, s.error().message);
        job->set_state("failed", s.error().message);
      }
    }
  }

  bool stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  // Every record of the workspace as (timestamp, unique_identifier), oldest first.
  Result<std::vector<std::pair<TimeMs, std::int64_t>>> list_records(Id workspace_id) {
    std::vector<std::pair<TimeMs, std::int64_t>> ids;
    store::FeedbackFilter filter;
    filter.workspace_id = workspace_id;
    std::optional<std::string> cursor;
    do {
      auto page = store_.query_feedback(filter, kScanPage, cursor);
      if (!page) return page.error();
      for (const auto& r : page->items) ids.emplace_back(r.timestamp, r.unique_identifier);
      cursor = page->next_cursor;
    } while (cursor && !stopping());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  Status commit(Id workspace_id, std::vector<FeedbackRecord>& records) {
    if (records.empty()) return {};
    store::PageCommit page;
    page.workspace_id = workspace_id;
    page.records = std::move(records);
    records.clear();
    auto stored = store_.commit_page(page);
    if (!stored) return stored.error();
    std::vector<bus::OutgoingMessage> out;
    out.reserve(stored->size());
    for (const auto& r : *stored)
      out.push_back({bus::workspace_key(r.workspace_id), record_json(r)});
    return bus_.publish(bus::kFeedbackRecords, out);
  }

  Status run(ReanalysisJob& job) {
    // The workspace's taxonomy as it is when the job starts; a later change queues another job.
    auto taxonomy = load_taxonomy(store_, job.workspace_id);
    if (!taxonomy) return taxonomy.error();
    nlp::TaxonomyApplier applier(std::move(*taxonomy));
    auto workspace = store_.find_workspace(job.workspace_id);
    if (!workspace) return workspace.error();
    OriginalItems originals(
        store_, *workspace ? nlp::RedactionPolicy::known((*workspace)->settings.redact) : nlp::RedactionPolicy{});
    auto ids = list_records(job.workspace_id);
    if (!ids) return ids.error();
    job.total = static_cast<std::int64_t>(ids->size());
    NearDuplicateIndex index;  // the records re-analysed so far
    std::vector<FeedbackRecord> batch;
    for (const auto& [ts, uid] : *ids) {
      if (stopping())
        return make_error(ErrorCode::unavailable, "the server stopped during re-analysis; start it again");
      auto record = store_.get_record(job.workspace_id, uid);
      if (!record) {
        if (record.error().code == ErrorCode::not_found) continue;  // deleted meanwhile
        return record.error();
      }
      FeedbackRecord r = std::move(record.value());
      const std::optional<MappedItem> original = originals.of(r);
      std::string analysis_text = original ? nlp::reanalyse_record(r, *original) : nlp::reanalyse_record(r);
      applier.apply(r, analysis_text);
      r.duplicate_of = index.earliest_match(r.simhash, nlp::kNearDuplicateBits);
      index.add(r.unique_identifier, r.simhash);
      batch.push_back(std::move(r));
      if (batch.size() == kCommitPage) {
        if (auto s = commit(job.workspace_id, batch); !s) return s;
        job.done += static_cast<std::int64_t>(kCommitPage);
      }
    }
    std::int64_t rest = static_cast<std::int64_t>(batch.size());
    if (auto s = commit(job.workspace_id, batch); !s) return s;
    job.done += rest;
    job.done = std::min(job.done.load(), job.total.load());
    return {};
  }

  store::Store& store_;
  bus::Bus& bus_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<ReanalysisJob>> jobs_;
  std::deque<std::string> order_;
  std::deque<std::shared_ptr<ReanalysisJob>> queue_;
  std::thread worker_;  // last: starts once everything above exists
};

namespace {

}  // namespace

std::shared_ptr<ReanalysisJobs> make_reanalysis_jobs(store::Store& store, bus::Bus& bus) {
  return std::make_shared<ReanalysisJobs>(store, bus);
}

json::object start_reanalysis(ReanalysisJobs& jobs, Id workspace_id) { return jobs.start(workspace_id, true)->view(); }

void add_reanalyze_routes(http::Router& router, AppContext& ctx, std::shared_ptr<ReanalysisJobs> jobs) {
  add_route(router, ctx, "POST", "/v1/workspaces/{ws}/reanalyze", Access::editor, [jobs, &ctx](http::Request& req) {
    auto ws = caller_workspace(req, ctx);
    if (!ws) return error_response(ws.error());
    // It takes no settings: an empty body or {}; anything else is a mistake worth saying before a job over
    // every record starts.
    if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
      auto body = object_body(req);
      if (!body) return error_response(body.error());
      if (auto s = only_known_fields(*body, {}, "a re-analysis"); !s) return error_response(s.error());
    }
    return json_response(202, jobs->start(ws->id)->view());
  });
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/reanalyze/{job}", Access::viewer, [jobs, &ctx](http::Request& req) {
    auto ws = caller_workspace(req, ctx);
    if (!ws) return error_response(ws.error());
    std::string id = req.params.count("job") ? req.params.at("job") : "";
    auto job = jobs->find(ws->id, id);
    if (!job) return error_response(ErrorCode::not_found, "re-analysis job " + id + " does not exist");
    return json_response(200, job->view());
  });
}

}  // namespace chorus::api
