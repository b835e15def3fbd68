// The Kafka commands of the chorus binary: `kafka init-topics` and `dev-cluster`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "support/mock_cluster.hpp"

namespace chorus::bus {
namespace {

using namespace std::chrono_literals;
using chorus::testing::MockCluster;

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child spawn(const std::vector<std::string>& args) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fdopen(fds[0], "r")};
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs the binary to completion: exit code and stdout.
std::pair<int, std::string> run(const std::vector<std::string>& args) {
  Child c = spawn(args);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, c.out)) > 0) out.append(buf, n);
  std::fclose(c.out);
  return {wait_exit(c.pid), out};
}

TEST(KafkaInitTopics, CreatesEveryTopicOnceAndIsIdempotent) {
  MockCluster cluster(3);
  const std::string prefix = "init.";
  for (auto topic : kAllTopics) EXPECT_FALSE(cluster.topics().contains(prefix + std::string(topic)));

  auto [code, out] = run({CHORUS_BINARY, "kafka", "init-topics", "--kafka-brokers", cluster.bootstraps(),
                          "--partitions", "3", "--replication", "1", "--topic-prefix", prefix});
  ASSERT_EQ(code, 0) << out;
  auto topics = cluster.topics();
  for (auto topic : kAllTopics) {
    std::string name = prefix + std::string(topic);
    EXPECT_TRUE(topics.contains(name)) << name;
    EXPECT_NE(out.find(name), std::string::npos) << out;
  }
  EXPECT_NE(out.find("created"), std::string::npos) << out;

  // The producer refuses to create topics, so a publish succeeding proves the topic is really there.
  KafkaOptions options = cluster.options(prefix);
  auto bus = open_kafka_bus(options);
  ASSERT_TRUE(bus.ok()) << bus.error().message;
  EXPECT_TRUE((*bus)->publish(kRawItems, "1", "x").ok());

  auto [again_code, again] = run({CHORUS_BINARY, "kafka", "init-topics", "--kafka-brokers", cluster.bootstraps(),
                                  "--partitions", "3", "--topic-prefix", prefix});
  EXPECT_EQ(again_code, 0) << again;
  EXPECT_EQ(again.find("created"), std::string::npos) << again;
  EXPECT_NE(again.find("exists"), std::string::npos) << again;
}

// No broker listens on port 1: the client library logs each failed connection, on stderr, and stdout holds
// nothing but what the command prints (the topics, when it can reach them).
TEST(KafkaInitTopics, TheClientLibrarysLogGoesToStderrNotTheOutput) {
  auto [code, out] =
      run({CHORUS_BINARY, "kafka", "init-topics", "--kafka-brokers", "127.0.0.1:1", "--partitions", "1"});
  EXPECT_EQ(code, 1);
  EXPECT_EQ(out, "");
}

TEST(KafkaInitTopics, BadUsageExitsTwo) {
  EXPECT_EQ(run({CHORUS_BINARY, "kafka", "init-topics"}).first, 2);
  EXPECT_EQ(run({CHORUS_BINARY, "kafka", "init-topics", "--kafka-brokers", "127.0.0.1:1", "--partitions", "0"}).first, 2);
}

TEST(DevCluster, PrintsBootstrapsServesTheTopicsAndStopsOnSigterm) {
  Child child = spawn({CHORUS_BINARY, "dev-cluster", "--brokers", "3", "--partitions", "5"});
  char line[1024] = {0};
  ASSERT_NE(std::fgets(line, sizeof line, child.out), nullptr);
  std::string brokers(line);
  while (!brokers.empty() && (brokers.back() == '\n' || brokers.back() == '\r')) brokers.pop_back();
  ASSERT_EQ(std::count(brokers.begin(), brokers.end(), ','), 2) << brokers;

  auto topics = MockCluster::list_topics(brokers);
  for (auto topic : kAllTopics) EXPECT_EQ(topics[std::string(topic)], 5) << topic;

  KafkaOptions options;
  options.brokers = brokers;
  options.config["consumer.session.timeout.ms"] = "3000";
  options.config["consumer.heartbeat.interval.ms"] = "500";
  auto bus = open_kafka_bus(options);
  ASSERT_TRUE(bus.ok()) << bus.error().message;
  ASSERT_TRUE((*bus)->publish(kFetchRequests, "1", "hello").ok());
  auto consumer = (*bus)->subscribe(kFetchRequests, "fetcher");
  ASSERT_TRUE(consumer.ok());
  std::vector<Message> got;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (got.empty() && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*consumer)->poll(10, 200ms);
    ASSERT_TRUE(batch.ok());
    got = std::move(batch).value();
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "hello");
  consumer->reset();
  bus->reset();

  kill(child.pid, SIGTERM);
  EXPECT_EQ(wait_exit(child.pid), 0);
  std::fclose(child.out);
}

}  // namespace
}  // namespace chorus::bus
