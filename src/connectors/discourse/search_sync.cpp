// Incremental sync: page through /search.json for posts newer than the cursor, then fetch each post whole
// from /posts/{id}.json (search only gives a truncated blurb) and emit them in batches.
#include <algorithm>
#include <cstdint>
#include <map>
#include <unordered_set>

#include "connectors/discourse/discourse_connector.hpp"
#include "core/time.hpp"
#include "ingest/fetcher.hpp"

namespace chorus::connectors::discourse {

namespace {

constexpr std::size_t kPostsPerPage = 50;  // posts per emitted RawPage

struct Topic {
  std::string title;
  std::string slug;
};

struct Hit {
  std::int64_t id = 0;
  std::optional<TimeMs> created;
};

struct SearchResults {
  std::vector<Hit> hits;  // newest first, as order:latest returns them
  std::map<std::int64_t, Topic> topics;
};

std::string day_of(TimeMs t) { return format_time(t).substr(0, 10); }

Error prefixed(const Error& e, const std::string& where) { return Error{e.code, where + ": " + e.message}; }

Error malformed(const std::string& where, const std::string& what) {
  return make_error(ErrorCode::upstream, where + ": " + what);
}

// A post deleted between search and fetch answers 404 (or 410); that is no reason to fail the sync. The
// Fetcher reports any final 4xx as an upstream error reading "GET <url> answered <status> <reason>".
bool is_gone(const Error& e) {
  return e.code == ErrorCode::not_found || e.message.find(" answered 404 ") != std::string::npos ||
         e.message.find(" answered 410 ") != std::string::npos;
}

class SearchSync {
 public:
  SearchSync(SyncContext& ctx, PageSink& sink) : ctx_(ctx), sink_(sink) {}

  Result<std::string> run() {
    if (auto st = read_settings(); !st) return st.error();
    auto found = search();
    if (!found) return found.error();
    return fetch_and_emit(*found);
  }

 private:
  Status read_settings() {
    const SourceSettings& source = ctx_.source;
    const json::value config(source.config);  // a copy: the typed readers take values
    base_ = base_url(source);
    if (base_.empty()) return make_error(ErrorCode::bad_request, "config.base_url is required");
    query_ = get_string(config, "query").value_or("");
    max_pages_ = std::max<std::int64_t>(1, get_int(config, "max_pages").value_or(50));
    concurrency_ = static_cast<std::size_t>(std::clamp<std::int64_t>(get_int(config, "concurrency").value_or(4), 1, 32));

    if (!ctx_.cursor.empty()) {
      auto t = parse_time(ctx_.cursor);
      if (!t) return make_error(ErrorCode::bad_request, "discourse cursor \"" + ctx_.cursor + "\" is not a time");
      after_ = *t;  // strictly newer than the newest post already collected
      newest_ = *t;
    } else if (auto since = get_string(config, "since"); since && !since->empty()) {
      auto t = parse_time(*since);
      if (!t) return make_error(ErrorCode::bad_request, "config.since must be an ISO-8601 time");
      after_ = *t - 1;  // since is inclusive
    }

    const json::value creds(source.credentials);
    auto key = get_string(creds, "api_key");
    auto user = get_string(creds, "api_username");
    headers_.set("Accept", "application/json");
    if (key && !key->empty()) headers_.set("Api-Key", *key);
    if (user && !user->empty()) headers_.set("Api-Username", *user);
    return {};
  }

  ingest::OutboundRequest request(std::string url) const {
    ingest::OutboundRequest req;
    req.url = std::move(url);
    req.headers = headers_;
    return req;
  }

  bool too_old(const std::optional<TimeMs>& created) const { return created && after_ && *created <= *after_; }

  std::string search_url(std::int64_t page) const {
    // after: is day-granular (created_at > that midnight), so the cursor's own day comes back every time;
    // too_old() drops what was already collected.
    std::string q = query_;
    auto add_term = [&q](std::string_view term) {
      if (!q.empty()) q.push_back(' ');
      q.append(term);
    };
    if (after_) add_term("after:" + day_of(*after_));
    add_term("order:latest");
    std::string url = base_;
    url.append("/search.json?q=").append(http::percent_encode(q)).append("&page=").append(std::to_string(page));
    return url;
  }

