// librdkafka's mock Kafka cluster in the test process: brokers on loopback speaking the real protocol.
#pragma once

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <memory>
#include <string>

#include "bus/bus.hpp"

namespace chorus::testing {

class MockCluster {
 public:
  explicit MockCluster(int brokers) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    char err[512];
    owner_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
    if (!owner_) {
      rd_kafka_conf_destroy(conf);
      ADD_FAILURE() << "cannot create the mock cluster's handle: " << err;
      return;
    }
    cluster_.reset(rd_kafka_mock_cluster_new(owner_.get(), brokers));
    if (!cluster_) ADD_FAILURE() << "cannot start the mock cluster";
  }

  std::string bootstraps() const { return cluster_ ? rd_kafka_mock_cluster_bootstraps(cluster_.get()) : ""; }
  rd_kafka_mock_cluster_t* get() const { return cluster_.get(); }

  // Options for Chorus's clients: the mock cluster's group coordinator rebalances far faster with a
  // short session timeout.
  bus::KafkaOptions options(const std::string& prefix = "") const {
    bus::KafkaOptions o;
    o.brokers = bootstraps();
    o.topic_prefix = prefix;
    o.config["consumer.session.timeout.ms"] = "3000";
    o.config["consumer.heartbeat.interval.ms"] = "500";
    return o;
  }

  void create_topics(const std::string& prefix, int partitions) {
    for (auto topic : bus::kAllTopics) {
      std::string name = prefix + std::string(topic);
      ASSERT_EQ(rd_kafka_mock_topic_create(cluster_.get(), name.c_str(), partitions, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  }

  // Topic -> partitions, as a client that may not auto-create topics sees them.
  std::map<std::string, int> topics() const { return list_topics(bootstraps()); }

  static std::map<std::string, int> list_topics(const std::string& brokers) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", err, sizeof err);
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    std::unique_ptr<rd_kafka_t, Destroy> rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
    std::map<std::string, int> out;
    if (!rk) return out;
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk.get(), 1, nullptr, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
    for (int i = 0; i < md->topic_cnt; ++i)
      if (!md->topics[i].err) out[md->topics[i].topic] = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return out;
  }

 private:
  struct Destroy {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
    void operator()(rd_kafka_mock_cluster_t* c) const { rd_kafka_mock_cluster_destroy(c); }
  };
  // The cluster goes first: it belongs to the handle.
  std::unique_ptr<rd_kafka_t, Destroy> owner_;
  std::unique_ptr<rd_kafka_mock_cluster_t, Destroy> cluster_;
};

}  // namespace chorus::testing
