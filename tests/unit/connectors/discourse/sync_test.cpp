// Discourse sync against the fake forum over loopback: search paging, whole-post fetches, cursors, faults.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "connectors/connector.hpp"
#include "core/time.hpp"
#include "ingest/fetcher.hpp"
#include "support/fake_discourse.hpp"
#include "support/recording_sink.hpp"

namespace chorus::connectors {
namespace {

using std::chrono::milliseconds;

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "discourse";
constexpr const char* kNewest = "2026-03-06T09:30:00.250Z";  // post 48274, the newest fixture post

ingest::RetryPolicy fast_retries() {
  ingest::RetryPolicy p;
  p.max_attempts = 3;
  p.base_delay = milliseconds(1);
  p.max_delay = milliseconds(5);
  return p;
}

std::int64_t id_of(const json::value& item) { return item.as_object().at("id").to_number<std::int64_t>(); }

std::vector<std::int64_t> ids_of(const std::vector<json::value>& items) {
  std::vector<std::int64_t> out;
  for (const auto& i : items) out.push_back(id_of(i));
  return out;
}

class DiscourseSync : public ::testing::Test {
 protected:
  explicit DiscourseSync(const std::filesystem::path& fixtures = kFixtures)
      : fake(fixtures), fetcher(client, fast_retries(), [this](milliseconds d) { sleeps.push_back(d); }) {
    source.workspace_id = 1;
    source.source_id = 3;
    source.type = "discourse";
    source.config = json::object{{"base_url", fake.base_url()}, {"query", ""}, {"max_pages", 50}, {"concurrency", 4}};
  }

  Result<std::string> sync(std::string cursor = "", testing::RecordingSink* into = nullptr) {
    SyncContext ctx{source, std::move(cursor), fetcher};
    return connector.sync(ctx, into ? *into : sink);
  }

  const json::object& fixture_post(std::int64_t id) {
    for (const auto& p : fixture_posts.as_array())
      if (id_of(p) == id) return p.as_object();
    throw std::runtime_error("no fixture post " + std::to_string(id));
  }

  testing::FakeDiscourse fake;
  ingest::HttpClient client;
  std::vector<milliseconds> sleeps;
  ingest::Fetcher fetcher;
  const Connector& connector = *find_connector("discourse");
  SourceSettings source;
  testing::RecordingSink sink;
  json::value fixture_posts = testing::read_fixture(kFixtures / "posts.json");
};

TEST_F(DiscourseSync, FirstSyncFetchesEveryPostWhole) {
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;

  // 12 posts, 5 per search page: pages 1-3 have posts, page 4 is empty and ends the search.
  EXPECT_EQ(fake.count("/search.json"), 4);
  EXPECT_EQ(fake.count_prefix("/posts/"), 12);
  for (const auto& p : fixture_posts.as_array())
    EXPECT_EQ(fake.count("/posts/" + std::to_string(id_of(p)) + ".json"), 1) << id_of(p);

  auto items = sink.items();
  ASSERT_EQ(items.size(), 12u);
  // Oldest first.
  EXPECT_EQ(id_of(items.front()), 48201);
  EXPECT_EQ(id_of(items.back()), 48274);
  for (const auto& item : items) {
    const json::object& o = item.as_object();
    const json::object& full = fixture_post(id_of(item));
    EXPECT_FALSE(o.contains("blurb")) << "search hit emitted instead of the full post";
    EXPECT_EQ(o.at("cooked"), full.at("cooked"));
    EXPECT_EQ(o.at("raw"), full.at("raw"));
    EXPECT_TRUE(o.at("topic_title").is_string()) << "topic title not added from search topics";
  }
  auto m = connector.map(items[1], source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->title, "Sync stops after the 3.2 update");
  EXPECT_NE(m->text.find("<pre><code"), std::string::npos);
  EXPECT_EQ(m->text.find("\u2026"), std::string::npos);  // not the blurb

  EXPECT_EQ(*r, kNewest);
  ASSERT_EQ(sink.pages.size(), 1u);
  EXPECT_EQ(sink.pages.back().cursor, kNewest);
}

TEST_F(DiscourseSync, SearchRequestsAskForLatestAfterTheCursorDay) {
  ASSERT_TRUE(sync("2026-03-04T11:47:12.019Z"));
  auto requests = fake.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0].path, "/search.json");
  EXPECT_EQ(requests[0].query.at("q"), "after:2026-03-04 order:latest");
  EXPECT_EQ(requests[0].query.at("page"), "1");
  for (const auto& req : requests) {
    EXPECT_EQ(req.headers.get("Accept"), "application/json") << req.path;
    EXPECT_FALSE(req.headers.get("Api-Key")) << req.path;
  }
  // 48244 was created exactly at the cursor and comes back (same day); only what is newer is emitted.
  EXPECT_EQ(ids_of(sink.items()), (std::vector<std::int64_t>{48250, 48262, 48265, 48271, 48274}));
  EXPECT_EQ(fake.count("/posts/48244.json"), 0);
  EXPECT_EQ(fake.count("/posts/48241.json"), 0);
}

