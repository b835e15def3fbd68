// End to end over real HTTP for the support-desk connectors: Zendesk, Intercom and Typeform sources
// synced from fakes in the real APIs' shapes, their signed webhooks (a Zendesk notice queues a sync), and
// a Slack event subscription from url_verification to stored messages.
#include <fstream>

#include "core/secrets.hpp"
#include "core/time.hpp"
#include "integration/harness.hpp"
#include "support/fake_intercom.hpp"
#include "support/fake_typeform.hpp"
#include "support/fake_zendesk.hpp"

namespace chorus::testing {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES);

class SupportDeskFlow : public WorkspaceFixture {
 protected:

  std::vector<json::value> feedback(const std::string& src) {
    auto r = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=500&source=" + src, key_);
    EXPECT_EQ(r.status, 200) << r.raw;
    std::vector<json::value> out;
    if (const auto* items = find_path(r.body, "items"); items && items->is_array())
      for (const auto& it : items->as_array()) out.push_back(it);
    return out;
  }

  json::value record(const std::string& src, const std::string& external_id) {
    for (auto& r : feedback(src))
      if (str(r, "metadata_attributes.external_id") == external_id) return r;
    return nullptr;
  }

  Reply hook(const std::string& src, const std::string& body, const http::Headers& headers) {
    std::vector<std::pair<std::string, std::string>> h;
    for (const auto& kv : headers.items) h.push_back(kv);
    return api().call("POST", "/v1/hooks/" + src, "", body, h);
  }

  static std::string fixture_text(const std::string& path) { return json::serialize(read_fixture(kFixtures / path)); }
};

TEST_F(SupportDeskFlow, ZendeskSyncsAndANoticeWebhookQueuesTheNextSync) {
  FakeZendesk zendesk(kFixtures / "zendesk");
  const std::string secret = "zendesk-signing-secret-81c2";
  std::string src = add_source(
      json::object{{"type", "zendesk"},
                   {"name", "Support tickets"},
                   {"config", json::object{{"subdomain", "acme"}, {"base_url", zendesk.base_url()}}},
                   {"credentials", json::object{{"email", FakeZendesk::kEmail}, {"api_token", FakeZendesk::kToken}}},
                   {"webhook", json::object{{"scheme", "zendesk"}, {"secret", secret}}}});
  auto sync = sync_and_wait(src);
  ASSERT_EQ(str(sync, "state"), "done") << json::serialize(sync);
  EXPECT_EQ(num(sync, "items"), 11);  // 8 tickets (one deleted is left out) and 3 rating comments
  ASSERT_TRUE(eventually([&] { return feedback(src).size() == 11; }));

  json::value ticket = record(src, "48104");
  EXPECT_EQ(str(ticket, "core_attributes.source_info"), "ZendeskTicket");
  EXPECT_EQ(num(ticket, "review_attributes.rating"), 5);
  EXPECT_EQ(str(ticket, "review_attributes.title"), "Love the new dark mode");
  EXPECT_EQ(str(ticket, "user_attributes.username"), "Yusuf Demir");
  EXPECT_EQ(str(ticket, "metadata_attributes.url"), zendesk.base_url() + "/agent/tickets/48104");
  EXPECT_EQ(str(ticket, "metadata_attributes.status"), "solved");
  EXPECT_EQ(str(record(src, "satisfaction_rating/5501"), "core_attributes.source_info"), "ZendeskSatisfactionRating");
  auto status = api().get("/v1/workspaces/" + ws_ + "/sources/" + src, key_);
  EXPECT_NE(str(status.body, "status.cursor").find("ratings_after"), std::string::npos) << status.raw;

  // A ticket arrives; Zendesk's event webhook only names it, so the notice queues a sync that fetches it.
  const json::value tickets = read_fixture(kFixtures / "zendesk/tickets.json");
  json::object fresh = tickets.as_array()[0].as_object();
  fresh["id"] = 48120;
  fresh["created_at"] = fresh["updated_at"] = "2026-03-07T10:00:00Z";
  fresh["subject"] = "Widget keeps logging me out";
  fresh["description"] = "Every time I close the browser the help widget logs me out and I lose my draft.";
  zendesk.put_ticket(fresh);
  std::string notice = fixture_text("zendesk/webhook_event_ticket_created.json");
  auto forged = hook(src, notice, [&] {
    http::Headers h;
    h.set("X-Zendesk-Webhook-Signature-Timestamp", format_time(now_ms() / 1000 * 1000));
    h.set("X-Zendesk-Webhook-Signature", base64_encode(std::string(32, 'x')));
    return h;
  }());
  EXPECT_EQ(forged.status, 401);
  std::string timestamp = format_time(now_ms() / 1000 * 1000);
  http::Headers signed_headers;
  signed_headers.set("X-Zendesk-Webhook-Signature-Timestamp", timestamp);
  signed_headers.set("X-Zendesk-Webhook-Signature", base64_encode(hmac_sha256_raw(secret, timestamp + notice)));
  auto accepted = hook(src, notice, signed_headers);
  EXPECT_EQ(accepted.status, 202) << accepted.raw;
  ASSERT_TRUE(eventually([&] { return !record(src, "48120").is_null(); })) << "the notice did not lead to a sync";
  EXPECT_EQ(feedback(src).size(), 12u);
}

