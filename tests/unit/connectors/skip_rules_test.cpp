// One meaning per setting on every path: each connector's skip rules (deleted and hidden posts, private
// messages, teammates, comments, another form) asked of an item as a sync lists it, as it is pushed, and
// as a webhook delivers it; and the text check every connector shares (embeds, quotes and bare links are
// not text to analyse).
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES);

SourceSettings source_of(const char* type, json::object config) {
  SourceSettings s;
  s.type = type;
  s.config = std::move(config);
  return s;
}

std::string skipped(const char* type, const json::value& raw, const SourceSettings& source) {
  auto a = admit_item(*find_connector(type), raw, source);
  if (!a) return "error: " + a.error().message;
  return a->item ? "" : a->skipped;
}

TEST(SkipRules, AnEmbedOnlyDiscoursePostHasNoTextOnEveryPath) {
  const auto source = source_of("discourse", json::object{{"base_url", "https://forum.example.com"}});
  const json::value post = testing::read_fixture(kFixtures / "discourse" / "post_embed_only.json");
  EXPECT_EQ(skipped("discourse", post, source), "no_text");                                 // synced or pushed
  EXPECT_EQ(skipped("discourse", json::object{{"post", post}}, source), "no_text");        // a delivery, pushed
  auto split = find_connector("discourse")->from_webhook({}, json::object{{"post", post}}, source);
  ASSERT_TRUE(split && split->items.size() == 1u);                                          // delivered with cooked
  EXPECT_EQ(skipped("discourse", split->items[0], source), "no_text");
  // Its raw markdown (bare links) has nothing to read either.
  json::object raw_only = post.as_object();
  raw_only.erase("cooked");
  EXPECT_EQ(skipped("discourse", raw_only, source), "no_text");
  // One sentence of the writer's own beside the embed is enough.
  json::object with_words = post.as_object();
  with_words["cooked"] = std::string(post.at("cooked").as_string()) + "<p>Watch at 2:10, the sync spinner never stops.</p>";
  EXPECT_EQ(skipped("discourse", with_words, source), "");
}

TEST(SkipRules, DeletedHiddenAndPrivateDiscoursePostsAreLeftOut) {
  const auto source = source_of("discourse", json::object{{"base_url", "https://forum.example.com"}});
  const json::object post = testing::read_fixture(kFixtures / "discourse" / "recorded" / "post.json").as_object();
  EXPECT_EQ(skipped("discourse", post, source), "");
  json::object deleted = post;
  deleted["deleted_at"] = "2026-03-04T10:00:00.000Z";
  EXPECT_EQ(skipped("discourse", deleted, source), "deleted");
  json::object by_author = post;
  by_author["user_deleted"] = true;
  EXPECT_EQ(skipped("discourse", by_author, source), "deleted");
  json::object hidden = post;
  hidden["hidden"] = true;
  EXPECT_EQ(skipped("discourse", hidden, source), "hidden");
  // A real post_created delivery names its topic's archetype; a private message's is private_message.
  json::value delivery = testing::read_fixture(kFixtures / "discourse" / "recorded" / "webhook_post_created.json");
  json::object& delivered = delivery.as_object()["post"].as_object();
  delivered["cooked"] = "<p>Please reset my account, it is locked.</p>";
  EXPECT_EQ(skipped("discourse", delivered, source), "");
  delivered["topic_archetype"] = "private_message";
  EXPECT_EQ(skipped("discourse", delivered, source), "private_message");
  EXPECT_EQ(skipped("discourse", delivery, source), "private_message");  // the whole delivery, pushed
}

TEST(SkipRules, GitHubCommentsFollowIncludeComments) {
  const json::value comment = testing::read_fixture(kFixtures / "github" / "recorded" / "webhook_issue_comment_created.json");
  auto on = source_of("github", json::object{{"repo", "Codertocat/Hello-World"}, {"include_comments", true}});
  auto off = source_of("github", json::object{{"repo", "Codertocat/Hello-World"}, {"include_comments", false}});
  EXPECT_EQ(skipped("github", comment.at("comment"), on), "");
  EXPECT_EQ(skipped("github", comment.at("comment"), off), "comment");
  EXPECT_EQ(skipped("github", comment, off), "comment");  // the whole delivery, pushed
  http::Headers h;
  h.set("X-GitHub-Event", "issue_comment");
  auto split = find_connector("github")->from_webhook(h, comment, off);
  ASSERT_TRUE(split && split->items.size() == 1u);
  EXPECT_EQ(skipped("github", split->items[0], off), "comment");
}

