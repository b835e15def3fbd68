// VADER-style sentiment, written from the paper's description: lexicon valences adjusted for negation,
// degree modifiers, capitals, "but" and punctuation, then normalised to a compound score in [-1, 1].
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nlp/lexicons.hpp"
#include "nlp/sentiment.hpp"
#include "nlp/sentiment_rules.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

using namespace sentiment_rules;

constexpr std::size_t kMaxTokens = 20000;
constexpr double kClearClause = 0.5;   // a clause this far from zero has a clear polarity
constexpr double kMixedCeiling = 0.5;  // above this |compound| one side clearly wins
constexpr double kPolarThreshold = 0.05;

struct Token {
  std::string word;        // lookup form: lowercase, curly apostrophes straightened; emoticons as written
  float preset = 0.0f;     // valence fixed at tokenisation (emoji, shortcodes, emoticons)
  bool caps = false;       // written in ALL CAPS
  bool has_lower = false;  // has at least one lowercase letter
  std::uint32_t sentence = 0;
  std::uint32_t clause = 0;
};

bool is_contrast(std::string_view w) {
  return w == "but" || w == "however" || w == "although" || w == "though" || w == "whereas";
}

double sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

std::optional<float> lexicon_valence(std::string_view w) {
  const auto& lex = vader_lexicon();
  auto it = lex.find(w);
  if (it == lex.end()) return std::nullopt;
  return it->second;
}

bool is_known(std::string_view w) {
  return lexicon_valence(w) || product_word_valence(w) || degree_modifier(w) != 0.0 || is_negator(w);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() + 2 && s.substr(s.size() - suffix.size()) == suffix;
}

// Base forms the lexicon may know an inflected word by: "lacks" -> "lack", "loved" -> "love",
// "stopped" -> "stop", "annoyingly" -> "annoying", "happily" -> "happy".
std::vector<std::string> base_forms(std::string_view w) {
  std::vector<std::string> out;
  auto cut = [&](std::size_t n) { return std::string(w.substr(0, w.size() - n)); };
  auto undouble = [&](std::size_t n) {
    std::string b = cut(n);
    if (b.size() >= 2 && b[b.size() - 1] == b[b.size() - 2]) b.pop_back();
    return b;
  };
  if (ends_with(w, "ies") || ends_with(w, "ied")) out.push_back(cut(3) + "y");
  if (ends_with(w, "es")) out.push_back(cut(2));
  if (ends_with(w, "s") && !ends_with(w, "ss") && !ends_with(w, "'s")) out.push_back(cut(1));
  if (ends_with(w, "ed")) {
    out.push_back(cut(2));
    out.push_back(cut(1));
    out.push_back(undouble(2));
  }
  if (ends_with(w, "ing")) {
    out.push_back(cut(3));
    out.push_back(cut(3) + "e");
    out.push_back(undouble(3));
  }
  if (ends_with(w, "ily")) out.push_back(cut(3) + "y");
  if (ends_with(w, "ly")) out.push_back(cut(2));
  return out;
}

// "soooo goooood" -> "so good" (letter runs collapsed to two, then one), then inflections; the first
// form the tables know wins, and unknown words stay as they are.
std::string resolve_word(std::string word) {
  if (is_known(word)) return word;
  for (std::size_t keep : {2u, 1u}) {
    std::string squeezed;
    std::size_t run = 0;
    for (std::size_t i = 0; i < word.size(); ++i) {
      run = (i > 0 && word[i] == word[i - 1]) ? run + 1 : 1;
      if (run <= keep) squeezed.push_back(word[i]);
    }
    if (squeezed.size() != word.size() && is_known(squeezed)) return squeezed;
  }
  for (std::string& base : base_forms(word)) {
    if (lexicon_valence(base)) return base;
  }
  return word;
}

// Splits text into tokens: whitespace-delimited words with edge punctuation removed, emoticons kept whole,
// emoji split out one per token. Tracks sentence and clause boundaries and emphatic punctuation.
class Tokenizer {
 public:
  std::vector<Token> tokens;
  int exclamations = 0;
  int questions = 0;

