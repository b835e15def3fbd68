// A workspace's taxonomy as the API and the pipeline use it: loaded from the store, changed by compare-and-
// set, and listed as themes with their counts.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nlp/workspace_taxonomy.hpp"
#include "store/store.hpp"

namespace chorus::api {

// The workspace's taxonomy; an empty one (version 0) when it has none.
Result<nlp::WorkspaceTaxonomy> load_taxonomy(store::Store& store, Id workspace_id);

// Reads the taxonomy, lets `change` edit it, validates the result and stores it as the next version. When
// another change came first, reads again and reapplies `change` once before giving up with a conflict. A
// change that leaves the taxonomy as it was stores nothing and makes no version; `changed` says which.
Result<nlp::WorkspaceTaxonomy> change_taxonomy(store::Store& store, Id workspace_id,
                                               const std::function<Status(nlp::WorkspaceTaxonomy&)>& change,
                                               bool* changed = nullptr);

enum class ThemeKind { aspect, custom, discovered };

struct ThemeItem {
  std::string id;
  std::string name;
  int level = 1;
  std::optional<std::string> parent;
  std::int64_t count = 0;
  ThemeKind kind = ThemeKind::discovered;
  bool hidden = false;
  std::optional<std::string> merged_into;
};

json::object theme_item_json(const ThemeItem& item);

// The item a theme id names, without its count; nullopt when the id is not an aspect, a custom theme or a
// discovered theme that the taxonomy mentions (the caller may still find it in the records).
std::optional<ThemeItem> describe_theme(const nlp::WorkspaceTaxonomy& taxonomy, const std::string& id);

// The level-2 item a phrase names when one of the workspace's newest records carries it beneath a theme
// (the same sample the theme list counts), with the parent it was found under; nullopt when none does.
Result<std::optional<ThemeItem>> find_sub_theme(store::Store& store, Id workspace_id, const std::string& phrase);

// Every level-1 theme (the built-in aspects, the custom themes, the discovered themes the taxonomy mentions or
// the period's records carry) and the level-2 phrases under them, each with its count in the period; sorted
// by count within each level.
Result<std::vector<ThemeItem>> list_themes(store::Store& store, const nlp::WorkspaceTaxonomy& taxonomy,
                                           const store::FeedbackFilter& period);

}  // namespace chorus::api
