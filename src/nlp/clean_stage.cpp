// The clean stage: repair bytes, convert the source format, then narrow the analysis text (no URLs, no
// stack traces) and tidy whitespace.
#include <algorithm>
#include <vector>

#include "nlp/clean.hpp"
#include "nlp/entities.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

// Larger inputs are truncated: nothing a customer writes is this long, and every later stage is linear.
constexpr std::size_t kMaxInputBytes = 8u << 20;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '$' || c == '.';
}

// ":12" or ":12:5" at the end of s.
bool ends_with_line_number(std::string_view s) {
  std::size_t n = s.size(), digits = 0;
  for (int part = 0; part < 2; ++part) {
    std::size_t d = 0;
    while (n > 0 && is_digit(s[n - 1])) --n, ++d;
    if (d == 0 || n == 0 || s[n - 1] != ':') return part > 0 && digits > 0;
    --n;
    digits += d;
  }
  return true;
}

// "(Foo.java:12)", "(/app/x.js:3:9)", "(Native Method)", "(Unknown Source)", "(index 0)".
bool is_frame_location(std::string_view paren) {
  if (paren.size() < 2 || paren.front() != '(' || paren.back() != ')') return false;
  std::string_view in = paren.substr(1, paren.size() - 2);
  return ends_with_line_number(in) || in == "Native Method" || in == "Unknown Source" || starts_with(in, "index ");
}

// One frame token as it appears inline: "com.foo.Bar.baz(Bar.java:12)".
bool is_frame_token(std::string_view tok) {
  while (!tok.empty() && (tok.back() == ',' || tok.back() == ';' || tok.back() == '.')) tok.remove_suffix(1);
  std::size_t open = tok.find('(');
  if (open == std::string_view::npos || open == 0) return false;
  for (std::size_t i = 0; i < open; ++i) {
    if (!is_ident(tok[i]) && tok[i] != '<' && tok[i] != '>') return false;
  }
  return tok.substr(0, open).find('.') != std::string_view::npos && is_frame_location(tok.substr(open));
}

bool is_trace_line(std::string_view t) {
  if (starts_with(t, "at ")) {
    std::string_view rest = t.substr(3);
    std::size_t open = rest.rfind('(');
    if (open != std::string_view::npos && is_frame_location(rest.substr(open))) return true;
    bool has_path = rest.find_first_of("./\\") != std::string_view::npos;
    if (has_path && ends_with_line_number(rest) && std::count(rest.begin(), rest.end(), ' ') <= 2) return true;
    std::size_t in = rest.find(" in ");
    if (in != std::string_view::npos && rest.find(":line ", in) != std::string_view::npos) return true;  // .NET
    return false;
  }
  if (starts_with(t, "Traceback (most recent call last)")) return true;
  if (starts_with(t, "File \"") && t.find("\", line ") != std::string_view::npos) return true;
  if (starts_with(t, "Caused by: ") || starts_with(t, "Exception in thread \"")) return true;
  if (starts_with(t, "...") && ends_with(t, " more")) return true;
  if (t.size() > 2 && t[0] == '#' && is_digit(t[1]) &&
      (t.find(".php(") != std::string_view::npos || t.find("{main}") != std::string_view::npos))
    return true;
  if (starts_with(t, "goroutine ") && ends_with(t, "]:")) return true;
  std::size_t go = t.find(".go:");
  if (go != std::string_view::npos && go + 4 < t.size() && is_digit(t[go + 4]) && t.find(' ') == std::string_view::npos)
    return true;
  if (starts_with(t, "from ") && t.find(".rb:") != std::string_view::npos) return true;
  return false;
}

// "java.lang.IllegalStateException: boom", "ValueError: bad value", "TypeError".
bool is_exception_line(std::string_view t) {
  std::size_t colon = t.find(':');
  std::string_view name = t.substr(0, colon);
  if (name.empty() || name.size() > 200) return false;
  for (char c : name) {
    if (!is_ident(c)) return false;
  }
  return ends_with(name, "Error") || ends_with(name, "Exception") || ends_with(name, "Throwable") ||
         ends_with(name, "Fault") || ends_with(name, "Panic");
}

