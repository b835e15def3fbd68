// Clean-text stage: HTML, markdown or plain input -> display text and the narrower text the analysers read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "nlp/stage.hpp"

namespace chorus::nlp {

// Text produced by a format converter before URL/stack-trace filtering and whitespace collapsing.
struct CleanText {
  std::string text;      // everything a reader would see
  std::string analysis;  // the same minus code blocks and quoted replies
  // The analysis text minus what a form put around the reporter's words (an issue template's field labels and
  // one-line answers, its checklist of declarations, collapsed system information), for the themes: present
  // only when the input had such parts, else the themes read `analysis`.
  std::optional<std::string> themes;
};

// How much of the input a converted part is: read by every analyser, read by all but the themes (form
// text: the category still reads "Issue type: Feature request"), or shown only (code, quoted replies).
enum class Part { read, not_for_themes, display_only };

// Collects converter output into the texts at once; display-only parts (code, quotes) skip `analysis`, and
// form parts skip `themes`, which is started (as a copy of `analysis`) at the first form part.
class TextSink {
 public:
  void append(std::string_view s, bool display_only) { append(s, display_only ? Part::display_only : Part::read); }
  void append(std::string_view s, Part part) {
    out_.text.append(s);
    if (part == Part::display_only) return;
    if (part == Part::not_for_themes && !out_.themes) out_.themes = out_.analysis;
    out_.analysis.append(s);
    if (out_.themes && part == Part::read) out_.themes->append(s);
  }
  void line_break() {
    out_.text.push_back('\n');
    out_.analysis.push_back('\n');
    if (out_.themes) out_.themes->push_back('\n');
  }
  CleanText take() { return std::move(out_); }

 private:
  CleanText out_;
};

// Line helpers shared by the cleaning passes. Spaces and tabs off both ends:
inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
// s starts with `lowercase` in any ASCII case ("HTTPS://", "Sent from my").
inline bool starts_with_ascii_ci(std::string_view s, std::string_view lowercase) {
  if (s.size() < lowercase.size()) return false;
  for (std::size_t i = 0; i < lowercase.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != lowercase[i]) return false;
  }
  return true;
}

// Converters. Input must already be valid UTF-8 (sanitize_utf8). Never throw; linear in the input size.
CleanText html_to_text(std::string_view html);
CleanText markdown_to_text(std::string_view markdown);
CleanText plain_to_text(std::string_view plain);

// Removes URLs and stack-trace lines (Java/JS `at f(File.java:12)`, Python tracebacks, PHP and Go frames)
// from analysis text; sets found_trace when any trace line was seen.
std::string strip_urls_and_traces(std::string_view analysis, bool& found_trace);

// Removes what surrounds the writer's own words: quoted replies ("> ..." lines, "On ... wrote:" and what
// follows), signatures ("-- ", "Sent from my iPhone") and sign-offs with a name ("Kind regards, Laura"),
// whether on lines of their own or at the end of a one-line message.
std::string strip_replies_and_signatures(std::string_view text);

// Runs of spaces become one space, lines are trimmed, blank-line runs become one blank line (or none when
// keep_paragraphs is false).
std::string collapse_whitespace(std::string_view s, bool keep_paragraphs);

class CleanStage final : public Stage {
 public:
  std::string_view name() const override { return "clean"; }
  std::string_view version() const override { return "3"; }
  void run(Document& doc) const override;
};

}  // namespace chorus::nlp
