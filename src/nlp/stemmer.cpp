// libstemmer wrapper: maps ISO 639-1 codes to Snowball algorithms and caches stemmers per thread.
#include "nlp/stemmer.hpp"

#include <libstemmer.h>

#include <array>
#include <memory>
#include <utility>

#include "nlp/word_memo.hpp"

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

constexpr std::size_t kCount = std::size(kAlgorithms);

// One stemmer per algorithm and thread, made on first use, with a memo of the stems it gave.
struct Slot {
  StemmerPtr stemmer;
  WordMemo<std::string> stems;
};

Slot* slot_for(std::string_view language_code) {
  // Documents come in runs of one language: the last one asked for is remembered.
  thread_local std::string_view last_code;
  thread_local Slot* last_slot = nullptr;
  if (last_slot && equal_short(language_code, last_code)) return last_slot;
  std::size_t k = 0;
  while (k < kCount && kAlgorithms[k].first != language_code) ++k;
  if (k == kCount) return nullptr;
  thread_local std::array<Slot, kCount> slots;
  Slot& slot = slots[k];
  if (!slot.stemmer) slot.stemmer = StemmerPtr(sb_stemmer_new(kAlgorithms[k].second, "UTF_8"));
  if (!slot.stemmer) return nullptr;
  last_code = kAlgorithms[k].first;  // static storage, unlike the caller's view
  last_slot = &slot;
  return &slot;
}

}  // namespace

static thread_local std::uint64_t fresh_stem_count = 0;

std::uint64_t fresh_stems() { return fresh_stem_count; }

std::string_view stem_view(std::string_view word, std::string_view language_code) {
  return stem_view(word, language_code, word_hash(word));
}

std::string_view stem_view(std::string_view word, std::string_view language_code, std::uint64_t hash) {
  Slot* slot = slot_for(language_code);
  if (!slot || word.empty() || word.size() > 256) return word;
  if (const std::string* kept = slot->stems.find(word, hash)) return *kept;
  ++fresh_stem_count;
  sb_stemmer* stemmer = slot->stemmer.get();
  const sb_symbol* out =
      sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
  // The stemmer's buffer, like the memo's slots, holds until this thread stems again.
  const std::string_view stem =
      out ? std::string_view(reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(stemmer)))
          : word;
  slot->stems.put(word, hash, std::string(stem));
  return stem;
}

bool has_stemmer(std::string_view language_code) { return slot_for(language_code) != nullptr; }

std::string stem_word(std::string_view word, std::string_view language_code) {
  return std::string(stem_view(word, language_code));
}

}  // namespace chorus::nlp
