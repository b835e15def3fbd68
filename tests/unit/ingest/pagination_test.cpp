// Pagers (page numbers, tokens, Link headers, descending windows), URL helpers, and the in-order
// concurrent page reader against a loopback server.
#include "ingest/pagination.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "unit/ingest/local_server.hpp"

namespace chorus::ingest {
namespace {

using std::chrono::milliseconds;
using test::LocalServer;

TEST(PageNumbers, StopsOnAnEmptyPage) {
  PageNumbers pages(1, 50);
  EXPECT_EQ(pages.page(), 1);
  EXPECT_TRUE(pages.advance(30));
  EXPECT_EQ(pages.page(), 2);
  EXPECT_FALSE(pages.advance(0));
  EXPECT_EQ(pages.pages_read(), 2);
  EXPECT_FALSE(pages.truncated());
}

TEST(PageNumbers, StopsAtTheAnnouncedLastPage) {
  PageNumbers pages(0, 50);  // Algolia counts from 0; nbPages 2 means pages 0 and 1
  EXPECT_TRUE(pages.advance(20, 1));
  EXPECT_EQ(pages.page(), 1);
  EXPECT_FALSE(pages.advance(20, 1));
  EXPECT_FALSE(pages.truncated());
}

TEST(PageNumbers, MaxPagesTruncates) {
  PageNumbers pages(1, 2);
  EXPECT_TRUE(pages.advance(5));
  EXPECT_FALSE(pages.advance(5));
  EXPECT_TRUE(pages.truncated());
}

TEST(PageTokens, FollowsUntilNoToken) {
  PageTokens pages(10);
  EXPECT_FALSE(pages.token());
  auto more = pages.advance("t3_b");
  ASSERT_TRUE(more);
  EXPECT_TRUE(*more);
  EXPECT_EQ(pages.token(), "t3_b");
  EXPECT_TRUE(*pages.advance("t3_c"));
  EXPECT_FALSE(*pages.advance(std::nullopt));
  EXPECT_EQ(pages.pages_read(), 3);
  PageTokens empty(10);
  EXPECT_FALSE(*empty.advance(""));
}

TEST(PageTokens, ARepeatedTokenIsAnError) {
  PageTokens pages(10);
  ASSERT_TRUE(*pages.advance("abc"));
  ASSERT_TRUE(*pages.advance("def"));
  auto again = pages.advance("abc");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::upstream);
}

TEST(PageTokens, MaxPagesTruncates) {
  PageTokens pages(2);
  EXPECT_TRUE(*pages.advance("a"));
  EXPECT_FALSE(*pages.advance("b"));
  EXPECT_TRUE(pages.truncated());
}

TEST(BeforeIdPages, WalksDownByTheLowestId) {
  BeforeIdPages pages(10);
  EXPECT_FALSE(pages.before());
  EXPECT_TRUE(pages.advance(48250));
  EXPECT_EQ(pages.before(), 48250);
  EXPECT_TRUE(pages.advance(48201));
  EXPECT_EQ(pages.before(), 48201);
  EXPECT_FALSE(pages.advance(std::nullopt));  // an empty page
  EXPECT_FALSE(pages.truncated());
}

TEST(BeforeIdPages, StopsWhenIdsDoNotGoDownOrAtMaxPages) {
  BeforeIdPages ignored(10);
  ASSERT_TRUE(ignored.advance(500));
  EXPECT_FALSE(ignored.advance(500));  // the server ignored before=500
  BeforeIdPages bounded(2);
  ASSERT_TRUE(bounded.advance(900));
  EXPECT_FALSE(bounded.advance(800));
  EXPECT_TRUE(bounded.truncated());
}

http::Headers link(std::string value) {
  http::Headers h;
  h.set("link", std::move(value));
  return h;
}

TEST(LinkPages, FollowsNextOnTheSameOrigin) {
  LinkPages pages("https://api.github.com/repos/a/b/issues?per_page=100", 10);
  auto more = pages.advance(link("<https://API.github.com/repositories/9/issues?page=2>; rel=\"next\""));
  ASSERT_TRUE(more) << more.error().message;
  EXPECT_TRUE(*more);
  EXPECT_EQ(pages.url(), "https://API.github.com/repositories/9/issues?page=2");
  EXPECT_TRUE(*pages.advance(link("</repositories/9/issues?page=3>; rel=\"next\"")));  // relative
  EXPECT_EQ(pages.url(), "https://api.github.com/repositories/9/issues?page=3");
  EXPECT_FALSE(*pages.advance(link("</repositories/9/issues?page=1>; rel=\"first\"")));
  EXPECT_FALSE(*pages.advance(http::Headers{}));
}

TEST(LinkPages, RefusesANextLinkToAnotherHost) {
  LinkPages pages("https://api.github.com/repos/a/b/issues", 10);
  auto more = pages.advance(link("<https://evil.example/steal?page=2>; rel=\"next\""));
  ASSERT_FALSE(more);
  EXPECT_NE(more.error().message.find("https://evil.example"), std::string::npos) << more.error().message;
  EXPECT_EQ(more.error().message.find("steal"), std::string::npos);  // origins only
  LinkPages http_downgrade("https://api.github.com/x", 10);
  EXPECT_FALSE(http_downgrade.advance(link("<http://api.github.com/x?page=2>; rel=next")));
}

TEST(LinkPages, MaxPagesTruncates) {
  LinkPages pages("http://h/x", 1);
  EXPECT_FALSE(*pages.advance(link("<http://h/x?page=2>; rel=next")));
  EXPECT_TRUE(pages.truncated());
}

TEST(PageRequest, UrlPiecesNeverCarryTheQuery) {
  EXPECT_EQ(url_path("https://api.github.com/repos/a/b/issues?access_token=s3cret"), "/repos/a/b/issues");
  EXPECT_EQ(url_path("http://127.0.0.1:8080"), "/");
  EXPECT_EQ(url_path("http://h/p#frag"), "/p");
  EXPECT_EQ(url_origin("HTTPS://user:pw@Api.GitHub.com:443/x?y"), "https://api.github.com:443");
  EXPECT_EQ(url_origin("/relative"), "");
  EXPECT_EQ(resolve_link("http://h:1/a/b?c", "/d?e"), "http://h:1/d?e");
  EXPECT_EQ(resolve_link("http://h:1/a", "http://o/x"), "http://o/x");
}

TEST(PageRequest, QueryStringEncodesEveryValue) {
  QueryString q;
  q.add("query", "sync & export").add("numericFilters", "created_at_i>1718750000").add("page", 2);
  EXPECT_EQ(q.str(), "query=sync%20%26%20export&numericFilters=created_at_i%3E1718750000&page=2");
  EXPECT_EQ(q.append_to("http://h/search"), "http://h/search?" + q.str());
  EXPECT_EQ(q.append_to("http://h/search?a=1"), "http://h/search?a=1&" + q.str());
  EXPECT_EQ(QueryString{}.append_to("http://h/x"), "http://h/x");
}

TEST(DescendingWindow, NarrowsUntilAPassIsNotCapped) {
  DescendingWindow w(1000, 10);
  EXPECT_EQ(w.after(), 1000);
  EXPECT_FALSE(w.until());
  EXPECT_TRUE(w.next_pass(true, 5000));
  EXPECT_EQ(w.until(), 5000);
  EXPECT_TRUE(w.next_pass(true, 3000));
  EXPECT_EQ(w.until(), 3000);
  EXPECT_FALSE(w.next_pass(false, 1500));
}

TEST(DescendingWindow, EndsAtTheLowerBoundAndAtMaxPasses) {
  DescendingWindow w(1000, 10);
  EXPECT_FALSE(w.next_pass(true, 1000));
  DescendingWindow bounded(std::nullopt, 2);
  EXPECT_TRUE(bounded.next_pass(true, 50));
  EXPECT_FALSE(bounded.next_pass(true, 40));
  EXPECT_FALSE(DescendingWindow(std::nullopt, 5).next_pass(true, std::nullopt));
}

TEST(DescendingWindow, AStuckPassStepsBelowItsSecond) {
  DescendingWindow w(std::nullopt, 10);
  ASSERT_TRUE(w.next_pass(true, 7000));
  ASSERT_TRUE(w.next_pass(true, 7000));  // every hit at 7000: no progress
  EXPECT_EQ(w.until(), 6999);
}

TEST(TimeWindows, SplitCoversTheRangeOldestFirst) {
  auto w = split_time_range(0, 250, 100);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].from, 0);
  EXPECT_EQ(w[0].to, 100);
  EXPECT_EQ(w[2].from, 200);
  EXPECT_EQ(w[2].to, 250);
  EXPECT_TRUE(split_time_range(10, 10, 5).empty());
  EXPECT_EQ(split_time_range(0, 10, 0).size(), 1u);
}