TEST_F(SupportDeskFlow, IntercomSyncsAndTakesConversationWebhooks) {
  FakeIntercom intercom(kFixtures / "intercom");
  const std::string secret = "intercom-client-secret-3f9a";
  std::string src = add_source(json::object{
      {"type", "intercom"},
      {"name", "Messenger"},
      {"config", json::object{{"base_url", intercom.base_url()}, {"app_id", "h3x7k2m9"}, {"include_parts", true}}},
      {"credentials", json::object{{"access_token", FakeIntercom::kToken}}},
      {"webhook", json::object{{"scheme", "intercom"}, {"secret", secret}}}});
  auto sync = sync_and_wait(src);
  ASSERT_EQ(str(sync, "state"), "done") << json::serialize(sync);
  EXPECT_EQ(num(sync, "items"), 9);  // 6 conversations customers started, 3 customer replies
  ASSERT_TRUE(eventually([&] { return feedback(src).size() == 9; }));
  json::value billing = record(src, "215471234567804");
  EXPECT_EQ(str(billing, "core_attributes.source_info"), "IntercomConversation");
  EXPECT_EQ(str(billing, "conversation_attributes.text"),
            "I was charged twice for March. Please refund the duplicate charge & fix this.");
  EXPECT_EQ(num(billing, "review_attributes.rating"), 1);

  std::string body = fixture_text("intercom/webhook_user_created.json");
  http::Headers bad;
  bad.set("X-Hub-Signature", "sha1=" + to_hex(hmac_sha1_raw("not-it", body)));
  EXPECT_EQ(hook(src, body, bad).status, 401);
  http::Headers good;
  good.set("X-Hub-Signature", "sha1=" + to_hex(hmac_sha1_raw(secret, body)));
  EXPECT_EQ(hook(src, body, good).status, 202);
  ASSERT_TRUE(eventually([&] { return !record(src, "215471234567810").is_null(); }));
  EXPECT_EQ(feedback(src).size(), 10u);
}

