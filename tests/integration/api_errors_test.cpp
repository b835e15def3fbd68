// The API's answers to bad input, wrong keys and other tenants' ids: a clear error object, the right
// status, and nothing stored or changed.
#include "integration/harness.hpp"

namespace chorus::testing {
namespace {

class ApiErrorsBase : public ChorusFixture {
 protected:
  void SetUp() override {
    ChorusFixture::SetUp();
    alice_ = customer("Alice Inc");
    bob_ = customer("Bob GmbH");
    auto ws = api().post("/v1/workspaces", alice_,
                         json::object{{"name", "Alice app"},
                                      {"sources", json::array{json::object{
                                                      {"type", "discourse"},
                                                      {"config", json::object{{"base_url", "http://127.0.0.1:9"}}}}}}});
    ASSERT_EQ(ws.status, 201) << ws.raw;
    ws_ = str(ws.body, "id");
    src_ = str(ws.body, "sources.0.id");
  }

  void expect_error(const Reply& r, int status, const std::string& code, const std::string& mentions = "") {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_EQ(str(r.body, "error.code"), code) << r.raw;
    EXPECT_FALSE(str(r.body, "error.message").empty()) << r.raw;
    if (!mentions.empty()) {
      EXPECT_NE(str(r.body, "error.message").find(mentions), std::string::npos) << r.raw;
    }
  }

