// Incremental sync over /search_by_date: newest first, `numericFilters=created_at_i>{cursor}`. The first
// page says how many pages there are (nbPages); the rest are read `concurrency` at a time. Algolia
// serves at most 1,000 hits per query, so when it holds more, another pass reads below the oldest hit.
#include <unordered_set>

#include "connectors/common_fields.hpp"
#include "connectors/hackernews/hackernews_connector.hpp"
#include "connectors/page_emitter.hpp"
#include "ingest/pagination.hpp"

namespace chorus::connectors::hackernews {

namespace {

constexpr int kMaxPasses = 20;

class SearchSync {
 public:
  SearchSync(SyncContext& ctx, PageSink& sink) : ctx_(ctx), emitter_(sink) {}

  Result<std::string> run() {
    if (auto st = read_settings(); !st) return st.error();
    ingest::DescendingWindow window(after_, kMaxPasses);
    do {
      auto pass = read_pass(window);
      if (!pass) return pass.error();
      if (budget_ <= 0) break;
      if (!window.next_pass(pass->capped, pass->oldest)) break;
    } while (true);
    return emitter_.finish(newest_ ? std::to_string(*newest_) : ctx_.cursor);
  }

 private:
  struct Pass {
    bool capped = false;
    std::optional<std::int64_t> oldest;
  };

  Status read_settings() {
    const SourceSettings& source = ctx_.source;
    base_ = setting_base_url(source, kPublicApi);
    query_ = setting_string(source, "query");
    tags_ = setting_string(source, "tags", "(story,comment)");
    hits_per_page_ = std::clamp<std::int64_t>(setting_int(source, "hits_per_page", 100), 1, 1000);
    budget_ = static_cast<int>(std::max<std::int64_t>(1, setting_int(source, "max_pages", 50)));
    concurrency_ = static_cast<std::size_t>(std::clamp<std::int64_t>(setting_int(source, "concurrency", 4), 1, 32));
    if (!ctx_.cursor.empty()) {
      auto parsed = parse_json(ctx_.cursor);
      if (!parsed || !parsed->is_int64())
        return make_error(ErrorCode::bad_request, "hackernews cursor \"" + ctx_.cursor + "\" is not a created_at_i");
      after_ = parsed->get_int64();
      newest_ = after_;
    } else if (auto since = backfill_since(source)) {
      after_ = *since / 1000 - 1;  // since is inclusive; the filter is strict
    }
    return {};
  }

  ingest::OutboundRequest request(int page, const ingest::DescendingWindow& window) const {
    std::string filters;
    if (window.after()) filters.append("created_at_i>").append(std::to_string(*window.after()));
    if (window.until()) {
      if (!filters.empty()) filters.push_back(',');
      filters.append("created_at_i<=").append(std::to_string(*window.until()));
    }
    ingest::QueryString q;
    q.add("query", query_);
    if (!tags_.empty()) q.add("tags", tags_);
    if (!filters.empty()) q.add("numericFilters", filters);
    q.add("hitsPerPage", hits_per_page_).add("page", page);
    ingest::OutboundRequest req;
    req.url = q.append_to(base_ + "/search_by_date");
    req.headers.set("Accept", "application/json");
    return req;
  }

  static std::string label(int page) { return "GET /search_by_date page " + std::to_string(page); }

  // Takes one page's hits (newest first): drops repeats from an earlier pass and hands the rest on.
  Result<std::size_t> take(const ingest::JsonPage& page, int number, Pass& pass) {
    const json::value* hits = find_path(page.body, "hits");
    if (!page.body.is_object() || !hits || !hits->is_array())
      return ingest::malformed_page(label(number), "expected an object with a \"hits\" array");
    std::vector<json::value> items;
    const json::array& list = hits->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto id = get_string(list[i], "objectID");
      auto created = get_int(list[i], "created_at_i");
      if (!id || !created)
        return ingest::malformed_page(label(number), "hits[" + std::to_string(i) + "] has no objectID or created_at_i");
      pass.oldest = std::min(pass.oldest.value_or(*created), *created);
      if (after_ && *created <= *after_) continue;
      if (!seen_.insert(*id).second) continue;
      newest_ = std::max(newest_.value_or(*created), *created);
      items.push_back(list[i]);
    }
    if (auto st = emitter_.push(std::move(items)); !st) return st.error();
    return list.size();
  }

  Result<Pass> read_pass(const ingest::DescendingWindow& window) {
    Pass pass;
    if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "hackernews sync cancelled");
    auto first = ingest::fetch_json_page(ctx_.fetcher, request(0, window), label(0));
    if (!first) return first.error();
    auto taken = take(*first, 0, pass);
    if (!taken) return taken.error();
    --budget_;
    std::int64_t pages = get_int(first->body, "nbPages").value_or(1);
    std::int64_t hits = get_int(first->body, "nbHits").value_or(0);
    // More hits than the pages can reach: Algolia's pagination limit cut the query short.
    pass.capped = hits > pages * hits_per_page_;
    int last = static_cast<int>(std::min<std::int64_t>(pages - 1, budget_));
    if (*taken == 0 || last < 1) return pass;

    ingest::NumberedPages numbered;
    numbered.first = 1;
    numbered.last = last;
    numbered.concurrency = concurrency_;
    numbered.request = [&](int page) { return request(page, window); };
    numbered.label = label;
    auto st =
        ingest::fetch_numbered_pages(ctx_.fetcher, numbered, [&](int page, ingest::JsonPage body) -> Result<bool> {
          if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "hackernews sync cancelled");
          --budget_;
          auto n = take(body, page, pass);
          if (!n) return n.error();
          return *n > 0;
        });
    if (!st) return st.error();
    if (last < pages - 1) pass.capped = true;  // the page budget ran out: no further pass either
    return pass;
  }

  SyncContext& ctx_;
  PageEmitter emitter_;
  std::string base_;
  std::string query_;
  std::string tags_;
  std::int64_t hits_per_page_ = 100;
  int budget_ = 50;  // pages left to read in this sync
  std::size_t concurrency_ = 4;
  std::optional<std::int64_t> after_;   // created_at_i already collected up to
  std::optional<std::int64_t> newest_;  // the next cursor
  std::unordered_set<std::string> seen_;
};

}  // namespace

Result<std::string> HackerNewsConnector::sync(SyncContext& ctx, PageSink& sink) const {
  return SearchSync(ctx, sink).run();
}

}  // namespace chorus::connectors::hackernews
