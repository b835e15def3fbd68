// Rule-based category evidence. Every signal is a word or phrase with a weight, listed here in full, so a
// surprising label can always be traced to the words that caused it. The category model reads these sums as
// features next to the words themselves.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.hpp"
#include "nlp/category.hpp"
#include "nlp/embedded_data.hpp"
#include "nlp/lexicons.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

enum Cat { kBug, kFeature, kQuestion, kComplaint, kPraise, kCategories };
static_assert(kCategories == RuleEvidence::kRuleCategories);
constexpr std::array<std::string_view, kCategories> kNames{"bug", "feature_request", "question", "complaint", "praise"};

constexpr double kMinScore = 1.0;
constexpr double kClearBug = 1.5;
constexpr double kPositive = 0.05;
constexpr double kNegative = -0.05;

struct Signal {
  Cat cat;
  std::string_view pattern;  // one word, or several separated by spaces (matched as a phrase)
  double weight;
};

constexpr Signal kSignals[] = {
    // Something is broken.
    {kBug, "crash", 2.5},
    {kBug, "crashes", 2.5},
    {kBug, "crashed", 2.5},
    {kBug, "crashing", 2.5},
    {kBug, "crashy", 2.5},
    {kBug, "error", 1.5},
    {kBug, "errors", 1.5},
    {kBug, "exception", 2.0},
    {kBug, "broken", 1.5},
    {kBug, "bug", 2.0},
    {kBug, "bugs", 2.0},
    {kBug, "buggy", 2.0},
    {kBug, "regression", 2.5},
    {kBug, "fails", 1.5},
    {kBug, "failed", 1.5},
    {kBug, "fail", 1.0},
    {kBug, "failing", 1.5},
    {kBug, "failure", 1.5},
    {kBug, "freeze", 1.5},
    {kBug, "freezes", 1.5},
    {kBug, "froze", 1.5},
    {kBug, "frozen", 1.0},
    {kBug, "hangs", 1.0},
    {kBug, "glitch", 1.5},
    {kBug, "glitchy", 1.5},
    {kBug, "glitches", 1.5},
    {kBug, "unresponsive", 1.5},
    {kBug, "unusable", 1.0},
    {kBug, "doesn't work", 2.0},
    {kBug, "does not work", 2.0},
    {kBug, "not working", 2.0},
    {kBug, "isn't working", 2.0},
    {kBug, "stopped working", 2.5},
    {kBug, "stops working", 2.5},
    {kBug, "didn't work", 1.5},
    {kBug, "won't load", 2.0},
    {kBug, "won't open", 2.0},
    {kBug, "won't start", 2.0},
    {kBug, "not loading", 2.0},
    {kBug, "doesn't load", 2.0},
    {kBug, "can't log in", 1.5},
    {kBug, "cannot log in", 1.5},
    {kBug, "can't login", 1.5},
    {kBug, "keeps crashing", 1.0},
    {kBug, "data loss", 2.0},
    {kBug, "lost my data", 2.0},
    {kBug, "not syncing", 2.0},
    // Something that worked and stopped, or will not do what it is asked.
    {kBug, "stopped syncing", 2.0},
    {kBug, "stopped loading", 2.0},
    {kBug, "stopped uploading", 2.0},
    {kBug, "stopped showing", 2.0},
    {kBug, "stopped responding", 2.0},
    {kBug, "stopped updating", 2.0},
    {kBug, "not responding", 2.0},
    {kBug, "force close", 2.0},
    {kBug, "force closes", 2.0},
    {kBug, "keeps closing", 2.0},
    {kBug, "shuts down", 1.5},
    {kBug, "won't sync", 2.0},
    {kBug, "doesn't sync", 2.0},
    {kBug, "won't update", 1.5},
    {kBug, "not updating", 1.5},
    {kBug, "won't let me", 1.5},
    {kBug, "can't upload", 1.5},
    {kBug, "not uploading", 1.5},
    {kBug, "error message", 2.0},
    {kBug, "having issues", 1.5},
    {kBug, "having problems", 1.5},
    {kBug, "steps to reproduce", 2.5},
    {kBug, "to reproduce", 1.0},
    {kBug, "expected behavior", 1.5},
    {kBug, "expected behaviour", 1.5},
    {kBug, "actual behavior", 1.5},
    {kBug, "actual behaviour", 1.5},
    {kBug, "describe the bug", 2.5},
    {kBug, "after the update", 1.0},
    {kBug, "since the update", 1.0},
    {kBug, "after updating", 1.0},
    {kBug, "please fix", 1.5},
    {kBug, "kindly fix", 1.5},
    {kBug, "white screen", 1.5},
    {kBug, "blank screen", 1.5},
    {kBug, "black screen", 1.5},
    {kBug, "stack trace", 2.0},
    {kBug, "traceback", 2.0},
    {kBug, "freezing", 1.5},
    {kBug, "keeps freezing", 1.0},
    {kBug, "hanging", 1.0},
    {kBug, "stuck", 1.0},
    {kBug, "drains", 1.5},
    {kBug, "battery drain", 2.0},
    {kBug, "twice", 1.0},
    {kBug, "duplicate", 1.0},
    {kBug, "duplicated", 1.0},
    {kBug, "wrong", 1.0},
    {kBug, "incorrect", 1.5},
    {kBug, "missing", 1.0},
    {kBug, "disappeared", 1.5},
    {kBug, "disappears", 1.5},
    {kBug, "no longer", 1.0},
    {kBug, "anymore", 0.75},
    {kBug, "doesn't", 0.75},
    {kBug, "does not", 0.75},
    {kBug, "won't", 0.75},
    {kBug, "isn't", 0.5},
    {kBug, "issue", 1.0},
    {kBug, "issues", 1.0},
    {kBug, "problem", 1.0},
    {kBug, "problems", 1.0},
    // ... unless their absence is the point.
    {kBug, "no issues", -1.0},
    {kBug, "no problems", -1.0},
    {kBug, "no problem", -1.0},
    {kBug, "no issue", -1.0},
    {kBug, "without issues", -1.0},
    {kBug, "without problems", -1.0},
    {kBug, "without any issues", -1.0},
    {kBug, "without any problems", -1.0},
    // Asking for something new.
    {kFeature, "feature request", 3.0},
    {kFeature, "would be nice", 2.5},
    {kFeature, "would be great", 2.0},
    {kFeature, "it would be great if", 1.0},
    {kFeature, "would be awesome", 2.0},
    {kFeature, "would be helpful", 2.0},
    {kFeature, "would be useful", 2.0},
    {kFeature, "it'd be nice", 2.5},
    {kFeature, "please add", 2.5},
    {kFeature, "add support", 2.5},
    {kFeature, "support for", 1.5},
    {kFeature, "can you add", 2.5},
    {kFeature, "could you add", 2.5},
    {kFeature, "you should add", 2.5},
    {kFeature, "add an option", 2.5},
    {kFeature, "an option to", 1.5},
    {kFeature, "allow me to", 2.0},
    {kFeature, "allow us to", 2.0},
    {kFeature, "allow users to", 2.0},
    {kFeature, "let me", 1.0},
    {kFeature, "wish", 1.5},
    {kFeature, "would love", 1.5},
    {kFeature, "would like to be able", 2.5},
    {kFeature, "be able to", 1.0},
    {kFeature, "suggestion", 1.5},
    {kFeature, "suggest", 1.5},
    {kFeature, "please consider", 1.5},
    {kFeature, "please implement", 2.5},
    {kFeature, "please make", 1.0},
    {kFeature, "missing feature", 2.0},
    {kFeature, "integration with", 0.5},
    {kFeature, "feature", 0.5},
    {kFeature, "request", 0.5},
    {kFeature, "please", 1.0},
    {kFeature, "can you please add", 2.5},
    {kFeature, "it would be", 1.0},
    {kFeature, "would be really", 1.5},
    {kFeature, "would be very", 1.5},
    {kFeature, "would be so", 1.5},
    // The headings of the feature-request templates issue trackers ship with, and a request's own words for
    // itself.
    {kFeature, "is your feature request related to a problem", 2.0},
    {kFeature, "describe the solution you'd like", 2.5},
    {kFeature, "describe the solution you would like", 2.5},
    {kFeature, "describe alternatives you've considered", 1.0},
    {kFeature, "describe the feature", 2.5},
    {kFeature, "enhancement", 1.0},
    {kFeature, "proposal", 1.0},
    // The type an issue form asks its reporter to pick ("### Issue type" then "Feature Request").
    {kFeature, "issue type feature request", 2.0},
    {kFeature, "issue type enhancement", 3.0},
    {kBug, "issue type bug", 2.0},
    {kQuestion, "issue type support", 3.0},
    {kQuestion, "issue type question", 3.0},
    // Asking how.
    {kQuestion, "anyone know", 1.5},
    {kQuestion, "does anyone", 1.5},
    {kQuestion, "any idea", 1.5},
    {kQuestion, "any ideas", 1.5},
    {kQuestion, "wondering", 1.5},
    {kQuestion, "how to", 1.0},
    {kQuestion, "how do i", 1.5},
    {kQuestion, "how can i", 1.5},
    {kQuestion, "is there a way", 1.5},
    // Unhappy, but not about a defect.
    {kComplaint, "expensive", 1.5},
    {kComplaint, "overpriced", 2.0},
    {kComplaint, "price", 1.0},
    {kComplaint, "pricing", 1.0},
    {kComplaint, "subscription", 0.5},
    {kComplaint, "refund", 1.5},
    {kComplaint, "charged", 1.0},
    {kComplaint, "slow support", 2.0},
    {kComplaint, "no response", 1.5},
    {kComplaint, "customer service", 1.0},
    {kComplaint, "rude", 2.0},
    {kComplaint, "annoying", 1.5},
    {kComplaint, "frustrating", 1.0},
    {kComplaint, "disappointed", 1.0},
    {kComplaint, "disappointing", 1.0},
    {kComplaint, "terrible", 1.0},
    {kComplaint, "worst", 1.0},
    {kComplaint, "horrible", 1.0},
    {kComplaint, "useless", 1.0},
    {kComplaint, "waste", 1.0},
    {kComplaint, "scam", 2.0},
    {kComplaint, "ads", 1.0},
    {kComplaint, "slow", 1.0},
    {kComplaint, "confusing", 1.0},
    {kComplaint, "unacceptable", 1.5},
    // Happy.
    {kPraise, "love", 1.5},
    {kPraise, "loving", 1.5},
    {kPraise, "great", 1.0},
    {kPraise, "awesome", 1.5},
    {kPraise, "amazing", 1.5},
    {kPraise, "excellent", 1.5},
    {kPraise, "fantastic", 1.5},
    {kPraise, "thanks", 1.0},
    {kPraise, "thank you", 1.0},
    {kPraise, "perfect", 1.5},
    {kPraise, "wonderful", 1.5},
    {kPraise, "brilliant", 1.5},
    {kPraise, "best", 1.0},
    {kPraise, "kudos", 2.0},
    {kPraise, "well done", 2.0},
    {kPraise, "good job", 2.0},
    {kPraise, "great job", 2.0},
    {kPraise, "great work", 2.0},
    {kPraise, "lifesaver", 2.0},
    {kPraise, "recommend", 1.0},
    {kPraise, "helpful", 1.0},
    {kPraise, "easy to use", 1.5},
    {kPraise, "happy", 1.0},
    {kPraise, "glad", 1.0},
    {kPraise, "pleased", 1.0},
    {kPraise, "enjoy", 1.0},
    {kPraise, "enjoying", 1.0},
    {kPraise, "impressed", 1.5},
    {kPraise, "impressive", 1.5},
    {kPraise, "outstanding", 1.5},
    {kPraise, "incredible", 1.5},
    {kPraise, "beautiful", 1.0},
    {kPraise, "nice", 0.5},
    {kPraise, "smooth", 0.5},
    {kPraise, "5 stars", 2.0},
    {kPraise, "five stars", 2.0},
    {kPraise, "works great", 1.0},
    {kPraise, "no problems", 1.0},
    {kPraise, "game changer", 2.0},
    {kPraise, "love it", 1.0},
    {kPraise, "no issues", 1.0},
    {kPraise, "just works", 1.0},
};

