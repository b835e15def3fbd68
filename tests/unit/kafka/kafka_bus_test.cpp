// The Kafka bus against librdkafka's mock cluster (3 brokers, the real protocol on loopback):
// order per key, commits and resumption, redelivery, independent groups, errors and health.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "bus/bus.hpp"
#include "bus/kafka/kafka_client.hpp"
#include "support/mock_cluster.hpp"

namespace chorus::bus {
namespace {

using namespace std::chrono_literals;
using testing::MockCluster;

class KafkaBusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = std::make_unique<MockCluster>(3); }
  static void TearDownTestSuite() { cluster_.reset(); }

  void SetUp() override {
    // Each test gets its own topics and groups through a prefix, on the one cluster of the suite.
    options_ = cluster_->options("t" + std::to_string(++test_number_) + ".");
    cluster_->create_topics(options_.topic_prefix, 4);
    auto bus = open_kafka_bus(options_);
    ASSERT_TRUE(bus.ok()) << bus.error().message;
    bus_ = std::move(bus).value();
  }

  std::unique_ptr<Consumer> subscribe(std::string_view topic, std::string_view group) {
    auto consumer = bus_->subscribe(topic, group);
    EXPECT_TRUE(consumer.ok()) << (consumer.ok() ? "" : consumer.error().message);
    return consumer.ok() ? std::move(consumer).value() : nullptr;
  }

  void publish(std::string_view topic, std::string key, std::string payload) {
    Status s = bus_->publish(topic, std::move(key), std::move(payload));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  // Polls until `n` messages arrived or `timeout` passed (a new group member needs a rebalance first).
  static std::vector<Message> poll_n(Consumer& consumer, std::size_t n, std::chrono::milliseconds timeout = 20s) {
    std::vector<Message> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      auto batch = consumer.poll(n - out.size(), 200ms);
      EXPECT_TRUE(batch.ok()) << (batch.ok() ? "" : batch.error().message);
      if (!batch.ok()) break;
      for (auto& m : *batch) out.push_back(std::move(m));
    }
    return out;
  }

  // Polls for `quiet` and returns whatever arrived: for checking that nothing (more) comes.
  static std::vector<Message> drain(Consumer& consumer, std::chrono::milliseconds quiet) {
    return poll_n(consumer, 1000, quiet);
  }

  static std::set<std::string> payload_set(const std::vector<Message>& messages) {
    std::set<std::string> out;
    for (const auto& m : messages) out.insert(m.payload);
    return out;
  }

