// The text form of an API key's workspace list, shared by both backends.
#include <charconv>

#include "store/store.hpp"

namespace chorus::store {

std::optional<std::string> encode_key_workspaces(const std::optional<std::vector<Id>>& workspaces) {
  if (!workspaces) return std::nullopt;
  std::string out;
  for (Id id : *workspaces) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

std::optional<std::vector<Id>> decode_key_workspaces(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::vector<Id> out;
  std::string_view rest = *text;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    Id id = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (ec == std::errc() && p == part.data() + part.size()) out.push_back(id);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace chorus::store
