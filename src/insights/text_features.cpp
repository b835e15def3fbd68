// Words, TF-IDF vectors and overlaps for quotes and issue clusters.
#include "insights/text_features.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

namespace chorus::insights {

namespace {

const std::unordered_set<std::string_view>& function_words() {
  static const std::unordered_set<std::string_view> words{
      "the",    "and",   "for",   "are",   "but",   "not",  "you",  "all",   "any",     "can",   "had",
      "her",    "was",   "one",   "our",   "out",   "has",  "have", "this",  "that",    "with",  "from",
      "they",   "will",  "would", "there", "their", "what", "when", "which", "were",    "been",  "into",
      "than",   "then",  "them",  "these", "those", "just", "also", "about", "after",   "again", "very",
      "your",   "its",   "it's",  "i'm",   "don't", "does", "did",  "doing", "because", "some",  "could",
      "should", "while", "where", "who",   "how",   "why",  "more", "most",  "other",   "such",  "only",
      "own",    "same",  "too",   "can't", "yet",   "get",  "got",  "her",   "him",     "his",   "she",
      "being",  "over",  "under", "der",   "die",   "das",  "und",  "ist",   "nicht",   "mit",   "ein",
      "eine",   "auf",   "für",   "von",   "les",   "des",  "une",  "est",   "pas",     "pour",  "que",
      "qui",    "dans",  "avec",  "los",   "las",   "una",  "por",  "para",  "con",     "que",   "del"};
  return words;
}

bool ends_with(const std::string& w, std::string_view suffix) {
  return w.size() >= suffix.size() && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// English inflections off, so that "crashes", "crashed" and "crashing" meet, and "update" meets
// "updating": -ing, -ed, -es and -s go, a doubled consonant they leave is undoubled, and a final e goes.
// Crude, and enough for comparing short texts with each other.
std::string light_stem(std::string w) {
  bool suffix = false;
  if (w.size() > 5 && ends_with(w, "ing")) {
    w.resize(w.size() - 3);
    suffix = true;
  } else if (w.size() > 4 && ends_with(w, "ed")) {
    w.resize(w.size() - 2);
    suffix = true;
  } else if (w.size() > 4 && (ends_with(w, "ches") || ends_with(w, "shes") || ends_with(w, "sses"))) {
    w.resize(w.size() - 2);
  } else if (w.size() > 3 && ends_with(w, "s") && !ends_with(w, "ss")) {
    w.resize(w.size() - 1);
  }
  auto n = w.size();
  if (suffix && n > 3 && w[n - 1] == w[n - 2] && std::string_view("lsz").find(w[n - 1]) == std::string_view::npos &&
      std::string_view("aeiou").find(w[n - 1]) == std::string_view::npos)
    w.pop_back();
  if (w.size() > 4 && w.back() == 'e') w.pop_back();
  return w;
}

}  // namespace

std::vector<std::string> content_words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 3 && !function_words().contains(word)) out.push_back(light_stem(word));
    word.clear();
  };
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80 || (c == '\'' && !word.empty())) {
      word += static_cast<char>(std::tolower(u));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

TermVectors::TermVectors(std::span<const std::vector<std::string>> documents) {
  std::map<std::string_view, int> ids;
  std::vector<int> document_frequency;
  std::vector<std::map<int, int>> counts(documents.size());
  for (std::size_t d = 0; d < documents.size(); ++d) {
    for (const auto& w : documents[d]) {
      auto [it, fresh] = ids.emplace(w, static_cast<int>(ids.size()));
      if (fresh) document_frequency.push_back(0);
      if (counts[d][it->second]++ == 0) ++document_frequency[static_cast<std::size_t>(it->second)];
    }
  }
  const double n = static_cast<double>(documents.size());
  std::vector<double> centroid(ids.size(), 0.0);
  vectors_.resize(documents.size());
  for (std::size_t d = 0; d < documents.size(); ++d) {
    double norm = 0.0;
    for (auto [term, tf] : counts[d]) {
      double w = (1.0 + std::log(static_cast<double>(tf))) *
                 std::log(1.0 + n / static_cast<double>(document_frequency[static_cast<std::size_t>(term)]));
      vectors_[d].emplace_back(term, w);
      norm += w * w;
    }
    norm = std::sqrt(norm);
    for (auto& [term, w] : vectors_[d]) {
      w = norm > 0 ? w / norm : 0.0;
      centroid[static_cast<std::size_t>(term)] += w;
    }
  }
  double norm = 0.0;
  for (double w : centroid) norm += w * w;
  norm = std::sqrt(norm);
  for (std::size_t t = 0; t < centroid.size(); ++t)
    if (centroid[t] > 0 && norm > 0) centroid_.emplace_back(static_cast<int>(t), centroid[t] / norm);
}

double TermVectors::dot(const Vector& a, const Vector& b) {
  double s = 0.0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].first < b[j].first) {
      ++i;
    } else if (b[j].first < a[i].first) {
      ++j;
    } else {
      s += a[i++].second * b[j++].second;
    }
  }
  return std::clamp(s, 0.0, 1.0);
}

double TermVectors::similarity(std::size_t i, std::size_t j) const { return dot(vectors_[i], vectors_[j]); }

double TermVectors::centrality(std::size_t i) const { return dot(vectors_[i], centroid_); }

double word_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<std::string_view> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  if (sa.empty() && sb.empty()) return 0.0;
  std::size_t common = 0;
  for (auto w : sa) common += sb.count(w);
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

}  // namespace chorus::insights
