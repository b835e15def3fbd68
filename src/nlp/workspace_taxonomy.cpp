// A workspace's theme taxonomy: its stored body, validation, and how it changes a record's themes.
#include "nlp/workspace_taxonomy.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr std::string_view kRegexCharacters = "^$*+?[](){}|\\";

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    next_code_point(s, i);
    ++n;
  }
  return n;
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

Result<std::vector<std::string>> string_list(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return make_error(ErrorCode::internal, std::string(key) + " is not a list");
  for (const auto& x : v->get_array()) {
    if (!x.is_string()) return make_error(ErrorCode::internal, std::string(key) + " holds a non-string");
    out.emplace_back(x.get_string());
  }
  return out;
}

Result<std::map<std::string, std::string>> string_map(const json::object& o, std::string_view key) {
  std::map<std::string, std::string> out;
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_object()) return make_error(ErrorCode::internal, std::string(key) + " is not an object");
  for (const auto& kv : v->get_object()) {
    if (!kv.value().is_string()) return make_error(ErrorCode::internal, std::string(key) + " holds a non-string");
    out.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return out;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

Status validate_name(std::string_view name, std::string_view what) {
  if (name.empty()) return make_error(ErrorCode::bad_request, std::string(what) + " is empty; give the theme a name");
  if (std::size_t n = code_points(name); n > kMaxThemeNameChars)
    return make_error(ErrorCode::bad_request, std::string(what) + " " + quoted(name) + " is " + std::to_string(n) +
                                                  " characters long; keep it to " + std::to_string(kMaxThemeNameChars) +
                                                  " at most");
  return {};
}

Status validate_rules(const CustomTheme& t) {
  const ThemeRules& r = t.rules;
  std::string where = "theme " + quoted(t.name) + ": ";
  if (r.any.empty() && r.all.empty())
    return make_error(ErrorCode::bad_request,
                      where + "rules have no phrase; list at least one phrase in rules.any or rules.all");
  std::size_t total = r.any.size() + r.all.size() + r.none.size();
  if (total > kMaxRulePhrases)
    return make_error(ErrorCode::bad_request, where + "rules have " + std::to_string(total) + " phrases; at most " +
                                                  std::to_string(kMaxRulePhrases) + " across any, all and none");
  for (const auto* list : {&r.any, &r.all, &r.none}) {
    for (const std::string& p : *list) {
      if (p.find_first_not_of(" \t\r\n") == std::string::npos)
        return make_error(ErrorCode::bad_request, where + "a rule phrase is empty; remove it or write the words");
      if (std::size_t n = code_points(p); n > kMaxPhraseChars)
        return make_error(ErrorCode::bad_request, where + "phrase " + quoted(p) + " is " + std::to_string(n) +
                                                      " characters long; keep phrases to " +
                                                      std::to_string(kMaxPhraseChars) + " at most");
      if (auto bad = p.find_first_of(kRegexCharacters); bad != std::string::npos)
        return make_error(ErrorCode::bad_request, where + "phrase " + quoted(p) + " contains '" + p[bad] +
                                                      "': rules match plain words and phrases, not patterns; "
                                                      "write the words themselves (one phrase per variant)");
    }
  }
  for (const std::string& code : r.languages) {
    bool two_letters = code.size() == 2 && code[0] >= 'a' && code[0] <= 'z' && code[1] >= 'a' && code[1] <= 'z';
    if (!two_letters)
      return make_error(ErrorCode::bad_request, where + "language " + quoted(code) +
                                                    " is not a language code; use ISO 639-1, two lowercase "
                                                    "letters such as en, de or ja");
  }
  return {};
}

Status validate_merges(const WorkspaceTaxonomy& t) {
  for (const auto& [from, into] : t.merged) {
    std::string from_name = t.display_name(from), into_name = t.display_name(into);
    if (from == into)
      return make_error(ErrorCode::bad_request, "a theme cannot be merged into itself (" + from_name + ")");
    if (t.hidden.contains(into))
      return make_error(ErrorCode::bad_request, quoted(from_name) + " would be merged into " + quoted(into_name) +
                                                    ", which is hidden: show " + quoted(into_name) +
                                                    " again, or merge " + quoted(from_name) + " into another theme");
    if (auto it = t.merged.find(into); it != t.merged.end())
      return make_error(ErrorCode::bad_request,
                        quoted(from_name) + " would be merged into " + quoted(into_name) +
                            ", which is itself merged into " + quoted(t.display_name(it->second)) + ": merge " +
                            quoted(from_name) + " into " + quoted(t.display_name(it->second)) + " instead");
  }
  return {};
}

}  // namespace

