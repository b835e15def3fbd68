// Zendesk event webhooks on the example payloads Zendesk publishes (tests/fixtures/zendesk/recorded/SOURCE.md),
// signed as Zendesk signs them, through verification and from_webhook. Trigger webhooks have no fixed body
// (the account's admin writes it), so they cannot be recorded; webhook_test.cpp covers them by hand.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "zendesk" / "recorded";
constexpr const char* kSecret = "dGhpcyBpcyBhIHplbmRlc2sgc2lnbmluZyBzZWNyZXQ=";

std::string delivery(const char* name) { return testing::read_fixture_bytes(kRecorded / name); }

// The headers Zendesk sends, with a signature worked out apart from Chorus:
// base64(HMAC-SHA256(secret, timestamp + body)) over the file's bytes.
http::Headers signed_as_zendesk(const std::string& timestamp, const std::string& signature) {
  http::Headers h;
  h.set("Content-Type", "application/json");
  h.set("X-Zendesk-Webhook-Id", "01HQ9X0B7TRN4D8EYW6C1SJ2KM");
  h.set("X-Zendesk-Webhook-Signature-Timestamp", timestamp);
  h.set("X-Zendesk-Webhook-Signature", signature);
  return h;
}

class ZendeskRecordedWebhook : public ::testing::Test {
 protected:
  ZendeskRecordedWebhook() {
    source.type = "zendesk";
    source.config = json::object{{"subdomain", "acme"}};
  }
  Result<testing::Delivered> deliver(const char* name, const std::string& timestamp, const std::string& signature) {
    return testing::deliver_webhook(connector, source, "zendesk", signed_as_zendesk(timestamp, signature),
                                    delivery(name), kSecret, *parse_time(timestamp));
  }
  const Connector& connector = *find_connector("zendesk");
  SourceSettings source;
};

TEST_F(ZendeskRecordedWebhook, AUserEventIsVerifiedAndCarriesNothing) {
  auto r = deliver("webhook_event_user_active_changed.json", "2099-07-04T05:33:18Z",
                   "/EuIT4g41m4DMLJHI4TqlaDaUPmoFF39ypEiG7bcDqw=");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_TRUE(r->skipped.empty());
  EXPECT_FALSE(r->fetch);
}

TEST_F(ZendeskRecordedWebhook, AMessagingEventIsNotATicketEventAndCarriesNothing) {
  // An answer bot's chat message on ticket 141: the ticket's own words reach Chorus through the export.
  auto r = deliver("webhook_event_messaging_message_added.json", "2025-02-11T14:32:05Z",
                   "wtlnKLio2Wk8zfDr1vW3hd5O/zNHy4K9H00gbzpa2e8=");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_FALSE(r->fetch);
}

TEST_F(ZendeskRecordedWebhook, TheSignatureCoversTheTimestampAndEveryByteOfTheBody) {
  // The right signature under another timestamp, and the right headers over a body changed by one byte.
  auto moved = deliver("webhook_event_user_active_changed.json", "2099-07-04T05:33:19Z",
                       "/EuIT4g41m4DMLJHI4TqlaDaUPmoFF39ypEiG7bcDqw=");
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::unauthorized);

  std::string body = delivery("webhook_event_user_active_changed.json");
  body.back() = ' ';
  auto changed = testing::deliver_webhook(
      connector, source, "zendesk",
      signed_as_zendesk("2099-07-04T05:33:18Z", "/EuIT4g41m4DMLJHI4TqlaDaUPmoFF39ypEiG7bcDqw="), body, kSecret,
      *parse_time("2099-07-04T05:33:18Z"));
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::unauthorized);
}

}  // namespace
}  // namespace chorus::connectors
