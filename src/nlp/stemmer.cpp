// libstemmer wrapper: maps ISO 639-1 codes to Snowball algorithms and caches stemmers per thread.
#include "nlp/stemmer.hpp"

#include <libstemmer.h>

#include <array>
#include <memory>
#include <utility>

namespace chorus::nlp {

namespace {

constexpr std::pair<std::string_view, const char*> kAlgorithms[] = {
    {"en", "english"},   {"un", "english"},    {"de", "german"},     {"fr", "french"},   {"es", "spanish"},
    {"it", "italian"},   {"pt", "portuguese"}, {"nl", "dutch"},      {"sv", "swedish"},  {"no", "norwegian"},
    {"nn", "norwegian"}, {"da", "danish"},     {"fi", "finnish"},    {"ru", "russian"},  {"hu", "hungarian"},
    {"ro", "romanian"},  {"tr", "turkish"},    {"ar", "arabic"},     {"ca", "catalan"},  {"eu", "basque"},
    {"el", "greek"},     {"hi", "hindi"},      {"id", "indonesian"}, {"ga", "irish"},    {"lt", "lithuanian"},
    {"ne", "nepali"},    {"sr", "serbian"},    {"ta", "tamil"},      {"hy", "armenian"}, {"yi", "yiddish"},
};

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};
using StemmerPtr = std::unique_ptr<sb_stemmer, StemmerDeleter>;

sb_stemmer* stemmer_for(std::string_view language_code) {
  constexpr std::size_t kCount = std::size(kAlgorithms);
  std::size_t k = 0;
  while (k < kCount && kAlgorithms[k].first != language_code) ++k;
  if (k == kCount) return nullptr;
  // One stemmer per algorithm and thread, made on first use (a word's stem is looked up per word).
  thread_local std::array<StemmerPtr, kCount> cache;
  if (!cache[k]) cache[k] = StemmerPtr(sb_stemmer_new(kAlgorithms[k].second, "UTF_8"));
  return cache[k].get();
}

}  // namespace

std::string stem_word(std::string_view word, std::string_view language_code) {
  sb_stemmer* stemmer = stemmer_for(language_code);
  if (!stemmer || word.empty() || word.size() > 256) return std::string(word);
  const sb_symbol* out =
      sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
  if (!out) return std::string(word);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(stemmer)));
}

}  // namespace chorus::nlp