  void feed(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && tokens.size() < kMaxTokens) {
      char c = text[i];
      if (c == ' ' || c == '\n') {
        if (c == '\n') end_sentence();
        ++i;
        continue;
      }
      std::size_t end = text.find_first_of(" \n", i);
      if (end == std::string_view::npos) end = text.size();
      chunk(text.substr(i, end - i));
      i = end;
    }
  }

 private:
  std::uint32_t sentence_ = 0, clause_ = 0;
  bool sentence_open_ = false, clause_open_ = false;

  void end_sentence() {
    if (sentence_open_) ++sentence_;
    end_clause();
    sentence_open_ = false;
  }
  void end_clause() {
    if (clause_open_) ++clause_;
    clause_open_ = false;
  }

  void emit(std::string word, float preset, bool caps, bool has_lower) {
    if (tokens.size() >= kMaxTokens) return;
    if (is_contrast(word)) end_clause();
    tokens.push_back(Token{std::move(word), preset, caps, has_lower, sentence_, clause_});
    sentence_open_ = clause_open_ = true;
  }

  // One whitespace-delimited chunk: split off emoji, handle the pieces between them as words.
  void chunk(std::string_view c) {
    std::size_t i = 0, piece = 0;
    while (i < c.size()) {
      std::size_t at = i;
      char32_t cp = next_code_point(c, i);
      if (!is_emoji_code_point(cp)) continue;
      if (at > piece) word(c.substr(piece, at - piece));
      while (i < c.size()) {  // swallow skin tones, variation selectors and joiners
        std::size_t j = i;
        if (!is_emoji_modifier(next_code_point(c, j))) break;
        i = j;
      }
      auto v = emoji_valence(cp);
      std::string text;
      append_utf8(text, cp);
      emit(std::move(text), v ? *v : 0.0f, false, false);
      piece = i;
    }
    if (piece < c.size()) word(c.substr(piece));
  }

  void word(std::string_view run) {
    for (char ch : run) {
      if (ch == '!') ++exclamations;
      if (ch == '?') ++questions;
    }
    if (run.size() > 2 && run.front() == ':' && run.back() == ':') {
      std::string code = to_lower_utf8(run);
      if (auto v = shortcode_valence(code)) {
        emit(std::move(code), *v, false, false);
        return;
      }
    }
    if (emoticon(run)) return;

    std::size_t b = 0, e = run.size();
    while (b < e && !is_word_at(run, b)) b = next_index(run, b);
    while (e > b && !is_word_before(run, e)) e = prev_index(run, e);
    std::string_view core = run.substr(b, e - b);
    std::string_view trailing = run.substr(e);
    if (!core.empty()) add_word(core);
    // An emoticon glued to a word ("great:)") or standing after punctuation ("ok!:(").
    for (std::size_t len : {3u, 2u}) {
      if (trailing.size() >= len && emoticon(trailing.substr(trailing.size() - len))) break;
    }
    for (char ch : trailing) {
      if (ch == '.' || ch == '!' || ch == '?') {
        end_sentence();
        break;
      }
      if (ch == ',' || ch == ';' || ch == ':') end_clause();
    }
  }

  // Emits the run as an emoticon when the lexicon knows it as written (":D", "<3", "):").
  bool emoticon(std::string_view run) {
    bool has_symbol = std::any_of(run.begin(), run.end(), [](char ch) {
      unsigned char u = static_cast<unsigned char>(ch);
      return u < 0x80 && !std::isalnum(u) && ch != '\'' && ch != '-';
    });
    if (!has_symbol || run.size() > 8) return false;
    std::string key(run);
    auto v = lexicon_valence(key);
    if (!v) {
      key = to_lower_utf8(run);
      v = lexicon_valence(key);
    }
    if (!v) return false;
    emit(std::move(key), *v, false, false);
    return true;
  }

  void add_word(std::string_view core) {
    std::string lower;
    lower.reserve(core.size());
    int upper = 0, lowers = 0;
    std::size_t i = 0;
    while (i < core.size()) {
      char32_t cp = next_code_point(core, i);
      if (cp == 0x2019 || cp == 0x2018 || cp == 0x2BC) cp = '\'';
      char32_t lc = to_lower(cp);
      if (lc != cp) {
        ++upper;
      } else if ((cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0x24F) || (cp >= 0x3B1 && cp <= 0x3C9) ||
                 (cp >= 0x430 && cp <= 0x45F)) {
        ++lowers;
      }
      append_utf8(lower, lc);
    }
    emit(resolve_word(std::move(lower)), 0.0f, upper >= 2 && lowers == 0, lowers > 0);
  }

  static bool is_word_at(std::string_view s, std::size_t i) {
    std::size_t j = i;
    return is_word_code_point(next_code_point(s, j));
  }
  static bool is_word_before(std::string_view s, std::size_t end) { return is_word_at(s, prev_index(s, end)); }
  static std::size_t next_index(std::string_view s, std::size_t i) {
    next_code_point(s, i);
    return i;
  }
  static std::size_t prev_index(std::string_view s, std::size_t end) {
    std::size_t i = end - 1;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    return i;
  }
};

