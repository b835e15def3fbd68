// Incremental sync of reviews.list: newest (last modified) first, paged with tokenPagination, until the
// reviews reach the mark. An edited review moves to the top with a newer time and is collected again.
#include "connectors/common_fields.hpp"
#include "connectors/googleplay/googleplay_connector.hpp"
#include "connectors/page_emitter.hpp"
#include "ingest/pagination.hpp"
#include "ingest/watermark.hpp"

namespace chorus::connectors::googleplay {

namespace {

class ReviewsSync {
 public:
  ReviewsSync(SyncContext& ctx, PageSink& sink) : ctx_(ctx), emitter_(sink) {}

  Result<std::string> run() {
    if (auto st = read_settings(); !st) return st.error();
    const ingest::Watermark old = mark_;
    ingest::PageTokens pages(max_pages_);
    while (true) {
      if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "googleplay sync cancelled");
      const std::string label = "GET " + path_ + " page " + std::to_string(pages.pages_read() + 1);
      auto page = ingest::fetch_json_page(ctx_.fetcher, request(pages.token()), label);
      if (!page) return page.error();
      if (!page->body.is_object()) return ingest::malformed_page(label, "expected a JSON object");
      const json::value* reviews = page->body.get_object().if_contains("reviews");
      if (reviews && !reviews->is_array()) return ingest::malformed_page(label, "\"reviews\" is not an array");

      std::vector<json::value> items;
      bool reached_old = false;
      if (reviews) {
        const json::array& list = reviews->get_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
          auto id = get_string(list[i], "reviewId");
          const json::value* comment = user_comment(list[i]);
          auto t = comment ? last_modified(*comment) : std::nullopt;
          if (!id || !t)
            return ingest::malformed_page(
                label, "reviews[" + std::to_string(i) + "] has no reviewId or userComment.lastModified");
          if (old.covers(*t, *id) || (since_ && *t < *since_)) {
            if (old.before(*t) || (since_ && *t < *since_)) reached_old = true;
            continue;
          }
          mark_.observe(*t, *id);
          items.push_back(list[i]);
        }
      }
      if (auto st = emitter_.push(std::move(items)); !st) return st.error();
      if (reached_old) break;
      std::optional<std::string> next;
      if (const json::value* n = find_path(page->body, "tokenPagination.nextPageToken"); n && n->is_string())
        next = std::string(n->get_string());
      auto more = pages.advance(std::move(next));
      if (!more) return ingest::malformed_page(label, more.error().message);
      if (!*more) break;
    }
    return emitter_.finish(mark_.empty() ? ctx_.cursor : mark_.encode());
  }

 private:
  Status read_settings() {
    const SourceSettings& source = ctx_.source;
    std::string package = setting_string(source, "package_name");
    if (package.empty()) return make_error(ErrorCode::bad_request, "config.package_name is required");
    path_ = "/androidpublisher/v3/applications/" + package + "/reviews";
    base_ = setting_base_url(source, kPublicApi);
    max_results_ = std::clamp<std::int64_t>(setting_int(source, "max_results", 100), 1, 100);
    max_pages_ = static_cast<int>(std::max<std::int64_t>(1, setting_int(source, "max_pages", 20)));
    translation_ = setting_string(source, "translation_language");
    since_ = backfill_since(source);
    auto mark = ingest::Watermark::decode(ctx_.cursor);
    if (!mark) return make_error(ErrorCode::bad_request, "googleplay " + mark.error().message);
    mark_ = std::move(mark.value());
    std::string token = credential(source, "access_token");
    if (token.empty()) return make_error(ErrorCode::bad_request, "credentials.access_token is required");
    headers_.set("Authorization", "Bearer " + token);
    headers_.set("Accept", "application/json");
    return {};
  }

  ingest::OutboundRequest request(const std::optional<std::string>& token) const {
    ingest::QueryString q;
    q.add("maxResults", max_results_);
    if (token) q.add("token", *token);
    if (!translation_.empty()) q.add("translationLanguage", translation_);
    ingest::OutboundRequest req;
    req.url = q.append_to(base_ + path_);
    req.headers = headers_;
    return req;
  }

  SyncContext& ctx_;
  PageEmitter emitter_;
  std::string base_;
  std::string path_;
  std::int64_t max_results_ = 100;
  int max_pages_ = 20;
  std::string translation_;
  std::optional<TimeMs> since_;
  ingest::Watermark mark_;
  http::Headers headers_;
};

}  // namespace

Result<std::string> GooglePlayConnector::sync(SyncContext& ctx, PageSink& sink) const {
  return ReviewsSync(ctx, sink).run();
}

}  // namespace chorus::connectors::googleplay
