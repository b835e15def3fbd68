// The taxonomy routes through the router as `chorus serve` wires them: listing with counts, creating, renaming,
// hiding, merging and deleting themes, every bad input with its status and message, tenant scoping, and the
// version and re-analysis job every change starts.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "bus/bus.hpp"
#include "nlp/taxonomy.hpp"
#include "unit/api/wired_api.hpp"

namespace chorus::api {
namespace {

class ThemeRoutes : public TwoTenantApi {
 protected:
  void SetUp() override {
    TwoTenantApi::SetUp();
    if (HasFatalFailure()) return;
    store::Source src;
    src.workspace_id = std::stoll(ws_);
    src.type = "jsonl";
    src.name = "survey";
    src.sealed_secrets = "sealed";
    source_ = store_->create_source(src)->id;
    aspect_ = nlp::Taxonomy::builtin().aspects().at(0).id;
    other_aspect_ = nlp::Taxonomy::builtin().aspects().at(1).id;
    // Records as the NLP left them: two carry a discovered theme with a space in it.
    seed(1, {aspect_, "login loop"}, {{aspect_, "calendar"}, {aspect_, "export"}});
    seed(2, {"login loop"});
    seed(3, {other_aspect_}, {{other_aspect_, "calendar"}});
  }
  void seed(std::int64_t uid, std::vector<std::string> themes,
            std::vector<std::pair<std::string, std::string>> sub_themes = {}, std::string text = "") {
    FeedbackRecord r;
    r.unique_identifier = uid;
    r.workspace_id = std::stoll(ws_);
    r.source_id = source_;
    r.customer_id = 1;
    r.source_type = "jsonl";
    r.external_id = std::to_string(uid);
    r.text = text.empty() ? "text " + std::to_string(uid) : std::move(text);
    r.timestamp = r.received_at = *parse_time("2026-03-10T00:00:00Z") + uid;
    r.themes = std::move(themes);
    r.sub_themes = std::move(sub_themes);
    store::PageCommit page;
    page.workspace_id = r.workspace_id;
    page.source_id = source_;
    page.records = {r};
    auto stored = store_->commit_page(page);
    ASSERT_TRUE(stored) << stored.error().message;
    ASSERT_TRUE(store_->apply_rollups(*stored));
  }

  std::string themes() { return "/v1/workspaces/" + ws_ + "/themes"; }
  std::string theme(const std::string& id) { return themes() + "/" + http::percent_encode(id); }

