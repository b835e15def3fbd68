// Slack on recorded payloads (tests/fixtures/slack/recorded/SOURCE.md): the Events API reference's example
// deliveries and events, delivered signed and pushed; channels, bots and non-message subtypes are left
// out alike on both paths.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "slack" / "recorded";
constexpr const char* kSecret = "8f742231b10e8888abcd99yyyzzz85a5";

const Connector& slack() { return *find_connector("slack"); }

SourceSettings listening_to(const char* channel) {
  SourceSettings s;
  s.type = "slack";
  s.config = json::object{{"channels", json::array{channel}}, {"include_thread_replies", true}};
  return s;
}

Result<testing::Delivered> deliver(const json::value& payload, const SourceSettings& source) {
  std::string body = json::serialize(payload);
  return testing::deliver_webhook(slack(), source, "slack", testing::slack_signed(kSecret, body), body, kSecret);
}

// The reference's message event, wrapped in the reference's event wrapper.
json::value wrapped(const json::value& event) {
  json::value out = testing::read_fixture(kRecorded / "event_message_channels.json");
  out.as_object()["event"] = event;
  return out;
}

TEST(SlackRecorded, TheReferenceMessageDeliveryBecomesARecord) {
  auto r = deliver(testing::read_fixture(kRecorded / "event_message_channels.json"), listening_to("C123ABC456"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->items.size(), 1u);
  const MappedItem& m = r->items[0];
  EXPECT_EQ(m.external_id, "C123ABC456/1355517523.000005");
  EXPECT_EQ(m.text, "Live long and prospect.");
  EXPECT_EQ(m.user_id, "U123ABC456");
  EXPECT_EQ(m.timestamp, std::int64_t{1355517523000});
  EXPECT_EQ(m.extra.at("team"), json::value("T123ABC456"));
  EXPECT_EQ(m.extra.at("channel_type"), json::value("channel"));
}

TEST(SlackRecorded, AChannelNotListenedToIsLeftOutOnBothPaths) {
  const json::value delivery = testing::read_fixture(kRecorded / "event_message_channels.json");
  auto r = deliver(delivery, listening_to("C0FEEDBAK"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_EQ(r->skipped, std::vector<std::string>{"channel"});
  EXPECT_EQ(admit_item(slack(), delivery, listening_to("C0FEEDBAK"))->skipped, "channel");
  EXPECT_EQ(admit_item(slack(), delivery.at("event"), listening_to("C0FEEDBAK"))->skipped, "channel");
}

TEST(SlackRecorded, BotsAndChannelEventsAreNotFeedback) {
  // A bot's message, pushed: no user wrote it.
  auto bot = admit_item(slack(), testing::read_fixture(kRecorded / "message_bot_message.json"),
                        listening_to("C123ABC456"));
  ASSERT_TRUE(bot) << bot.error().message;
  EXPECT_FALSE(bot->item);
  EXPECT_EQ(bot->skipped, "bot");

  // A change of posting permissions, delivered and pushed: an event in the channel, not a message.
  const json::value permissions = testing::read_fixture(kRecorded / "message_channel_posting_permissions.json");
  auto delivered = deliver(wrapped(permissions), listening_to("C123ABC456"));
  ASSERT_TRUE(delivered) << delivered.error().message;
  EXPECT_TRUE(delivered->items.empty());
  EXPECT_EQ(delivered->skipped, std::vector<std::string>{"not_a_message"});
  EXPECT_EQ(admit_item(slack(), permissions, listening_to("C123ABC456"))->skipped, "not_a_message");

  // The reference's channel_topic delivery carries no channel: nothing to take.
  auto topic = deliver(testing::read_fixture(kRecorded / "event_channel_topic.json"), listening_to("C123ABC456"));
  ASSERT_TRUE(topic) << topic.error().message;
  EXPECT_TRUE(topic->items.empty());
}

TEST(SlackRecorded, AnEditedMessageIsTheSameRecordWithItsNewText) {
  auto edited = admit_item(slack(), testing::read_fixture(kRecorded / "message_edited.json"), listening_to("C123ABC456"));
  ASSERT_TRUE(edited && edited->item) << (edited ? edited->skipped : edited.error().message);
  EXPECT_EQ(edited->item->external_id, "C123ABC456/1355517523.000005");
  EXPECT_EQ(edited->item->text, "Hello, world!");
}

}  // namespace
}  // namespace chorus::connectors
