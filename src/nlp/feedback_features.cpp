// Features of the trained models (see feedback_features.hpp).
#include "nlp/feedback_features.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "nlp/sentiment_rules.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr std::size_t kNegationReach = 3;

bool is_apostrophe(char32_t cp) { return cp == '\'' || cp == 0x2019; }

// Clause punctuation ends a negator's reach.
bool ends_clause(char32_t cp) {
  switch (cp) {
    case '.': case ',': case ';': case ':': case '!': case '?': case '(': case ')': case '\n':
    case 0x3002: case 0xFF0C: case 0xFF01: case 0xFF1F: case 0x3001:
      return true;
    default:
      return false;
  }
}

struct Tokenizer {
  const sentiment_rules::Vocabulary* vocab;
  std::vector<FeatureToken>& out;
  bool title = false;
  std::size_t negation_left = 0;

  void push(std::string word, bool unspaced) {
    if (out.size() >= kMaxFeatureWords) return;
    bool negator = !unspaced && vocab && vocab->negates(word);
    out.push_back({std::move(word), negation_left > 0 && !negator, unspaced, title});
    if (negator) {
      negation_left = kNegationReach;
    } else if (negation_left > 0) {
      --negation_left;
    }
  }

  void run(std::string_view s) {
    std::string word;
    bool digits_only = true;
    auto flush = [&] {
      if (word.empty()) return;
      // Numbers say little by their value: all of them are one token.
      push(digits_only ? std::string("0") : std::move(word), false);
      word.clear();
      digits_only = true;
    };
    for (std::size_t i = 0; i < s.size() && out.size() < kMaxFeatureWords;) {
      char32_t cp = next_code_point(s, i);
      if (is_unspaced_script(cp)) {
        flush();
        std::string ch;
        append_utf8(ch, cp);
        push(std::move(ch), true);
      } else if (is_word_code_point(cp) || (is_apostrophe(cp) && !word.empty())) {
        if (is_apostrophe(cp)) cp = '\'';
        if (cp < '0' || cp > '9') digits_only = false;
        append_utf8(word, to_lower(cp));
      } else if (is_emoji_code_point(cp)) {
        flush();
        std::string e;
        append_utf8(e, cp);
        push(std::move(e), false);
      } else if (!is_emoji_modifier(cp)) {
        flush();
        if (ends_clause(cp)) negation_left = 0;
      }
    }
    flush();
  }
};

bool is_quote_mark(char32_t cp) {
  switch (cp) {
    case '"': case '\'': case 0x2018: case 0x2019: case 0x201C: case 0x201D: case 0x201E: case 0x00AB: case 0x00BB:
      return true;
    default:
      return false;
  }
}

// A word or three in quotation marks inside a longer text ("the 'quick' transfer", "thanks for
// 'improving' it") is how irony is usually marked in writing. Apostrophes inside words do not count.
bool has_scare_quotes(std::string_view text) {
  constexpr std::size_t kMaxQuotedWords = 3;
  constexpr std::size_t kMaxQuotedBytes = 40;
  std::size_t i = 0;
  char32_t prev = ' ';
  while (i < text.size()) {
    std::size_t at = i;
    char32_t cp = next_code_point(text, i);
    bool opens = is_quote_mark(cp) && !is_word_code_point(prev);
    prev = cp;
    if (!opens) continue;
    std::size_t j = i, words = 0;
    bool in_word = false;
    while (j < text.size() && j - i <= kMaxQuotedBytes) {
      char32_t c = next_code_point(text, j);
      if (is_quote_mark(c) && in_word) {
        std::size_t k = j;
        char32_t after = k < text.size() ? next_code_point(text, k) : U' ';
        if (!is_word_code_point(after)) {
          bool whole_text = at == 0 && j >= text.size();
          if (words <= kMaxQuotedWords && !whole_text) return true;
          break;
        }
      }
      if (is_word_code_point(c)) {
        if (!in_word) ++words;
        in_word = true;
      } else {
        in_word = false;
        if (c == '\n') break;
      }
    }
  }
  return false;
}

