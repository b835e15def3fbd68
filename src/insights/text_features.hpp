// Bag-of-words features of record texts, for choosing central quotes and linking records that describe
// the same problem: lower-cased words, common function words dropped, weighted by rarity in the set.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chorus::insights {

// Words of three or more characters, ASCII lower-cased (other UTF-8 bytes kept as letters), without
// the most common English, German, French and Spanish function words, and with English inflections
// (-s, -es, -ed, -ing) cut off.
std::vector<std::string> content_words(std::string_view text);

// Unit-length TF-IDF vectors over a set of documents.
class TermVectors {
 public:
  explicit TermVectors(std::span<const std::vector<std::string>> documents);
  std::size_t size() const { return vectors_.size(); }
  // Cosine similarity of documents i and j, in [0, 1].
  double similarity(std::size_t i, std::size_t j) const;
  // Cosine similarity of document i with the set's centroid.
  double centrality(std::size_t i) const;

 private:
  using Vector = std::vector<std::pair<int, double>>;  // sorted by term id
  static double dot(const Vector& a, const Vector& b);
  std::vector<Vector> vectors_;
  Vector centroid_;
};

// Jaccard overlap of two word lists taken as sets.
double word_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace chorus::insights
