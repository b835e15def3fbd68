// The parser role.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "api/source_spec.hpp"
#include "api/sync_request.hpp"
#include "connectors/connector.hpp"
#include "nlp/fingerprint.hpp"
#include "nlp/record_analysis.hpp"
#include "nlp/stage.hpp"
#include "nlp/workspace_taxonomy.hpp"
#include "roles/roles.hpp"
#include "roles/stored_record.hpp"

namespace chorus::roles {

namespace {

using nlp::kNearDuplicateBits;

// The record of `item`, whose fields it takes (the item is spent). `analysis_text` receives the text the engine
// read, which the workspace's custom theme rules read too.
FeedbackRecord analyse(MappedItem& item, const store::Source& source, TimeMs received_at, const std::string& raw_ref,
                       std::string& analysis_text) {
  nlp::Document doc = nlp::document_of(item);
  const auto& pipeline = nlp::Pipeline::standard();
  pipeline.run(doc);

  FeedbackRecord r;
  r.unique_identifier = make_unique_identifier(source.workspace_id, source.type, item.external_id);
  r.workspace_id = source.workspace_id;
  r.source_id = source.id;
  r.customer_id = source.customer_id;
  r.source_type = source.type;
  r.source_info = std::move(item.source_info);
  r.rating = item.rating;
  r.title = std::move(item.title);
  nlp::apply_analysis(r, doc, pipeline);
  r.text = std::move(doc.text);
  analysis_text = std::move(doc.analysis_text);
  r.external_id = std::move(item.external_id);
  r.url = std::move(item.url);
  r.raw_ref = raw_ref;
  r.extra = std::move(item.extra);
  r.email = std::move(item.email);
  r.platform_user_id = std::move(item.user_id);
  r.username = std::move(item.username);
  r.received_at = received_at;
  r.timestamp = item.timestamp.value_or(received_at);
  return r;
}

}  // namespace

ParserRole::ParserRole(RoleDeps deps, ParserOptions options)
    : deps_(deps), options_(options),
      pool_(options.analysis_threads > 1 ? options.analysis_threads - 1 : 0, options.priority),
      loop_("parser", deps.bus, std::string(bus::kRawItems), "parser", std::max<std::size_t>(1, options.batch_messages),
            [this](std::span<const bus::Message> b) { return process_batch(b); }) {
  if (options_.hold) loop_.hold_while(options_.hold);
  if (options_.batch_cap) loop_.cap_batch(options_.batch_cap);
}

Status ParserRole::process(const bus::Message& message) {
  return process_batch(std::span<const bus::Message>(&message, 1));
}

// A batch goes through in chunks of about batch_records records: each chunk's messages are mapped, its NLP
// runs on the pool while the chunk before it is stored (one transaction) and published (one publish). The
// store finds near-duplicates page after page inside its transaction, so every record comes out as it would
// from one message at a time.
Status ParserRole::process_batch(std::span<const bus::Message> batch) {
  BatchState state;
  Chunk analysing;
  // An early return must not leave the pool working on this frame's chunk.
  // Nor the bus still writing a chunk of it when the batch is tried again.
  struct FinishOnExit {
    ParserRole& role;
    Chunk& chunk;
    ~FinishOnExit() {
      if (chunk.started) role.pool_.finish();
      (void)role.wait_published();
    }
  } guard{*this, analysing};
  for (const auto& message : batch) {
    if (auto s = prepare(message, state); !s) return s;
    if (state.filling.records >= options_.batch_records)
      if (auto s = advance(state, analysing); !s) return s;
  }
  if (!state.filling.pages.empty())
    if (auto s = advance(state, analysing); !s) return s;
  finish_analysis(analysing);
  if (auto s = store_and_publish(analysing.pages); !s) return s;
  return wait_published();
}

Status ParserRole::advance(BatchState& state, Chunk& analysing) {
  finish_analysis(analysing);
  Chunk previous = std::move(analysing);
  analysing = std::move(state.filling);
  state.filling = Chunk{};
  // The next chunk fills the list the last one emptied, at its size, rather than growing one anew.
  previous.pending.clear();
  state.filling.pending = std::move(previous.pending);
  start_analysis(analysing);
  return store_and_publish(previous.pages);
}

void ParserRole::start_analysis(Chunk& chunk) {
  chunk.started = true;
  pool_.start(chunk.pending.size(), [&chunk](std::size_t i) {
    PendingAnalysis& job = chunk.pending[i];
    FeedbackRecord& r = chunk.pages[job.page].records[job.index];
    // The workspace's PII kinds are masked before anything reads the text: the NLP, the store, the export.
    nlp::redact_item(job.mapped, job.rules->redaction);
    r = analyse(job.mapped, *job.source, job.received_at, job.raw_ref, job.analysis_text);
    // Kept beside the record (?include=raw outlives the bus's retention) unless the workspace drops raw items.
    if (job.rules->settings.keep_raw) r.raw_item = to_json_string(job.item);
  });
}

void ParserRole::finish_analysis(Chunk& chunk) {
  if (!chunk.started) return;
  pool_.finish();
  chunk.started = false;
  // A workspace's taxonomy caches its matchers as it goes: applied on this thread only, in order.
  for (const PendingAnalysis& job : chunk.pending)
    job.taxonomy->apply(chunk.pages[job.page].records[job.index], job.analysis_text);
  chunk.pending.clear();
}

Status ParserRole::store_and_publish(std::vector<store::PageCommit>& pages) {
  if (pages.empty()) return {};
  if (options_.pace) loop_.wait_while(options_.pace);
  std::vector<store::StoredJson> stored;  // each stored record as the store serialised it
  if (auto s = deps_.store.commit_pages_with_json(pages, stored); !s) return s;
  deps_.metrics.add("chorus_records_upserted_total", static_cast<std::int64_t>(stored.size()));
  if (stored.empty()) return {};
  std::vector<bus::OutgoingMessage> out;
  out.reserve(stored.size());
  for (auto& r : stored) out.push_back({bus::workspace_key(r.workspace_id), std::move(r.json)});
  // The chunk before this one had the whole of this one's store to reach the bus; one chunk's records in flight
  // at a time (a chunk is megabytes).
  if (auto s = wait_published(); !s) return s;
  {
    std::lock_guard lock(publishes_->mu);
    ++publishes_->pending;
  }
  deps_.bus.publish_async(bus::kFeedbackRecords, std::move(out), [p = publishes_](Status s) {
    {
      std::lock_guard lock(p->mu);
      --p->pending;
      if (!s && p->failed) p->failed = std::move(s);
    }
    p->cv.notify_all();
  });
  return {};
}

Status ParserRole::wait_published() {
  std::unique_lock lock(publishes_->mu);
  publishes_->cv.wait(lock, [&] { return publishes_->pending == 0; });
  return std::exchange(publishes_->failed, Status{});
}

Result<const store::Source*> ParserRole::source_of(Id source_id, BatchState& state) {
  if (auto it = state.sources.find(source_id); it != state.sources.end()) return it->second ? &*it->second : nullptr;
  auto source = deps_.store.get_source_by_id(source_id);
  if (!source) {
    if (source.error().code != ErrorCode::not_found) return source.error();  // store down: retry the batch
    state.sources.emplace(source_id, std::nullopt);
    return static_cast<const store::Source*>(nullptr);
  }
  auto& kept = state.sources.emplace(source_id, std::move(source).value()).first->second;
  return &*kept;
}

Result<std::shared_ptr<nlp::TaxonomyApplier>> ParserRole::taxonomy_of(Id workspace_id, BatchState& state) {
  auto& taxonomy = state.taxonomies[workspace_id];
  if (taxonomy) return taxonomy;
  auto doc = deps_.store.get_taxonomy(workspace_id);
  if (!doc) return doc.error();  // store down: retry the batch
  auto loaded = nlp::parse_workspace_taxonomy(doc->body, doc->version);
  if (!loaded) {
    // A document this server cannot read must not stop the pipeline: the NLP's own themes, unedited.
    spdlog::warn("parser: the taxonomy of workspace {} is unreadable ({}); records keep the NLP's themes",
                 workspace_id, loaded.error().message);
    loaded = nlp::WorkspaceTaxonomy{};
  }
  taxonomy = std::make_shared<nlp::TaxonomyApplier>(std::move(*loaded));
  return taxonomy;
}

Result<std::shared_ptr<const ParserRole::WorkspaceRules>> ParserRole::rules_of(Id workspace_id, BatchState& state) {
  if (auto it = state.rules.find(workspace_id); it != state.rules.end()) return it->second;
  auto ws = deps_.store.find_workspace(workspace_id);
  if (!ws) return ws.error();  // store down: retry the batch
  std::shared_ptr<const WorkspaceRules> rules;
  if (*ws) {
    auto made = std::make_shared<WorkspaceRules>();
    made->settings = (*ws)->settings;
    made->redaction = nlp::RedactionPolicy::known(made->settings.redact);
    if (made->settings.drop_erased_authors) {
      auto hashes = deps_.store.erased_author_hashes(workspace_id);
      if (!hashes) return hashes.error();
      made->erased.insert(hashes->begin(), hashes->end());
    }
    rules = std::move(made);
  }
  state.rules.emplace(workspace_id, rules);
  return rules;
}

// A message that goes to the dead letters adds nothing to the chunk and returns ok.
Status ParserRole::prepare(const bus::Message& message, BatchState& state) {
  std::string raw_ref = message.topic + "/" + std::to_string(message.partition) + "/" + std::to_string(message.offset);
  auto decoded = bus::decode_raw_items(message.payload);
  if (!decoded) {
    // A message we cannot read is kept for inspection and never blocks the ones behind it.
    deps_.metrics.add("chorus_dead_letters_total");
    if (auto s = deps_.store.add_dead_letter(0, 0, message.payload, decoded.error().message); !s) return s;
    return {};
  }
  auto& m = *decoded;
  // Items of a workspace deleted while they were in flight are dropped: nothing of it may come back.
  auto rules = rules_of(m.workspace_id, state);
  if (!rules) return rules.error();
  if (!*rules) {
    deps_.metrics.add("chorus_items_of_deleted_workspaces_dropped_total");
    return {};
  }
  auto found = source_of(m.source_id, state);
  if (!found) return found.error();
  if (!*found) {
    deps_.metrics.add("chorus_dead_letters_total");
    if (auto s = deps_.store.add_dead_letter(
            m.workspace_id, m.source_id, message.payload,
            "source " + std::to_string(m.source_id) + " was deleted before its items were parsed");
        !s)
      return s;
    return {};
  }
  const store::Source& source = **found;  // lives in state.sources for the whole batch
  const auto* connector = connectors::find_connector(source.type);
  if (!connector) {
    if (auto s = deps_.store.add_dead_letter(m.workspace_id, m.source_id, message.payload, "unknown source type"); !s)
      return s;
    return {};
  }
  auto settings = api::source_settings(source, {});
  auto taxonomy = taxonomy_of(source.workspace_id, state);
  if (!taxonomy) return taxonomy.error();

  json::array items = std::move(m.items);
  if (m.kind == bus::RawItems::Kind::webhook) {
    auto body = parse_json(m.body);
    http::Headers headers;
    for (const auto& kv : m.headers)
      if (kv.value().is_string()) headers.set(kv.key(), std::string(kv.value().get_string()));
    auto split = body ? connector->from_webhook(headers, *body, settings) : Result<connectors::WebhookItems>(body.error());
    if (!split) {
      deps_.metrics.add("chorus_dead_letters_total");
      if (auto s = deps_.store.add_dead_letter(m.workspace_id, m.source_id, m.body, split.error().message); !s)
        return s;
      return {};
    }
    for (auto& it : split->items) items.push_back(std::move(it));
    // A paused source still stores what is delivered to it, but a delivery asking for a fetch starts no sync.
    if (split->fetch && connector->pulls() && !source.paused) {
      if (auto s = api::request_sync(deps_.store, deps_.bus, source); !s) return s.error();
    }
  }

  store::PageCommit page;
  page.workspace_id = m.workspace_id;
  page.source_id = m.source_id;
  page.sync_id = m.sync_id;
  page.sync_finished = m.kind == bus::RawItems::Kind::page && m.final;
  if (page.sync_finished) page.cursor = m.cursor;
  page.near_duplicate_bits = kNearDuplicateBits;
  TimeMs received = m.received_at ? m.received_at : message.appended_at;
  page.records.reserve(items.size());
  for (auto& item : items) {
    auto admitted = connectors::admit_item(*connector, item, settings);
    if (!admitted) {
      deps_.metrics.add("chorus_dead_letters_total");
      if (auto s = deps_.store.add_dead_letter(m.workspace_id, m.source_id, to_json_string(item),
                                               admitted.error().message);
          !s)
        return s;
      continue;
    }
    if (!admitted->item) {
      // Left out by the source's settings or for want of text: counted on the sync, never a record.
      ++page.skipped[admitted->skipped];
      deps_.metrics.add("chorus_items_skipped_total{reason=\"" + admitted->skipped + "\"}");
      continue;
    }
    MappedItem& mapped = *admitted->item;
    if (!(*rules)->erased.empty()) {
      auto hashes = store::author_hashes((*rules)->settings.author_salt, mapped.email, mapped.user_id, mapped.username);
      if (std::any_of(hashes.begin(), hashes.end(), [&](const std::string& h) { return (*rules)->erased.contains(h); })) {
        deps_.metrics.add("chorus_items_of_erased_authors_dropped_total");
        continue;
      }
    }
    // Analysed later with the rest of its chunk, on every core; the record keeps its place in the page.
    state.filling.pending.emplace_back(std::move(mapped), std::move(item), &source, received, raw_ref, taxonomy->get(),
                                       state.filling.pages.size(), page.records.size(), rules->get(), std::string{});
    page.records.emplace_back();
  }
  if (!page.skipped.empty() && m.kind != bus::RawItems::Kind::page) {
    std::string reasons;
    for (const auto& [reason, n] : page.skipped) reasons += (reasons.empty() ? "" : ", ") + reason + " " + std::to_string(n);
    spdlog::info("parser: source {} left out items of {}: {}", m.source_id,
                 m.kind == bus::RawItems::Kind::webhook ? "a webhook delivery" : "a push", reasons);
  }
  state.filling.records += page.records.size();
  state.filling.pages.push_back(std::move(page));
  return {};
}

// Records the reports role folds in one transaction, at most. Each record adds a row at a random place of
// rollup_applied's key, so once that index has more pages than a batch has records, a commit rewrites about one
// of its pages per record. With 8,192 instead of 2,048, the last 100,000 of a 400,000-item import were stored at
// about 2,870 records/s instead of 2,160.
constexpr std::size_t kReportsBatch = 8192;

ReportsRole::ReportsRole(RoleDeps deps, ThreadPriority priority)
    : deps_(deps),
      priority_(priority),
      loop_("reports", deps.bus, std::string(bus::kFeedbackRecords), "reports", kReportsBatch,
            [this](std::span<const bus::Message> batch) -> Status {
              std::vector<FeedbackRecord> records;
              records.reserve(batch.size());
              for (const auto& m : batch) {
                auto r = read_counted_record(m.payload);
                if (!r) {
                  spdlog::warn("reports: skipping unreadable record at offset {}: {}", m.offset, r.error().message);
                  continue;
                }
                records.push_back(std::move(r.value()));
              }
              return deps_.store.apply_rollups(records);
            }) {}

}  // namespace chorus::roles
