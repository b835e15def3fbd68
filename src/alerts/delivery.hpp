// Delivery from the outbox: claims due messages, sends each through its rule's channel, and stores the
// outcome. Failures are retried with exponential backoff and jitter for 24 hours; a 410 disables the rule.
// Runs on its own thread (the alerts role), never on the parser's or the reports role's.
#pragma once

#include <random>

#include "alerts/alert_event.hpp"
#include "core/secrets.hpp"
#include "ingest/egress.hpp"
#include "store/store.hpp"

namespace chorus::alerts {

struct DeliveryOptions {
  TimeMs retry_base_ms = 30000;        // the first retry waits about this long
  TimeMs retry_max_ms = 3600000;       // and no wait grows beyond this
  TimeMs give_up_after_ms = 86400000;  // a message still undelivered this long after it fired fails for good
  TimeMs claim_ms = 120000;            // a sender that dies mid-send releases its claim after this
  std::size_t batch = 16;
  ingest::EgressPolicy egress;  // where channels may connect (private, loopback and link-local refused)
};

// The wait before attempt `attempts + 1`, from base x 2^(attempts-1) capped at max, with equal jitter
// (between half and all of it), so many endpoints failing together do not retry in step.
TimeMs retry_delay(const DeliveryOptions& options, std::int64_t attempts, std::mt19937_64& random);

class DeliverySender {
 public:
  DeliverySender(store::Store& store, const SecretBox& box, DeliveryOptions options = {});

  // One pass over the due messages; returns how many were attempted.
  Result<std::size_t> run_once(TimeMs now);
  // Sends one delivery now and stores its outcome (the claimed or new row): also the test button's path.
  // `retry` false: a failure is final (tests are not retried).
  Result<store::AlertDelivery> attempt(store::AlertDelivery delivery, TimeMs now, bool retry);

 private:
  store::Store& store_;
  const SecretBox& box_;
  DeliveryOptions options_;
  std::mt19937_64 random_;
};

// The delivery as GET .../alerts/{id}/deliveries shows it.
json::object delivery_to_json(const store::AlertDelivery& d);

}  // namespace chorus::alerts