bool is_url_start(std::string_view tok) {
  return starts_with_ascii_ci(tok, "http://") || starts_with_ascii_ci(tok, "https://") ||
         starts_with_ascii_ci(tok, "ftp://") || starts_with_ascii_ci(tok, "www.");
}

// Drops URL tokens and inline "at pkg.Class.method(File.java:12)" frames from one line.
std::string strip_inline(std::string_view line, bool& found_trace) {
  std::string out;
  out.reserve(line.size());
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ') {
      out.push_back(' ');
      ++i;
      continue;
    }
    std::size_t end = line.find(' ', i);
    if (end == std::string_view::npos) end = line.size();
    std::string_view tok = line.substr(i, end - i);
    std::string_view bare = tok;
    while (!bare.empty() && (bare.front() == '(' || bare.front() == '<' || bare.front() == '"' || bare.front() == '\''))
      bare.remove_prefix(1);
    if (is_url_start(bare)) {
      while (!tok.empty() &&
             (tok.back() == '.' || tok.back() == ',' || tok.back() == ';' || tok.back() == '!' || tok.back() == '?'))
        tok.remove_suffix(1);
      out.append(line.substr(i + tok.size(), end - i - tok.size()));  // keep sentence punctuation
      i = end;
      continue;
    }
    if (tok == "at" && end < line.size()) {
      std::size_t next_end = line.find(' ', end + 1);
      if (next_end == std::string_view::npos) next_end = line.size();
      if (is_frame_token(line.substr(end + 1, next_end - end - 1))) {
        found_trace = true;
        i = next_end;
        continue;
      }
    }
    std::string_view name = tok.substr(0, tok.find(':'));
    if (name.find('.') != std::string_view::npos && is_exception_line(name)) {  // java.lang.NullPointerException:
      i = end;
      continue;
    }
    if (is_frame_token(tok) && tok.find(".java:") != std::string_view::npos) {
      found_trace = true;
      i = end;
      continue;
    }
    out.append(tok);
    i = end;
  }
  return out;
}

bool is_unicode_space(char32_t cp) {
  return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// True when none of the rules above can apply to the text, so it stays as it is: one line, without the
// punctuation every trace, frame, URL scheme and exception message needs ("(", ":", "\"", "{"), not
// opening with "..." (a "... 12 more" line), without a "www." and without an exception's name.
bool plainly_free_of_urls_and_traces(std::string_view s) {
  if (starts_with(trim_blanks(s), "...")) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '(' || c == ':' || c == '"' || c == '{') return false;
    if (c == '.' && i >= 3 && (s[i - 1] | 0x20) == 'w' && (s[i - 2] | 0x20) == 'w' && (s[i - 3] | 0x20) == 'w')
      return false;
  }
  for (std::string_view name : {"Error", "Exception", "Throwable", "Fault", "Panic"})
    if (s.find(name) != std::string_view::npos) return false;
  return true;
}

}  // namespace

std::string strip_urls_and_traces(std::string_view analysis, bool& found_trace) {
  if (plainly_free_of_urls_and_traces(analysis)) return std::string(analysis);
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos <= analysis.size();) {
    std::size_t nl = analysis.find('\n', pos);
    if (nl == std::string_view::npos) nl = analysis.size();
    lines.push_back(analysis.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::vector<bool> trace(lines.size(), false);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = trim_blanks(lines[i]);
    if (!is_trace_line(t)) continue;
    trace[i] = true;
    // A Python frame is followed by its indented source line.
    if (starts_with(t, "File \"") && i + 1 < lines.size() && !lines[i + 1].empty() &&
        (lines[i + 1][0] == ' ' || lines[i + 1][0] == '\t'))
      trace[i + 1] = true;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (trace[i]) continue;
    bool next_to_trace = (i > 0 && trace[i - 1]) || (i + 1 < lines.size() && trace[i + 1]);
    if (next_to_trace && is_exception_line(trim_blanks(lines[i]))) trace[i] = true;
  }
  std::string out;
  out.reserve(analysis.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.push_back('\n');
    if (trace[i]) {
      found_trace = true;
      continue;
    }
    out.append(strip_inline(lines[i], found_trace));
  }
  return out;
}

