// The parser role.
#include <spdlog/spdlog.h>

#include <cmath>

#include "api/source_spec.hpp"
#include "api/sync_request.hpp"
#include "connectors/connector.hpp"
#include "nlp/fingerprint.hpp"
#include "nlp/record_analysis.hpp"
#include "nlp/stage.hpp"
#include "nlp/workspace_taxonomy.hpp"
#include "roles/roles.hpp"

namespace chorus::roles {

namespace {

using nlp::kNearDuplicateBits;

nlp::TextFormat text_format(MappedItem::Format f) {
  switch (f) {
    case MappedItem::Format::html: return nlp::TextFormat::html;
    case MappedItem::Format::markdown: return nlp::TextFormat::markdown;
    case MappedItem::Format::plain: return nlp::TextFormat::plain;
  }
  return nlp::TextFormat::plain;
}

FeedbackRecord analyse(const MappedItem& item, const store::Source& source, TimeMs received_at,
                       const std::string& raw_ref) {
  nlp::Document doc;
  doc.raw = item.text;
  doc.format = text_format(item.format);
  doc.title = item.title.value_or("");
  if (item.rating) doc.rating = static_cast<int>(std::lround(*item.rating));
  const auto& pipeline = nlp::Pipeline::standard();
  pipeline.run(doc);

  FeedbackRecord r;
  r.unique_identifier = make_unique_identifier(source.workspace_id, source.type, item.external_id);
  r.workspace_id = source.workspace_id;
  r.source_id = source.id;
  r.customer_id = source.customer_id;
  r.source_type = source.type;
  r.source_info = item.source_info;
  r.rating = item.rating;
  r.title = item.title;
  r.text = doc.text;
  nlp::apply_analysis(r, doc, pipeline);
  r.external_id = item.external_id;
  r.url = item.url;
  r.raw_ref = raw_ref;
  r.extra = item.extra;
  r.email = item.email;
  r.platform_user_id = item.user_id;
  r.username = item.username;
  r.received_at = received_at;
  r.timestamp = item.timestamp.value_or(received_at);
  return r;
}

int hamming(std::uint64_t a, std::uint64_t b) { return __builtin_popcountll(a ^ b); }

}  // namespace

ParserRole::ParserRole(RoleDeps deps)
    : deps_(deps), loop_("parser", deps.bus, std::string(bus::kRawItems), "parser", 32,
                         [this](std::span<const bus::Message> b) { return process_batch(b); }) {}

Status ParserRole::process_batch(std::span<const bus::Message> batch) {
  Taxonomies taxonomies;
  for (const auto& m : batch)
    if (auto s = process(m, taxonomies); !s) return s;
  return {};
}

Status ParserRole::process(const bus::Message& message) {
  Taxonomies taxonomies;
  return process(message, taxonomies);
}

Status ParserRole::process(const bus::Message& message, Taxonomies& taxonomies) {
  std::string raw_ref = message.topic + "/" + std::to_string(message.partition) + "/" + std::to_string(message.offset);
  auto decoded = bus::decode_raw_items(message.payload);
  if (!decoded) {
    // A message we cannot read is kept for inspection and never blocks the ones behind it.
    deps_.metrics.add("chorus_dead_letters_total");
    return deps_.store.add_dead_letter(0, 0, message.payload, decoded.error().message);
  }
  auto& m = *decoded;
  auto source = deps_.store.get_source_by_id(m.source_id);
  if (!source) {
    if (source.error().code != ErrorCode::not_found) return source.error();  // store down: retry the batch
    deps_.metrics.add("chorus_dead_letters_total");
    return deps_.store.add_dead_letter(m.workspace_id, m.source_id, message.payload,
                                       "source " + std::to_string(m.source_id) + " was deleted before its items were parsed");
  }
  const auto* connector = connectors::find_connector(source->type);
  if (!connector) return deps_.store.add_dead_letter(m.workspace_id, m.source_id, message.payload, "unknown source type");
  auto settings = api::source_settings(*source, {});
  auto& taxonomy = taxonomies[source->workspace_id];
  if (!taxonomy) {
    auto doc = deps_.store.get_taxonomy(source->workspace_id);
    if (!doc) return doc.error();  // store down: retry the batch
    auto loaded = nlp::parse_workspace_taxonomy(doc->body, doc->version);
    if (!loaded) {
      // A document this server cannot read must not stop the pipeline: the NLP's own themes, unedited.
      spdlog::warn("parser: the taxonomy of workspace {} is unreadable ({}); records keep the NLP's themes",
                   source->workspace_id, loaded.error().message);
      loaded = nlp::WorkspaceTaxonomy{};
    }
    taxonomy = std::make_shared<nlp::TaxonomyApplier>(std::move(*loaded));
  }

  json::array items = std::move(m.items);
  if (m.kind == bus::RawItems::Kind::webhook) {
    auto body = parse_json(m.body);
    http::Headers headers;
    for (const auto& kv : m.headers)
      if (kv.value().is_string()) headers.set(kv.key(), std::string(kv.value().get_string()));
    auto split = body ? connector->from_webhook(headers, *body, settings) : Result<connectors::WebhookItems>(body.error());
    if (!split) {
      deps_.metrics.add("chorus_dead_letters_total");
      return deps_.store.add_dead_letter(m.workspace_id, m.source_id, m.body, split.error().message);
    }
    for (auto& it : split->items) items.push_back(std::move(it));
    if (split->fetch && connector->pulls()) {
      if (auto s = api::request_sync(deps_.store, deps_.bus, *source); !s) return s.error();
    }
  }

  store::PageCommit page;
  page.workspace_id = m.workspace_id;
  page.source_id = m.source_id;
  page.sync_id = m.sync_id;
  page.sync_finished = m.kind == bus::RawItems::Kind::page && m.final;
  if (page.sync_finished) page.cursor = m.cursor;
  TimeMs received = m.received_at ? m.received_at : message.appended_at;
  for (const auto& item : items) {
    auto mapped = connector->map(item, settings);
    if (!mapped) {
      deps_.metrics.add("chorus_dead_letters_total");
      if (auto s = deps_.store.add_dead_letter(m.workspace_id, m.source_id, to_json_string(item), mapped.error().message); !s)
        return s;
      continue;
    }
    FeedbackRecord r = analyse(*mapped, *source, received, raw_ref);
    taxonomy->apply(r);
    r.raw_item = to_json_string(item);  // kept beside the record: ?include=raw outlives the bus's retention
    // The earliest record that says the same thing: first among those stored, then within this page.
    auto dup = deps_.store.find_near_duplicate(r.workspace_id, r.simhash, kNearDuplicateBits, r.unique_identifier, r.timestamp);
    if (!dup) return dup.error();
    r.duplicate_of = *dup;
    if (r.simhash != 0)
      for (const auto& earlier : page.records)
        if (earlier.unique_identifier != r.unique_identifier && hamming(earlier.simhash, r.simhash) <= kNearDuplicateBits &&
            std::make_pair(earlier.timestamp, earlier.unique_identifier) < std::make_pair(r.timestamp, r.unique_identifier) &&
            !r.duplicate_of)
          r.duplicate_of = earlier.duplicate_of.value_or(earlier.unique_identifier);
    page.records.push_back(std::move(r));
  }
  auto stored = deps_.store.commit_page(page);
  if (!stored) return stored.error();
  deps_.metrics.add("chorus_records_upserted_total", static_cast<std::int64_t>(stored->size()));
  if (stored->empty()) return {};
  std::vector<bus::OutgoingMessage> out;
  out.reserve(stored->size());
  for (const auto& r : *stored) out.push_back({bus::workspace_key(r.workspace_id), to_json_string(record_to_json(r))});
  return deps_.bus.publish(bus::kFeedbackRecords, out);
}

ReportsRole::ReportsRole(RoleDeps deps)
    : deps_(deps), loop_("reports", deps.bus, std::string(bus::kFeedbackRecords), "reports", 256,
                         [this](std::span<const bus::Message> batch) -> Status {
                           std::vector<FeedbackRecord> records;
                           records.reserve(batch.size());
                           for (const auto& m : batch) {
                             auto v = parse_json(m.payload);
                             auto r = v ? record_from_json(*v) : Result<FeedbackRecord>(v.error());
                             if (!r) {
                               spdlog::warn("reports: skipping unreadable record at offset {}: {}", m.offset,
                                            r.error().message);
                               continue;
                             }
                             records.push_back(std::move(r.value()));
                           }
                           return deps_.store.apply_rollups(records);
                         }) {}

}  // namespace chorus::roles
