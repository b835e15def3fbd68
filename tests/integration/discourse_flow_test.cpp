// End to end over real HTTP: a fake Discourse in the real API's shape, Chorus with every role, and the
// path from a workspace definition to analysed records, reports and insights.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "core/secrets.hpp"
#include "integration/harness.hpp"
#include "support/fake_discourse.hpp"

namespace chorus::testing {
namespace {

constexpr int kFixturePosts = 12;

class DiscourseFlowBase : public ChorusFixture {
 protected:
  void SetUp() override {
    ChorusFixture::SetUp();
    forum_ = std::make_unique<FakeDiscourse>(std::filesystem::path(CHORUS_FIXTURES) / "discourse");
    key_ = customer("Acme");
  }

  // Creates a workspace with one Discourse source; returns {workspace id, source id}.
  std::pair<std::string, std::string> workspace_with_forum(json::object extra = {}) {
    json::object source{{"type", "discourse"},
                        {"name", "Community forum"},
                        {"config", json::object{{"base_url", forum_->base_url()}, {"query", ""}}},
                        {"credentials", json::object{{"api_key", "forum-secret-key-123"}, {"api_username", "system"}}},
                        {"webhook", json::object{{"scheme", "discourse"}, {"secret", kSecret}}}};
    for (auto& kv : extra) source[kv.key()] = kv.value();
    auto r = api().post("/v1/workspaces", key_, json::object{{"name", "Notes app"}, {"sources", json::array{source}}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return {str(r.body, "id"), str(r.body, "sources.0.id")};
  }

  json::value sync_and_wait(const std::string& ws, const std::string& src) {
    auto r = api().post("/v1/workspaces/" + ws + "/sources/" + src + "/sync", key_, json::object{});
    EXPECT_EQ(r.status, 202) << r.raw;
    std::string sync_id = str(r.body, "sync_id");
    json::value last;
    EXPECT_TRUE(eventually([&] {
      last = api().get("/v1/workspaces/" + ws + "/syncs/" + sync_id, key_).body;
      std::string state = str(last, "state");
      return state == "done" || state == "failed";
    })) << json::serialize(last) << "\nhealth: " << api().get("/healthz", "").raw;
    return last;
  }

  std::vector<json::value> feedback(const std::string& ws, const std::string& query = "") {
    std::vector<json::value> out;
    std::string cursor;
    do {
      std::string path = "/v1/workspaces/" + ws + "/feedback?limit=5" + query + (cursor.empty() ? "" : "&cursor=" + cursor);
      auto r = api().get(path, key_);
      EXPECT_EQ(r.status, 200) << r.raw;
      for (const auto& it : r.body.at("items").as_array()) out.push_back(it);
      cursor = str(r.body, "next_cursor");
      if (cursor == "null") cursor.clear();
    } while (!cursor.empty());
    return out;
  }

  std::string sign(const std::string& body) { return "sha256=" + to_hex(hmac_sha256_raw(kSecret, body)); }

  static constexpr const char* kSecret = "whsec-discourse-test-secret";
  std::unique_ptr<FakeDiscourse> forum_;
  std::string key_;
};

using DiscourseFlow = OnEveryBackend<DiscourseFlowBase>;
INSTANTIATE_TEST_SUITE_P(Backends, DiscourseFlow, ::testing::Values(Backend::embedded, Backend::kafka_postgres),
                         backend_name);

TEST_P(DiscourseFlow, SyncTurnsForumPostsIntoAnalysedRecords) {
  forum_->require_credentials("forum-secret-key-123", "system");
  auto [ws, src] = workspace_with_forum();
  auto sync = sync_and_wait(ws, src);
  ASSERT_EQ(str(sync, "state"), "done") << json::serialize(sync);
  EXPECT_EQ(num(sync, "items"), kFixturePosts);
  // The original data flow: search pages, then every post in full.
  EXPECT_GE(forum_->count("/search.json"), 3);
  EXPECT_EQ(forum_->count_prefix("/posts/"), kFixturePosts);

  auto items = feedback(ws);
  ASSERT_EQ(items.size(), static_cast<std::size_t>(kFixturePosts));
  // Newest first, every field group of the contract present.
  EXPECT_EQ(str(items[0], "metadata_attributes.external_id"), "48274");
  for (const auto& rec : items) {
    for (auto group : {"core_attributes", "review_attributes", "conversation_attributes", "metadata_attributes",
                       "user_attributes", "context_info"})
      EXPECT_TRUE(rec.as_object().contains(group)) << group;
    EXPECT_EQ(str(rec, "core_attributes.source_info"), "DiscoursePost");
    EXPECT_EQ(str(rec, "workspace_id"), ws);
    std::string text = str(rec, "conversation_attributes.text");
    EXPECT_EQ(text.find("<p>"), std::string::npos) << "HTML left in: " << text;
    EXPECT_EQ(text.find("</"), std::string::npos) << "HTML left in: " << text;
    EXPECT_EQ(text.find("&lt;"), std::string::npos) << "entity left in: " << text;
    EXPECT_FALSE(str(rec, "conversation_attributes.sentiment_type").empty());
    EXPECT_FALSE(str(rec, "context_info.nlp_version").empty());
  }
  // The stable id of the contract: the same post always has the same unique_identifier.
  auto one = api().get("/v1/workspaces/" + ws + "/feedback/" + str(items[0], "unique_identifier"), key_);
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(str(one.body, "conversation_attributes.text"), str(items[0], "conversation_attributes.text"));

  // The source's status shows the sync and the cursor (newest created_at seen).
  auto source = api().get("/v1/workspaces/" + ws + "/sources/" + src, key_);
  EXPECT_EQ(str(source.body, "status.state"), "ok");
  EXPECT_EQ(num(source.body, "status.items_total"), kFixturePosts);
  EXPECT_EQ(str(source.body, "status.cursor"), "2026-03-06T09:30:00.250Z");
}

TEST_P(DiscourseFlow, EntitiesAreDecodedAndEnglishIsDetected) {
  auto [ws, src] = workspace_with_forum();
  ASSERT_EQ(str(sync_and_wait(ws, src), "state"), "done");
  bool found = false;
  for (const auto& rec : feedback(ws)) {
    if (str(rec, "metadata_attributes.external_id") != "48241") continue;
    found = true;
    EXPECT_NE(str(rec, "conversation_attributes.text").find("fantastic <3"), std::string::npos)
        << str(rec, "conversation_attributes.text");
    EXPECT_EQ(str(rec, "core_attributes.language_code"), "en");
    EXPECT_EQ(str(rec, "conversation_attributes.sentiment_type"), "positive");
  }
  EXPECT_TRUE(found);
}

TEST_P(DiscourseFlow, ResyncAddsNothing) {
  auto [ws, src] = workspace_with_forum();
  ASSERT_EQ(str(sync_and_wait(ws, src), "state"), "done");
  int posts_fetched = forum_->count_prefix("/posts/");
  auto second = sync_and_wait(ws, src);
  ASSERT_EQ(str(second, "state"), "done");
  EXPECT_EQ(num(second, "new_items"), 0);
  EXPECT_EQ(forum_->count_prefix("/posts/"), posts_fetched) << "the cursor should skip posts already seen";
  EXPECT_EQ(feedback(ws).size(), static_cast<std::size_t>(kFixturePosts));
}

TEST_P(DiscourseFlow, WeeklyReportAndInsightsCountTheRecords) {
  auto [ws, src] = workspace_with_forum();
  ASSERT_EQ(str(sync_and_wait(ws, src), "state"), "done");
  std::string path = "/v1/workspaces/" + ws + "/reports?bucket=week&group_by=sentiment&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z";
  json::value report;
  ASSERT_TRUE(eventually([&] {
    report = api().get(path, key_).body;
    std::int64_t total = 0;
    if (const auto* s = find_path(report, "series"); s && s->is_array())
      for (const auto& series : s->as_array())
        for (const auto& p : series.at("points").as_array()) total += p.at("count").to_number<std::int64_t>();
    return total == kFixturePosts;
  })) << json::serialize(report);
  EXPECT_EQ(str(report, "bucket"), "week");
  for (const auto& series : report.at("series").as_array())
    for (const auto& p : series.at("points").as_array()) EXPECT_EQ(str(p, "t"), "2026-03-02T00:00:00Z");

  auto insights = api().get("/v1/workspaces/" + ws + "/insights?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z", key_);
  ASSERT_EQ(insights.status, 200) << insights.raw;
  EXPECT_EQ(num(insights.body, "totals.count"), kFixturePosts);
  std::int64_t by_sentiment = 0;
  for (const auto& kv : insights.body.at("totals").at("by_sentiment").as_object()) by_sentiment += kv.value().to_number<std::int64_t>();
  EXPECT_EQ(by_sentiment, kFixturePosts);
  auto alias = api().get("/GetInsightReports?workspace_id=" + ws + "&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z", key_);
  EXPECT_EQ(alias.status, 200);
  EXPECT_EQ(num(alias.body, "totals.count"), kFixturePosts);
}

TEST_P(DiscourseFlow, SignedWebhookIsStoredOnceAndForgeriesAreRefused) {
  auto [ws, src] = workspace_with_forum();
  ASSERT_EQ(str(sync_and_wait(ws, src), "state"), "done");
  std::string body = R"({"post":{"id":48300,"username":"maya","user_id":512,"created_at":"2026-03-07T10:00:00.000Z",
    "cooked":"<p>The new sync engine lost my draft &amp; I am furious.</p>","post_number":9,"topic_id":9101,
    "topic_slug":"notes-stop-syncing","topic_title":"Notes stop syncing"}})";
  auto hook = [&](const std::string& b, const std::string& signature, const std::string& event = "post_created") {
    std::vector<std::pair<std::string, std::string>> h{{"X-Discourse-Event", event}, {"X-Discourse-Event-Type", "post"}};
    if (!signature.empty()) h.emplace_back("X-Discourse-Event-Signature", signature);
    return api().call("POST", "/v1/hooks/" + src, "", b, h);
  };
  EXPECT_EQ(hook(body, "").status, 401);
  EXPECT_EQ(hook(body, "sha256=" + std::string(64, '0')).status, 401);
  EXPECT_EQ(hook(body + " ", sign(body)).status, 401) << "a signature over other bytes must not pass";
  EXPECT_EQ(hook(R"({"ping":"OK"})", sign(R"({"ping":"OK"})"), "ping").status, 200);
  EXPECT_EQ(feedback(ws).size(), static_cast<std::size_t>(kFixturePosts)) << "nothing stored from refused deliveries";

