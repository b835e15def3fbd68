// Sync of the customer-reviews feed: page 1 names the last page (feed.link rel="last"); the rest are read
// `concurrency` at a time. Reviews come newest first and their ids grow with time, so the newest id
// collected is the cursor and the first id at or below it ends the sync.
#include <algorithm>
#include <cctype>

#include "connectors/appstore/appstore_connector.hpp"
#include "connectors/common_fields.hpp"
#include "connectors/page_emitter.hpp"
#include "ingest/pagination.hpp"
#include "ingest/watermark.hpp"

namespace chorus::connectors::appstore {

namespace {

// "https://itunes.apple.com/us/rss/customerreviews/page=7/id=1/sortby=mostrecent/xml?..." -> 7
std::optional<int> page_in(std::string_view href) {
  std::size_t at = href.find("/page=");
  if (at == std::string_view::npos) return std::nullopt;
  int n = std::atoi(std::string(href.substr(at + 6, 4)).c_str());
  return n > 0 ? std::optional<int>(n) : std::nullopt;
}

std::optional<int> last_page(const json::value& feed) {
  const json::value* links = find_path(feed, "feed.link");
  if (!links) return std::nullopt;
  auto check = [](const json::value& link) -> std::optional<int> {
    const json::value* rel = find_path(link, "attributes.rel");
    const json::value* href = find_path(link, "attributes.href");
    if (rel && rel->is_string() && rel->get_string() == "last" && href && href->is_string())
      return page_in(href->get_string());
    return std::nullopt;
  };
  if (links->is_object()) return check(*links);
  if (links->is_array())
    for (const json::value& link : links->get_array())
      if (auto n = check(link)) return n;
  return std::nullopt;
}

class FeedSync {
 public:
  FeedSync(SyncContext& ctx, PageSink& sink) : ctx_(ctx), emitter_(sink) {}

  Result<std::string> run() {
    if (auto st = read_settings(); !st) return st.error();
    auto first = ingest::fetch_json_page(ctx_.fetcher, request(1), label(1));
    if (!first) return first.error();
    auto more = take(*first, 1);
    if (!more) return more.error();
    int last = std::min({last_page(first->body).value_or(max_pages_), max_pages_, kFeedPageLimit});
    if (*more && last > 1) {
      ingest::NumberedPages pages;
      pages.first = 2;
      pages.last = last;
      pages.concurrency = concurrency_;
      pages.request = [this](int page) { return request(page); };
      pages.label = [this](int page) { return label(page); };
      auto st = ingest::fetch_numbered_pages(ctx_.fetcher, pages,
                                             [this](int page, ingest::JsonPage body) { return take(body, page); });
      if (!st) return st.error();
    }
    return emitter_.finish(newest_.value() ? newest_.encode() : ctx_.cursor);
  }

 private:
  Status read_settings() {
    const SourceSettings& source = ctx_.source;
    base_ = setting_base_url(source, kPublicApi);
    app_id_ = setting_string(source, "app_id");
    if (app_id_.starts_with("id")) app_id_.erase(0, 2);
    if (app_id_.empty()) return make_error(ErrorCode::bad_request, "config.app_id is required");
    country_ = setting_string(source, "country", "us");
    std::transform(country_.begin(), country_.end(), country_.begin(), [](unsigned char c) { return std::tolower(c); });
    max_pages_ =
        static_cast<int>(std::clamp<std::int64_t>(setting_int(source, "max_pages", kFeedPageLimit), 1, kFeedPageLimit));
    concurrency_ = static_cast<std::size_t>(std::clamp<std::int64_t>(setting_int(source, "concurrency", 4), 1, 32));
    since_ = backfill_since(source);
    auto mark = ingest::NewestId::decode(ctx_.cursor);
    if (!mark) return make_error(ErrorCode::bad_request, "appstore " + mark.error().message);
    old_ = *mark;
    newest_ = *mark;
    return {};
  }

  std::string path(int page) const {
    return "/" + country_ + "/rss/customerreviews/page=" + std::to_string(page) + "/id=" + app_id_ +
           "/sortby=mostrecent/json";
  }
  std::string label(int page) const { return "GET " + path(page); }
  ingest::OutboundRequest request(int page) const {
    ingest::OutboundRequest req;
    req.url = base_ + path(page);
    req.headers.set("Accept", "application/json");
    return req;
  }

  // Hands on one page's reviews; false when the sync has reached what it already has (or the feed ended).
  Result<bool> take(const ingest::JsonPage& page, int number) {
    if (!page.body.is_object() || !page.body.get_object().contains("feed"))
      return ingest::malformed_page(label(number), "expected an object with a \"feed\"");
    const json::value* entries = find_path(page.body, "feed.entry");
    // The feed writes a single entry as an object, not an array of one; past the last review it has none.
    std::vector<const json::value*> list;
    if (entries && entries->is_array())
      for (const json::value& e : entries->get_array()) list.push_back(&e);
    else if (entries && entries->is_object())
      list.push_back(entries);
    if (list.empty()) return false;

    std::vector<json::value> items;
    bool reached_old = false;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json::value& entry = *list[i];
      // Older feeds open page 1 with the app itself, which has no rating.
      if (!label_of(entry, "im:rating")) continue;
      auto id = label_of(entry, "id");
      std::int64_t n = id ? std::atoll(id->c_str()) : 0;
      if (n <= 0)
        return ingest::malformed_page(label(number), "entry[" + std::to_string(i) + "] has no numeric id.label");
      TimeMs updated = 0;
      auto updated_label = label_of(entry, "updated");
      bool dated = updated_label && parse_time(*updated_label);
      if (dated) updated = *parse_time(*updated_label);
      if (old_.covers(n) || (since_ && dated && updated < *since_)) {
        reached_old = true;
        continue;
      }
      newest_.observe(n);
      items.push_back(entry);
    }
    if (auto st = emitter_.push(std::move(items)); !st) return st.error();
    return !reached_old;
  }

  SyncContext& ctx_;
  PageEmitter emitter_;
  std::string base_;
  std::string app_id_;
  std::string country_;
  int max_pages_ = kFeedPageLimit;
  std::size_t concurrency_ = 4;
  std::optional<TimeMs> since_;
  ingest::NewestId old_;
  ingest::NewestId newest_;
};

}  // namespace

Result<std::string> AppStoreConnector::sync(SyncContext& ctx, PageSink& sink) const {
  return FeedSync(ctx, sink).run();
}

}  // namespace chorus::connectors::appstore
