// PATCH /v1/workspaces/{ws}/sources/{src} on both deployments: renaming, new config checked as on create, new
// credentials used by the next sync and never shown, a new webhook secret, schedules, pausing and resuming; and bad
// input (unknown fields, wrong types, an invalid config, another customer's ids) refused with nothing changed.
#include <thread>

#include "integration/harness.hpp"
#include "support/fake_discourse.hpp"

namespace chorus::testing {
namespace {

constexpr const char* kToken = "tok_first_0123456789";
constexpr const char* kNewToken = "tok_second_9876543210";

class SourceUpdateBase : public WorkspaceFixture {
 protected:
  void SetUp() override {
    WorkspaceFixture::SetUp();
    forum_ = std::make_unique<FakeDiscourse>(std::filesystem::path(CHORUS_FIXTURES) / "discourse");
  }

  std::string forum_source() {
    return add_source(
        json::object{{"type", "discourse"},
                     {"name", "Forum"},
                     {"config", json::object{{"base_url", forum_->base_url()}, {"query", ""}}},
                     {"credentials", json::object{{"api_key", "first-forum-key-111"}, {"api_username", "system"}}}});
  }
  std::string path(const std::string& src) { return "/v1/workspaces/" + ws_ + "/sources/" + src; }
  Reply patch(const std::string& src, const std::string& body, const std::string& key = "") {
    return api().call("PATCH", path(src), key.empty() ? key_ : key, body);
  }
  Reply hook(const std::string& src, const std::string& body, const std::string& token) {
    return api().call("POST", "/v1/hooks/" + src, "", body, {{"x-webhook-token", token}});
  }
  std::size_t records() {
    auto r = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=500", key_);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.at("items").as_array().size();
  }
  // The Api-Key header of the forum's most recent request.
  std::string last_forum_key() {
    auto seen = forum_->requests();
    if (seen.empty()) return "";
    return seen.back().headers.get("api-key").value_or("");
  }

  std::unique_ptr<FakeDiscourse> forum_;
};

using SourceUpdate = OnEveryBackend<SourceUpdateBase>;
INSTANTIATE_TEST_SUITE_P(Backends, SourceUpdate, ::testing::Values(Backend::embedded, Backend::kafka_postgres),
                         backend_name);

TEST_P(SourceUpdate, NameConfigAndCredentialsChangeAndTheNextSyncUsesThem) {
  std::string src = forum_source();
  auto first = sync_and_wait(src);
  ASSERT_EQ(str(first, "state"), "done") << json::serialize(first);
  EXPECT_EQ(last_forum_key(), "first-forum-key-111");
  auto before = api().get(path(src), key_);
  ASSERT_FALSE(str(before.body, "status.cursor").empty() || str(before.body, "status.cursor") == "null") << before.raw;

  auto renamed = patch(src, R"({"name": "Community forum"})");
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_EQ(str(renamed.body, "name"), "Community forum");
  EXPECT_EQ(str(renamed.body, "status.cursor"), str(before.body, "status.cursor"));  // same config: cursor kept

  auto changed = patch(
      src, R"({"config": {"base_url": ")" + forum_->base_url() +
               R"(", "query": "sync"}, "credentials": {"api_key": "second-forum-key-222", "api_username": "system"}})");
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_EQ(str(changed.body, "config.query"), "sync");
  EXPECT_EQ(str(changed.body, "name"), "Community forum");
  EXPECT_EQ(str(changed.body, "status.cursor"), "null");  // another config: the next sync starts over
  EXPECT_EQ(changed.raw.find("second-forum-key-222"), std::string::npos) << "credentials are never shown";
  EXPECT_EQ(changed.raw.find("credentials"), std::string::npos);
  auto read = api().get(path(src), key_);
  EXPECT_EQ(read.raw.find("forum-key"), std::string::npos);

  auto second = sync_and_wait(src);
  ASSERT_EQ(str(second, "state"), "done") << json::serialize(second);
  EXPECT_EQ(last_forum_key(), "second-forum-key-222");

  // Credentials alone are checked against the stored config, as on create.
  auto half = patch(src, R"({"credentials": {"api_key": "third"}})");
  EXPECT_EQ(half.status, 400) << half.raw;
  EXPECT_NE(str(half.body, "error.message").find("api_username"), std::string::npos) << half.raw;
  auto third = sync_and_wait(src);
  EXPECT_EQ(last_forum_key(), "second-forum-key-222");  // the refused change left the credentials alone
}

