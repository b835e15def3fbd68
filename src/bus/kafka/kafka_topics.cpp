// Creating Chorus's topics: the admin API's CreateTopics, and, where a cluster refuses that request
// (librdkafka's mock cluster does), the broker's own auto-creation as a fallback that is reported.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "bus/kafka/kafka_client.hpp"

namespace chorus::bus {

namespace kafka {
namespace {

constexpr int kAdminTimeoutMs = 5000;

struct DestroyNewTopic {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct DestroyAdminOptions {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

// Per topic: ok, "exists", or the broker's error. A whole-request failure is the Result's error.
Result<std::map<std::string, rd_kafka_resp_err_t>> create_with_admin_api(rd_kafka_t* rk,
                                                                       const std::vector<std::string>& names,
                                                                       int partitions, int replication) {
  std::vector<std::unique_ptr<rd_kafka_NewTopic_t, DestroyNewTopic>> owned;
  std::vector<rd_kafka_NewTopic_t*> topics;
  for (const auto& name : names) {
    char err[512];
    rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(name.c_str(), partitions, replication, err, sizeof err);
    if (!t) return make_error(ErrorCode::bad_request, "topic " + name + ": " + err);
    owned.emplace_back(t);
    topics.push_back(t);
    // With acks=all, a write is acknowledged by min.insync.replicas copies: two of three survive one
    // broker's loss without refusing writes.
    if (replication >= 3) rd_kafka_NewTopic_set_config(t, "min.insync.replicas", "2");
  }
  std::unique_ptr<rd_kafka_AdminOptions_t, DestroyAdminOptions> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  char err[512];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), kAdminTimeoutMs, err, sizeof err);
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), kAdminTimeoutMs, err, sizeof err);
  Queue queue(rd_kafka_queue_new(rk));
  rd_kafka_CreateTopics(rk, topics.data(), topics.size(), options.get(), queue.get());
  Event event(rd_kafka_queue_poll(queue.get(), kAdminTimeoutMs * 3));
  if (!event) return make_error(ErrorCode::unavailable, "CreateTopics got no answer");
  if (rd_kafka_event_error(event.get()))
    return make_error(ErrorCode::unavailable, std::string("CreateTopics failed: ") + rd_kafka_event_error_string(event.get()));
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  std::size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &n);
  std::map<std::string, rd_kafka_resp_err_t> out;
  for (std::size_t i = 0; i < n; ++i) out[rd_kafka_topic_result_name(results[i])] = rd_kafka_topic_result_error(results[i]);
  return out;
}

// Asks for each topic's metadata with auto-creation allowed: a broker that permits it creates the
// topic with its default partition count.
Status create_by_metadata(const KafkaOptions& options, const std::vector<std::string>& names) {
  KafkaOptions allow = options;
  allow.config["admin.allow.auto.create.topics"] = "true";
  auto conf = make_conf(allow, Role::admin);
  if (!conf) return conf.error();
  auto rk = make_handle(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!rk) return rk.error();
  for (const auto& name : names) {
    rd_kafka_topic_t* topic = rd_kafka_topic_new(rk->get(), name.c_str(), nullptr);
    const rd_kafka_metadata_t* raw = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk->get(), 0, topic, &raw, kAdminTimeoutMs);
    rd_kafka_topic_destroy(topic);
    if (err) return kafka_error(err, "cannot create " + name);
    Metadata md(raw);
  }
  return {};
}

}  // namespace
}  // namespace kafka

Result<std::vector<TopicReport>> create_kafka_topics(const KafkaOptions& options, int partitions, int replication) {
  if (partitions < 1) return make_error(ErrorCode::bad_request, "--partitions must be at least 1");
  if (replication < 1) return make_error(ErrorCode::bad_request, "--replication must be at least 1");
  auto conf = kafka::make_conf(options, kafka::Role::admin);
  if (!conf) return conf.error();
  auto rk = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!rk) return rk.error();

  auto before = kafka::list_topics(rk->get(), 10000);
  if (!before) return before.error();
  std::vector<std::string> missing;
  for (auto topic : kAllTopics) {
    std::string name = options.topic_prefix + std::string(topic);
    if (!before->contains(name)) missing.push_back(name);
  }

  std::string fallback_note;
  if (!missing.empty()) {
    auto created = kafka::create_with_admin_api(rk->get(), missing, partitions, replication);
    if (created) {
      for (const auto& [name, err] : *created)
        if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) return kafka::kafka_error(err, "cannot create " + name);
    } else {
      spdlog::warn("kafka: {}; asking the brokers to auto-create the topics instead", created.error().message);
      if (auto s = kafka::create_by_metadata(options, missing); !s)
        return make_error(s.error().code, created.error().message + "; auto-creation failed too: " + s.error().message);
      fallback_note = "the cluster refused CreateTopics (" + created.error().message +
                      "); the broker auto-created the topic with its default partition count";
    }
  }

  // Read back what exists now: the report states the cluster's view, not our request.
  std::map<std::string, int> after;
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto listed = kafka::list_topics(rk->get(), 10000);
    if (!listed) return listed.error();
    after = std::move(listed).value();
    bool all = true;
    for (const auto& name : missing) all = all && after.contains(name);
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // metadata propagates to every broker
  }
  std::vector<TopicReport> report;
  for (auto topic : kAllTopics) {
    std::string name = options.topic_prefix + std::string(topic);
    auto it = after.find(name);
    if (it == after.end()) return make_error(ErrorCode::unavailable, "topic " + name + " still does not exist");
    bool created = std::find(missing.begin(), missing.end(), name) != missing.end();
    TopicReport r{name, it->second, created, ""};
    if (created && it->second != partitions) r.note = fallback_note.empty() ? "created with a different partition count" : fallback_note;
    report.push_back(std::move(r));
  }
  return report;
}

}  // namespace chorus::bus
