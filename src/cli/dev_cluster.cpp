// chorus dev-cluster: librdkafka's mock Kafka cluster on loopback, for running the multi-process
// deployment on one machine. It prints its bootstrap address and runs until SIGINT or SIGTERM.
// Limits: everything lives in memory; consumer groups rebalance slowly unless clients use a low
// session.timeout.ms (3000 works well); keep volumes small.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "bus/bus.hpp"
#include "cli/commands.hpp"

namespace chorus::cli {

namespace {

struct DevCluster {
  int brokers = 3;
  int partitions = 4;
  std::string topic_prefix;
};

struct DestroyHandle {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct DestroyMock {
  void operator()(rd_kafka_mock_cluster_t* c) const { rd_kafka_mock_cluster_destroy(c); }
};

void quiet(const rd_kafka_t*, int, const char*, const char*) {}

int dev_cluster(const DevCluster& args) {
  if (args.brokers < 1) return fail("--brokers must be at least 1", 2);
  if (args.partitions < 1) return fail("--partitions must be at least 1", 2);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The mock cluster needs a client handle for its bookkeeping; this one never connects anywhere.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, quiet);
  char err[512];
  std::unique_ptr<rd_kafka_t, DestroyHandle> owner(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
  if (!owner) {
    rd_kafka_conf_destroy(conf);
    return fail(std::string("cannot start the mock cluster: ") + err);
  }
  std::unique_ptr<rd_kafka_mock_cluster_t, DestroyMock> cluster(rd_kafka_mock_cluster_new(owner.get(), args.brokers));
  if (!cluster) return fail("cannot start the mock cluster");
  // The mock cluster does not implement CreateTopics, so it creates Chorus's topics itself.
  int replication = std::min(args.brokers, 3);
  for (auto topic : bus::kAllTopics) {
    std::string name = args.topic_prefix + std::string(topic);
    if (auto e = rd_kafka_mock_topic_create(cluster.get(), name.c_str(), args.partitions, replication); e)
      return fail("cannot create " + name + ": " + rd_kafka_err2str(e));
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster.get()));
  std::fflush(stdout);
  std::fprintf(stderr,
               "chorus dev-cluster: %d brokers; topics %s* with %d partitions; stop with Ctrl-C\n"
               "  use it with: chorus serve --bus kafka --kafka-brokers %s\n"
               "  and CHORUS_KAFKA_CONFIG=consumer.session.timeout.ms=3000,consumer.heartbeat.interval.ms=500\n",
               args.brokers, args.topic_prefix.c_str(), args.partitions, rd_kafka_mock_cluster_bootstraps(cluster.get()));
  int sig = 0;
  sigwait(&signals, &sig);
  return 0;
}

}  // namespace

void add_dev_cluster(CLI::App& app, Commands& commands) {
  auto* cmd = app.add_subcommand("dev-cluster",
                                 "Run librdkafka's mock Kafka cluster on loopback and print its bootstrap address");
  auto args = std::make_shared<DevCluster>();
  cmd->add_option("--brokers", args->brokers, "Number of brokers")->capture_default_str();
  cmd->add_option("--partitions", args->partitions, "Partitions of each Chorus topic")->capture_default_str();
  cmd->add_option("--topic-prefix", args->topic_prefix, "Prefix for every topic")->envname("CHORUS_KAFKA_TOPIC_PREFIX");
  cmd->footer("\nExample:\n  chorus dev-cluster --brokers 3 > brokers.txt &\n"
              "  chorus serve --roles parser --bus kafka --kafka-brokers $(cat brokers.txt) --store postgres ...");
  cmd->callback([args, &commands] { commands.exit_code = dev_cluster(*args); });
}

}  // namespace chorus::cli