  // The listed item with this id at this level (null when absent).
  json::value item(const std::string& id, int level = 1, const std::string& query = "") {
    auto r = call("GET", themes() + query);
    EXPECT_EQ(r.status, 200) << r.raw;
    if (!r.body.is_object()) return nullptr;
    for (const auto& i : r.body.at("items").as_array())
      if (i.at("id").as_string() == id && i.at("level").as_int64() == level) return i;
    return nullptr;
  }
  std::int64_t version() { return call("GET", themes()).body.at("taxonomy_version").as_int64(); }
  std::string aspect_, other_aspect_;
  Id source_ = 0;
};

constexpr const char* kInvoices = R"({"name":"Invoices","parent":null,"rules":{"any":["invoice"],"languages":["en"]}})";

TEST_F(ThemeRoutes, ListsAspectsAndDiscoveredThemesWithCounts) {
  auto r = call("GET", themes());
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body.at("taxonomy_version").as_int64(), 0);
  std::size_t level1 = 0;
  for (const auto& i : r.body.at("items").as_array()) level1 += i.at("level").as_int64() == 1;
  EXPECT_GE(level1, nlp::Taxonomy::builtin().aspects().size() + 1);
  auto aspect = item(aspect_);
  ASSERT_TRUE(aspect.is_object());
  EXPECT_EQ(aspect.at("count").as_int64(), 1);
  EXPECT_EQ(aspect.at("custom").as_bool(), false);
  EXPECT_EQ(aspect.at("hidden").as_bool(), false);
  auto discovered = item("login loop");
  ASSERT_TRUE(discovered.is_object());
  EXPECT_EQ(discovered.at("count").as_int64(), 2);
  // The first item is the most common one.
  EXPECT_EQ(r.body.at("items").as_array().at(0).at("id").as_string(), "login loop");
  // Outside the records' period nothing counts.
  EXPECT_EQ(item(aspect_, 1, "?from=2026-04-01T00:00:00Z").at("count").as_int64(), 0);
  EXPECT_EQ(call("GET", themes() + "?from=yesterday").status, 400);
}

TEST_F(ThemeRoutes, ListsLevelTwoPhrasesUnderTheirTheme) {
  json::array level2;
  auto listed = call("GET", themes());
  for (const auto& i : listed.body.at("items").as_array())
    if (i.at("level").as_int64() == 2) level2.push_back(i);
  ASSERT_EQ(level2.size(), 3u) << json::serialize(level2);
  std::map<std::pair<std::string, std::string>, std::int64_t> counts;
  for (const auto& i : level2)
    counts[{std::string(i.at("parent").as_string()), std::string(i.at("id").as_string())}] = i.at("count").as_int64();
  EXPECT_EQ((counts[{aspect_, "calendar"}]), 1);
  EXPECT_EQ((counts[{aspect_, "export"}]), 1);
  EXPECT_EQ((counts[{other_aspect_, "calendar"}]), 1);
  // Level 1 comes first.
  EXPECT_EQ(call("GET", themes()).body.at("items").as_array().back().at("level").as_int64(), 2);
}

// A single word filed under several themes is shown only under a theme holding at least half of its placements;
// a phrase of several words is shown under every theme it was filed under.
TEST_F(ThemeRoutes, AWordFiledUnderManyThemesIsShownOnlyWhereMostOfItIs) {
  const std::string third = nlp::Taxonomy::builtin().aspects().at(2).id;
  seed(4, {aspect_}, {{aspect_, "widget"}, {aspect_, "home screen"}});
  seed(5, {aspect_}, {{aspect_, "widget"}, {aspect_, "note"}});
  seed(6, {other_aspect_}, {{other_aspect_, "widget"}, {other_aspect_, "note"}, {other_aspect_, "home screen"}});
  seed(7, {third}, {{third, "widget"}, {third, "note"}, {third, "home screen"}});
  // "widget": 2 of its 4 placements under aspect_, 1 under each of the others.
  auto widget = item("widget", 2);
  ASSERT_TRUE(widget.is_object());
  EXPECT_EQ(widget.at("parent").as_string(), aspect_);
  EXPECT_EQ(widget.at("count").as_int64(), 2);
  std::map<std::string, std::int64_t> note_parents, screen_parents;
  const auto listed = call("GET", themes());
  ASSERT_EQ(listed.status, 200) << listed.raw;
  for (const auto& i : listed.body.at("items").as_array()) {
    if (i.at("level").as_int64() != 2) continue;
    if (i.at("id").as_string() == "widget") {
      EXPECT_EQ(i.at("parent").as_string(), aspect_);
    }
    if (i.at("id").as_string() == "note") ++note_parents[std::string(i.at("parent").as_string())];
    if (i.at("id").as_string() == "home screen") ++screen_parents[std::string(i.at("parent").as_string())];
  }
  EXPECT_TRUE(note_parents.empty());  // one placement under each of three themes: none holds half
  EXPECT_EQ(screen_parents.size(), 3u);
  // "calendar" of SetUp, once under each of two themes, holds half under each and stays under both.
  std::size_t calendars = 0;
  for (const auto& i : listed.body.at("items").as_array())
    calendars += i.at("level").as_int64() == 2 && i.at("id").as_string() == "calendar";
  EXPECT_EQ(calendars, 2u);
}

// A theme made of the workspace's own vocabulary (here its product's name, in half its records) is not a
// discovered theme there, at level 1 or 2; the other themes stay.
TEST_F(ThemeRoutes, ThemesOfTheWorkspacesOwnVocabularyAreLeftOut) {
  for (std::int64_t uid : {4, 5, 6})
    seed(uid, {aspect_, "lumo sync"}, {{aspect_, "lumo notes"}, {aspect_, "shared folders"}},
         "my lumo notes " + std::to_string(uid));
  EXPECT_TRUE(item("lumo sync").is_null());
  EXPECT_TRUE(item("lumo notes", 2).is_null());
  EXPECT_EQ(item("login loop").at("count").as_int64(), 2);
  auto shared = item("shared folders", 2);
  ASSERT_TRUE(shared.is_object());
  EXPECT_EQ(shared.at("count").as_int64(), 3);
  EXPECT_TRUE(item("calendar", 2).is_object());
}

TEST_F(ThemeRoutes, RecordsNotYetReanalysedStillCountForTheRenamedTheme) {
  ASSERT_EQ(call("PATCH", theme("login loop"), R"({"name":"login problems"})").status, 200);
  auto renamed = item("login loop");
  ASSERT_TRUE(renamed.is_object());
  EXPECT_EQ(renamed.at("name").as_string(), "login problems");
  EXPECT_EQ(renamed.at("count").as_int64(), 2);  // the rollups still say "login loop"
  EXPECT_TRUE(item("login problems").is_null());  // and it is listed once, under its id
}

TEST_F(ThemeRoutes, ConcurrentChangesAreAllKeptOrRefusedAsConflicts) {
  constexpr int kWriters = 8;
  std::vector<int> status(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] {
      std::string body = R"({"name":"theme )" + std::to_string(i) + R"(","rules":{"any":["word)" + std::to_string(i) +
                         R"("]}})";
      status[i] = call("POST", themes(), body).status;
    });
  for (auto& t : writers) t.join();
  int created = 0;
  for (int s : status) {
    EXPECT_TRUE(s == 201 || s == 409) << s;
    created += s == 201;
  }
  EXPECT_GE(created, 2);  // a lost race is retried once before it is a conflict
  EXPECT_EQ(version(), created);
  int custom = 0;
  auto listed = call("GET", themes());
  for (const auto& i : listed.body.at("items").as_array()) custom += i.at("custom").as_bool();
  EXPECT_EQ(custom, created);
}

