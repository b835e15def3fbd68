// Keys with roles over HTTP: every route the router serves × viewer, editor, admin × own and foreign workspace,
// revoked and expired keys, rotation grace, and bad key requests that store nothing.
#include <algorithm>
#include <thread>

#include "integration/harness.hpp"

namespace chorus::testing {
namespace {

using api::Access;

class AccessBase : public ChorusFixture {
 protected:
  void SetUp() override {
    ChorusFixture::SetUp();
    alice_ = customer("Alice Inc");
    bob_ = customer("Bob GmbH");
    ws_ = workspace(alice_, "Alice app");
    ws2_ = workspace(alice_, "Alice web");
    bob_ws_ = workspace(bob_, "Bob app");
    src_ = source(alice_, ws_);
    src2_ = source(alice_, ws2_);
    bob_src_ = source(bob_, bob_ws_);
  }

  std::string workspace(const std::string& key, const std::string& name) {
    auto r = api().post("/v1/workspaces", key, json::object{{"name", name}, {"sources", json::array{}}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return str(r.body, "id");
  }
  std::string source(const std::string& key, const std::string& ws) {
    auto r = api().post("/v1/workspaces/" + ws + "/sources", key,
                        json::object{{"type", "jsonl"},
                                     {"name", "survey"},
                                     {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return str(r.body, "id");
  }
  // Creates a key of Alice's; returns the whole answer.
  Reply make_key(const std::string& role, json::value workspaces, json::value expires_at = nullptr,
                 const std::string& with = "") {
    return api().post("/v1/keys", with.empty() ? alice_ : with,
                      json::object{{"name", role + " key"}, {"role", role}, {"workspaces", workspaces},
                                   {"expires_at", expires_at}});
  }
  std::string secret(const Reply& r) {
    EXPECT_EQ(r.status, 201) << r.raw;
    return str(r.body, "api_key");
  }
  std::size_t key_count() {
    auto r = api().get("/v1/keys", alice_);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.at("items").as_array().size();
  }

  std::string alice_, bob_, ws_, ws2_, bob_ws_, src_, src2_, bob_src_;
};

class AccessMatrix : public AccessBase {};
using KeyLifecycle = OnEveryBackend<AccessBase>;
INSTANTIATE_TEST_SUITE_P(Backends, KeyLifecycle, ::testing::Values(Backend::embedded, Backend::kafka_postgres),
                         backend_name);

// A path for the pattern with every parameter filled: {ws} and {src} from `ws` and `src`, other ids made up.
std::string fill(std::string pattern, const std::string& ws, const std::string& src, const std::string& key_id) {
  auto replace = [&](const std::string& param, const std::string& value) {
    if (auto at = pattern.find(param); at != std::string::npos) pattern.replace(at, param.size(), value);
  };
  replace("{ws}", ws);
  replace("{src}", src);
  replace("{sync}", "999999");
  replace("{job}", "ra_none");
  replace("{file}", "none.js");
  replace("{id}", pattern.starts_with("/v1/keys/") ? key_id : "none");
  if (pattern == "/GetInsightReports") pattern += "?workspace_id=" + ws;
  return pattern;
}

int rank(Access a) {
  return a == Access::viewer ? 1 : a == Access::editor ? 2 : a == Access::admin ? 3 : 0;
}

TEST_F(AccessMatrix, EveryRouteAnswersEachRoleInAndOutOfItsWorkspaces) {
  // Keys of each role over Alice's first workspace only; her second workspace and Bob's are foreign to them.
  // Plus an admin over all of Alice's workspaces, for whom only Bob's is foreign.
  struct RoleKey {
    std::string role, key;
    bool all = false;
  };
  std::vector<RoleKey> keys;
  for (const char* role : {"viewer", "editor", "admin"})
    keys.push_back({role, secret(make_key(role, json::array{json::value(ws_)}))});
  keys.push_back({"admin", secret(make_key("admin", "all")), true});
  const std::string viewer_key = keys.front().key;
  std::string victim = str(make_key("viewer", json::array{json::value(ws_)}).body, "id");  // what key routes act on
  std::string revoked_reply = str(make_key("admin", "all").body, "api_key");
  {
    auto list = api().get("/v1/keys", alice_);
    std::string id;
    for (const auto& k : list.body.at("items").as_array())
      if (str(k, "name") == "admin key" && str(k, "workspaces") == "all") id = str(k, "id");
    ASSERT_EQ(api().call("DELETE", "/v1/keys/" + id, alice_).status, 204);
  }
  auto expiring = secret(make_key("admin", "all", json::value(format_time(now_ms() + 1500))));
  ASSERT_EQ(api().get("/v1/workspaces", expiring).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));

  auto routes = process_->routes();
  // Deleting the workspace goes last: the routes after it would otherwise find it gone.
  std::stable_partition(routes.begin(), routes.end(), [](const auto& route) {
    return !(route.first == "DELETE" && route.second == "/v1/workspaces/{ws}");
  });
  const auto& table = process_->route_access();
  ASSERT_GT(routes.size(), 30u);
  int checked = 0;
  for (const auto& [method, pattern] : routes) {
    SCOPED_TRACE(method + " " + pattern);
    auto it = table.find({method, pattern});
    ASSERT_NE(it, table.end()) << method << " " << pattern << " declares no access: register it with add_route";
    const Access access = it->second;
    const bool scoped = pattern.find("{ws}") != std::string::npos || pattern == "/GetInsightReports";
    const std::string own = fill(pattern, ws_, src_, victim);
    const std::string body = method == "GET" || method == "DELETE" ? "" : "{}";

    if (access == Access::anyone || access == Access::signed_webhook) {
      // Open routes ignore keys entirely: a revoked one changes nothing.
      for (const auto& key : {viewer_key, revoked_reply}) {
        auto r = api().call(method, fill(pattern, ws_, src_, victim), key, body);
        EXPECT_NE(r.status, 403) << r.raw;
        if (access == Access::anyone) {
          EXPECT_LT(r.status, 500) << r.raw;
        }
      }
      continue;
    }
    // Revoked and expired keys are refused everywhere, with the reason.
    auto revoked = api().call(method, own, revoked_reply, body);
    EXPECT_EQ(revoked.status, 401) << revoked.raw;
    EXPECT_NE(str(revoked.body, "error.message").find("revoked"), std::string::npos) << revoked.raw;
    auto expired = api().call(method, own, expiring, body);
    EXPECT_EQ(expired.status, 401) << expired.raw;
    EXPECT_NE(str(expired.body, "error.message").find("expired"), std::string::npos) << expired.raw;
    auto anonymous = api().call(method, own, "", body);
    EXPECT_EQ(anonymous.status, 401) << anonymous.raw;

    if (access == Access::operator_key) {
      for (const auto& k : keys) EXPECT_EQ(api().call(method, own, k.key, body).status, 403) << k.role;
      continue;
    }
    // The operator's key is not a customer's.
    EXPECT_EQ(api().call(method, own, process_->admin_key(), body).status, 403);
    for (const auto& [role, key, all] : keys) {
      SCOPED_TRACE(role + (all ? " over all workspaces" : " over one workspace"));
      const bool allowed = rank(role == "viewer" ? Access::viewer : role == "editor" ? Access::editor : Access::admin) >=
                           rank(access);
      auto mine = api().call(method, own, key, body);
      const bool makes_workspaces = method == "POST" && (pattern == "/v1/workspaces" || pattern == "/CreateWorkspace");
      if (allowed && makes_workspaces && !all) {
        // A key limited to some workspaces cannot make new ones it would not see.
        EXPECT_EQ(mine.status, 403) << mine.raw;
        EXPECT_NE(str(mine.body, "error.message").find("all workspaces"), std::string::npos) << mine.raw;
      } else if (allowed) {
        EXPECT_NE(mine.status, 401) << mine.raw;
        EXPECT_NE(mine.status, 403) << mine.raw;
        EXPECT_LT(mine.status, 500) << mine.raw;
      } else {
        EXPECT_EQ(mine.status, 403) << mine.raw;
        EXPECT_NE(str(mine.body, "error.message").find(std::string(access_name(access))), std::string::npos) << mine.raw;
      }
      if (!scoped) continue;
      // Another customer's workspace, and one of Alice's this key does not cover: not found, or forbidden
      // when the role falls short anyway.
      for (const auto& [foreign_ws, foreign_src] : {std::pair{bob_ws_, bob_src_}, std::pair{ws2_, src2_}}) {
        if (all && foreign_ws == ws2_) continue;  // Alice's own, and this key covers it
        auto theirs = api().call(method, fill(pattern, foreign_ws, foreign_src, victim), key, body);
        EXPECT_EQ(theirs.status, allowed ? 404 : 403) << theirs.raw;
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
  // Nothing of a foreign workspace was touched: Bob's source is still there, and so is Alice's second one.
  EXPECT_EQ(api().get("/v1/workspaces/" + bob_ws_ + "/sources/" + bob_src_, bob_).status, 200);
  EXPECT_EQ(api().get("/v1/workspaces/" + ws2_ + "/sources/" + src2_, alice_).status, 200);
}

TEST_P(KeyLifecycle, KeysAreShownOnceListedWithoutSecretsAndScoped) {
  auto made = make_key("viewer", json::array{json::value(ws_)});
  ASSERT_EQ(made.status, 201) << made.raw;
  std::string secret = str(made.body, "api_key");
  EXPECT_EQ(secret.rfind("chk_", 0), 0u);
  EXPECT_EQ(str(made.body, "role"), "viewer");
  EXPECT_EQ(str(made.body, "workspaces.0"), ws_);
  EXPECT_FALSE(str(made.body, "created_at").empty());
  EXPECT_TRUE(made.body.at("expires_at").is_null());

  auto list = api().get("/v1/keys", alice_);
  ASSERT_EQ(list.status, 200) << list.raw;
  EXPECT_EQ(list.raw.find(secret), std::string::npos);
  EXPECT_EQ(list.raw.find("api_key"), std::string::npos);
  EXPECT_EQ(list.body.at("items").as_array().size(), 2u);  // the customer key and this one
  EXPECT_EQ(api().get("/v1/keys", bob_).body.at("items").as_array().size(), 1u);

  // The viewer sees its workspace only, and reads it; it cannot change it.
  auto self = api().get("/v1/keys/self", secret);
  ASSERT_EQ(self.status, 200) << self.raw;
  EXPECT_EQ(str(self.body, "role"), "viewer");
  auto mine = api().get("/v1/workspaces", secret);
  ASSERT_EQ(mine.status, 200);
  ASSERT_EQ(mine.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(str(mine.body, "items.0.id"), ws_);
  EXPECT_EQ(api().get("/v1/workspaces/" + ws2_, secret).status, 404);
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/feedback", secret).status, 200);
  auto refused = api().call("DELETE", "/v1/workspaces/" + ws_ + "/sources/" + src_, secret);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(str(refused.body, "error.message").find("editor"), std::string::npos) << refused.raw;
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/sources/" + src_, alice_).status, 200);

  // Use is noted.
  auto listed = api().get("/v1/keys", alice_);
  bool noted = false;
  for (const auto& k : listed.body.at("items").as_array())
    if (str(k, "id") == str(made.body, "id")) noted = !k.at("last_used_at").is_null();
  EXPECT_TRUE(noted) << listed.raw;

  // Revoked: refused from the next request on.
  ASSERT_EQ(api().call("DELETE", "/v1/keys/" + str(made.body, "id"), alice_).status, 204);
  auto after = api().get("/v1/workspaces", secret);
  EXPECT_EQ(after.status, 401);
  EXPECT_NE(str(after.body, "error.message").find("revoked"), std::string::npos) << after.raw;
  // Bob cannot see or revoke Alice's keys.
  EXPECT_EQ(api().call("DELETE", "/v1/keys/" + str(made.body, "id"), bob_).status, 404);
  EXPECT_EQ(api().call("POST", "/v1/keys/" + str(made.body, "id") + "/rotate", bob_, "{}").status, 404);
}

TEST_P(KeyLifecycle, RotationKeepsTheOldSecretForItsGraceOnly) {
  auto made = make_key("editor", "all");
  std::string old_secret = secret(made);
  std::string id = str(made.body, "id");
  ASSERT_EQ(api().get("/v1/workspaces", old_secret).status, 200);

  auto bad = api().call("POST", "/v1/keys/" + id + "/rotate", alice_, R"({"grace_seconds": -1})");
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(api().call("POST", "/v1/keys/" + id + "/rotate", alice_, R"({"grace_seconds": 99999999})").status, 400);
  EXPECT_EQ(api().get("/v1/workspaces", old_secret).status, 200);  // a refused rotation changes nothing

  auto rotated = api().call("POST", "/v1/keys/" + id + "/rotate", alice_, R"({"grace_seconds": 1})");
  ASSERT_EQ(rotated.status, 200) << rotated.raw;
  std::string new_secret = str(rotated.body, "api_key");
  EXPECT_NE(new_secret, old_secret);
  EXPECT_EQ(str(rotated.body, "id"), id);
  EXPECT_EQ(api().get("/v1/workspaces", new_secret).status, 200);
  EXPECT_EQ(api().get("/v1/workspaces", old_secret).status, 200);  // within the grace
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_EQ(api().get("/v1/workspaces", old_secret).status, 401);  // after it
  EXPECT_EQ(api().get("/v1/workspaces", new_secret).status, 200);

  // The default grace is a day.
  auto again = api().call("POST", "/v1/keys/" + id + "/rotate", alice_, "");
  ASSERT_EQ(again.status, 200) << again.raw;
  auto until = parse_time(str(again.body, "previous_secret_valid_until"));
  ASSERT_TRUE(until);
  EXPECT_NEAR(static_cast<double>(*until - now_ms()), 86400000.0, 60000.0);
  EXPECT_EQ(api().get("/v1/workspaces", new_secret).status, 200);
  // Revoking ends every secret of the key at once, and a revoked key cannot be rotated back to life.
  ASSERT_EQ(api().call("DELETE", "/v1/keys/" + id, alice_).status, 204);
  EXPECT_EQ(api().get("/v1/workspaces", new_secret).status, 401);
  EXPECT_EQ(api().get("/v1/workspaces", str(again.body, "api_key")).status, 401);
  EXPECT_EQ(api().call("POST", "/v1/keys/" + id + "/rotate", alice_, "{}").status, 409);
}

TEST_P(KeyLifecycle, BadKeyRequestsAreRefusedAndStoreNothing) {
  const std::size_t before = key_count();
  auto expect = [&](const Reply& r, int status, const std::string& mentions) {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_NE(str(r.body, "error.message").find(mentions), std::string::npos) << r.raw;
  };
  expect(make_key("owner", "all"), 400, "role");
  expect(make_key("viewer", "all", json::value("2020-01-01T00:00:00Z")), 400, "future");
  expect(make_key("viewer", "all", json::value("next tuesday")), 400, "expires_at");
  expect(make_key("viewer", json::array{json::value(bob_ws_)}), 400, "does not exist");
  expect(make_key("viewer", json::array{json::value("987654")}), 400, "does not exist");
  expect(make_key("viewer", json::array{}), 400, "workspaces");
  expect(make_key("viewer", json::value("some")), 400, "workspaces");
  expect(api().call("POST", "/v1/keys", alice_, "{\"name\": \"x\", "), 400, "JSON");
  expect(api().post("/v1/keys", alice_, json::object{{"role", "viewer"}, {"workspaces", "all"}}), 400, "name");
  expect(api().call("DELETE", "/v1/keys/987654", alice_), 404, "does not exist");
  expect(api().call("POST", "/v1/keys/987654/rotate", alice_, "{}"), 404, "does not exist");
  // A key limited to one workspace cannot grant more than it has, nor make workspaces.
  std::string scoped = secret(make_key("admin", json::array{json::value(ws_)}));
  expect(make_key("viewer", "all", nullptr, scoped), 403, "limited");
  expect(make_key("viewer", json::array{json::value(ws2_)}, nullptr, scoped), 403, "limited");
  expect(api().post("/v1/workspaces", scoped, json::object{{"name", "more"}}), 403, "all workspaces");
  // An editor cannot make keys at all.
  std::string editor = secret(make_key("editor", "all"));
  expect(make_key("viewer", "all", nullptr, editor), 403, "admin");
  EXPECT_EQ(key_count(), before + 2);  // the two made on purpose above
  auto fine = make_key("viewer", json::array{json::value(ws_)}, nullptr, scoped);
  EXPECT_EQ(fine.status, 201) << fine.raw;
}

}  // namespace
}  // namespace chorus::testing
