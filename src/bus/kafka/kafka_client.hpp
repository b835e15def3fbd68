// RAII over the librdkafka C API and the client configuration every Chorus Kafka handle shares.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <string_view>

#include "bus/bus.hpp"

namespace chorus::bus::kafka {

struct DestroyHandle {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct DestroyConf {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct DestroyPartitions {
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
};
struct DestroyMessage {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
struct DestroyMetadata {
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
struct DestroyQueue {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct DestroyEvent {
  void operator()(rd_kafka_event_t* ev) const { rd_kafka_event_destroy(ev); }
};

using Handle = std::unique_ptr<rd_kafka_t, DestroyHandle>;
using Conf = std::unique_ptr<rd_kafka_conf_t, DestroyConf>;
using Partitions = std::unique_ptr<rd_kafka_topic_partition_list_t, DestroyPartitions>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, DestroyMessage>;
using Metadata = std::unique_ptr<const rd_kafka_metadata_t, DestroyMetadata>;
using Queue = std::unique_ptr<rd_kafka_queue_t, DestroyQueue>;
using Event = std::unique_ptr<rd_kafka_event_t, DestroyEvent>;

enum class Role { producer, consumer, admin };

// A configuration with Chorus's defaults for `role`, then the options' own properties. librdkafka's
// log lines go to spdlog.
Result<Conf> make_conf(const KafkaOptions& options, Role role);
Status set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);
// Creates the handle; on success it owns the configuration.
Result<Handle> make_handle(rd_kafka_type_t type, Conf conf);

// Broker errors that a retry, a reconnection or a rebalance resolves are `unavailable`.
Error kafka_error(rd_kafka_resp_err_t err, std::string_view context);

// The partition count of each existing topic on the cluster, read with a metadata request.
Result<std::map<std::string, int>> list_topics(rd_kafka_t* rk, int timeout_ms);

}  // namespace chorus::bus::kafka
