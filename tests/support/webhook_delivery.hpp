// Webhook deliveries for connector tests, run the way the server runs them: the source's scheme verifies
// the signature over the raw body, then the connector splits the body and maps each item. Signers build
// the headers each sender would send.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/connector.hpp"
#include "core/secrets.hpp"
#include "core/time.hpp"
#include "ingest/webhook_scheme.hpp"

namespace chorus::testing {

struct Delivered {
  std::vector<MappedItem> items;
  std::vector<std::string> skipped;  // the reasons of items that become no record
  bool fetch = false;
};

inline Result<Delivered> deliver_webhook(const connectors::Connector& connector,
                                         const connectors::SourceSettings& source, std::string_view scheme,
                                         const http::Headers& headers, std::string_view body, std::string_view secret,
                                         TimeMs now = now_ms()) {
  const ingest::WebhookScheme* verifier = ingest::find_webhook_scheme(scheme);
  if (!verifier) return make_error(ErrorCode::internal, "no webhook scheme " + std::string(scheme));
  if (auto st = verifier->verify(headers, body, secret, now); !st) return st.error();
  auto parsed = parse_json(body);
  if (!parsed) return parsed.error();
  auto split = connector.from_webhook(headers, *parsed, source);
  if (!split) return split.error();
  Delivered out;
  out.fetch = split->fetch;
  for (const auto& item : split->items) {
    auto admitted = connectors::admit_item(connector, item, source);
    if (!admitted) return admitted.error();
    if (admitted->item)
      out.items.push_back(std::move(*admitted->item));
    else
      out.skipped.push_back(admitted->skipped);
  }
  return out;
}

inline std::string epoch_seconds_text(TimeMs t) { return std::to_string(t / 1000); }

// Zendesk: base64(HMAC-SHA256(secret, timestamp + body)).
inline http::Headers zendesk_signed(std::string_view secret, std::string_view body, TimeMs at = now_ms()) {
  std::string timestamp = format_time(at / 1000 * 1000);
  http::Headers h;
  h.set("Content-Type", "application/json");
  h.set("X-Zendesk-Webhook-Id", "01HQ9X0B7TRN4D8EYW6C1SJ2KM");
  h.set("X-Zendesk-Webhook-Signature-Timestamp", timestamp);
  h.set("X-Zendesk-Webhook-Signature", base64_encode(hmac_sha256_raw(secret, timestamp + std::string(body))));
  return h;
}

// Intercom: sha1=hex(HMAC-SHA1(client secret, body)).
inline http::Headers intercom_signed(std::string_view secret, std::string_view body) {
  http::Headers h;
  h.set("Content-Type", "application/json");
  h.set("X-Hub-Signature", "sha1=" + to_hex(hmac_sha1_raw(secret, body)));
  return h;
}

// Typeform: sha256=base64(HMAC-SHA256(secret, body)).
inline http::Headers typeform_signed(std::string_view secret, std::string_view body) {
  http::Headers h;
  h.set("Content-Type", "application/json");
  h.set("Typeform-Signature", "sha256=" + base64_encode(hmac_sha256_raw(secret, body)));
  return h;
}

// Slack: v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + body)).
inline http::Headers slack_signed(std::string_view secret, std::string_view body, TimeMs at = now_ms()) {
  std::string timestamp = epoch_seconds_text(at);
  http::Headers h;
  h.set("Content-Type", "application/json");
  h.set("X-Slack-Request-Timestamp", timestamp);
  h.set("X-Slack-Signature", "v0=" + to_hex(hmac_sha256_raw(secret, "v0:" + timestamp + ":" + std::string(body))));
  return h;
}

// Standard Webhooks: v1,base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)), key = base64 after whsec_.
inline http::Headers standard_signed(std::string_view secret, std::string_view body, std::string id = "msg_2hV8kPq",
                                     TimeMs at = now_ms()) {
  std::string_view encoded = secret.substr(secret.starts_with("whsec_") ? 6 : 0);
  std::string key = base64_decode(encoded).value();
  std::string timestamp = epoch_seconds_text(at);
  http::Headers h;
  h.set("Content-Type", "application/json");
  h.set("webhook-id", id);
  h.set("webhook-timestamp", timestamp);
  h.set("webhook-signature",
        "v1," + base64_encode(hmac_sha256_raw(key, id + "." + timestamp + "." + std::string(body))));
  return h;
}

inline http::Headers token_header(std::string_view token) {
  http::Headers h;
  h.set("Content-Type", "application/json");
  h.set("X-Webhook-Token", std::string(token));
  return h;
}

}  // namespace chorus::testing
