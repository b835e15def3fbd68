// Client configuration shared by the producer, the consumers and the admin client.
#include "bus/kafka/kafka_client.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <utility>

namespace chorus::bus::kafka {

namespace {

void log_line(const rd_kafka_t* /*rk*/, int level, const char* facility, const char* message) {
  // Syslog levels. librdkafka reports a broker it cannot reach as an error (3) and retries by itself,
  // so that is a warning here; what Chorus cannot recover from surfaces as an error value instead.
  if (level <= 2)
    spdlog::error("kafka {}: {}", facility, message);
  else if (level <= 4)
    spdlog::warn("kafka {}: {}", facility, message);
  else
    spdlog::debug("kafka {}: {}", facility, message);
}

using Defaults = std::initializer_list<std::pair<const char*, const char*>>;

// Durability first: the idempotent producer with acks=all never loses or reorders an acknowledged
// message. Publishers wait for acknowledgement, so linger is latency for each of them: 1 ms, because
// messages queued while a produce request is in flight share the next one anyway (group commit).
constexpr Defaults kProducerDefaults = {
    {"enable.idempotence", "true"}, {"acks", "all"},
    {"linger.ms", "1"},             {"message.timeout.ms", "15000"},
    // The same key -> partition mapping as the Java client, so other tools agree on placement.
    {"partitioner", "murmur2_random"},
};

// Offsets move only when a role says its work is durable; a new group reads the topic from the start.
constexpr Defaults kConsumerDefaults = {
    {"enable.auto.commit", "false"},   {"enable.auto.offset.store", "false"}, {"auto.offset.reset", "earliest"},
    {"session.timeout.ms", "10000"},   {"heartbeat.interval.ms", "3000"},
};

}  // namespace

Status set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  std::array<char, 512> err{};
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err.data(), err.size()) != RD_KAFKA_CONF_OK)
    return make_error(ErrorCode::bad_request, "kafka setting " + key + "=" + value + ": " + err.data());
  return {};
}

Result<Conf> make_conf(const KafkaOptions& options, Role role) {
  if (options.brokers.empty()) return make_error(ErrorCode::bad_request, "--kafka-brokers is required for --bus kafka");
  Conf conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), log_line);
  auto apply = [&](const std::string& k, const std::string& v) { return set(conf.get(), k, v); };
  if (auto s = apply("bootstrap.servers", options.brokers); !s) return s.error();
  if (auto s = apply("client.id", "chorus"); !s) return s.error();
  // Production clusters keep topics under an operator's control (`chorus kafka init-topics`).
  if (auto s = apply("allow.auto.create.topics", "false"); !s) return s.error();
  if (role == Role::producer)
    for (auto [k, v] : kProducerDefaults)
      if (auto s = apply(k, v); !s) return s.error();
  if (role == Role::consumer)
    for (auto [k, v] : kConsumerDefaults)
      if (auto s = apply(k, v); !s) return s.error();

  const std::string_view own = role == Role::producer ? "producer." : role == Role::consumer ? "consumer." : "admin.";
  for (const auto& [key, value] : options.config) {
    std::string_view k = key;
    if (k.starts_with(own)) {
      k.remove_prefix(own.size());
    } else if (k.starts_with("producer.") || k.starts_with("consumer.") || k.starts_with("admin.")) {
      continue;  // meant for another client
    }
    if (auto s = apply(std::string(k), value); !s) return s.error();
  }
  return conf;
}

Result<Handle> make_handle(rd_kafka_type_t type, Conf conf) {
  std::array<char, 512> err{};
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err.data(), err.size());
  if (!rk) return make_error(ErrorCode::bad_request, std::string("cannot create the Kafka client: ") + err.data());
  (void)conf.release();  // rd_kafka_new took ownership
  return Handle(rk);
}

Error kafka_error(rd_kafka_resp_err_t err, std::string_view context) {
  std::string message = std::string(context) + ": " + rd_kafka_err2str(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return make_error(ErrorCode::too_large, std::move(message));
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return make_error(ErrorCode::unavailable, message + " (create the topics with `chorus kafka init-topics`)");
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return make_error(ErrorCode::bad_request, std::move(message));
    default:
      return make_error(ErrorCode::unavailable, std::move(message));
  }
}

Result<std::map<std::string, int>> list_topics(rd_kafka_t* rk, int timeout_ms) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &raw, timeout_ms);
  if (err) return kafka_error(err, "cannot read the cluster's topics");
  Metadata md(raw);
  std::map<std::string, int> topics;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) topics[md->topics[i].topic] = md->topics[i].partition_cnt;
  return topics;
}

}  // namespace chorus::bus::kafka
