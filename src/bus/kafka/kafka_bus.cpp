// The Kafka bus: an idempotent, acks=all producer whose publish waits for every delivery report (publish_async
// is answered by the last one), and one consumer group per role. A background thread serves the producer's
// delivery reports.
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <thread>

#include "bus/kafka/kafka_consumer.hpp"

namespace chorus::bus {

namespace kafka {
namespace {

// One publish call's messages: delivery reports count down `pending` and keep the first failure. A blocking
// publish keeps its batch on its stack and waits for `done`; an asynchronous one lives on the heap, holds one
// count of its own until every message is queued, and is answered and freed by whoever counts the last.
struct DeliveryBatch {
  std::mutex mu;
  std::condition_variable done;
  std::size_t pending = 0;
  rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::function<void(Status)> on_done;  // asynchronous
  std::string topic;                    // asynchronous: for the answer's error message
};

void count_off(DeliveryBatch* batch, rd_kafka_resp_err_t err) {
  std::unique_lock lock(batch->mu);
  if (err && !batch->first_error) batch->first_error = err;
  if (--batch->pending != 0) return;
  if (!batch->on_done) {
    // Notifying under the lock: the publisher cannot wake, return and free the batch before we let go.
    batch->done.notify_all();
    return;
  }
  lock.unlock();
  std::unique_ptr<DeliveryBatch> owned(batch);
  Status status;
  if (owned->first_error) status = kafka_error(owned->first_error, "kafka did not take a message to " + owned->topic);
  owned->on_done(std::move(status));
}

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* /*opaque*/) {
  auto* batch = static_cast<DeliveryBatch*>(m->_private);
  if (batch) count_off(batch, m->err);
}

class KafkaBus final : public Bus {
 public:
  KafkaBus(KafkaOptions options, Handle producer)
      : options_(std::move(options)), producer_(std::move(producer)) {
    reporter_ = std::thread([this] {
      while (!stopping_) rd_kafka_poll(producer_.get(), 100);
    });
  }

  ~KafkaBus() override {
    stopping_ = true;
    reporter_.join();
    // Publishers have all returned; anything still queued was not acknowledged to anyone.
    rd_kafka_flush(producer_.get(), 5000);
  }

  KafkaBus(const KafkaBus&) = delete;
  KafkaBus& operator=(const KafkaBus&) = delete;

  Status publish(std::string_view topic, std::span<const OutgoingMessage> messages) override {
    if (topic.empty()) return make_error(ErrorCode::bad_request, "topic must not be empty");
    if (messages.empty()) return {};
    const std::string full = options_.topic_prefix + std::string(topic);
    DeliveryBatch batch;
    rd_kafka_resp_err_t enqueue_error = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (const OutgoingMessage& m : messages) {
      {
        std::lock_guard lock(batch.mu);
        ++batch.pending;
      }
      enqueue_error = enqueue(full, m, batch);
      if (enqueue_error) {
        std::lock_guard lock(batch.mu);
        --batch.pending;
        break;
      }
    }
    // Every enqueued message gets exactly one report (delivered, or failed after message.timeout.ms).
    std::unique_lock lock(batch.mu);
    batch.done.wait(lock, [&] { return batch.pending == 0; });
    if (enqueue_error) return kafka_error(enqueue_error, "cannot publish to " + full);
    if (batch.first_error) return kafka_error(batch.first_error, "kafka did not acknowledge a message to " + full);
    return {};
  }

