// Webhook signature schemes of the sources we accept deliveries from. Every secret-dependent
// comparison goes through constant_time_equal; the sender's signature is decoded first, so hex case
// and base64 form do not matter and only raw digests are compared.
#include "ingest/webhook_scheme.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "core/secrets.hpp"

namespace chorus::ingest {

namespace {

// Slack and Standard Webhooks both reject deliveries more than five minutes from now, either way.
constexpr TimeMs kTolerance = TimeMs{5} * 60 * 1000;

Error unauthorized(std::string message) { return make_error(ErrorCode::unauthorized, std::move(message)); }
Error missing(std::string_view header) { return unauthorized("missing " + std::string(header) + " header"); }
Error invalid(std::string_view header) { return unauthorized("invalid " + std::string(header) + " header"); }
Error mismatch() { return unauthorized("signature mismatch"); }
Error outside_tolerance() { return unauthorized("timestamp outside the 5-minute tolerance"); }

// An empty secret would make every signature (or an empty token) "valid": refuse instead.
Status require_secret(std::string_view secret) {
  if (secret.empty()) return make_error(ErrorCode::internal, "no webhook secret is configured for this source");
  return {};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

// Base64 as senders write it, with or without the trailing padding.
std::optional<std::string> decode_base64(std::string_view text) {
  std::string padded(text);
  padded.append((4 - padded.size() % 4) % 4, '=');
  auto decoded = base64_decode(padded);
  if (!decoded.ok()) return std::nullopt;
  return std::move(decoded).value();
}

// Whole seconds since the epoch, digits only.
std::optional<std::int64_t> parse_epoch_seconds(std::string_view text) {
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text[0] == '-') return std::nullopt;
  if (seconds > std::numeric_limits<std::int64_t>::max() / 1000) return std::nullopt;
  return seconds;
}

bool within_tolerance(TimeMs signed_at, TimeMs now) {
  return signed_at >= now - kTolerance && signed_at <= now + kTolerance;
}

enum class Digest { sha256, sha1 };
enum class Encoding { hex, base64 };

// "<prefix><encoded HMAC of the raw body>" in one header: Discourse, GitHub, Typeform, Intercom.
class BodyHmacScheme final : public WebhookScheme {
 public:
  constexpr BodyHmacScheme(std::string_view name, std::string_view header, std::string_view prefix, Digest digest,
                           Encoding encoding)
      : name_(name), header_(header), prefix_(prefix), digest_(digest), encoding_(encoding) {}

  std::string_view name() const override { return name_; }

  Status verify(const http::Headers& headers, std::string_view body, std::string_view secret,
                TimeMs /*now*/) const override {
    if (auto s = require_secret(secret); !s.ok()) return s;
    auto value = headers.get(header_);
    if (!value) return missing(header_);
    std::string_view signature = *value;
    if (!signature.starts_with(prefix_)) return mismatch();
    signature.remove_prefix(prefix_.size());
    auto given = encoding_ == Encoding::hex ? decode_hex(signature) : decode_base64(signature);
    if (!given) return mismatch();
    std::string expected = digest_ == Digest::sha256 ? hmac_sha256_raw(secret, body) : hmac_sha1_raw(secret, body);
    if (!constant_time_equal(expected, *given)) return mismatch();
    return {};
  }

 private:
  std::string_view name_;
  std::string_view header_;
  std::string_view prefix_;
  Digest digest_;
  Encoding encoding_;
};

// Slack: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)), timestamp in epoch seconds.
class SlackScheme final : public WebhookScheme {
 public:
  std::string_view name() const override { return "slack"; }

  Status verify(const http::Headers& headers, std::string_view body, std::string_view secret,
                TimeMs now) const override {
    static constexpr std::string_view kSignature = "X-Slack-Signature";
    static constexpr std::string_view kTimestamp = "X-Slack-Request-Timestamp";
    if (auto s = require_secret(secret); !s.ok()) return s;
    auto signature = headers.get(kSignature);
    if (!signature) return missing(kSignature);
    auto timestamp = headers.get(kTimestamp);
    if (!timestamp) return missing(kTimestamp);
    auto seconds = parse_epoch_seconds(*timestamp);
    if (!seconds) return invalid(kTimestamp);
    if (!within_tolerance(*seconds * 1000, now)) return outside_tolerance();

    std::string_view hex = *signature;
    if (!hex.starts_with("v0=")) return mismatch();
    auto given = decode_hex(hex.substr(3));
    if (!given) return mismatch();
    std::string signed_content = "v0:" + *timestamp + ":";
    signed_content.append(body);
    if (!constant_time_equal(hmac_sha256_raw(secret, signed_content), *given)) return mismatch();
    return {};
  }
};

// Zendesk: base64(HMAC-SHA256(secret, timestamp + body)), no separator. Zendesk documents no
// tolerance; we hold it to the same five minutes because the timestamp is signed precisely so
// receivers can refuse replays, and a delivery refused here is still picked up by the incremental
// ticket sync. The timestamp may be ISO-8601 or epoch seconds.
class ZendeskScheme final : public WebhookScheme {
 public:
  std::string_view name() const override { return "zendesk"; }

