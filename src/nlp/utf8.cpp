// UTF-8 repair and classification used by every stage, so later stages only ever see valid text.
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Length of the well-formed sequence starting at s[i] (Unicode Table 3-7), or 0 when it is ill-formed.
std::size_t valid_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  unsigned char b1 = byte(i + 1);
  if (b1 < lo || b1 > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    unsigned char b = byte(i + k);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return n;
}

}  // namespace

std::size_t first_invalid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = valid_sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string sanitize_utf8(std::string_view in) {
  // Most feedback is printable ASCII already: one pass to see that, one copy.
  bool clean = true;
  for (char c : in) clean &= (c >= 0x20 && c <= 0x7E) || c == '\n';
  if (clean) return std::string(in);
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    unsigned char b = static_cast<unsigned char>(in[i]);
    if (b < 0x80) {
      if (b == '\r') {
        out.push_back('\n');
        if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
      } else if (b == '\n' || (b >= 0x20 && b != 0x7F)) {
        out.push_back(static_cast<char>(b));
      } else if (b != 0) {
        out.push_back(' ');  // tab, form feed and other controls still separate words
      }
      ++i;
      continue;
    }
    std::size_t n = valid_sequence_length(in, i);
    if (n == 0) {
      append_utf8(out, kReplacement);
      ++i;
      continue;
    }
    std::size_t j = i;
    char32_t cp = next_code_point(in, j);
    if (cp >= 0x80 && cp <= 0x9F) {
      out.push_back(' ');  // C1 controls
    } else {
      out.append(in.substr(i, n));
    }
    i += n;
  }
  return out;
}

namespace detail {

char32_t next_code_point_multibyte(std::string_view s, std::size_t& i) {
  unsigned char b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) {
    ++i;
    return kReplacement;
  }
  char32_t cp = b0 & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    unsigned char b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += n;
  return cp;
}

void append_utf8_multibyte(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_emoji_code_point_non_ascii(char32_t cp) {
  return (cp >= 0x1F300 && cp <= 0x1FAFF) ||  // pictographs, emoticons, transport, supplemental symbols
         (cp >= 0x2600 && cp <= 0x27BF) ||    // miscellaneous symbols and dingbats
         (cp >= 0x1F000 && cp <= 0x1F2FF) ||  // mahjong, cards, enclosed alphanumerics
         (cp >= 0x2B00 && cp <= 0x2BFF) ||    // arrows and stars
         cp == 0x2764 || cp == 0x2665 || cp == 0x203C || cp == 0x2049 || cp == 0x2122 || cp == 0x2139 ||
         (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x2300 && cp <= 0x23FF) || cp == 0x3030 || cp == 0x303D;
}

bool is_emoji_modifier_non_ascii(char32_t cp) {
  return cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) || cp == 0x20E3 ||
         (cp >= 0xE0020 && cp <= 0xE007F);
}

bool is_unspaced_script_non_ascii(char32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) ||                                    // Hiragana, Katakana
         (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||  // Han
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
         (cp >= 0x1100 && cp <= 0x11FF) ||  // Hangul
         (cp >= 0x0E00 && cp <= 0x0E7F) ||  // Thai
         (cp >= 0xFF66 && cp <= 0xFF9F);    // half-width Katakana
}

bool is_word_code_point_non_ascii(char32_t cp) {
  if (cp <= 0xBF) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;  // Latin-1 punctuation and symbols
  if (cp == 0xD7 || cp == 0xF7) return false;                     // multiplication and division signs
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;                 // punctuation, symbols, arrows, boxes
  if (cp >= 0x3000 && cp <= 0x303F) return false;                 // CJK punctuation
  if (cp >= 0xFE10 && cp <= 0xFE6F) return false;                 // vertical and small forms
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;                 // full-width punctuation
  if (cp >= 0xFF1A && cp <= 0xFF20) return false;
  if (cp >= 0xFF3B && cp <= 0xFF40) return false;
  if (cp >= 0xFF5B && cp <= 0xFF65) return false;
  if (cp >= 0xFFF0 && cp <= 0xFFFF) return false;  // specials, including U+FFFD
  if (cp >= 0xE000 && cp <= 0xF8FF) return false;  // private use
  if (is_emoji_code_point(cp) || is_emoji_modifier(cp)) return false;
  if (cp >= 0x0300 && cp <= 0x036F) return true;  // combining marks stay inside words
  return true;
}

char32_t to_lower_non_ascii(char32_t cp) {
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp >= 0x100 && cp <= 0x137) return cp | 1;
  if (cp >= 0x139 && cp <= 0x148) return (cp & 1) ? cp + 1 : cp;
  if (cp >= 0x14A && cp <= 0x177) return cp | 1;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x179 && cp <= 0x17E) return (cp & 1) ? cp + 1 : cp;
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

}  // namespace detail

std::string to_lower_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>((b >= 'A' && b <= 'Z') ? b + 32 : b));
      ++i;
      continue;
    }
    append_utf8(out, to_lower(next_code_point(s, i)));
  }
  return out;
}

std::string fold_accents(std::string_view word) {
  // The lowercase letters of Latin-1 (U+00E0-U+00FF) without their accents; '\0' where the letter has no
  // plain form (æ, ð, ø, þ, ß and the division sign).
  static constexpr char kLatin1[] = "aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0y";
  static_assert(sizeof(kLatin1) == 0x20 + 1);
  std::string out;
  bool folded = false;
  std::size_t i = 0;
  while (i < word.size()) {
    if (static_cast<unsigned char>(word[i]) < 0x80) {
      out.push_back(word[i++]);
      continue;
    }
    const char32_t cp = next_code_point(word, i);
    char plain = 0;
    if (cp >= 0xE0 && cp <= 0xFF) plain = kLatin1[cp - 0xE0];
    if (plain == 0) return {};
    out.push_back(plain);
    folded = true;
  }
  return folded ? out : std::string();
}

}  // namespace chorus::nlp
