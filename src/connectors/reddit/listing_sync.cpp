// Incremental sync of /r/{subreddit}/new.json (and comments.json): listings run newest first, so each
// stream pages back with `after` until it reaches what its mark already covers. Each stream keeps its
// own mark in the cursor. Reddit's X-Ratelimit-Reset counts seconds from now, which the fetcher is told.
#include "connectors/common_fields.hpp"
#include "connectors/page_emitter.hpp"
#include "connectors/reddit/reddit_connector.hpp"
#include "ingest/pagination.hpp"
#include "ingest/watermark.hpp"

namespace chorus::connectors::reddit {

namespace {

struct Stream {
  std::string key;   // cursor key: "posts" | "comments"
  std::string path;  // "/r/tallybook/new.json"
  std::string kind;  // "t3" | "t1"
  ingest::Watermark mark;
};

class ListingSync {
 public:
  ListingSync(SyncContext& ctx, PageSink& sink) : ctx_(ctx), emitter_(sink) {}

  Result<std::string> run() {
    if (auto st = read_settings(); !st) return st.error();
    ctx_.fetcher.policy().rate_limit_reset = ingest::RateLimitReset::seconds_from_now;
    for (Stream& stream : streams_)
      if (auto st = read(stream); !st) return st.error();
    json::object cursor;
    for (const Stream& stream : streams_)
      if (!stream.mark.empty()) cursor[stream.key] = stream.mark.encode();
    return emitter_.finish(cursor.empty() ? ctx_.cursor : json::serialize(cursor));
  }

 private:
  Status read_settings() {
    const SourceSettings& source = ctx_.source;
    base_ = setting_base_url(source, kPublicApi);
    std::string sub = subreddit_name(setting_string(source, "subreddit"));
    if (sub.empty()) return make_error(ErrorCode::bad_request, "config.subreddit is required");
    max_pages_ = static_cast<int>(std::max<std::int64_t>(1, setting_int(source, "max_pages", 10)));
    since_ = backfill_since(source);

    json::object previous;
    if (!ctx_.cursor.empty()) {
      auto parsed = parse_json(ctx_.cursor);
      if (!parsed || !parsed->is_object())
        return make_error(ErrorCode::bad_request, "reddit cursor \"" + ctx_.cursor + "\" is not a JSON object");
      previous = std::move(parsed->get_object());
    }
    streams_.push_back(Stream{"posts", "/r/" + sub + "/new.json", "t3", {}});
    if (setting_bool(source, "include_comments", false))
      streams_.push_back(Stream{"comments", "/r/" + sub + "/comments.json", "t1", {}});
    for (Stream& stream : streams_) {
      auto mark = ingest::Watermark::decode(get_string(previous, stream.key).value_or(""));
      if (!mark) return make_error(ErrorCode::bad_request, "reddit cursor: " + mark.error().message);
      stream.mark = std::move(mark.value());
    }

    std::string token = credential(source, "access_token");
    if (token.empty()) return make_error(ErrorCode::bad_request, "credentials.access_token is required");
    headers_.set("Authorization", "Bearer " + token);
    headers_.set("User-Agent",
                 setting_string(source, "user_agent", "server:chorus-feedback:0.1 (feedback aggregation)"));
    headers_.set("Accept", "application/json");
    return {};
  }

  ingest::OutboundRequest request(const Stream& stream, const std::optional<std::string>& after) const {
    ingest::QueryString q;
    q.add("limit", 100).add("raw_json", 1);  // raw_json: text without Reddit's legacy HTML escaping
    if (after) q.add("after", *after);
    ingest::OutboundRequest req;
    req.url = q.append_to(base_ + stream.path);
    req.headers = headers_;
    return req;
  }

  Status read(Stream& stream) {
    const ingest::Watermark old = stream.mark;
    ingest::PageTokens pages(max_pages_);
    while (true) {
      if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "reddit sync cancelled");
      const std::string label = "GET " + stream.path + " page " + std::to_string(pages.pages_read() + 1);
      auto page = ingest::fetch_json_page(ctx_.fetcher, request(stream, pages.token()), label);
      if (!page) return page.error();
      const json::value* children = find_path(page->body, "data.children");
      if (get_string(page->body, "kind") != "Listing" || !children || !children->is_array())
        return ingest::malformed_page(label, "expected a Listing with data.children");

      std::vector<json::value> items;
      bool reached_old = false;
      const json::array& list = children->get_array();
      for (std::size_t i = 0; i < list.size(); ++i) {
        const json::value& child = list[i];
        const json::value* data = find_path(child, "data");
        if (data && !data->is_object()) data = nullptr;
        auto name = data ? get_string(*data, "name") : std::nullopt;
        const json::value* created = data ? data->get_object().if_contains("created_utc") : nullptr;
        if (!name || !created || !created->is_number())
          return ingest::malformed_page(label,
                                        "children[" + std::to_string(i) + "] has no data.name or data.created_utc");
        TimeMs t = static_cast<TimeMs>(created->to_number<double>() * 1000.0);
        if (old.covers(t, *name) || (since_ && t < *since_)) {
          // Newest first: anything strictly older than the mark (or the backfill start) ends the stream.
          if (old.before(t) || (since_ && t < *since_)) reached_old = true;
          continue;
        }
        stream.mark.observe(t, *name);
        if (get_string(child, "kind").value_or(stream.kind) != stream.kind) continue;
        // Deleted and removed comments go on too: the parser leaves them out by the rule pushed ones meet,
        // and counts them in the sync's skipped_reasons.
        items.push_back(child);
      }
      if (auto st = emitter_.push(std::move(items)); !st) return st;
      if (reached_old) return {};
      auto more = pages.advance(get_string(*find_path(page->body, "data"), "after"));
      if (!more) return ingest::malformed_page(label, more.error().message);
      if (!*more) return {};
    }
  }

  SyncContext& ctx_;
  PageEmitter emitter_;
  std::string base_;
  int max_pages_ = 10;
  std::optional<TimeMs> since_;
  std::vector<Stream> streams_;
  http::Headers headers_;
};

}  // namespace

Result<std::string> RedditConnector::sync(SyncContext& ctx, PageSink& sink) const {
  return ListingSync(ctx, sink).run();
}

}  // namespace chorus::connectors::reddit