std::string collapse_whitespace(std::string_view s, bool keep_paragraphs) {
  // ASCII with single spaces between words and none at the ends is already collapsed.
  bool collapsed = s.empty() || (s.front() != ' ' && s.back() != ' ');
  for (std::size_t i = 0; i < s.size() && collapsed; ++i) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    collapsed = b < 0x80 && b != '\t' && b != '\n' && !(b == ' ' && s[i + 1] == ' ');
  }
  if (collapsed) return std::string(s);
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  int pending_newlines = 0;
  std::size_t i = 0;
  auto separate = [&] {
    if (!out.empty()) {
      if (pending_newlines > 0) {
        out.append(pending_newlines > 1 && keep_paragraphs ? "\n\n" : "\n");
      } else if (pending_space) {
        out.push_back(' ');
      }
    }
    pending_space = false;
    pending_newlines = 0;
  };
  auto ordinary_ascii = [](unsigned char b) { return b < 0x80 && b != ' ' && b != '\t' && b != '\n'; };
  while (i < s.size()) {
    std::size_t start = i;
    if (ordinary_ascii(static_cast<unsigned char>(s[i]))) {  // a run of ASCII copies in one piece
      while (i < s.size() && ordinary_ascii(static_cast<unsigned char>(s[i]))) ++i;
      separate();
      out.append(s.substr(start, i - start));
      continue;
    }
    char32_t cp = next_code_point(s, i);
    if (cp == ' ' || cp == '\t' || is_unicode_space(cp)) {
      pending_space = true;
      continue;
    }
    if (cp == '\n') {
      ++pending_newlines;
      pending_space = false;
      continue;
    }
    if (cp == 0x200B || cp == 0xFEFF) continue;  // zero-width space, stray byte-order mark
    separate();
    out.append(s.substr(start, i - start));
  }
  return out;
}

void CleanStage::run(Document& doc) const {
  std::string_view raw = doc.raw;
  if (raw.size() > kMaxInputBytes) raw = raw.substr(0, kMaxInputBytes);
  std::string valid = sanitize_utf8(raw);
  CleanText converted;
  switch (doc.format) {
    case TextFormat::html:
      converted = html_to_text(valid);
      break;
    case TextFormat::markdown:
      converted = markdown_to_text(valid);
      break;
    case TextFormat::plain:
      converted = plain_to_text(valid);
      break;
  }
  bool found_trace = false;
  std::string analysis = strip_urls_and_traces(strip_replies_and_signatures(converted.analysis), found_trace);
  doc.text = collapse_whitespace(converted.text, true);
  doc.analysis_text = collapse_whitespace(analysis, false);
  if (converted.themes) {
    bool trace_in_form = false;
    doc.theme_text = collapse_whitespace(
        strip_urls_and_traces(strip_replies_and_signatures(*converted.themes), trace_in_form), false);
  }
  // A trace the reporter put in a code block is left out of the words read, but it is still a trace.
  if (!found_trace && converted.text.size() != converted.analysis.size()) {
    std::string_view text = converted.text;
    for (std::size_t at = 0; at < text.size() && !found_trace;) {
      std::size_t end = std::min(text.find('\n', at), text.size());
      found_trace = is_trace_line(trim_blanks(text.substr(at, end - at)));
      at = end + 1;
    }
  }
  doc.has_stack_trace = found_trace;
  if (!doc.title.empty()) {
    std::string title = decode_entities(sanitize_utf8(std::string_view(doc.title).substr(0, 4096)));
    std::replace(title.begin(), title.end(), '\n', ' ');
    doc.title = collapse_whitespace(title, false);
  }
}

}  // namespace chorus::nlp
