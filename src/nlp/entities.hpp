// HTML character references (&amp; &#39; &#x1F600; &eacute; ...) in text that did not go through an HTML parser.
#pragma once

#include <string>
#include <string_view>

namespace chorus::nlp {

// Decodes numeric references and the named references common in feedback text; anything else is left as
// written. Invalid code points (0, surrogates, beyond U+10FFFF) become U+FFFD.
std::string decode_entities(std::string_view in);

}  // namespace chorus::nlp