constexpr std::string_view kInterrogatives[] = {"how",      "what",      "why",       "where", "when",   "which",
                                                "who",      "is there",  "are there", "can i", "can we", "can you",
                                                "could i",  "could you", "does",      "do i",  "do you", "is it",
                                                "should i", "will",      "any way",   "anyone"};

// Imperative verbs and labels that open a request when they open its title ("Add dark mode", "Support
// WebP images", "Feature request: ..."). Verbs that are as often nouns or tools in a report ("update",
// "request", "make", "offer", "use") are not among them; "support" is, unless the next word says it is the
// help desk ("Support is useless", "Support never answered").
constexpr std::string_view kRequestOpeners[] = {"add",
                                                "allow",
                                                "enable",
                                                "implement",
                                                "expose",
                                                "provide",
                                                "introduce",
                                                "improve",
                                                "include",
                                                "consider",
                                                "extend",
                                                "support",
                                                "bring back",
                                                "option to",
                                                "ability to",
                                                "request for",
                                                "feature request",
                                                "proposal",
                                                "suggestion",
                                                "idea",
                                                "feat",
                                                "rfc",
                                                "please add",
                                                "please allow",
                                                "please bring",
                                                "please make",
                                                "make it possible"};
constexpr std::string_view kSupportAsHelpDesk[] = {
    "is",       "was",    "has",    "have",   "had",    "never",  "team",   "staff",   "does",     "doesn't",
    "didn't",   "did",    "won't",  "can't",  "cannot", "isn't",  "wasn't", "ticket",  "tickets",  "chat",
    "response", "agent",  "agents", "told",   "said",   "keeps",  "just",   "refused", "not",      "sucks",
    "person",   "people", "rep",    "reps",   "center", "centre", "hung",   "ignored", "ignores",  "closed",
    "sent",     "will",   "needs",  "should", "could",  "are",    "were",   "replied", "answered", "only"};