// Lexical valence of token i before modifiers, or 0 when it carries none itself.
double base_valence(const std::vector<Token>& t, std::size_t i) {
  const Token& tok = t[i];
  if (tok.preset != 0.0f) return tok.preset;
  const std::string& w = tok.word;
  if (degree_modifier(w) != 0.0) return 0.0;
  bool has_next_in_clause = i + 1 < t.size() && t[i + 1].clause == tok.clause;
  if ((w == "kind" || w == "sort") && has_next_in_clause && t[i + 1].word == "of") return 0.0;
  if (w == "no" && has_next_in_clause) return 0.0;  // "no" before a word negates it rather than scoring
  if (auto v = product_word_valence(w)) return *v;
  if (auto v = lexicon_valence(w)) return *v;
  return 0.0;
}

// Matches an idiom or product phrase starting at i within one sentence; returns its length or 0.
const Phrase* match_phrase(const std::vector<Token>& t, std::size_t i) {
  const auto* candidates = phrases_starting_with(t[i].word);
  if (!candidates) return nullptr;
  for (const Phrase& p : *candidates) {
    if (i + p.words.size() > t.size()) continue;
    bool ok = true;
    for (std::size_t k = 1; k < p.words.size() && ok; ++k) {
      ok = t[i + k].word == p.words[k] && t[i + k].sentence == t[i].sentence;
    }
    if (ok) return &p;
  }
  return nullptr;
}

// Adjusts token i's valence for the degree modifiers, negators and "least" among the three words before
// it in the same clause. The scope stops at an earlier sentiment word, so in "don't care, don't care" each
// "care" is negated once.
double apply_modifiers(const std::vector<Token>& t, const std::vector<double>& base, const std::vector<bool>& in_phrase,
                       std::size_t i, double v, bool self_negating, bool mixed_case) {
  for (std::size_t d = 1; d <= 3 && d <= i; ++d) {
    std::size_t j = i - d;
    if (t[j].clause != t[i].clause) break;
    if (in_phrase[j]) continue;
    if (base[j] != 0.0) break;
    const std::string& w = t[j].word;
    double m = degree_modifier(w);
    if (m == 0.0 && w == "of" && j > 0 && t[j - 1].clause == t[i].clause &&
        (t[j - 1].word == "kind" || t[j - 1].word == "sort"))
      m = -kBoosterStep;  // "kind of", "sort of"
    if (m != 0.0) {
      if (t[j].caps && mixed_case) m += sign(m) * kCapsEmphasis;
      m *= d == 1 ? 1.0 : (d == 2 ? 0.95 : 0.9);
      v += sign(v) * m;
    }
    if (!self_negating && is_negator(w)) {
      // "never so good", "not been this disappointed": a comparison with everything before, not a denial.
      bool superlative =
          t[i - 1].clause == t[i].clause && (t[i - 1].word == "this" || (w == "never" && t[i - 1].word == "so"));
      v *= superlative ? kSuperlative : kNegation;
    }
  }
  if (i >= 1 && t[i - 1].word == "least" && t[i - 1].clause == t[i].clause &&
      !(i >= 2 && (t[i - 2].word == "at" || t[i - 2].word == "very")))
    v *= kNegation;
  return v;
}

