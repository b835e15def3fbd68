// Word lists parsed once from the embedded data: the VADER sentiment lexicon and stopwords-iso.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace chorus::nlp {

// Lets string-keyed hash containers be probed with a string_view, without building a std::string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

using WordValence = std::unordered_map<std::string, float, StringHash, std::equal_to<>>;
using WordSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// token -> mean valence on -4..+4. Tokens are lowercase words plus emoticons in their written case (":D").
const WordValence& vader_lexicon();

// Stop words of an ISO 639-1 language; English for languages without a list (and for "un").
const WordSet& stopwords(std::string_view language_code);
bool has_stopwords(std::string_view language_code);

}  // namespace chorus::nlp