// Lowercase words with straightened apostrophes, punctuation dropped, at most kMaxCategoryWords in total.
void append_words(std::string_view text, std::vector<std::string>& out, std::size_t max_words = kMaxCategoryWords) {
  std::string cur;
  std::size_t i = 0;
  auto flush = [&] {
    if (!cur.empty() && out.size() < max_words) out.push_back(std::move(cur));
    cur.clear();
  };
  while (i < text.size() && out.size() < max_words) {
    if (take_ascii_alnum(text, i, cur)) continue;  // the bulk of most texts
    char32_t cp = next_code_point(text, i);
    if (cp == 0x2019) cp = '\'';
    if (is_word_code_point(cp) || (cp == '\'' && !cur.empty())) {
      append_utf8(cur, to_lower(cp));
    } else {
      flush();
    }
  }
  flush();
}

std::vector<std::string> split_pattern(std::string_view pattern) {
  std::vector<std::string> words;
  append_words(pattern, words);
  return words;
}

// The signals of one language (English's always included), by first word so one pass over the words finds
// every signal. Scripts written without spaces (Japanese, Chinese, Korean) are matched as substrings.
struct SignalRef {
  std::vector<std::string> rest;  // the words after the first
  std::uint32_t entry;            // into SignalTable::entries
};
struct SignalEntry {
  Cat cat;
  double weight;
};
struct SignalTable {
  std::vector<SignalEntry> entries;
  std::unordered_map<std::string, std::vector<SignalRef>, StringHash, std::equal_to<>> by_first;
  std::vector<std::pair<std::string, std::uint32_t>> substrings;
  std::vector<std::vector<std::string>> openers;  // words that open a question
  std::vector<std::string> opener_substrings;
  std::size_t longest_opener = 0;
  std::vector<std::vector<std::string>> request_openers;  // words that open a request's title