TEST_F(ThemeRoutes, CreatesARuleThemeAndBumpsTheVersion) {
  auto r = call("POST", themes(), kInvoices);
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body.at("id").as_string(), "c1");
  EXPECT_EQ(r.body.at("name").as_string(), "invoices");
  EXPECT_EQ(r.body.at("custom").as_bool(), true);
  EXPECT_EQ(r.body.at("level").as_int64(), 1);
  EXPECT_EQ(r.body.at("taxonomy_version").as_int64(), 1);
  // The change starts a re-analysis of the stored records, whose progress has its own route.
  std::string job(r.body.at("reanalysis").at("job_id").as_string());
  EXPECT_EQ(call("GET", "/v1/workspaces/" + ws_ + "/reanalyze/" + job).status, 200);
  auto second =
      call("POST", themes(), R"({"name":"partial refunds","parent":")" + aspect_ + R"(","rules":{"any":["partial refund"]}})");
  ASSERT_EQ(second.status, 201) << second.raw;
  EXPECT_EQ(second.body.at("id").as_string(), "c2");
  EXPECT_EQ(second.body.at("parent").as_string(), aspect_);
  EXPECT_EQ(version(), 2);
  EXPECT_TRUE(item("c1").is_object());
}

TEST_F(ThemeRoutes, RenamesHidesAndMergesEveryKindOfTheme) {
  ASSERT_EQ(call("POST", themes(), kInvoices).status, 201);
  auto renamed = call("PATCH", theme("login loop"), R"({"name":"Login Problems"})");
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_EQ(renamed.body.at("id").as_string(), "login loop");
  EXPECT_EQ(renamed.body.at("name").as_string(), "login problems");
  EXPECT_EQ(item("login loop").at("name").as_string(), "login problems");

  auto custom = call("PATCH", theme("c1"), R"({"name":"billing documents"})");
  ASSERT_EQ(custom.status, 200) << custom.raw;
  EXPECT_EQ(item("c1").at("name").as_string(), "billing documents");

  auto hidden = call("PATCH", theme(aspect_), R"({"hidden":true})");
  ASSERT_EQ(hidden.status, 200) << hidden.raw;
  EXPECT_EQ(item(aspect_).at("hidden").as_bool(), true);
  ASSERT_EQ(call("PATCH", theme(aspect_), R"({"hidden":false})").status, 200);

  auto merged = call("PATCH", theme("login loop"), R"({"merge_into":")" + other_aspect_ + "\"}");
  ASSERT_EQ(merged.status, 200) << merged.raw;
  EXPECT_EQ(merged.body.at("merged_into").as_string(), other_aspect_);
  auto undone = call("PATCH", theme("login loop"), R"({"merge_into":null})");
  ASSERT_EQ(undone.status, 200) << undone.raw;
  EXPECT_TRUE(undone.body.at("merged_into").is_null());
  EXPECT_EQ(version(), 7);
  // Asking for what already is (undoing a merge that is undone, hiding a hidden theme) makes no version and
  // starts no re-analysis.
  auto again = call("PATCH", theme("login loop"), R"({"merge_into":null})");
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_TRUE(again.body.at("reanalysis").is_null()) << again.raw;
  EXPECT_EQ(again.body.at("taxonomy_version").as_int64(), 7);
  EXPECT_EQ(version(), 7);
  EXPECT_FALSE(undone.body.at("reanalysis").is_null()) << undone.raw;
  // Renaming back to its own id drops the rename.
  ASSERT_EQ(call("PATCH", theme("login loop"), R"({"name":"login loop"})").status, 200);
  EXPECT_EQ(item("login loop").at("name").as_string(), "login loop");
  EXPECT_EQ(version(), 8);
}