  std::string alice_, bob_, ws_, src_;
};

using ApiErrors = OnEveryBackend<ApiErrorsBase>;
INSTANTIATE_TEST_SUITE_P(Backends, ApiErrors, ::testing::Values(Backend::embedded, Backend::kafka_postgres),
                         backend_name);

TEST_P(ApiErrors, KeysAreRequiredAndChecked) {
  expect_error(api().get("/v1/workspaces", ""), 401, "unauthorized", "Authorization");
  expect_error(api().get("/v1/workspaces", "chk_not-a-real-key"), 401, "unauthorized");
  expect_error(api().call("GET", "/v1/workspaces", "", "", {{"authorization", "Basic abc"}}), 401, "unauthorized");
  // The scheme's name is case-insensitive.
  EXPECT_EQ(api().call("GET", "/v1/workspaces", "", "", {{"authorization", "bearer " + alice_}}).status, 200);
  EXPECT_EQ(api().call("GET", "/v1/workspaces", "", "", {{"authorization", "BEARER " + alice_}}).status, 200);
  // The original route names its workspace in the query: without one it is a bad request.
  expect_error(api().get("/GetInsightReports", alice_), 400, "bad_request", "workspace_id is required");
  expect_error(api().get("/GetInsightReports?workspace_id=abc", alice_), 404, "not_found");
  expect_error(api().post("/v1/customers", alice_, json::object{{"name", "x"}}), 403, "forbidden");
  expect_error(api().get("/v1/workspaces", process_->admin_key()), 403, "forbidden");
}

TEST_P(ApiErrors, AnotherTenantsIdsAreNotFound) {
  const std::string base = "/v1/workspaces/" + ws_;
  expect_error(api().get(base, bob_), 404, "not_found");
  expect_error(api().get(base + "/sources/" + src_, bob_), 404, "not_found");
  expect_error(api().get(base + "/feedback", bob_), 404, "not_found");
  expect_error(api().get(base + "/reports", bob_), 404, "not_found");
  expect_error(api().get(base + "/insights", bob_), 404, "not_found");
  expect_error(api().get("/GetInsightReports?workspace_id=" + ws_, bob_), 404, "not_found");
  expect_error(api().post(base + "/sources/" + src_ + "/sync", bob_, json::object{}), 404, "not_found");
  expect_error(api().call("DELETE", base + "/sources/" + src_, bob_), 404, "not_found");
  expect_error(api().call("POST", base + "/sources/" + src_ + "/items", bob_, R"([{"id":1}])"), 404, "not_found");
  EXPECT_EQ(str(api().get("/v1/workspaces", bob_).body, "items"), "[]");
  // Alice's source is untouched by Bob's attempts.
  EXPECT_EQ(api().get(base + "/sources/" + src_, alice_).status, 200);
}

TEST_P(ApiErrors, UnknownIdsAreNotFound) {
  expect_error(api().get("/v1/workspaces/999", alice_), 404, "not_found", "999");
  expect_error(api().get("/v1/workspaces/abc", alice_), 404, "not_found");
  expect_error(api().get("/v1/workspaces/" + ws_ + "/sources/999", alice_), 404, "not_found");
  expect_error(api().get("/v1/workspaces/" + ws_ + "/syncs/999", alice_), 404, "not_found");
  expect_error(api().get("/v1/workspaces/" + ws_ + "/feedback/12345", alice_), 404, "not_found");
  expect_error(api().call("POST", "/v1/hooks/999", "", "{}"), 404, "not_found");
  // Anyone may call a hook: a source without a webhook answers as one that does not exist, so the answer does
  // not tell a stranger which ids are in use.
  auto unknown = api().call("POST", "/v1/hooks/999", "", "{}");
  auto without_webhook = api().call("POST", "/v1/hooks/" + src_, "", "{}");
  EXPECT_EQ(without_webhook.status, 404);
  std::string expected = str(unknown.body, "error.message");
  expected.replace(expected.find("999"), 3, src_);
  EXPECT_EQ(str(without_webhook.body, "error.message"), expected);
  expect_error(api().get("/v1/nothing-here", alice_), 404, "not_found");
}

TEST_P(ApiErrors, MalformedAndMistypedBodiesAreRefused) {
  expect_error(api().call("POST", "/v1/workspaces", alice_, "{\"name\": "), 400, "bad_request", "JSON");
  expect_error(api().call("POST", "/v1/workspaces", alice_, "[1,2]"), 400, "bad_request", "object");
  expect_error(api().post("/v1/workspaces", alice_, json::object{{"name", 42}}), 400, "bad_request", "name");
  expect_error(api().post("/v1/workspaces", alice_, json::object{{"name", "x"}, {"sources", "discourse"}}), 400,
               "bad_request", "sources");
  expect_error(api().post("/v1/workspaces", alice_,
                          json::object{{"name", "x"}, {"sources", json::array{json::object{{"type", "carrier-pigeon"}}}}}),
               400, "bad_request", "carrier-pigeon");
  expect_error(api().post("/v1/workspaces", alice_,
                          json::object{{"name", "x"}, {"sources", json::array{json::object{{"type", "discourse"}}}}}),
               400, "bad_request", "base_url");
  expect_error(api().post("/v1/workspaces/" + ws_ + "/sources", alice_,
                          json::object{{"type", "discourse"},
                                       {"config", json::object{{"base_url", "http://x"}}},
                                       {"schedule", json::object{{"every", "often"}}}}),
               400, "bad_request", "schedule.every");
  expect_error(api().post("/v1/workspaces/" + ws_ + "/sources", alice_,
                          json::object{{"type", "discourse"},
                                       {"config", json::object{{"base_url", "http://x"}}},
                                       {"webhook", json::object{{"scheme", "github"}, {"secret", "s"}}}}),
               400, "bad_request", "webhook.scheme");
  // Names: not only spaces, not control characters, not longer than 200 characters; a customer takes a name
  // and nothing else.
  for (const json::value& name :
       {json::value("   "), json::value(std::string(201, 'n')), json::value("tab\there"), json::value(5)}) {
    expect_error(
        api().post("/v1/workspaces/" + ws_ + "/sources", alice_,
                   json::object{{"type", "hackernews"}, {"name", name}, {"config", json::object{{"query", "q"}}}}),
        400, "bad_request", "name must be a string of 1 to 200 characters");
    expect_error(api().call("PATCH", "/v1/workspaces/" + ws_ + "/sources/" + src_, alice_,
                            json::serialize(json::object{{"name", name}})),
                 400, "bad_request", "name must be a string");
    expect_error(api().post("/v1/customers", process_->admin_key(), json::object{{"name", name}}), 400, "bad_request",
                 "name must be a string");
  }
  expect_error(
      api().post("/v1/customers", process_->admin_key(), json::object{{"name", "Carol"}, {"api_key", "chk_mine"}}), 400,
      "bad_request", "unknown field 'api_key'");
  // A re-analysis takes no settings: a body that is not {} is refused before a job starts.
  for (const char* body : {"{", "42", R"({"bogus":1})"})
    expect_error(api().call("POST", "/v1/workspaces/" + ws_ + "/reanalyze", alice_, body), 400, "bad_request");
  EXPECT_EQ(api().call("POST", "/v1/workspaces/" + ws_ + "/reanalyze", alice_, "{}").status, 202);
  // A setting the type does not have is named, not stored and ignored.
  expect_error(
      api().post("/v1/workspaces/" + ws_ + "/sources", alice_,
                 json::object{{"type", "hackernews"}, {"config", json::object{{"query", "q"}, {"qeury", "q"}}}}),
      400, "bad_request", "config.qeury is not a field");
  expect_error(api().post("/v1/workspaces/" + ws_ + "/sources", alice_,
                          json::object{{"type", "discourse"},
                                       {"config", json::object{{"base_url", "http://x"}}},
                                       {"credentials", json::object{{"api_kye", "k"}}}}),
               400, "bad_request", "credentials.api_kye is not a field");
  // A workspace whose second source is bad is not created at all.
  auto before = api().get("/v1/workspaces", alice_).body.at("items").as_array().size();
  expect_error(api().post("/v1/workspaces", alice_,
                          json::object{{"name", "half"},
                                       {"sources", json::array{json::object{{"type", "discourse"},
                                                                            {"config", json::object{{"base_url", "http://x"}}}},
                                                               json::object{{"type", "discourse"}}}}}),
               400, "bad_request", "sources[1]");
  EXPECT_EQ(api().get("/v1/workspaces", alice_).body.at("items").as_array().size(), before);
}

TEST_P(ApiErrors, BadQueryParametersAreRefused) {
  const std::string base = "/v1/workspaces/" + ws_;
  expect_error(api().get(base + "/feedback?from=yesterday", alice_), 400, "bad_request", "from");
  expect_error(api().get(base + "/feedback?limit=0", alice_), 400, "bad_request", "limit");
  expect_error(api().get(base + "/feedback?sentiment=angry", alice_), 400, "bad_request", "sentiment");
  expect_error(api().get(base + "/feedback?cursor=garbage", alice_), 400, "bad_request", "cursor");
  expect_error(api().get(base + "/reports?bucket=fortnight", alice_), 400, "bad_request", "bucket");
  expect_error(api().get(base + "/reports?group_by=colour", alice_), 400, "bad_request", "group_by");
  expect_error(api().get(base + "/insights?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", alice_), 400,
               "bad_request", "earlier");
}

TEST_P(ApiErrors, OversizeBodiesAre413AndStoreNothing) {
  std::string big = "[" + std::string(2 * 1024 * 1024, ' ') + "]";
  auto r = api().call("POST", "/v1/workspaces/" + ws_ + "/sources/" + src_ + "/items", alice_, big);
  EXPECT_EQ(r.status, 413) << r.raw.substr(0, 200);
  EXPECT_EQ(str(r.body, "error.code"), "too_large");
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/feedback", alice_).body.at("items").as_array().size(), 0u);
}

TEST_P(ApiErrors, PushedItemsAreValidatedBeforeAnyIsAccepted) {
  const std::string path = "/v1/workspaces/" + ws_ + "/sources/" + src_ + "/items";
  expect_error(api().call("POST", path, alice_, "{\"id\":1}\n{oops\n"), 400, "bad_request", "line 2");
  expect_error(api().call("POST", path, alice_, R"([{"id":7,"cooked":"<p>ok</p>"},{"cooked":"no id"}])"), 400,
               "bad_request", "item 1");
  auto ok = api().call("POST", path, alice_,
                       "{\"id\":7,\"cooked\":\"<p>Search is slow</p>\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n"
                       "{\"id\":8,\"cooked\":\"<p>Love the new editor</p>\",\"created_at\":\"2026-03-01T11:00:00Z\"}\n");
  EXPECT_EQ(ok.status, 202) << ok.raw;
  EXPECT_EQ(num(ok.body, "accepted"), 2);
  EXPECT_TRUE(eventually([&] {
    return api().get("/v1/workspaces/" + ws_ + "/feedback", alice_).body.at("items").as_array().size() == 2;
  }));
}

TEST_P(ApiErrors, DeletedSourcesDisappear) {
  auto del = api().call("DELETE", "/v1/workspaces/" + ws_ + "/sources/" + src_, alice_);
  EXPECT_EQ(del.status, 204);
  expect_error(api().get("/v1/workspaces/" + ws_ + "/sources/" + src_, alice_), 404, "not_found");
  expect_error(api().call("DELETE", "/v1/workspaces/" + ws_ + "/sources/" + src_, alice_), 404, "not_found");
}

TEST_P(ApiErrors, HealthMetricsAndConnectorsAreOpen) {
  auto h = api().get("/healthz", "");
  EXPECT_EQ(h.status, 200) << h.raw;
  EXPECT_EQ(str(h.body, "status"), "ok");
  for (auto role : {"api", "webhook", "fetcher", "parser", "reports"})
    EXPECT_EQ(str(h.body, std::string("roles.") + role + ".state"), "running") << role;
  // Open to anyone, so it says how things are, not where the data lives.
  EXPECT_EQ(h.raw.find(dir_.string()), std::string::npos) << h.raw;
  auto m = api().get("/metrics", "");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.raw.find("chorus_http_requests_total"), std::string::npos);
  auto c = api().get("/v1/connectors", "");
  EXPECT_EQ(c.status, 200);
  bool discourse = false;
  for (const auto& item : c.body.at("items").as_array()) discourse = discourse || str(item, "type") == "discourse";
  EXPECT_TRUE(discourse);
}

TEST_P(ApiErrors, CreateWorkspaceAliasWorks) {
  auto r = api().post("/CreateWorkspace", alice_, json::object{{"name", "via alias"}});
  EXPECT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(str(r.body, "name"), "via alias");
  EXPECT_EQ(api().get("/v1/workspaces/" + str(r.body, "id"), alice_).status, 200);
}

}  // namespace
}  // namespace chorus::testing
