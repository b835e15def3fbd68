// The Kafka consumer: polling, committing what a role finished, and following rebalances.
#include "bus/kafka/kafka_consumer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace chorus::bus::kafka {

namespace {

// The group has moved on (a rebalance, or this member was expelled): the partitions' new owner
// resumes from the last committed offset, so the unfinished commit only means redelivery.
bool group_moved_on(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
      return true;
    default:
      return false;
  }
}

}  // namespace

KafkaConsumer::KafkaConsumer(std::string prefix, std::string topic, std::string group,
                             std::shared_ptr<ConsumerRegistry> registry)
    : prefix_(std::move(prefix)),
      topic_(std::move(topic)),
      group_(std::move(group)),
      full_topic_(prefix_ + topic_),
      registry_(std::move(registry)) {}

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::open(const KafkaOptions& options, std::string topic,
                                                           std::string group, std::shared_ptr<ConsumerRegistry> registry) {
  if (topic.empty()) return make_error(ErrorCode::bad_request, "topic must not be empty");
  if (group.empty()) return make_error(ErrorCode::bad_request, "consumer group must not be empty");
  std::unique_ptr<KafkaConsumer> self(
      new KafkaConsumer(options.topic_prefix, std::move(topic), std::move(group), std::move(registry)));
  auto conf = make_conf(options, Role::consumer);
  if (!conf) return conf.error();
  if (auto s = set(conf->get(), "group.id", self->prefix_ + self->group_); !s) return s.error();
  rd_kafka_conf_set_opaque(conf->get(), self.get());
  rd_kafka_conf_set_rebalance_cb(conf->get(), &KafkaConsumer::on_rebalance);
  auto rk = make_handle(RD_KAFKA_CONSUMER, std::move(conf).value());
  if (!rk) return rk.error();
  self->rk_ = std::move(rk).value();
  rd_kafka_poll_set_consumer(self->rk_.get());

  Partitions topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), self->full_topic_.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(self->rk_.get(), topics.get()); err)
    return kafka_error(err, "cannot subscribe to " + self->full_topic_);
  {
    std::lock_guard lock(self->registry_->mu);
    self->registry_->consumers.insert(self.get());
  }
  return self;
}

KafkaConsumer::~KafkaConsumer() {
  {
    std::lock_guard lock(registry_->mu);
    registry_->consumers.erase(this);
  }
  // Leaving the group now lets the others take over its partitions at once, not after a session timeout.
  if (rk_) rd_kafka_consumer_close(rk_.get());
}

void KafkaConsumer::on_rebalance(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<KafkaConsumer*>(opaque)->rebalance(err, partitions);
}

void KafkaConsumer::rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_.get()), "COOPERATIVE") == 0;
  std::set<std::int32_t> changed;
  for (int i = 0; i < partitions->cnt; ++i) changed.insert(partitions->elems[i].partition);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Positions start at the group's committed offsets (or the beginning for a new group).
    rd_kafka_error_t* e = nullptr;
    if (cooperative)
      e = rd_kafka_incremental_assign(rk_.get(), partitions);
    else
      rd_kafka_assign(rk_.get(), partitions);
    if (e) {
      spdlog::warn("kafka: {} cannot take its partitions of {}: {}", group_, full_topic_, rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
    std::lock_guard lock(mu_);
    if (!cooperative) assigned_.clear();
    assigned_.insert(changed.begin(), changed.end());
    return;
  }
  // Revoked or lost: what this consumer returned but did not commit goes to the next owner.
  std::erase_if(delivered_, [&](const Delivered& d) { return !cooperative || changed.contains(d.partition); });
  if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk_.get(), partitions)) rd_kafka_error_destroy(e);
  } else {
    rd_kafka_assign(rk_.get(), nullptr);
  }
  std::lock_guard lock(mu_);
  for (auto p : changed) {
    assigned_.erase(p);
    committed_.erase(p);
  }
  if (!cooperative) assigned_.clear();
}

Result<std::optional<Message>> KafkaConsumer::take(MessagePtr m) {
  if (m->err) {
    switch (m->err) {
      case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        return std::optional<Message>{};
      case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
        return kafka_error(m->err, "cannot consume " + full_topic_);
      default:
        break;
    }
    char reason[512];
    if (rd_kafka_fatal_error(rk_.get(), reason, sizeof reason))
      return make_error(ErrorCode::unavailable, "kafka consumer of " + full_topic_ + " failed: " + reason);
    // Transient (a broker restarting, a connection reset): librdkafka recovers by itself.
    spdlog::warn("kafka: consuming {}: {}", full_topic_, rd_kafka_message_errstr(m.get()));
    return std::optional<Message>{};
  }
  Message out;
  out.topic = topic_;
  if (m->key) out.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) out.payload.assign(static_cast<const char*>(m->payload), m->len);
  out.partition = m->partition;
  out.offset = m->offset;
  rd_kafka_timestamp_type_t type;
  std::int64_t ts = rd_kafka_message_timestamp(m.get(), &type);
  out.appended_at = ts >= 0 ? ts : now_ms();
  return std::optional<Message>{std::move(out)};
}

