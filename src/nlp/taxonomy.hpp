// The built-in taxonomy of feedback aspects (data/taxonomy/aspects.json, carried in the binary) and the
// phrase matcher behind it, which workspaces' own rule themes use too. A phrase matches a run of words
// compared by Snowball stems in the text's language ("crashes" matches "crash"; "log-in" matches "log in"),
// or, in Japanese, Chinese, Korean and Thai, as a substring of the lowercased text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "nlp/lexicons.hpp"

namespace chorus::nlp {

// Words of a text as the matcher compares them: lowercase, split at anything but letters, digits and
// inner apostrophes (hyphens split, so "sign-in" is "sign in"). With `sentence_starts`, the index of each word
// that starts a sentence after the first is appended there (a sentence ends at ".", "!", "?", ";", a line
// break and their CJK forms; a full stop only before a space or the end, so "6.2" is one sentence). With
// `skip_handles`, "@handles" (through underscores: "@acme_support") are left out.
std::vector<std::string> matcher_words(std::string_view text, std::vector<std::uint32_t>* sentence_starts = nullptr,
                                       bool skip_handles = false);

// True for languages matched by substring (written without spaces, or agglutinative without a stemmer).
bool matches_by_substring(std::string_view language_code);

// Phrases per language, each tagged with a number (an aspect, a rule); finds which tags a text mentions.
class PhraseMatcher {
 public:
  void add(std::string_view language_code, std::string_view phrase, std::size_t tag);
  bool empty() const { return by_language_.empty(); }

  // The text's lowercase words but its @handles (each matcher stems them as it compares) and the lowercased
  // text; shared by the matchers asked.
  struct Text {
    // Longer texts are read up to here: aspects show early, and a megabyte line is not searched whole.
    static constexpr std::size_t kMaxBytes = 64 * 1024;
    explicit Text(std::string_view text);
    // A text whose words a caller has already split as matcher_words(text, &sentence_starts, true) would (the
    // themes stage reads them with its own words in one pass); `text` is at most kMaxBytes.
    Text(std::string text, std::vector<std::string> words, std::vector<std::uint32_t> sentence_starts);
    std::vector<std::string> words;
    std::vector<std::uint32_t> sentence_starts;  // see matcher_words
    // The sentence a word is in, counted from 0, and the words of that sentence as [first, last).
    std::size_t sentence_of(std::size_t word) const;
    std::pair<std::size_t, std::size_t> sentence_words(std::size_t sentence) const;
    // The lowercased text, made on first use: only the substring languages read it.
    const std::string& lower() const;

   private:
    std::string source_;
    mutable std::optional<std::string> lower_;
  };

  // Tags whose phrases in any of the languages occur in the text, each once, in order of first occurrence
  // (the position of the earliest match).
  std::vector<std::size_t> find(const Text& text, const std::vector<std::string_view>& languages) const;
  // One match: where it starts and ends, and its tag. A spaced language's positions are 8 times indices in
  // Text::words (the phrase's first word, and one past its last), a substring language's are byte offsets
  // in the lowercased text.
  struct Hit {  // 32-bit fields: a matched text is far shorter than 4 GiB, and a taxonomy has far fewer tags
    std::uint32_t pos;
    std::uint32_t end;
    std::uint32_t tag;
    bool by_word;
  };
  // Every match, by position, then tag.
  std::vector<Hit> find_all(const Text& text, const std::vector<std::string_view>& languages) const;
  // The first tag whose phrase occurs in a short lowercase phrase of spaced words (a key phrase), without
  // building a Text: stems come from the per-thread memo. Only tags divisible by `multiple_of` count (a
  // caller that keeps several kinds of phrase in one matcher, by the tag's low bits).
  std::optional<std::size_t> find_in_phrase(std::string_view phrase, std::string_view language_code,
                                            std::size_t multiple_of = 1) const;

 private:
  struct Entry {
    std::vector<std::string> stems;  // spaced languages
    std::string substring;           // substring languages
    std::size_t tag;
  };
  // The phrases that start with one stem: the one-word phrases' tags, and the longer phrases by their
  // second stem (longest first), so a common first word ("in", "not") costs one lookup, not a scan.
  struct Head {
    std::vector<std::size_t> tags;
    std::unordered_map<std::string, std::vector<Entry>, StringHash, std::equal_to<>> by_second_stem;
  };
  // A substring language's phrases, and where to look for each: by the first two bytes of the phrase, so a
  // text is read once, comparing at each character only the phrases that can start there.
  struct Substrings {
    std::vector<Entry> entries;
    std::unordered_map<std::uint16_t, std::vector<std::uint32_t>> by_start;  // into entries
    std::vector<std::uint32_t> one_byte;                                     // phrases of a single byte
  };
  struct Language {
    std::unordered_map<std::string, Head, StringHash, std::equal_to<>> by_first_stem;
    Substrings substrings;
    // Names this language's phrases as they are now (a new id on every add, and for a copy, whose entries
    // live elsewhere): what the per-thread memo of word -> phrases starting with its stem is keyed by.
    std::uint64_t id = 0;

