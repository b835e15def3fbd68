// Discourse post -> MappedItem, for full posts, search hits and webhook payloads.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "core/time.hpp"
#include "support/fake_discourse.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "discourse";

class DiscourseMapping : public ::testing::Test {
 protected:
  DiscourseMapping() {
    source.type = "discourse";
    source.config = json::object{{"base_url", "https://forum.example.com/"}};
  }
  const json::value& post(std::int64_t id) {
    for (const auto& p : posts.as_array())
      if (p.as_object().at("id").to_number<std::int64_t>() == id) return p;
    throw std::runtime_error("no fixture post " + std::to_string(id));
  }

  const Connector& connector = *find_connector("discourse");
  SourceSettings source;
  json::value posts = testing::read_fixture(kFixtures / "posts.json");
};

TEST_F(DiscourseMapping, FullPostKeepsCookedHtml) {
  const json::value& raw = post(48207);
  auto m = connector.map(raw, source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "48207");
  EXPECT_EQ(m->format, MappedItem::Format::html);
  EXPECT_EQ(m->text, raw.as_object().at("cooked").as_string());  // passed through: the NLP stage cleans it
  EXPECT_NE(m->text.find("<pre><code"), std::string::npos);
  EXPECT_NE(m->text.find("It&#39;s"), std::string::npos);
  EXPECT_EQ(m->url, "https://forum.example.com/t/sync-stops-after-the-3-2-update/9101/2");
  EXPECT_EQ(m->username, "devon.p");
  EXPECT_EQ(m->user_id, "4422");
  ASSERT_TRUE(m->timestamp);
  EXPECT_EQ(format_time(*m->timestamp), "2026-03-02T10:31:44.270Z");
  EXPECT_EQ(m->source_info, "DiscoursePost");
  EXPECT_EQ(m->extra.at("topic_id"), json::value(9101));
  EXPECT_EQ(m->extra.at("post_number"), json::value(2));
  EXPECT_EQ(m->extra.at("like_count"), json::value(2));
  EXPECT_EQ(m->extra.at("reads"), json::value(48));
  EXPECT_FALSE(m->extra.contains("raw"));
  EXPECT_FALSE(m->title);  // /posts/{id}.json has no topic title; sync adds it from search
}

TEST_F(DiscourseMapping, TitleFromTopicTitleOrNestedTopic) {
  json::value raw = post(48201);
  raw.as_object()["topic_title"] = "Sync stops after the 3.2 update";
  EXPECT_EQ(connector.map(raw, source)->title, "Sync stops after the 3.2 update");

  json::value nested = post(48201);
  nested.as_object()["topic"] = json::object{{"id", 9101}, {"title", "Nested title"}, {"category_id", 5}};
  auto m = connector.map(nested, source);
  EXPECT_EQ(m->title, "Nested title");
  EXPECT_EQ(m->extra.at("category_id"), json::value(5));
}

TEST_F(DiscourseMapping, UrlWithoutSlug) {
  json::value raw = post(48201);
  raw.as_object().erase("topic_slug");
  EXPECT_EQ(connector.map(raw, source)->url, "https://forum.example.com/t/9101/1");
}

TEST_F(DiscourseMapping, FallsBackToMarkdownThenBlurb) {
  json::value raw = post(48236);
  raw.as_object().erase("cooked");
  auto m = connector.map(raw, source);
  EXPECT_EQ(m->format, MappedItem::Format::markdown);
  EXPECT_EQ(m->text, "+1, and keep the front matter: `title`, `tags` and `created`.");

  // A search hit: blurb only.
  json::value hit = parse_json(R"({"id":48236,"name":"Jorge Torres","username":"jtorres",
      "avatar_template":"/user_avatar/forum.example.com/jtorres/{size}/2290_2.png",
      "created_at":"2026-03-03T21:18:37.550Z","like_count":5,"blurb":"+1, and keep the front matter: title, tags and…",
      "post_number":2,"topic_id":9102})")
                        .value();
  m = connector.map(hit, source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->format, MappedItem::Format::plain);
  EXPECT_EQ(m->text, "+1, and keep the front matter: title, tags and…");
  EXPECT_EQ(m->url, "https://forum.example.com/t/9102/2");
}

TEST_F(DiscourseMapping, MissingIdIsBadRequest) {
  json::value raw = post(48201);
  raw.as_object().erase("id");
  auto m = connector.map(raw, source);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::bad_request);
  EXPECT_EQ(m.error().message, "discourse post has no id");

  auto not_object = connector.map(json::value(json::array{1, 2}), source);
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, ErrorCode::bad_request);
}

TEST_F(DiscourseMapping, WebhookPostAndWholeBody) {
  json::value body = testing::read_fixture(kFixtures / "webhook_post_created.json");
  auto from_post = connector.map(body.as_object().at("post"), source);
  ASSERT_TRUE(from_post) << from_post.error().message;
  EXPECT_EQ(from_post->external_id, "48280");
  EXPECT_EQ(from_post->title, "Sync stops after the 3.2 update");
  EXPECT_EQ(from_post->text, "<p>Reinstalling did not help either.</p>");
  EXPECT_EQ(from_post->url, "https://forum.example.com/t/sync-stops-after-the-3-2-update/9101/6");
  EXPECT_EQ(from_post->extra.at("category_id"), json::value(5));
  EXPECT_EQ(format_time(*from_post->timestamp), "2026-03-06T12:04:18.377Z");

  // The same delivery pushed as it came maps to the same item.
  auto whole = connector.map(body, source);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->external_id, "48280");
  EXPECT_EQ(whole->url, from_post->url);
}

}  // namespace
}  // namespace chorus::connectors
