// The alert routes through the router as `chorus serve` wires them: create, list, read, change and delete
// rules; every bad input refused with a clear 4xx and nothing stored; channel secrets sealed at rest and
// never shown; another tenant's workspace and alerts not found.
#include <gtest/gtest.h>

#include "unit/api/wired_api.hpp"

namespace chorus::api {
namespace {

constexpr const char* kSlackUrl = "https://hooks.slack.com/services/T0001/B0002/secretpart123";

class AlertRoutes : public TwoTenantApi {
 protected:
  void SetUp() override {
    TwoTenantApi::SetUp();
    if (HasFatalFailure()) return;
    store::Source src;
    src.workspace_id = std::stoll(other_ws_);
    src.type = "jsonl";
    src.name = "their survey";
    src.sealed_secrets = "sealed";
    their_source_ = std::to_string(store_->create_source(src)->id);
    src.workspace_id = std::stoll(ws_);
    src.name = "our survey";
    our_source_ = std::to_string(store_->create_source(src)->id);
  }

  std::string alerts(const std::string& ws = "") { return "/v1/workspaces/" + (ws.empty() ? ws_ : ws) + "/alerts"; }
  std::size_t stored_rules() {
    auto a = store_->list_alert_rules(std::stoll(ws_));
    auto b = store_->list_alert_rules(std::stoll(other_ws_));
    return a->size() + b->size();
  }
  static std::string slack_rule(const std::string& url = kSlackUrl) {
    return R"({"name":"Checkout","kind":"emerging","params":{"themes":["payments"]},"channel":{"type":"slack","url":")" +
           url + R"("}})";
  }
  std::string their_source_, our_source_;
};

TEST_F(AlertRoutes, CreatesWithDefaultsAndNeverShowsTheSlackUrl) {
  auto r = call("POST", alerts(), slack_rule());
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.raw.find("secretpart123"), std::string::npos) << r.raw;
  EXPECT_EQ(*get_string(r.body, "kind"), "emerging");
  EXPECT_EQ(find_path(r.body, "params.min_count")->to_number<std::int64_t>(), 8);
  EXPECT_EQ(find_path(r.body, "params.live_lag_hours")->to_number<double>(), 6.0);
  EXPECT_EQ(json::serialize(*find_path(r.body, "channel.secrets_set")), R"(["url"])");
  EXPECT_TRUE(find_path(r.body, "enabled")->as_bool());
  std::string id = *get_string(r.body, "id");

  auto one = call("GET", alerts() + "/" + id);
  ASSERT_EQ(one.status, 200) << one.raw;
  EXPECT_EQ(one.raw.find("secretpart123"), std::string::npos);
  auto list = call("GET", alerts());
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(find_path(list.body, "items")->as_array().size(), 1u);
  EXPECT_EQ(list.raw.find("secretpart123"), std::string::npos);

  // Sealed at rest: the stored row holds no trace of the URL, and opens to it with the server's key.
  auto stored = store_->get_alert_rule(std::stoll(ws_), std::stoll(id));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->sealed_secrets.find("secretpart123"), std::string::npos);
  EXPECT_EQ(to_json_string(stored->channel).find("hooks.slack.com"), std::string::npos);
  auto opened = box_->open(stored->sealed_secrets);
  ASSERT_TRUE(opened);
  EXPECT_NE(opened->find("secretpart123"), std::string::npos);
}

