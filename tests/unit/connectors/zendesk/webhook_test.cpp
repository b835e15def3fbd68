// Zendesk webhook deliveries, signed as Zendesk signs them, through verification, from_webhook and map.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "zendesk";
constexpr const char* kSecret = "dGhpcyBpcyBhIHplbmRlc2sgc2lnbmluZyBzZWNyZXQ=";

std::string fixture_text(const char* name) { return json::serialize(testing::read_fixture(kFixtures / name)); }

class ZendeskWebhook : public ::testing::Test {
 protected:
  ZendeskWebhook() {
    source.type = "zendesk";
    source.config = json::object{{"subdomain", "acme"}};
  }
  Result<testing::Delivered> deliver(const http::Headers& headers, const std::string& body) {
    return testing::deliver_webhook(connector, source, "zendesk", headers, body, kSecret);
  }
  const Connector& connector = *find_connector("zendesk");
  SourceSettings source;
};

TEST_F(ZendeskWebhook, SignedTicketIsMappedDirectly) {
  std::string body = fixture_text("webhook_ticket.json");
  auto r = deliver(testing::zendesk_signed(kSecret, body), body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->fetch);
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].external_id, "48120");
  EXPECT_EQ(r->items[0].title, "Widget keeps logging me out");
  EXPECT_EQ(r->items[0].url, "https://acme.zendesk.com/agent/tickets/48120");
  EXPECT_EQ(r->items[0].extra.at("tags"), (json::array{"widget", "login"}));
}

TEST_F(ZendeskWebhook, EventWithoutTheDescriptionAsksForASync) {
  std::string body = fixture_text("webhook_event_ticket_created.json");
  auto r = deliver(testing::zendesk_signed(kSecret, body), body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_TRUE(r->fetch);
}

TEST_F(ZendeskWebhook, UserEventsCarryNothing) {
  std::string body = fixture_text("webhook_event_user.json");
  auto r = deliver(testing::zendesk_signed(kSecret, body), body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_FALSE(r->fetch);
}

TEST_F(ZendeskWebhook, AnyOtherBodyIsANoticeToFetch) {
  std::string body = R"({"ticket_id":"48121","message":"ticket updated"})";
  auto r = deliver(testing::zendesk_signed(kSecret, body), body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_TRUE(r->fetch);
  auto array = connector.from_webhook({}, json::array{}, source);
  EXPECT_FALSE(array);
}

TEST_F(ZendeskWebhook, BadSignatureIsRefused) {
  std::string body = fixture_text("webhook_ticket.json");
  auto wrong_secret = deliver(testing::zendesk_signed("another-secret", body), body);
  ASSERT_FALSE(wrong_secret);
  EXPECT_EQ(wrong_secret.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(wrong_secret.error().message, "signature mismatch");
  // Signed over other bytes.
  auto tampered = deliver(testing::zendesk_signed(kSecret, body), body + " ");
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, ErrorCode::unauthorized);
}

TEST_F(ZendeskWebhook, MissingSignatureIsRefused) {
  std::string body = fixture_text("webhook_ticket.json");
  http::Headers h = testing::zendesk_signed(kSecret, body);
  h.items.erase(std::remove_if(h.items.begin(), h.items.end(),
                               [](const auto& kv) { return kv.first == "x-zendesk-webhook-signature"; }),
                h.items.end());
  auto r = deliver(h, body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(r.error().message, "missing X-Zendesk-Webhook-Signature header");
}

TEST_F(ZendeskWebhook, ReplayedTooLateIsRefused) {
  std::string body = fixture_text("webhook_ticket.json");
  auto r = deliver(testing::zendesk_signed(kSecret, body, now_ms() - 10 * 60 * 1000), body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unauthorized);
  EXPECT_NE(r.error().message.find("tolerance"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace chorus::connectors
