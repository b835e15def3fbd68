// Incremental sync: GET /forms/{form_id}/responses?since=... newest first, paging back with before=<token
// of the page's last response> until a short page. The cursor is the newest submitted_at collected.
#include <algorithm>

#include "connectors/common_fields.hpp"
#include "connectors/page_emitter.hpp"
#include "connectors/typeform/typeform_connector.hpp"
#include "core/time.hpp"
#include "ingest/fetcher.hpp"
#include "ingest/page_request.hpp"
#include "ingest/pagination.hpp"

namespace chorus::connectors::typeform {

namespace {

// Newest first means the cursor may only move once the whole range was read: a sync never stops early.
constexpr int kMaxPages = 100000;

class ResponsesSync {
 public:
  ResponsesSync(SyncContext& ctx, PageSink& sink) : ctx_(ctx), emitter_(sink) {}

  Result<std::string> run() {
    if (auto st = read_settings(); !st) return st.error();
    ingest::PageTokens pages(kMaxPages);
    for (bool more = true; more;) {
      const std::string where = "GET " + path_ + " page " + std::to_string(pages.pages_read() + 1);
      auto next = read_page(where, pages.token());
      if (!next) return next.error();
      auto advanced = pages.advance(std::move(*next));
      if (!advanced) return ingest::malformed_page(where, advanced.error().message);
      more = *advanced;
    }
    return emitter_.finish(newest_ ? format_time(*newest_) : ctx_.cursor);
  }

 private:
  Status read_settings() {
    form_id_ = setting_string(ctx_.source, "form_id");
    if (form_id_.empty()) return make_error(ErrorCode::bad_request, "config.form_id is required");
    path_ = "/forms/" + http::percent_encode(form_id_) + "/responses";
    page_size_ = std::clamp<std::int64_t>(setting_int(ctx_.source, "page_size", 200), 1, 1000);
    std::string token = credential(ctx_.source, "access_token");
    if (token.empty())
      return make_error(ErrorCode::bad_request, "credentials.access_token is needed to read responses from Typeform");
    headers_.set("Authorization", "Bearer " + token);
    headers_.set("Accept", "application/json");

    if (!ctx_.cursor.empty()) {
      after_ = parse_time(ctx_.cursor);
      if (!after_) return make_error(ErrorCode::bad_request, "typeform cursor \"" + ctx_.cursor + "\" is not a time");
    } else if (!setting_string(ctx_.source, "since").empty()) {
      auto since = backfill_since(ctx_.source);
      if (!since) return make_error(ErrorCode::bad_request, "config.since must be an ISO-8601 time");
      after_ = *since - 1;  // since is inclusive
    }
    return {};
  }

  std::string page_url(const std::optional<std::string>& before) const {
    ingest::QueryString query;
    query.add("page_size", page_size_);
    // since is in whole seconds and inclusive; what was collected already is dropped below.
    if (after_) query.add("since", *after_ / 1000);
    if (before) query.add("before", *before);
    return query.append_to(base_url(ctx_.source) + path_);
  }

  // Reads one page and holds its new responses; returns the token to page on from (nullopt at the end).
  Result<std::optional<std::string>> read_page(const std::string& where, const std::optional<std::string>& before) {
    if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "typeform sync cancelled");
    ingest::OutboundRequest req;
    req.url = page_url(before);
    req.headers = headers_;
    auto page = ingest::fetch_json_page(ctx_.fetcher, req, where);
    if (!page) return page.error();
    const json::value* list = find_path(page->body, "items");
    if (!page->body.is_object() || !list || !list->is_array())
      return ingest::malformed_page(where, "\"items\" is missing or not an array");

    std::vector<json::value> items;
    bool reached_old = false;
    const json::array& responses = list->get_array();
    for (std::size_t i = 0; i < responses.size(); ++i) {
      if (!responses[i].is_object() || !get_string(responses[i], "token"))
        return ingest::malformed_page(where, "items[" + std::to_string(i) + "] has no token");
      // Unsubmitted (partial) responses have no usable submitted_at.
      auto submitted = parse_time(get_string(responses[i], "submitted_at").value_or(""));
      if (!submitted || *submitted <= 0) continue;
      if (after_ && *submitted <= *after_) {
        reached_old = true;
        continue;
      }
      newest_ = std::max(newest_.value_or(*submitted), *submitted);
      items.push_back(responses[i]);  // one without words is left out, and counted, by the parser
    }
    if (auto st = emitter_.push(std::move(items)); !st) return st.error();

    // Newest first: a short page is the last, and a page that reached collected responses ends the sync.
    if (reached_old || responses.empty() || static_cast<std::int64_t>(responses.size()) < page_size_)
      return std::optional<std::string>();
    return get_string(responses.back(), "token");
  }

  SyncContext& ctx_;
  PageEmitter emitter_;  // pages go on one behind, so that only the last carries the cursor
  std::string form_id_;
  std::string path_;
  std::int64_t page_size_ = 200;
  std::optional<TimeMs> after_;   // responses submitted at or before this were collected already
  std::optional<TimeMs> newest_;  // the newest submitted_at collected, the next cursor
  http::Headers headers_;
};

}  // namespace

Result<std::string> TypeformConnector::sync(SyncContext& ctx, PageSink& sink) const {
  return ResponsesSync(ctx, sink).run();
}

}  // namespace chorus::connectors::typeform
