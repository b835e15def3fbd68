// Discourse webhook deliveries -> raw items or a notice to sync.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_discourse.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "discourse";

http::Headers discourse_headers(std::string type, std::string event) {
  http::Headers h;
  h.set("X-Discourse-Instance", "https://forum.example.com");
  h.set("X-Discourse-Event-Id", "158765");
  h.set("X-Discourse-Event-Type", std::move(type));
  if (!event.empty()) h.set("X-Discourse-Event", std::move(event));
  return h;
}

class DiscourseWebhook : public ::testing::Test {
 protected:
  Result<WebhookItems> deliver(const char* fixture, std::string type, std::string event) {
    return connector.from_webhook(discourse_headers(std::move(type), std::move(event)),
                                  testing::read_fixture(kFixtures / fixture), source);
  }
  DiscourseWebhook() {
    source.type = "discourse";
    source.config = json::object{{"base_url", "https://forum.example.com"}};
  }
  const Connector& connector = *find_connector("discourse");
  SourceSettings source;
};

TEST_F(DiscourseWebhook, PostCreatedAndEditedYieldThePost) {
  for (const char* event : {"post_created", "post_edited"}) {
    auto r = deliver("webhook_post_created.json", "post", event);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->items.size(), 1u) << event;
    EXPECT_FALSE(r->fetch);
    EXPECT_EQ(r->items[0].as_object().at("id"), json::value(48280));
    auto m = connector.map(r->items[0], source);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->external_id, "48280");
  }
}

TEST_F(DiscourseWebhook, OtherPostEventsYieldNothing) {
  for (const char* event : {"post_destroyed", "post_recovered", "something_new"}) {
    auto r = deliver("webhook_post_created.json", "post", event);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->items.empty()) << event;
    EXPECT_FALSE(r->fetch) << event;
  }
}

TEST_F(DiscourseWebhook, PostWithoutBodyIsANoticeThatAsksForASync) {
  auto r = deliver("webhook_post_trimmed.json", "post", "post_created");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->items.empty());  // stored as it came it would be a record without text
  EXPECT_TRUE(r->fetch);
}

TEST_F(DiscourseWebhook, TopicEventsAskForASync) {
  auto r = deliver("webhook_topic_created.json", "topic", "topic_created");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->items.empty());
  EXPECT_TRUE(r->fetch);
}

TEST_F(DiscourseWebhook, PingAndUnknownTypesYieldNothing) {
  auto ping = deliver("webhook_ping.json", "ping", "");
  ASSERT_TRUE(ping);
  EXPECT_TRUE(ping->items.empty());
  EXPECT_FALSE(ping->fetch);

  auto user = connector.from_webhook(discourse_headers("user", "user_created"),
                                     parse_json(R"({"user":{"id":9,"username":"new_person"}})").value(), source);
  ASSERT_TRUE(user);
  EXPECT_TRUE(user->items.empty());
  EXPECT_FALSE(user->fetch);
}

TEST_F(DiscourseWebhook, TypeInferredFromBodyWithoutHeaders) {
  auto r = connector.from_webhook(http::Headers{}, testing::read_fixture(kFixtures / "webhook_post_created.json"),
                                  source);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->items.size(), 1u);
}

TEST_F(DiscourseWebhook, MalformedDeliveriesAreBadRequests) {
  auto not_object = connector.from_webhook(discourse_headers("post", "post_created"), json::value(json::array{}), source);
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, ErrorCode::bad_request);

  auto no_post = connector.from_webhook(discourse_headers("post", "post_created"), parse_json(R"({"ping":"OK"})").value(),
                                        source);
  ASSERT_FALSE(no_post);
  EXPECT_EQ(no_post.error().code, ErrorCode::bad_request);

  auto no_id = connector.from_webhook(discourse_headers("post", "post_created"),
                                      parse_json(R"({"post":{"cooked":"<p>hi</p>"}})").value(), source);
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().message, "discourse post has no id");
}

}  // namespace
}  // namespace chorus::connectors
