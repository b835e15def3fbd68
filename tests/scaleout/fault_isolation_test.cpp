// Fault isolation with every role its own process on Kafka (the dev-cluster) and PostgreSQL: the
// webhook keeps accepting while the parser is down, and nothing accepted is lost or counted twice
// when the parser stops, is killed mid-batch, or loses its database for a while.
#include <gtest/gtest.h>

#include "scaleout/cluster.hpp"

namespace chorus::testing {
namespace {

using namespace std::chrono_literals;

class FaultIsolation : public ::testing::Test {
 protected:
  void SetUp() override {
    postgres_ = PostgresServer::shared();
    ASSERT_NE(postgres_, nullptr);
    static int n = 0;
    cluster_ = std::make_unique<ScaleOutCluster>(*postgres_, "scaleout_" + std::to_string(getpid()) + "_" +
                                                                 std::to_string(++n));
    ASSERT_FALSE(cluster_->brokers().empty()) << "dev-cluster did not print its brokers";
    // The api process applies the schema; the others find it there.
    cluster_->start("api", "api");
    cluster_->start("webhook", "webhook");
    cluster_->start("reports", "reports");
    cluster_->start("parser", "parser");
    tenant_ = std::make_unique<DiscourseTenant>(cluster_->url("api"), cluster_->url("webhook"));
  }
  void TearDown() override {
    tenant_.reset();
    cluster_.reset();
  }

  void post_all(int from, int to) {
    for (int id = from; id < to; ++id) ASSERT_EQ(tenant_->post(id), 202) << "webhook for post " << id;
  }

  // Waits until posts [0, n) are stored and counted, then checks each is there exactly once.
  void expect_exactly_once(int n, std::chrono::seconds timeout = 90s) {
    bool arrived = eventually(
        [&] { return tenant_->stored_count() == static_cast<std::size_t>(n) && tenant_->reported_total() == n; },
        timeout);
    auto ids = tenant_->stored();
    EXPECT_TRUE(arrived) << ids.size() << " of " << n << " stored, reports count " << tenant_->reported_total();
    std::this_thread::sleep_for(1500ms);  // late duplicates would show up now
    ids = tenant_->stored();
    for (int id = 0; id < n; ++id) EXPECT_EQ(ids[std::to_string(id)].copies, 1) << "post " << id;
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(tenant_->reported_total(), n) << "the rollups counted an item twice or missed one";
    EXPECT_EQ(tenant_->items_total(), n) << "the source's item count is off";
  }

  PostgresServer* postgres_ = nullptr;
  std::unique_ptr<ScaleOutCluster> cluster_;
  std::unique_ptr<DiscourseTenant> tenant_;
};

TEST_F(FaultIsolation, WebhooksAreAcceptedWhileTheParserIsDownAndArriveOnceItReturns) {
  post_all(0, 5);
  expect_exactly_once(5);

  ASSERT_EQ(cluster_->stop("parser"), 0) << "the parser did not drain and exit cleanly";
  post_all(5, 30);  // every one still 202: the webhook role never waits on the parser
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(tenant_->stored_count(), 5u) << "something parsed the items while no parser ran";

  cluster_->start("parser", "parser");
  expect_exactly_once(30);
}

TEST_F(FaultIsolation, AParserKilledMidBatchLosesAndDuplicatesNothing) {
  ASSERT_EQ(cluster_->stop("parser"), 0);
  constexpr int kPosts = 80;
  post_all(0, kPosts);
  // SIGKILL a parser as soon as it has stored something new. "Mid-batch" means items are stored whose
  // offsets are not committed (Kafka's committed offset says so); until a kill lands there, again. A parser
  // stores a whole batch in one transaction, then publishes it and commits its offsets: its producer lingers
  // 300 ms here, so the publish, and with it the window between the store and the offsets, is long enough
  // for the kill to land in.
  std::size_t stored = 0;
  std::int64_t committed = 0;
  int kills = 0;
  for (; kills < 6; ++kills) {
    const std::size_t before = tenant_->stored_count();
    ASSERT_LT(before, static_cast<std::size_t>(kPosts)) << "the parsers finished before one could be killed mid-batch";
    cluster_->start("parser", "parser", "producer.linger.ms=300");
    ASSERT_TRUE(eventually([&] { return tenant_->stored_count() > before; }, 60s));
    EXPECT_EQ(cluster_->kill9("parser"), 128 + SIGKILL);
    stored = tenant_->stored_count();
    committed = cluster_->committed("parser", "raw.items");
    ASSERT_GE(committed, 0);
    if (static_cast<std::int64_t>(stored) > committed) break;
  }
  ASSERT_GT(static_cast<std::int64_t>(stored), committed) << "no kill landed mid-batch in " << kills << " tries";

  cluster_->start("parser", "parser");
  expect_exactly_once(kPosts);
  // Everything stored but not committed came back to the new parser and was stored again, as
  // revision 2 of the same record: redelivered, not duplicated.
  EXPECT_GE(tenant_->reprocessed(), static_cast<int>(static_cast<std::int64_t>(stored) - committed));
  std::printf("killed with %zu of %d stored and %lld committed; %d records were redelivered and upserted again\n",
              stored, kPosts, static_cast<long long>(committed), tenant_->reprocessed());
}

TEST_F(FaultIsolation, ThePostgresOutageIsRetriedWithoutLossOrDuplication) {
  post_all(0, 3);
  expect_exactly_once(3);

  // Freeze the parser so the next items wait for it in Kafka, then take the database away.
  cluster_->role("parser").signal(SIGSTOP);
  post_all(3, 23);
  ASSERT_TRUE(postgres_->stop());
  cluster_->role("parser").signal(SIGCONT);
  std::string retried = cluster_->role("parser").wait_for(R"(parser: batch failed, retrying[^\n]*)", 60s);
  EXPECT_NE(retried.find("PostgreSQL"), std::string::npos) << retried;
  std::this_thread::sleep_for(2s);  // a few more failed attempts
  ASSERT_TRUE(postgres_->start());

  expect_exactly_once(23);
  EXPECT_EQ(Api(cluster_->url("api")).get("/healthz", "").status, 200);
}

}  // namespace
}  // namespace chorus::testing
