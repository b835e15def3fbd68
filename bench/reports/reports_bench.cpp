// Reports and insights over a year of 10 million records in the embedded store: p50 and p99 latency of
// the rollup answers against the same answers computed from the records, which must agree exactly.
//
//   reports_bench [--records N] [--data DIR] [--runs N] [--raw-runs N]
//
// The data set is generated once through the store's own write path (commit_page, then apply_rollups, as
// the parser and reports roles do) into DIR (default: reports-data beside the binary, in the build
// directory) and reused while its generator version and size match. Nothing is written elsewhere.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/sqlite.hpp"
#include "insights/insight_report.hpp"
#include "store/store.hpp"

namespace {

using namespace chorus;
using Clock = std::chrono::steady_clock;

constexpr int kGeneratorVersion = 2;
const TimeMs kYear = *parse_time("2025-01-01T00:00:00Z");
const TimeMs kYearEnd = *parse_time("2026-01-01T00:00:00Z");
constexpr TimeMs kDay = 86400000;
constexpr std::size_t kPage = 5000;

struct Options {
  std::int64_t records = 10'000'000;
  std::filesystem::path data;
  int runs = 30;
  int raw_runs = 3;
};

// A workspace's year: four sources (a forum, GitHub, an app store rating 1-5, an NPS survey rating
// 0-10), sixty themes of Zipf-like popularity with their own tone, six categories, four languages,
// volume steady through the year, and three injected episodes for the detector to find.
class YearGenerator {
 public:
  YearGenerator(Id workspace, std::vector<Id> sources, std::int64_t total)
      : ws_(workspace), sources_(std::move(sources)), total_(total) {
    for (int i = 0; i < 60; ++i) {
      themes_.push_back("theme " + std::to_string(i));
      weights_.push_back(1.0 / std::pow(i + 1.0, 0.9));
    }
    themes_[7] = "checkout crash";
    themes_[19] = "dark mode";
    themes_[33] = "double charge";
    theme_pick_ = std::discrete_distribution<int>(weights_.begin(), weights_.end());
  }

  FeedbackRecord make(std::int64_t i) {
    FeedbackRecord r;
    r.unique_identifier = i + 1;
    r.workspace_id = ws_;
    const int s = source_pick_(rng_);
    r.source_id = sources_[static_cast<std::size_t>(s)];
    r.source_type = kTypes[s];
    r.external_id = std::to_string(i + 1);
    // Evenly through the year, give or take a minute, and never past its end.
    constexpr TimeMs kJitter = 60000;
    r.timestamp = kYear + static_cast<TimeMs>((kYearEnd - kYear - kJitter) * (static_cast<double>(i) + 0.5) / total_) +
                  static_cast<TimeMs>(rng_() % kJitter);
    const int day = static_cast<int>((r.timestamp - kYear) / kDay);
    int theme = theme_pick_(rng_);
    // The episodes: a crash in May, a feature request in September, a billing fault in November.
    auto during = [&](int first, int days, double share) {
      return day >= first && day < first + days && unit_(rng_) < share;
    };
    if (during(130, 3, 0.06)) theme = 7;
    if (during(250, 4, 0.03)) theme = 19;
    if (during(310, 2, 0.02)) theme = 33;
    r.themes = {themes_[static_cast<std::size_t>(theme)]};
    if (unit_(rng_) < 0.35) {
      int second = theme_pick_(rng_);
      if (second != theme) r.themes.push_back(themes_[static_cast<std::size_t>(second)]);
    }
    // Each theme has its own tone; the episodes are sour.
    double tone = theme == 7 || theme == 33 ? -0.6 : std::sin(theme * 1.7) * 0.5;
    double c = std::clamp(tone + std::normal_distribution<double>(0.0, 0.35)(rng_), -1.0, 1.0);
    r.sentiment_compound = std::round(c * 10000.0) / 10000.0;
    r.sentiment_score = static_cast<int>(std::lround(r.sentiment_compound * 10));
    r.sentiment_type = c > 0.05 ? (unit_(rng_) < 0.1 ? "mixed" : "positive") : c < -0.05 ? "negative" : "neutral";
    r.category = kCategories[category_pick_(rng_)];
    r.language_code = kLanguages[language_pick_(rng_)];
    r.language = r.language_code;
    r.text = "Feedback " + std::to_string(i + 1) + " about " + r.themes.front();
    r.username = "user" + std::to_string(rng_() % 200000);
    if (s == 2) r.rating = static_cast<double>(std::clamp(static_cast<int>(std::lround(3 + 2 * c)), 1, 5));
    if (s == 3) r.rating = static_cast<double>(std::clamp(static_cast<int>(std::lround(7 + 3 * c)), 0, 10));
    r.received_at = r.timestamp + 120000;
    r.nlp_version = "bench";
    return r;
  }

