// Standard Webhooks secrets and signatures.
#include "alerts/standard_webhooks.hpp"

#include <sodium.h>

#include "core/secrets.hpp"

namespace chorus::alerts {

namespace {
constexpr std::string_view kPrefix = "whsec_";
}

std::string generate_webhook_secret() {
  std::string bytes(24, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return std::string(kPrefix) + base64_encode(bytes);
}

Result<std::string> webhook_secret_key(std::string_view secret) {
  if (!secret.starts_with(kPrefix))
    return make_error(ErrorCode::bad_request,
                      "channel.secret must start with \"whsec_\" followed by base64 (or leave it out and one is made)");
  auto key = base64_decode(secret.substr(kPrefix.size()));
  if (!key || key->size() < 16 || key->size() > 64)
    return make_error(ErrorCode::bad_request,
                      "channel.secret must be \"whsec_\" followed by the base64 of 16 to 64 random bytes");
  return std::move(key.value());
}

std::string standard_webhook_signature(std::string_view key, std::string_view message_id, std::int64_t timestamp_s,
                                       std::string_view body) {
  std::string signed_content;
  signed_content.reserve(message_id.size() + body.size() + 24);
  signed_content.append(message_id).append(".").append(std::to_string(timestamp_s)).append(".").append(body);
  return "v1," + base64_encode(hmac_sha256_raw(key, signed_content));
}

}  // namespace chorus::alerts
