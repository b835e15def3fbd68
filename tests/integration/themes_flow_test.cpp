// A workspace's taxonomy end to end over real HTTP: new records pushed through the parser get the custom rule
// themes and the merged and renamed names at once; existing records follow a change through the re-analysis
// it starts, and the theme list's counts follow the rollups (a merged theme's count becomes the sum). On both
// deployments: SQLite with the embedded log, PostgreSQL with Kafka.
#include "integration/harness.hpp"

namespace chorus::testing {
namespace {

class ThemesFlow : public OnEveryBackend<WorkspaceFixture> {
 protected:
  void SetUp() override {
    WorkspaceFixture::SetUp();
    source_ = add_source(json::object{
        {"type", "jsonl"},
        {"name", "Survey"},
        {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}, {"timestamp", "at"}}}}}});
  }

  void push(const std::vector<std::pair<std::string, std::string>>& items) {
    json::array body;
    for (const auto& [id, text] : items)
      body.push_back(json::object{{"id", id}, {"text", text}, {"at", "2026-03-10T12:00:00Z"}});
    auto r = api().post("/v1/workspaces/" + ws_ + "/sources/" + source_ + "/items", key_, body);
    ASSERT_EQ(r.status, 202) << r.raw;
  }

  json::value record(const std::string& external_id) {
    auto r = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=500", key_);
    if (const auto* items = find_path(r.body, "items"); items && items->is_array())
      for (const auto& it : items->as_array())
        if (str(it, "metadata_attributes.external_id") == external_id) return it;
    return nullptr;
  }

  std::vector<std::string> themes_of(const std::string& external_id) {
    std::vector<std::string> out;
    auto r = record(external_id);
    if (const auto* t = find_path(r, "conversation_attributes.themes"); t && t->is_array())
      for (const auto& x : t->as_array()) out.emplace_back(x.as_string());
    return out;
  }

  // The count of a level-1 theme in the Themes list (-1 when it is not listed).
  std::int64_t count_of(const std::string& id) {
    auto r = api().get("/v1/workspaces/" + ws_ + "/themes", key_);
    EXPECT_EQ(r.status, 200) << r.raw;
    if (const auto* items = find_path(r.body, "items"); items && items->is_array())
      for (const auto& it : items->as_array())
        if (str(it, "id") == id && num(it, "level") == 1) return num(it, "count");
    return -1;
  }

  Reply change(const std::string& method, const std::string& id, const json::value& body) {
    return api().call(method, "/v1/workspaces/" + ws_ + "/themes/" + http::percent_encode(id), key_,
                      body.is_null() ? "" : json::serialize(body));
  }

  void wait_for_job(const Reply& changed) {
    std::string job = str(changed.body, "reanalysis.job_id");
    ASSERT_FALSE(job.empty()) << changed.raw;
    json::value progress;
    ASSERT_TRUE(eventually([&] {
      progress = api().get("/v1/workspaces/" + ws_ + "/reanalyze/" + job, key_).body;
      return str(progress, "state") == "done";
    })) << json::serialize(progress);
  }

  std::string source_;
};

using Themes = std::vector<std::string>;

