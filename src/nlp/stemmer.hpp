// Snowball stems through libstemmer, with one stemmer per thread and language (they are not thread-safe).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chorus::nlp {

// Stem of a lowercase UTF-8 word. Unknown language ("un") stems as English; languages without a Snowball
// algorithm (Japanese, Polish, ...) return the word unchanged.
std::string stem_word(std::string_view word, std::string_view language_code);
// The same stem without a copy: a view that stays valid until this thread next stems a word afresh (see
// fresh_stems). For a language without a Snowball algorithm, or a word over 256 bytes, it is the word itself.
std::string_view stem_view(std::string_view word, std::string_view language_code);
// The same, for a caller that has the word's word_hash already.
std::string_view stem_view(std::string_view word, std::string_view language_code, std::uint64_t word_hash);
// True when the language has a Snowball algorithm ("un" stems as English).
bool has_stemmer(std::string_view language_code);
// How many words this thread has stemmed afresh (not from its memo). A view from stem_view stays valid while
// this count is unchanged: only a fresh stem moves what the views point into.
std::uint64_t fresh_stems();

}  // namespace chorus::nlp
