// Intercom on recorded payloads (tests/fixtures/intercom/recorded/SOURCE.md): the conversations of the
// vendor's published example answers map as the sync and the API's single-conversation fetch give them.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "intercom" / "recorded";

class IntercomRecorded : public ::testing::Test {
 protected:
  IntercomRecorded() { source.type = "intercom"; }
  const Connector& connector = *find_connector("intercom");
  SourceSettings source;
};

TEST_F(IntercomRecorded, EveryExampleConversationMaps) {
  for (const char* file : {"search.json", "list.json"}) {
    auto page = testing::read_fixture(kRecorded / file);
    EXPECT_EQ(get_string(page, "type"), "conversation.list") << file;
    const auto& conversations = page.as_object().at("conversations").as_array();
    ASSERT_FALSE(conversations.empty()) << file;
    for (const auto& c : conversations) {
      auto m = connector.map(c, source);
      ASSERT_TRUE(m) << file << ": " << m.error().message;
      EXPECT_EQ(m->external_id, *get_string(c, "id"));
      EXPECT_EQ(m->source_info, "IntercomConversation");
      EXPECT_EQ(m->text, "<p>this is the message body</p>");
      EXPECT_EQ(m->format, MappedItem::Format::html);
      EXPECT_FALSE(m->title);  // the example's subject is "" and its title null
      ASSERT_TRUE(m->timestamp);
      EXPECT_EQ(*m->timestamp, *find_path(c, "created_at")->if_int64() * 1000);
    }
  }
}

TEST_F(IntercomRecorded, TheSingleConversationAnswerMaps) {
  auto c = testing::read_fixture(kRecorded / "conversation.json");
  auto m = connector.map(c, source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "367");
  EXPECT_EQ(m->timestamp, TimeMs{1719492825000});
}

TEST_F(IntercomRecorded, AnErrorListIsNotAConversation) {
  auto m = connector.map(testing::read_fixture(kRecorded / "unauthorized.json"), source);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::bad_request);
}

}  // namespace
}  // namespace chorus::connectors