const CustomTheme* WorkspaceTaxonomy::find_custom(std::string_view id) const {
  for (const auto& c : custom)
    if (c.id == id) return &c;
  return nullptr;
}

CustomTheme* WorkspaceTaxonomy::find_custom(std::string_view id) {
  for (auto& c : custom)
    if (c.id == id) return &c;
  return nullptr;
}

std::string WorkspaceTaxonomy::display_name(std::string_view id) const {
  if (const auto* c = find_custom(id)) return c->name;
  if (auto it = renamed.find(std::string(id)); it != renamed.end()) return it->second;
  return std::string(id);
}

std::string WorkspaceTaxonomy::resolve(std::string_view id) const {
  auto it = merged.find(std::string(id));
  return it == merged.end() ? std::string(id) : it->second;
}

std::string normalise_theme_name(std::string_view name) {
  std::string out;
  bool space = false;
  for (char c : to_lower_utf8(name)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

Result<WorkspaceTaxonomy> parse_workspace_taxonomy(std::string_view body, std::int64_t version) {
  auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object())
    return make_error(ErrorCode::internal, "the stored taxonomy is not a JSON object");
  const json::object& o = parsed->get_object();
  WorkspaceTaxonomy t;
  t.version = version;
  if (auto n = get_int(*parsed, "next_custom")) t.next_custom = *n;
  auto fail = [](const Error& e) { return make_error(ErrorCode::internal, "the stored taxonomy: " + e.message); };
  if (const json::value* list = o.if_contains("custom"); list && list->is_array()) {
    for (const auto& item : list->get_array()) {
      if (!item.is_object())
        return make_error(ErrorCode::internal, "the stored taxonomy: a custom theme is not an object");
      CustomTheme c;
      c.id = get_string(item, "id").value_or("");
      c.name = get_string(item, "name").value_or("");
      c.parent = get_string(item, "parent");
      const json::value* rules = item.get_object().if_contains("rules");
      if (rules && rules->is_object()) {
        const json::object& r = rules->get_object();
        auto any = string_list(r, "any"), all = string_list(r, "all"), none = string_list(r, "none"),
             languages = string_list(r, "languages");
        for (const auto* l : {&any, &all, &none, &languages})
          if (!*l) return fail(l->error());
        c.rules = ThemeRules{*any, *all, *none, *languages};
      }
      t.custom.push_back(std::move(c));
    }
  }
  auto renamed = string_map(o, "renamed");
  if (!renamed) return fail(renamed.error());
  t.renamed = std::move(*renamed);
  auto merged = string_map(o, "merged");
  if (!merged) return fail(merged.error());
  t.merged = std::move(*merged);
  auto hidden = string_list(o, "hidden");
  if (!hidden) return fail(hidden.error());
  t.hidden.insert(hidden->begin(), hidden->end());
  return t;
}

std::string serialise_workspace_taxonomy(const WorkspaceTaxonomy& t) {
  json::array custom;
  for (const auto& c : t.custom) {
    json::object rules{{"any", to_array(c.rules.any)},
                       {"all", to_array(c.rules.all)},
                       {"none", to_array(c.rules.none)},
                       {"languages", to_array(c.rules.languages)}};
    custom.push_back(json::object{{"id", c.id},
                                  {"name", c.name},
                                  {"parent", c.parent ? json::value(*c.parent) : json::value(nullptr)},
                                  {"rules", std::move(rules)}});
  }
  json::object renamed, merged;
  for (const auto& [k, v] : t.renamed) renamed[k] = v;
  for (const auto& [k, v] : t.merged) merged[k] = v;
  return to_json_string(json::object{{"next_custom", t.next_custom},
                                     {"custom", std::move(custom)},
                                     {"renamed", std::move(renamed)},
                                     {"hidden", to_array({t.hidden.begin(), t.hidden.end()})},
                                     {"merged", std::move(merged)}});
}

Status validate_workspace_taxonomy(const WorkspaceTaxonomy& t, const Taxonomy& builtin) {
  if (t.custom.size() > kMaxCustomThemes)
    return make_error(ErrorCode::bad_request, "a workspace has at most " + std::to_string(kMaxCustomThemes) +
                                                  " custom themes; delete or merge some first");
  for (const auto& c : t.custom) {
    if (auto s = validate_name(c.name, "the name of theme " + c.id); !s) return s;
    if (c.parent && !builtin.find(*c.parent))
      return make_error(ErrorCode::bad_request, "theme " + quoted(c.name) + ": parent " + quoted(*c.parent) +
                                                    " is not a built-in aspect; use an aspect id or null");
    if (auto s = validate_rules(c); !s) return s;
  }
  for (const auto& [id, name] : t.renamed)
    if (auto s = validate_name(name, "the new name of " + quoted(id)); !s) return s;

  // Every name a record could carry belongs to one theme only, or two themes would silently become one.
  std::map<std::string, std::string> owner;  // display name -> theme id
  std::vector<std::string> ids;
  for (const auto& a : builtin.aspects()) ids.push_back(a.id);
  for (const auto& c : t.custom) ids.push_back(c.id);
  for (const auto& [id, name] : t.renamed)
    if (!builtin.find(id)) ids.push_back(id);
  for (const auto& id : ids) {
    std::string name = t.display_name(id);
    auto [it, fresh] = owner.emplace(name, id);
    if (!fresh && it->second != id)
      return make_error(ErrorCode::bad_request, "the name " + quoted(name) + " is already used by the theme " +
                                                    quoted(it->second) +
                                                    "; choose another name, or merge into that theme");
  }
  return validate_merges(t);
}

TaxonomyApplier::TaxonomyApplier(WorkspaceTaxonomy taxonomy) : taxonomy_(std::move(taxonomy)) {
  for (std::size_t i = 0; i < taxonomy_.custom.size(); ++i) {
    const ThemeRules& r = taxonomy_.custom[i].rules;
    for (const auto& p : r.any) phrases_.push_back({i, PhraseRef::any, p});
    for (const auto& p : r.all) phrases_.push_back({i, PhraseRef::all, p});
    for (const auto& p : r.none) phrases_.push_back({i, PhraseRef::none, p});
  }
}

const PhraseMatcher& TaxonomyApplier::matcher_for(const std::string& language_code) const {
  auto& slot = matchers_[language_code];
  if (slot) return *slot;
  slot = std::make_unique<PhraseMatcher>();
  for (std::size_t tag = 0; tag < phrases_.size(); ++tag) {
    // In the record's language and in English, as the built-in aspects are looked for.
    slot->add(language_code, phrases_[tag].phrase, tag);
    if (language_code != "en") slot->add("en", phrases_[tag].phrase, tag);
  }
  return *slot;
}

std::vector<std::string> TaxonomyApplier::matching_custom(const FeedbackRecord& record,
                                                          std::string_view analysis_text) const {
  std::vector<std::string> out;
  if (taxonomy_.custom.empty()) return out;
  const std::string& lang = record.language_code.empty() ? std::string("un") : record.language_code;
  const PhraseMatcher& matcher = matcher_for(lang);
  std::string title_and_text;
  if (record.title) title_and_text.append(*record.title).push_back('\n');
  title_and_text.append(analysis_text);
  PhraseMatcher::Text text(title_and_text);
  std::vector<std::string_view> languages{lang};
  if (lang != "en") languages.push_back("en");
  std::vector<std::size_t> hits = matcher.find(text, languages);
  std::set<std::size_t> found(hits.begin(), hits.end());
  // Per theme: any phrase seen, all phrases seen, a "none" phrase seen.
  std::vector<int> any_hits(taxonomy_.custom.size(), 0), all_hits(taxonomy_.custom.size(), 0),
      none_hits(taxonomy_.custom.size(), 0);
  for (std::size_t tag = 0; tag < phrases_.size(); ++tag) {
    if (!found.contains(tag)) continue;
    const PhraseRef& ref = phrases_[tag];
    (ref.kind == PhraseRef::any ? any_hits : ref.kind == PhraseRef::all ? all_hits : none_hits)[ref.theme]++;
  }
  for (std::size_t i = 0; i < taxonomy_.custom.size(); ++i) {
    const CustomTheme& c = taxonomy_.custom[i];
    const ThemeRules& r = c.rules;
    if (!r.languages.empty() && std::find(r.languages.begin(), r.languages.end(), lang) == r.languages.end()) continue;
    bool any_ok = r.any.empty() || any_hits[i] > 0;
    bool all_ok = all_hits[i] == static_cast<int>(r.all.size());
    if (any_ok && all_ok && none_hits[i] == 0 && !(r.any.empty() && r.all.empty())) out.push_back(c.id);
  }
  return out;
}

void TaxonomyApplier::apply(FeedbackRecord& record, std::string_view analysis_text) const {
  const WorkspaceTaxonomy& t = taxonomy_;
  std::vector<std::string> ids = matching_custom(record, analysis_text);
  ids.insert(ids.end(), record.themes.begin(), record.themes.end());
  // A theme's final name, or nothing when it (or what it is merged into) is hidden.
  auto final_name = [&](const std::string& id) -> std::optional<std::string> {
    if (t.hidden.contains(id)) return std::nullopt;
    std::string target = t.resolve(id);
    if (t.hidden.contains(target)) return std::nullopt;
    return t.display_name(target);
  };
  // Level-2 phrases follow the same edits by their own id: hidden ones go, renamed ones take their new name,
  // one merged into another phrase becomes it, and one merged into a level-1 theme becomes that theme.
  std::vector<std::pair<std::string, std::string>> sub_themes;
  for (const auto& [theme, phrase] : record.sub_themes) {
    auto parent = final_name(theme);
    if (!parent) continue;
    std::string target = t.resolve(phrase);
    if (t.hidden.contains(phrase) || t.hidden.contains(target)) continue;
    if (target != phrase && (Taxonomy::builtin().find(target) || t.find_custom(target))) {
      ids.push_back(target);
      continue;
    }
    std::pair<std::string, std::string> sub{*parent, t.display_name(target)};
    if (std::find(sub_themes.begin(), sub_themes.end(), sub) == sub_themes.end()) sub_themes.push_back(std::move(sub));
  }
  std::vector<std::string> themes;
  for (const std::string& id : ids) {
    auto name = final_name(id);
    if (name && std::find(themes.begin(), themes.end(), *name) == themes.end()) themes.push_back(std::move(*name));
  }
  if (themes.size() > kMaxRecordThemes) themes.resize(kMaxRecordThemes);
  record.themes = std::move(themes);
  record.sub_themes = std::move(sub_themes);
  record.taxonomy_version = t.version;
}

void apply(const WorkspaceTaxonomy& taxonomy, FeedbackRecord& record, std::string_view analysis_text) {
  TaxonomyApplier(taxonomy).apply(record, analysis_text);
}

}  // namespace chorus::nlp