// English words of closed classes that carry no opinion or intent of their own: articles, pronouns and
// possessives, prepositions, conjunctions, forms of "be", degree adverbs and number words. Question words,
// modals, "please", negators, "but" and "too" are not among them: they say what a text asks or wants.
bool is_function_word(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "a",    "an",      "the",   "this",  "that",  "these",  "those", "my",     "your",      "our",    "their",
      "his",  "her",     "its",   "i",     "you",   "he",     "she",   "it",     "we",        "they",   "me",
      "him",  "us",      "them",  "mine",  "yours", "to",     "of",    "in",     "on",        "at",     "for",
      "with", "from",    "by",    "about", "after", "before", "into",  "over",   "under",     "within", "and",
      "or",   "because", "so",    "as",    "if",    "than",   "then",  "is",     "are",       "was",    "were",
      "be",   "been",    "am",    "being", "very",  "really", "quite", "pretty", "extremely", "just",   "now",
      "one",  "two",     "three", "four",  "five",  "six",    "seven", "eight",  "nine",      "ten",    "there"};
  return kWords.count(w) != 0;
}

// The same for the other languages of the corpus: articles, pronouns, prepositions, conjunctions but "but",
// copulas and intensifiers. Negations and words of request or opinion are not function words here.
// Null for a language without a list. Looked up once a document, not once a word.
const std::unordered_set<std::string_view>* function_words_of(std::string_view lang) {
  static const std::unordered_map<std::string_view, std::unordered_set<std::string_view>> kWords = {
      {"fr", {"le",  "la",   "les",   "un",  "une",   "des", "du",   "de",   "ce",    "cet",   "cette", "ces",
              "mon", "ma",   "mes",   "ton", "ta",    "tes", "son",  "sa",   "ses",   "notre", "nos",   "votre",
              "vos", "leur", "leurs", "je",  "tu",    "il",  "elle", "on",   "nous",  "vous",  "ils",   "elles",
              "me",  "te",   "se",    "à",   "au",    "aux", "en",   "dans", "sur",   "pour",  "par",   "avec",
              "et",  "ou",   "donc",  "car", "comme", "que", "est",  "sont", "était", "être",  "très",  "vraiment"}},
      {"de", {"der",   "die",  "das",  "den",  "dem",   "des",  "ein",   "eine", "einen",    "einem", "einer",
              "eines", "ich",  "du",   "er",   "sie",   "es",   "wir",   "ihr",  "mich",     "mir",   "dich",
              "dir",   "sich", "uns",  "mein", "meine", "sein", "seine", "ihre", "und",      "oder",  "in",
              "im",    "an",   "am",   "auf",  "für",   "mit",  "von",   "vom",  "zu",       "zum",   "zur",
              "bei",   "aus",  "nach", "ist",  "sind",  "war",  "waren", "sehr", "wirklich", "ganz"}},
      {"es", {"el",   "la",  "los",  "las", "lo", "un",  "una", "unos", "unas", "de",   "del",  "a",    "al",  "en",
              "con",  "por", "para", "y",   "o",  "que", "es",  "son",  "era",  "fue",  "muy",  "yo",   "tú",  "él",
              "ella", "me",  "te",   "se",  "mi", "mis", "tu",  "su",   "sus",  "este", "esta", "esto", "ese", "esa"}},
      {"pt", {"o",   "a",   "os",  "as",  "um",   "uma", "de",  "do",    "da",  "dos", "das",  "em",   "no",   "na",
              "nos", "nas", "com", "por", "para", "pra", "e",   "ou",    "que", "é",   "são",  "era",  "foi",  "muito",
              "eu",  "ele", "ela", "me",  "te",   "se",  "meu", "minha", "seu", "sua", "este", "esta", "isso", "isto"}},
      {"it", {"il",   "lo", "la",  "i",     "gli", "le",  "un", "uno", "una", "di",  "del", "della",  "a",     "al",
              "alla", "in", "nel", "nella", "con", "per", "da", "e",   "o",   "che", "è",   "sono",   "era",   "molto",
              "io",   "tu", "lui", "lei",   "mi",  "ti",  "si", "mio", "mia", "suo", "sua", "questo", "questa"}},
      {"nl", {"de",   "het", "een", "van",  "in", "op",  "met", "voor", "aan", "en", "of", "dat",  "die", "is",
              "zijn", "was", "erg", "heel", "ik", "jij", "je",  "hij",  "zij", "ze", "we", "mijn", "ons"}},
  };
  auto it = kWords.find(lang);
  return it == kWords.end() ? nullptr : &it->second;
}

