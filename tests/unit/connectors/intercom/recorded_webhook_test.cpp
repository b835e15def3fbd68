// Intercom webhook deliveries recorded from the real service (tests/fixtures/intercom/recorded/SOURCE.md),
// replayed byte for byte, signed as Intercom signs them, through verification, from_webhook and map.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "intercom" / "recorded";
constexpr const char* kClientSecret = "5c8a1e0f-intercom-client-secret";

// The delivery's bytes as Intercom sent them: the signature covers the raw body, not a re-serialisation.
std::string delivery(const char* name) { return testing::read_fixture_bytes(kRecorded / name); }

class IntercomRecordedWebhook : public ::testing::Test {
 protected:
  IntercomRecordedWebhook() {
    source.type = "intercom";
    source.config = json::object{{"include_parts", false}};
  }
  Result<testing::Delivered> deliver(const char* name) {
    std::string body = delivery(name);
    return testing::deliver_webhook(connector, source, "intercom", testing::intercom_signed(kClientSecret, body), body,
                                    kClientSecret);
  }
  const Connector& connector = *find_connector("intercom");
  SourceSettings source;
};

TEST_F(IntercomRecordedWebhook, TheSignatureIsHexHmacSha1OfTheRawBodyUnderSha1Prefix) {
  // Worked out apart from Chorus (HMAC-SHA1 of the file's bytes under the client secret).
  std::string body = delivery("webhook_conversation_user_created.json");
  http::Headers h;
  h.set("X-Hub-Signature", "sha1=03b36f3861f2b8fa0444ffa2c46a511b7518d8c8");
  auto r = testing::deliver_webhook(connector, source, "intercom", h, body, kClientSecret);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->items.size(), 1u);

  auto other = testing::deliver_webhook(connector, source, "intercom", testing::intercom_signed("other", body), body,
                                        kClientSecret);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::unauthorized);
}