  Status verify(const http::Headers& headers, std::string_view body, std::string_view secret,
                TimeMs now) const override {
    static constexpr std::string_view kSignature = "X-Zendesk-Webhook-Signature";
    static constexpr std::string_view kTimestamp = "X-Zendesk-Webhook-Signature-Timestamp";
    if (auto s = require_secret(secret); !s.ok()) return s;
    auto signature = headers.get(kSignature);
    if (!signature) return missing(kSignature);
    auto timestamp = headers.get(kTimestamp);
    if (!timestamp) return missing(kTimestamp);
    auto signed_at = parse_time(*timestamp);
    if (!signed_at) return invalid(kTimestamp);
    if (!within_tolerance(*signed_at, now)) return outside_tolerance();

    auto given = decode_base64(*signature);
    if (!given) return mismatch();
    std::string signed_content = *timestamp;
    signed_content.append(body);
    if (!constant_time_equal(hmac_sha256_raw(secret, signed_content), *given)) return mismatch();
    return {};
  }
};

// Standard Webhooks v1: "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>" entries,
// space-separated so senders can rotate keys; any v1 entry may match and other versions are skipped.
// The secret is "whsec_" + base64 of the key bytes.
class StandardScheme final : public WebhookScheme {
 public:
  std::string_view name() const override { return "standard"; }

  // The key verify() will need: base64 after an optional "whsec_", as the Standard Webhooks libraries read it.
  // A secret that does not decode would fail every delivery, so it is refused when the source is set up.
  Status check_secret(std::string_view secret) const override {
    if (secret.starts_with("whsec_")) secret.remove_prefix(6);
    auto key = decode_base64(secret);
    if (!key || key->empty())
      return make_error(ErrorCode::bad_request,
                        "webhook.secret must be \"whsec_\" followed by base64, such as the output of: echo "
                        "whsec_$(openssl rand -base64 32)");
    return {};
  }

  Status verify(const http::Headers& headers, std::string_view body, std::string_view secret,
                TimeMs now) const override {
    static constexpr std::string_view kId = "webhook-id";
    static constexpr std::string_view kTimestamp = "webhook-timestamp";
    static constexpr std::string_view kSignature = "webhook-signature";
    if (auto s = require_secret(secret); !s.ok()) return s;
    if (secret.starts_with("whsec_")) secret.remove_prefix(6);
    auto key = decode_base64(secret);
    if (!key || key->empty()) {
      return make_error(ErrorCode::internal,
                        "the webhook secret of this source is not a Standard Webhooks secret (\"whsec_\" and base64)");
    }
    auto id = headers.get(kId);
    if (!id) return missing(kId);
    auto timestamp = headers.get(kTimestamp);
    if (!timestamp) return missing(kTimestamp);
    auto signatures = headers.get(kSignature);
    if (!signatures) return missing(kSignature);
    auto seconds = parse_epoch_seconds(*timestamp);
    if (!seconds) return invalid(kTimestamp);
    if (!within_tolerance(*seconds * 1000, now)) return outside_tolerance();

    std::string signed_content = *id + "." + *timestamp + ".";
    signed_content.append(body);
    const std::string expected = hmac_sha256_raw(*key, signed_content);
    bool matched = false;
    std::string_view rest = *signatures;
    while (!rest.empty()) {
      std::size_t space = rest.find(' ');
      std::string_view entry = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
      if (!entry.starts_with("v1,")) continue;
      auto given = decode_base64(entry.substr(3));
      // No early exit: every entry is checked, so timing does not reveal which one matched.
      if (given && constant_time_equal(expected, *given)) matched = true;
    }
    if (!matched) return mismatch();
    return {};
  }
};

// A shared token in a header, for senders that cannot sign.
class TokenScheme final : public WebhookScheme {
 public:
  std::string_view name() const override { return "token"; }

  Status verify(const http::Headers& headers, std::string_view /*body*/, std::string_view secret,
                TimeMs /*now*/) const override {
    static constexpr std::string_view kToken = "X-Webhook-Token";
    if (auto s = require_secret(secret); !s.ok()) return s;
    auto token = headers.get(kToken);
    if (!token) return missing(kToken);
    if (!constant_time_equal(secret, *token)) return mismatch();
    return {};
  }
};

const BodyHmacScheme kDiscourse("discourse", "X-Discourse-Event-Signature", "sha256=", Digest::sha256,
                                    Encoding::hex);
const BodyHmacScheme kGithub("github", "X-Hub-Signature-256", "sha256=", Digest::sha256, Encoding::hex);
const BodyHmacScheme kTypeform("typeform", "Typeform-Signature", "sha256=", Digest::sha256, Encoding::base64);
const BodyHmacScheme kIntercom("intercom", "X-Hub-Signature", "sha1=", Digest::sha1, Encoding::hex);
const SlackScheme kSlack;
const ZendeskScheme kZendesk;
const StandardScheme kStandard;
const TokenScheme kToken;

const std::array<const WebhookScheme*, 8> kSchemes{&kDiscourse, &kGithub,   &kTypeform, &kIntercom,
                                                       &kSlack,     &kZendesk,  &kStandard, &kToken};

}  // namespace

const WebhookScheme* find_webhook_scheme(std::string_view name) {
  for (const WebhookScheme* scheme : kSchemes) {
    if (scheme->name() == name) return scheme;
  }
  return nullptr;
}

std::span<const WebhookScheme* const> all_webhook_schemes() { return kSchemes; }

}  // namespace chorus::ingest