    Language() = default;
    Language(const Language& o) : by_first_stem(o.by_first_stem), substrings(o.substrings), id(fresh_id()) {}
    Language(Language&& o) noexcept
        : by_first_stem(std::move(o.by_first_stem)), substrings(std::move(o.substrings)), id(std::exchange(o.id, 0)) {}
    Language& operator=(Language o) noexcept {
      by_first_stem.swap(o.by_first_stem);
      std::swap(substrings, o.substrings);
      std::swap(id, o.id);
      return *this;
    }
  };
  // Each substring phrase's first occurrence in the lowercased text.
  static void find_substrings(const Substrings& s, const std::string& lower, std::vector<Hit>& hits);
  static std::uint64_t fresh_id();
  // The phrases whose first stem is the word's, or nullptr; remembered per thread.
  static const Head* starting_with(const Language& lang, std::string_view language_code, std::string_view word,
                                   std::uint64_t word_hash);
  // The first tag (longest phrase first) of a phrase that starts at word i, given the stem of each word.
  template <class StemAt>
  static std::optional<std::size_t> first_at(const Head& head, std::size_t i, std::size_t n, StemAt&& stem_at,
                                             std::size_t multiple_of);
  template <class StemAt>
  static void all_at(const Head& head, std::size_t i, std::size_t n, StemAt&& stem_at, std::vector<Hit>& hits);
  // A handful of languages: a list searched in place costs less than hashing a key per lookup.
  std::vector<std::pair<std::string, Language>> by_language_;
  Language& language(std::string_view code);
  const Language* find_language(std::string_view code) const;
};

struct Aspect {
  std::string id;    // also the theme name records carry ("pricing", "data loss")
  std::string name;  // display name
  std::string description;
};

class Taxonomy {
 public:
  // The embedded taxonomy; an empty one if the data is broken (tests check it is not).
  static const Taxonomy& builtin();
  // {"version":N, "opinion_words":{lang:[...]},
  //  "aspects":[{"id","name","description","terms":{lang:[...]},"opinion_terms":{lang:[...]},"none":{lang:[...]},
  //              "context":{lang:[...]}}]}
  // A "none" phrase rules out the terms it covers ("battery of tests"); a "context" phrase rules the aspect
  // out of the whole text it is in ("hotel" for a game's "lobby").
  static Result<Taxonomy> parse(std::string_view json);

  int version() const { return version_; }
  const std::vector<Aspect>& aspects() const { return aspects_; }
  std::optional<std::size_t> find(std::string_view id) const;

  // Aspects the text mentions, in the text's language and in English (loanwords like "login" and "update"
  // are everywhere), by first mention, at most max; an aspect with a "none" phrase in the text is left out.
  // An opinion term ("food", "dishes") counts only with a judgement near it (kOpinionReach words before its
  // first word, up to kOpinionReach + 1 after): a word the language's sentiment vocabulary scores, or one of
  // the taxonomy's opinion words ("tasty", "prompt").
  std::vector<std::size_t> match(const PhraseMatcher::Text& text, std::string_view language_code,
                                 std::size_t max) const;
  // The same aspects, each with the indices in Text::words where its terms start (none for a language
  // matched by substring): where in the text each aspect is talked about.
  struct Mention {
    std::size_t aspect;
    std::vector<std::size_t> words;
  };
  // With `out_of_context`, the aspects a "context" phrase ruled out of the text are appended there.
  std::vector<Mention> mentions(const PhraseMatcher::Text& text, std::string_view language_code, std::size_t max,
                                std::vector<std::size_t>* out_of_context = nullptr) const;
  // True when the word occurs in one of the aspects' English terms ("sync", "export"): a word known to read
  // well on its own.
  bool is_english_term_word(std::string_view word) const;
  // True when the word occurs in one of the aspects' terms in that language ("entrega", "frete" in Portuguese).
  bool is_term_word(std::string_view word, std::string_view language_code) const;
  // The aspect a key phrase belongs to (it contains one of the aspect's terms), if any.
  std::optional<std::size_t> aspect_of_phrase(std::string_view phrase, std::string_view language_code) const;

 private:
  int version_ = 0;
  std::uint64_t id_ = 0;  // names this taxonomy's phrases in the per-thread memo of key phrases' aspects
  std::vector<Aspect> aspects_;
  // The aspects' terms (tag 4 * aspect), "none" phrases (4 * aspect + 1) and opinion terms (4 * aspect + 3)
  // in one matcher, so a text is read once for all of them: the even tags are the plain terms a key phrase is
  // filed by. Opinion terms are kept for spaced languages only: a word's neighbours are what vouch for them.
  static constexpr std::size_t kOpinionReach = 2;
  PhraseMatcher phrases_;
  // Words by language, each language's list sorted once it is built.
  class WordsByLanguage {
   public:
    std::vector<std::string>& of(std::string_view language_code);  // a new language starts empty
    void sort();
    bool has(std::string_view language_code, std::string_view word) const;

   private:
    std::vector<std::pair<std::string, std::vector<std::string>>> lists_;
  };
  std::vector<std::string> english_words_;  // sorted
  WordsByLanguage term_words_;              // the words of the terms in languages other than English
  WordsByLanguage opinion_words_;
  bool opinion_near(const std::vector<std::string>& words, std::size_t at, std::string_view language_code) const;
};

}  // namespace chorus::nlp