  void publish_async(std::string_view topic, std::vector<OutgoingMessage> messages,
                     std::function<void(Status)> done) override {
    if (topic.empty()) return done(make_error(ErrorCode::bad_request, "topic must not be empty"));
    if (messages.empty()) return done({});
    auto batch = std::make_unique<DeliveryBatch>();
    batch->topic = options_.topic_prefix + std::string(topic);
    batch->on_done = std::move(done);
    batch->pending = 1;  // the hold of this call, let go below
    for (const OutgoingMessage& m : messages) {
      {
        std::lock_guard lock(batch->mu);
        ++batch->pending;
      }
      if (rd_kafka_resp_err_t err = enqueue(batch->topic, m, *batch)) {
        std::lock_guard lock(batch->mu);
        --batch->pending;
        if (!batch->first_error) batch->first_error = err;
        break;
      }
    }
    // The queued messages' reports may come first or later; the last count answers and frees the batch.
    count_off(batch.release(), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  Result<std::unique_ptr<Consumer>> subscribe(std::string_view topic, std::string_view group) override {
    auto consumer = KafkaConsumer::open(options_, std::string(topic), std::string(group), registry_);
    if (!consumer) return consumer.error();
    return std::unique_ptr<Consumer>(std::move(consumer).value());
  }

  json::object health() override {
    json::object out{{"kind", "kafka"}, {"brokers", options_.brokers}};
    if (!options_.topic_prefix.empty()) out["topic_prefix"] = options_.topic_prefix;
    char reason[512];
    if (rd_kafka_fatal_error(producer_.get(), reason, sizeof reason)) {
      out["ok"] = false;
      out["error"] = std::string("producer failed: ") + reason;
      return out;
    }
    const rd_kafka_metadata_t* raw = nullptr;
    auto err = rd_kafka_metadata(producer_.get(), 0, nullptr, &raw, 2000);
    if (err) {
      out["ok"] = false;
      out["error"] = std::string("brokers unreachable: ") + rd_kafka_err2str(err);
    } else {
      Metadata md(raw);
      out["ok"] = true;
      out["brokers_up"] = md->broker_cnt;
    }
    out["queued_messages"] = rd_kafka_outq_len(producer_.get());
    json::object topics;
    {
      std::lock_guard lock(registry_->mu);
      for (const KafkaConsumer* c : registry_->consumers) {
        json::value& t = topics[c->topic()];
        if (!t.is_object()) t = json::object{{"groups", json::object{}}};
        t.as_object()["groups"].as_object()[c->group()] = c->lag_report();
      }
    }
    out["topics"] = std::move(topics);
    return out;
  }

  std::string_view kind() const override { return "kafka"; }

 private:
  rd_kafka_resp_err_t enqueue(const std::string& topic, const OutgoingMessage& m, DeliveryBatch& batch) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(m.key.data(), m.key.size()), RD_KAFKA_V_VALUE(const_cast<char*>(m.payload.data()), m.payload.size()),
          RD_KAFKA_V_OPAQUE(&batch), RD_KAFKA_V_END);
      // A full local queue drains as the brokers acknowledge; wait for room rather than fail.
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || std::chrono::steady_clock::now() >= deadline) return err;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  const KafkaOptions options_;
  Handle producer_;
  std::shared_ptr<ConsumerRegistry> registry_ = std::make_shared<ConsumerRegistry>();
  std::atomic<bool> stopping_{false};
  std::thread reporter_;
};

}  // namespace
}  // namespace kafka

Result<std::unique_ptr<Bus>> open_kafka_bus(const KafkaOptions& options) {
  auto conf = kafka::make_conf(options, kafka::Role::producer);
  if (!conf) return conf.error();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), kafka::on_delivery);
  auto producer = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!producer) return producer.error();
  // Fail at start, not at the first webhook, when no broker answers.
  const rd_kafka_metadata_t* raw = nullptr;
  if (auto err = rd_kafka_metadata(producer->get(), 0, nullptr, &raw, 10000); err)
    return kafka::kafka_error(err, "cannot reach the Kafka brokers " + options.brokers);
  kafka::Metadata md(raw);
  return std::unique_ptr<Bus>(std::make_unique<kafka::KafkaBus>(options, std::move(producer).value()));
}

Result<std::map<std::string, std::string>> parse_kafka_config(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return make_error(ErrorCode::bad_request,
                        "kafka setting \"" + std::string(item) + "\" must be key=value (e.g. linger.ms=10)");
    out[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
  }
  return out;
}

}  // namespace chorus::bus
