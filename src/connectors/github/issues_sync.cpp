// Incremental sync: /repos/{repo}/issues and /repos/{repo}/issues/comments, each sorted by update time
// ascending from its own mark, following Link rel="next". A sync that stops at max_pages resumes where
// it stopped, because the listings run oldest first.
#include "connectors/common_fields.hpp"
#include "connectors/github/github_connector.hpp"
#include "connectors/page_emitter.hpp"
#include "ingest/pagination.hpp"
#include "ingest/watermark.hpp"

namespace chorus::connectors::github {

namespace {

// One listing (issues, or comments) and its own mark, so that neither can skip the other's gaps.
struct Listing {
  std::string key;        // the cursor's key: "issues" | "comments"
  std::string path;       // "/repos/o/r/issues"
  std::string id_prefix;  // "issue:" | "issue_comment:"
  ingest::Watermark mark;
};

class IssuesSync {
 public:
  IssuesSync(SyncContext& ctx, PageSink& sink) : ctx_(ctx), emitter_(sink) {}

  Result<std::string> run() {
    if (auto st = read_settings(); !st) return st.error();
    for (Listing& listing : listings_)
      if (auto st = read(listing); !st) return st.error();
    json::object cursor;
    for (const Listing& listing : listings_)
      if (!listing.mark.empty()) cursor[listing.key] = listing.mark.encode();
    return emitter_.finish(cursor.empty() ? ctx_.cursor : json::serialize(cursor));
  }

 private:
  Status read_settings() {
    const SourceSettings& source = ctx_.source;
    base_ = setting_base_url(source, kPublicApi);
    std::string repo = setting_string(source, "repo");
    if (repo.empty()) return make_error(ErrorCode::bad_request, "config.repo is required");
    max_pages_ = static_cast<int>(std::max<std::int64_t>(1, setting_int(source, "max_pages", 50)));
    since_ = backfill_since(source);

    json::object previous;
    if (!ctx_.cursor.empty()) {
      auto parsed = parse_json(ctx_.cursor);
      if (!parsed || !parsed->is_object())
        return make_error(ErrorCode::bad_request, "github cursor \"" + ctx_.cursor + "\" is not a JSON object");
      previous = std::move(parsed->get_object());
    }
    listings_.push_back(Listing{"issues", "/repos/" + repo + "/issues", "issue:", {}});
    if (setting_bool(source, "include_comments", true))
      listings_.push_back(Listing{"comments", "/repos/" + repo + "/issues/comments", "issue_comment:", {}});
    for (Listing& listing : listings_) {
      auto text = get_string(previous, listing.key);
      auto mark = ingest::Watermark::decode(text.value_or(""));
      if (!mark) return make_error(ErrorCode::bad_request, "github cursor: " + mark.error().message);
      listing.mark = std::move(mark.value());
    }

    headers_.set("Accept", "application/vnd.github+json");
    headers_.set("X-GitHub-Api-Version", "2022-11-28");
    if (std::string token = credential(source, "token"); !token.empty())
      headers_.set("Authorization", "Bearer " + token);
    return {};
  }

  std::string first_url(const Listing& listing) const {
    ingest::QueryString q;
    if (listing.key == "issues") q.add("state", "all");
    q.add("sort", "updated").add("direction", "asc").add("per_page", 100);
    // `since` keeps items updated at or after it; the mark drops those already collected at that second.
    std::optional<TimeMs> since = listing.mark.time() ? listing.mark.time() : since_;
    if (since) q.add("since", format_time(*since / 1000 * 1000));
    return q.append_to(base_ + listing.path);
  }

  Status read(Listing& listing) {
    const ingest::Watermark old = listing.mark;
    ingest::LinkPages pages(first_url(listing), max_pages_);
    while (true) {
      if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "github sync cancelled");
      const std::string label = "GET " + listing.path + " page " + std::to_string(pages.pages_read() + 1);
      ingest::OutboundRequest req;
      req.url = pages.url();
      req.headers = headers_;
      auto page = ingest::fetch_json_page(ctx_.fetcher, req, label);
      if (!page) return page.error();
      if (!page->body.is_array()) return ingest::malformed_page(label, "expected a JSON array of " + listing.key);

      std::vector<json::value> items;
      const json::array& list = page->body.get_array();
      for (std::size_t i = 0; i < list.size(); ++i) {
        const json::value& item = list[i];
        auto id = get_string(item, "id");
        TimeMs t = 0;
        if (!item.is_object() || !id || !read_time(item, "updated_at", t))
          return ingest::malformed_page(label, listing.key + "[" + std::to_string(i) + "] has no id or updated_at");
        std::string external = listing.id_prefix + *id;
        if (old.covers(t, external)) continue;
        listing.mark.observe(t, external);
        // Pull requests go on too: the parser leaves them out by the same rule as pushed and delivered
        // ones, and counts them in the sync's skipped_reasons.
        items.push_back(item);
      }
      if (auto st = emitter_.push(std::move(items)); !st) return st;
      auto more = pages.advance(page->headers);
      if (!more) return ingest::malformed_page(label, more.error().message);
      if (!*more) return {};
    }
  }

  SyncContext& ctx_;
  PageEmitter emitter_;
  std::string base_;
  int max_pages_ = 50;
  std::optional<TimeMs> since_;
  std::vector<Listing> listings_;
  http::Headers headers_;
};

}  // namespace

Result<std::string> GitHubConnector::sync(SyncContext& ctx, PageSink& sink) const {
  return IssuesSync(ctx, sink).run();
}

}  // namespace chorus::connectors::github
