// Intercom conversations and parts -> MappedItem, and the connector's settings checks.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "intercom";

class IntercomMapping : public ::testing::Test {
 protected:
  IntercomMapping() {
    source.type = "intercom";
    source.config = json::object{{"app_id", "h3x7k2m9"}};
  }
  json::value conversation(const std::string& id) {
    for (const auto& c : conversations.as_array())
      if (c.at("id").as_string() == id) return c;
    throw std::runtime_error("no fixture conversation " + id);
  }
  const Connector& connector = *find_connector("intercom");
  SourceSettings source;
  json::value conversations = testing::read_fixture(kFixtures / "conversations.json");
};

TEST_F(IntercomMapping, ConversationBecomesARecordOfItsOpeningMessage) {
  auto m = connector.map(conversation("215471234567802"), source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "215471234567802");
  EXPECT_EQ(m->source_info, "IntercomConversation");
  EXPECT_EQ(m->format, MappedItem::Format::html);
  // The subject is read as the message's first paragraph.
  EXPECT_EQ(m->text, "<p>Bulk export</p><p>Is there a way to export every notebook to PDF at once?</p>");
  EXPECT_EQ(m->title, "Bulk export");
  EXPECT_EQ(m->rating, 4.0);
  EXPECT_EQ(m->timestamp, std::int64_t{1772449200} * 1000);  // 2026-03-02T11:00:00Z
  EXPECT_EQ(m->user_id, "65e1c0a4f1d2a3b4c5d6e702");
  EXPECT_EQ(m->username, "Tom Becker");
  EXPECT_EQ(m->email, "tom.becker@example.org");
  EXPECT_EQ(m->url, "https://app.intercom.com/a/inbox/h3x7k2m9/inbox/conversation/215471234567802");
  EXPECT_EQ(m->extra.at("state"), "closed");
  EXPECT_EQ(m->extra.at("open"), false);
  EXPECT_EQ(m->extra.at("channel"), "email");
  EXPECT_EQ(m->extra.at("author_type"), "lead");
  EXPECT_EQ(m->extra.at("tags"), (json::array{"export", "question"}));
  EXPECT_EQ(m->extra.at("rating_remark"), "Helpful, but the feature is missing.");
}

TEST_F(IntercomMapping, WithoutAnAppIdThereIsNoLinkAndAnEmptySubjectIsNoTitle) {
  source.config = json::object{};
  auto m = connector.map(conversation("215471234567801"), source);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->url);
  EXPECT_FALSE(m->title);
  EXPECT_FALSE(m->rating);
  EXPECT_FALSE(m->extra.contains("tags") && m->extra.at("tags").as_array().empty());
}

TEST_F(IntercomMapping, PartIsItsOwnRecordLinkedToTheConversation) {
  json::value part = conversation("215471234567801").at("conversation_parts").at("conversation_parts").at(1);
  part.as_object()["conversation_id"] = "215471234567801";
  auto m = connector.map(part, source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "215471234567801/parts/" + std::string(part.at("id").as_string()));
  EXPECT_EQ(m->source_info, "IntercomConversationPart");
  EXPECT_NE(m->text.find("<b>really</b>"), std::string::npos);
  EXPECT_EQ(m->username, "Ines Duarte");
  EXPECT_EQ(m->extra.at("conversation_id"), "215471234567801");
  EXPECT_EQ(m->extra.at("part_type"), "comment");
  EXPECT_EQ(m->url, "https://app.intercom.com/a/inbox/h3x7k2m9/inbox/conversation/215471234567801");
}

TEST_F(IntercomMapping, ItemsThatCannotMapSayWhy) {
  json::value c = conversation("215471234567801");
  c.as_object().erase("id");
  EXPECT_EQ(connector.map(c, source).error().message, "intercom conversation has no id");
  json::value empty = conversation("215471234567801");
  empty.as_object()["source"].as_object()["body"] = "";
  EXPECT_NE(connector.map(empty, source).error().message.find("empty opening message"), std::string::npos);
  json::value part{{"type", "conversation_part"}, {"id", "1"}, {"body", "<p>x</p>"}};
  EXPECT_NE(connector.map(part, source).error().message.find("conversation_id"), std::string::npos);
}

Status validate(json::object config, json::object credentials = {}) {
  return validate_fields(*find_connector("intercom"), config, credentials);
}

TEST(IntercomSettings, DefaultsAndChecks) {
  json::object config;
  json::object credentials{{"access_token", "t"}};
  ASSERT_TRUE(validate_fields(*find_connector("intercom"), config, credentials));
  EXPECT_EQ(config.at("base_url"), "https://api.intercom.io");
  EXPECT_EQ(config.at("include_parts"), false);
  EXPECT_EQ(config.at("per_page"), 50);
  auto per_page = validate(json::object{{"per_page", 500}});
  ASSERT_FALSE(per_page);
  EXPECT_EQ(per_page.error().message, "config.per_page must be between 1 and 150");
  auto url = validate(json::object{{"base_url", "api.intercom.io"}});
  ASSERT_FALSE(url);
  EXPECT_NE(url.error().message.find("config.base_url"), std::string::npos);
  auto parts = validate(json::object{{"include_parts", "yes"}});
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().message, "config.include_parts must be a boolean");
}

}  // namespace
}  // namespace chorus::connectors