  static inline std::unique_ptr<MockCluster> cluster_;
  static inline int test_number_ = 0;
  KafkaOptions options_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(KafkaBusTest, EachKeyStaysInOrderOnOnePartition) {
  const std::vector<std::string> keys{"1", "2", "3", "17", "42"};
  constexpr int kPerKey = 12;
  for (int i = 0; i < kPerKey; ++i) {
    std::vector<OutgoingMessage> batch;
    for (const auto& k : keys) batch.push_back({k, k + ":" + std::to_string(i)});
    ASSERT_TRUE(bus_->publish(kRawItems, batch).ok());
  }
  publish(kFetchRequests, "1", "another topic");

  auto consumer = subscribe(kRawItems, "parser");
  TimeMs before = now_ms();
  auto messages = poll_n(*consumer, keys.size() * kPerKey);
  ASSERT_EQ(messages.size(), keys.size() * kPerKey);
  std::map<std::string, std::vector<int>> seen;
  std::map<std::string, std::int32_t> partition_of;
  std::map<std::int32_t, std::int64_t> last_offset;
  std::set<std::int32_t> partitions;
  for (const auto& m : messages) {
    EXPECT_EQ(m.topic, kRawItems);  // the logical name, without the prefix
    ASSERT_EQ(m.payload.substr(0, m.key.size() + 1), m.key + ":");
    seen[m.key].push_back(std::stoi(m.payload.substr(m.key.size() + 1)));
    auto [it, fresh] = partition_of.emplace(m.key, m.partition);
    EXPECT_EQ(it->second, m.partition) << "key " << m.key << " moved between partitions";
    if (last_offset.contains(m.partition)) {
      EXPECT_GT(m.offset, last_offset[m.partition]);
    }
    last_offset[m.partition] = m.offset;
    partitions.insert(m.partition);
    EXPECT_GT(m.appended_at, before - 60'000);
    EXPECT_LE(m.appended_at, now_ms());
  }
  for (const auto& k : keys) {
    std::vector<int> expected(kPerKey);
    for (int i = 0; i < kPerKey; ++i) expected[i] = i;
    EXPECT_EQ(seen[k], expected) << "key " << k;
  }
  EXPECT_GT(partitions.size(), 1u) << "five keys all landed on one of four partitions";
  EXPECT_TRUE(drain(*consumer, 500ms).empty());  // a consumer never returns a message twice
}

TEST_F(KafkaBusTest, PollReturnsAtMostMax) {
  for (int i = 0; i < 10; ++i) publish(kRawItems, "7", std::to_string(i));
  auto consumer = subscribe(kRawItems, "parser");
  auto first = poll_n(*consumer, 3);
  ASSERT_EQ(first.size(), 3u);
  auto batch = consumer->poll(4, 5s);
  ASSERT_TRUE(batch.ok());
  EXPECT_LE(batch->size(), 4u);
  EXPECT_FALSE(batch->empty());
}

TEST_F(KafkaBusTest, NewConsumerResumesAfterTheCommittedBatch) {
  // Several keys, so the committed batch spans partitions.
  for (int i = 0; i < 20; ++i) publish(kRawItems, std::to_string(i % 5), std::to_string(i));
  std::set<std::string> rest;
  {
    auto consumer = subscribe(kRawItems, "parser");
    auto messages = poll_n(*consumer, 20);
    ASSERT_EQ(messages.size(), 20u);
    ASSERT_TRUE(consumer->commit(messages[11]).ok());  // done with the first 12 returned, in every partition
    for (std::size_t i = 12; i < messages.size(); ++i) rest.insert(messages[i].payload);
  }
  auto consumer = subscribe(kRawItems, "parser");
  auto again = poll_n(*consumer, rest.size());
  EXPECT_EQ(payload_set(again), rest);
  EXPECT_EQ(again.size(), rest.size());
  EXPECT_TRUE(drain(*consumer, 500ms).empty());
}

TEST_F(KafkaBusTest, UncommittedMessagesAreRedelivered) {
  for (int i = 0; i < 6; ++i) publish(kRawItems, std::to_string(i), std::to_string(i));
  {
    auto first = subscribe(kRawItems, "parser");
    ASSERT_EQ(poll_n(*first, 6).size(), 6u);
  }  // "crashed" before committing anything
  auto second = subscribe(kRawItems, "parser");
  EXPECT_EQ(payload_set(poll_n(*second, 6)), (std::set<std::string>{"0", "1", "2", "3", "4", "5"}));
}

TEST_F(KafkaBusTest, GroupsAreIndependent) {
  for (int i = 0; i < 4; ++i) publish(kFeedbackRecords, std::to_string(i), std::to_string(i));
  {
    auto reports = subscribe(kFeedbackRecords, "reports");
    auto messages = poll_n(*reports, 4);
    ASSERT_EQ(messages.size(), 4u);
    ASSERT_TRUE(reports->commit(messages.back()).ok());
  }
  auto api = subscribe(kFeedbackRecords, "api");
  EXPECT_EQ(poll_n(*api, 4).size(), 4u);  // the other group's commit does not move this one
  auto reports = subscribe(kFeedbackRecords, "reports");
  EXPECT_TRUE(drain(*reports, 4s).empty());
}

TEST_F(KafkaBusTest, CommitChecksTheTopicAndNeverMovesBackwards) {
  for (int i = 0; i < 4; ++i) publish(kRawItems, "9", std::to_string(i));
  {
    auto consumer = subscribe(kRawItems, "parser");
    auto messages = poll_n(*consumer, 4);
    ASSERT_EQ(messages.size(), 4u);
    ASSERT_TRUE(consumer->commit(messages[2]).ok());
    ASSERT_TRUE(consumer->commit(messages[0]).ok());  // late and older: ignored
    Message foreign = messages[0];
    foreign.topic = std::string(kFetchRequests);
    Status wrong = consumer->commit(foreign);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::bad_request);
  }
  auto consumer = subscribe(kRawItems, "parser");
  auto rest = poll_n(*consumer, 1);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].payload, "3");
}

