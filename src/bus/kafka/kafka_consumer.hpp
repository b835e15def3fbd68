// A Kafka consumer in one role's consumer group: manual commits of exactly what the role finished.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "bus/kafka/kafka_client.hpp"

namespace chorus::bus::kafka {

class KafkaConsumer;

// The consumers a bus opened, so its health() can report their lag.
struct ConsumerRegistry {
  std::mutex mu;
  std::set<const KafkaConsumer*> consumers;
};

class KafkaConsumer final : public Consumer {
 public:
  // `topic` and `group` are the logical names; the options' prefix is applied here.
  static Result<std::unique_ptr<KafkaConsumer>> open(const KafkaOptions& options, std::string topic, std::string group,
                                                     std::shared_ptr<ConsumerRegistry> registry);
  ~KafkaConsumer() override;
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  Result<std::vector<Message>> poll(std::size_t max, std::chrono::milliseconds wait) override;
  Status commit(const Message& last) override;

  const std::string& topic() const { return topic_; }
  const std::string& group() const { return group_; }
  // Assigned partitions with their committed offset and lag behind the high watermark. Cheap: it uses
  // what the client already knows and makes no request. Safe from any thread.
  json::object lag_report() const;

 private:
  KafkaConsumer(std::string prefix, std::string topic, std::string group, std::shared_ptr<ConsumerRegistry> registry);
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                           void* opaque);
  void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  // Converts a fetched message; nullopt for events that are not messages (logged, or turned into an error).
  Result<std::optional<Message>> take(MessagePtr m);

  // A message poll() returned and commit() has not yet covered, in the order it was returned.
  struct Delivered {
    std::int32_t partition;
    std::int64_t offset;
  };

  const std::string prefix_, topic_, group_;
  const std::string full_topic_;
  std::shared_ptr<ConsumerRegistry> registry_;
  Handle rk_;
  std::deque<Delivered> delivered_;  // touched only by the polling thread (poll, commit, rebalance)
  mutable std::mutex mu_;
  std::map<std::int32_t, std::int64_t> committed_;  // next offset per partition, as committed by this consumer
  std::set<std::int32_t> assigned_;
};

}  // namespace chorus::bus::kafka
