// A per-thread memo of word -> result for the stages' per-word work (stems, base forms, delimiter tests,
// what a vocabulary knows of a word). Feedback repeats its vocabulary, so after the first few thousand
// documents almost every word is a hit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "nlp/lexicons.hpp"

namespace chorus::nlp {

// Open addressing over a power-of-two table with the word stored in its slot, so a hit costs one hash, one
// or two probes and one short compare, with no allocation.
template <class Value>
class WordMemo {
 public:
  // Words longer than this are never kept (they are rare and usually unique: ids, hashes, URLs' remains).
  static constexpr std::size_t kMaxWordBytes = 32;
  // The table starts small and doubles while it is three quarters full; at its largest it forgets
  // everything instead, so a stream of unique tokens cannot grow it without bound.
  static constexpr std::size_t kFirstSlots = 1 << 10;
  static constexpr std::size_t kMaxSlots = 1 << 15;

  const Value* find(std::string_view word) const { return find(word, word_hash(word)); }
  // With the word's hash already at hand (word_hash(word)): a caller that looks one word up in several memos
  // hashes it once.
  const Value* find(std::string_view word, std::uint64_t h) const {
    if (word.size() > kMaxWordBytes || slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.hash == h && s.length == word.size() && same_bytes(s.word, word)) return &s.value;
    }
  }

  void put(std::string_view word, const Value& value) { put(word, word_hash(word), value); }
  void put(std::string_view word, std::uint64_t h, const Value& value) {
    if (word.size() > kMaxWordBytes) return;
    if (slots_.empty()) slots_.resize(kFirstSlots);
    if (count_ >= slots_.size() / 4 * 3) {
      if (slots_.size() < kMaxSlots) {
        grow();
      } else {
        for (Slot& s : slots_) s = Slot();
        count_ = 0;
      }
    }
    insert(h, word, value);
  }

  // The memoised value of compute(word), computing and keeping it on a miss.
  template <class Compute>
  Value get(std::string_view word, Compute&& compute) {
    return get(word, word_hash(word), std::forward<Compute>(compute));
  }
  template <class Compute>
  Value get(std::string_view word, std::uint64_t h, Compute&& compute) {
    if (const Value* v = find(word, h)) return *v;
    Value v = compute(word);
    put(word, h, v);
    return v;
  }

 private:
  // A slot's word against one of the same length (at most kMaxWordBytes), eight bytes at a time: a call into
  // libc's memcmp cost more than the hash.
  static bool same_bytes(const char* slot, std::string_view word) {
    const char* w = word.data();
    const std::size_t n = word.size();
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8)
      if (detail::load8(slot + k) != detail::load8(w + k)) return false;
    if (k == n) return true;
    if (n >= 8) return detail::load8(slot + n - 8) == detail::load8(w + n - 8);  // the last eight, overlapping
    return detail::load_short(slot, n) == detail::load_short(w, n);
  }

  void insert(std::uint64_t h, std::string_view word, const Value& value) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.used && !(s.hash == h && s.length == word.size() && same_bytes(s.word, word))) continue;
      if (!s.used) ++count_;
      s.used = true;
      s.hash = h;
      s.length = static_cast<std::uint8_t>(word.size());
      std::memcpy(s.word, word.data(), word.size());
      s.value = value;
      return;
    }
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    count_ = 0;
    for (const Slot& s : old)
      if (s.used) insert(s.hash, std::string_view(s.word, s.length), s.value);
  }

  struct Slot {
    std::uint64_t hash = 0;
    bool used = false;
    std::uint8_t length = 0;
    char word[kMaxWordBytes];
    Value value{};
  };
  std::vector<Slot> slots_;  // allocated on first use
  std::size_t count_ = 0;
};

// One WordMemo per owner (a vocabulary by its id, a language by its code, a phrase table by its id), kept
// per thread by the caller; the owner asked for last is remembered, since documents come in runs of one
// language. Owners whose ids are never reused (a workspace's phrase tables are rebuilt batch after batch)
// would pile up, so past kMaxOwners the memos are all forgotten and warm up again.
template <class Key, class Value>
class WordMemos {
 public:
  static constexpr std::size_t kMaxOwners = 64;

  // The memo of one owner; a reference that stays valid until of() is next called.
  template <class K>
  WordMemo<Value>& of(const K& key) {
    if (last_ && last_key_ == key) return *last_;
    auto it = memos_.find(key);
    if (it == memos_.end()) {
      if (memos_.size() >= kMaxOwners) memos_.clear();
      it = memos_.emplace(Key(key), WordMemo<Value>()).first;
    }
    last_key_ = Key(key);
    last_ = &it->second;
    return *last_;
  }
  std::size_t owners() const { return memos_.size(); }

 private:
  std::map<Key, WordMemo<Value>, std::less<>> memos_;  // node-based: a memo stays where it is
  Key last_key_{};
  WordMemo<Value>* last_ = nullptr;
};

}  // namespace chorus::nlp
