// One meaning per setting on every path, end to end over real HTTP: the recorded GitHub issues page (7 of
// its 30 items are pull requests) synced from the fake API, pushed, and delivered by signed webhooks to
// sources whose include_pull_requests is off; and a Discourse post that is only embeds, which is never a
// record on any path and is counted in the sync's skipped_reasons.
#include "core/secrets.hpp"
#include "integration/harness.hpp"
#include "support/fake_discourse.hpp"
#include "support/fake_github.hpp"

namespace chorus::testing {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES);
const std::filesystem::path kGitHubRecorded = kFixtures / "github" / "recorded";
constexpr const char* kRepo = "openframeworks/openFrameworks";
constexpr const char* kSecret = "recorded-flow-secret";

class RecordedFlow : public WorkspaceFixture {
 protected:
  std::int64_t record_count(const std::string& src) {
    auto r = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=100&source=" + src, key_);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.status == 200 ? static_cast<std::int64_t>(r.body.at("items").as_array().size()) : -1;
  }

  std::vector<std::string> numbers(const std::string& src) {
    std::vector<std::string> out;
    auto r = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=100&source=" + src, key_);
    for (const auto& item : r.body.at("items").as_array()) out.push_back(str(item, "metadata_attributes.number"));
    return out;
  }

  Reply push(const std::string& src, const json::value& items) {
    return api().call("POST", "/v1/workspaces/" + ws_ + "/sources/" + src + "/items", key_, json::serialize(items));
  }

  Reply github_hook(const std::string& src, const std::string& event, const json::value& payload) {
    std::string body = json::serialize(payload);
    return api().call("POST", "/v1/hooks/" + src, "", body,
                      {{"X-GitHub-Event", event},
                       {"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"},
                       {"X-Hub-Signature-256", "sha256=" + to_hex(hmac_sha256_raw(kSecret, body))}});
  }

  Reply discourse_hook(const std::string& src, const json::value& payload) {
    std::string body = json::serialize(payload);
    return api().call("POST", "/v1/hooks/" + src, "", body,
                      {{"X-Discourse-Event", "post_created"},
                       {"X-Discourse-Event-Type", "post"},
                       {"X-Discourse-Event-Signature", "sha256=" + to_hex(hmac_sha256_raw(kSecret, body))}});
  }

  std::string github_source(const std::string& name, const std::string& base_url) {
    return add_source(json::object{
        {"type", "github"},
        {"name", name},
        {"config", json::object{{"repo", kRepo}, {"base_url", base_url}, {"include_comments", false}}},
        {"webhook", json::object{{"scheme", "github"}, {"secret", kSecret}}}});
  }
};

TEST_F(RecordedFlow, PullRequestsAreLeftOutAlikeOnSyncPushAndWebhook) {
  FakeGitHub github(kGitHubRecorded, kRepo, "1106185");
  github.set_max_per_page(10);
  const json::value page = read_fixture(kGitHubRecorded / "issues.json");
  ASSERT_EQ(page.as_array().size(), 30u);

  // Sync: all 30 are listed; the 7 pull requests are counted as skipped, by reason.
  std::string synced = github_source("synced", github.base_url());
  auto sync = sync_and_wait(synced);
  ASSERT_EQ(str(sync, "state"), "done") << json::serialize(sync);
  EXPECT_EQ(num(sync, "items"), 23);
  EXPECT_EQ(num(sync, "skipped"), 7);
  EXPECT_EQ(num(sync, "skipped_reasons.pull_request"), 7) << json::serialize(sync);
  EXPECT_EQ(record_count(synced), 23);

  // Push: the same page pushed as it came; the answer says what was left out and why.
  std::string pushed = github_source("pushed", github.base_url());
  auto accepted = push(pushed, page);
  ASSERT_EQ(accepted.status, 202) << accepted.raw;
  EXPECT_EQ(num(accepted.body, "accepted"), 23);
  EXPECT_EQ(num(accepted.body, "skipped"), 7);
  EXPECT_EQ(num(accepted.body, "skipped_reasons.pull_request"), 7) << accepted.raw;
  ASSERT_TRUE(eventually([&] { return record_count(pushed) == 23; })) << record_count(pushed);

  // Webhook: a real delivery about a pull request stores nothing; a real issue delivery stores its issue.
  std::string delivered = github_source("delivered", github.base_url());
  auto pr = github_hook(delivered, "issues", read_fixture(kGitHubRecorded / "webhook_issues_milestoned_pull_request.json"));
  EXPECT_EQ(pr.status, 202) << pr.raw;
  auto issue = github_hook(delivered, "issues", read_fixture(kGitHubRecorded / "webhook_issues_opened.json"));
  EXPECT_EQ(issue.status, 202) << issue.raw;
  ASSERT_TRUE(eventually([&] { return record_count(delivered) == 1; }));
  // The pull request's delivery went in first; once the issue is stored, the pull request was seen and left out.
  EXPECT_EQ(numbers(delivered), std::vector<std::string>{"1"});

  // Every path agrees: none of the seven pull requests is a record anywhere.
  for (const std::string& src : {synced, pushed})
    for (const std::string& n : numbers(src))
      for (const char* pull : {"6155", "6144", "6142", "6140", "6137", "6136", "6128"}) EXPECT_NE(n, pull) << src;

  // And the same setting turned on keeps them, on the push path too.
  auto on = add_source(json::object{
      {"type", "github"},
      {"name", "with pulls"},
      {"config", json::object{{"repo", kRepo}, {"include_pull_requests", true}, {"include_comments", false}}}});
  auto all = push(on, page);
  ASSERT_EQ(all.status, 202) << all.raw;
  EXPECT_EQ(num(all.body, "accepted"), 30);
  EXPECT_EQ(num(all.body, "skipped"), 0);
}

