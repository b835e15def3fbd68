// Tokenisation for the sentiment analyser.
#include "nlp/sentiment_tokens.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <memory>
#include <optional>
#include <unordered_map>

#include "nlp/lexicons.hpp"
#include "nlp/utf8.hpp"
#include "nlp/word_memo.hpp"

namespace chorus::nlp {

namespace {

using namespace sentiment_rules;
using Token = SentimentToken;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() + 2 && s.substr(s.size() - suffix.size()) == suffix;
}

// Base forms the lexicon may know an inflected word by: "lacks" -> "lack", "loved" -> "love",
// "stopped" -> "stop", "annoyingly" -> "annoying", "happily" -> "happy".
std::vector<std::string> base_forms(std::string_view w) {
  std::vector<std::string> out;
  // Words that only look inflected: "likely" is not "like", "fairly" not "fair"; "hands" are body parts,
  // whatever the lexicon's "hand" (as in lending one) says.
  for (std::string_view lookalike : {"likely", "fairly", "hands", "handed", "handing"})
    if (w == lookalike) return out;
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
// form the tables know wins, and unknown words stay as they are. Only a run of three or more letters is
// stretching: a double letter is spelling ("smoother" is not "smother", "furry" is not "fury").
std::string resolve_uncached(std::string word, const Vocabulary& vocab) {
  if (vocab.knows(word)) return word;
  std::size_t longest_run = 0;
  for (std::size_t i = 0, run = 0; i < word.size(); ++i) {
    run = (i > 0 && word[i] == word[i - 1]) ? run + 1 : 1;
    longest_run = std::max(longest_run, run);
  }
  for (std::size_t keep : {2u, 1u}) {
    if (longest_run < 3) break;
    std::string squeezed;
    std::size_t run = 0;
    for (std::size_t i = 0; i < word.size(); ++i) {
      run = (i > 0 && word[i] == word[i - 1]) ? run + 1 : 1;
      if (run <= keep) squeezed.push_back(word[i]);
    }
    if (squeezed.size() != word.size() && vocab.knows(squeezed)) return squeezed;
  }
  if (!vocab.is_english()) return word;
  for (std::string& base : base_forms(word)) {
    if (vocab.valence(base)) return base;
  }
  return word;
}

// resolve_uncached behind a per-thread memo: feedback repeats its words ("app", "sync", "export"), and an
// unknown word costs a dozen lookups of its possible base forms.
std::string resolve_word(std::string_view word, const Vocabulary& vocab) {
  thread_local WordMemos<std::uint64_t, std::string> memos;
  return memos.of(vocab.id()).get(word, [&](std::string_view w) { return resolve_uncached(std::string(w), vocab); });
}

// Splits text into tokens: whitespace-delimited words with edge punctuation removed, emoticons kept whole,
// emoji split out one per token. Tracks sentence and clause boundaries and emphatic punctuation.
class Tokenizer {
 public:
  Tokenizer(const Vocabulary* vocab, std::size_t max_tokens) : vocab_(vocab), max_tokens_(max_tokens) {}
  std::vector<Token> tokens;
  int exclamations = 0;
  int questions = 0;

  void feed(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && tokens.size() < max_tokens_) {
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
  const Vocabulary* vocab_;  // nullptr: a language without a word list
  std::size_t max_tokens_;
  std::uint32_t sentence_ = 0, clause_ = 0;
  bool sentence_open_ = false, clause_open_ = false;

  // Marks the tokens of the sentence now ending as part of a question.
  void mark_question() {
    for (auto it = tokens.rbegin(); it != tokens.rend() && it->sentence == sentence_; ++it) it->question = true;
  }

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
    if (tokens.size() >= max_tokens_) return;
    if (vocab_ && vocab_->opens_clause(word)) end_clause();
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
      if (!v) v = ranked_emoji_valence(cp);
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
    if (!core.empty() && vocab_ && vocab_->segment_length() > 0) {
      segment(core);
    } else if (!core.empty()) {
      add_word(core);
    }
    // An emoticon glued to a word ("great:)") or standing after punctuation ("ok!:(").
    for (std::size_t len : {3u, 2u}) {
      if (trailing.size() >= len && emoticon(trailing.substr(trailing.size() - len))) break;
    }
    for (char ch : trailing) {
      if (ch == '.' || ch == '!' || ch == '?') {
        if (ch == '?' || trailing.find('?') != std::string_view::npos) mark_question();
        end_sentence();
        break;
      }
      if (ch == ',' || ch == ';' || ch == ':') end_clause();
    }
  }

  // Emits the run as an emoticon when the lexicon knows it as written (":D", "<3", "):").
  static bool has_symbol(std::string_view run) {
    return std::any_of(run.begin(), run.end(), [](char ch) {
      unsigned char u = static_cast<unsigned char>(ch);
      return u < 0x80 && !std::isalnum(u) && ch != '\'' && ch != '-';
    });
  }

  bool emoticon(std::string_view run) {
    if (run.empty() || run.size() > 8 || !has_symbol(run)) return false;
    const auto& lex = vader_lexicon();  // emoticons are the same in every language
    // Most runs with a symbol are a word and its punctuation ("great,"): the first and last bytes of every
    // emoticon the lexicon knows rule them out before a string is made and looked up.
    static const auto ends = [&lex] {
      auto pairs = std::make_unique<std::array<std::bitset<256>, 256>>();
      for (const auto& [key, v] : lex)
        if (!key.empty() && has_symbol(key))
          (*pairs)[static_cast<unsigned char>(key.front())].set(static_cast<unsigned char>(key.back()));
      return pairs;
    }();
    auto ascii_lower = [](char ch) { return static_cast<unsigned char>(ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch); };
    unsigned char first = static_cast<unsigned char>(run.front()), last = static_cast<unsigned char>(run.back());
    if (first < 0x80 && last < 0x80 && !(*ends)[first].test(last) &&
        !(*ends)[ascii_lower(run.front())].test(ascii_lower(run.back())))
      return false;
    std::string key(run);
    auto it = lex.find(key);
    if (it == lex.end()) {
      key = to_lower_utf8(run);
      it = lex.find(key);
    }
    if (it == lex.end()) return false;
    std::optional<float> v = it->second;
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
    // French and Italian elide a short word into the next ("n'aime", "l'app", "c'è"): the two are two words,
    // unless the lists know the whole ("j'adore").
    if (vocab_ && !vocab_->is_english() && !vocab_->knows(lower)) {
      const std::size_t apostrophe = lower.find('\'');
      if (apostrophe >= 1 && apostrophe <= 2 && apostrophe + 1 < lower.size()) {
        emit(lower.substr(0, apostrophe + 1), 0.0f, false, true);
        lower.erase(0, apostrophe + 1);
      }
    }
    if (vocab_) lower = resolve_word(lower, *vocab_);
    emit(std::move(lower), 0.0f, upper >= 2 && lowers == 0, lowers > 0);
  }

  // Scripts without spaces: at each position the longest word the vocabulary knows becomes a token, and the
  // unknown stretches between known words become tokens of their own (so negation windows still count).
  void segment(std::string_view core) {
    std::vector<std::size_t> at;  // byte offset of each code point, then the end
    for (std::size_t i = 0; i < core.size();) {
      at.push_back(i);
      next_code_point(core, i);
    }
    at.push_back(core.size());
    const std::size_t n = at.size() - 1;
    std::size_t unknown = 0;  // start of the pending unknown stretch, in code points
    for (std::size_t k = 0; k < n;) {
      std::size_t len = std::min(vocab_->segment_length(), n - k);
      for (; len > 0; --len) {
        std::string_view piece = core.substr(at[k], at[k + len] - at[k]);
        if (vocab_->valence(piece) || vocab_->negates(piece)) break;
      }
      if (len == 0) {
        ++k;
        continue;
      }
      if (unknown < k) add_word(core.substr(at[unknown], at[k] - at[unknown]));
      add_word(core.substr(at[k], at[k + len] - at[k]));
      k += len;
      unknown = k;
    }
    if (unknown < n) add_word(core.substr(at[unknown]));
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

}  // namespace

SentimentTokens tokenize_for_sentiment(std::string_view text, const Vocabulary* vocab, std::size_t max_tokens) {
  Tokenizer tz(vocab, max_tokens);
  tz.tokens.reserve(std::min(max_tokens, text.size() / 5 + 4));  // about one token per five bytes
  tz.feed(text);
  return SentimentTokens{std::move(tz.tokens), tz.exclamations, tz.questions};
}

}  // namespace chorus::nlp