  void add_signal(Cat cat, std::string_view pattern, double weight, bool unspaced) {
    auto entry = static_cast<std::uint32_t>(entries.size());
    if (unspaced) {
      if (pattern.empty()) return;
      entries.push_back({cat, weight});
      substrings.emplace_back(std::string(pattern), entry);
      return;
    }
    std::vector<std::string> words = split_pattern(pattern);
    if (words.empty()) return;
    entries.push_back({cat, weight});
    std::string first = std::move(words.front());
    words.erase(words.begin());
    by_first[first].push_back(SignalRef{std::move(words), entry});
  }
  void add_opener(std::string_view opener, bool unspaced) {
    if (unspaced) {
      if (!opener.empty()) opener_substrings.emplace_back(opener);
      return;
    }
    std::vector<std::string> words = split_pattern(opener);
    if (words.empty()) return;
    longest_opener = std::max(longest_opener, words.size());
    openers.push_back(std::move(words));
  }
};

SignalTable english_signals() {
  SignalTable t;
  for (const Signal& s : kSignals) t.add_signal(s.cat, s.pattern, s.weight, false);
  for (std::string_view q : kInterrogatives) t.add_opener(q, false);
  for (std::string_view r : kRequestOpeners) t.request_openers.push_back(split_pattern(r));
  return t;
}