TEST_F(RecordedFlow, AnEmbedOnlyPostIsNeverARecordAndTheSyncSaysWhy) {
  FakeDiscourse forum(kFixtures / "discourse");
  const json::value embed_only = read_fixture(kFixtures / "discourse" / "post_embed_only.json");
  forum.add_post(embed_only.as_object());
  std::string src = add_source(json::object{
      {"type", "discourse"},
      {"name", "forum"},
      {"config", json::object{{"base_url", forum.base_url()}, {"query", ""}}},
      {"webhook", json::object{{"scheme", "discourse"}, {"secret", kSecret}}}});

  auto sync = sync_and_wait(src);
  ASSERT_EQ(str(sync, "state"), "done") << json::serialize(sync);
  EXPECT_EQ(num(sync, "skipped_reasons.no_text"), 1) << json::serialize(sync);
  EXPECT_EQ(num(sync, "skipped"), 1);
  const std::int64_t stored = record_count(src);
  EXPECT_EQ(num(sync, "items"), stored);
  auto one = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=100&source=" + src, key_);
  for (const auto& r : one.body.at("items").as_array())
    EXPECT_NE(str(r, "metadata_attributes.external_id"), "48299") << "the embed-only post became a record";

  // Pushed: refused as a record, reported in the answer.
  auto pushed = push(src, json::array{embed_only});
  ASSERT_EQ(pushed.status, 202) << pushed.raw;
  EXPECT_EQ(num(pushed.body, "accepted"), 0);
  EXPECT_EQ(num(pushed.body, "skipped_reasons.no_text"), 1) << pushed.raw;

  // Delivered by a signed post_created webhook with its cooked HTML: still no record. A text post in the
  // delivery after it lands, so once it is there the embed-only one has been through the parser.
  auto hook = discourse_hook(src, json::object{{"post", embed_only}});
  EXPECT_EQ(hook.status, 202) << hook.raw;
  json::object text_post = read_fixture(kFixtures / "discourse" / "posts.json").as_array()[0].as_object();
  text_post["id"] = 48300;
  text_post["cooked"] = "<p>The video shows it: sync hangs at 90% every time.</p>";
  EXPECT_EQ(discourse_hook(src, json::object{{"post", text_post}}).status, 202);
  ASSERT_TRUE(eventually([&] { return record_count(src) == stored + 1; })) << record_count(src);
  auto after = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=100&source=" + src, key_);
  for (const auto& r : after.body.at("items").as_array())
    EXPECT_NE(str(r, "metadata_attributes.external_id"), "48299");
  auto metrics = api().get("/metrics", "");
  EXPECT_NE(metrics.raw.find("chorus_items_skipped_total{reason=\"no_text\"}"), std::string::npos);
}

}  // namespace
}  // namespace chorus::testing