TEST_F(AlertRoutes, AWebhookSecretIsMadeWhenLeftOutAndShownOnce) {
  auto r = call("POST", alerts(),
                R"({"name":"Hook","kind":"negative_share","params":{"threshold":0.4},)"
                R"("channel":{"type":"webhook","url":"https://example.com/hooks/chorus"}})");
  ASSERT_EQ(r.status, 201) << r.raw;
  auto secret = get_string(*find_path(r.body, "channel"), "secret");
  ASSERT_TRUE(secret);
  EXPECT_TRUE(secret->starts_with("whsec_")) << *secret;
  EXPECT_EQ(*get_string(*find_path(r.body, "channel"), "url"), "https://example.com/hooks/chorus");
  auto again = call("GET", alerts() + "/" + *get_string(r.body, "id"));
  EXPECT_EQ(again.raw.find(*secret), std::string::npos) << again.raw;
  EXPECT_EQ(again.raw.find(secret->substr(6)), std::string::npos);
}

TEST_F(AlertRoutes, RefusesBadInputAndStoresNothing) {
  struct Case {
    std::string body, expected;
  };
  const std::vector<Case> cases{
      {R"({"name":"x","kind":"volcano","channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "not an alert kind"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"pager","url":"https://example.com"}})", "not a channel"},
      {slack_rule("file:///etc/passwd"), "http or https"},
      {slack_rule("http://169.254.169.254/latest/meta-data"), "169.254.169.254 is a cloud metadata address"},
      {slack_rule("http://169.254.10.1/hook"), "169.254.10.1 is a link-local address"},
      {slack_rule("http://[fe80::1]/hook"), "link-local"},
      {slack_rule("http://[::ffff:169.254.169.254]/hook"), "metadata"},
      {slack_rule("http://0.0.0.0:8080/hook"), "this network"},
      {slack_rule("http://127.0.0.1:9/hook"), "loopback address, refused unless an operator allows its range"},
      {slack_rule("http://2130706433/hook"), "legacy numeric form"},
      {slack_rule("http://0x7f.1/hook"), "legacy numeric form"},
      {slack_rule("gopher://example.com/x"), "http or https"},
      {slack_rule("not a url"), "URL"},
      {slack_rule("https://user:pw@example.com/x"), "password"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"webhook","url":"http://metadata.google.internal/x"}})",
       "metadata"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"webhook","url":"https://example.com","secret":"nope"}})",
       "whsec_"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"email","host":"smtp.example.com","port":70000,"from":"a@example.com","to":["b@example.com"]}})",
       "65535"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"email","host":"smtp.example.com","port":0,"from":"a@example.com","to":["b@example.com"]}})",
       "65535"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"email","host":"smtp.example.com","port":-25,"from":"a@example.com","to":["b@example.com"]}})",
       "65535"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"email","host":"smtp.example.com","port":"25","from":"a@example.com","to":["b@example.com"]}})",
       "whole number"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"email","host":"169.254.1.1","from":"a@example.com","to":["b@example.com"]}})",
       "link-local"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"email","host":"10.0.0.5","from":"a@example.com","to":["b@example.com"]}})",
       "private address"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"email","host":"smtp.example.com","from":"nobody","to":["b@example.com"]}})",
       "e-mail address"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"email","host":"smtp.example.com","from":"a@example.com","to":[]}})",
       "at least one"},
      {R"({"name":"x","kind":"emerging","channel":{"type":"slack","url":"https://hooks.slack.com/x","colour":"red"}})",
       "not a setting"},
      {R"({"name":"x","kind":"emerging","params":{"min_score":-1},"channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "min_score"},
      {R"({"name":"x","kind":"emerging","params":{"bogus":1},"channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "not a setting of emerging"},
      {R"({"name":"x","kind":"negative_share","channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "threshold is required"},
      {R"({"name":"x","kind":"emerging","params":{"update_factor":1},"channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "update_factor"},
      {R"({"name":"x","kind":"source_stale","params":{"expected_every_hours":0},"channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "expected_every_hours"},
      {R"({"name":"x","kind":"weekly_digest","params":{"update_factor":3},"channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "not a setting of weekly_digest"},
      {R"({"name":"x","kind":"negative_share","params":{"threshold":1.5},"channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "threshold must be a number from 0.01 to 1"},
      {R"({"name":"x","kind":"emerging","params":{"min_count":0},"channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "min_count must be a whole number from 1 to 1000000"},
      {R"({"name":"x","kind":"source_stale","params":{"sources":["THEIRS"]},"channel":{"type":"slack","url":"https://hooks.slack.com/x"}})",
       "does not exist in this workspace"},
      {R"({"kind":"emerging","channel":{"type":"slack","url":"https://hooks.slack.com/x"}})", "name is required"},
      {R"({"name":"x","kind":"emerging"})", "channel is required"},
      {R"([1,2])", "JSON object"},
  };
  for (auto c : cases) {
    if (auto p = c.body.find("THEIRS"); p != std::string::npos) c.body.replace(p, 6, their_source_);
    auto r = call("POST", alerts(), c.body);
    EXPECT_EQ(r.status, 400) << c.body << " -> " << r.raw;
    EXPECT_NE(message(r).find(c.expected), std::string::npos) << c.body << " -> " << r.raw;
  }
  EXPECT_EQ(stored_rules(), 0u);
}

