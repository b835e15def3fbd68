// Entity decoding for plain and markdown text; HTML input is decoded by gumbo instead.
#include "nlp/entities.hpp"

#include <array>
#include <cstdint>
#include <utility>

#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

// The named references that actually turn up in exported tickets, reviews and forum posts.
constexpr std::array<std::pair<std::string_view, char32_t>, 52> kNamed{{
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},        {"quot", '"'},      {"apos", '\''},    {"nbsp", 0xA0},
    {"ensp", 0x2002},  {"emsp", 0x2003},  {"thinsp", 0x2009}, {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A},  {"ldquo", 0x201C},  {"rdquo", 0x201D}, {"bdquo", 0x201E},
    {"laquo", 0xAB},   {"raquo", 0xBB},   {"bull", 0x2022},   {"middot", 0xB7},   {"copy", 0xA9},    {"reg", 0xAE},
    {"trade", 0x2122}, {"euro", 0x20AC},  {"pound", 0xA3},    {"yen", 0xA5},      {"cent", 0xA2},    {"deg", 0xB0},
    {"times", 0xD7},   {"divide", 0xF7},  {"plusmn", 0xB1},   {"para", 0xB6},     {"sect", 0xA7},    {"eacute", 0xE9},
    {"egrave", 0xE8},  {"ecirc", 0xEA},   {"aacute", 0xE1},   {"agrave", 0xE0},   {"acirc", 0xE2},   {"auml", 0xE4},
    {"ouml", 0xF6},    {"uuml", 0xFC},    {"Auml", 0xC4},     {"Ouml", 0xD6},     {"Uuml", 0xDC},    {"szlig", 0xDF},
    {"ccedil", 0xE7},  {"ntilde", 0xF1},  {"iacute", 0xED},   {"oacute", 0xF3},
}};

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Parses "#123;" / "#x1F600;" / "name;" at s (just after '&'); returns bytes consumed, 0 if not a reference.
std::size_t parse_reference(std::string_view s, char32_t& cp) {
  if (s.size() >= 2 && s[0] == '#') {
    bool hex = s[1] == 'x' || s[1] == 'X';
    std::size_t i = hex ? 2 : 1;
    std::size_t start = i;
    std::uint32_t value = 0;
    while (i < s.size() && i - start < 8 && (hex ? is_hex(s[i]) : (s[i] >= '0' && s[i] <= '9'))) {
      value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(hex ? hex_value(s[i]) : s[i] - '0');
      ++i;
    }
    if (i == start || i >= s.size() || s[i] != ';') return 0;
    bool invalid = value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF);
    cp = invalid ? 0xFFFD : value;
    return i + 1;
  }
  std::size_t semi = s.find(';');
  if (semi == std::string_view::npos || semi == 0 || semi > 8) return 0;
  std::string_view name = s.substr(0, semi);
  for (const auto& [n, value] : kNamed) {
    if (n == name) {
      cp = value;
      return semi + 1;
    }
  }
  return 0;
}

}  // namespace

std::string decode_entities(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    std::size_t amp = in.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(in.substr(i));
      break;
    }
    out.append(in.substr(i, amp - i));
    char32_t cp = 0;
    std::size_t used = parse_reference(in.substr(amp + 1), cp);
    if (used == 0) {
      out.push_back('&');
      i = amp + 1;
      continue;
    }
    if (cp == 0xA0) cp = ' ';  // a non-breaking space is a space for every later stage
    append_utf8(out, cp);
    i = amp + 1 + used;
  }
  return out;
}

}  // namespace chorus::nlp
