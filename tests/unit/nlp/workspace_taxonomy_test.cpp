// A workspace's taxonomy: rule themes matched by any/all/none/languages, merges, renames and hidden themes
// applied to a record's themes and sub-themes, the stored body's round trip, and validation messages.
#include "nlp/workspace_taxonomy.hpp"

#include <gtest/gtest.h>

namespace chorus::nlp {
namespace {

CustomTheme rule_theme(std::string id, std::string name, ThemeRules rules) {
  CustomTheme c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.rules = std::move(rules);
  return c;
}

FeedbackRecord record(std::string text, std::vector<std::string> themes = {}, std::string language = "en") {
  FeedbackRecord r;
  r.text = std::move(text);
  r.themes = std::move(themes);
  r.language_code = std::move(language);
  return r;
}

std::vector<std::string> themes_after(const WorkspaceTaxonomy& t, FeedbackRecord r) {
  apply(t, r, r.text);
  return r.themes;
}

using Themes = std::vector<std::string>;

TEST(WorkspaceTaxonomy, AnyRuleMatchesByStemAndComesFirst) {
  WorkspaceTaxonomy t;
  t.custom.push_back(rule_theme("c1", "invoices", {{"invoice", "billing statement"}, {}, {}, {}}));
  EXPECT_EQ(themes_after(t, record("My invoices are wrong again", {"pricing"})), (Themes{"invoices", "pricing"}));
  EXPECT_EQ(themes_after(t, record("Where is my billing statement?")), (Themes{"invoices"}));
  EXPECT_EQ(themes_after(t, record("The app is slow", {"performance"})), (Themes{"performance"}));
}

TEST(WorkspaceTaxonomy, TitleCountsAsText) {
  WorkspaceTaxonomy t;
  t.custom.push_back(rule_theme("c1", "invoices", {{"invoice"}, {}, {}, {}}));
  auto r = record("it is wrong");
  r.title = "Invoice problem";
  apply(t, r, r.text);
  EXPECT_EQ(r.themes, (Themes{"invoices"}));
}

TEST(WorkspaceTaxonomy, AllNoneAndLanguagesNarrowTheMatch) {
  WorkspaceTaxonomy t;
  t.custom.push_back(rule_theme("c1", "dark mode on ios", {{}, {"dark mode", "iphone"}, {"android"}, {"en"}}));
  EXPECT_EQ(themes_after(t, record("Dark mode on my iPhone is broken")), (Themes{"dark mode on ios"}));
  EXPECT_EQ(themes_after(t, record("Dark mode is broken")), Themes{});                         // not every phrase
  EXPECT_EQ(themes_after(t, record("Dark mode on iPhone and Android")), Themes{});             // a "none" phrase
  EXPECT_EQ(themes_after(t, record("Dark mode on my iPhone is broken", {}, "de")), Themes{});  // another language
}

TEST(WorkspaceTaxonomy, MergesRenamesAndHiddenThemesShapeTheNames) {
  WorkspaceTaxonomy t;
  t.version = 7;
  t.renamed = {{"sync", "syncing"}};
  t.merged = {{"login loop", "sync"}};
  t.hidden = {"crashes"};
  auto r = record("text", {"login loop", "sync", "crashes", "pricing"});
  r.sub_themes = {{"sync", "calendar"}, {"crashes", "pdf"}, {"login loop", "calendar"}};
  apply(t, r, r.text);
  EXPECT_EQ(r.themes, (Themes{"syncing", "pricing"}));  // merged and renamed to one name, once; hidden dropped
  std::vector<std::pair<std::string, std::string>> subs{{"syncing", "calendar"}};
  EXPECT_EQ(r.sub_themes, subs);
  EXPECT_EQ(r.taxonomy_version, 7);
}

TEST(WorkspaceTaxonomy, LevelTwoPhrasesAreHiddenRenamedAndMergedByTheirOwnId) {
  WorkspaceTaxonomy t;
  t.hidden = {"dark theme"};
  t.renamed = {{"price increase", "price rise"}};
  t.merged = {{"price hike", "price increase"}, {"sync button", "sync"}};
  auto r = record("text", {"pricing", "ui design"});
  r.sub_themes = {{"ui design", "dark theme"},
                  {"pricing", "price increase"},
                  {"pricing", "price hike"},
                  {"ui design", "sync button"},
                  {"ui design", "font size"}};
  apply(t, r, r.text);
  // The hidden phrase is gone, the two price phrases are one under its new name, and the phrase merged into
  // an aspect makes the record carry that aspect.
  std::vector<std::pair<std::string, std::string>> subs{{"pricing", "price rise"}, {"ui design", "font size"}};
  EXPECT_EQ(r.sub_themes, subs);
  EXPECT_EQ(r.themes, (Themes{"pricing", "ui design", "sync"}));
}

TEST(WorkspaceTaxonomy, AMergeIntoAHiddenThemeIsDroppedAndAtMostFiveThemesStay) {
  WorkspaceTaxonomy t;
  t.hidden = {"b"};
  t.merged = {{"a", "b"}};
  EXPECT_EQ(themes_after(t, record("x", {"a", "c"})), (Themes{"c"}));
  WorkspaceTaxonomy none;
  EXPECT_EQ(themes_after(none, record("x", {"a", "b", "c", "d", "e", "f"})).size(), 5u);
  WorkspaceTaxonomy many;
  many.custom.push_back(rule_theme("c1", "mine", {{"x"}, {}, {}, {}}));
  EXPECT_EQ(themes_after(many, record("x", {"a", "b", "c", "d", "e"})), (Themes{"mine", "a", "b", "c", "d"}));
}

TEST(WorkspaceTaxonomy, BodyRoundTrips) {
  WorkspaceTaxonomy t;
  t.next_custom = 3;
  auto c = rule_theme("c2", "invoices", {{"invoice"}, {"wrong"}, {"refund"}, {"en", "de"}});
  c.parent = "pricing";
  t.custom.push_back(c);
  t.renamed = {{"sync", "syncing"}};
  t.hidden = {"crashes"};
  t.merged = {{"login loop", "sync"}};
  auto back = parse_workspace_taxonomy(serialise_workspace_taxonomy(t), 4);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->version, 4);
  EXPECT_EQ(back->next_custom, 3);
  ASSERT_EQ(back->custom.size(), 1u);
  EXPECT_EQ(back->custom[0].parent, std::optional<std::string>("pricing"));
  EXPECT_EQ(back->custom[0].rules.languages, (Themes{"en", "de"}));
  EXPECT_EQ(back->custom[0].rules.none, (Themes{"refund"}));
  EXPECT_EQ(back->renamed, t.renamed);
  EXPECT_EQ(back->hidden, t.hidden);
  EXPECT_EQ(back->merged, t.merged);
  EXPECT_TRUE(parse_workspace_taxonomy("{}", 0)->empty());
  EXPECT_FALSE(parse_workspace_taxonomy("[1]", 0));
}

TEST(WorkspaceTaxonomy, NamesAreNormalised) {
  EXPECT_EQ(normalise_theme_name("  Annual   Billing "), "annual billing");
  EXPECT_EQ(normalise_theme_name(""), "");
}

std::string problem(const WorkspaceTaxonomy& t) {
  auto s = validate_workspace_taxonomy(t);
  return s ? "" : s.error().message;
}

TEST(WorkspaceTaxonomy, ValidationSaysWhatToFix) {
  auto with = [](CustomTheme c) {
    WorkspaceTaxonomy t;
    t.custom.push_back(std::move(c));
    return t;
  };
  EXPECT_EQ(problem(with(rule_theme("c1", "invoices", {{"invoice"}, {}, {}, {"en"}}))), "");
  EXPECT_NE(problem(with(rule_theme("c1", "", {{"invoice"}, {}, {}, {}}))).find("empty"), std::string::npos);
  EXPECT_NE(problem(with(rule_theme("c1", std::string(61, 'a'), {{"x"}, {}, {}, {}}))).find("61 characters"),
            std::string::npos);
  EXPECT_NE(problem(with(rule_theme("c1", "n", {{}, {}, {"x"}, {}}))).find("no phrase"), std::string::npos);
  EXPECT_NE(problem(with(rule_theme("c1", "n", {Themes(51, "x"), {}, {}, {}}))).find("51 phrases"), std::string::npos);
  EXPECT_NE(problem(with(rule_theme("c1", "n", {{std::string(81, 'x')}, {}, {}, {}}))).find("81 characters"),
            std::string::npos);
  EXPECT_NE(problem(with(rule_theme("c1", "n", {{"invoice.*"}, {}, {}, {}}))).find("not patterns"), std::string::npos);
  EXPECT_NE(problem(with(rule_theme("c1", "n", {{"a|b"}, {}, {}, {}}))).find("'|'"), std::string::npos);
  EXPECT_NE(problem(with(rule_theme("c1", "n", {{"x"}, {}, {}, {"EN"}}))).find("two lowercase letters"),
            std::string::npos);
  EXPECT_NE(problem(with(rule_theme("c1", "n", {{"x"}, {}, {}, {"eng"}}))).find("\"eng\""), std::string::npos);
  auto parented = rule_theme("c1", "n", {{"x"}, {}, {}, {}});
  parented.parent = "no such aspect";
  EXPECT_NE(problem(with(parented)).find("not a built-in aspect"), std::string::npos);
}

TEST(WorkspaceTaxonomy, NamesAreUniqueAcrossAspectsCustomThemesAndRenames) {
  const auto& aspects = Taxonomy::builtin().aspects();
  ASSERT_GE(aspects.size(), 2u);
  WorkspaceTaxonomy clash;
  clash.custom.push_back(rule_theme("c1", aspects[0].id, {{"x"}, {}, {}, {}}));
  EXPECT_NE(problem(clash).find("already used"), std::string::npos);
  WorkspaceTaxonomy renamed;
  renamed.renamed = {{aspects[1].id, aspects[0].id}};
  EXPECT_NE(problem(renamed).find("already used"), std::string::npos);
  // The theme that has the name is named; the one asking for it is the change being made.
  EXPECT_NE(problem(renamed).find("already used by the theme \"" + aspects[0].id + "\""), std::string::npos)
      << problem(renamed);
  WorkspaceTaxonomy two;
  two.custom.push_back(rule_theme("c1", "same", {{"x"}, {}, {}, {}}));
  two.custom.push_back(rule_theme("c2", "same", {{"y"}, {}, {}, {}}));
  EXPECT_NE(problem(two).find("already used"), std::string::npos);
  WorkspaceTaxonomy swapped;  // renaming an aspect frees its id as a name
  swapped.renamed = {{aspects[0].id, "something else"}};
  swapped.custom.push_back(rule_theme("c1", aspects[0].id, {{"x"}, {}, {}, {}}));
  EXPECT_EQ(problem(swapped), "");
}

TEST(WorkspaceTaxonomy, MergesMustEndAtAVisibleTheme) {
  WorkspaceTaxonomy self;
  self.merged = {{"sync", "sync"}};
  EXPECT_NE(problem(self).find("into itself"), std::string::npos);
  WorkspaceTaxonomy hidden;
  hidden.merged = {{"a", "b"}};
  hidden.hidden = {"b"};
  EXPECT_NE(problem(hidden).find("hidden"), std::string::npos);
  WorkspaceTaxonomy chain;
  chain.merged = {{"a", "b"}, {"b", "c"}};
  EXPECT_NE(problem(chain).find("itself merged"), std::string::npos);
}

}  // namespace
}  // namespace chorus::nlp