  auto ok = hook(body, sign(body));
  EXPECT_EQ(ok.status, 202) << ok.raw;
  EXPECT_EQ(hook(body, sign(body)).status, 202);  // delivered twice, still one record
  ASSERT_TRUE(eventually([&] { return feedback(ws).size() == kFixturePosts + 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto items = feedback(ws);
  EXPECT_EQ(items.size(), static_cast<std::size_t>(kFixturePosts + 1));
  EXPECT_EQ(str(items[0], "metadata_attributes.external_id"), "48300");
  EXPECT_EQ(str(items[0], "conversation_attributes.text"), "The new sync engine lost my draft & I am furious.");
  EXPECT_EQ(str(items[0], "conversation_attributes.sentiment_type"), "negative");

  // A post seen by a sync and again by a webhook is one record.
  std::string again = R"({"post":{"id":48201,"username":"ines","created_at":"2026-03-02T08:14:03.118Z",
    "cooked":"<p>edited</p>","post_number":1,"topic_id":9101}})";
  EXPECT_EQ(hook(again, sign(again), "post_edited").status, 202);
  ASSERT_TRUE(eventually([&] {
    for (const auto& rec : feedback(ws))
      if (str(rec, "metadata_attributes.external_id") == "48201") return str(rec, "conversation_attributes.text") == "edited";
    return false;
  }));
  EXPECT_EQ(feedback(ws).size(), static_cast<std::size_t>(kFixturePosts + 1));
}

TEST_P(DiscourseFlow, SecretsAreNeverReturnedAndEncryptedAtRest) {
  auto [ws, src] = workspace_with_forum();
  for (const auto& path : {"/v1/workspaces/" + ws, "/v1/workspaces/" + ws + "/sources/" + src, std::string("/v1/workspaces")}) {
    auto r = api().get(path, key_);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.raw.find("forum-secret-key-123"), std::string::npos) << path;
    EXPECT_EQ(r.raw.find(kSecret), std::string::npos) << path;
    EXPECT_EQ(r.raw.find("credentials"), std::string::npos) << path;
  }
  std::string stored;
  if (backend() == Backend::embedded) {
    std::ifstream db(dir_ / "chorus.db", std::ios::binary);
    std::stringstream bytes;
    bytes << db.rdbuf();
    stored = bytes.str();
  } else {
    stored = PostgresServer::shared()->scalar(postgres_url_, "SELECT string_agg(sealed_secrets, ',') FROM sources");
  }
  EXPECT_FALSE(stored.empty());
  EXPECT_EQ(stored.find("forum-secret-key-123"), std::string::npos);
  EXPECT_EQ(stored.find(kSecret), std::string::npos);
  struct stat st {};
  ASSERT_EQ(stat((dir_ / "master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(stat((dir_ / "admin.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST_P(DiscourseFlow, ScheduledSourcesSyncByThemselves) {
  auto [ws, src] = workspace_with_forum(json::object{{"schedule", json::object{{"every", "15m"}}}});
  ASSERT_TRUE(eventually([&] { return feedback(ws).size() == kFixturePosts; }));
  auto source = api().get("/v1/workspaces/" + ws + "/sources/" + src, key_);
  EXPECT_EQ(str(source.body, "schedule.every"), "15m");
}

TEST_P(DiscourseFlow, OneFailingSourceDoesNotStopAnother) {
  auto [ws, good] = workspace_with_forum();
  auto bad = api().post("/v1/workspaces/" + ws + "/sources", key_,
                        json::object{{"type", "discourse"}, {"config", json::object{{"base_url", "http://127.0.0.1:1"}}}});
  ASSERT_EQ(bad.status, 201) << bad.raw;
  auto failed = sync_and_wait(ws, str(bad.body, "id"));
  auto done = sync_and_wait(ws, good);
  EXPECT_EQ(str(failed, "state"), "failed");
  EXPECT_FALSE(str(failed, "error").empty());
  EXPECT_EQ(str(done, "state"), "done");
  auto status = api().get("/v1/workspaces/" + ws + "/sources/" + str(bad.body, "id"), key_);
  EXPECT_EQ(str(status.body, "status.state"), "failed");
  EXPECT_NE(str(status.body, "status.last_error"), "null");
}

TEST_P(DiscourseFlow, RestartKeepsRecordsAndCursor) {
  auto [ws, src] = workspace_with_forum();
  ASSERT_EQ(str(sync_and_wait(ws, src), "state"), "done");
  restart();
  EXPECT_EQ(feedback(ws).size(), static_cast<std::size_t>(kFixturePosts));
  int fetched = forum_->count_prefix("/posts/");
  ASSERT_EQ(str(sync_and_wait(ws, src), "state"), "done");
  EXPECT_EQ(forum_->count_prefix("/posts/"), fetched);
}

}  // namespace
}  // namespace chorus::testing
