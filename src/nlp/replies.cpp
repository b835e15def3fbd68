// Quoted replies and signatures: what a mail client or a forum adds around what the writer has to say.
// They are kept for display but must not sway sentiment, category or themes ("Best regards" is not praise,
// a quoted complaint is not this writer's complaint).
#include <array>
#include <string>
#include <vector>

#include "nlp/clean.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr std::size_t kMaxSignatureWords = 8;
constexpr std::size_t kMaxNameWords = 3;
constexpr std::size_t kInlineTail = 160;  // bytes at the end of a line searched for a signature

std::size_t word_count(std::string_view s) {
  std::size_t n = 0;
  bool in = false;
  for (char c : s) {
    bool space = c == ' ' || c == '\t';
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
}

constexpr std::array<std::string_view, 14> kClosings = {
    "best regards", "kind regards", "warm regards", "regards", "best wishes", "sincerely", "yours truly",
    "many thanks",  "thanks",       "thank you",    "cheers",  "best",        "thx",       "mit freundlichen grüßen"};

// "Best regards," / "Thanks," alone on a line: a sign-off, with at most a name or two after it.
bool is_sign_off(std::string_view line) {
  std::string_view t = trim_blanks(line);
  while (!t.empty() && (t.back() == ',' || t.back() == '.' || t.back() == '!')) t.remove_suffix(1);
  for (std::string_view c : kClosings) {
    if (t.size() == c.size() && starts_with_ascii_ci(t, c)) return true;
  }
  return false;
}

// "Sent from my iPhone", "Get Outlook for Android", "-- " and "-----Original Message-----".
bool opens_signature(std::string_view line) {
  std::string_view t = trim_blanks(line);
  if (t == "--" || t == "-- " || t == "—" || t == "__") return true;
  if (starts_with_ascii_ci(t, "sent from my ") && word_count(t) <= 6) return true;
  if (starts_with_ascii_ci(t, "get outlook for ") && word_count(t) <= 5) return true;
  if (starts_with_ascii_ci(t, "-----original message")) return true;
  return false;
}

// "On Tue, 5 Mar 2024 at 10:02, Ann <ann@example.com> wrote:" opens the quoted message below it.
bool opens_quote(std::string_view line) {
  std::string_view t = trim_blanks(line);
  if (t.size() > 300) return false;
  bool on =
      starts_with_ascii_ci(t, "on ") || starts_with_ascii_ci(t, "am ") || starts_with_ascii_ci(t, "le ") || starts_with_ascii_ci(t, "el ");
  bool wrote = t.ends_with("wrote:") || t.ends_with("schrieb:") || t.ends_with("a écrit :") ||
               t.ends_with("a écrit:") || t.ends_with("escribió:");
  return (on && wrote) || (starts_with_ascii_ci(t, "from: ") && t.find('@') != std::string_view::npos);
}

// A name after a closing on the same line: up to three words, each capitalised ("Laura", "Mark Jensen").
bool is_name(std::string_view s) {
  s = trim_blanks(s);
  while (!s.empty() && (s.back() == '.' || s.back() == '!')) s.remove_suffix(1);
  std::size_t words = word_count(s);
  if (words == 0 || words > kMaxNameWords) return false;
  bool at_start = true;
  for (char c : s) {
    if (at_start && !(c >= 'A' && c <= 'Z')) return false;
    at_start = c == ' ';
  }
  return true;
}

constexpr std::array<std::string_view, 12> kClosingSentences = {"thanks",
                                                                "thank you",
                                                                "thanks in advance",
                                                                "thank you in advance",
                                                                "thanks a lot",
                                                                "many thanks",
                                                                "thanks so much",
                                                                "thank you so much",
                                                                "cheers",
                                                                "tia",
                                                                "thx",
                                                                "regards"};

// "... attachment. Thanks!" : a closing that is a sentence of its own at the end of the line.
bool is_closing_sentence(std::string_view rest) {
  rest = trim_blanks(rest);
  while (!rest.empty() && (rest.back() == '.' || rest.back() == '!' || rest.back() == ' ')) rest.remove_suffix(1);
  for (std::string_view c : kClosingSentences) {
    if (rest.size() == c.size() && starts_with_ascii_ci(rest, c)) return true;
  }
  return false;
}

constexpr std::string_view kSentFrom = "sent from my ";
constexpr std::string_view kDashes = "-- ";

// The characters a signature can start with (the first letters of the closings, either case, and the
// dashes), so most positions are passed over without comparing every closing.
const std::array<bool, 256>& signature_starts() {
  static const std::array<bool, 256> table = [] {
    std::array<bool, 256> t{};
    auto mark = [&](std::string_view s) {
      unsigned char c = static_cast<unsigned char>(s.front());
      t[c] = true;
      if (c >= 'a' && c <= 'z') t[c - 32] = true;
    };
    for (std::string_view c : kClosings) mark(c);
    for (std::string_view c : kClosingSentences) mark(c);
    mark(kSentFrom);
    mark(kDashes);
    t[static_cast<unsigned char>(' ')] = t[static_cast<unsigned char>('\t')] = true;  // trimmed before comparing
    return t;
  }();
  return table;
}

// Where the signature starts within one line ("... thanks a lot. Kind regards, Laura"), or npos. Only the
// line's end is searched: a signature closes a message.
std::size_t inline_signature(std::string_view line) {
  std::size_t from = line.size() > kInlineTail ? line.size() - kInlineTail : 0;
  const auto& starts = signature_starts();
  for (std::size_t p = from + 1; p < line.size(); ++p) {
    char before = line[p - 1];
    if (before != ' ' && before != '.' && before != '!') continue;
    if (!starts[static_cast<unsigned char>(line[p])]) continue;
    std::string_view rest = line.substr(p);
    if (starts_with_ascii_ci(rest, kSentFrom) && word_count(rest) <= 6) return p;
    bool after_sentence = before == ' ' && p >= 2 && (line[p - 2] == '.' || line[p - 2] == '!' || line[p - 2] == '?');
    if (after_sentence && is_closing_sentence(rest)) return p;
    if (rest.starts_with(kDashes) && is_name(rest.substr(3, rest.find(',') - 3))) return p;
    for (std::string_view c : kClosings) {
      if (!starts_with_ascii_ci(rest, c) || rest.size() <= c.size() || rest[c.size()] != ',') continue;
      if (is_name(rest.substr(c.size() + 1))) return p;
    }
  }
  return std::string_view::npos;
}

// "On Mon, Ann wrote: > the old message" within one line: everything from "On" on is the quote.
std::size_t inline_quote(std::string_view line) {
  std::size_t wrote = line.find(" wrote: ");
  if (wrote == std::string_view::npos) wrote = line.find(" wrote:");
  if (wrote == std::string_view::npos) return std::string_view::npos;
  std::size_t window = wrote > 200 ? wrote - 200 : 0;
  for (std::size_t p = wrote; p-- > window;) {
    if ((p == 0 || line[p - 1] == ' ') && starts_with_ascii_ci(line.substr(p), "on ")) return p;
  }
  return std::string_view::npos;
}

}  // namespace

std::string strip_replies_and_signatures(std::string_view text) {
  std::vector<std::string_view> kept;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::string_view t = trim_blanks(line);
    if (t.starts_with(">")) continue;  // a quoted line of a plain-text reply
    if (opens_quote(line) || opens_signature(line)) break;
    if (is_sign_off(line) && !kept.empty()) {
      // A sign-off ends the message when only a name or a short signature block follows.
      std::string_view rest = pos < text.size() ? text.substr(pos) : std::string_view();
      if (word_count(rest) <= kMaxSignatureWords) break;
    }
    std::size_t cut = std::min(inline_quote(line), inline_signature(line));
    if (cut != std::string_view::npos) {
      kept.push_back(line.substr(0, cut));
      if (inline_quote(line) == cut) break;
      continue;
    }
    kept.push_back(line);
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out.append(kept[i]);
  }
  return out;
}

}  // namespace chorus::nlp
