// The fetcher role's source health with the real store, bus and parser: a source that keeps failing is
// paused by its circuit breaker (and a probe after the cool-down brings it back), and a scheduled
// source that keeps bringing nothing is marked stale.
#include <gtest/gtest.h>

#include "api/metrics.hpp"
#include "api/sync_request.hpp"
#include "bus/bus.hpp"
#include "core/secrets.hpp"
#include "integration/harness.hpp"
#include "roles/roles.hpp"
#include "store/store.hpp"
#include "support/fake_discourse.hpp"

namespace chorus::testing {
namespace {

using std::chrono::milliseconds;

class FetcherHealth : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("fetcher-health");
    auto store = store::open_sqlite_store(dir_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store.value());
    auto bus = bus::open_embedded_bus(dir_);
    ASSERT_TRUE(bus) << bus.error().message;
    bus_ = std::move(bus.value());
    auto customer = store_->create_customer("Acme", "hash-of-a-key");
    ASSERT_TRUE(customer);
    customer_ = customer->id;
    auto ws = store_->create_workspace(customer_, "Notes app");
    ASSERT_TRUE(ws);
    workspace_ = ws->id;
  }
  void TearDown() override {
    if (fetcher_) fetcher_->stop();
    if (parser_) parser_->stop();
    fetcher_.reset();
    parser_.reset();
    bus_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The fake forum is on loopback, which the fetcher refuses unless told otherwise.
  void start_roles(roles::FetcherOptions options, std::string_view egress_allow = "127.0.0.0/8") {
    options.egress = ingest::EgressPolicy::with_allowed(egress_allow).value();
    roles::RoleDeps deps{*store_, *bus_, box_, metrics_};
    parser_ = std::make_unique<roles::ParserRole>(deps);
    fetcher_ = std::make_unique<roles::FetcherRole>(deps, options);
    parser_->start();
    fetcher_->start();
  }

  store::Source forum_source(const std::string& base_url, std::optional<std::int64_t> every_s = {}) {
    store::Source s;
    s.workspace_id = workspace_;
    s.customer_id = customer_;
    s.type = "discourse";
    s.name = "Community forum";
    s.config = json::object{{"base_url", base_url}, {"query", ""}, {"max_pages", 5}, {"concurrency", 2}};
    s.schedule_every_s = every_s;
    s.sealed_secrets = box_.seal(R"({"credentials":{"api_key":"forum-key-1","api_username":"system"}})");
    auto created = store_->create_source(s);
    EXPECT_TRUE(created) << created.error().message;
    return created.value();
  }

  store::Sync sync_and_wait(const store::Source& source) {
    auto queued = api::request_sync(*store_, *bus_, source);
    EXPECT_TRUE(queued) << queued.error().message;
    store::Sync last;
    EXPECT_TRUE(eventually([&] {
      auto s = store_->get_sync(workspace_, queued->id);
      if (s) last = *s;
      return s && (s->state == "done" || s->state == "failed");
    }));
    return last;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<bus::Bus> bus_;
  SecretBox box_ = SecretBox::from_raw_key(std::string(32, 'k'));
  api::Metrics metrics_;
  Id customer_ = 0, workspace_ = 0;
  std::unique_ptr<roles::ParserRole> parser_;
  std::unique_ptr<roles::FetcherRole> fetcher_;
};

TEST_F(FetcherHealth, RepeatedFailuresPauseTheSourceUntilAProbeSucceeds) {
  FakeDiscourse forum;
  forum.require_credentials("another-key", "system");  // every request is refused with 403
  roles::FetcherOptions options;
  options.schedule_tick = milliseconds(50);
  options.breaker.failure_threshold = 2;
  options.breaker.cool_down = milliseconds(600);
  start_roles(options);
  store::Source source = forum_source(forum.base_url());

  for (int i = 0; i < 2; ++i) {
    auto s = sync_and_wait(source);
    EXPECT_EQ(s.state, "failed");
    EXPECT_NE(s.error.value_or("").find("403"), std::string::npos) << s.error.value_or("");
  }
  EXPECT_EQ(forum.count("/search.json"), 2);

  // Open: the third sync fails at once, says why and until when, and never reaches the forum.
  auto paused = sync_and_wait(source);
  EXPECT_EQ(paused.state, "failed");
  std::string why = paused.error.value_or("");
  EXPECT_TRUE(why.starts_with("paused after 2 failed syncs in a row; the next attempt goes ahead after ")) << why;
  EXPECT_NE(why.find("403 Forbidden"), std::string::npos) << why;  // the last real error is kept
  EXPECT_EQ(forum.count("/search.json"), 2);
  EXPECT_EQ(fetcher_->health().at("paused_sources"), json::value(1));
  // (Not the state: request_sync marks the source queued after publishing, so a sync refused this fast
  // can leave "queued" behind; last_error is what the user reads.)
  auto status = store_->get_source(workspace_, source.id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status.last_error, why);

  // After the cool-down one probe goes; it succeeds and the source is back.
  forum.require_credentials("forum-key-1", "system");
  std::this_thread::sleep_for(milliseconds(650));
  auto probe = sync_and_wait(source);
  EXPECT_EQ(probe.state, "done") << probe.error.value_or("");
  EXPECT_EQ(forum.count("/search.json"), 3);
  EXPECT_EQ(fetcher_->health().at("paused_sources"), json::value(0));
  EXPECT_EQ(sync_and_wait(source).state, "done");
}

// A customer's source aimed at the server's own neighbourhood: by default the sync fails with the reason
// and the forum never hears of it.
TEST_F(FetcherHealth, ASourceOnLoopbackIsRefusedByDefault) {
  FakeDiscourse forum;
  start_roles(roles::FetcherOptions{}, "");
  store::Source source = forum_source(forum.base_url());
  auto s = sync_and_wait(source);
  EXPECT_EQ(s.state, "failed");
  std::string why = s.error.value_or("");
  EXPECT_NE(why.find("refused by the egress policy: 127.0.0.1 is a loopback address"), std::string::npos) << why;
  EXPECT_NE(why.find("--egress-allow"), std::string::npos) << why;
  EXPECT_EQ(why.find("forum-key-1"), std::string::npos) << "no credentials in the reason";
  EXPECT_EQ(forum.count("/search.json"), 0);
}

TEST_F(FetcherHealth, AScheduledSourceThatBringsNothingBecomesStale) {
  FakeDiscourse forum;  // an empty forum: every sync succeeds with nothing
  roles::FetcherOptions options;
  options.schedule_tick = milliseconds(50);
  options.stale_after_intervals = 2;
  start_roles(options);
  store::Source quiet = forum_source(forum.base_url(), 1);
  store::Source unscheduled = forum_source(forum.base_url());
  ASSERT_EQ(sync_and_wait(unscheduled).state, "done");

  std::string state;
  EXPECT_TRUE(eventually(
      [&] {
        auto s = store_->get_source(workspace_, quiet.id);
        state = s ? s->status.state : "";
        return state == "stale";
      },
      milliseconds(15000)))
      << "last state: " << state;
  EXPECT_GE(forum.count("/search.json"), 2);  // it kept being synced on schedule
  auto other = store_->get_source(workspace_, unscheduled.id);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status.state, "ok");  // without a schedule there is no expectation to miss
}

}  // namespace
}  // namespace chorus::testing
