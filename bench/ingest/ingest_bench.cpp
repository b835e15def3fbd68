// Sync throughput against a slow API: a fake Algolia HN search that answers every request after 50 ms
// and holds 2,000 hits on 100 pages of 20. The Hacker News connector reads page 0 (which announces
// nbPages), then the other 99 pages `concurrency` at a time, so a sync cannot beat
//   bound(C) = (1 + ceil(99 / C)) x 50 ms
// (one discovery request, then rounds of C requests that each take one latency). The benchmark reports
// the bound and wall time / bound, and fails the run when the ratio exceeds 1.3.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "connectors/hackernews/hackernews_connector.hpp"
#include "http/server.hpp"
#include "ingest/fetcher.hpp"

namespace {

using namespace chorus;
using std::chrono::milliseconds;

constexpr int kPages = 100;
constexpr int kPerPage = 20;
constexpr milliseconds kLatency{50};

// One hit in Algolia's shape; newest first across pages.
json::object hit(int index) {
  std::int64_t created = 1771927200 + (kPages * kPerPage - index) * 60;
  return json::object{{"created_at", format_time(created * 1000)},
                      {"title", nullptr},
                      {"author", "user" + std::to_string(index % 97)},
                      {"comment_text", "Tallybook comment number " + std::to_string(index) + " about syncing budgets."},
                      {"story_id", 43000000},
                      {"parent_id", 43000000},
                      {"created_at_i", created},
                      {"_tags", json::array{"comment", "author_user", "story_43000000"}},
                      {"objectID", std::to_string(44000000 + index)}};
}

class SlowSearch {
 public:
  SlowSearch() : server_(options(), [this](http::Request& req) { return answer(req); }) {
    for (int p = 0; p < kPages; ++p) {
      json::array hits;
      for (int i = 0; i < kPerPage; ++i) hits.push_back(hit(p * kPerPage + i));
      pages_.push_back(json::serialize(json::object{{"hits", std::move(hits)},
                                                    {"nbHits", kPages * kPerPage},
                                                    {"page", p},
                                                    {"nbPages", kPages},
                                                    {"hitsPerPage", kPerPage},
                                                    {"exhaustiveNbHits", true},
                                                    {"query", "tallybook"},
                                                    {"processingTimeMS", 1}}));
    }
    if (auto st = server_.start(); !st) throw std::runtime_error(st.error().message);
  }
  ~SlowSearch() { server_.stop(milliseconds(1000)); }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/v1"; }
  int requests() const { return requests_.load(); }
  int peak_in_flight() const { return peak_.load(); }

 private:
  static http::ServerOptions options() {
    http::ServerOptions o;
    o.port = 0;
    o.threads = 64;  // handlers sleep; every request in flight needs its own thread
    o.log_requests = false;
    return o;
  }

  http::Response answer(http::Request& req) {
    int now = ++in_flight_;
    int seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
    ++requests_;
    std::this_thread::sleep_for(kLatency);
    --in_flight_;
    int page = std::atoi(req.query_param("page").value_or("0").c_str());
    http::Response res;
    res.body = page >= 0 && page < kPages ? pages_[static_cast<std::size_t>(page)] : R"({"hits":[],"nbPages":100})";
    return res;
  }

  std::vector<std::string> pages_;
  std::atomic<int> requests_{0}, in_flight_{0}, peak_{0};
  http::Server server_;
};

class CountingSink final : public connectors::PageSink {
 public:
  Status emit(connectors::RawPage page) override {
    items += page.items.size();
    return {};
  }
  std::size_t items = 0;
};

void BM_SyncOverSlowApi(benchmark::State& state) {
  const int concurrency = static_cast<int>(state.range(0));
  SlowSearch api;
  connectors::SourceSettings source;
  source.type = "hackernews";
  source.config = json::object{{"query", "tallybook"},      {"tags", "comment"},   {"base_url", api.base_url()},
                               {"hits_per_page", kPerPage}, {"max_pages", kPages}, {"concurrency", concurrency}};
  ingest::HttpClientOptions client_options;
  client_options.max_concurrency = 32;
  ingest::HttpClient client(client_options);
  const double bound_ms = (1 + std::ceil(static_cast<double>(kPages - 1) / concurrency)) * kLatency.count();
  double worst = 0;
  for (auto _ : state) {
    ingest::Fetcher fetcher(client);
    CountingSink sink;
    connectors::SyncContext ctx{source, "", fetcher};
    auto start = std::chrono::steady_clock::now();
    auto r = connectors::hackernews::connector().sync(ctx, sink);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(ms / 1000.0);
    worst = std::max(worst, ms);
    if (!r || sink.items != static_cast<std::size_t>(kPages * kPerPage)) {
      state.SkipWithError(r ? "wrong item count" : r.error().message.c_str());
      return;
    }
  }
  state.counters["bound_ms"] = bound_ms;
  state.counters["worst_ms"] = worst;
  state.counters["worst_over_bound"] = worst / bound_ms;
  state.counters["requests"] = api.requests();
  state.counters["peak_in_flight"] = api.peak_in_flight();
  if (worst > 1.3 * bound_ms) state.SkipWithError("slower than 1.3 x the latency bound");
}

BENCHMARK(BM_SyncOverSlowApi)
    ->ArgName("concurrency")
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->Arg(8)
    ->Arg(16)
    ->Arg(32)
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
