// A per-thread memo of word -> result for the stages' per-word work (stems, base forms, delimiter tests).
// Feedback repeats its vocabulary, so after the first few thousand documents almost every word is a hit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "nlp/lexicons.hpp"

namespace chorus::nlp {

template <class Value>
class WordMemo {
 public:
  // The memo forgets everything when it holds this many words, so a stream of unique tokens (ids, hashes)
  // cannot grow it without bound; words longer than kMaxWordBytes are never kept.
  static constexpr std::size_t kMaxWords = 1 << 16;
  static constexpr std::size_t kMaxWordBytes = 32;

  const Value* find(std::string_view word) const {
    auto it = map_.find(word);
    return it == map_.end() ? nullptr : &it->second;
  }

  void put(std::string_view word, const Value& value) {
    if (word.size() > kMaxWordBytes) return;
    if (map_.size() >= kMaxWords) map_.clear();
    map_.emplace(std::string(word), value);
  }

  // The memoised value of compute(word), computing and keeping it on a miss.
  template <class Compute>
  Value get(std::string_view word, Compute&& compute) {
    if (const Value* v = find(word)) return *v;
    Value v = compute(word);
    put(word, v);
    return v;
  }

 private:
  std::unordered_map<std::string, Value, StringHash, std::equal_to<>> map_;
};

}  // namespace chorus::nlp
