// Markdown (CommonMark-ish, as written in issues and forum posts) and plain text -> text.
#include <string>

#include "nlp/clean.hpp"
#include "nlp/entities.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

// Bounded look-ahead keeps every scan linear on megabyte lines full of brackets.
constexpr std::size_t kMaxLinkBytes = 2048;
constexpr std::size_t kMaxCodeFence = 16;

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Finds the next occurrence of one character, remembering the answer so that scanning a line full of
// unmatched brackets stays linear.
class NextOf {
 public:
  NextOf(std::string_view s, char c) : s_(s), c_(c) {}
  std::size_t from(std::size_t pos) {
    if (!known_ || (hit_ != std::string_view::npos && hit_ < pos)) {
      hit_ = s_.find(c_, pos);
      known_ = true;
    }
    return hit_;
  }

 private:
  std::string_view s_;
  char c_;
  std::size_t hit_ = std::string_view::npos;
  bool known_ = false;
};

struct InlineScan {
  explicit InlineScan(std::string_view s) : close_bracket(s, ']'), close_paren(s, ')'), close_angle(s, '>') {}
  NextOf close_bracket, close_paren, close_angle;
};

// Emits a markdown link/image target's visible text: [text](url), [text][ref], ![alt](url).
// Returns the position just past the link (s[open] is '['), or 0 when it is not a link.
std::size_t parse_link(std::string_view s, std::size_t open, InlineScan& scan, std::string& text_out) {
  std::size_t close = scan.close_bracket.from(open + 1);
  if (close == std::string_view::npos || close - open > kMaxLinkBytes) return 0;
  std::size_t after = close + 1;
  if (after >= s.size() || (s[after] != '(' && s[after] != '[')) return 0;
  std::size_t end = s[after] == '(' ? scan.close_paren.from(after + 1) : scan.close_bracket.from(after + 1);
  if (end == std::string_view::npos || end - after > kMaxLinkBytes) return 0;
  text_out.assign(s.substr(open + 1, close - open - 1));
  return end + 1;
}

// Emphasis markers at word edges are dropped; those inside words (snake_case) or between spaces stay.
bool is_emphasis_marker(std::string_view s, std::size_t i, std::size_t run) {
  char prev = i > 0 ? s[i - 1] : ' ';
  char next = i + run < s.size() ? s[i + run] : ' ';
  bool opener = !is_word_byte(prev) && !is_space(next) && i + run < s.size();
  bool closer = !is_word_byte(next) && !is_space(prev) && i > 0;
  if (s[i] == '_' && is_word_byte(prev) && is_word_byte(next)) return false;
  return opener || closer;
}