TEST_F(ThemeRoutes, LevelTwoPhrasesCanBeRenamedHiddenAndMerged) {
  // "export" and "calendar" are only ever level-2 phrases here. The first change names both while the records
  // still carry them (each change starts a re-analysis, which re-reads the seeded texts); after it the
  // taxonomy itself mentions them.
  auto merged = call("PATCH", theme("calendar"), R"({"merge_into":"export"})");
  ASSERT_EQ(merged.status, 200) << merged.raw;
  EXPECT_EQ(merged.body.at("merged_into").as_string(), "export");
  auto renamed = call("PATCH", theme("export"), R"({"name":"csv export"})");
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_EQ(renamed.body.at("name").as_string(), "csv export");
  auto hidden = call("PATCH", theme("calendar"), R"({"hidden":true})");
  ASSERT_EQ(hidden.status, 200) << hidden.raw;
  EXPECT_EQ(hidden.body.at("hidden").as_bool(), true);
  // A phrase no record carries is still not found, and nothing changed for it.
  auto unknown = call("PATCH", theme("no such phrase"), R"({"hidden":true})");
  EXPECT_EQ(unknown.status, 404) << unknown.raw;
  EXPECT_EQ(version(), 3);
}

TEST_F(ThemeRoutes, DeletesCustomThemesOnly) {
  ASSERT_EQ(call("POST", themes(), kInvoices).status, 201);
  ASSERT_EQ(call("PATCH", theme("login loop"), R"({"merge_into":"c1"})").status, 200);
  auto gone = call("DELETE", theme("c1"));
  EXPECT_EQ(gone.status, 204) << gone.raw;
  EXPECT_TRUE(item("c1").is_null());
  EXPECT_TRUE(item("login loop").at("merged_into").is_null());  // what was merged into it comes back
  EXPECT_EQ(call("DELETE", theme("c1")).status, 404);

  auto aspect = call("DELETE", theme(aspect_));
  EXPECT_EQ(aspect.status, 400);
  EXPECT_NE(message(aspect).find("built-in aspect"), std::string::npos) << aspect.raw;
  auto discovered = call("DELETE", theme("login loop"));
  EXPECT_EQ(discovered.status, 400);
  EXPECT_NE(message(discovered).find("hide it"), std::string::npos) << discovered.raw;
  // A new theme never reuses a deleted one's id.
  EXPECT_EQ(call("POST", themes(), kInvoices).body.at("id").as_string(), "c2");
}