RetryPolicy quick() {
  RetryPolicy p;
  p.max_attempts = 3;
  p.base_delay = milliseconds(1);
  p.max_delay = milliseconds(2);
  return p;
}

// A server whose /p?page=N answers {"page":N} after a delay, counting the requests in flight.
struct SlowPages {
  std::atomic<int> in_flight = 0, peak = 0;
  LocalServer server{[this](http::Request& req) {
                       int now = ++in_flight;
                       int seen = peak.load();
                       while (now > seen && !peak.compare_exchange_weak(seen, now)) {
                       }
                       std::this_thread::sleep_for(milliseconds(30));
                       --in_flight;
                       return LocalServer::answer(200, "{\"page\":" + req.query_param("page").value_or("0") + "}");
                     },
                     16};
};

NumberedPages numbered(LocalServer& server, int first, int last, std::size_t concurrency) {
  NumberedPages p;
  p.first = first;
  p.last = last;
  p.concurrency = concurrency;
  p.request = [&server](int page) {
    OutboundRequest r;
    r.url = server.url("/p?page=" + std::to_string(page) + "&key=s3cret");
    return r;
  };
  p.label = [](int page) { return "GET /p page " + std::to_string(page); };
  return p;
}

TEST(FetchNumberedPages, ConcurrentButHandedOnInOrder) {
  SlowPages slow;
  HttpClient client;
  Fetcher fetcher(client, quick(), [](milliseconds) {});
  std::vector<int> order;
  auto st =
      fetch_numbered_pages(fetcher, numbered(slow.server, 2, 11, 4), [&](int page, JsonPage body) -> Result<bool> {
        EXPECT_EQ(get_int(body.body, "page"), page);
        order.push_back(page);
        return true;
      });
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(order, (std::vector<int>{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_GE(slow.peak.load(), 2);  // several in flight at once
  EXPECT_LE(slow.peak.load(), 4);
}

TEST(FetchNumberedPages, StopsWhenTheHandlerSaysSo) {
  SlowPages slow;
  HttpClient client;
  Fetcher fetcher(client, quick(), [](milliseconds) {});
  std::vector<int> order;
  auto st = fetch_numbered_pages(fetcher, numbered(slow.server, 1, 20, 3), [&](int page, JsonPage) -> Result<bool> {
    order.push_back(page);
    return page < 4;
  });
  ASSERT_TRUE(st);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_LE(slow.server.hits("/p"), 6);  // the batch in flight, no more
}

TEST(FetchNumberedPages, AFailedOrMalformedPageNamesThePage) {
  LocalServer server([](http::Request& req) {
    std::string page = req.query_param("page").value_or("");
    if (page == "3") return LocalServer::answer(500, "boom");
    if (page == "5") return LocalServer::answer(200, "{\"hits\":[");
    return LocalServer::answer(200, "{}");
  });
  HttpClient client;
  Fetcher fetcher(client, quick(), [](milliseconds) {});
  std::vector<int> seen;
  auto handler = [&](int page, JsonPage) -> Result<bool> {
    seen.push_back(page);
    return true;
  };
  auto failed = fetch_numbered_pages(fetcher, numbered(server, 1, 4, 2), handler);
  ASSERT_FALSE(failed);
  EXPECT_TRUE(failed.error().message.starts_with("GET /p page 3: GET " + server.url("/p") + " answered 500"))
      << failed.error().message;
  EXPECT_EQ(failed.error().message.find("s3cret"), std::string::npos);
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));

  auto malformed = fetch_numbered_pages(fetcher, numbered(server, 5, 5, 2), handler);
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::upstream);
  EXPECT_TRUE(malformed.error().message.starts_with("GET /p page 5: malformed JSON")) << malformed.error().message;
}

}  // namespace
}  // namespace chorus::ingest
