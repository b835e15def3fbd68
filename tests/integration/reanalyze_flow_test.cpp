// Re-analysis over real HTTP: records stored by an older engine (wrong sentiment, no duplicate link, an old
// nlp_version) are re-run by the current one in a background job with progress; revisions bump and the
// rollups move exactly; another customer cannot start or see the job.
#include "core/time.hpp"
#include "integration/harness.hpp"
#include "store/store.hpp"

namespace chorus::testing {
namespace {

constexpr const char* kOldVersion = "clean@1,language@1,sentiment@1,category@1,themes@1,simhash@1";

// What an old engine had made of three pieces of feedback: everything neutral, "other", no duplicates.
FeedbackRecord stale_record(Id customer, Id ws, Id source, std::int64_t uid, TimeMs ts, std::string text) {
  FeedbackRecord r;
  r.unique_identifier = uid;
  r.workspace_id = ws;
  r.source_id = source;
  r.customer_id = customer;
  r.source_type = "jsonl";
  r.source_info = "JsonlItem";
  r.external_id = std::to_string(uid);
  r.text = std::move(text);
  r.timestamp = ts;
  r.received_at = ts;
  r.nlp_version = kOldVersion;
  r.simhash = static_cast<std::uint64_t>(uid) * 0x9e3779b97f4a7c15ULL;  // an unrelated old fingerprint each
  return r;
}

class ReanalyzeFlow : public ChorusFixture {
 protected:
  void SetUp() override {
    ChorusFixture::SetUp();
    key_ = customer("Acme");
    other_key_ = customer("Globex");
    auto ws = api().post(
        "/v1/workspaces", key_,
        json::object{
            {"name", "Inbox"},
            {"sources", json::array{json::object{
                            {"type", "jsonl"},
                            {"name", "Survey"},
                            {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}}}}});
    ASSERT_EQ(ws.status, 201) << ws.raw;
    ws_ = str(ws.body, "id");
    source_ = str(ws.body, "sources.0.id");
    auto other_ws = api().post("/v1/workspaces", key_, json::object{{"name", "Second"}});
    other_ws_ = str(other_ws.body, "id");
    seed_stale_records();
  }

  // Stops Chorus, writes records as an older engine left them (and their rollups), and starts it again.
  void seed_stale_records() {
    process_->stop();
    process_.reset();
    auto store = store::open_sqlite_store(dir_);
    ASSERT_TRUE(store) << store.error().message;
    Id ws = std::stoll(ws_), source = std::stoll(source_);
    auto customer_id = (*store)->get_source_by_id(source)->customer_id;
    TimeMs t0 = parse_time("2026-03-10T10:00:00Z").value();
    store::PageCommit page;
    page.workspace_id = ws;
    page.source_id = source;
    page.records = {
        stale_record(customer_id, ws, source, 1001, t0, "The app crashes every time I open a PDF attachment."),
        stale_record(customer_id, ws, source, 1002, t0 + 60000, "I love the new dashboard, it is fantastic!"),
        stale_record(customer_id, ws, source, 1003, t0 + 120000,
                     "Hi team, the app crashes every time I open a PDF attachment. Thanks"),
    };
    auto stored = (*store)->commit_page(page);
    ASSERT_TRUE(stored) << stored.error().message;
    ASSERT_TRUE((*store)->apply_rollups(*stored));
    store->reset();
    start();
  }

  json::value record(std::int64_t uid) {
    auto r = api().get("/v1/workspaces/" + ws_ + "/feedback/" + std::to_string(uid), key_);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }

  json::value totals() {
    auto r = api().get("/v1/workspaces/" + ws_ + "/insights?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z", key_);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }

  std::string key_, other_key_, ws_, other_ws_, source_;
};

TEST_F(ReanalyzeFlow, ReanalysisRerunsTheCurrentEngineAndMovesTheRollups) {
  EXPECT_EQ(num(totals(), "totals.by_sentiment.neutral"), 3);
  EXPECT_EQ(str(record(1001), "context_info.revision"), "1");

  auto started = api().call("POST", "/v1/workspaces/" + ws_ + "/reanalyze", key_);
  ASSERT_EQ(started.status, 202) << started.raw;
  std::string job = str(started.body, "job_id");
  ASSERT_FALSE(job.empty());

  json::value progress;
  ASSERT_TRUE(eventually([&] {
    progress = api().get("/v1/workspaces/" + ws_ + "/reanalyze/" + job, key_).body;
    return str(progress, "state") == "done";
  })) << json::serialize(progress);
  EXPECT_EQ(num(progress, "done"), 3);
  EXPECT_EQ(num(progress, "total"), 3);

  json::value crash = record(1001), praise = record(1002), repost = record(1003);
  EXPECT_EQ(str(crash, "conversation_attributes.category"), "bug");
  EXPECT_EQ(str(crash, "conversation_attributes.sentiment_type"), "negative");
  EXPECT_EQ(str(praise, "conversation_attributes.sentiment_type"), "positive");
  EXPECT_EQ(str(crash, "context_info.revision"), "2");
  EXPECT_NE(str(crash, "context_info.nlp_version"), kOldVersion);
  EXPECT_EQ(str(crash, "core_attributes.language_code"), "en");
  // The original text is kept; the greeted repost now points at the earlier report.
  EXPECT_EQ(str(repost, "conversation_attributes.text"),
            "Hi team, the app crashes every time I open a PDF attachment. Thanks");
  EXPECT_EQ(str(repost, "conversation_attributes.duplicate_of"), "1001");
  EXPECT_EQ(str(crash, "conversation_attributes.duplicate_of"), "null");

  // The reports role replaces each record's earlier contribution: three records, re-counted, not six.
  json::value t;
  ASSERT_TRUE(eventually([&] {
    t = totals();
    return num(t, "totals.by_sentiment.negative") == 2;
  })) << json::serialize(t);
  EXPECT_EQ(num(t, "totals.count"), 3);
  EXPECT_EQ(num(t, "totals.by_sentiment.positive"), 1);
  EXPECT_LE(num(t, "totals.by_sentiment.neutral"), 0);
}

// Re-analysis reads the item as its source gave it, as the parser did, not the record's display text: a quoted
// complaint and a code block are shown with the record but were never read, and a re-analysis by the same engine
// leaves every field it derives as it was.
TEST_F(ReanalyzeFlow, ReanalysisReadsTheItemAsItsSourceGaveIt) {
  auto ws = api().post(
      "/v1/workspaces", key_,
      json::object{
          {"name", "Forum"},
          {"sources", json::array{json::object{
                          {"type", "jsonl"},
                          {"name", "Posts"},
                          {"config", json::object{{"format", "markdown"},
                                                  {"fields", json::object{{"id", "id"}, {"text", "text"}}}}}}}}});
  ASSERT_EQ(ws.status, 201) << ws.raw;
  const std::string forum = str(ws.body, "id"), posts = str(ws.body, "sources.0.id");
  const std::string text =
      "> This app is terrible, it crashes and loses my data every single day. Worst purchase ever.\n\n"
      "Thanks for the reply, the new export works great now and saves me an hour every week.\n\n"
      "```\nfatal error: crash in the sync worker, data lost\n```\n";
  auto pushed = api().post("/v1/workspaces/" + forum + "/sources/" + posts + "/items", key_,
                           json::array{json::object{{"id", "p1"}, {"text", text}}});
  ASSERT_EQ(pushed.status, 202) << pushed.raw;
  auto the_record = [&] {
    auto r = api().get("/v1/workspaces/" + forum + "/feedback?limit=10", key_);
    const auto* items = find_path(r.body, "items");
    return items && items->is_array() && items->as_array().size() == 1 ? items->as_array()[0] : json::value(nullptr);
  };
  ASSERT_TRUE(eventually([&] { return !the_record().is_null(); }));
  const json::value before = the_record();
  ASSERT_EQ(str(before, "conversation_attributes.sentiment_type"), "positive") << json::serialize(before);

  auto started = api().call("POST", "/v1/workspaces/" + forum + "/reanalyze", key_);
  ASSERT_EQ(started.status, 202) << started.raw;
  const std::string job = str(started.body, "job_id");
  ASSERT_TRUE(eventually(
      [&] { return str(api().get("/v1/workspaces/" + forum + "/reanalyze/" + job, key_).body, "state") == "done"; }));
  json::value after;
  ASSERT_TRUE(eventually([&] {
    after = the_record();
    return str(after, "context_info.revision") == "2";
  })) << json::serialize(after);
  for (const char* field : {"conversation_attributes.sentiment_type", "conversation_attributes.sentiment_compound",
                            "conversation_attributes.category", "conversation_attributes.themes",
                            "conversation_attributes.sub_themes", "conversation_attributes.text"}) {
    const json::value* was = find_path(before, field);
    const json::value* is = find_path(after, field);
    ASSERT_TRUE(was && is) << field;
    EXPECT_EQ(json::serialize(*is), json::serialize(*was)) << field;
  }
}

TEST_F(ReanalyzeFlow, ReanalysisIsTenantScoped) {
  // Another customer's key: the workspace does not exist for it.
  EXPECT_EQ(api().call("POST", "/v1/workspaces/" + ws_ + "/reanalyze", other_key_).status, 404);
  auto started = api().call("POST", "/v1/workspaces/" + ws_ + "/reanalyze", key_);
  ASSERT_EQ(started.status, 202) << started.raw;
  std::string job = str(started.body, "job_id");
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/reanalyze/" + job, other_key_).status, 404);
  // The same customer, another of its workspaces: the job is not there either.
  EXPECT_EQ(api().get("/v1/workspaces/" + other_ws_ + "/reanalyze/" + job, key_).status, 404);
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/reanalyze/ra_nope", key_).status, 404);
  EXPECT_EQ(api().call("POST", "/v1/workspaces/" + ws_ + "/reanalyze").status, 401);
  ASSERT_TRUE(eventually(
      [&] { return str(api().get("/v1/workspaces/" + ws_ + "/reanalyze/" + job, key_).body, "state") == "done"; }));
}

}  // namespace
}  // namespace chorus::testing