TEST_F(ThemeRoutes, BadThemesAreRefusedWithWhatToFix) {
  struct Case {
    std::string body;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"{", "JSON"},
      {"[1]", "JSON object"},
      {R"({"rules":{"any":["x"]}})", "name is required"},
      {R"({"name":5,"rules":{"any":["x"]}})", "name is required"},
      {R"({"name":"x"})", "rules is required"},
      {R"({"name":"x","rules":{"any":"invoice"}})", "rules.any must be a list"},
      {R"({"name":"x","rules":{"any":[1]}})", "rules.any must be a list"},
      {R"({"name":"x","rules":{"some":["a"]}})", "rules.some is not a rule"},
      {R"({"name":"x","parent":7,"rules":{"any":["a"]}})", "parent must be"},
      {R"({"name":"x","parent":"nope","rules":{"any":["a"]}})", "not a built-in aspect"},
      {R"({"name":"   ","rules":{"any":["a"]}})", "empty"},
      {R"({"name":")" + std::string(61, 'n') + R"(","rules":{"any":["a"]}})", "61 characters"},
      {R"({"name":"x","rules":{"none":["a"]}})", "no phrase"},
      {R"({"name":"x","rules":{"any":[]}})", "no phrase"},
      {R"({"name":"x","rules":{"any":[")" + std::string(81, 'p') + R"("]}})", "81 characters"},
      {R"({"name":"x","rules":{"any":["invoice*"]}})", "not patterns"},
      {R"({"name":"x","rules":{"any":["^refund$"]}})", "not patterns"},
      {R"j({"name":"x","rules":{"any":["(a|b)"]}})j", "not patterns"},
      {R"({"name":"x","rules":{"any":["a"],"languages":["english"]}})", "two lowercase letters"},
      {R"({"name":"x","rules":{"any":["a"],"languages":["EN"]}})", "two lowercase letters"},
      {R"({"name":")" + aspect_ + R"(","rules":{"any":["a"]}})", "already used"},
  };
  std::string many = R"({"name":"x","rules":{"any":[)";
  for (int i = 0; i < 51; ++i) many += (i ? ",\"p" : "\"p") + std::to_string(i) + "\"";
  auto too_many = call("POST", themes(), many + "]}}");
  EXPECT_EQ(too_many.status, 400);
  EXPECT_NE(message(too_many).find("51 phrases"), std::string::npos) << too_many.raw;
  for (const auto& c : cases) {
    auto r = call("POST", themes(), c.body);
    EXPECT_EQ(r.status, 400) << c.body << " -> " << r.raw;
    EXPECT_NE(message(r).find(c.says), std::string::npos) << c.body << " -> " << r.raw;
  }
  ASSERT_EQ(call("POST", themes(), kInvoices).status, 201);
  auto twice = call("POST", themes(), kInvoices);
  EXPECT_EQ(twice.status, 400);
  EXPECT_NE(message(twice).find("already used"), std::string::npos) << twice.raw;
  auto huge = call("POST", themes(), R"({"name":"x","rules":{"any":[")" + std::string(70000, 'a') + "\"]}}");
  EXPECT_EQ(huge.status, 413) << huge.raw;
  EXPECT_EQ(version(), 1);  // nothing refused was stored
}