TEST_F(AlertRoutes, AnotherTenantsWorkspaceAndAlertsAreNotFound) {
  auto theirs = call("POST", alerts(other_ws_), slack_rule(), "key-globex");
  ASSERT_EQ(theirs.status, 201) << theirs.raw;
  std::string their_id = *get_string(theirs.body, "id");
  EXPECT_EQ(call("POST", alerts(other_ws_), slack_rule()).status, 404);
  EXPECT_EQ(call("GET", alerts(other_ws_)).status, 404);
  // Their alert id under our workspace is simply not ours.
  EXPECT_EQ(call("GET", alerts() + "/" + their_id).status, 404);
  EXPECT_EQ(call("PATCH", alerts() + "/" + their_id, R"({"name":"mine now"})").status, 404);
  EXPECT_EQ(call("DELETE", alerts() + "/" + their_id).status, 404);
  EXPECT_EQ(call("POST", alerts() + "/" + their_id + "/test").status, 404);
  EXPECT_EQ(call("GET", alerts() + "/" + their_id + "/deliveries").status, 404);
  EXPECT_EQ(call("GET", alerts(), "", "").status, 401);
  EXPECT_EQ(stored_rules(), 1u);
  auto still = store_->get_alert_rule(std::stoll(other_ws_), std::stoll(their_id));
  ASSERT_TRUE(still);
  EXPECT_EQ(still->name, "Checkout");
}

