// SimHash (Charikar 2002) over word shingles with FNV-1a plus a 64-bit finaliser: stable, unlike std::hash.
#include <array>
#include <bit>
#include <string>
#include <vector>

#include "nlp/simhash.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr std::size_t kMaxTokens = 20000;
constexpr std::size_t kMaxGreetingWords = 4;

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// MurmurHash3's fmix64: spreads FNV's weak high bits so every fingerprint bit is an independent vote.
std::uint64_t finalise(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Lowercased words; each Han/Kana/Hangul/Thai character counts as a word of its own.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  std::size_t i = 0;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  while (i < text.size() && words.size() < kMaxTokens) {
    char32_t cp = next_code_point(text, i);
    if (cp == '\'' || cp == 0x2019) continue;  // "don't" == "dont"
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

bool is_one_of(std::string_view w, std::initializer_list<std::string_view> list) {
  for (auto x : list) {
    if (x == w) return true;
  }
  return false;
}

// Leading "hi team", "hello all", "good morning" and trailing "thanks", "kind regards", "thank you so much".
void drop_greetings(std::vector<std::string>& w) {
  std::size_t begin = 0;
  while (begin < w.size() && begin < kMaxGreetingWords) {
    const std::string& x = w[begin];
    bool opener = is_one_of(x, {"hi", "hello", "hey", "dear", "greetings", "hiya", "howdy", "yo"}) ||
                  (x == "good" && begin + 1 < w.size() && is_one_of(w[begin + 1], {"morning", "afternoon", "evening"}));
    bool addressee = begin > 0 && is_one_of(x, {"team", "all", "everyone", "there", "folks", "guys", "support",
                                                "morning", "afternoon", "evening"});
    if (!opener && !addressee) break;
    ++begin;
  }
  std::size_t end = w.size();
  for (std::size_t k = w.size() > kMaxGreetingWords ? w.size() - kMaxGreetingWords : 0; k < w.size(); ++k) {
    const std::string& x = w[k];
    bool closer = is_one_of(x, {"thanks", "thank", "thx", "ty", "cheers", "regards", "sincerely", "tia"}) ||
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

}  // namespace

std::uint64_t simhash_of(std::string_view text) {
  std::vector<std::string> words = words_of(text);
  drop_greetings(words);
  if (words.empty()) return 0;
  std::size_t k = words.size() >= 8 ? 3 : std::min<std::size_t>(2, words.size());
  std::array<int, 64> votes{};
  for (std::size_t i = 0; i + k <= words.size(); ++i) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::size_t j = 0; j < k; ++j) {
      if (j > 0) h = fnv1a("\x1f", h);
      h = fnv1a(words[i + j], h);
    }
    h = finalise(h);
    for (int b = 0; b < 64; ++b) votes[b] += ((h >> b) & 1) ? 1 : -1;
  }
  std::uint64_t fp = 0;
  for (int b = 0; b < 64; ++b) {
    if (votes[b] > 0) fp |= std::uint64_t{1} << b;
  }
  return fp;
}

int hamming_distance(std::uint64_t a, std::uint64_t b) { return std::popcount(a ^ b); }

void SimhashStage::run(Document& doc) const { doc.simhash = simhash_of(doc.analysis_text); }

}  // namespace chorus::nlp
