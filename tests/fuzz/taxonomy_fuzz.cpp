// Fuzz target: workspace taxonomy documents, whose phrases and names come from API callers: parsing, validation,
// the round trip through the stored body, and applying the rules to a record made of the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nlp/workspace_taxonomy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chorus;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)nlp::normalise_theme_name(input);
  auto taxonomy = nlp::parse_workspace_taxonomy(input, 1);
  if (!taxonomy) return 0;
  (void)nlp::validate_workspace_taxonomy(*taxonomy);
  // What this server writes, it reads back the same.
  auto again = nlp::parse_workspace_taxonomy(nlp::serialise_workspace_taxonomy(*taxonomy), 1);
  if (!again || nlp::serialise_workspace_taxonomy(*again) != nlp::serialise_workspace_taxonomy(*taxonomy)) std::abort();
  FeedbackRecord r;
  r.text = std::string(input);
  r.title = "title";
  r.themes = {"sync", "pricing", "login loop"};
  r.sub_themes = {{"sync", "calendar"}};
  for (const char* lang : {"en", "ja", "un"}) {
    r.language_code = lang;
    FeedbackRecord copy = r;
    nlp::apply(*taxonomy, copy, copy.text);
    if (copy.themes.size() > nlp::kMaxRecordThemes) std::abort();
  }
  return 0;
}
