// Incremental sync: POST /conversations/search for conversations updated after the cursor, oldest update
// first, following pages.next.starting_after; with include_parts, each conversation is fetched whole from
// /conversations/{id} for the customer's replies. The cursor is the newest updated_at seen (epoch seconds).
#include <algorithm>
#include <charconv>

#include "connectors/common_fields.hpp"
#include "connectors/intercom/intercom_connector.hpp"
#include "connectors/page_emitter.hpp"
#include "core/time.hpp"
#include "ingest/fetcher.hpp"
#include "ingest/page_request.hpp"
#include "ingest/pagination.hpp"

namespace chorus::connectors::intercom {

namespace {

constexpr const char* kSearchPath = "/conversations/search";

class SearchSync {
 public:
  SearchSync(SyncContext& ctx, PageSink& sink) : ctx_(ctx), emitter_(sink) {}

  Result<std::string> run() {
    if (auto st = read_settings(); !st) return st.error();
    ingest::PageTokens pages(max_pages_);
    for (bool more = true; more;) {
      const std::string where = "POST " + std::string(kSearchPath) + " page " + std::to_string(pages.pages_read() + 1);
      auto next = read_page(where, pages.token());
      if (!next) return next.error();
      auto advanced = pages.advance(std::move(*next));
      if (!advanced) return ingest::malformed_page(where, advanced.error().message);
      more = *advanced;
    }
    // Oldest update first: when max_pages stops the sync early, everything up to the newest update read
    // was read, and the next sync carries on after it.
    return emitter_.finish(std::to_string(std::max(after_, newest_.value_or(after_))));
  }

 private:
  Status read_settings() {
    base_ = base_url(ctx_.source);
    per_page_ = std::clamp<std::int64_t>(setting_int(ctx_.source, "per_page", 50), 1, 150);
    max_pages_ = static_cast<int>(std::clamp<std::int64_t>(setting_int(ctx_.source, "max_pages", 100), 1, 100000));
    include_parts_ = setting_bool(ctx_.source, "include_parts", false);
    std::string token = credential(ctx_.source, "access_token");
    if (token.empty())
      return make_error(ErrorCode::bad_request,
                        "credentials.access_token is needed to read conversations from Intercom");
    headers_.set("Authorization", "Bearer " + token);
    headers_.set("Accept", "application/json");
    headers_.set("Intercom-Version", setting_string(ctx_.source, "api_version", "2.11"));

    if (!ctx_.cursor.empty()) {
      std::int64_t seconds = 0;
      auto [p, ec] = std::from_chars(ctx_.cursor.data(), ctx_.cursor.data() + ctx_.cursor.size(), seconds);
      if (ec != std::errc() || p != ctx_.cursor.data() + ctx_.cursor.size())
        return make_error(ErrorCode::bad_request,
                          "intercom cursor \"" + ctx_.cursor + "\" is not a time in epoch seconds");
      after_ = seconds;
    } else if (!setting_string(ctx_.source, "since").empty()) {
      auto since = backfill_since(ctx_.source);
      if (!since) return make_error(ErrorCode::bad_request, "config.since must be an ISO-8601 time");
      after_ = *since / 1000 - 1;  // since is inclusive, the search's > is not
    }
    return {};
  }

  std::string search_body(const std::optional<std::string>& starting_after) const {
    json::object pagination{{"per_page", per_page_}};
    if (starting_after) pagination["starting_after"] = *starting_after;
    return json::serialize(
        json::object{{"query", json::object{{"field", "updated_at"}, {"operator", ">"}, {"value", after_}}},
                     {"sort", json::object{{"field", "updated_at"}, {"order", "ascending"}}},
                     {"pagination", std::move(pagination)}});
  }

  // Reads one search page and holds its items; returns the next page's starting_after (nullopt at the end).
  Result<std::optional<std::string>> read_page(const std::string& where, const std::optional<std::string>& token) {
    if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "intercom sync cancelled");
    ingest::OutboundRequest req;
    req.method = "POST";
    req.url = base_ + kSearchPath;
    req.headers = headers_;
    req.headers.set("Content-Type", "application/json");
    req.body = search_body(token);
    auto page = ingest::fetch_json_page(ctx_.fetcher, req, where);
    if (!page) return page.error();
    const json::value& body = page->body;
    const json::value* conversations = find_path(body, "conversations");
    if (!conversations || !conversations->is_array())
      return ingest::malformed_page(where, "\"conversations\" is missing or not an array");

    std::vector<json::value> items;
    std::vector<std::string> ids;
    const json::array& list = conversations->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto id = get_string(list[i], "id");
      if (!list[i].is_object() || !id)
        return ingest::malformed_page(where, "conversations[" + std::to_string(i) + "] has no id");
      if (auto updated = get_int(list[i], "updated_at")) newest_ = std::max(newest_.value_or(*updated), *updated);
      ids.push_back(*id);
      // Conversations a teammate started, or without words, go on too: the parser leaves them out by the
      // rule pushed and delivered ones meet, and counts them in the sync's skipped_reasons.
      const json::value* opening = find_path(list[i], "source");
      if (opening && opening->is_object()) items.push_back(list[i]);
    }
    if (include_parts_) {
      if (auto st = add_parts(ids, items); !st) return st.error();
    }
    if (auto st = emitter_.push(std::move(items)); !st) return st.error();

    const json::value* next = find_path(body, "pages.next.starting_after");
    if (!next || next->is_null()) return std::optional<std::string>();
    if (!next->is_string()) return ingest::malformed_page(where, "pages.next.starting_after is not a string");
    return std::optional<std::string>(std::string(next->get_string()));
  }

  Status add_parts(const std::vector<std::string>& ids, std::vector<json::value>& items) {
    std::vector<ingest::OutboundRequest> requests;
    for (const auto& id : ids) {
      ingest::OutboundRequest req;
      req.url = base_ + "/conversations/" + http::percent_encode(id);
      req.headers = headers_;
      requests.push_back(std::move(req));
    }
    auto results = ctx_.fetcher.get_all(requests);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const std::string where = "GET /conversations/" + ids[i];
      if (i >= results.size()) return make_error(ErrorCode::internal, where + ": no response");
      if (!results[i]) {
        if (results[i].error().code == ErrorCode::not_found) continue;  // deleted since the search
        return Error{results[i].error().code, where + ": " + results[i].error().message};
      }
      auto full = parse_json(results[i]->body);
      if (!full) return ingest::malformed_page(where, full.error().message);
      if (!full->is_object()) return ingest::malformed_page(where, "expected a conversation object");
      for (auto& part : customer_parts(*full)) items.push_back(std::move(part));
    }
    return {};
  }

  SyncContext& ctx_;
  PageEmitter emitter_;  // pages go on one behind, so that only the last carries the cursor
  std::string base_;
  std::int64_t per_page_ = 50;
  int max_pages_ = 100;
  bool include_parts_ = false;
  std::int64_t after_ = 0;
  std::optional<std::int64_t> newest_;
  http::Headers headers_;
};

}  // namespace

Result<std::string> IntercomConnector::sync(SyncContext& ctx, PageSink& sink) const {
  return SearchSync(ctx, sink).run();
}

}  // namespace chorus::connectors::intercom