float clamp_unit(double v) { return static_cast<float>(std::clamp(v, -1.0, 1.0)); }

std::string_view rating_name(int stars) {
  static constexpr std::array<std::string_view, 5> kNames = {"rating:1", "rating:2", "rating:3", "rating:4", "rating:5"};
  return kNames[static_cast<std::size_t>(std::clamp(stars, 1, 5) - 1)];
}

}  // namespace

std::string FeatureName::str() const {
  std::string s;
  s.reserve(prefix.size() + a.size() + b.size() + 1);
  s.append(prefix).append(a);
  if (!b.empty()) s.append(" ").append(b);
  return s;
}

std::uint64_t feature_hash(std::string_view prefix, std::string_view a, std::string_view b) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
  };
  mix(prefix);
  mix(a);
  if (!b.empty()) {
    mix(" ");
    mix(b);
  }
  return h;
}

std::vector<FeatureToken> feature_tokens(const FeedbackInput& in) {
  std::vector<FeatureToken> tokens;
  tokens.reserve(64);
  Tokenizer tk{sentiment_rules::Vocabulary::for_language(in.language_code), tokens};
  if (!in.title.empty()) {
    tk.title = true;
    tk.run(in.title);
    tk.title = false;
    tk.negation_left = 0;
  }
  tk.run(in.text);
  return tokens;
}

