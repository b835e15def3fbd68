// Slack Events API deliveries, signed as Slack signs them, through verification, from_webhook and map;
// message markup as plain text; the connector's settings checks.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "connectors/slack/slack_connector.hpp"
#include "ingest/fetcher.hpp"
#include "support/fake_http_service.hpp"
#include "support/recording_sink.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "slack";
constexpr const char* kSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";

std::string fixture_text(const char* name) { return json::serialize(testing::read_fixture(kFixtures / name)); }

class SlackEvents : public ::testing::Test {
 protected:
  SlackEvents() {
    source.type = "slack";
    source.config = json::object{{"channels", json::array{"C024BE91L", "C0FEEDBAK"}},
                                 {"workspace_url", "https://acme.slack.com/"},
                                 {"include_thread_replies", true}};
  }
  Result<testing::Delivered> deliver(const char* fixture) {
    std::string body = fixture_text(fixture);
    return testing::deliver_webhook(connector, source, "slack", testing::slack_signed(kSigningSecret, body), body,
                                    kSigningSecret);
  }
  const Connector& connector = *find_connector("slack");
  SourceSettings source;
};

TEST_F(SlackEvents, MessageInAChosenChannelBecomesARecord) {
  auto r = deliver("event_message.json");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->items.size(), 1u);
  const MappedItem& m = r->items[0];
  EXPECT_EQ(m.external_id, "C024BE91L/1772878800.000200");
  EXPECT_EQ(m.source_info, "SlackMessage");
  EXPECT_EQ(m.format, MappedItem::Format::plain);
  EXPECT_EQ(
      m.text,
      "The export to PDF keeps timing out for @U061F7AUR and me & it's blocking our release. Details: incident 42 "
      "cc @here in #feedback");
  EXPECT_EQ(m.timestamp, std::int64_t{1772878800} * 1000);
  EXPECT_EQ(m.user_id, "U2147483697");
  EXPECT_EQ(m.url, "https://acme.slack.com/archives/C024BE91L/p1772878800000200");
  EXPECT_EQ(m.extra.at("channel"), "C024BE91L");
  EXPECT_EQ(m.extra.at("team"), "T024BE7LD");
  EXPECT_EQ(m.extra.at("channel_type"), "channel");
  EXPECT_FALSE(r->fetch);
}

TEST_F(SlackEvents, ThreadRepliesAreKeptUnlessTurnedOff) {
  auto r = deliver("event_thread_reply.json");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].extra.at("thread_ts"), "1772878800.000200");
  source.config["include_thread_replies"] = false;
  auto off = deliver("event_thread_reply.json");
  ASSERT_TRUE(off);
  EXPECT_TRUE(off->items.empty());
  // The thread's first message has thread_ts == ts once it has replies; it is not a reply.
  auto parent = testing::read_fixture(kFixtures / "event_message.json");
  parent.as_object()["event"].as_object()["thread_ts"] = "1772878800.000200";
  std::string body = json::serialize(parent);
  auto first = testing::deliver_webhook(connector, source, "slack", testing::slack_signed(kSigningSecret, body), body,
                                        kSigningSecret);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->items.size(), 1u);
}

TEST_F(SlackEvents, BotsJoinsAndOtherChannelsAreIgnored) {
  for (const char* name : {"event_bot_message.json", "event_app_bot_message.json", "event_channel_join.json",
                           "event_other_channel.json"}) {
    auto r = deliver(name);
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_TRUE(r->items.empty()) << name;
    EXPECT_FALSE(r->fetch) << name;
  }
}

TEST_F(SlackEvents, AnEditUpdatesTheMessagesRecord) {
  auto original = deliver("event_message.json");
  auto edited = deliver("event_message_changed.json");
  ASSERT_TRUE(original && edited) << (edited ? "" : edited.error().message);
  ASSERT_EQ(edited->items.size(), 1u);
  EXPECT_EQ(edited->items[0].external_id, original->items[0].external_id);
  EXPECT_EQ(edited->items[0].text, "The export to PDF keeps timing out, it's blocking our release.");
  EXPECT_EQ(edited->items[0].extra.at("channel"), "C024BE91L");
}