TEST_F(ThemeRoutes, BadChangesAreRefusedWithWhatToFix) {
  ASSERT_EQ(call("POST", themes(), kInvoices).status, 201);
  ASSERT_EQ(call("PATCH", theme(other_aspect_), R"({"hidden":true})").status, 200);
  ASSERT_EQ(call("PATCH", theme("login loop"), R"({"merge_into":"c1"})").status, 200);
  struct Case {
    std::string id, body;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {aspect_, "{}", 400, "nothing to change"},
      {aspect_, "not json", 400, "JSON"},
      {aspect_, R"({"colour":"red"})", 400, "cannot be changed"},
      {aspect_, R"({"name":7})", 400, "name must be a string"},
      {aspect_, R"({"hidden":"yes"})", 400, "hidden must be true or false"},
      {aspect_, R"({"merge_into":3})", 400, "merge_into must be"},
      {aspect_, R"({"name":""})", 400, "empty"},
      {aspect_, R"({"name":")" + std::string(61, 'n') + "\"}", 400, "61 characters"},
      {aspect_, R"({"name":"invoices"})", 400, "already used"},
      {aspect_, R"({"merge_into":")" + aspect_ + "\"}", 400, "into itself"},
      {aspect_, R"({"merge_into":")" + other_aspect_ + "\"}", 400, "hidden"},
      {aspect_, R"({"merge_into":"login loop"})", 400, "itself merged"},
      {"c1", R"({"merge_into":")" + aspect_ + "\"}", 400, "itself merged"},  // login loop would chain
      {aspect_, R"({"merge_into":"no such theme"})", 404, "does not exist"},
      {"no such theme", R"({"hidden":true})", 404, "does not exist"},
      {"c9", R"({"name":"x"})", 404, "does not exist"},
  };
  for (const auto& c : cases) {
    auto r = call("PATCH", theme(c.id), c.body);
    EXPECT_EQ(r.status, c.status) << c.id << " " << c.body << " -> " << r.raw;
    EXPECT_NE(message(r).find(c.says), std::string::npos) << c.id << " " << c.body << " -> " << r.raw;
  }
  EXPECT_EQ(version(), 3);
}

TEST_F(ThemeRoutes, AnotherTenantsWorkspaceAndThemesAreNotFound) {
  ASSERT_EQ(call("POST", themes(), kInvoices).status, 201);
  const std::string theirs = "/v1/workspaces/" + other_ws_ + "/themes";
  EXPECT_EQ(call("GET", theirs).status, 404);
  EXPECT_EQ(call("POST", theirs, kInvoices).status, 404);
  EXPECT_EQ(call("PATCH", theirs + "/c1", R"({"hidden":true})").status, 404);
  EXPECT_EQ(call("DELETE", theirs + "/c1").status, 404);
  // Globex with its own key: Acme's workspace does not exist for it, nor do its themes.
  EXPECT_EQ(call("GET", themes(), "", "key-globex").status, 404);
  EXPECT_EQ(call("PATCH", theme("c1"), R"({"hidden":true})", "key-globex").status, 404);
  EXPECT_EQ(call("DELETE", theme("c1"), "", "key-globex").status, 404);
  // Globex's own workspace has no theme c1 and no "login loop" records.
  EXPECT_EQ(call("PATCH", theirs + "/c1", R"({"hidden":true})", "key-globex").status, 404);
  EXPECT_EQ(call("PATCH", theirs + "/login%20loop", R"({"hidden":true})", "key-globex").status, 404);
  EXPECT_EQ(call("GET", themes(), "", "").status, 401);
  EXPECT_EQ(call("GET", themes(), "", "admin-key").status, 403);
  EXPECT_EQ(call("GET", "/v1/workspaces/nope/themes").status, 404);
}

}  // namespace
}  // namespace chorus::api