TEST_P(ThemesFlow, NewRecordsGetCustomThemesAndMergedAndRenamedNames) {
  auto created = api().post(
      "/v1/workspaces/" + ws_ + "/themes", key_,
      json::object{{"name", "Invoices"}, {"rules", json::object{{"any", json::array{"invoice", "receipt"}}}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  ASSERT_EQ(change("PATCH", "pricing", json::object{{"name", "cost"}}).status, 200);
  auto merged = change("PATCH", "sync", json::object{{"merge_into", "pricing"}});
  ASSERT_EQ(merged.status, 200) << merged.raw;
  EXPECT_EQ(num(merged.body, "taxonomy_version"), 3);

  push({{"1", "My invoice is missing from the account page."},
        {"2", "The sync between my phone and laptop fails every night."},
        {"3", "The price went up again, it is too expensive now."}});
  ASSERT_TRUE(eventually([&] { return !record("1").is_null() && !record("2").is_null() && !record("3").is_null(); }));
  EXPECT_EQ(themes_of("1").at(0), "invoices");
  EXPECT_EQ(themes_of("2").at(0), "cost");  // sync, merged into pricing, which is renamed
  EXPECT_EQ(themes_of("3").at(0), "cost");
  for (const auto& id : {"1", "2", "3"}) {
    auto t = themes_of(id);
    EXPECT_EQ(std::count(t.begin(), t.end(), "sync"), 0) << id;
    EXPECT_EQ(std::count(t.begin(), t.end(), "pricing"), 0) << id;
    EXPECT_EQ(str(record(id), "context_info.taxonomy_version"), "3") << id;
  }

  // Hiding a theme keeps it off new records.
  ASSERT_EQ(change("PATCH", "c1", json::object{{"hidden", true}}).status, 200);
  push({{"4", "Please email me a receipt for my invoice"}});
  ASSERT_TRUE(eventually([&] { return !record("4").is_null(); }));
  auto t4 = themes_of("4");
  EXPECT_EQ(std::count(t4.begin(), t4.end(), "invoices"), 0);
}

// A custom theme reads what the writer wrote, as the built-in themes do: a phrase that appears only in the
// message they quote, or in their signature, does not give the record the theme, on arrival or after a
// re-analysis. The display text keeps the quote.
TEST_P(ThemesFlow, CustomThemesIgnoreQuotedRepliesAndSignatures) {
  auto created =
      api().post("/v1/workspaces/" + ws_ + "/themes", key_,
                 json::object{{"name", "Invoices"}, {"rules", json::object{{"any", json::array{"invoice"}}}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  push({{"1",
         "Thanks, that fixed it!\n\nOn Tue, 5 Mar 2026 at 10:02, Billing <billing@example.com> wrote:\n"
         "> Your invoice is attached."},
        {"2", "The export works again.\n-- \nAnn Lee\nInvoice desk, Example Ltd"},
        {"3", "My invoice shows the wrong amount."}});
  ASSERT_TRUE(eventually([&] { return !record("1").is_null() && !record("2").is_null() && !record("3").is_null(); }));
  EXPECT_NE(str(record("1"), "conversation_attributes.text").find("Your invoice is attached"), std::string::npos);
  // Which of the three records carry the theme, by its name.
  auto carrying = [&](const std::string& theme) {
    std::string out;
    for (const std::string id : {"1", "2", "3"}) {
      auto t = themes_of(id);
      if (std::count(t.begin(), t.end(), theme) > 0) out += id;
    }
    return out;
  };
  EXPECT_EQ(carrying("invoices"), "3");

  // Renaming the theme re-analyses the stored records from their display text; the quote stays unread.
  auto renamed = change("PATCH", "c1", json::object{{"name", "Bills"}});
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  wait_for_job(renamed);
  EXPECT_EQ(carrying("bills"), "3");
}

TEST_P(ThemesFlow, ExistingRecordsFollowAMergeAndTheCountsAddUp) {
  push({{"1", "The price is too expensive for a small team."},
        {"2", "Pricing changed and it is expensive now."},
        {"3", "Way too expensive, the price doubled."},
        {"4", "Sync between devices stopped working."},
        {"5", "Sync fails on my tablet."}});
  ASSERT_TRUE(eventually([&] { return count_of("pricing") == 3 && count_of("sync") == 2; }))
      << "pricing " << count_of("pricing") << ", sync " << count_of("sync");

  auto merged = change("PATCH", "sync", json::object{{"merge_into", "pricing"}});
  ASSERT_EQ(merged.status, 200) << merged.raw;
  EXPECT_EQ(str(merged.body, "merged_into"), "pricing");
  wait_for_job(merged);
  EXPECT_EQ(themes_of("4").at(0), "pricing");
  ASSERT_TRUE(eventually([&] { return count_of("pricing") == 5 && count_of("sync") == 0; }))
      << "pricing " << count_of("pricing") << ", sync " << count_of("sync");

  // Undone, the records split again.
  auto undone = change("PATCH", "sync", json::object{{"merge_into", nullptr}});
  ASSERT_EQ(undone.status, 200) << undone.raw;
  wait_for_job(undone);
  ASSERT_TRUE(eventually([&] { return count_of("pricing") == 3 && count_of("sync") == 2; }))
      << "pricing " << count_of("pricing") << ", sync " << count_of("sync");
}

INSTANTIATE_TEST_SUITE_P(Backends, ThemesFlow, ::testing::Values(Backend::embedded, Backend::kafka_postgres),
                         backend_name);

}  // namespace
}  // namespace chorus::testing
