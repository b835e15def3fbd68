// How many rows of each key a near-duplicate lookup should read (kNearDuplicateScan): for streams of real and
// numbered texts, the rows a lookup reads and how often its answer differs from reading every row, per limit.
// Counters: rows (key rows read per lookup), matched (share of records with a near-duplicate when every row is
// read), differ (share whose answer differs from that), missed (share left with none).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.hpp"
#include "core/near_duplicate_keys.hpp"
#include "nlp/fingerprint.hpp"

namespace {

using namespace chorus;

// The rule of core/near_duplicate_keys.hpp with the limit as a parameter, counting the rows it reads.
class ScanIndex {
 public:
  std::optional<std::size_t> lookup(std::uint64_t fp, int limit, long& rows_read) const {
    if (fp == 0) return std::nullopt;
    std::size_t bound = fps_.size();
    if (auto it = first_of_.find(fp); it != first_of_.end()) bound = it->second;
    std::size_t best = bound;
    for (const NearDuplicateKey& k : near_duplicate_keys(fp)) {
      auto it = keys_.find((static_cast<std::uint64_t>(k.index) << 32) | static_cast<std::uint64_t>(k.value));
      if (it == keys_.end()) continue;
      auto end = std::lower_bound(it->second.begin(), it->second.end(), bound);
      for (int read = 0; end != it->second.begin() && read < limit; ++read) {
        ++rows_read;
        std::uint64_t other = fps_[*--end];
        if (std::popcount(other ^ fp) <= nlp::kNearDuplicateBits) best = std::min(best, first_of_.at(other));
      }
    }
    if (best == fps_.size()) return std::nullopt;
    return best;
  }
  void add(std::uint64_t fp) {
    if (fp == 0) return;
    fps_.push_back(fp);
    first_of_.emplace(fp, fps_.size() - 1);
    for (const NearDuplicateKey& k : near_duplicate_keys(fp))
      keys_[(static_cast<std::uint64_t>(k.index) << 32) | static_cast<std::uint64_t>(k.value)].push_back(fps_.size() - 1);
  }

 private:
  std::vector<std::uint64_t> fps_;
  std::unordered_map<std::uint64_t, std::size_t> first_of_;
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> keys_;
};

std::vector<std::string> corpus_texts() {
  std::vector<std::string> texts;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(CHORUS_SOURCE_DIR) + "/data/corpus")) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);)
      if (auto doc = parse_json(line))
        if (auto text = get_string(*doc, "text")) texts.push_back(*text);
  }
  return texts;
}

// 0: the webhook benchmark's numbered texts; 1: pairs of corpus texts, one in ten a repost of an earlier item;
// 2: corpus texts with a number appended (the import benchmark's --near-duplicates).
const std::vector<std::uint64_t>& stream(int which) {
  static std::vector<std::uint64_t> streams[3];
  if (!streams[which].empty()) return streams[which];
  constexpr int kItems = 20000;
  std::mt19937_64 rng(12);
  static const std::vector<std::string> texts = corpus_texts();
  std::vector<std::string> items;
  for (int i = 0; i < kItems; ++i) {
    if (which == 0) items.push_back("The export to CSV drops the last row " + std::to_string(i));
    if (which == 1)
      items.push_back(i > 0 && rng() % 10 == 0 ? items[rng() % items.size()]
                                               : texts[rng() % texts.size()] + " " + texts[rng() % texts.size()]);
    if (which == 2) items.push_back(texts[rng() % texts.size()] + " " + std::to_string(i));
  }
  for (const auto& text : items) streams[which].push_back(nlp::fingerprint_of(text));
  return streams[which];
}

void BM_NearDuplicateScan(benchmark::State& state) {
  const auto& fps = stream(static_cast<int>(state.range(0)));
  const int limit = state.range(1) == 0 ? INT_MAX : static_cast<int>(state.range(1));
  long rows = 0, matched = 0, differ = 0, missed = 0;
  for (auto _ : state) {
    rows = matched = differ = missed = 0;
    ScanIndex index;
    for (std::uint64_t fp : fps) {
      long ignored = 0;
      auto all = index.lookup(fp, INT_MAX, ignored);
      auto bounded = index.lookup(fp, limit, rows);
      matched += all ? 1 : 0;
      differ += all != bounded ? 1 : 0;
      missed += all && !bounded ? 1 : 0;
      index.add(fp);
    }
  }
  const double n = static_cast<double>(fps.size());
  state.counters["rows"] = static_cast<double>(rows) / n;
  state.counters["matched"] = static_cast<double>(matched) / n;
  state.counters["differ"] = static_cast<double>(differ) / n;
  state.counters["missed"] = static_cast<double>(missed) / n;
}
BENCHMARK(BM_NearDuplicateScan)
    ->ArgsProduct({{0, 1, 2}, {4, 8, 16, 32, 64, 0}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
