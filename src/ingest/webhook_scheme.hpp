// Webhook signature schemes: each verifies a delivery against the source's secret, in constant time.
#pragma once

#include <span>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "http/message.hpp"

namespace chorus::ingest {

class WebhookScheme {
 public:
  virtual ~WebhookScheme() = default;
  virtual std::string_view name() const = 0;
  // ok when the delivery is authentic; unauthorized with a reason ("missing X-Discourse-Event-Signature",
  // "signature mismatch", "timestamp outside the 5-minute tolerance") otherwise.
  virtual Status verify(const http::Headers& headers, std::string_view body, std::string_view secret,
                        TimeMs now) const = 0;
  // Whether a secret a source is given can serve this scheme, checked when the source is created or changed: a
  // bad_request saying what it must be for a secret no delivery could ever be checked with (a Standard Webhooks
  // key that is not base64). Other secrets are taken as they come.
  virtual Status check_secret(std::string_view /*secret*/) const { return {}; }
};

const WebhookScheme* find_webhook_scheme(std::string_view name);
std::span<const WebhookScheme* const> all_webhook_schemes();

}  // namespace chorus::ingest