TEST_F(AlertRoutes, PatchKeepsSecretsLeftOutAndDeleteRemoves) {
  auto r = call("POST", alerts(),
                R"({"name":"Mail","kind":"new_theme","channel":{"type":"email","host":"smtp.example.com",)"
                R"("user":"bot","password":"hunter2-secret","from":"alerts@example.com","to":["team@example.com"]}})");
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.raw.find("hunter2"), std::string::npos);
  EXPECT_EQ(find_path(r.body, "channel.port")->to_number<std::int64_t>(), 587);
  std::string id = *get_string(r.body, "id");
  auto p = call("PATCH", alerts() + "/" + id,
                R"({"name":"Mail 2","params":{"min_count":3},"channel":{"type":"email","host":"smtp2.example.com",)"
                R"("from":"alerts@example.com","to":"team@example.com"}})");
  ASSERT_EQ(p.status, 200) << p.raw;
  EXPECT_EQ(*get_string(p.body, "name"), "Mail 2");
  EXPECT_EQ(find_path(p.body, "params.min_count")->to_number<std::int64_t>(), 3);
  EXPECT_EQ(find_path(p.body, "params.lookback_days")->to_number<std::int64_t>(), 28);
  auto stored = store_->get_alert_rule(std::stoll(ws_), std::stoll(id));
  ASSERT_TRUE(stored);
  EXPECT_NE(box_->open(stored->sealed_secrets)->find("hunter2-secret"), std::string::npos);
  EXPECT_EQ(call("PATCH", alerts() + "/" + id, R"({"kind":"emerging"})").status, 400);
  auto refused = call("PATCH", alerts() + "/" + id, R"({"name":"Moved","channel":{"type":"webhook","url":"file:///etc/passwd"}})");
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_EQ(store_->get_alert_rule(std::stoll(ws_), std::stoll(id))->name, "Mail 2") << "a refused PATCH changes nothing";
  EXPECT_EQ(store_->get_alert_rule(std::stoll(ws_), std::stoll(id))->channel_type, "email");
  EXPECT_EQ(call("PATCH", alerts() + "/" + id, R"({"channel":{"type":"email","port":99999}})").status, 400);
  // A change names something to change, and null is no value for an alert's field.
  for (const char* nothing : {"{}", R"({"params":null})", R"({"channel":null})", R"({"name":null})"}) {
    auto r = call("PATCH", alerts() + "/" + id, nothing);
    EXPECT_EQ(r.status, 400) << nothing << ": " << r.raw;
  }
  EXPECT_EQ(store_->get_alert_rule(std::stoll(ws_), std::stoll(id))->name, "Mail 2");
  auto off = call("PATCH", alerts() + "/" + id, R"({"enabled":false})");
  ASSERT_EQ(off.status, 200);
  EXPECT_FALSE(find_path(off.body, "enabled")->as_bool());
  EXPECT_EQ(call("DELETE", alerts() + "/" + id).status, 204);
  EXPECT_EQ(call("GET", alerts() + "/" + id).status, 404);
  EXPECT_EQ(call("GET", alerts() + "/abc").status, 404);
}

TEST_F(AlertRoutes, SourceStaleTakesTheWorkspacesOwnSources) {
  auto r = call("POST", alerts(),
                R"({"name":"Quiet","kind":"source_stale","params":{"sources":[")" + our_source_ +
                    R"("]},"channel":{"type":"slack","url":"https://hooks.slack.com/services/x"}})");
  EXPECT_EQ(r.status, 201) << r.raw;
}

TEST_F(AlertRoutes, TestSendsGoThroughTheEgressPolicyAndFailuresAreLogged) {
  // A name passes when saved; the address it resolves to meets the policy when the connection opens.
  auto r = call("POST", alerts(), R"({"name":"Hook","kind":"emerging","channel":{"type":"webhook","url":"http://localhost:9/x"}})");
  ASSERT_EQ(r.status, 201) << r.raw;
  std::string id = *get_string(r.body, "id");
  auto deliveries = [&] { return find_path(call("GET", alerts() + "/" + id + "/deliveries").body, "items")->as_array(); };
  // Loopback is refused unless the operator allows it.
  auto refused = call("POST", alerts() + "/" + id + "/test");
  ASSERT_EQ(refused.status, 200) << refused.raw;
  EXPECT_FALSE(find_path(refused.body, "delivered")->as_bool());
  EXPECT_EQ(*get_string(*find_path(refused.body, "delivery"), "state"), "failed");
  auto err = get_string(deliveries()[0], "error");
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("egress policy"), std::string::npos) << *err;
  // Allowed, the port with nothing listening is what fails, in words.
  ctx_->egress = *ingest::EgressPolicy::with_allowed("127.0.0.0/8,::1");
  auto t = call("POST", alerts() + "/" + id + "/test");
  ASSERT_EQ(t.status, 200) << t.raw;
  EXPECT_FALSE(find_path(t.body, "delivered")->as_bool());
  auto log = deliveries();
  ASSERT_EQ(log.size(), 2u);
  auto unreachable = get_string(log[0], "error");
  ASSERT_TRUE(unreachable);
  EXPECT_NE(unreachable->find("could not be reached"), std::string::npos) << *unreachable;
  EXPECT_EQ(call("GET", alerts() + "/" + id + "/deliveries?limit=0").status, 400);
}

}  // namespace
}  // namespace chorus::api
