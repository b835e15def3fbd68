// The audit log over HTTP on both deployments: every change of keys, workspaces, sources, themes and alerts leaves
// exactly one entry naming the key that made it; admins alone read it; a customer sees only its own entries (and a
// key limited to some workspaces only theirs); paging and filters; no secret ever appears in it.
#include <set>

#include "integration/harness.hpp"

namespace chorus::testing {
namespace {

class AuditBase : public ChorusFixture {
 protected:
  void SetUp() override {
    ChorusFixture::SetUp();
    alice_ = customer("Alice Inc");
    bob_ = customer("Bob GmbH");
  }

  // A key of Alice's; returns {id, secret}.
  std::pair<std::string, std::string> key(const std::string& name, const std::string& role, json::value workspaces,
                                          const std::string& with = "") {
    auto r = api().post("/v1/keys", with.empty() ? alice_ : with,
                        json::object{{"name", name}, {"role", role}, {"workspaces", workspaces}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return {str(r.body, "id"), str(r.body, "api_key")};
  }
  std::string workspace(const std::string& with, const std::string& name) {
    auto r = api().post("/v1/workspaces", with, json::object{{"name", name}, {"sources", json::array{}}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return str(r.body, "id");
  }
  std::vector<json::value> entries(const std::string& with, const std::string& query = "") {
    auto r = api().get("/v1/audit" + query, with);
    EXPECT_EQ(r.status, 200) << r.raw;
    std::vector<json::value> out;
    if (const auto* items = find_path(r.body, "items"); items && items->is_array())
      for (const auto& it : items->as_array()) out.push_back(it);
    return out;
  }
  std::string newest_id() {
    auto all = entries(alice_, "?limit=1");
    return all.empty() ? "0" : str(all.front(), "id");
  }
  // The entries made since `since` (an entry id), oldest first.
  std::vector<json::value> since(const std::string& since_id) {
    std::vector<json::value> out;
    for (auto& e : entries(alice_, "?limit=500"))
      if (std::stoll(str(e, "id")) > std::stoll(since_id)) out.insert(out.begin(), e);
    return out;
  }

  std::string alice_, bob_;
};

using Audit = OnEveryBackend<AuditBase>;
INSTANTIATE_TEST_SUITE_P(Backends, Audit, ::testing::Values(Backend::embedded, Backend::kafka_postgres), backend_name);

TEST_P(Audit, EveryChangeLeavesOneEntryWithTheKeyThatMadeIt) {
  auto [admin_id, admin] = key("Ops admin", "admin", "all");
  std::string ws = workspace(admin, "Support");
  auto [editor_id, editor] = key("Support editor", "editor", json::array{json::value(ws)}, admin);

  struct Step {
    std::string action, target_type, key_name;
    std::function<Reply()> call;
    int status;
  };
  std::string src, theme, rule, made_key;
  const std::string ws_path = "/v1/workspaces/" + ws;
  std::vector<Step> steps = {
      {"workspace.create", "workspace", "Ops admin",
       [&] {
         return api().post("/v1/workspaces", admin, json::object{{"name", "Web"}, {"sources", json::array{}}});
       },
       201},
      {"source.create", "source", "Support editor",
       [&] {
         auto r = api().post(
             ws_path + "/sources", editor,
             json::object{{"type", "discourse"},
                          {"name", "Forum"},
                          {"config", json::object{{"base_url", "http://127.0.0.1:9"}}},
                          {"credentials", json::object{{"api_key", "sekrit-forum-key"}, {"api_username", "system"}}}});
         src = str(r.body, "id");
         return r;
       },
       201},
      {"source.update", "source", "Support editor",
       [&] {
         return api().call(
             "PATCH", ws_path + "/sources/" + src, editor,
             R"({"name": "Community", "paused": true, "credentials": {"api_key": "newer-sekrit-key", "api_username": "system"}})");
       },
       200},
      {"taxonomy.create", "theme", "Support editor",
       [&] {
         auto r =
             api().post(ws_path + "/themes", editor,
                        json::object{{"name", "Invoices"}, {"rules", json::object{{"any", json::array{"invoice"}}}}});
         theme = str(r.body, "id");
         return r;
       },
       201},
      {"taxonomy.update", "theme", "Support editor",
       [&] { return api().call("PATCH", ws_path + "/themes/pricing", editor, R"({"hidden": true})"); }, 200},
      {"taxonomy.delete", "theme", "Support editor",
       [&] { return api().call("DELETE", ws_path + "/themes/" + theme, editor); }, 204},
      {"alert.create", "alert", "Support editor",
       [&] {
         auto r = api().post(
             ws_path + "/alerts", editor,
             json::object{{"name", "Negative"},
                          {"kind", "negative_share"},
                          {"params", json::object{{"threshold", 0.4}}},
                          {"channel", json::object{{"type", "webhook"}, {"url", "http://127.0.0.1:9/hook"}}}});
         rule = str(r.body, "id");
         return r;
       },
       201},
      {"alert.update", "alert", "Support editor",
       [&] { return api().call("PATCH", ws_path + "/alerts/" + rule, editor, R"({"name": "Very negative"})"); }, 200},
      {"alert.delete", "alert", "Support editor",
       [&] { return api().call("DELETE", ws_path + "/alerts/" + rule, editor); }, 204},
      {"source.delete", "source", "Support editor",
       [&] { return api().call("DELETE", ws_path + "/sources/" + src, editor); }, 204},
      {"key.create", "key", "Ops admin",
       [&] {
         auto r =
             api().post("/v1/keys", admin, json::object{{"name", "Reader"}, {"role", "viewer"}, {"workspaces", "all"}});
         made_key = str(r.body, "id");
         return r;
       },
       201},
      {"key.rotate", "key", "Ops admin",
       [&] { return api().call("POST", "/v1/keys/" + made_key + "/rotate", admin, R"({"grace_seconds": 0})"); }, 200},
      {"key.delete", "key", "Ops admin", [&] { return api().call("DELETE", "/v1/keys/" + made_key, admin); }, 204},
      {"workspace.update", "workspace", "Ops admin",
       [&] { return api().call("PATCH", ws_path, admin, R"({"name": "Support desk", "retention_days": 400})"); }, 200},
      {"erasure.create", "erasure", "Ops admin",
       [&] { return api().post(ws_path + "/erasures", admin, json::object{{"email", "gone@example.com"}}); }, 202},
      {"workspace.delete", "workspace", "Ops admin", [&] { return api().call("DELETE", ws_path, admin); }, 204},
  };
  std::vector<std::string> secrets_seen = {"sekrit-forum-key", "newer-sekrit-key"};
  for (auto& step : steps) {
    SCOPED_TRACE(step.action);
    const std::string before = newest_id();
    auto r = step.call();
    ASSERT_EQ(r.status, step.status) << r.raw;
    if (auto s = str(r.body, "api_key"); !s.empty() && s != "null") secrets_seen.push_back(s);
    if (auto s = str(r.body, "channel.secret"); !s.empty() && s != "null") secrets_seen.push_back(s);
    auto made = since(before);
    ASSERT_EQ(made.size(), 1u) << "each change leaves exactly one entry";
    const auto& e = made.front();
    EXPECT_EQ(str(e, "action"), step.action);
    EXPECT_EQ(str(e, "target.type"), step.target_type);
    EXPECT_EQ(str(e, "key.name"), step.key_name);
    EXPECT_EQ(str(e, "key.id"), step.key_name == "Ops admin" ? admin_id : editor_id);
    EXPECT_TRUE(parse_time(str(e, "at")).has_value()) << json::serialize(e);
    if (step.target_type == "key") {
      EXPECT_EQ(str(e, "workspace_id"), "null");
    } else if (step.target_type != "workspace") {
      EXPECT_EQ(str(e, "workspace_id"), ws);
    }
  }
  auto all = api().get("/v1/audit?limit=500", alice_);
  ASSERT_EQ(all.status, 200);
  // The update names what changed, never the values of secrets.
  auto updates = entries(alice_, "?action=source.update");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_NE(str(updates[0], "detail").find("credentials"), std::string::npos) << json::serialize(updates[0]);
  EXPECT_NE(str(updates[0], "detail").find("paused"), std::string::npos);
  EXPECT_EQ(str(updates[0], "target.name"), "Community");
  // A workspace change names its fields; an erasure the kind of identifier, never the person.
  auto ws_change = entries(alice_, "?action=workspace.update");
  ASSERT_EQ(ws_change.size(), 1u);
  EXPECT_EQ(str(ws_change[0], "detail"), "name, retention_days");
  auto erasure = entries(alice_, "?action=erasure.create");
  ASSERT_EQ(erasure.size(), 1u);
  EXPECT_EQ(str(erasure[0], "detail"), "email");
  EXPECT_EQ(all.raw.find("gone@example.com"), std::string::npos) << "never the erased person";
  auto alert_change = entries(alice_, "?action=alert.update");
  ASSERT_EQ(alert_change.size(), 1u);
  EXPECT_EQ(str(alert_change[0], "detail"), "name; negative_share to webhook");
  EXPECT_EQ(str(alert_change[0], "target.name"), "Very negative");
  for (const auto& secret : secrets_seen) EXPECT_EQ(all.raw.find(secret), std::string::npos) << secret;
  EXPECT_EQ(all.raw.find("127.0.0.1:9"), std::string::npos) << "no request bodies";

  // Reading and refused changes leave nothing.
  const std::string before = newest_id();
  api().get(ws_path + "/sources", editor);
  api().call("PATCH", ws_path + "/sources/" + src, editor, R"({"name": 1})");
  api().post("/v1/keys", editor, json::object{{"name", "x"}, {"role", "viewer"}, {"workspaces", "all"}});
  EXPECT_TRUE(since(before).empty());
}

TEST_P(Audit, AdminsAloneReadTheirOwnCustomersEntries) {
  std::string ws = workspace(alice_, "Support");
  std::string ws2 = workspace(alice_, "Web");
  std::string bob_ws = workspace(bob_, "Bob app");
  api().post("/v1/workspaces/" + bob_ws + "/sources", bob_,
             json::object{{"type", "discourse"}, {"config", json::object{{"base_url", "https://bob.example"}}}});
  auto [viewer_id, viewer] = key("Reader", "viewer", "all");
  auto [editor_id, editor] = key("Writer", "editor", "all");
  for (const auto& k : {viewer, editor}) {
    auto r = api().get("/v1/audit", k);
    EXPECT_EQ(r.status, 403) << r.raw;
    EXPECT_NE(str(r.body, "error.message").find("admin"), std::string::npos) << r.raw;
  }
  EXPECT_EQ(api().get("/v1/audit", "").status, 401);
  EXPECT_EQ(api().get("/v1/audit", process_->admin_key()).status, 403);

  // Bob's entries never show up for Alice, nor hers for him.
  std::set<std::string> alice_ids, bob_ids;
  for (const auto& e : entries(alice_, "?limit=500")) alice_ids.insert(str(e, "id"));
  for (const auto& e : entries(bob_, "?limit=500")) {
    bob_ids.insert(str(e, "id"));
    EXPECT_NE(str(e, "key.name").find("customer key"), std::string::npos);
  }
  EXPECT_EQ(bob_ids.size(), 2u);  // his workspace and his source
  for (const auto& id : bob_ids) EXPECT_EQ(alice_ids.count(id), 0u);
  EXPECT_EQ(alice_ids.size(), 4u);  // two workspaces, two keys
  // Filtering by Bob's workspace finds nothing of his: it does not exist for Alice.
  EXPECT_EQ(api().get("/v1/audit?workspace=" + bob_ws, alice_).status, 404);

  // An admin key limited to one workspace sees that workspace's entries only.
  auto [scoped_id, scoped] = key("Support admin", "admin", json::array{json::value(ws)});
  api().post("/v1/workspaces/" + ws + "/sources", scoped,
             json::object{{"type", "discourse"}, {"config", json::object{{"base_url", "https://a.example"}}}});
  api().post("/v1/workspaces/" + ws2 + "/sources", alice_,
             json::object{{"type", "discourse"}, {"config", json::object{{"base_url", "https://b.example"}}}});
  auto theirs = entries(scoped, "?limit=500");
  ASSERT_FALSE(theirs.empty());
  for (const auto& e : theirs) EXPECT_EQ(str(e, "workspace_id"), ws) << json::serialize(e);
  EXPECT_EQ(api().get("/v1/audit?workspace=" + ws2, scoped).status, 404);
}

TEST_P(Audit, PagesNewestFirstAndFilters) {
  std::string ws = workspace(alice_, "Support");
  std::string ws2 = workspace(alice_, "Web");
  for (int i = 0; i < 5; ++i)
    api().post("/v1/workspaces/" + ws + "/sources", alice_,
               json::object{{"type", "discourse"},
                            {"name", "Forum " + std::to_string(i)},
                            {"config", json::object{{"base_url", "https://f.example"}}}});
  api().post("/v1/workspaces/" + ws2 + "/sources", alice_,
             json::object{{"type", "discourse"}, {"config", json::object{{"base_url", "https://g.example"}}}});
  key("Reader", "viewer", "all");
  // 2 workspaces + 6 sources + 1 key = 9 entries, read two at a time.
  std::vector<std::string> ids;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto r = api().get("/v1/audit?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), alice_);
    ASSERT_EQ(r.status, 200) << r.raw;
    ++pages;
    for (const auto& e : r.body.at("items").as_array()) ids.push_back(str(e, "id"));
    if (r.body.at("next_cursor").is_null()) break;
    cursor = str(r.body, "next_cursor");
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 5);
  ASSERT_EQ(ids.size(), 9u);
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_GT(std::stoll(ids[i - 1]), std::stoll(ids[i])) << "newest first";
  EXPECT_EQ(str(entries(alice_, "?limit=1").front(), "action"), "key.create");

  EXPECT_EQ(entries(alice_, "?action=source.create&limit=500").size(), 6u);
  EXPECT_EQ(entries(alice_, "?action=source.create&workspace=" + ws).size(), 5u);
  EXPECT_EQ(entries(alice_, "?action=source.*").size(), 6u);
  EXPECT_EQ(entries(alice_, "?action=workspace").size(), 2u);
  EXPECT_EQ(entries(alice_, "?action=key.create").size(), 1u);
  EXPECT_EQ(entries(alice_, "?action=alert.create").size(), 0u);
  EXPECT_EQ(entries(alice_, "?workspace=" + ws2).size(), 2u);  // its creation and its source

  for (const std::string bad : {"?limit=0", "?limit=501", "?limit=ten", "?cursor=abc", "?cursor=au_x",
                                "?action=Key.Create", "?action=k*y", "?workspace=abc"}) {
    auto r = api().get("/v1/audit" + bad, alice_);
    EXPECT_EQ(r.status, 400) << bad << " " << r.raw;
  }
  EXPECT_EQ(api().get("/v1/audit?workspace=987654", alice_).status, 404);
}

}  // namespace
}  // namespace chorus::testing
