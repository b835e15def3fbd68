// Web Linking (RFC 8288) `Link` headers, the pagination GitHub and many REST APIs use:
// `<https://api.github.com/repositories/1/issues?page=2>; rel="next", <...?page=5>; rel="last"`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::ingest {

struct WebLink {
  std::string url;                // the target, exactly as sent (may be relative)
  std::vector<std::string> rels;  // lower-cased; `rel="next last"` names two relations
};

// Every well-formed link of the header, in order. A malformed link is skipped, not fatal: commas and
// semicolons inside <...> and inside quoted parameter values do not split links.
std::vector<WebLink> parse_link_header(std::string_view header);

// The target of the first link with relation `rel` (case-insensitive), if any.
std::optional<std::string> find_link(std::string_view header, std::string_view rel);

}  // namespace chorus::ingest