TEST_F(KafkaBusTest, ConcurrentPublishersAllLand) {
  constexpr int kPublishers = 16, kEach = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kPublishers; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        if (!bus_->publish(kRawItems, std::to_string(t), std::to_string(t) + "-" + std::to_string(i)).ok()) ++failures;
    });
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  auto consumer = subscribe(kRawItems, "parser");
  auto messages = poll_n(*consumer, kPublishers * kEach);
  EXPECT_EQ(messages.size(), static_cast<std::size_t>(kPublishers * kEach));
  EXPECT_EQ(payload_set(messages).size(), static_cast<std::size_t>(kPublishers * kEach));  // exactly once each
}

// Asynchronous publishes return at once and are answered by their last delivery report, from the bus's own
// thread; many in flight together all land, once each.
TEST_F(KafkaBusTest, AsyncPublishesAreAnsweredByTheirDeliveryReports) {
  constexpr int kPublishes = 200;
  std::mutex mu;
  std::condition_variable answered;
  int ok = 0, failed = 0;
  const auto caller = std::this_thread::get_id();
  std::atomic<int> answered_on_caller{0};
  for (int i = 0; i < kPublishes; ++i) {
    std::vector<OutgoingMessage> messages{{std::to_string(i % 7), "a-" + std::to_string(i)},
                                          {std::to_string(i % 7), "b-" + std::to_string(i)}};
    bus_->publish_async(kRawItems, std::move(messages), [&](Status s) {
      if (std::this_thread::get_id() == caller) ++answered_on_caller;
      std::lock_guard lock(mu);
      (s.ok() ? ok : failed) += 1;
      answered.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(answered.wait_for(lock, 30s, [&] { return ok + failed == kPublishes; }));
    EXPECT_EQ(failed, 0);
  }
  EXPECT_LT(answered_on_caller.load(), kPublishes);  // not simply published on the calling thread
  auto messages = poll_n(*subscribe(kRawItems, "parser"), 2 * kPublishes);
  EXPECT_EQ(payload_set(messages).size(), static_cast<std::size_t>(2 * kPublishes));

  Status empty_topic;
  bus_->publish_async("", {{"k", "v"}}, [&](Status s) { empty_topic = std::move(s); });
  ASSERT_FALSE(empty_topic.ok());
  EXPECT_EQ(empty_topic.error().code, ErrorCode::bad_request);
}

TEST_F(KafkaBusTest, AsyncPublishReportsUndeliverableMessages) {
  KafkaOptions quick = options_;
  quick.config["producer.message.timeout.ms"] = "1500";
  auto bus = open_kafka_bus(quick);
  ASSERT_TRUE(bus.ok()) << bus.error().message;
  for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_down(cluster_->get(), b);
  std::promise<Status> answer;
  (*bus)->publish_async(kRawItems, {{"1", "x"}, {"1", "y"}}, [&](Status s) { answer.set_value(std::move(s)); });
  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(20s), std::future_status::ready);
  for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_up(cluster_->get(), b);
  Status s = future.get();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::unavailable);
}

// librdkafka's mock cluster creates any topic a producer names, so what a real cluster would refuse is
// checked where Chorus decides it: the clients' configuration.
TEST(KafkaConfig, ProductionClientsAreDurableAndNeverCreateTopics) {
  KafkaOptions options;
  options.brokers = "127.0.0.1:9092";
  options.config["consumer.session.timeout.ms"] = "3000";
  options.config["producer.linger.ms"] = "20";
  auto get = [](rd_kafka_conf_t* conf, const char* key) {
    char value[256];
    std::size_t size = sizeof value;
    EXPECT_EQ(rd_kafka_conf_get(conf, key, value, &size), RD_KAFKA_CONF_OK) << key;
    return std::string(value);
  };
  auto producer = kafka::make_conf(options, kafka::Role::producer);
  ASSERT_TRUE(producer.ok());
  EXPECT_EQ(get(producer->get(), "enable.idempotence"), "true");
  EXPECT_EQ(get(producer->get(), "acks"), "-1");  // all in-sync replicas
  EXPECT_EQ(get(producer->get(), "allow.auto.create.topics"), "false");
  EXPECT_EQ(get(producer->get(), "linger.ms"), "20");
  EXPECT_NE(get(producer->get(), "session.timeout.ms"), "3000");  // a consumer setting stays with consumers
  auto consumer = kafka::make_conf(options, kafka::Role::consumer);
  ASSERT_TRUE(consumer.ok());
  EXPECT_EQ(get(consumer->get(), "enable.auto.commit"), "false");
  EXPECT_EQ(get(consumer->get(), "enable.auto.offset.store"), "false");
  EXPECT_EQ(get(consumer->get(), "allow.auto.create.topics"), "false");
  EXPECT_EQ(get(consumer->get(), "auto.offset.reset"), "smallest");
  EXPECT_EQ(get(consumer->get(), "session.timeout.ms"), "3000");
  EXPECT_NE(get(consumer->get(), "linger.ms"), "20");
}

