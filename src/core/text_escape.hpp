// Escaping for text placed inside markup.
#pragma once

#include <string>
#include <string_view>

namespace chorus {

// '&', '<' and '>' as entities: plain text set inside HTML (a title before an HTML body) or inside Slack's
// mrkdwn, which treats the same three characters as control characters.
std::string escape_markup_text(std::string_view text);

}  // namespace chorus