std::string render_inline(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  InlineScan scan(s);
  bool unmatched_backticks[kMaxCodeFence + 1] = {};  // once a run has no closer, later ones have none either
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && !is_word_byte(s[i + 1])) {
      out.push_back(s[i + 1]);
      i += 2;
      continue;
    }
    if (c == '`') {
      std::size_t run = 0;
      while (i + run < s.size() && s[i + run] == '`') ++run;
      std::size_t end = std::string_view::npos;
      if (run <= kMaxCodeFence && !unmatched_backticks[run]) {
        end = s.find(std::string(run, '`'), i + run);
        if (end == std::string_view::npos) unmatched_backticks[run] = true;
      }
      if (end == std::string_view::npos) {
        out.append(s.substr(i, run));
        i += run;
        continue;
      }
      out.append(s.substr(i + run, end - i - run));
      i = end + run;
      continue;
    }
    if (c == '[' || (c == '!' && i + 1 < s.size() && s[i + 1] == '[')) {
      std::size_t open = c == '!' ? i + 1 : i;
      std::string text;
      if (std::size_t past = parse_link(s, open, scan, text)) {
        out.append(render_inline(text));
        i = past;
        continue;
      }
    }
    if (c == '<' && i + 1 < s.size() && (is_alpha(s[i + 1]) || s[i + 1] == '/')) {
      std::size_t gt = scan.close_angle.from(i);
      if (gt != std::string_view::npos && gt - i <= kMaxLinkBytes) {
        std::string_view inside = s.substr(i + 1, gt - i - 1);
        if (inside.find("://") != std::string_view::npos && inside.find(' ') == std::string_view::npos) {
          out.append(inside);  // autolink
        } else if (inside.substr(0, 2) == "br") {
          out.push_back(' ');
        }
        i = gt + 1;
        continue;
      }
    }
    if (c == '*' || c == '_' || c == '~') {
      std::size_t run = 0;
      while (i + run < s.size() && s[i + run] == c) ++run;
      bool strip = run >= 2 ? (c != '~' || run == 2) : (c != '~' && is_emphasis_marker(s, i, run));
      if (!strip) out.append(s.substr(i, run));
      i += run;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

struct Fence {
  char ch = 0;
  std::size_t len = 0;
};

// "```lang" or "~~~" at the start of a line.
Fence fence_of(std::string_view body) {
  if (body.empty() || (body[0] != '`' && body[0] != '~')) return {};
  std::size_t n = 0;
  while (n < body.size() && body[n] == body[0]) ++n;
  if (n < 3) return {};
  return Fence{body[0], n};
}

bool is_thematic_break(std::string_view body) {
  char mark = 0;
  int count = 0;
  for (char c : body) {
    if (is_space(c)) continue;
    if (c != '-' && c != '*' && c != '_' && c != '=') return false;
    if (mark && c != mark) return false;
    mark = c;
    ++count;
  }
  return count >= 3;
}

// Strips "- ", "* ", "+ ", "1. ", "2) " and task boxes; returns true when a marker was found.
bool strip_list_marker(std::string_view& body) {
  std::size_t i = 0;
  if (body.size() >= 2 && (body[0] == '-' || body[0] == '*' || body[0] == '+') && body[1] == ' ') {
    i = 2;
  } else {
    while (i < body.size() && i < 9 && body[i] >= '0' && body[i] <= '9') ++i;
    if (i == 0 || i + 1 >= body.size() || (body[i] != '.' && body[i] != ')') || body[i + 1] != ' ') return false;
    i += 2;
  }
  body.remove_prefix(i);
  if (body.size() >= 4 && body[0] == '[' && body[2] == ']' && body[3] == ' ') body.remove_prefix(4);
  return true;
}

void strip_heading(std::string_view& body) {
  std::size_t n = 0;
  while (n < body.size() && n < 7 && body[n] == '#') ++n;
  if (n == 0 || n > 6 || (n < body.size() && body[n] != ' ')) return;
  body.remove_prefix(n);
  while (!body.empty() && (body.back() == '#' || body.back() == ' ')) body.remove_suffix(1);
}

// The line without its HTML comments, which a renderer does not show (issue templates keep their
// instructions in them: "<!-- Please search existing issues first -->"). A comment may span lines:
// `in_comment` carries it from one line to the next.
std::string_view without_comments(std::string_view line, bool& in_comment, std::string& buf) {
  if (!in_comment && line.find("<!--") == std::string_view::npos) return line;
  buf.clear();
  std::size_t at = 0;
  while (at < line.size()) {
    if (in_comment) {
      std::size_t close = line.find("-->", at);
      if (close == std::string_view::npos) return buf;
      in_comment = false;
      at = close + 3;
      continue;
    }
    std::size_t open = line.find("<!--", at);
    if (open == std::string_view::npos) {
      buf.append(line.substr(at));
      break;
    }
    buf.append(line.substr(at, open - at));
    in_comment = true;
    at = open + 4;
  }
  return buf;
}

// A table's delimiter row ("---|:---:|---", "| - | - |"): dashes, colons, spaces and at least one pipe.
bool is_table_delimiter(std::string_view body) {
  while (!body.empty() && (body.back() == '\r' || body.back() == ' ')) body.remove_suffix(1);
  if (body.find('|') == std::string_view::npos || body.find('-') == std::string_view::npos) return false;
  return body.find_first_not_of("|-: \t") == std::string_view::npos;
}

// The whole line, or the line and the closing tags of the HTML block it ends ("_No response_</details>").
bool is_form_placeholder(std::string_view body) {
  std::string_view rest;
  if (body.starts_with("_No response_") || body.starts_with("*No response*"))
    rest = body.substr(13);
  else
    return false;
  for (;;) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\r')) rest.remove_prefix(1);
    if (rest.empty()) return true;
    if (!rest.starts_with("</")) return false;
    std::size_t close = rest.find('>');
    if (close == std::string_view::npos) return false;
    rest.remove_prefix(close + 1);
  }
}

}  // namespace

