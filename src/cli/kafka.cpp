// chorus kafka init-topics: create Chorus's topics on a Kafka cluster with chosen partitions.
#include <cstdio>
#include <cstdlib>

#include "bus/bus.hpp"
#include "cli/commands.hpp"

namespace chorus::cli {

namespace {

struct InitTopics {
  bus::KafkaOptions options;
  std::string config;
  int partitions = 6;
  int replication = 3;
};

int init_topics(InitTopics& args) {
  if (args.options.brokers.empty()) return fail("--kafka-brokers is required (host:port,...)", 2);
  auto extra = bus::parse_kafka_config(args.config);
  if (!extra) return fail(extra.error().message, 2);
  args.options.config = std::move(extra).value();
  auto report = bus::create_kafka_topics(args.options, args.partitions, args.replication);
  if (!report) return fail(report.error().message, report.error().code == ErrorCode::bad_request ? 2 : 1);
  for (const auto& t : *report) {
    std::printf("%-32s partitions=%-4d %s\n", t.name.c_str(), t.partitions, t.created ? "created" : "exists");
    if (!t.note.empty()) std::fprintf(stderr, "chorus: note: %s: %s\n", t.name.c_str(), t.note.c_str());
  }
  return 0;
}

}  // namespace

void add_kafka(CLI::App& app, Commands& commands) {
  auto* kafka = app.add_subcommand("kafka", "Kafka administration for the scale-out deployment");
  kafka->require_subcommand(1);
  auto* cmd = kafka->add_subcommand("init-topics", "Create the topics Chorus uses (existing ones are left alone)");
  auto args = std::make_shared<InitTopics>();
  cmd->add_option("--kafka-brokers", args->options.brokers, "Bootstrap servers, host:port,...")
      ->envname("CHORUS_KAFKA_BROKERS");
  cmd->add_option("--partitions", args->partitions, "Partitions per topic: the most parsers that can work at once")
      ->capture_default_str();
  cmd->add_option("--replication", args->replication, "Replication factor (3 for production clusters)")
      ->capture_default_str();
  cmd->add_option("--topic-prefix", args->options.topic_prefix, "Prefix for every topic, e.g. prod.")
      ->envname("CHORUS_KAFKA_TOPIC_PREFIX");
  cmd->add_option("--kafka-config", args->config, "Extra librdkafka settings, key=value,...")
      ->envname("CHORUS_KAFKA_CONFIG");
  cmd->footer("\nExamples:\n  chorus kafka init-topics --kafka-brokers kafka-1:9092,kafka-2:9092 --partitions 12\n"
              "  chorus kafka init-topics --kafka-brokers $(chorus dev-cluster ...) --partitions 4 --replication 1");
  cmd->callback([args, &commands] { commands.exit_code = init_topics(*args); });
}

}  // namespace chorus::cli
