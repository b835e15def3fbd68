// The SQLite store's near-duplicate index in memory (src/store/sqlite/near_duplicate_index.hpp): how long a
// workspace of N records takes to read in, what it holds a record, and what a record's lookup and insert cost
// once it holds N, committed 256 records at a time as the parser does. Fingerprints are random (texts that do
// not repeat) or drawn from 600 texts with a bit or two changed (the import benchmark's crowded keys).
#include <benchmark/benchmark.h>

#include <bit>
#include <random>
#include <vector>

#include "store/sqlite/near_duplicate_index.hpp"

namespace {

using chorus::store::NearDuplicateIndex;

std::vector<NearDuplicateIndex::Row> rows(std::size_t n, bool crowded, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> texts(600);
  for (auto& t : texts) t = rng() | 1;
  std::vector<NearDuplicateIndex::Row> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t fp = rng() | 1;
    if (crowded) {
      fp = texts[rng() % texts.size()];
      if (rng() % 2) fp ^= std::uint64_t{1} << (rng() % 64);
    }
    out[i] = {fp, static_cast<chorus::TimeMs>(1'700'000'000'000 + static_cast<std::int64_t>(i) * 1000),
              static_cast<std::int64_t>(rng() >> 1)};
  }
  return out;
}

void BM_Load(benchmark::State& state) {
  const auto data = rows(static_cast<std::size_t>(state.range(0)), false, 1);
  for (auto _ : state) {
    NearDuplicateIndex index;
    index.load(1, data);
    index.commit();
    benchmark::DoNotOptimize(index.stats().records);
    state.counters["bytes_per_record"] = static_cast<double>(index.stats().bytes) / static_cast<double>(data.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Load)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Records past the first N: each looked up as the store does (the direct hit, then each key's newest rows),
// then inserted; a commit every 256 records.
void BM_LookupAndInsert(benchmark::State& state) {
  const auto held = static_cast<std::size_t>(state.range(0));
  const bool crowded = state.range(1) != 0;
  const auto data = rows(held + 200'000, crowded, 2);
  NearDuplicateIndex index;
  index.load(1, {data.begin(), data.begin() + static_cast<std::ptrdiff_t>(held)});
  index.commit();
  std::size_t next = held;
  std::int64_t found = 0;
  for (auto _ : state) {
    if (next == data.size()) {
      state.SkipWithError("ran out of records");
      break;
    }
    const auto& r = data[next++];
    auto hit = index.first_identical(1, r.simhash, r.position(), r.uid);
    const auto bound = hit.value_or(r.position());
    for (const auto& key : chorus::near_duplicate_keys(r.simhash))
      index.newest(1, key, bound, r.uid, chorus::kNearDuplicateScan, [&](std::uint64_t fp) {
        if (std::popcount(fp ^ r.simhash) <= 3) ++found;
      });
    index.insert(1, r);
    if (next % 256 == 0) index.commit();
  }
  state.counters["near_rows"] = benchmark::Counter(static_cast<double>(found), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupAndInsert)
    ->Args({100'000, 0})
    ->Args({1'000'000, 0})
    ->Args({100'000, 1})
    ->Args({1'000'000, 1})
    ->Iterations(100'000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
