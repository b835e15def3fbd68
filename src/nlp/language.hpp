// Language stage: CLD2 over the analysis text, reported as an ISO 639-1 code and an English name.
#pragma once

#include <string>
#include <string_view>

#include "nlp/stage.hpp"

namespace chorus::nlp {

struct DetectedLanguage {
  std::string code = "un";  // ISO 639-1, "un" when unknown or unreliable
  std::string name = "Unknown";
};

// Text must be valid UTF-8. Short texts (under three words or twelve letters) are "un".
DetectedLanguage detect_language(std::string_view text);

// English name for an ISO 639-1 code ("de" -> "German"); "Unknown" for codes it does not know.
std::string_view language_name(std::string_view code);

class LanguageStage final : public Stage {
 public:
  std::string_view name() const override { return "language"; }
  std::string_view version() const override { return "4"; }
  void run(Document& doc) const override;
};

}  // namespace chorus::nlp