 private:
  static constexpr const char* kTypes[] = {"discourse", "github", "appstore", "typeform"};
  static constexpr const char* kCategories[] = {"bug", "feature_request", "question", "praise", "complaint", "other"};
  static constexpr const char* kLanguages[] = {"en", "de", "fr", "es"};
  Id ws_;
  std::vector<Id> sources_;
  std::int64_t total_;
  std::mt19937_64 rng_{20250101};
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  std::vector<std::string> themes_;
  std::vector<double> weights_;
  std::discrete_distribution<int> theme_pick_;
  std::discrete_distribution<int> source_pick_{40, 30, 20, 10};
  std::discrete_distribution<int> category_pick_{30, 25, 15, 12, 10, 8};
  std::discrete_distribution<int> language_pick_{70, 15, 10, 5};
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "reports_bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T check(Result<T> r, const char* what) {
  if (!r) fail(std::string(what) + ": " + r.error().message);
  return std::move(r.value());
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Opens the cached data set, or generates it.
std::unique_ptr<store::Store> open_year(const Options& o, Id& ws) {
  auto marker = o.data / "generated";
  std::string expect = "v" + std::to_string(kGeneratorVersion) + " " + std::to_string(o.records);
  std::string have;
  if (std::ifstream in(marker); in) std::getline(in, have);
  if (have != expect) {
    std::error_code ec;
    std::filesystem::remove_all(o.data, ec);
  }
  auto store = check(store::open_sqlite_store(o.data), "open store");
  if (have == expect) {
    ws = 1;
    std::printf("data set: %lld records, cached in %s\n", static_cast<long long>(o.records), o.data.c_str());
    return store;
  }
  auto customer = check(store->create_customer("bench", "bench-key"), "customer");
  ws = check(store->create_workspace(customer.id, "a year"), "workspace").id;
  std::vector<Id> sources;
  for (const char* type : {"discourse", "github", "appstore", "typeform"}) {
    store::Source s;
    s.workspace_id = ws;
    s.type = type;
    s.name = type;
    s.sealed_secrets = "-";
    sources.push_back(check(store->create_source(s), "source").id);
  }
  {  // All four were connected the year before.
    auto db = check(sqlite::Database::open(o.data / "chorus.db", {}), "open db");
    if (auto s = db.exec("UPDATE sources SET created_at = " + std::to_string(kYear - 400 * kDay)); !s)
      fail(s.error().message);
  }
  YearGenerator gen(ws, sources, o.records);
  auto started = Clock::now();
  double commit_s = 0, rollup_s = 0;
  for (std::int64_t i = 0; i < o.records;) {
    std::vector<FeedbackRecord> batch;
    std::size_t n = static_cast<std::size_t>(std::min<std::int64_t>(kPage, o.records - i));
    batch.reserve(n);
    for (std::size_t k = 0; k < n; ++k) batch.push_back(gen.make(i + static_cast<std::int64_t>(k)));
    i += static_cast<std::int64_t>(n);
    // Pages are per source, as the parser commits them.
    std::vector<std::vector<FeedbackRecord>> per_source(sources.size());
    for (auto& r : batch)
      per_source[static_cast<std::size_t>(std::find(sources.begin(), sources.end(), r.source_id) - sources.begin())]
          .push_back(std::move(r));
    for (std::size_t s = 0; s < sources.size(); ++s) {
      store::PageCommit page;
      page.workspace_id = ws;
      page.source_id = sources[s];
      page.records = std::move(per_source[s]);
      auto t0 = Clock::now();
      auto stored = check(store->commit_page(page), "commit_page");
      commit_s += seconds_since(t0);
      t0 = Clock::now();
      if (auto a = store->apply_rollups(stored); !a) fail(a.error().message);
      rollup_s += seconds_since(t0);
    }
    if (i % 500000 == 0 || i == o.records)
      std::printf("  generated %lld records in %.0f s (commit %.0f s, rollups %.0f s)\n", static_cast<long long>(i),
                  seconds_since(started), commit_s, rollup_s);
    std::fflush(stdout);
  }
  std::ofstream(marker) << expect << "\n";
  std::printf("data set: %lld records generated in %.0f s (%.0f records/s written, %.0f records/s rolled up)\n",
              static_cast<long long>(o.records), seconds_since(started), o.records / commit_s, o.records / rollup_s);
  return store;
}

struct Timing {
  std::vector<double> ms;
  double percentile(double p) const {
    auto v = ms;
    std::sort(v.begin(), v.end());
    std::size_t i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
    return v[std::min(i, v.size() - 1)];
  }
};

// Runs `query` n times; returns the timings and the last answer.
Timing measure(int n, const std::function<std::string()>& query, std::string& answer) {
  Timing t;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    answer = query();
    t.ms.push_back(seconds_since(t0) * 1000.0);
  }
  return t;
}

std::string report_answer(store::Store& store, const store::FeedbackFilter& f, store::GroupBy g) {
  auto series = check(store.report(f, store::Bucket::day, g), "report");
  std::string out;
  char buf[128];
  for (const auto& s : series) {
    out += s.key + ":";
    // Averages in full precision (%a): the two answers must be bit for bit the same.
    for (const auto& p : s.points) {
      std::snprintf(buf, sizeof buf, " %lld/%lld/%a", static_cast<long long>(p.t), static_cast<long long>(p.count),
                    p.avg_compound);
      out += buf;
    }
    out += "\n";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.data = std::filesystem::canonical("/proc/self/exe").parent_path() / "reports-data";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--records")
      o.records = std::stoll(argv[i + 1]);
    else if (a == "--data")
      o.data = argv[i + 1];
    else if (a == "--runs")
      o.runs = std::stoi(argv[i + 1]);
    else if (a == "--raw-runs")
      o.raw_runs = std::stoi(argv[i + 1]);
    else
      fail("unknown option " + a);
  }
  Id ws = 0;
  auto store = open_year(o, ws);

  store::FeedbackFilter year;
  year.workspace_id = ws;
  year.from = kYear;
  year.to = kYearEnd;
  auto raw = year;
  raw.from_records = true;

  struct Case {
    std::string name;
    std::function<std::string(const store::FeedbackFilter&)> query;
  };
  std::vector<Case> cases;
  for (auto [name, g] :
       {std::pair{"reports, day buckets", store::GroupBy::none}, std::pair{"reports by source", store::GroupBy::source},
        std::pair{"reports by sentiment", store::GroupBy::sentiment},
        std::pair{"reports by category", store::GroupBy::category},
        std::pair{"reports by language", store::GroupBy::language},
        std::pair{"reports by theme", store::GroupBy::theme}})
    cases.push_back({name, [&store, g](const store::FeedbackFilter& f) { return report_answer(*store, f, g); }});
  insights::InsightOptions options;
  cases.push_back({"insights", [&](const store::FeedbackFilter& f) {
                     return json::serialize(
                         insights::insights_to_json(check(insights::build_insights(*store, f, options), "insights")));
                   }});

  std::printf(
      "\n| query (a year, day buckets) | rollups p50 | rollups p99 | records p50 | records p99 | speed-up (p50) | same "
      "answer |\n");
  std::printf("|---|---:|---:|---:|---:|---:|:---:|\n");
  bool all_ok = true;
  for (const auto& c : cases) {
    std::string fast_answer, slow_answer;
    measure(
        1, [&] { return c.query(year); }, fast_answer);  // warm the page cache
    auto fast = measure(
        o.runs, [&] { return c.query(year); }, fast_answer);
    auto slow = measure(
        o.raw_runs, [&] { return c.query(raw); }, slow_answer);
    bool same = fast_answer == slow_answer && !fast_answer.empty();
    double speedup = slow.percentile(0.5) / fast.percentile(0.5);
    all_ok = all_ok && same && speedup >= 100.0;
    std::printf("| %s | %.1f ms | %.1f ms | %.0f ms | %.0f ms | %.0fx | %s |\n", c.name.c_str(), fast.percentile(0.5),
                fast.percentile(0.99), slow.percentile(0.5), slow.percentile(0.99), speedup, same ? "yes" : "NO");
    std::fflush(stdout);
    if (c.name == "insights") {
      auto report = check(insights::build_insights(*store, year, options), "insights");
      std::printf("\ninsights: %lld records, %zu emerging:", static_cast<long long>(report.totals.count),
                  report.emerging.size());
      for (const auto& e : report.emerging)
        std::printf(" %s %s..%s (%lld, score %.1f);", e.theme.c_str(), format_time(e.spike.start).c_str(),
                    format_time(e.spike.end).c_str(), static_cast<long long>(e.spike.count), e.spike.score);
      std::printf("\n");
    }
  }
  std::printf("\n%s\n", all_ok ? "every answer identical and at least 100x faster from rollups"
                               : "FAILED: an answer differs or is less than 100x faster");
  return all_ok ? 0 : 1;
}
