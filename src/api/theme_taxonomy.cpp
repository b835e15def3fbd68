// A workspace's taxonomy: loading, compare-and-set changes, and the theme list with counts.
#include "api/theme_taxonomy.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "insights/theme_naming.hpp"

namespace chorus::api {

namespace {

constexpr std::size_t kThemeStatsLimit = 10000;  // every theme of the period, in practice
constexpr std::size_t kSubThemeSample = 2000;    // newest records whose sub-themes are counted
constexpr std::size_t kSamplePage = 500;

const char* kind_name(ThemeKind k) {
  switch (k) {
    case ThemeKind::aspect:
      return "aspect";
    case ThemeKind::custom:
      return "custom";
    case ThemeKind::discovered:
      return "discovered";
  }
  return "discovered";
}

bool mentioned(const nlp::WorkspaceTaxonomy& t, const std::string& id) {
  if (t.renamed.contains(id) || t.hidden.contains(id) || t.merged.contains(id)) return true;
  for (const auto& [from, into] : t.merged)
    if (into == id) return true;
  return false;
}

// The themes the taxonomy mentions that are neither aspects nor custom themes.
std::set<std::string> mentioned_discovered(const nlp::WorkspaceTaxonomy& t, const nlp::Taxonomy& builtin) {
  std::set<std::string> ids;
  for (const auto& [id, name] : t.renamed) ids.insert(id);
  for (const auto& id : t.hidden) ids.insert(id);
  for (const auto& [from, into] : t.merged) {
    ids.insert(from);
    ids.insert(into);
  }
  std::erase_if(ids, [&](const std::string& id) { return builtin.find(id) || t.find_custom(id); });
  return ids;
}

// Visits the period's newest records, at most kSubThemeSample of them, until visit returns true.
Status visit_sample(store::Store& store, const store::FeedbackFilter& period,
                    const std::function<bool(const FeedbackRecord&)>& visit) {
  std::optional<std::string> cursor;
  std::size_t seen = 0;
  do {
    auto page = store.query_feedback(period, std::min(kSamplePage, kSubThemeSample - seen), cursor);
    if (!page) return page.error();
    for (const auto& r : page->items)
      if (visit(r)) return {};
    seen += page->items.size();
    cursor = page->next_cursor;
  } while (cursor && seen < kSubThemeSample);
  return {};
}

// The period's newest records, at most kSubThemeSample of them.
Result<std::vector<FeedbackRecord>> sample_records(store::Store& store, const store::FeedbackFilter& period) {
  std::vector<FeedbackRecord> sample;
  auto visited = visit_sample(store, period, [&](const FeedbackRecord& r) {
    sample.push_back(r);
    return false;
  });
  if (!visited) return visited.error();
  return sample;
}

// Level-2 phrases under their level-1 theme, counted over the sample, less those the workspace's vocabulary
// hides. A single word is shown only under a theme that holds at least half of its placements: a word filed
// under many themes ("note" under sync, search, export and content in a notes app; "order" under a dozen in a
// shop) is what the workspace's feedback is about in general, and says nothing of any one theme.
void add_sub_themes(const std::vector<FeedbackRecord>& sample, const insights::WorkspaceVocabulary& vocabulary,
                    const std::function<std::string(const std::string&)>& parent_id, std::vector<ThemeItem>& items) {
  std::map<std::pair<std::string, std::string>, std::int64_t> counts;
  for (const FeedbackRecord& r : sample) {
    std::set<std::pair<std::string, std::string>> mine;
    for (const auto& [theme, phrase] : r.sub_themes) mine.emplace(parent_id(theme), phrase);
    for (const auto& key : mine) ++counts[key];
  }
  std::map<std::string_view, std::int64_t> word_placements;  // one-word phrases, under every theme
  for (const auto& [key, count] : counts)
    if (key.second.find(' ') == std::string::npos) word_placements[key.second] += count;
  for (const auto& [key, count] : counts) {
    if (auto w = word_placements.find(key.second); w != word_placements.end() && 2 * count < w->second) continue;
    if (vocabulary.hides(key.second)) continue;
    ThemeItem item;
    item.id = item.name = key.second;
    item.level = 2;
    item.parent = key.first;
    item.count = count;
    items.push_back(std::move(item));
  }
}

}  // namespace

Result<std::optional<ThemeItem>> find_sub_theme(store::Store& store, Id workspace_id, const std::string& phrase) {
  store::FeedbackFilter all;
  all.workspace_id = workspace_id;
  std::optional<ThemeItem> found;
  auto searched = visit_sample(store, all, [&](const FeedbackRecord& r) {
    for (const auto& [theme, sub] : r.sub_themes) {
      if (sub != phrase) continue;
      found.emplace();
      found->id = found->name = phrase;
      found->level = 2;
      found->parent = theme;
      return true;
    }
    return false;
  });
  if (!searched) return searched.error();
  return found;
}

Result<nlp::WorkspaceTaxonomy> load_taxonomy(store::Store& store, Id workspace_id) {
  auto doc = store.get_taxonomy(workspace_id);
  if (!doc) return doc.error();
  return nlp::parse_workspace_taxonomy(doc->body, doc->version);
}

Result<nlp::WorkspaceTaxonomy> change_taxonomy(store::Store& store, Id workspace_id,
                                               const std::function<Status(nlp::WorkspaceTaxonomy&)>& change,
                                               bool* changed) {
  for (int attempt = 0;; ++attempt) {
    auto t = load_taxonomy(store, workspace_id);
    if (!t) return t.error();
    const std::string before = nlp::serialise_workspace_taxonomy(*t);
    if (auto s = change(*t); !s) return s.error();
    if (auto s = nlp::validate_workspace_taxonomy(*t); !s) return s.error();
    std::string after = nlp::serialise_workspace_taxonomy(*t);
    if (changed) *changed = after != before;
    if (after == before) return t;
    auto version = store.put_taxonomy(workspace_id, t->version, std::move(after));
    if (version) {
      t->version = *version;
      return t;
    }
    if (version.error().code != ErrorCode::conflict || attempt == 1) return version.error();
  }
}

json::object theme_item_json(const ThemeItem& item) {
  return json::object{{"id", item.id},
                      {"name", item.name},
                      {"level", item.level},
                      {"parent", item.parent ? json::value(*item.parent) : json::value(nullptr)},
                      {"count", item.count},
                      {"custom", item.kind == ThemeKind::custom},
                      {"kind", kind_name(item.kind)},
                      {"hidden", item.hidden},
                      {"merged_into", item.merged_into ? json::value(*item.merged_into) : json::value(nullptr)}};
}

std::optional<ThemeItem> describe_theme(const nlp::WorkspaceTaxonomy& t, const std::string& id) {
  const auto& builtin = nlp::Taxonomy::builtin();
  ThemeItem item;
  item.id = id;
  item.name = t.display_name(id);
  item.hidden = t.hidden.contains(id);
  if (auto it = t.merged.find(id); it != t.merged.end()) item.merged_into = it->second;
  if (const auto* c = t.find_custom(id)) {
    item.kind = ThemeKind::custom;
    item.parent = c->parent;
  } else if (builtin.find(id)) {
    item.kind = ThemeKind::aspect;
  } else if (!mentioned(t, id)) {
    return std::nullopt;
  }
  return item;
}

Result<std::vector<ThemeItem>> list_themes(store::Store& store, const nlp::WorkspaceTaxonomy& t,
                                           const store::FeedbackFilter& period) {
  const auto& builtin = nlp::Taxonomy::builtin();
  std::vector<ThemeItem> items;
  std::map<std::string, std::size_t> by_name, by_id;
  auto add = [&](ThemeItem item) {
    by_name.emplace(item.name, items.size());
    by_id.emplace(item.id, items.size());
    items.push_back(std::move(item));
  };
  for (const auto& a : builtin.aspects()) add(*describe_theme(t, a.id));
  for (const auto& c : t.custom) add(*describe_theme(t, c.id));
  for (const auto& id : mentioned_discovered(t, builtin)) add(*describe_theme(t, id));

  auto stats = store.top_themes(period, kThemeStatsLimit);
  if (!stats) return stats.error();
  // As in insights, what the workspace's own vocabulary makes up (its product, its core noun, a person's name:
  // insights::WorkspaceVocabulary) is not a discovered theme there, at either level.
  auto sample = sample_records(store, period);
  if (!sample) return sample.error();
  const insights::WorkspaceVocabulary vocabulary(*sample);
  // Records carry display names; those not re-analysed since a change may still carry a theme's id.
  for (const auto& s : *stats) {
    std::optional<std::size_t> known;
    if (auto n = by_name.find(s.theme); n != by_name.end())
      known = n->second;
    else if (auto d = by_id.find(s.theme); d != by_id.end())
      known = d->second;
    if (known) {
      items[*known].count += s.count;
      continue;
    }
    if (vocabulary.hides(s.theme)) continue;
    ThemeItem item;
    item.id = item.name = s.theme;
    item.count = s.count;
    add(std::move(item));
  }
  auto parent_id = [&](const std::string& theme) {
    auto it = by_name.find(theme);
    return it == by_name.end() ? theme : items[it->second].id;
  };
  add_sub_themes(*sample, vocabulary, parent_id, items);
  std::stable_sort(items.begin(), items.end(), [](const ThemeItem& a, const ThemeItem& b) {
    if (a.level != b.level) return a.level < b.level;
    if (a.count != b.count) return a.count > b.count;
    return a.name < b.name;
  });
  return items;
}

}  // namespace chorus::api