// Valence of every token after phrases, capitals and modifiers, before "but" weighting. Outside English
// only emoji and emoticons carry valence.
std::vector<double> score_tokens(const std::vector<Token>& t, bool english) {
  bool any_caps = std::any_of(t.begin(), t.end(), [](const Token& x) { return x.caps; });
  bool any_lower = std::any_of(t.begin(), t.end(), [](const Token& x) { return x.has_lower; });
  bool mixed_case = any_caps && any_lower;

  std::vector<double> out(t.size(), 0.0);
  std::vector<bool> in_phrase(t.size(), false);
  std::vector<double> base(t.size(), 0.0);
  if (english) {
    for (std::size_t i = 0; i < t.size(); ++i) base[i] = base_valence(t, i);
  }
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (in_phrase[i]) continue;
    if (!english) {
      out[i] = t[i].preset;
      continue;
    }
    double v = 0.0;
    bool self_negating = false;
    if (const Phrase* p = match_phrase(t, i)) {
      v = p->valence;
      self_negating = p->self_negating;
      for (std::size_t k = 0; k < p->words.size(); ++k) in_phrase[i + k] = true;
    } else {
      v = base[i];
    }
    if (v == 0.0) continue;
    if (t[i].caps && mixed_case) v += sign(v) * kCapsEmphasis;
    out[i] = apply_modifiers(t, base, in_phrase, i, v, self_negating, mixed_case);
  }
  return out;
}

// "X but Y": within a sentence, what precedes the first "but" counts half, what follows one and a half.
double weighted_sum(const std::vector<Token>& t, const std::vector<double>& v) {
  double sum = 0.0;
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t end = i;
    std::size_t but = t.size();
    while (end < t.size() && t[end].sentence == t[i].sentence) {
      if (but == t.size() && t[end].word == "but") but = end;
      ++end;
    }
    for (std::size_t k = i; k < end; ++k) {
      double w = but == t.size() ? 1.0 : (k < but ? kBeforeBut : (k > but ? kAfterBut : 1.0));
      sum += v[k] * w;
    }
    i = end;
  }
  return sum;
}

double punctuation_emphasis(int exclamations, int questions) {
  double e = std::min(exclamations, kMaxExclamations) * kExclamationStep;
  if (questions > 3) {
    e += kManyQuestions;
  } else if (questions > 1) {
    e += questions * kQuestionStep;
  }
  return e;
}

}  // namespace

SentimentResult analyze_sentiment(std::string_view text, std::string_view language_code) {
  SentimentResult r;
  Tokenizer tz;
  tz.feed(text);
  const auto& t = tz.tokens;
  if (t.empty()) return r;
  std::vector<double> v = score_tokens(t, language_code == "en" || language_code == "un");

  double sum = weighted_sum(t, v);
  if (sum != 0.0) sum += sign(sum) * punctuation_emphasis(tz.exclamations, tz.questions);
  double compound = std::clamp(sum / std::sqrt(sum * sum + kNormalisation), -1.0, 1.0);

  double clause_sum = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    clause_sum += v[i];
    if (i + 1 == t.size() || t[i + 1].clause != t[i].clause) {
      r.strongest_positive_clause = std::max(r.strongest_positive_clause, clause_sum);
      r.strongest_negative_clause = std::min(r.strongest_negative_clause, clause_sum);
      clause_sum = 0.0;
    }
  }

  r.compound = compound;
  r.score = std::clamp(static_cast<int>(std::lround(compound * 10.0)), -10, 10);
  bool both_sides = r.strongest_positive_clause >= kClearClause && r.strongest_negative_clause <= -kClearClause;
  if (both_sides && std::fabs(compound) < kMixedCeiling) {
    r.type = "mixed";
  } else if (compound >= kPolarThreshold) {
    r.type = "positive";
  } else if (compound <= -kPolarThreshold) {
    r.type = "negative";
  } else {
    r.type = "neutral";
  }
  return r;
}

void SentimentStage::run(Document& doc) const {
  SentimentResult r = analyze_sentiment(doc.analysis_text, doc.language_code);
  doc.sentiment_compound = r.compound;
  doc.sentiment_score = r.score;
  doc.sentiment_type = std::string(r.type);
}

}  // namespace chorus::nlp