TEST_F(SupportDeskFlow, TypeformSyncsAndTakesResponseWebhooks) {
  FakeTypeform typeform(kFixtures / "typeform");
  const std::string secret = "typeform-secret-6e0d";
  std::string src = add_source(json::object{
      {"type", "typeform"},
      {"name", "NPS survey"},
      {"config", json::object{{"form_id", FakeTypeform::kFormId}, {"base_url", typeform.base_url()}, {"page_size", 3}}},
      {"credentials", json::object{{"access_token", FakeTypeform::kToken}}},
      {"webhook", json::object{{"scheme", "typeform"}, {"secret", secret}}}});
  auto sync = sync_and_wait(src);
  ASSERT_EQ(str(sync, "state"), "done") << json::serialize(sync);
  // 8 responses listed: the one with only choices and the one with only an NPS score have no words.
  EXPECT_EQ(num(sync, "items"), 6);
  EXPECT_EQ(num(sync, "skipped_reasons.no_text"), 2) << json::serialize(sync);
  ASSERT_TRUE(eventually([&] { return feedback(src).size() == 6; }));
  bool found = false;
  for (const auto& r : feedback(src)) {
    if (str(r, "conversation_attributes.text").find("Charged twice") == std::string::npos) continue;
    found = true;
    EXPECT_EQ(num(r, "review_attributes.rating"), 0);  // the NPS answer, as given
    EXPECT_EQ(str(r, "core_attributes.source_info"), "TypeformResponse");
    EXPECT_EQ(str(r, "user_attributes.feedback_platform_user_id"), "u-1007");
  }
  EXPECT_TRUE(found);

  std::string body = fixture_text("typeform/webhook_form_response.json");
  http::Headers good;
  good.set("Typeform-Signature", "sha256=" + base64_encode(hmac_sha256_raw(secret, body)));
  EXPECT_EQ(hook(src, body, http::Headers{}).status, 401);
  EXPECT_EQ(hook(src, body, good).status, 202);
  ASSERT_TRUE(eventually([&] { return feedback(src).size() == 7; }));
}

TEST_F(SupportDeskFlow, SlackAnswersUrlVerificationAndStoresChannelMessages) {
  const std::string secret = "8f742231b10e8888abcd99yyyzzz85a5";
  std::string src = add_source(json::object{
      {"type", "slack"},
      {"name", "#feedback"},
      {"config", json::object{{"channels", json::array{"C024BE91L"}}, {"workspace_url", "https://acme.slack.com"}}},
      {"webhook", json::object{{"scheme", "slack"}, {"secret", secret}}}});
  auto sign = [&](const std::string& body, TimeMs at = now_ms()) {
    std::string ts = std::to_string(at / 1000);
    http::Headers h;
    h.set("X-Slack-Request-Timestamp", ts);
    h.set("X-Slack-Signature", "v0=" + to_hex(hmac_sha256_raw(secret, "v0:" + ts + ":" + body)));
    return h;
  };

  std::string challenge = fixture_text("slack/url_verification.json");
  auto unsigned_check = hook(src, challenge, http::Headers{});
  EXPECT_EQ(unsigned_check.status, 401);
  auto verified = hook(src, challenge, sign(challenge));
  ASSERT_EQ(verified.status, 200) << verified.raw;
  EXPECT_EQ(str(verified.body, "challenge"), "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");

  std::string message = fixture_text("slack/event_message.json");
  EXPECT_EQ(hook(src, message, sign(message, now_ms() - 6 * 60 * 1000)).status, 401) << "replayed too late";
  EXPECT_EQ(hook(src, message, sign(message)).status, 202);
  std::string bot = fixture_text("slack/event_bot_message.json");
  EXPECT_EQ(hook(src, bot, sign(bot)).status, 202);
  std::string elsewhere = fixture_text("slack/event_other_channel.json");
  EXPECT_EQ(hook(src, elsewhere, sign(elsewhere)).status, 202);
  ASSERT_TRUE(eventually([&] { return feedback(src).size() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto items = feedback(src);
  ASSERT_EQ(items.size(), 1u) << "bots and other channels are not stored";
  EXPECT_EQ(str(items[0], "metadata_attributes.external_id"), "C024BE91L/1772878800.000200");
  EXPECT_EQ(str(items[0], "core_attributes.source_info"), "SlackMessage");
  EXPECT_EQ(str(items[0], "metadata_attributes.url"), "https://acme.slack.com/archives/C024BE91L/p1772878800000200");
  EXPECT_EQ(str(items[0], "conversation_attributes.text").find("&amp;"), std::string::npos);

  auto sync = api().post("/v1/workspaces/" + ws_ + "/sources/" + src + "/sync", key_, json::object{});
  EXPECT_EQ(sync.status, 400);
}

}  // namespace
}  // namespace chorus::testing