TEST_F(IntercomRecordedWebhook, ANewConversationIsMappedFromItsConversationMessage) {
  auto r = deliver("webhook_conversation_user_created.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->fetch);  // the opening message is in the delivery: nothing to fetch
  ASSERT_EQ(r->items.size(), 1u);
  const MappedItem& m = r->items[0];
  EXPECT_EQ(m.external_id, "21321941764");
  EXPECT_EQ(m.source_info, "IntercomConversation");
  EXPECT_EQ(m.text, "<p>Hello everyone!</p>");
  EXPECT_EQ(m.format, MappedItem::Format::html);
  EXPECT_FALSE(m.title);  // the subject is ""
  EXPECT_EQ(m.timestamp, TimeMs{1553290198000});
  EXPECT_EQ(m.user_id, "5c9553cb27e377f24eed49f7");
  EXPECT_EQ(m.username, "Rose Poodle from St. John's");  // from the conversation's user: the author is only an id
  EXPECT_FALSE(m.email);                                // the lead's e-mail is ""
  EXPECT_EQ(m.extra.at("author_type"), json::value("user"));
  EXPECT_EQ(m.extra.at("state"), json::value("open"));
  EXPECT_EQ(m.extra.at("open"), json::value(true));
  EXPECT_FALSE(m.extra.contains("channel"));
  EXPECT_EQ(m.url, "https://app.intercom.io/a/apps/i6wc9ipe/conversations/21321941764");

  source.config["app_id"] = "i6wc9ipe";
  auto linked = deliver("webhook_conversation_user_created.json");
  ASSERT_TRUE(linked) << linked.error().message;
  ASSERT_EQ(linked->items.size(), 1u);
  EXPECT_EQ(linked->items[0].url, "https://app.intercom.com/a/inbox/i6wc9ipe/inbox/conversation/21321941764");
}

TEST_F(IntercomRecordedWebhook, ACustomerReplyRefreshesTheConversationAndIsAPartWhenAskedFor) {
  auto without = deliver("webhook_conversation_user_replied.json");
  ASSERT_TRUE(without) << without.error().message;
  ASSERT_EQ(without->items.size(), 1u);
  EXPECT_EQ(without->items[0].external_id, "21322009097");
  EXPECT_EQ(without->items[0].text, "<p>Hello</p>");
  EXPECT_EQ(without->items[0].timestamp, TimeMs{1553290933000});
  EXPECT_EQ(without->items[0].username, "Eeshan Garg");
  EXPECT_EQ(without->items[0].email, "jerryguitarist@gmail.com");

  source.config["include_parts"] = true;
  auto with = deliver("webhook_conversation_user_replied.json");
  ASSERT_TRUE(with) << with.error().message;
  ASSERT_EQ(with->items.size(), 2u);
  const MappedItem& part = with->items[1];
  EXPECT_EQ(part.source_info, "IntercomConversationPart");
  EXPECT_EQ(part.external_id, "21322009097/parts/2824391734");
  EXPECT_EQ(part.text, "<p>Well, I need some help getting access to a developer account.</p>");
  EXPECT_EQ(part.timestamp, TimeMs{1553291307000});
  EXPECT_EQ(part.user_id, "5c9553cb27e377f24eed49f7");
  EXPECT_EQ(part.username, "Eeshan Garg");
  EXPECT_EQ(part.email, "jerryguitarist@gmail.com");
  EXPECT_EQ(part.extra.at("part_type"), json::value("comment"));
  EXPECT_EQ(part.extra.at("conversation_id"), json::value("21322009097"));
}

TEST_F(IntercomRecordedWebhook, TeammateRepliesAndNotesRefreshTheConversationButAreNoRecords) {
  source.config["include_parts"] = true;
  for (const char* name : {"webhook_conversation_admin_replied.json", "webhook_conversation_admin_noted.json"}) {
    auto r = deliver(name);
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    ASSERT_EQ(r->items.size(), 1u) << name;
    EXPECT_EQ(r->items[0].source_info, "IntercomConversation") << name;
    EXPECT_EQ(r->items[0].extra.at("author_type"), json::value("user")) << name;
    EXPECT_TRUE(r->skipped.empty()) << name;
  }
  auto replied = deliver("webhook_conversation_admin_replied.json");
  ASSERT_TRUE(replied);
  EXPECT_EQ(replied->items[0].external_id, "21322009097");  // the conversation the customer's reply refreshed
  auto noted = deliver("webhook_conversation_admin_noted.json");
  ASSERT_TRUE(noted);
  EXPECT_EQ(noted->items[0].text, "<p>Hey! I'd like to set up a new account</p>");
}

TEST_F(IntercomRecordedWebhook, ClosingAndSnoozingUpdateTheConversationsState) {
  source.config["include_parts"] = true;  // the close and snooze parts have no body and are no records
  auto closed = deliver("webhook_conversation_admin_closed.json");
  ASSERT_TRUE(closed) << closed.error().message;
  ASSERT_EQ(closed->items.size(), 1u);
  EXPECT_EQ(closed->items[0].external_id, "21322009097");
  EXPECT_EQ(closed->items[0].extra.at("state"), json::value("closed"));
  EXPECT_EQ(closed->items[0].extra.at("open"), json::value(false));

  auto snoozed = deliver("webhook_conversation_admin_snoozed.json");
  ASSERT_TRUE(snoozed) << snoozed.error().message;
  ASSERT_EQ(snoozed->items.size(), 1u);
  EXPECT_EQ(snoozed->items[0].external_id, "21330067382");
  EXPECT_EQ(snoozed->items[0].extra.at("state"), json::value("snoozed"));
}

TEST_F(IntercomRecordedWebhook, AConversationATeammateStartedIsSkipped) {
  auto r = deliver("webhook_conversation_admin_single_created.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_FALSE(r->fetch);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_EQ(r->skipped[0], "teammate");
}

TEST_F(IntercomRecordedWebhook, PingAndContactTopicsCarryNothing) {
  for (const char* name : {"webhook_ping.json", "webhook_contact_user_created.json"}) {
    auto r = deliver(name);
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_TRUE(r->items.empty()) << name;
    EXPECT_TRUE(r->skipped.empty()) << name;
    EXPECT_FALSE(r->fetch) << name;
  }
}

TEST_F(IntercomRecordedWebhook, AWholeDeliveryPushedAsAnItemMapsAsItsConversation) {
  auto body = testing::read_fixture(kRecorded / "webhook_conversation_user_replied.json");
  EXPECT_FALSE(connector.skip_reason(body, source));
  auto m = connector.map(body, source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "21322009097");
  EXPECT_EQ(m->text, "<p>Hello</p>");

  auto teammate = testing::read_fixture(kRecorded / "webhook_conversation_admin_single_created.json");
  EXPECT_EQ(connector.skip_reason(teammate, source), std::optional<std::string>("teammate"));
}

}  // namespace
}  // namespace chorus::connectors