  Result<SearchResults> search() {
    SearchResults out;
    std::unordered_set<std::int64_t> seen;
    for (std::int64_t page = 1; page <= max_pages_; ++page) {
      if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "discourse sync cancelled");
      const std::string where = "GET /search.json page " + std::to_string(page);
      auto resp = ctx_.fetcher.get(request(search_url(page)));
      if (!resp) return prefixed(resp.error(), where);
      auto body = parse_json(resp->body);
      if (!body) return malformed(where, body.error().message);
      if (!body->is_object()) return malformed(where, "expected a JSON object");

      const json::object& obj = body->get_object();
      const json::value* posts = obj.if_contains("posts");
      if (posts && !posts->is_array() && !posts->is_null()) return malformed(where, "\"posts\" is not an array");
      if (const json::value* topics = obj.if_contains("topics"); topics && topics->is_array()) {
        for (const json::value& t : topics->get_array()) {
          if (auto id = get_int(t, "id"))
            out.topics[*id] = Topic{get_string(t, "title").value_or(""), get_string(t, "slug").value_or("")};
        }
      }
      if (!posts || !posts->is_array() || posts->get_array().empty()) break;

      std::size_t fresh = 0;
      bool reached_old = false;
      const json::array& list = posts->get_array();
      for (std::size_t i = 0; i < list.size(); ++i) {
        auto id = get_int(list[i], "id");
        if (!id) return malformed(where, "posts[" + std::to_string(i) + "] has no id");
        if (!seen.insert(*id).second) continue;
        ++fresh;
        std::optional<TimeMs> created;
        if (auto c = get_string(list[i], "created_at")) created = parse_time(*c);
        if (too_old(created)) {
          reached_old = true;
          continue;
        }
        out.hits.push_back(Hit{*id, created});
      }
      // order:latest is newest first: once a page reaches posts already collected, later pages hold
      // nothing new. A page of only repeated ids means the server ignores `page`.
      if (fresh == 0 || reached_old) break;
    }
    return out;
  }

  // Completes a full post with what only search knew (its topic's title and slug).
  static void add_topic(json::value& value, const SearchResults& found) {
    auto tid = get_int(value, "topic_id");
    if (!tid) return;
    auto it = found.topics.find(*tid);
    if (it == found.topics.end()) return;
    json::object& post = value.get_object();
    auto missing = [&](std::string_view key) {
      const json::value* v = post.if_contains(key);
      return !v || v->is_null() || (v->is_string() && v->get_string().empty());
    };
    if (missing("topic_title") && !it->second.title.empty()) post["topic_title"] = it->second.title;
    if (missing("topic_slug") && !it->second.slug.empty()) post["topic_slug"] = it->second.slug;
  }

  // Fetches one batch of posts, `concurrency_` at a time; appends the ones that still exist.
  Status fetch_batch(std::span<const Hit> batch, const SearchResults& found, std::vector<json::value>& items) {
    for (std::size_t start = 0; start < batch.size(); start += concurrency_) {
      if (ctx_.cancelled()) return make_error(ErrorCode::unavailable, "discourse sync cancelled");
      auto chunk = batch.subspan(start, std::min(concurrency_, batch.size() - start));
      std::vector<ingest::OutboundRequest> requests;
      for (const Hit& hit : chunk)
        requests.push_back(request(base_ + "/posts/" + std::to_string(hit.id) + ".json"));
      auto results = ctx_.fetcher.get_all(requests);
      for (std::size_t i = 0; i < chunk.size(); ++i) {
        const std::string where = "GET /posts/" + std::to_string(chunk[i].id) + ".json";
        if (i >= results.size()) return make_error(ErrorCode::internal, where + ": no response");
        if (!results[i]) {
          if (is_gone(results[i].error())) continue;
          return prefixed(results[i].error(), where);
        }
        auto post = parse_json(results[i]->body);
        if (!post) return malformed(where, post.error().message);
        if (!post->is_object() || !get_string(*post, "id")) return malformed(where, "not a post (no id)");
        add_topic(*post, found);
        std::optional<TimeMs> created = chunk[i].created;
        if (auto c = get_string(*post, "created_at")) created = parse_time(*c);
        if (too_old(created)) continue;
        if (created) newest_ = std::max(newest_.value_or(*created), *created);
        items.push_back(std::move(post.value()));
      }
    }
    return {};
  }

  Result<std::string> fetch_and_emit(const SearchResults& found) {
    // Oldest first, so that the records arrive in the order they were written.
    std::vector<Hit> hits(found.hits.rbegin(), found.hits.rend());
    std::string cursor;
    std::size_t pages = std::max<std::size_t>(1, (hits.size() + kPostsPerPage - 1) / kPostsPerPage);
    for (std::size_t p = 0; p < pages; ++p) {
      RawPage page;
      std::size_t first = std::min(hits.size(), p * kPostsPerPage);
      auto batch = std::span<const Hit>(hits).subspan(first, std::min(kPostsPerPage, hits.size() - first));
      if (auto st = fetch_batch(batch, found, page.items); !st) return st.error();
      bool last = p + 1 == pages;
      // The cursor travels only with the last page, so a sync that stops half-way starts over from the
      // old cursor; the repeated posts upsert onto the same records.
      if (last) {
        cursor = newest_ ? format_time(*newest_) : ctx_.cursor;
        if (!cursor.empty()) page.cursor = cursor;
      } else if (page.items.empty()) {
        continue;
      }
      if (auto st = sink_.emit(std::move(page)); !st) return st.error();
    }
    return cursor;
  }

  SyncContext& ctx_;
  PageSink& sink_;
  std::string base_;
  std::string query_;
  std::int64_t max_pages_ = 50;
  std::size_t concurrency_ = 4;
  std::optional<TimeMs> after_;   // posts at or before this were collected already
  std::optional<TimeMs> newest_;  // the newest created_at collected, the next cursor
  http::Headers headers_;
};

}  // namespace

Result<std::string> DiscourseConnector::sync(SyncContext& ctx, PageSink& sink) const {
  return SearchSync(ctx, sink).run();
}

}  // namespace chorus::connectors::discourse
