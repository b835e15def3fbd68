// The pagers: small state machines that decide the next page, and the in-order concurrent reader.
#include "ingest/pagination.hpp"

#include <algorithm>

#include "ingest/link_header.hpp"

namespace chorus::ingest {

PageNumbers::PageNumbers(int first, int max_pages) : page_(first), max_pages_(std::max(1, max_pages)) {}

bool PageNumbers::advance(std::size_t items, std::optional<int> last_page) {
  ++read_;
  if (items == 0) return false;
  if (last_page && page_ >= *last_page) return false;
  if (read_ >= max_pages_) {
    truncated_ = true;
    return false;
  }
  ++page_;
  return true;
}

PageTokens::PageTokens(int max_pages) : max_pages_(std::max(1, max_pages)) {}

Result<bool> PageTokens::advance(std::optional<std::string> next) {
  ++read_;
  if (!next || next->empty()) return false;
  if (std::find(seen_.begin(), seen_.end(), *next) != seen_.end())
    return make_error(ErrorCode::upstream, "the API handed back a page token it had already given; stopping");
  if (read_ >= max_pages_) {
    truncated_ = true;
    return false;
  }
  seen_.push_back(*next);
  token_ = std::move(next);
  return true;
}

LinkPages::LinkPages(std::string first_url, int max_pages)
    : url_(std::move(first_url)), origin_(url_origin(url_)), max_pages_(std::max(1, max_pages)) {}

Result<bool> LinkPages::advance(const http::Headers& response_headers) {
  ++read_;
  auto header = response_headers.get("link");
  if (!header) return false;
  auto next = find_link(*header, "next");
  if (!next || next->empty()) return false;
  std::string resolved = resolve_link(url_, *next);
  if (url_origin(resolved) != origin_)
    return make_error(ErrorCode::upstream, "the next-page link points to " + url_origin(resolved) + ", not " + origin_ +
                                               "; refusing to follow it");
  if (read_ >= max_pages_) {
    truncated_ = true;
    return false;
  }
  url_ = std::move(resolved);
  return true;
}

BeforeIdPages::BeforeIdPages(int max_pages) : max_pages_(std::max(1, max_pages)) {}

bool BeforeIdPages::advance(std::optional<std::int64_t> lowest_on_page) {
  ++read_;
  if (!lowest_on_page) return false;
  if (before_ && *lowest_on_page >= *before_) return false;
  if (read_ >= max_pages_) {
    truncated_ = true;
    return false;
  }
  before_ = lowest_on_page;
  return true;
}

Status fetch_numbered_pages(Fetcher& fetcher, const NumberedPages& pages,
                            const std::function<Result<bool>(int page, JsonPage body)>& on_page) {
  const std::size_t step = std::max<std::size_t>(1, pages.concurrency);
  for (int start = pages.first; start <= pages.last; start += static_cast<int>(step)) {
    int end = std::min(pages.last, start + static_cast<int>(step) - 1);
    std::vector<OutboundRequest> requests;
    for (int p = start; p <= end; ++p) requests.push_back(pages.request(p));
    auto answers = fetcher.get_all(requests);
    for (int p = start; p <= end; ++p) {
      std::string label = pages.label(p);
      auto& answer = answers.at(static_cast<std::size_t>(p - start));
      if (!answer) return Error{answer.error().code, label + ": " + answer.error().message};
      auto body = parse_json(answer->body);
      if (!body) return malformed_page(label, body.error().message);
      auto more = on_page(p, JsonPage{std::move(body.value()), std::move(answer->headers)});
      if (!more) return more.error();
      if (!*more) return {};
    }
  }
  return {};
}

std::vector<TimeWindow> split_time_range(TimeMs from, TimeMs to, TimeMs width) {
  std::vector<TimeWindow> out;
  if (width <= 0) width = to - from;
  for (TimeMs start = from; start < to; start += width) out.push_back(TimeWindow{start, std::min(to, start + width)});
  return out;
}

DescendingWindow::DescendingWindow(std::optional<std::int64_t> after, int max_passes)
    : after_(after), max_passes_(std::max(1, max_passes)) {}

bool DescendingWindow::next_pass(bool capped, std::optional<std::int64_t> oldest) {
  if (!capped || !oldest) return false;
  if (after_ && *oldest <= *after_) return false;  // the pass already reached the lower bound
  if (passes_ >= max_passes_) return false;
  ++passes_;
  // A pass whose every item shares one second made no progress: step below it rather than loop.
  until_ = until_ && *oldest >= *until_ ? *until_ - 1 : *oldest;
  return true;
}

}  // namespace chorus::ingest
