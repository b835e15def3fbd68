// Standard Webhooks signing (https://www.standardwebhooks.com): headers webhook-id, webhook-timestamp
// (seconds) and webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>", keyed with the secret's
// bytes (the base64 after "whsec_").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus::alerts {

// A fresh secret: "whsec_" and the base64 of 24 random bytes.
std::string generate_webhook_secret();
// The key bytes of a "whsec_..." secret; a bad_request naming what is wrong.
Result<std::string> webhook_secret_key(std::string_view secret);
// "v1,<base64 signature>".
std::string standard_webhook_signature(std::string_view key, std::string_view message_id, std::int64_t timestamp_s,
                                       std::string_view body);

}  // namespace chorus::alerts
