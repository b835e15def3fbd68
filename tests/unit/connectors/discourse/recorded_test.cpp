// Discourse on recorded payloads (tests/fixtures/discourse/recorded/SOURCE.md): real deliveries without a
// post body are notices that ask for a sync rather than empty records; documented API answers map.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_discourse.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "discourse" / "recorded";

http::Headers fedora_headers(std::string event, std::string id) {
  http::Headers h;
  h.set("X-Discourse-Instance", "https://discussion.fedoraproject.org");
  h.set("X-Discourse-Event-Id", std::move(id));
  h.set("X-Discourse-Event-Type", "post");
  h.set("X-Discourse-Event", std::move(event));
  return h;
}

class DiscourseRecorded : public ::testing::Test {
 protected:
  DiscourseRecorded() {
    source.type = "discourse";
    source.config = json::object{{"base_url", "https://discussion.fedoraproject.org"}};
  }
  const Connector& connector = *find_connector("discourse");
  SourceSettings source;
};

TEST_F(DiscourseRecorded, ARealPostCreatedWithoutCookedIsANoticeNotAnEmptyRecord) {
  for (auto [file, event, id] : {std::tuple{"webhook_post_created.json", "post_created", "158765"},
                                 std::tuple{"webhook_post_edited.json", "post_edited", "83176"}}) {
    auto r = connector.from_webhook(fedora_headers(event, id), testing::read_fixture(kRecorded / file), source);
    ASSERT_TRUE(r) << file << ": " << r.error().message;
    EXPECT_TRUE(r->items.empty()) << file;
    EXPECT_TRUE(r->fetch) << file;
  }
}

TEST_F(DiscourseRecorded, ARealPostDestroyedBringsNothing) {
  auto r = connector.from_webhook(fedora_headers("post_destroyed", "83530"),
                                  testing::read_fixture(kRecorded / "webhook_post_destroyed.json"), source);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->items.empty());
  EXPECT_FALSE(r->fetch);
}

TEST_F(DiscourseRecorded, TheSamePostWithItsBodyIsAnItem) {
  // What the sync the notice asks for brings: the documented /posts/{id}.json answer, body included.
  auto post = testing::read_fixture(kRecorded / "post.json");
  auto wrapped = json::value(json::object{{"post", post}});
  auto r = connector.from_webhook(fedora_headers("post_created", "1"), wrapped, source);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_FALSE(r->fetch);
  auto m = connector.map(r->items[0], source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "33");
  EXPECT_EQ(m->username, "blake");
  EXPECT_EQ(m->format, MappedItem::Format::html);
  EXPECT_EQ(m->text.rfind("<p>b15bd65a-527e-1446-e17a-40bcca68fcbd", 0), 0u);
  EXPECT_EQ(m->timestamp, parse_time("2016-10-03T13:37:16.594Z"));
}

TEST_F(DiscourseRecorded, DocumentedSearchPostsMap) {
  auto search = testing::read_fixture(kRecorded / "search.json");
  const auto& posts = search.as_object().at("posts").as_array();
  ASSERT_EQ(posts.size(), 1u);
  auto m = connector.map(posts[0], source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "16");
  EXPECT_EQ(m->username, "discourse1");
  EXPECT_EQ(m->timestamp, parse_time("2016-10-29T14:14:20.516Z"));
  EXPECT_FALSE(m->text.empty());
}

}  // namespace
}  // namespace chorus::connectors