CleanText markdown_to_text(std::string_view md) {
  TextSink sink;
  Fence open_fence;
  bool prev_blank = true, prev_code = false, in_list = false, in_comment = false, in_table = false;
  std::string uncommented;
  std::size_t pos = 0;
  while (pos <= md.size()) {
    std::size_t nl = md.find('\n', pos);
    if (nl == std::string_view::npos) nl = md.size();
    std::string_view line = md.substr(pos, nl - pos);
    pos = nl + 1;
    if (!open_fence.ch) line = without_comments(line, in_comment, uncommented);

    std::size_t indent = 0, k = 0;
    while (k < line.size() && is_space(line[k])) indent += line[k++] == '\t' ? 4 : 1;
    std::string_view body = line.substr(k);

    if (open_fence.ch) {
      Fence f = fence_of(body);
      if (f.ch == open_fence.ch && f.len >= open_fence.len && body.find_first_not_of(f.ch) == std::string_view::npos) {
        open_fence = {};
      } else {
        sink.append(line, true);
        sink.line_break();
      }
      continue;
    }
    if (indent <= 3 && fence_of(body).ch) {
      open_fence = fence_of(body);
      continue;
    }
    if (body.empty()) {
      sink.line_break();
      prev_blank = true;
      in_table = false;
      continue;
    }
    // A table (a row of cells over a delimiter row) holds data: versions, settings, extension lists. It is
    // shown, not read.
    if (!in_table && body.find('|') != std::string_view::npos && pos < md.size()) {
      std::size_t next_nl = md.find('\n', pos);
      std::string_view next = md.substr(pos, (next_nl == std::string_view::npos ? md.size() : next_nl) - pos);
      while (!next.empty() && is_space(next.front())) next.remove_prefix(1);
      in_table = is_table_delimiter(next);
    }
    if (in_table) {
      if (body.find('|') == std::string_view::npos) {
        in_table = false;
      } else {
        if (!is_table_delimiter(body)) {
          sink.append(decode_entities(render_inline(body)), true);
          sink.line_break();
        }
        prev_code = prev_blank = false;
        continue;
      }
    }
    if (indent >= 4 && !in_list && (prev_blank || prev_code)) {
      sink.append(body, true);
      sink.line_break();
      prev_code = true;
      prev_blank = false;
      continue;
    }
    prev_code = prev_blank = false;
    if (indent <= 3 && body[0] == '>') {
      while (!body.empty() && (body[0] == '>' || is_space(body[0]))) body.remove_prefix(1);
      sink.append(decode_entities(render_inline(body)), true);
      sink.line_break();
      continue;
    }
    if (body[0] == '[' && body.find("]: ") != std::string_view::npos && body.find("]: ") < 200) continue;
    if (is_thematic_break(body)) {
      sink.line_break();
      continue;
    }
    strip_heading(body);
    if (strip_list_marker(body)) {
      in_list = true;
    } else if (indent == 0) {
      in_list = false;
    }
    // An issue form writes "_No response_" for a field left empty: the form's words, not the reporter's.
    sink.append(decode_entities(render_inline(body)), is_form_placeholder(body));
    sink.line_break();
  }
  return sink.take();
}

CleanText plain_to_text(std::string_view plain) {
  TextSink sink;
  sink.append(decode_entities(plain), false);
  return sink.take();
}

}  // namespace chorus::nlp
