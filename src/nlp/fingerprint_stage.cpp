// Banded MinHash over content-word stems, with FNV-1a plus a 64-bit finaliser: stable, unlike std::hash.
#include <algorithm>
#include <array>
#include <bit>
#include <string>
#include <vector>

#include "nlp/fingerprint.hpp"
#include "nlp/lexicons.hpp"
#include "nlp/stemmer.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr std::size_t kMaxWords = 20000;
constexpr std::size_t kMaxGreetingWords = 4;
constexpr std::size_t kMinFeatures = 3;  // below this, word pairs count too ("It's okay." is not just "okay")
constexpr std::array<std::uint64_t, 4> kBandSeeds = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                                     0x165667b19e3779f9ULL, 0x27d4eb2f165667c5ULL};

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// MurmurHash3's fmix64: spreads FNV's weak high bits so every bit depends on the whole word.
std::uint64_t finalise(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Lowercased words; apostrophes and hyphens inside words are dropped ("don't" = "dont", "e-mail" = "email");
// each Han/Kana/Hangul/Thai character counts as a word of its own.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  std::size_t i = 0;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  while (i < text.size() && words.size() < kMaxWords) {
    char32_t cp = next_code_point(text, i);
    if (cp == '\'' || cp == 0x2019 || (cp == '-' && !cur.empty())) continue;
    if (is_unspaced_script(cp)) {
      flush();
      append_utf8(cur, cp);
      flush();
    } else if (is_word_code_point(cp)) {
      append_utf8(cur, to_lower(cp));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

// Leading "hi team", "hello all", "good morning" and trailing "thanks", "kind regards", "thank you so much".
void drop_greetings(std::vector<std::string>& w) {
  std::size_t begin = 0;
  while (begin < w.size() && begin < kMaxGreetingWords) {
    const std::string& x = w[begin];
    bool opener = is_one_of(x, {"hi", "hello", "hey", "dear", "greetings", "hiya", "howdy", "yo", "hallo", "bonjour",
                                "hola", "ciao", "ola"}) ||
                  (x == "good" && begin + 1 < w.size() && is_one_of(w[begin + 1], {"morning", "afternoon", "evening"}));
    bool addressee = begin > 0 && is_one_of(x, {"team", "all", "everyone", "there", "folks", "guys", "support",
                                                "morning", "afternoon", "evening"});
    if (!opener && !addressee) break;
    ++begin;
  }
  std::size_t end = w.size();
  for (std::size_t k = w.size() > kMaxGreetingWords ? w.size() - kMaxGreetingWords : 0; k < w.size(); ++k) {
    const std::string& x = w[k];
    bool closer = is_one_of(x, {"thanks", "thank", "thx", "ty", "cheers", "regards", "sincerely", "tia", "danke"}) ||
                  (is_one_of(x, {"best", "kind", "warm", "many"}) && k + 1 < w.size() &&
                   is_one_of(w[k + 1], {"regards", "wishes", "thanks"}));
    if (closer && k > begin) {
      end = k;
      break;
    }
  }
  if (end - begin < 3) return;  // a greeting is all there is: keep it
  w.erase(w.begin() + static_cast<std::ptrdiff_t>(end), w.end());
  w.erase(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(begin));
}

// "doesnt", "wasnt", "cant": a stop word with its negation glued on is a stop word too.
bool is_stop_word(const WordSet& stop, const std::string& w) {
  if (stop.contains(w)) return true;
  return w.size() > 3 && w.ends_with("nt") && stop.contains(std::string_view(w).substr(0, w.size() - 2));
}

void sort_unique(std::vector<std::uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// The hashes of the text's features, each once: its content words' stems, or with too few of those, also
// its word pairs (hashed as "first second"). Hashes, not strings, are sorted: the minima need nothing else.
std::vector<std::uint64_t> feature_hashes(std::string_view text, std::string_view language_code) {
  std::vector<std::string> words = words_of(text);
  drop_greetings(words);
  std::string_view lang = language_code == "un" ? "en" : language_code;
  const WordSet& stop = stopwords(lang);
  std::vector<std::uint64_t> content;
  content.reserve(words.size());
  for (const std::string& w : words) {
    if (!is_stop_word(stop, w)) content.push_back(fnv1a(stem_view(w, lang)));
  }
  sort_unique(content);
  if (content.size() >= kMinFeatures) return content;
  // Too few content words to tell texts apart: the word pairs of the whole text join them.
  for (std::size_t i = 0; i + 1 < words.size(); ++i) content.push_back(fnv1a(words[i + 1], fnv1a(" ", fnv1a(words[i]))));
  if (words.size() == 1) content.push_back(fnv1a(words.front()));
  sort_unique(content);
  return content;
}

}  // namespace

std::uint64_t fingerprint_of(std::string_view text, std::string_view language_code) {
  std::vector<std::uint64_t> features = feature_hashes(text, language_code);
  if (features.empty()) return 0;
  std::array<std::uint64_t, kBandSeeds.size()> minimum;
  minimum.fill(~0ULL);
  for (std::uint64_t h : features) {
    for (std::size_t b = 0; b < kBandSeeds.size(); ++b) minimum[b] = std::min(minimum[b], finalise(h ^ kBandSeeds[b]));
  }
  std::uint64_t fp = 0;
  for (std::size_t b = 0; b < kBandSeeds.size(); ++b) {
    // The minimum's own high bits are small by construction; hash it again for 16 uniform bits.
    fp |= (finalise(minimum[b]) & 0xffffULL) << (16 * b);
  }
  return fp == 0 ? 1 : fp;  // 0 means "no fingerprint" to the stores
}

int hamming_distance(std::uint64_t a, std::uint64_t b) { return std::popcount(a ^ b); }

void FingerprintStage::run(Document& doc) const { doc.simhash = fingerprint_of(doc.analysis_text, doc.language_code); }

}  // namespace chorus::nlp
