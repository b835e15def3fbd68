// Bus: the only channel between roles. Topics are append-only logs; each consumer group has its own
// committed position. Delivery is at-least-once; every consumer's work is idempotent.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace chorus::bus {

// The topics of DESIGN.md. Payloads are JSON documents (see src/roles/messages.hpp).
inline constexpr std::string_view kFetchRequests = "fetch.requests";
inline constexpr std::string_view kRawItems = "raw.items";
inline constexpr std::string_view kFeedbackRecords = "feedback.records";
inline constexpr std::string_view kDeadLetters = "dead.letters";

struct Message {
  std::string topic;
  std::string key;  // partitioning key: the workspace id, so a workspace stays ordered
  std::string payload;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  TimeMs appended_at = 0;
};

struct OutgoingMessage {
  std::string key;
  std::string payload;
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // Returns up to `max` messages after the last one this consumer returned (initially after the
  // group's committed position), waiting up to `wait` when none are ready. An empty vector is not an error.
  virtual Result<std::vector<Message>> poll(std::size_t max, std::chrono::milliseconds wait) = 0;
  // Records that the group is done with `last` and every message before it in its partition.
  // Call only after the work for those messages is durable. (The Kafka consumer also commits, in every
  // other partition, what this consumer returned before `last`: a handled batch is committed whole.)
  virtual Status commit(const Message& last) = 0;
};

// Where a consumer group stands on a topic (summed over partitions).
struct GroupPosition {
  std::int64_t committed = 0;  // messages the group is done with
  std::int64_t lag = 0;        // messages appended and not yet done
};

class Bus {
 public:
  virtual ~Bus() = default;
  // Appends durably: once this returns ok, the messages survive a crash or power loss.
  // Concurrent callers are committed together (one transaction and one sync per batch).
  virtual Status publish(std::string_view topic, std::span<const OutgoingMessage> messages) = 0;
  Status publish(std::string_view topic, std::string key, std::string payload) {
    OutgoingMessage m{std::move(key), std::move(payload)};
    return publish(topic, std::span<const OutgoingMessage>(&m, 1));
  }
  // The same append without waiting for it: `done` is called exactly once, with what publish would have
  // returned, once the messages are durable or have failed (possibly before this returns, on this thread, or
  // later on the bus's own thread; it must be quick and must not call back into the bus). This base version
  // publishes on the calling thread; the embedded bus queues the messages and answers when their batch commits.
  virtual void publish_async(std::string_view topic, std::vector<OutgoingMessage> messages,
                             std::function<void(Status)> done);
  virtual Result<std::unique_ptr<Consumer>> subscribe(std::string_view topic, std::string_view group) = 0;
  // Lag and state for /healthz and /metrics.
  virtual json::object health() = 0;
  // How far a group is behind on a topic, read from health() (topics.<topic>.groups.<group>); not_found when
  // the bus does not know the group (the Kafka bus knows only the groups consumed in this process).
  virtual Result<GroupPosition> group_position(std::string_view topic, std::string_view group);
  virtual std::string_view kind() const = 0;
};

// What the embedded bus keeps. A message is deleted once every consumer group registered on its topic has
// committed past it and it is older than `retention`; a topic that no group reads keeps every message. A group
// that joins later starts at the oldest message still kept.
struct EmbeddedBusOptions {
  std::optional<std::chrono::milliseconds> retention = std::chrono::hours(24 * 7);  // nullopt: keep everything
  // How often the writer looks for messages to delete, between batches; a long backlog of finished messages is
  // deleted a few thousand at a time, one slice after each batch, so publishers are never held up long.
  std::chrono::milliseconds trim_interval = std::chrono::seconds(10);
};

// The embedded bus: a SQLite database in WAL mode at <data_dir>/bus.db.
Result<std::unique_ptr<Bus>> open_embedded_bus(const std::filesystem::path& data_dir,
                                               const EmbeddedBusOptions& options = {});

// The scale-out bus: Apache Kafka through librdkafka.
struct KafkaOptions {
  std::string brokers;       // bootstrap servers, host:port,...
  std::string topic_prefix;  // prepended to every topic and consumer group ("prod." -> "prod.raw.items")
  // librdkafka properties applied after Chorus's own. A key prefixed "producer.", "consumer." or
  // "admin." applies to that client only (e.g. consumer.session.timeout.ms); any other key to all.
  std::map<std::string, std::string> config;
};

// Idempotent producer with acks=all: publish returns once every message is acknowledged by the
// in-sync replicas. One consumer group per role name; offsets are committed only by Consumer::commit.
// Topic auto-creation is off: create the topics first (create_kafka_topics, `chorus kafka init-topics`).
Result<std::unique_ptr<Bus>> open_kafka_bus(const KafkaOptions& options);

// Parses "key=value,key=value" (CHORUS_KAFKA_CONFIG) into KafkaOptions::config.
Result<std::map<std::string, std::string>> parse_kafka_config(std::string_view text);

// Every topic Chorus uses, without prefix.
inline constexpr std::string_view kAllTopics[] = {kFetchRequests, kRawItems, kFeedbackRecords, kDeadLetters};

struct TopicReport {
  std::string name;  // with the prefix
  int partitions = 0;
  bool created = false;  // false: it existed already
  std::string note;      // set when the cluster did not honour the requested partitions
};

// Creates the topics of kAllTopics that do not exist yet, with `partitions` partitions and the given
// replication factor; existing topics are left as they are. Idempotent.
Result<std::vector<TopicReport>> create_kafka_topics(const KafkaOptions& options, int partitions, int replication);

}  // namespace chorus::bus
