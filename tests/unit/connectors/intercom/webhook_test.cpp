// Intercom webhook deliveries, signed as Intercom signs them, through verification, from_webhook and map.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "intercom";
constexpr const char* kClientSecret = "5c8a1e0f-intercom-client-secret";

std::string fixture_text(const char* name) { return json::serialize(testing::read_fixture(kFixtures / name)); }

class IntercomWebhook : public ::testing::Test {
 protected:
  IntercomWebhook() {
    source.type = "intercom";
    source.config = json::object{{"include_parts", false}};
  }
  Result<testing::Delivered> deliver(const std::string& body) {
    return testing::deliver_webhook(connector, source, "intercom", testing::intercom_signed(kClientSecret, body), body,
                                    kClientSecret);
  }
  const Connector& connector = *find_connector("intercom");
  SourceSettings source;
};

TEST_F(IntercomWebhook, NewConversationIsMappedFromDataItem) {
  auto r = deliver(fixture_text("webhook_user_created.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->fetch);
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].external_id, "215471234567810");
  EXPECT_EQ(r->items[0].text, "<p>The web clipper stopped working in Firefox today.</p>");
}

TEST_F(IntercomWebhook, ReplyRefreshesTheConversationAndAddsThePartWhenAskedTo) {
  auto without = deliver(fixture_text("webhook_user_replied.json"));
  ASSERT_TRUE(without) << without.error().message;
  ASSERT_EQ(without->items.size(), 1u);
  EXPECT_EQ(without->items[0].external_id, "215471234567801");

  source.config["include_parts"] = true;
  auto with = deliver(fixture_text("webhook_user_replied.json"));
  ASSERT_TRUE(with) << with.error().message;
  ASSERT_EQ(with->items.size(), 2u);
  EXPECT_EQ(with->items[1].source_info, "IntercomConversationPart");
  EXPECT_EQ(with->items[1].text, "<p>Any update? Still not syncing.</p>");
}

TEST_F(IntercomWebhook, PingAndContactTopicsCarryNothing) {
  for (const char* name : {"webhook_ping.json", "webhook_contact_created.json"}) {
    auto r = deliver(fixture_text(name));
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_TRUE(r->items.empty()) << name;
    EXPECT_FALSE(r->fetch) << name;
  }
}

TEST_F(IntercomWebhook, ConversationWithoutItsOpeningMessageAsksForASync) {
  auto body = testing::read_fixture(kFixtures / "webhook_user_created.json");
  body.as_object()["data"].as_object()["item"].as_object().erase("source");
  auto r = deliver(json::serialize(body));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_TRUE(r->fetch);
}

TEST_F(IntercomWebhook, ConversationTopicWithoutAnItemIsAnError) {
  auto r = deliver(R"({"type":"notification_event","topic":"conversation.admin.closed","data":{}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("conversation.admin.closed"), std::string::npos);
}

TEST_F(IntercomWebhook, BadMissingAndForeignSignaturesAreRefused) {
  std::string body = fixture_text("webhook_user_created.json");
  auto other = testing::deliver_webhook(connector, source, "intercom", testing::intercom_signed("other", body), body,
                                        kClientSecret);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(other.error().message, "signature mismatch");

  auto tampered = testing::deliver_webhook(connector, source, "intercom", testing::intercom_signed(kClientSecret, body),
                                           body + "\n", kClientSecret);
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, ErrorCode::unauthorized);

  auto missing = testing::deliver_webhook(connector, source, "intercom", http::Headers{}, body, kClientSecret);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "missing X-Hub-Signature header");

  // GitHub's sha256 form in the same header is not Intercom's.
  http::Headers sha256;
  sha256.set("X-Hub-Signature", "sha256=" + to_hex(hmac_sha256_raw(kClientSecret, body)));
  auto wrong_kind = testing::deliver_webhook(connector, source, "intercom", sha256, body, kClientSecret);
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error().code, ErrorCode::unauthorized);
}

}  // namespace
}  // namespace chorus::connectors