TEST_F(DiscourseSync, SecondSyncFromTheCursorEmitsNothingNew) {
  auto first = sync();
  ASSERT_TRUE(first);
  int posts_before = fake.count_prefix("/posts/");

  testing::RecordingSink second_sink;
  auto second = sync(*first, &second_sink);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(fake.count_prefix("/posts/"), posts_before);  // nothing fetched again
  ASSERT_EQ(second_sink.pages.size(), 1u);                // one empty page completes the sync
  EXPECT_TRUE(second_sink.pages[0].items.empty());
  EXPECT_EQ(second_sink.pages[0].cursor, *first);
}

TEST_F(DiscourseSync, NewPostsAfterTheCursorArePickedUp) {
  auto first = sync();
  ASSERT_TRUE(first);
  json::object late = fixture_post(48274);
  late["id"] = 48290;
  late["post_number"] = 6;
  late["created_at"] = "2026-03-07T08:00:00.000Z";
  late["cooked"] = "<p>Fixed for me on 3.2.2.</p>";
  late["raw"] = "Fixed for me on 3.2.2.";
  fake.add_post(late);

  testing::RecordingSink next;
  auto r = sync(*first, &next);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "2026-03-07T08:00:00Z");
  EXPECT_EQ(ids_of(next.items()), (std::vector<std::int64_t>{48290}));
  EXPECT_EQ(next.cursors(), (std::vector<std::string>{"2026-03-07T08:00:00Z"}));
}

TEST_F(DiscourseSync, SinceStartsTheFirstSync) {
  source.config["since"] = "2026-03-05T00:00:00Z";
  ASSERT_TRUE(sync());
  EXPECT_EQ(fake.requests()[0].query.at("q"), "after:2026-03-04 order:latest");
  EXPECT_EQ(ids_of(sink.items()), (std::vector<std::int64_t>{48262, 48265, 48271, 48274}));
}

TEST_F(DiscourseSync, QueryTermsAreSentEncoded) {
  source.config["query"] = "sync #support";
  ASSERT_TRUE(sync());
  auto req = fake.requests()[0];
  EXPECT_EQ(req.query.at("q"), "sync #support order:latest");
  std::set<std::int64_t> ids;
  for (auto id : ids_of(sink.items())) ids.insert(id);
  EXPECT_EQ(ids, (std::set<std::int64_t>{48201, 48207, 48241, 48274}));
}

TEST_F(DiscourseSync, CredentialsAreSentAsHeaders) {
  fake.require_credentials("0f1e2d3c4b5a", "system");
  source.credentials = json::object{{"api_key", "0f1e2d3c4b5a"}, {"api_username", "system"}};
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(sink.items().size(), 12u);
  for (const auto& req : fake.requests()) {
    EXPECT_EQ(req.headers.get("Api-Key"), "0f1e2d3c4b5a");
    EXPECT_EQ(req.headers.get("Api-Username"), "system");
  }
}