TEST_P(SourceUpdate, PausedSourcesAreNotSyncedOnScheduleOrByHand) {
  std::string src = add_source(json::object{
      {"type", "discourse"}, {"name", "Forum"}, {"config", json::object{{"base_url", forum_->base_url()}}}});
  auto paused = patch(src, R"({"paused": true})");
  ASSERT_EQ(paused.status, 200) << paused.raw;
  EXPECT_EQ(paused.body.at("paused"), json::value(true));
  auto scheduled = patch(src, R"({"schedule": {"every": "10s"}})");
  ASSERT_EQ(scheduled.status, 200) << scheduled.raw;
  EXPECT_EQ(str(scheduled.body, "schedule.every"), "10s");
  EXPECT_EQ(scheduled.body.at("paused"), json::value(true));  // fields not sent stay as they were

  auto manual = api().post(path(src) + "/sync", key_, json::object{});
  EXPECT_EQ(manual.status, 409) << manual.raw;
  EXPECT_NE(str(manual.body, "error.message").find("paused"), std::string::npos) << manual.raw;
  // The scheduler ticks every 100 ms here: a second and a half is many ticks with nothing queued.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(forum_->requests().empty());
  auto idle = api().get(path(src), key_);
  EXPECT_EQ(str(idle.body, "status.state"), "idle") << idle.raw;

  auto resumed = patch(src, R"({"paused": false})");
  ASSERT_EQ(resumed.status, 200) << resumed.raw;
  EXPECT_EQ(resumed.body.at("paused"), json::value(false));
  EXPECT_TRUE(eventually([&] { return str(api().get(path(src), key_).body, "status.state") == "ok"; }))
      << api().get(path(src), key_).raw;
  EXPECT_FALSE(forum_->requests().empty());

  // No schedule any more: null.
  auto unscheduled = patch(src, R"({"schedule": null})");
  ASSERT_EQ(unscheduled.status, 200) << unscheduled.raw;
  EXPECT_TRUE(unscheduled.body.at("schedule").is_null());
}

