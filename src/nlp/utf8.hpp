// UTF-8 helpers for untrusted text: repair, decode, classify and lowercase code points.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chorus::nlp {

// Returns valid UTF-8: each invalid byte becomes U+FFFD, NUL is dropped, tabs and other control
// characters become spaces, CR and CRLF become LF. Overlong forms and surrogates count as invalid.
std::string sanitize_utf8(std::string_view in);
// The offset of the first byte that does not begin a well-formed UTF-8 sequence, npos when all of s is UTF-8.
std::size_t first_invalid_utf8(std::string_view s);

namespace detail {
char32_t next_code_point_multibyte(std::string_view s, std::size_t& i);
void append_utf8_multibyte(std::string& out, char32_t cp);
bool is_word_code_point_non_ascii(char32_t cp);
bool is_emoji_code_point_non_ascii(char32_t cp);
bool is_emoji_modifier_non_ascii(char32_t cp);
bool is_unspaced_script_non_ascii(char32_t cp);
char32_t to_lower_non_ascii(char32_t cp);
}  // namespace detail

// The helpers below run once or more per character in every stage, so ASCII is decided inline and only
// other code points take a call.

// Decodes the code point at s[i] and advances i. Input must be valid UTF-8 (see sanitize_utf8); a stray
// byte still advances by one and yields U+FFFD, so loops always terminate.
inline char32_t next_code_point(std::string_view s, std::size_t& i) {
  unsigned char b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  return detail::next_code_point_multibyte(s, i);
}

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else {
    detail::append_utf8_multibyte(out, cp);
  }
}

// Letters and digits of any script (approximate: every non-ASCII code point outside the punctuation,
// symbol and emoji blocks counts as a letter).
inline bool is_word_code_point(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  return detail::is_word_code_point_non_ascii(cp);
}
// The same test on one byte of UTF-8 text, without decoding: an ASCII letter or digit, or any byte of a
// multi-byte sequence.
inline bool is_word_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || b >= 0x80;
}
// Pictographic emoji and the symbols commonly used as emoji (hearts, stars, check marks).
inline bool is_emoji_code_point(char32_t cp) { return cp >= 0x2000 && detail::is_emoji_code_point_non_ascii(cp); }
// Variation selectors, zero-width joiners and skin-tone modifiers that decorate emoji.
inline bool is_emoji_modifier(char32_t cp) { return cp >= 0x200D && detail::is_emoji_modifier_non_ascii(cp); }
// Han, Hiragana, Katakana, Hangul and Thai: scripts written without spaces between words.
inline bool is_unspaced_script(char32_t cp) { return cp >= 0x0E00 && detail::is_unspaced_script_non_ascii(cp); }

// Simple case folding for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
inline char32_t to_lower(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  return detail::to_lower_non_ascii(cp);
}
std::string to_lower_utf8(std::string_view s);
// A lowercase word with the accents of Latin letters taken off ("ótimo" -> "otimo", "não" -> "nao", "ça" ->
// "ca"), as writers without an accented keyboard write it. Empty when the word has no accented letter or keeps
// a letter that is not ASCII ("straße", "日本"): only a word that folds to plain ASCII has a folded form.
std::string fold_accents(std::string_view word);

namespace detail {
// ASCII classes for the word splitters' fast path: 1 a lowercase letter or a digit, 2 a capital, 0 the rest
// (and every byte of a multibyte character).
inline constexpr auto kAsciiWordClass = [] {
  struct Table {
    unsigned char of[256] = {};
  } t;
  for (int c = 'a'; c <= 'z'; ++c) t.of[c] = 1;
  for (int c = '0'; c <= '9'; ++c) t.of[c] = 1;
  for (int c = 'A'; c <= 'Z'; ++c) t.of[c] = 2;
  return t;
}();
}  // namespace detail

// Word splitters' fast path: appends the run of ASCII letters and digits that starts at s[i], lowercased, to
// word, advances i past it and returns true; when s[i] is anything else, leaves both alone for the general
// path and returns false.
inline bool take_ascii_alnum(std::string_view s, std::size_t& i, std::string& word) {
  std::size_t end = i;
  unsigned char seen = 0;  // the classes met, so a word without capitals is copied as it is
  for (; end < s.size(); ++end) {
    const unsigned char kind = detail::kAsciiWordClass.of[static_cast<unsigned char>(s[end])];
    if (kind == 0) break;
    seen |= kind;
  }
  if (end == i) return false;
  std::size_t from = word.size();
  word.append(s.data() + i, end - i);
  if (seen & 2) {
    for (std::size_t k = from; k < word.size(); ++k)
      if (word[k] >= 'A' && word[k] <= 'Z') word[k] = static_cast<char>(word[k] + ('a' - 'A'));
  }
  i = end;
  return true;
}

}  // namespace chorus::nlp