TEST_F(DiscourseSync, WrongCredentialsFailTheSyncNamingTheRequest) {
  fake.require_credentials("0f1e2d3c4b5a", "system");
  source.credentials = json::object{{"api_key", "stale"}, {"api_username", "system"}};
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("GET /search.json page 1: ")) << r.error().message;
  EXPECT_NE(r.error().message.find("403"), std::string::npos) << r.error().message;
  EXPECT_TRUE(sink.pages.empty());
}

TEST_F(DiscourseSync, RateLimitedThenSucceeds) {
  fake.rate_limit_next("/search.json", 2);
  fake.rate_limit_next("/posts/48215.json", 1);
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(fake.count("/search.json"), 5);
  EXPECT_EQ(fake.count("/posts/48215.json"), 2);
  EXPECT_EQ(sink.items().size(), 12u);
  EXPECT_EQ(*r, kNewest);
  // Retry-After was honoured (through the no-op sleeper).
  EXPECT_TRUE(std::any_of(sleeps.begin(), sleeps.end(), [](milliseconds d) { return d >= milliseconds(2000); }));
}

TEST_F(DiscourseSync, ServerErrorOnceThenSucceeds) {
  fake.fail_next("/search.json", 500, 1, 2);
  fake.fail_next("/posts/48230.json", 502);
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(fake.count("/search.json"), 5);
  EXPECT_EQ(fake.count("/posts/48230.json"), 2);
  EXPECT_EQ(sink.items().size(), 12u);
  EXPECT_EQ(sink.cursors(), (std::vector<std::string>{kNewest}));
}

TEST_F(DiscourseSync, PersistentServerErrorFailsWithoutEmitting) {
  fake.fail_next("/search.json", 500, 100);
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("GET /search.json page 1: ")) << r.error().message;
  EXPECT_TRUE(sink.pages.empty());
  EXPECT_EQ(fake.count_prefix("/posts/"), 0);
}

TEST_F(DiscourseSync, MalformedSearchPageIsAnErrorAndNoCursor) {
  fake.malform_search_page(2);
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::upstream);
  EXPECT_TRUE(r.error().message.starts_with("GET /search.json page 2: malformed JSON")) << r.error().message;
  EXPECT_TRUE(sink.pages.empty());
  EXPECT_TRUE(sink.cursors().empty());
}

TEST_F(DiscourseSync, SearchPageThatIsNotJsonIsMalformed) {
  fake.fail_next("/search.json", 200, 1, 1);  // an HTML body with status 200
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("GET /search.json page 1: malformed JSON")) << r.error().message;
}

TEST_F(DiscourseSync, DeletedPostIsSkipped) {
  fake.delete_post(48244);
  fake.delete_post(48274);  // the newest: the cursor falls back to the newest post actually collected
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  auto ids = ids_of(sink.items());
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 48244), 0);
  EXPECT_EQ(fake.count("/posts/48244.json"), 1);  // a 404 is not retried
  EXPECT_EQ(*r, "2026-03-06T07:12:45Z");
  EXPECT_EQ(sink.cursors(), (std::vector<std::string>{"2026-03-06T07:12:45Z"}));
}

TEST_F(DiscourseSync, FailedPostFetchFailsTheSync) {
  json::object post = fixture_post(48201);
  post["id"] = 40412;  // an id that contains "404": only the status may decide that a post is gone
  post["created_at"] = "2026-03-01T09:00:00.000Z";
  fake.add_post(post);
  fake.fail_next("/posts/40412.json", 500, 100);
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("GET /posts/40412.json: ")) << r.error().message;
  EXPECT_NE(r.error().message.find("500"), std::string::npos) << r.error().message;
  EXPECT_TRUE(sink.cursors().empty());
}

TEST_F(DiscourseSync, MaxPagesBoundsTheSearch) {
  source.config["max_pages"] = 2;
  ASSERT_TRUE(sync());
  EXPECT_EQ(fake.count("/search.json"), 2);
  EXPECT_EQ(sink.items().size(), 10u);
}

