// Data files compiled into the library by cmake/embed.cmake (see chorus_embed_assets).
#pragma once

#include <string_view>

namespace chorus::embedded {

// vader_lexicon.txt from npm `vader-sentiment`: `token<TAB>mean<TAB>sd<TAB>[ratings]` per line.
extern const std::string_view vader_lexicon;
// stopwords-iso.json from npm `stopwords-iso`: {"en":[...],"de":[...],...}.
extern const std::string_view stopwords_iso;

}  // namespace chorus::embedded
