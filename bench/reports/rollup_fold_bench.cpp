// The rollup fold of one store batch: a batch of records summed into every cube's cells and written to the
// cube tables of an in-memory database, inside a transaction that is rolled back so each run starts alike.
// This runs on the parser's thread for every batch the embedded store commits.
//
// The records are an import's: timestamps over 30 days, one source, four sentiments, eight categories,
// three languages, up to five themes of 150, three in ten rated.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "core/sqlite.hpp"
#include "store/sqlite/sqlite_cubes.hpp"

namespace {

using namespace chorus;

std::vector<FeedbackRecord> batch(std::size_t n) {
  std::mt19937_64 rng(42);
  const std::vector<std::string> sentiments{"positive", "negative", "neutral", "mixed"};
  const std::vector<std::string> languages{"en", "de", "fr"};
  const TimeMs start = *parse_time("2026-11-01T00:00:00Z");
  std::vector<FeedbackRecord> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    FeedbackRecord& r = out[i];
    r.workspace_id = 1;
    r.unique_identifier = static_cast<std::int64_t>(i + 1);
    r.source_id = 1;
    r.timestamp = start + static_cast<TimeMs>(rng() % (30ULL * 86400000ULL));
    r.sentiment_type = sentiments[rng() % sentiments.size()];
    r.category = "category " + std::to_string(rng() % 8);
    r.language_code = languages[rng() % languages.size()];
    r.sentiment_compound = static_cast<double>(rng() % 20001) / 10000.0 - 1.0;
    for (std::size_t t = rng() % 6; t > 0; --t) r.themes.push_back("theme " + std::to_string(rng() % 150));
    if (rng() % 10 < 3) r.rating = static_cast<double>(1 + rng() % 5);
  }
  return out;
}

void BM_FoldBatch(benchmark::State& state) {
  const auto records = batch(static_cast<std::size_t>(state.range(0)));
  auto db = sqlite::Database::open(":memory:", sqlite::OpenOptions{.what = "", .wal = false});
  if (!db || !db->exec(store::cubes::schema())) {
    state.SkipWithError("cannot make the cube tables in memory");
    return;
  }
  // One batch folds and writes the same whichever the run.
  auto fold_batch = [&] {
    store::cubes::Fold fold;
    for (const auto& r : records) fold.add(r, +1);
    return db->exec("BEGIN") && fold.write(*db);
  };
  // The cube rows one batch writes, counted once before the timed runs.
  std::int64_t rows = 0;
  if (!fold_batch()) {
    state.SkipWithError("the fold was not written");
    return;
  }
  for (const auto& cube : store::cubes::all()) {
    auto q = db->prepare(std::string("SELECT count(*) FROM ") + cube.table);
    auto row = q ? q->step() : Result<bool>(false);
    if (!row || !*row) {
      state.SkipWithError("the cube tables could not be counted");
      return;
    }
    rows += q->int64(0);
  }
  if (!db->exec("ROLLBACK")) state.SkipWithError("ROLLBACK failed");
  for (auto _ : state) {
    if (!fold_batch()) state.SkipWithError("the fold was not written");
    if (!db->exec("ROLLBACK")) state.SkipWithError("ROLLBACK failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.counters["cube_rows_per_record"] = static_cast<double>(rows) / static_cast<double>(state.range(0));
}
BENCHMARK(BM_FoldBatch)->Arg(1)->Arg(16)->Arg(512)->Arg(8192)->Unit(benchmark::kMillisecond);

}  // namespace