TEST(SkipRules, ZendeskDeletedTicketsAreLeftOutWhenPushedToo) {
  const auto source = source_of("zendesk", json::object{{"subdomain", "acme"}});
  const json::value list = testing::read_fixture(kFixtures / "zendesk" / "recorded" / "tickets.json");
  for (const auto& t : list.as_array()) {
    std::string want = t.at("status").as_string() == "deleted" ? "deleted" : "";
    EXPECT_EQ(skipped("zendesk", t, source), want) << t.at("id");
    EXPECT_EQ(skipped("zendesk", json::object{{"ticket", t}}, source), want) << t.at("id");
  }
  json::object blank{{"id", 77}, {"subject", ""}, {"description", ""}, {"status", "new"}};
  EXPECT_EQ(skipped("zendesk", blank, source), "no_text");
}

TEST(SkipRules, IntercomConversationsATeammateStartedAreNotFeedbackOnAnyPath) {
  const auto source = source_of("intercom", json::object{});
  json::value delivery = testing::read_fixture(kFixtures / "intercom" / "webhook_user_created.json");
  const json::value conversation = delivery.at("data").at("item");
  EXPECT_EQ(skipped("intercom", conversation, source), "");
  json::value by_teammate = conversation;
  by_teammate.as_object()["source"].as_object()["author"].as_object()["type"] = "admin";
  EXPECT_EQ(skipped("intercom", by_teammate, source), "teammate");  // pushed, or synced
  delivery.as_object()["data"].as_object()["item"] = by_teammate;
  EXPECT_EQ(skipped("intercom", delivery, source), "teammate");  // the whole delivery, pushed
  auto split = find_connector("intercom")->from_webhook({}, delivery, source);
  ASSERT_TRUE(split && split->items.size() == 1u);
  EXPECT_EQ(skipped("intercom", split->items[0], source), "teammate");
  // An opening message without words: skipped when pushed; delivered, it is a notice to fetch.
  json::value empty = conversation;
  empty.as_object()["source"].as_object()["body"] = "";
  EXPECT_EQ(skipped("intercom", empty, source), "no_text");
  delivery.as_object()["data"].as_object()["item"] = empty;
  auto notice = find_connector("intercom")->from_webhook({}, delivery, source);
  ASSERT_TRUE(notice);
  EXPECT_TRUE(notice->items.empty());
  EXPECT_TRUE(notice->fetch);
}

TEST(SkipRules, RedditCommentsFollowIncludeCommentsAndDeletedOnesAreLeftOut) {
  const json::value comment = testing::read_fixture(kFixtures / "reddit" / "recorded" / "comments.json").as_array()[0];
  auto on = source_of("reddit", json::object{{"subreddit", "askreddit"}, {"include_comments", true}});
  auto off = source_of("reddit", json::object{{"subreddit", "askreddit"}, {"include_comments", false}});
  EXPECT_EQ(skipped("reddit", comment, on), "");
  EXPECT_EQ(skipped("reddit", comment, off), "comment");
  json::value removed = comment;
  removed.as_object()["data"].as_object()["body"] = "[removed]";
  EXPECT_EQ(skipped("reddit", removed, on), "deleted");
  // A title-only post keeps its title as its text.
  const json::value post = testing::read_fixture(kFixtures / "reddit" / "recorded" / "posts.json").as_array()[0];
  EXPECT_EQ(skipped("reddit", post, off), "");
}

TEST(SkipRules, TheTextCheckReadsWhatTheAnalysersRead) {
  MappedItem m;
  m.format = MappedItem::Format::plain;
  m.text = "  \n\t ";
  EXPECT_FALSE(has_text_to_analyse(m));
  m.text = "https://example.com/forum/t/123";
  EXPECT_FALSE(has_text_to_analyse(m));  // a bare link says nothing
  m.text = "Crashes on start";
  EXPECT_TRUE(has_text_to_analyse(m));
  m.format = MappedItem::Format::html;
  m.text = "<blockquote><p>It crashes on start.</p></blockquote>";
  EXPECT_FALSE(has_text_to_analyse(m));  // only someone else's words, quoted
  m.text = "<pre><code>retries: 3\ntimeout: 30s</code></pre>";
  EXPECT_FALSE(has_text_to_analyse(m));  // code blocks are shown, not read
  m.text = "<pre><code>at com.acme.Sync.run(Sync.java:42)\nat java.lang.Thread.run(Thread.java:748)</code></pre>";
  EXPECT_TRUE(has_text_to_analyse(m));  // ... but a stack trace in one is still a bug report
  m.format = MappedItem::Format::plain;
  m.text = "java.lang.NullPointerException\n\tat com.acme.Sync.run(Sync.java:42)\n\tat java.lang.Thread.run(Thread.java:748)";
  EXPECT_TRUE(has_text_to_analyse(m));  // a stack trace is a bug report
  m.format = MappedItem::Format::markdown;
  m.text = "[https://example.com/s.png](https://example.com/s.png)";
  EXPECT_FALSE(has_text_to_analyse(m));  // a link whose words are the link
}

}  // namespace
}  // namespace chorus::connectors