TEST_F(KafkaBusTest, PublishReportsUndeliverableMessages) {
  KafkaOptions quick = options_;
  quick.config["producer.message.timeout.ms"] = "1500";
  auto bus = open_kafka_bus(quick);
  ASSERT_TRUE(bus.ok()) << bus.error().message;
  // Every broker down: nothing can be acknowledged, and publish must say so rather than return ok.
  for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_down(cluster_->get(), b);
  Status s = (*bus)->publish(kRawItems, "1", "x");
  for (int b = 1; b <= 3; ++b) rd_kafka_mock_broker_set_up(cluster_->get(), b);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::unavailable);
  // Back up: the default delivery timeout covers the clients' reconnection backoff.
  Status after = bus_->publish(kRawItems, "1", "y");
  EXPECT_TRUE(after.ok()) << after.error().message;
}

TEST_F(KafkaBusTest, HealthReportsBrokersAndLag) {
  for (int i = 0; i < 5; ++i) publish(kRawItems, "3", std::to_string(i));
  auto consumer = subscribe(kRawItems, "parser");
  auto messages = poll_n(*consumer, 5);
  ASSERT_EQ(messages.size(), 5u);
  ASSERT_TRUE(consumer->commit(messages[2]).ok());
  json::object health = bus_->health();
  EXPECT_EQ(bus_->kind(), "kafka");
  EXPECT_EQ(health.at("kind").as_string(), "kafka");
  EXPECT_TRUE(health.at("ok").as_bool()) << json::serialize(health);
  EXPECT_EQ(health.at("brokers_up").to_number<int>(), 3);
  const auto& group = health.at("topics").at("raw.items").at("groups").at("parser").as_object();
  EXPECT_EQ(group.at("lag").to_number<std::int64_t>(), 2) << json::serialize(health);
}

TEST_F(KafkaBusTest, BadOptionsAreRefused) {
  KafkaOptions none;
  EXPECT_EQ(open_kafka_bus(none).error().code, ErrorCode::bad_request);
  KafkaOptions bad = options_;
  bad.config["no.such.setting"] = "1";
  auto opened = open_kafka_bus(bad);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("no.such.setting"), std::string::npos);
  EXPECT_FALSE(bus_->subscribe(kRawItems, "").ok());
  EXPECT_EQ(bus_->publish("", "k", "v").error().code, ErrorCode::bad_request);
}

TEST(KafkaConfig, ParsesKeyValueLists) {
  auto parsed = parse_kafka_config(" linger.ms=10, consumer.session.timeout.ms=3000 ,,");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->size(), 2u);
  EXPECT_EQ(parsed->at("linger.ms"), "10");
  EXPECT_EQ(parsed->at("consumer.session.timeout.ms"), "3000");
  EXPECT_FALSE(parse_kafka_config("linger.ms").ok());
  EXPECT_FALSE(parse_kafka_config("=1").ok());
}

TEST(KafkaBusUnreachable, OpeningFailsWhenNoBrokerAnswers) {
  KafkaOptions options;
  options.brokers = "127.0.0.1:1";
  options.config["socket.connection.setup.timeout.ms"] = "1000";
  auto start = std::chrono::steady_clock::now();
  auto bus = open_kafka_bus(options);
  ASSERT_FALSE(bus.ok());
  EXPECT_EQ(bus.error().code, ErrorCode::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
}

}  // namespace
}  // namespace chorus::bus