TEST_P(SourceUpdate, ANewWebhookSecretReplacesTheOldAndPausedSourcesStillStoreDeliveries) {
  std::string src =
      add_source(json::object{{"type", "csv"},
                              {"name", "Form builder"},
                              {"config", json::object{{"fields", json::object{{"id", "entry"}, {"text", "message"}}}}},
                              {"webhook", json::object{{"scheme", "token"}, {"secret", kToken}}}});
  std::string body = R"([{"entry":"f-1","message":"Please add a dark theme to the form."}])";
  ASSERT_EQ(hook(src, body, kToken).status, 202);

  auto changed = patch(src, std::string(R"({"webhook": {"secret": ")") + kNewToken + R"("}})");
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_EQ(str(changed.body, "webhook.scheme"), "token");  // kept
  EXPECT_EQ(changed.raw.find(kNewToken), std::string::npos);
  EXPECT_EQ(hook(src, body, kToken).status, 401);
  EXPECT_EQ(hook(src, body, kNewToken).status, 202);

  // Paused: deliveries are still accepted and stored (pausing stops fetching, not what senders push).
  ASSERT_EQ(patch(src, R"({"paused": true})").status, 200);
  std::string later = R"([{"entry":"f-2","message":"The export button does nothing on Safari."}])";
  EXPECT_EQ(hook(src, later, kNewToken).status, 202);
  EXPECT_TRUE(eventually([&] { return records() == 2; })) << records();

  // The webhook can be turned off.
  auto off = patch(src, R"({"webhook": null})");
  ASSERT_EQ(off.status, 200) << off.raw;
  EXPECT_TRUE(off.body.at("webhook").is_null());
  EXPECT_EQ(hook(src, later, kNewToken).status, 404);
}

TEST_P(SourceUpdate, BadChangesAreRefusedAndChangeNothing) {
  std::string src = forum_source();
  const std::string before = api().get(path(src), key_).raw;
  auto expect = [&](const Reply& r, int status, const std::string& mentions) {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_NE(str(r.body, "error.message").find(mentions), std::string::npos) << r.raw;
  };
  expect(patch(src, R"({"nmae": "typo"})"), 400, "nmae");
  expect(patch(src, R"({"name": "ok", "colour": "red"})"), 400, "colour");
  expect(patch(src, R"({"type": "github"})"), 400, "type cannot be changed");
  expect(patch(src, R"({})"), 400, "nothing to change");
  expect(patch(src, R"({"name": ""})"), 400, "name");
  expect(patch(src, R"({"name": 42})"), 400, "name");
  expect(patch(src, R"({"paused": "yes"})"), 400, "paused");
  expect(patch(src, R"({"config": "base_url=x"})"), 400, "config");
  expect(patch(src, R"({"config": {"base_url": "ftp://forum.example"}})"), 400, "base_url");
  expect(patch(src, R"({"config": {"base_url": "https://forum.example", "max_pages": "many"}})"), 400, "max_pages");
  expect(patch(src, R"({"credentials": ["k"]})"), 400, "credentials");
  expect(patch(src, R"({"schedule": {"every": "often"}})"), 400, "schedule.every");
  expect(patch(src, R"({"schedule": {"every": "2s"}})"), 400, "10s");
  expect(patch(src, R"({"schedule": "15m"})"), 400, "schedule");
  expect(patch(src, R"({"webhook": {"scheme": "stripe", "secret": "x"}})"), 400, "webhook.scheme");
  expect(patch(src, R"({"webhook": {"scheme": "discourse"}})"), 400, "webhook.secret");
  expect(patch(src, R"({"webhook": {"scheme": "discourse", "secret": "x", "url": "y"}})"), 400, "webhook.url");
  expect(patch(src, R"({"name": "half", "paused": 1})"), 400, "paused");  // one bad field: nothing applies
  expect(patch(src, R"({"name": )"), 400, "JSON");
  expect(patch(src, R"(["name"])"), 400, "object");
  EXPECT_EQ(api().get(path(src), key_).raw, before);

  // A push-only source has no schedule.
  std::string jsonl = add_source(json::object{
      {"type", "jsonl"}, {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  expect(patch(jsonl, R"({"schedule": {"every": "1h"}})"), 400, "push-only");

  // Another customer's workspace and source do not exist for this one; nor does an unknown source.
  std::string other = customer("Other");
  auto theirs = api().post("/v1/workspaces", other, json::object{{"name", "Theirs"}, {"sources", json::array{}}});
  ASSERT_EQ(theirs.status, 201);
  std::string their_ws = str(theirs.body, "id");
  auto their_src =
      api().post("/v1/workspaces/" + their_ws + "/sources", other,
                 json::object{{"type", "discourse"}, {"config", json::object{{"base_url", "https://x.example"}}}});
  ASSERT_EQ(their_src.status, 201);
  const std::string their_path = "/v1/workspaces/" + their_ws + "/sources/" + str(their_src.body, "id");
  const std::string their_before = api().get(their_path, other).raw;
  EXPECT_EQ(api().call("PATCH", their_path, key_, R"({"name": "mine now"})").status, 404);
  EXPECT_EQ(api().call("PATCH", path(str(their_src.body, "id")), key_, R"({"name": "mine now"})").status, 404);
  EXPECT_EQ(api().call("PATCH", path("987654"), key_, R"({"name": "x"})").status, 404);
  EXPECT_EQ(api().get(their_path, other).raw, their_before);
  // A deleted source cannot be changed.
  ASSERT_EQ(api().call("DELETE", path(jsonl), key_).status, 204);
  EXPECT_EQ(patch(jsonl, R"({"name": "back"})").status, 404);
}

}  // namespace
}  // namespace chorus::testing