Result<std::vector<Message>> KafkaConsumer::poll(std::size_t max, std::chrono::milliseconds wait) {
  std::vector<Message> out;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (out.size() < max) {
    // Wait only for the first message; then take what is already fetched, without lingering.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    int timeout = out.empty() ? static_cast<int>(std::max<std::int64_t>(0, left.count())) : 0;
    MessagePtr m(rd_kafka_consumer_poll(rk_.get(), timeout));
    if (!m) {
      if (!out.empty() || std::chrono::steady_clock::now() >= deadline) break;
      continue;
    }
    auto message = take(std::move(m));
    if (!message) {
      if (out.empty()) return message.error();
      break;  // hand over what we have; the error comes back on the next poll
    }
    if (!*message) continue;
    delivered_.push_back(Delivered{(*message)->partition, (*message)->offset});
    out.push_back(std::move(**message));
  }
  return out;
}

Status KafkaConsumer::commit(const Message& last) {
  if (last.topic != topic_)
    return make_error(ErrorCode::bad_request,
                      "cannot commit a message of topic \"" + last.topic + "\" on a consumer of \"" + topic_ + "\"");
  if (last.offset < 0) return make_error(ErrorCode::bad_request, "cannot commit a negative offset");

  // Everything returned up to and including `last` is done: the next offset per partition.
  std::map<std::int32_t, std::int64_t> next;
  auto upto = std::find_if(delivered_.begin(), delivered_.end(), [&](const Delivered& d) {
    return d.partition == last.partition && d.offset == last.offset;
  });
  if (upto != delivered_.end()) {
    for (auto it = delivered_.begin(); it != std::next(upto); ++it)
      next[it->partition] = std::max(next[it->partition], it->offset + 1);
  }
  next[last.partition] = std::max(next[last.partition], last.offset + 1);
  {
    std::lock_guard lock(mu_);
    std::erase_if(next, [&](const auto& e) {  // a commit never moves a partition backwards
      auto c = committed_.find(e.first);
      return c != committed_.end() && c->second >= e.second;
    });
  }
  if (upto != delivered_.end()) delivered_.erase(delivered_.begin(), std::next(upto));
  if (next.empty()) return {};

  Partitions offsets(rd_kafka_topic_partition_list_new(static_cast<int>(next.size())));
  for (const auto& [partition, offset] : next)
    rd_kafka_topic_partition_list_add(offsets.get(), full_topic_.c_str(), partition)->offset = offset;
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_.get(), offsets.get(), 0);
  for (int i = 0; !err && i < offsets->cnt; ++i) err = offsets->elems[i].err;
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return {};
  if (err && group_moved_on(err)) {
    spdlog::info("kafka: {} rebalanced before committing {}; the new owner resumes from the last commit", group_,
                 full_topic_);
    return {};
  }
  if (err) return kafka_error(err, "cannot commit " + full_topic_ + " for group " + group_);
  std::lock_guard lock(mu_);
  for (const auto& [partition, offset] : next) committed_[partition] = offset;
  return {};
}

json::object KafkaConsumer::lag_report() const {
  std::map<std::int32_t, std::int64_t> committed;
  std::set<std::int32_t> assigned;
  {
    std::lock_guard lock(mu_);
    committed = committed_;
    assigned = assigned_;
  }
  json::object partitions;
  std::int64_t lag = 0;
  for (auto p : assigned) {
    std::int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(rk_.get(), full_topic_.c_str(), p, &low, &high) || high < 0) continue;
    std::int64_t done = low;
    if (auto c = committed.find(p); c != committed.end()) {
      done = c->second;
    } else {
      // Not committed by this consumer yet: where it is reading is the best cheap estimate.
      Partitions pos(rd_kafka_topic_partition_list_new(1));
      rd_kafka_topic_partition_list_add(pos.get(), full_topic_.c_str(), p);
      if (!rd_kafka_position(rk_.get(), pos.get()) && pos->elems[0].offset >= 0) done = pos->elems[0].offset;
    }
    std::int64_t behind = std::max<std::int64_t>(0, high - done);
    lag += behind;
    partitions[std::to_string(p)] = json::object{{"committed", done}, {"end_offset", high}, {"lag", behind}};
  }
  return json::object{{"lag", lag}, {"partitions", std::move(partitions)}};
}

}  // namespace chorus::bus::kafka
