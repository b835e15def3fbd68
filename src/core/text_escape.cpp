// Escaping for text placed inside markup (see text_escape.hpp).
#include "core/text_escape.hpp"

namespace chorus {

std::string escape_markup_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

}  // namespace chorus