TEST_F(DiscourseSync, CancelledBetweenPages) {
  std::atomic<int> checks = 0;
  SyncContext ctx{source, "", fetcher, [&] { return ++checks > 2; }};
  auto r = connector.sync(ctx, sink);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cancelled"), std::string::npos);
  EXPECT_EQ(fake.count("/search.json"), 2);
  EXPECT_TRUE(sink.pages.empty());
}

TEST_F(DiscourseSync, TheFakeAnswersInDiscourseShape) {
  ingest::OutboundRequest req;
  req.url = fake.base_url() + "/search.json?q=order%3Alatest&page=1";
  auto body = fetcher.get_json(req);
  ASSERT_TRUE(body) << body.error().message;
  const json::object& o = body->as_object();
  for (const char* key : {"posts", "users", "categories", "tags", "groups", "grouped_search_result"})
    EXPECT_TRUE(o.contains(key)) << key;
  const json::object& g = o.at("grouped_search_result").as_object();
  for (const char* key : {"more_posts", "more_users", "more_categories", "term", "search_log_id",
                          "more_full_page_results", "can_create_topic", "error", "post_ids", "user_ids",
                          "category_ids", "tag_ids", "group_ids"})
    EXPECT_TRUE(g.contains(key)) << key;
  const json::object& hit = o.at("posts").as_array().at(0).as_object();
  EXPECT_TRUE(hit.contains("blurb"));
  EXPECT_FALSE(hit.contains("raw"));
}

// Enough posts for several emitted pages (50 posts each).
class DiscourseSyncLarge : public DiscourseSync {
 protected:
  DiscourseSyncLarge() : DiscourseSync(std::filesystem::path{}) {
    fake.set_page_size(50);
    fake.add_topic(json::object{{"id", 77}, {"title", "Bulk topic"}, {"slug", "bulk-topic"}, {"category_id", 1}});
    TimeMs start = *parse_time("2026-02-01T00:00:00Z");
    for (int i = 0; i < 120; ++i) {
      std::string text = "Feedback number " + std::to_string(i) + " about exports.";
      fake.add_post(json::object{{"id", 70000 + i},
                                 {"name", "User"},
                                 {"username", "user" + std::to_string(i % 7)},
                                 {"avatar_template", "/letter_avatar_proxy/v4/letter/u/{size}.png"},
                                 {"created_at", format_time(start + i * 3'600'000LL + 123)},
                                 {"cooked", "<p>" + text + "</p>"},
                                 {"raw", text},
                                 {"like_count", i % 3},
                                 {"post_number", i + 1},
                                 {"topic_id", 77},
                                 {"topic_slug", "bulk-topic"},
                                 {"user_id", 500 + i % 7}});
    }
  }
};

TEST_F(DiscourseSyncLarge, CursorOnlyOnTheLastPage) {
  auto r = sync();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(fake.count("/search.json"), 4);  // 50 + 50 + 20, then an empty page
  EXPECT_EQ(fake.count_prefix("/posts/"), 120);
  ASSERT_EQ(sink.pages.size(), 3u);
  EXPECT_EQ(sink.pages[0].items.size(), 50u);
  EXPECT_EQ(sink.pages[1].items.size(), 50u);
  EXPECT_EQ(sink.pages[2].items.size(), 20u);
  EXPECT_FALSE(sink.pages[0].cursor);
  EXPECT_FALSE(sink.pages[1].cursor);
  std::string newest = format_time(*parse_time("2026-02-01T00:00:00Z") + 119 * 3'600'000LL + 123);
  EXPECT_EQ(sink.pages[2].cursor, newest);
  EXPECT_EQ(*r, newest);
  auto ids = ids_of(sink.items());
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST_F(DiscourseSyncLarge, SinkFailureStopsBeforeTheCursor) {
  sink.fail_at(2);
  auto r = sync();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unavailable);
  ASSERT_EQ(sink.pages.size(), 1u);
  EXPECT_TRUE(sink.cursors().empty());
}

}  // namespace
}  // namespace chorus::connectors
