// Quote choice: a greedy pick by clarity, centrality and length, skipping near-copies.
#include "insights/quotes.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "insights/text_features.hpp"

namespace chorus::insights {

namespace {

// 1 for texts of 40 to 400 characters, less for shorter and longer ones.
double readable_length(std::size_t n) {
  if (n < 40) return static_cast<double>(n) / 40.0;
  if (n <= 400) return 1.0;
  return std::max(0.3, 400.0 / static_cast<double>(n));
}

}  // namespace

std::vector<std::size_t> pick_quotes(std::span<const FeedbackRecord> candidates,
                                     const std::optional<std::string>& sentiment, const QuoteOptions& options) {
  std::vector<std::vector<std::string>> words;
  words.reserve(candidates.size());
  for (const auto& r : candidates) words.push_back(content_words(r.title ? *r.title + " " + r.text : r.text));
  TermVectors vectors(words);
  std::vector<double> score(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& r = candidates[i];
    double clarity = std::min(1.0, std::fabs(r.sentiment_compound));
    if (sentiment && r.sentiment_type != *sentiment) clarity *= 0.25;
    score[i] = 0.45 * vectors.centrality(i) + 0.35 * clarity + 0.2 * readable_length(r.text.size());
    if (words[i].empty()) score[i] = -1.0;  // nothing to read
  }
  std::vector<std::size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return score[a] != score[b] ? score[a] > score[b]
                                : candidates[a].unique_identifier < candidates[b].unique_identifier;
  });
  // A record and the earlier one it copies share a root; one quote per root.
  auto root = [&](std::size_t i) { return candidates[i].duplicate_of.value_or(candidates[i].unique_identifier); };
  std::vector<std::size_t> chosen;
  std::set<std::int64_t> roots;
  for (std::size_t i : order) {
    if (chosen.size() == options.count) break;
    if (score[i] < 0 || roots.contains(root(i)) || roots.contains(candidates[i].unique_identifier)) continue;
    bool copy = false;
    for (std::size_t c : chosen)
      if (word_overlap(words[i], words[c]) >= options.near_copy) copy = true;
    if (copy) continue;
    chosen.push_back(i);
    roots.insert(root(i));
    roots.insert(candidates[i].unique_identifier);
  }
  return chosen;
}

}  // namespace chorus::insights