bool is_unspaced_code(std::string_view code) { return code == "ja" || code == "zh" || code == "ko" || code == "th"; }

// English, and English with each language of data/intent/signals.json added.
using SignalTables = std::unordered_map<std::string, SignalTable, StringHash, std::equal_to<>>;
SignalTables build_signal_tables() {
  SignalTables tables;
  tables.emplace("en", english_signals());
  auto parsed = parse_json(embedded::intent_signals);
  const json::object* languages = nullptr;
  if (parsed.ok() && parsed.value().is_object()) {
    if (const json::value* l = parsed.value().as_object().if_contains("languages"); l && l->is_object())
      languages = &l->as_object();
  }
  if (!languages) {
    std::fprintf(stderr, "chorus: the embedded intent signals are unreadable; English signals only\n");
    return tables;
  }
  for (const auto& [code, spec] : *languages) {
    if (!spec.is_object()) continue;
    SignalTable t = english_signals();
    bool unspaced = is_unspaced_code(code);
    for (std::size_t k = 0; k < kCategories; ++k) {
      const json::value* list = spec.as_object().if_contains(kNames[k]);
      if (!list || !list->is_array()) continue;
      for (const json::value& item : list->as_array()) {
        if (!item.is_array() || item.as_array().size() != 2 || !item.as_array()[0].is_string() ||
            !item.as_array()[1].is_number())
          continue;
        t.add_signal(static_cast<Cat>(k), item.as_array()[0].get_string(), item.as_array()[1].to_number<double>(),
                     unspaced);
      }
    }
    if (const json::value* openers = spec.as_object().if_contains("question_openers"); openers && openers->is_array()) {
      for (const json::value& o : openers->as_array())
        if (o.is_string()) t.add_opener(o.get_string(), unspaced);
    }
    tables.emplace(std::string(code), std::move(t));
  }
  return tables;
}

const SignalTable& signal_table(std::string_view language_code) {
  static const SignalTables tables = build_signal_tables();
  auto it = tables.find(language_code);
  if (it == tables.end()) it = tables.find("en");
  return it->second;
}

bool starts_with_words(const std::vector<std::string>& words, std::size_t at, const std::vector<std::string>& seq) {
  if (at + seq.size() > words.size()) return false;
  return std::equal(seq.begin(), seq.end(), words.begin() + static_cast<std::ptrdiff_t>(at));
}

// The first sentence's opening and the text's close decide whether it is phrased as a question.
double question_form(std::string_view text, std::string_view title, const SignalTable& table) {
  auto trimmed_end = [](std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
    return s;
  };
  double score = 0.0;
  std::string_view body = trimmed_end(text);
  std::string_view head = trimmed_end(title);
  auto ends_with = [](std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
  };
  constexpr std::string_view kFullWidthQuestion = "\xEF\xBC\x9F";  // U+FF1F, as Chinese and Japanese write it
  if ((!body.empty() && (body.back() == '?' || ends_with(body, kFullWidthQuestion))) ||
      (!head.empty() && (head.back() == '?' || ends_with(head, kFullWidthQuestion)))) {
    score += 2.0;
  } else if (body.find('?') != std::string_view::npos || body.find(kFullWidthQuestion) != std::string_view::npos) {
    score += 1.0;
  }
  for (std::string_view opening : {title, text}) {
    std::vector<std::string> start;
    append_words(opening.substr(0, 64), start, table.longest_opener);  // only the opening words are compared
    for (const auto& q : table.openers) {
      if (starts_with_words(start, 0, q)) return score + 1.0;
    }
    for (const std::string& q : table.opener_substrings) {
      if (opening.substr(0, 64).find(q) != std::string_view::npos) return score + 1.0;
    }
  }
  return score;
}

