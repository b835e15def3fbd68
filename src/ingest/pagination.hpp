// Pagination styles, written once for every connector: page numbers, continuation tokens, Link
// headers, and time windows for APIs that cap how deep one query may page. Each pager only decides
// what to read next; fetching stays with the connector (or fetch_numbered_pages, which reads a known
// range of numbered pages several at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "http/message.hpp"
#include "ingest/page_request.hpp"

namespace chorus::ingest {

// page=1,2,3... (or Algolia's 0-based pages): ends after an empty page, at the last page the API
// announced, or after max_pages.
class PageNumbers {
 public:
  PageNumbers(int first, int max_pages);
  int page() const { return page_; }
  int pages_read() const { return read_; }
  // Records the page just read: how many items it held and, when the API says, the last page number.
  // False when there is nothing more to read.
  bool advance(std::size_t items, std::optional<int> last_page = {});
  // Stopped by max_pages although the API may have had more.
  bool truncated() const { return truncated_; }

 private:
  int page_;
  int max_pages_;
  int read_ = 0;
  bool truncated_ = false;
};

// Opaque continuation tokens (Reddit's `after`, Google's `nextPageToken`, Intercom's `starting_after`):
// ends when the API gives none.
class PageTokens {
 public:
  explicit PageTokens(int max_pages);
  // The token for the page to read now; nullopt for the first page.
  const std::optional<std::string>& token() const { return token_; }
  int pages_read() const { return read_; }
  // Records the next token the page just read announced (nullopt or "" for none). False at the end; an
  // error when the API hands back a token it gave before, which would page forever.
  Result<bool> advance(std::optional<std::string> next);
  bool truncated() const { return truncated_; }

 private:
  std::optional<std::string> token_;
  std::vector<std::string> seen_;
  int max_pages_;
  int read_ = 0;
  bool truncated_ = false;
};

// Link-header paging (RFC 8288 rel="next"). Next links are followed only on the first URL's origin: a
// link to another host would carry the source's credentials away.
class LinkPages {
 public:
  LinkPages(std::string first_url, int max_pages);
  const std::string& url() const { return url_; }
  int pages_read() const { return read_; }
  // Records the answer to url(): false when it has no next link, an error when the link leaves the origin.
  Result<bool> advance(const http::Headers& response_headers);
  bool truncated() const { return truncated_; }

 private:
  std::string url_;
  std::string origin_;
  int max_pages_;
  int read_ = 0;
  bool truncated_ = false;
};

// before=<id> paging (Discourse's /posts.json?before=, any "older than this id" listing): each page
// continues below the lowest id of the page before; ends on an empty page, when ids stop going down
// (a server that ignores `before`), or after max_pages.
class BeforeIdPages {
 public:
  explicit BeforeIdPages(int max_pages);
  // The id to ask below; nullopt for the first page.
  std::optional<std::int64_t> before() const { return before_; }
  int pages_read() const { return read_; }
  // Records the lowest id on the page just read (nullopt for an empty page). False at the end.
  bool advance(std::optional<std::int64_t> lowest_on_page);
  bool truncated() const { return truncated_; }

 private:
  std::optional<std::int64_t> before_;
  int max_pages_;
  int read_ = 0;
  bool truncated_ = false;
};

// A known range of numbered pages read `concurrency` at a time, handed on strictly in page order.
struct NumberedPages {
  int first = 1;
  int last = 1;  // inclusive
  std::size_t concurrency = 1;
  std::function<OutboundRequest(int page)> request;
  std::function<std::string(int page)> label;  // "GET /search_by_date page 3", for errors
};

// Reads pages.first..pages.last and calls on_page for each in order; stops early when on_page returns
// false, and at the first failure (the error names the page). A batch already in flight when on_page
// says stop is read but not handed on.
Status fetch_numbered_pages(Fetcher& fetcher, const NumberedPages& pages,
                            const std::function<Result<bool>(int page, JsonPage body)>& on_page);

// [from, to)
struct TimeWindow {
  TimeMs from = 0;
  TimeMs to = 0;
};

// Consecutive windows of at most `width` covering [from, to), oldest first; empty when from >= to.
std::vector<TimeWindow> split_time_range(TimeMs from, TimeMs to, TimeMs width);

// Newest-first reading of a range that an API caps per query (Algolia stops at 1,000 hits): after a
// pass the API cut short, the next pass ends at the oldest item the last one reached. Bounds are in the
// API's own unit (seconds for created_at_i).
class DescendingWindow {
 public:
  DescendingWindow(std::optional<std::int64_t> after, int max_passes);
  std::optional<std::int64_t> after() const { return after_; }  // exclusive lower bound
  std::optional<std::int64_t> until() const { return until_; }  // inclusive upper bound; nullopt = now
  // Ends a pass that reached down to `oldest`; `capped` says the API had more than it served. False
  // when the range is exhausted. Items at `oldest` are read again by the next pass (dedupe by id).
  bool next_pass(bool capped, std::optional<std::int64_t> oldest);

 private:
  std::optional<std::int64_t> after_;
  std::optional<std::int64_t> until_;
  int max_passes_;
  int passes_ = 1;
};

}  // namespace chorus::ingest