TEST_F(SlackEvents, UrlVerificationAndOtherEnvelopesCarryNothing) {
  auto r = deliver("url_verification.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  auto mention = testing::read_fixture(kFixtures / "event_message.json");
  mention.as_object()["event"].as_object()["type"] = "app_mention";
  auto split = connector.from_webhook({}, mention, source);
  ASSERT_TRUE(split);
  EXPECT_TRUE(split->items.empty()) << "the same words also arrive as a message event";
  EXPECT_FALSE(connector.from_webhook({}, json::array{}, source));
}

TEST_F(SlackEvents, BadMissingAndLateSignaturesAreRefused) {
  std::string body = fixture_text("event_message.json");
  auto wrong = testing::deliver_webhook(connector, source, "slack", testing::slack_signed("another-secret", body), body,
                                        kSigningSecret);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(wrong.error().message, "signature mismatch");

  http::Headers no_signature = testing::slack_signed(kSigningSecret, body);
  no_signature.items.erase(std::remove_if(no_signature.items.begin(), no_signature.items.end(),
                                          [](const auto& kv) { return kv.first == "x-slack-signature"; }),
                           no_signature.items.end());
  auto missing = testing::deliver_webhook(connector, source, "slack", no_signature, body, kSigningSecret);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "missing X-Slack-Signature header");

  // A delivery captured and replayed six minutes later: correctly signed, but too old.
  TimeMs then = now_ms() - 6 * 60 * 1000;
  auto late = testing::deliver_webhook(connector, source, "slack", testing::slack_signed(kSigningSecret, body, then),
                                       body, kSigningSecret);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, "timestamp outside the 5-minute tolerance");
}

TEST(SlackText, MarkupBecomesWhatAReaderSees) {
  EXPECT_EQ(slack::plain_text("hi <@U024BE7LH|bob> and <@U0G9QF9C6>"), "hi @bob and @U0G9QF9C6");
  EXPECT_EQ(slack::plain_text("see <#C024BE7LR|general> or <#C0G9QF9C6>"), "see #general or #C0G9QF9C6");
  EXPECT_EQ(slack::plain_text("<https://example.com/a?b=1&amp;c=2|the docs> <https://example.com>"),
            "the docs https://example.com");
  EXPECT_EQ(slack::plain_text("<!channel> <!subteam^SAZ94GDB8|@design> <!date^1392734382^{date}|Feb 18, 2014>"),
            "@channel @design Feb 18, 2014");
  EXPECT_EQ(slack::plain_text("1 &lt; 2 &amp;&amp; 3 &gt; 2"), "1 < 2 && 3 > 2");
  EXPECT_EQ(slack::plain_text("unclosed <https://example.com"), "unclosed <https://example.com");
  EXPECT_EQ(slack::plain_text(""), "");
}

TEST(SlackText, MapRejectsMessagesWithoutTheirParts) {
  const Connector& connector = *find_connector("slack");
  SourceSettings source;
  source.config = json::object{{"channels", json::array{"C024BE91L"}}};
  auto no_ts = connector.map(json::object{{"channel", "C024BE91L"}, {"text", "x"}}, source);
  ASSERT_FALSE(no_ts);
  EXPECT_EQ(no_ts.error().message, "slack message needs a ts and a channel");
  auto no_text = connector.map(json::object{{"channel", "C024BE91L"}, {"ts", "1.2"}}, source);
  ASSERT_FALSE(no_text);
  EXPECT_NE(no_text.error().message.find("has no text"), std::string::npos);
  // A pushed event_callback maps like the message inside it.
  auto wrapped = connector.map(testing::read_fixture(kFixtures / "event_message.json"), source);
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_FALSE(wrapped->url) << "no workspace_url, no link";
}

Status validate(json::object config) {
  json::object credentials;
  return validate_fields(*find_connector("slack"), config, credentials);
}

TEST(SlackSettings, ChannelsAreIdsAndThereIsNothingToPull) {
  EXPECT_FALSE(find_connector("slack")->pulls());
  EXPECT_TRUE(validate(json::object{{"channels", json::array{"C024BE91L", "G0PRIVATE1"}}}));
  auto missing = validate(json::object{});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "config.channels is required");
  auto empty = validate(json::object{{"channels", json::array{}}});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "config.channels must not be empty");
  auto name = validate(json::object{{"channels", json::array{"C024BE91L", "#general"}}});
  ASSERT_FALSE(name);
  EXPECT_NE(name.error().message.find("config.channels[1] must be a channel id"), std::string::npos);
  auto url = validate(json::object{{"channels", json::array{"C024BE91L"}}, {"workspace_url", "acme.slack.com"}});
  ASSERT_FALSE(url);
  EXPECT_NE(url.error().message.find("config.workspace_url"), std::string::npos);

  // Asked to sync anyway, it says where its items come from.
  SourceSettings source;
  source.type = "slack";
  ingest::HttpClient client;
  ingest::Fetcher fetcher(client);
  SyncContext ctx{source, "", fetcher};
  testing::RecordingSink sink;
  auto r = find_connector("slack")->sync(ctx, sink);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("push-only"), std::string::npos);
}

}  // namespace
}  // namespace chorus::connectors