std::vector<DenseFeature> dense_features(const FeedbackInput& in) {
  std::vector<DenseFeature> d;
  d.reserve(24);
  d.push_back({"bias:any", 1.0f});
  // The lexicon analyser's verdict: its compound split by sign, its strongest clauses, its label.
  const SentimentResult& lx = in.lexicon;
  if (lx.compound > 0) d.push_back({"lex:positive", clamp_unit(lx.compound)});
  if (lx.compound < 0) d.push_back({"lex:negative", clamp_unit(-lx.compound)});
  if (lx.strongest_positive_clause > 0)
    d.push_back({"lex:positive_clause", clamp_unit(lx.strongest_positive_clause / 4.0)});
  if (lx.strongest_negative_clause < 0)
    d.push_back({"lex:negative_clause", clamp_unit(-lx.strongest_negative_clause / 4.0)});
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kTypes = {
      {{"positive", "lex:is_positive"}, {"negative", "lex:is_negative"}, {"neutral", "lex:is_neutral"},
       {"mixed", "lex:is_mixed"}}};
  for (const auto& [type, name] : kTypes) {
    if (lx.type == type) d.push_back({name, 1.0f});
  }
  // The category rules' sums of signal words, scaled to about 0..2.
  CategoryInput ci{in.text, in.title, lx.compound, in.has_stack_trace, in.language_code};
  RuleEvidence e = rule_evidence(ci);
  constexpr double kTraceEvidence = 3.0;  // a stack trace is bug evidence as strong as a crash word or two
  if (in.has_stack_trace) e.signals[0] += kTraceEvidence;
  static constexpr std::array<std::string_view, RuleEvidence::kRuleCategories> kRules = {
      "rule:bug", "rule:feature_request", "rule:question", "rule:complaint", "rule:praise"};
  for (std::size_t k = 0; k < kRules.size(); ++k) {
    if (e.signals[k] != 0.0) d.push_back({kRules[k], static_cast<float>(std::clamp(e.signals[k], -6.0, 6.0) / 3.0)});
  }
  if (e.question_form > 0.0) d.push_back({"rule:question_form", static_cast<float>(e.question_form / 3.0)});
  if (e.request_form > 0.0) d.push_back({"rule:request_form", static_cast<float>(e.request_form)});
  if (in.has_stack_trace) d.push_back({"form:stack_trace", 1.0f});
  // The stars, where the source has them: a one-star review is rarely praise.
  if (in.rating) d.push_back({rating_name(*in.rating), 1.0f});
  // Form: length, a closing question mark, exclamations, shouting.
  std::size_t words = 0, caps_words = 0, exclamations = 0;
  bool in_word = false, word_caps = true, word_has_letter = false;
  for (char c : in.text) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool word_char = is_word_byte(c);
    if (c == '!') ++exclamations;
    if (word_char) {
      if (!in_word) {
        in_word = true;
        word_caps = true;
        word_has_letter = false;
        ++words;
      }
      if (letter) {
        word_has_letter = true;
        if (c >= 'a' && c <= 'z') word_caps = false;
      }
    } else if (in_word) {
      in_word = false;
      if (word_caps && word_has_letter) ++caps_words;
    }
  }
  if (in_word && word_caps && word_has_letter) ++caps_words;
  // A title's words count towards the length: an issue titled "Intermittent failure in the wallet tests"
  // whose body is a link is not the "ok" of a tiny review.
  in_word = false;
  for (char c : in.title) {
    if (is_word_byte(c) && !in_word) ++words;
    in_word = is_word_byte(c);
  }
  if (words <= 3) d.push_back({"len:tiny", 1.0f});
  else if (words <= 12) d.push_back({"len:short", 1.0f});
  else if (words > 80) d.push_back({"len:long", 1.0f});
  // A question in the title counts as one in the text (issue titles often ask what the body describes).
  auto ends_with_question = [](std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
    return !s.empty() && s.back() == '?';
  };
  if (ends_with_question(in.text) || ends_with_question(in.title)) d.push_back({"form:ends_question", 1.0f});
  if (in.text.find('?') != std::string_view::npos || in.title.find('?') != std::string_view::npos)
    d.push_back({"form:question", 1.0f});
  if (exclamations > 0) d.push_back({"form:exclamation", std::min(1.0f, static_cast<float>(exclamations) / 3.0f)});
  if (caps_words >= 2 && caps_words * 4 >= words) d.push_back({"form:shouting", 1.0f});
  if (has_scare_quotes(in.text) || has_scare_quotes(in.title)) d.push_back({"form:scare_quotes", 1.0f});
  if (in.lexicon.ironic) d.push_back({"form:ironic_praise", 1.0f});
  return d;
}

FeatureSet feedback_features(const FeedbackInput& in) {
  FeatureSet set;
  set.tokens = feature_tokens(in);
  const auto& tokens = set.tokens;
  auto& f = set.features;
  f.reserve(tokens.size() * 4 + 32);
  auto add = [&](std::string_view prefix, std::string_view a, std::string_view b, float v) {
    f.push_back({feature_hash(prefix, a, b), {prefix, a, b}, v});
  };
  const bool english = in.language_code == "en" || in.language_code == "un";
  const auto* function_words = english ? nullptr : function_words_of(in.language_code);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const FeatureToken& t = tokens[i];
    // A function word alone says nothing of opinion or intent; a model fitted on one corpus gives it the
    // lean of that corpus's phrasing ("very" negative, "my" positive). It still counts in its bigrams.
    if (!(english ? is_function_word(t.text) : function_words && function_words->count(t.text) != 0)) {
      add(t.negated ? "n:" : "w:", t.text, {}, 1.0f);
      if (t.title) add("t:", t.text, {}, 1.0f);
    }
    if (i + 1 < tokens.size() && t.title == tokens[i + 1].title) add("b:", t.text, tokens[i + 1].text, 1.0f);
  }
  for (const DenseFeature& d : dense_features(in)) add(d.name, {}, {}, d.value);
  // Each feature once (only words repeat, and their value is always 1, so which copy stays is moot).
  std::sort(f.begin(), f.end(), [](const Feature& x, const Feature& y) { return x.hash < y.hash; });
  f.erase(std::unique(f.begin(), f.end(), [](const Feature& x, const Feature& y) { return x.hash == y.hash; }),
          f.end());
  return set;
}

}  // namespace chorus::nlp