// 1 when the title (or, without one, the text) opens with a request's verb or label, else 0.
double request_form(std::string_view text, std::string_view title, const SignalTable& table) {
  std::string_view opening = title.find_first_not_of(" \n") == std::string_view::npos ? text : title;
  std::vector<std::string> start;
  append_words(opening.substr(0, 64), start, 4);
  for (const auto& r : table.request_openers) {
    if (!starts_with_words(start, 0, r)) continue;
    if (r.size() == 1 && r[0] == "support" && start.size() > 1 &&
        std::find(std::begin(kSupportAsHelpDesk), std::end(kSupportAsHelpDesk), start[1]) !=
            std::end(kSupportAsHelpDesk))
      return 0.0;
    return 1.0;
  }
  return 0.0;
}

double confidence_of(double top, double second) {
  double strength = top / (top + 2.0);
  double margin = (top - second) / top;
  return std::clamp(0.5 * strength + 0.5 * margin, 0.0, 1.0);
}

}  // namespace

std::vector<std::string> category_words(const CategoryInput& in) {
  std::vector<std::string> words;
  append_words(in.title, words);
  append_words(in.text, words);
  return words;
}

RuleEvidence rule_evidence(const CategoryInput& in) { return rule_evidence(in, category_words(in)); }

RuleEvidence rule_evidence(const CategoryInput& in, const std::vector<std::string>& words) {
  const SignalTable& table = signal_table(in.language_code);
  std::vector<std::uint32_t> found;  // each signal counts once
  auto note = [&](std::uint32_t entry) {
    if (std::find(found.begin(), found.end(), entry) == found.end()) found.push_back(entry);
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto it = table.by_first.find(words[i]);
    if (it == table.by_first.end()) continue;
    for (const SignalRef& ref : it->second) {
      if (starts_with_words(words, i + 1, ref.rest)) note(ref.entry);
    }
  }
  for (const auto& [pattern, entry] : table.substrings) {
    if (in.title.find(pattern) != std::string_view::npos || in.text.find(pattern) != std::string_view::npos)
      note(entry);
  }
  RuleEvidence e;
  for (std::uint32_t k : found) e.signals[table.entries[k].cat] += table.entries[k].weight;
  e.question_form = question_form(in.text, in.title, table);
  e.request_form = request_form(in.text, in.title, table);
  return e;
}

void prepare_category_rules() { signal_table("en"); }

CategoryResult categorize_by_rules(const CategoryInput& in) {
  RuleEvidence e = rule_evidence(in);
  std::array<double, kCategories> score = e.signals;
  if (in.has_stack_trace) score[kBug] += 3.0;
  score[kQuestion] += e.question_form;
  score[kFeature] += e.request_form;

  double c = in.sentiment_compound;
  if (c >= kPositive && score[kPraise] > 0.0) {  // praise needs a word of praise and positive sentiment
    score[kPraise] += 2.5 * c;
    if (score[kFeature] >= 2.0) score[kPraise] *= 0.5;  // "it would be great if..." is a request, put nicely
  } else {
    score[kPraise] = 0.0;  // praise needs positive sentiment
  }
  if (c <= kNegative) {
    // Unhappiness alone is a complaint; with clear bug evidence it is the bug talking.
    if (score[kBug] < kClearBug) score[kComplaint] += 2.5 * std::fabs(c);
  } else {
    score[kComplaint] = 0.0;  // so does complaint, the other way
  }

  std::size_t best = 0;
  for (std::size_t k = 1; k < kCategories; ++k) {
    if (score[k] > score[best]) best = k;  // strict: ties keep the earlier category
  }
  double second = 0.0;
  for (std::size_t k = 0; k < kCategories; ++k) {
    if (k != best) second = std::max(second, score[k]);
  }
  CategoryResult r;
  if (score[best] < kMinScore) {
    r.category = "other";
    r.confidence = std::round((0.6 - 0.5 * score[best]) * 100.0) / 100.0;
    return r;
  }
  r.category = kNames[best];
  r.confidence = std::round(confidence_of(score[best], second) * 100.0) / 100.0;
  return r;
}

}  // namespace chorus::nlp
