// A workspace's own edits to its theme taxonomy: custom themes from phrase rules, and renames, hidden themes
// and merges over the built-in aspects, the discovered themes and the custom ones. Stored as one JSON
// document per workspace (Store::get_taxonomy); applied to every record's themes after the NLP.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/record.hpp"
#include "core/result.hpp"
#include "nlp/taxonomy.hpp"

namespace chorus::nlp {

inline constexpr std::size_t kMaxThemeNameChars = 60;
inline constexpr std::size_t kMaxRulePhrases = 50;  // any + all + none of one theme
inline constexpr std::size_t kMaxPhraseChars = 80;
inline constexpr std::size_t kMaxCustomThemes = 200;
inline constexpr std::size_t kMaxRecordThemes = 5;  // as the themes stage: 0-5 per record

struct ThemeRules {
  std::vector<std::string> any;        // at least one of these phrases
  std::vector<std::string> all;        // every one of these phrases
  std::vector<std::string> none;       // none of these phrases
  std::vector<std::string> languages;  // ISO 639-1 codes of the records it applies to; empty: every language
};

struct CustomTheme {
  std::string id;  // "c1", "c2", ...: never reused within a workspace
  std::string name;
  std::optional<std::string> parent;  // a built-in aspect id
  ThemeRules rules;
};

// Theme ids are what the NLP writes (an aspect id such as "pricing", or a discovered key phrase such as
// "login loop") or a custom theme's id; records carry display names.
struct WorkspaceTaxonomy {
  std::int64_t version = 0;  // the store's version of the document (not part of the body)
  std::int64_t next_custom = 1;
  std::vector<CustomTheme> custom;
  std::map<std::string, std::string> renamed;  // theme id -> display name (aspects and discovered themes)
  std::set<std::string> hidden;                // theme ids dropped from records
  std::map<std::string, std::string> merged;   // theme id -> the theme id it is merged into

  const CustomTheme* find_custom(std::string_view id) const;
  CustomTheme* find_custom(std::string_view id);
  // The name records carry for a theme id (after its rename; a custom theme's own name).
  std::string display_name(std::string_view id) const;
  // The id a theme ends up as: its merge target, or itself.
  std::string resolve(std::string_view id) const;
  bool empty() const { return custom.empty() && renamed.empty() && hidden.empty() && merged.empty(); }
};

// The stored body. Parsing is strict: a body this server did not write is an internal error.
Result<WorkspaceTaxonomy> parse_workspace_taxonomy(std::string_view body, std::int64_t version);
std::string serialise_workspace_taxonomy(const WorkspaceTaxonomy& taxonomy);

// The text a theme name becomes: trimmed, inner whitespace collapsed, lowercase (records' themes are).
std::string normalise_theme_name(std::string_view name);

// The whole document against the built-in aspects; the message says what to fix.
Status validate_workspace_taxonomy(const WorkspaceTaxonomy& taxonomy, const Taxonomy& builtin = Taxonomy::builtin());

// Applies one taxonomy to many records: rule matchers are built once per record language. One thread at a
// time (the matchers are cached on first use).
class TaxonomyApplier {
 public:
  explicit TaxonomyApplier(WorkspaceTaxonomy taxonomy);
  const WorkspaceTaxonomy& taxonomy() const { return taxonomy_; }

  // Adds the custom themes whose rules match the title and the analysis text (first, so the five-theme cap
  // never drops what the workspace asked for), maps every theme and sub-theme through merges and renames,
  // drops hidden ones, de-duplicates, keeps at most five and stamps the taxonomy version. Expects the NLP's
  // own themes. `analysis_text` is the text the engine read (Document::analysis_text): the rules, like the
  // built-in themes, do not see quoted replies, signatures, code, stack traces or URLs.
  void apply(FeedbackRecord& record, std::string_view analysis_text) const;
  // The ids of the custom themes whose rules match the title and `analysis_text`, in the taxonomy's order.
  std::vector<std::string> matching_custom(const FeedbackRecord& record, std::string_view analysis_text) const;

 private:
  struct PhraseRef {
    std::size_t theme;
    enum Kind { any, all, none } kind;
    std::string phrase;
  };
  const PhraseMatcher& matcher_for(const std::string& language_code) const;

  WorkspaceTaxonomy taxonomy_;
  std::vector<PhraseRef> phrases_;  // every rule phrase; its index is its matcher tag
  mutable std::unordered_map<std::string, std::unique_ptr<PhraseMatcher>> matchers_;
};

// One-off convenience over TaxonomyApplier.
void apply(const WorkspaceTaxonomy& taxonomy, FeedbackRecord& record, std::string_view analysis_text);

}  // namespace chorus::nlp
