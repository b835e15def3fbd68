// Data governance over HTTP on both deployments: workspace settings and deletion, erasure of a person (and the
// items of that person dropped later), PII masked before analysis and export, and the bad requests of each.
#include "integration/harness.hpp"

namespace chorus::testing {
namespace {

class GovernanceBase : public WorkspaceFixture {
 protected:
  void SetUp() override {
    WorkspaceFixture::SetUp();
    src_ = add_source(json::object{{"type", "jsonl"},
                                   {"name", "survey"},
                                   {"config", json::object{{"fields", json::object{{"id", "id"},
                                                                                   {"text", "text"},
                                                                                   {"timestamp", "at"},
                                                                                   {"author", "name"},
                                                                                   {"email", "mail"},
                                                                                   {"user_id", "uid"}}}}}});
  }
  Reply patch(const std::string& body, const std::string& ws = "", const std::string& key = "") {
    return api().call("PATCH", "/v1/workspaces/" + (ws.empty() ? ws_ : ws), key.empty() ? key_ : key, body);
  }
  void push(const json::array& items) {
    auto r = api().call("POST", "/v1/workspaces/" + ws_ + "/sources/" + src_ + "/items", key_, json::serialize(items));
    ASSERT_EQ(r.status, 202) << r.raw;
  }
  json::array feedback() {
    auto r = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=200", key_);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.is_object() ? r.body.at("items").as_array() : json::array{};
  }
  std::int64_t insight_count() {
    auto r = api().get("/v1/workspaces/" + ws_ + "/insights", key_);
    return num(r.body, "totals.count");
  }
  // Waits until the records and the rollups (insights are answered from them) both hold n items.
  void wait_for(std::size_t n) {
    ASSERT_TRUE(eventually([&] { return feedback().size() == n && insight_count() == static_cast<std::int64_t>(n); }))
        << "records " << feedback().size() << ", counted " << insight_count() << ", want " << n;
  }
  static json::object item(const std::string& id, const std::string& text, const std::string& name,
                           const std::string& mail, const std::string& uid,
                           const std::string& at = "2026-03-02T10:00:00Z") {
    return json::object{{"id", id}, {"text", text}, {"name", name}, {"mail", mail}, {"uid", uid}, {"at", at}};
  }
  std::string src_;
};

using GovernanceFlow = OnEveryBackend<GovernanceBase>;
INSTANTIATE_TEST_SUITE_P(Backends, GovernanceFlow, ::testing::Values(Backend::embedded, Backend::kafka_postgres),
                         backend_name);

TEST_P(GovernanceFlow, PiiIsMaskedBeforeAnalysisStorageAndExportAndRawItemsAreDropped) {
  auto set = patch(R"({"redact":["email","phone","card","iban","ip","url_params"],"keep_raw":false})");
  ASSERT_EQ(set.status, 200) << set.raw;
  EXPECT_EQ(json::serialize(set.body.at("redact")), R"(["email","phone","card","iban","ip","url_params"])");
  EXPECT_EQ(str(set.body, "keep_raw"), "false");
  EXPECT_EQ(set.body.as_object().count("author_salt"), 0u);
  push(
      json::array{item("p1",
                       "Charged twice! Card 4111 1111 1111 1111, order 4111 1111 1111 1112. Refund to IBAN "
                       "DE89 3704 0044 0532 0130 00, mail me at <b>ana.lopez@example.com</b> or call +44 20 7946 0958.",
                       "ana", "ana.lopez@example.com", "u-1")});
  wait_for(1);
  auto items = feedback();
  std::string text = str(items[0], "conversation_attributes.text");
  EXPECT_NE(text.find("Card [card], order 4111 1111 1111 1112."), std::string::npos) << text;
  EXPECT_NE(text.find("IBAN [iban]"), std::string::npos) << text;
  EXPECT_NE(text.find("[email]"), std::string::npos) << text;
  EXPECT_NE(text.find("call [phone]"), std::string::npos) << text;
  for (const char* leaked : {"4111 1111 1111 1111", "ana.lopez@example.com", "DE89", "7946"})
    EXPECT_EQ(text.find(leaked), std::string::npos) << leaked << " in " << text;
  // The export reads the same stored text.
  auto csv = api().get("/v1/workspaces/" + ws_ + "/feedback?format=csv", key_);
  ASSERT_EQ(csv.status, 200) << csv.raw;
  EXPECT_NE(csv.raw.find("[card]"), std::string::npos) << csv.raw;
  EXPECT_EQ(csv.raw.find("4111 1111 1111 1111"), std::string::npos) << csv.raw;
  EXPECT_NE(csv.raw.find("4111 1111 1111 1112"), std::string::npos) << csv.raw;
  auto jsonl = api().get("/v1/workspaces/" + ws_ + "/feedback?format=jsonl", key_);
  EXPECT_EQ(jsonl.raw.find("DE89 3704"), std::string::npos) << jsonl.raw;
  // keep_raw false: the raw item (which has the card in full) was not kept.
  auto one =
      api().get("/v1/workspaces/" + ws_ + "/feedback/" + str(items[0], "unique_identifier") + "?include=raw", key_);
  ASSERT_EQ(one.status, 200) << one.raw;
  EXPECT_EQ(str(one.body, "raw"), "null");

  // Without redaction, the next item keeps its text and its raw item.
  ASSERT_EQ(patch(R"({"redact":[],"keep_raw":true})").status, 200);
  push(json::array{item("p2", "Write to bob@example.com", "bob", "bob@example.com", "u-2")});
  wait_for(2);
  bool seen = false;
  for (const auto& r : feedback())
    if (str(r, "conversation_attributes.text") == "Write to bob@example.com") {
      seen = true;
      auto raw = api().get("/v1/workspaces/" + ws_ + "/feedback/" + str(r, "unique_identifier") + "?include=raw", key_);
      EXPECT_EQ(str(raw.body, "raw.id"), "p2") << raw.raw;
    }
  EXPECT_TRUE(seen);
}

TEST_P(GovernanceFlow, WorkspaceSettingsRefuseBadInputAndChangeNothing) {
  auto expect = [&](const Reply& r, int status, const std::string& words) {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_NE(str(r.body, "error.message").find(words), std::string::npos) << r.raw;
  };
  expect(patch("{}"), 400, "nothing to change");
  expect(patch("not json"), 400, "");
  expect(patch("[1]"), 400, "");
  expect(patch(R"({"name":""})"), 400, "name");
  expect(patch(R"({"name":7})"), 400, "name");
  expect(patch(R"({"retention_days":0})"), 400, "retention_days");
  expect(patch(R"({"retention_days":"30"})"), 400, "retention_days");
  expect(patch(R"({"retention_days":1.5})"), 400, "retention_days");
  expect(patch(R"({"redact":["email","passport"]})"), 400, "passport");
  expect(patch(R"({"redact":"email"})"), 400, "redact");
  expect(patch(R"({"keep_raw":"no"})"), 400, "keep_raw");
  expect(patch(R"({"name":"ok","colour":"red"})"), 400, "colour");
  auto unchanged = api().get("/v1/workspaces/" + ws_, key_);
  EXPECT_EQ(str(unchanged.body, "name"), "Feedback") << "a refused change changes nothing, not even its valid part";
  EXPECT_EQ(str(unchanged.body, "retention_days"), "null");
  expect(patch(R"({"name":"x"})", "987654"), 404, "does not exist");
  auto bob = customer("Bob");
  auto bob_ws = api().post("/v1/workspaces", bob, json::object{{"name", "Bob's"}});
  expect(patch(R"({"name":"mine now"})", str(bob_ws.body, "id")), 404, "does not exist");
  EXPECT_EQ(str(api().get("/v1/workspaces/" + str(bob_ws.body, "id"), bob).body, "name"), "Bob's");

  auto ok = patch(R"({"name":"Support","retention_days":90,"drop_erased_authors":true})");
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(str(ok.body, "name"), "Support");
  EXPECT_EQ(num(ok.body, "retention_days"), 90);
  EXPECT_EQ(str(ok.body, "drop_erased_authors"), "true");
  auto again = api().get("/v1/workspaces/" + ws_, key_);
  EXPECT_EQ(num(again.body, "retention_days"), 90);
  ASSERT_EQ(patch(R"({"retention_days":null})").status, 200);
  EXPECT_EQ(str(api().get("/v1/workspaces/" + ws_, key_).body, "retention_days"), "null");
}

TEST_P(GovernanceFlow, ErasureRemovesAPersonAndLaterItemsOfThemAreDropped) {
  push(json::array{item("e1", "The sync keeps failing", "ana", "Ana@Example.com", "u-1"),
                   item("e2", "Sync failed again today", "ana", "ana@example.com", "u-1", "2026-03-03T10:00:00Z"),
                   item("e3", "Love the new dashboard", "bob", "bob@example.com", "u-2"),
                   item("e4", "Export is slow", "cy", "cy@example.com", "u-3", "2026-03-04T10:00:00Z")});
  wait_for(4);
  ASSERT_EQ(patch(R"({"drop_erased_authors":true})").status, 200);

  auto expect = [&](const Reply& r, int status, const std::string& words) {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_NE(str(r.body, "error.message").find(words), std::string::npos) << r.raw;
  };
  const std::string erasures = "/v1/workspaces/" + ws_ + "/erasures";
  expect(api().call("POST", erasures, key_, "{}"), 400, "nobody to erase");
  expect(api().call("POST", erasures, key_, R"({"email":""})"), 400, "email");
  expect(api().call("POST", erasures, key_, R"({"email":42})"), 400, "email");
  expect(api().call("POST", erasures, key_, R"({"user_id":7,"username":["cy"]})"), 400, "");
  expect(api().call("POST", erasures, key_, R"({"email":"a@b.c","username":"cy"})"), 400, "exactly one");
  expect(api().call("POST", erasures, key_, R"({"phone":"+1 415 555 2671"})"), 400, "phone");
  expect(api().call("POST", erasures, key_, "nope"), 400, "");
  expect(api().call("POST", "/v1/workspaces/987654/erasures", key_, R"({"email":"ana@example.com"})"), 404,
         "does not exist");
  auto bob = customer("Bob");
  auto bob_ws = str(api().post("/v1/workspaces", bob, json::object{{"name", "Bob's"}}).body, "id");
  expect(api().call("POST", "/v1/workspaces/" + bob_ws + "/erasures", key_, R"({"email":"ana@example.com"})"), 404,
         "does not exist");
  ASSERT_EQ(feedback().size(), 4u) << "refused erasures erase nothing";
  EXPECT_EQ(api().get(erasures, key_).body.at("items").as_array().size(), 0u);

  auto made = api().call("POST", erasures, key_, R"({"email":"ANA@example.com"})");
  ASSERT_EQ(made.status, 202) << made.raw;
  const std::string id = str(made.body, "id");
  auto got = api().get(erasures + "/" + id, key_);
  ASSERT_EQ(got.status, 200) << got.raw;
  EXPECT_EQ(str(got.body, "state"), "done");
  EXPECT_EQ(num(got.body, "records"), 2);
  EXPECT_EQ(str(got.body, "field"), "email");
  EXPECT_EQ(str(got.body, "requested_by"), "customer key");
  EXPECT_EQ(got.raw.find("ana"), std::string::npos) << "the log never holds the person: " << got.raw;
  EXPECT_EQ(api().get(erasures + "/" + id, bob).status, 404);
  EXPECT_EQ(api().get("/v1/workspaces/" + bob_ws + "/erasures/" + id, bob).status, 404);
  EXPECT_EQ(api().get(erasures + "/999999", key_).status, 404);
  EXPECT_EQ(api().get(erasures + "/abc", key_).status, 404);
  auto left = feedback();
  ASSERT_EQ(left.size(), 2u);
  for (const auto& r : left) EXPECT_NE(str(r, "user_attributes.username"), "ana");
  EXPECT_EQ(insight_count(), 2) << "the rollups lost her records too";
  auto report = api().get("/v1/workspaces/" + ws_ + "/reports?bucket=day", key_);
  std::int64_t reported = 0;
  for (const auto& s : report.body.at("series").as_array())
    for (const auto& p : s.at("points").as_array()) reported += p.at("count").to_number<std::int64_t>();
  EXPECT_EQ(reported, 2) << report.raw;

  // She writes again: the workspace asked to drop her later items, so only Bob's new one arrives.
  push(json::array{item("e5", "Still broken", "ana", "ana@EXAMPLE.com", "u-9"),
                   item("e6", "Dashboard is great", "bob", "bob@example.com", "u-2")});
  wait_for(3);
  for (const auto& r : feedback()) EXPECT_NE(str(r, "metadata_attributes.external_id"), "e5");
  // By user id and by name, too.
  auto by_id = api().call("POST", erasures, key_, R"({"user_id":"u-2"})");
  ASSERT_EQ(by_id.status, 202) << by_id.raw;
  EXPECT_EQ(num(by_id.body, "records"), 2);
  auto by_name = api().call("POST", erasures, key_, R"({"username":"cy"})");
  EXPECT_EQ(num(by_name.body, "records"), 1);
  wait_for(0);
  EXPECT_EQ(api().get(erasures, key_).body.at("items").as_array().size(), 3u);
}

TEST_P(GovernanceFlow, DeletingAWorkspaceRemovesItsDataAndOnlyItsAdminsMayAndLateItemsAreDropped) {
  push(json::array{item("d1", "Sync fails", "ana", "ana@example.com", "u-1")});
  wait_for(1);
  auto bob = customer("Bob");
  auto bob_ws = str(api().post("/v1/workspaces", bob, json::object{{"name", "Bob's"}}).body, "id");
  EXPECT_EQ(api().call("DELETE", "/v1/workspaces/" + bob_ws, key_).status, 404);
  EXPECT_EQ(api().call("DELETE", "/v1/workspaces/" + ws_, bob).status, 404);
  EXPECT_EQ(api().call("DELETE", "/v1/workspaces/987654", key_).status, 404);
  auto editor =
      api().post("/v1/keys", key_,
                 json::object{{"name", "team"}, {"role", "editor"}, {"workspaces", json::array{json::value(ws_)}}});
  ASSERT_EQ(editor.status, 201) << editor.raw;
  auto refused = api().call("DELETE", "/v1/workspaces/" + ws_, str(editor.body, "api_key"));
  EXPECT_EQ(refused.status, 403) << refused.raw;
  ASSERT_EQ(feedback().size(), 1u);

  // Items pushed just before the deletion are in flight when it happens; they must not bring it back.
  push(json::array{item("d2", "More", "bob", "bob@example.com", "u-2"),
                   item("d3", "Again", "cy", "c@example.com", "u-3")});
  auto gone = api().call("DELETE", "/v1/workspaces/" + ws_, key_);
  ASSERT_EQ(gone.status, 204) << gone.raw;
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_, key_).status, 404);
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/feedback", key_).status, 404);
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/sources/" + src_, key_).status, 404);
  EXPECT_EQ(api().call("POST", "/v1/hooks/" + src_, "", "{}").status / 100, 4) << "its webhook URL is gone too";
  EXPECT_EQ(api().call("DELETE", "/v1/workspaces/" + ws_, key_).status, 404);
  auto keys = api().get("/v1/keys", key_);
  for (const auto& k : keys.body.at("items").as_array())
    if (str(k, "name") == "team") {
      EXPECT_EQ(json::serialize(k.at("workspaces")), "[]") << "it sees nothing now";
    }
  // The pipeline settles without bringing anything back, and without dead letters or errors.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto list = api().get("/v1/workspaces", key_);
  EXPECT_EQ(list.body.at("items").as_array().size(), 0u) << list.raw;
  auto health = api().get("/healthz", "");
  EXPECT_EQ(health.raw.find("\"last_error\":\""), std::string::npos) << health.raw;
  EXPECT_EQ(api().get("/v1/workspaces/" + bob_ws, bob).status, 200) << "the other customer's workspace stays";
}

}  // namespace
}  // namespace chorus::testing
