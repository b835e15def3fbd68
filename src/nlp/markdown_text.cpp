// Markdown (CommonMark-ish, as written in issues and forum posts) and plain text -> text.
#include <algorithm>
#include <string>
#include <vector>

#include "nlp/clean.hpp"
#include "nlp/entities.hpp"
#include "nlp/lexicons.hpp"
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

// Strips "- ", "* ", "+ ", "1. ", "2) " and task boxes; returns true when a marker was found, and sets
// `task` when the item had a box.
bool strip_list_marker(std::string_view& body, bool& task) {
  std::size_t i = 0;
  if (body.size() >= 2 && (body[0] == '-' || body[0] == '*' || body[0] == '+') && body[1] == ' ') {
    i = 2;
  } else {
    while (i < body.size() && i < 9 && body[i] >= '0' && body[i] <= '9') ++i;
    if (i == 0 || i + 1 >= body.size() || (body[i] != '.' && body[i] != ')') || body[i + 1] != ' ') return false;
    i += 2;
  }
  body.remove_prefix(i);
  task = body.size() >= 4 && body[0] == '[' && body[2] == ']' && body[3] == ' ';
  if (task) body.remove_prefix(4);
  return true;
}

// The ASCII words of s, lowercased, for the form tests below: at most `limit` of them, and nothing inside
// parentheses when `skip_parenthesised` ("OS Platform and Distribution (e.g., Linux Ubuntu 16.04)").
std::vector<std::string> leading_words(std::string_view s, std::size_t limit, bool skip_parenthesised) {
  std::vector<std::string> words;
  std::string word;
  int depth = 0;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (char c : s) {
    if (words.size() > limit) break;
    if (skip_parenthesised && (c == '(' || c == ')')) {
      flush();
      depth = c == '(' ? depth + 1 : std::max(0, depth - 1);
    } else if (depth > 0) {
      continue;
    } else if (is_alpha(c) || (c >= '0' && c <= '9') || c == '\'') {
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    } else if (c != '*' && c != '_') {  // emphasis inside a label ("**OS**:") joins nothing
      flush();
    }
  }
  flush();
  return words;
}

// "OS version: Windows_NT x64 10.0", "VS Code version: 1.83", "- Browser: Firefox 118", "OS Platform and
// Distribution (e.g., Linux Ubuntu 16.04): Ubuntu": a label of at most six words, one of them naming the
// reporter's environment, and a short answer. The answer names the reporter's system, not what the feedback
// is about (an app "not compatible with Windows 10" says so in a sentence).
bool is_environment_field(std::string_view body) {
  std::size_t colon = body.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 100) return false;
  if (colon + 1 < body.size() && body[colon + 1] != ' ' && body[colon + 1] != '\t') return false;  // "https://"
  std::vector<std::string> label = leading_words(body.substr(0, colon), 6, true);
  if (label.empty() || label.size() > 6) return false;
  if (leading_words(body.substr(colon + 1), 12, false).size() > 12) return false;
  for (const std::string& w : label)
    if (is_one_of(w, {"version", "versions", "os", "platform", "browser", "device", "distribution", "distro",
                      "environment", "hardware", "gpu", "cpu", "kernel", "architecture", "arch", "operating"}))
      return true;
  return false;
}

// An ATX heading whose section is one short line ("### Python version" / "3.10", "### Issue type" / "Bug"): an
// issue form's field and its answer, neither of them the reporter's words about the issue. `rest` is the input after
// the heading's line; a few lines are looked at.
bool heads_form_field(std::string_view rest) {
  auto next_nonblank = [&rest]() -> std::string_view {
    for (int scanned = 0; scanned < 6 && !rest.empty(); ++scanned) {
      std::size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      line = trim_blanks(line);
      if (!line.empty()) return line;
    }
    return {};
  };
  std::string_view value = next_nonblank();
  if (value.empty() || value.front() == '#' || value.front() == '`' || value.front() == '~' || value.front() == '|' ||
      value.front() == '>')
    return false;
  if (leading_words(value, 8, false).size() > 8) return false;
  std::string_view after = next_nonblank();
  return after.empty() ? rest.empty() : after.front() == '#' || after.starts_with("</details");
}

// How many times `tag` ("<details", "</details") opens in the line.
int count_tag(std::string_view line, std::string_view tag) {
  int n = 0;
  for (std::size_t at = line.find(tag); at != std::string_view::npos; at = line.find(tag, at + tag.size())) ++n;
  return n;
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
  // Form text around the reporter's words, read by all but the themes: what a collapsed <details> block holds
  // (system information, extension lists, logs), and the answer of a field whose label was a heading.
  int details = 0;
  bool field_answer_next = false, any_line = false, in_task = false;
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
    // A block opened before anything else is a wrapper around the whole form (some templates fold the issue
    // in one), not a part of it.
    int opened = count_tag(body, "<details");
    if (opened > 0 && !any_line) --opened;
    const int closed = count_tag(body, "</details");
    any_line = any_line || !body.empty();
    const bool in_details = details > 0 || opened > 0;
    details = std::max(0, details + opened - closed);
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
    const std::size_t before_heading = body.size();
    strip_heading(body);
    const bool heading = body.size() != before_heading;
    bool task = false, form = in_details || field_answer_next;
    field_answer_next = false;
    if (strip_list_marker(body, task)) {
      in_list = true;
      in_task = task;
    } else if (indent == 0) {
      in_list = in_task = false;
    }
    task = task || in_task;  // a checklist item's continuation lines are the item's
    // A heading labels what follows ("Steps to reproduce", "Pull Request Readiness Checklist"), which says it
    // again in the reporter's words; in an issue it is most often the template's.
    if (heading) {
      form = true;
      field_answer_next = heads_form_field(md.substr(std::min(pos, md.size())));
    }
    // A checklist ("- [x] I have searched the existing issues", "- [ ] There is a performance test"): in an issue
    // the template's, ticked or not, whatever the issue is about.
    if (task || is_environment_field(body)) form = true;
    // An issue form writes "_No response_" for a field left empty: the form's words, not the reporter's.
    sink.append(decode_entities(render_inline(body)), is_form_placeholder(body) ? Part::display_only
                                                      : form                    ? Part::not_for_themes
                                                                                : Part::read);
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
