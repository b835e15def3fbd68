// Webhook signature schemes against the services' published test vectors (docs/SOURCES.md), plus
// bad, missing and stale deliveries.
#include "ingest/webhook_scheme.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <set>

#include "core/secrets.hpp"

namespace chorus::ingest {
namespace {

using HeaderList = std::initializer_list<std::pair<const char*, std::string>>;

http::Headers make_headers(HeaderList list) {
  http::Headers headers;
  for (const auto& [name, value] : list) headers.add(name, value);
  return headers;
}

std::string hex_to_bytes(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

class WebhookSchemeTest : public ::testing::Test {
 protected:
  void SetUp() override { init_crypto(); }

  static const WebhookScheme& scheme(std::string_view name) {
    const WebhookScheme* s = find_webhook_scheme(name);
    if (s == nullptr) throw std::runtime_error("no scheme " + std::string(name));
    return *s;
  }

  static Status verify(std::string_view name, HeaderList headers, std::string_view body, std::string_view secret,
                       TimeMs now = 0) {
    return scheme(name).verify(make_headers(headers), body, secret, now);
  }

  static void expect_unauthorized(const Status& status, std::string_view message) {
    ASSERT_FALSE(status.ok()) << "expected: " << message;
    EXPECT_EQ(status.error().code, ErrorCode::unauthorized);
    EXPECT_EQ(status.error().message, message);
  }
};

// RFC 4231 test case 2 (HMAC-SHA256) and RFC 2202 test case 2 (HMAC-SHA1).
constexpr const char* kRfcKey = "Jefe";
constexpr const char* kRfcData = "what do ya want for nothing?";
constexpr const char* kRfc4231Case2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
constexpr const char* kRfc2202Case2 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";

// GitHub's documented example (validating-webhook-deliveries).
constexpr const char* kGithubSecret = "It's a Secret to Everybody";
constexpr const char* kGithubBody = "Hello, World!";
constexpr const char* kGithubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

// Slack's documented example (as quoted by slack-http-verifier).
constexpr const char* kSlackSecret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr const char* kSlackTimestamp = "1531420618";
constexpr TimeMs kSlackSignedAt = 1531420618LL * 1000;
constexpr const char* kSlackBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name="
    "foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks."
    "slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015."
    "47445629121.803a0bc887a14d10d2c447fce8b6703c";
constexpr const char* kSlackSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

// Standard Webhooks, libraries/python/tests/test_webhooks.py test_sign_function.
constexpr const char* kStandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kStandardId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr const char* kStandardTimestamp = "1614265330";
constexpr TimeMs kStandardSignedAt = 1614265330LL * 1000;
constexpr const char* kStandardBody = "{\"test\": 2432232314}";
constexpr const char* kStandardSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
constexpr const char* kStandardWrongSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";

constexpr TimeMs kMinute = 60 * 1000;

TEST_F(WebhookSchemeTest, RegistryHoldsEverySchemeByName) {
  std::set<std::string_view> names;
  for (const WebhookScheme* s : all_webhook_schemes()) names.insert(s->name());
  EXPECT_EQ(names, (std::set<std::string_view>{"discourse", "github", "typeform", "intercom", "slack", "zendesk",
                                               "standard", "token"}));
  for (std::string_view name : names) EXPECT_EQ(find_webhook_scheme(name)->name(), name);
  EXPECT_EQ(find_webhook_scheme("GitHub"), nullptr);
  EXPECT_EQ(find_webhook_scheme("unknown"), nullptr);
}

TEST_F(WebhookSchemeTest, GithubPublishedExample) {
  EXPECT_TRUE(verify("github", {{"X-Hub-Signature-256", kGithubSignature}}, kGithubBody, kGithubSecret).ok());
  // Header names are case-insensitive.
  EXPECT_TRUE(verify("github", {{"x-hub-signature-256", kGithubSignature}}, kGithubBody, kGithubSecret).ok());
  expect_unauthorized(verify("github", {{"X-Hub-Signature-256", kGithubSignature}}, "Hello, World?", kGithubSecret),
                      "signature mismatch");
  expect_unauthorized(verify("github", {{"X-Hub-Signature-256", kGithubSignature}}, kGithubBody, "another secret"),
                      "signature mismatch");
  expect_unauthorized(
      verify("github", {{"X-Hub-Signature-256", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}},
             kGithubBody, kGithubSecret),
      "signature mismatch");
  expect_unauthorized(verify("github", {{"X-Hub-Signature", "sha1=0000"}}, kGithubBody, kGithubSecret),
                      "missing X-Hub-Signature-256 header");
}

TEST_F(WebhookSchemeTest, DiscourseSignsTheBodyLikeGithub) {
  EXPECT_TRUE(verify("discourse", {{"X-Discourse-Event-Signature", kGithubSignature}}, kGithubBody, kGithubSecret).ok());
  EXPECT_TRUE(verify("discourse", {{"X-Discourse-Event-Signature", std::string("sha256=") + kRfc4231Case2}}, kRfcData,
                     kRfcKey)
                  .ok());
  std::string upper = std::string("sha256=") + kRfc4231Case2;
  std::transform(upper.begin() + 7, upper.end(), upper.begin() + 7, ::toupper);
  EXPECT_TRUE(verify("discourse", {{"X-Discourse-Event-Signature", upper}}, kRfcData, kRfcKey).ok());

  std::string flipped = std::string("sha256=") + kRfc4231Case2;
  flipped.back() = '4';
  expect_unauthorized(verify("discourse", {{"X-Discourse-Event-Signature", flipped}}, kRfcData, kRfcKey),
                      "signature mismatch");
  expect_unauthorized(verify("discourse", {{"X-Discourse-Event-Signature", "sha256=not-hex"}}, kRfcData, kRfcKey),
                      "signature mismatch");
  expect_unauthorized(verify("discourse", {{"X-Discourse-Event-Signature", kRfc4231Case2}}, kRfcData, kRfcKey),
                      "signature mismatch");  // the "sha256=" prefix is part of the format
  expect_unauthorized(verify("discourse", {}, kRfcData, kRfcKey), "missing X-Discourse-Event-Signature header");
}

TEST_F(WebhookSchemeTest, TypeformUsesBase64OfTheBodyHmac) {
  const std::string good = "sha256=" + base64_encode(hex_to_bytes(kRfc4231Case2));
  EXPECT_TRUE(verify("typeform", {{"Typeform-Signature", good}}, kRfcData, kRfcKey).ok());
  expect_unauthorized(verify("typeform", {{"Typeform-Signature", good}}, "what do ya want for nothing!", kRfcKey),
                      "signature mismatch");
  expect_unauthorized(
      verify("typeform", {{"Typeform-Signature", std::string("sha256=") + kRfc4231Case2}}, kRfcData, kRfcKey),
      "signature mismatch");  // hex is not Typeform's encoding
  expect_unauthorized(verify("typeform", {{"X-Hub-Signature-256", good}}, kRfcData, kRfcKey),
                      "missing Typeform-Signature header");
}

TEST_F(WebhookSchemeTest, IntercomUsesHexSha1) {
  EXPECT_TRUE(verify("intercom", {{"X-Hub-Signature", std::string("sha1=") + kRfc2202Case2}}, kRfcData, kRfcKey).ok());
  expect_unauthorized(
      verify("intercom", {{"X-Hub-Signature", std::string("sha1=") + kRfc2202Case2}}, kRfcData, "Jeff"),
      "signature mismatch");
  expect_unauthorized(
      verify("intercom", {{"X-Hub-Signature", std::string("sha256=") + kRfc4231Case2}}, kRfcData, kRfcKey),
      "signature mismatch");
  expect_unauthorized(verify("intercom", {{"X-Hub-Signature-256", std::string("sha256=") + kRfc4231Case2}}, kRfcData,
                             kRfcKey),
                      "missing X-Hub-Signature header");
}

TEST_F(WebhookSchemeTest, SlackPublishedExample) {
  HeaderList good{{"X-Slack-Signature", kSlackSignature}, {"X-Slack-Request-Timestamp", kSlackTimestamp}};
  EXPECT_TRUE(verify("slack", good, kSlackBody, kSlackSecret, kSlackSignedAt + 1000).ok());
  EXPECT_TRUE(verify("slack", good, kSlackBody, kSlackSecret, kSlackSignedAt + 5 * kMinute).ok());
  EXPECT_TRUE(verify("slack", good, kSlackBody, kSlackSecret, kSlackSignedAt - 5 * kMinute).ok());

  std::string tampered_body = kSlackBody;
  tampered_body.replace(tampered_body.find("roadrunner"), 10, "wilecoyote");
  expect_unauthorized(verify("slack", good, tampered_body, kSlackSecret, kSlackSignedAt), "signature mismatch");
  std::string wrong = kSlackSignature;
  wrong.back() = '4';
  expect_unauthorized(verify("slack",
                             {{"X-Slack-Signature", wrong}, {"X-Slack-Request-Timestamp", kSlackTimestamp}},
                             kSlackBody, kSlackSecret, kSlackSignedAt),
                      "signature mismatch");
  // The timestamp is signed: moving it to look fresh breaks the signature.
  expect_unauthorized(verify("slack",
                             {{"X-Slack-Signature", kSlackSignature}, {"X-Slack-Request-Timestamp", "1531420619"}},
                             kSlackBody, kSlackSecret, kSlackSignedAt),
                      "signature mismatch");
}

TEST_F(WebhookSchemeTest, SlackRejectsStaleMissingAndMalformed) {
  HeaderList good{{"X-Slack-Signature", kSlackSignature}, {"X-Slack-Request-Timestamp", kSlackTimestamp}};
  expect_unauthorized(verify("slack", good, kSlackBody, kSlackSecret, kSlackSignedAt + 5 * kMinute + 1000),
                      "timestamp outside the 5-minute tolerance");
  expect_unauthorized(verify("slack", good, kSlackBody, kSlackSecret, kSlackSignedAt - 5 * kMinute - 1000),
                      "timestamp outside the 5-minute tolerance");
  expect_unauthorized(verify("slack", {{"X-Slack-Request-Timestamp", kSlackTimestamp}}, kSlackBody, kSlackSecret,
                             kSlackSignedAt),
                      "missing X-Slack-Signature header");
  expect_unauthorized(verify("slack", {{"X-Slack-Signature", kSlackSignature}}, kSlackBody, kSlackSecret, kSlackSignedAt),
                      "missing X-Slack-Request-Timestamp header");
  expect_unauthorized(verify("slack", {{"X-Slack-Signature", kSlackSignature}, {"X-Slack-Request-Timestamp", "soon"}},
                             kSlackBody, kSlackSecret, kSlackSignedAt),
                      "invalid X-Slack-Request-Timestamp header");
}

TEST_F(WebhookSchemeTest, StandardWebhooksPublishedExample) {
  EXPECT_TRUE(verify("standard",
                     {{"webhook-id", kStandardId},
                      {"webhook-timestamp", kStandardTimestamp},
                      {"webhook-signature", kStandardSignature}},
                     kStandardBody, kStandardSecret, kStandardSignedAt)
                  .ok());
  // The library's negative vector: the last character changed.
  expect_unauthorized(verify("standard",
                             {{"webhook-id", kStandardId},
                              {"webhook-timestamp", kStandardTimestamp},
                              {"webhook-signature", kStandardWrongSignature}},
                             kStandardBody, kStandardSecret, kStandardSignedAt),
                      "signature mismatch");
  // The id is part of the signed content.
  expect_unauthorized(verify("standard",
                             {{"webhook-id", "msg_other"},
                              {"webhook-timestamp", kStandardTimestamp},
                              {"webhook-signature", kStandardSignature}},
                             kStandardBody, kStandardSecret, kStandardSignedAt),
                      "signature mismatch");
  // A secret without its "whsec_" prefix is the same key.
  EXPECT_TRUE(verify("standard",
                     {{"webhook-id", kStandardId},
                      {"webhook-timestamp", kStandardTimestamp},
                      {"webhook-signature", kStandardSignature}},
                     kStandardBody, std::string_view(kStandardSecret).substr(6), kStandardSignedAt)
                  .ok());
}

TEST_F(WebhookSchemeTest, StandardWebhooksAcceptsAnyV1SignatureAndSkipsOtherVersions) {
  const std::string rotated = std::string("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ") + kStandardSignature +
                              " v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==";
  EXPECT_TRUE(verify("standard",
                     {{"webhook-id", kStandardId}, {"webhook-timestamp", kStandardTimestamp}, {"webhook-signature", rotated}},
                     kStandardBody, kStandardSecret, kStandardSignedAt)
                  .ok());
  // The right digest under an unknown version tag is not accepted.
  const std::string other_version = "v2," + std::string(kStandardSignature).substr(3);
  expect_unauthorized(verify("standard",
                             {{"webhook-id", kStandardId},
                              {"webhook-timestamp", kStandardTimestamp},
                              {"webhook-signature", other_version}},
                             kStandardBody, kStandardSecret, kStandardSignedAt),
                      "signature mismatch");
}

TEST_F(WebhookSchemeTest, StandardWebhooksRejectsStaleMissingAndBadSecret) {
  HeaderList good{{"webhook-id", kStandardId},
                  {"webhook-timestamp", kStandardTimestamp},
                  {"webhook-signature", kStandardSignature}};
  expect_unauthorized(verify("standard", good, kStandardBody, kStandardSecret, kStandardSignedAt + 6 * kMinute),
                      "timestamp outside the 5-minute tolerance");
  expect_unauthorized(verify("standard", good, kStandardBody, kStandardSecret, kStandardSignedAt - 6 * kMinute),
                      "timestamp outside the 5-minute tolerance");
  expect_unauthorized(verify("standard",
                             {{"webhook-timestamp", kStandardTimestamp}, {"webhook-signature", kStandardSignature}},
                             kStandardBody, kStandardSecret, kStandardSignedAt),
                      "missing webhook-id header");
  expect_unauthorized(verify("standard", {{"webhook-id", kStandardId}, {"webhook-signature", kStandardSignature}},
                             kStandardBody, kStandardSecret, kStandardSignedAt),
                      "missing webhook-timestamp header");
  expect_unauthorized(verify("standard", {{"webhook-id", kStandardId}, {"webhook-timestamp", kStandardTimestamp}},
                             kStandardBody, kStandardSecret, kStandardSignedAt),
                      "missing webhook-signature header");
  expect_unauthorized(verify("standard",
                             {{"webhook-id", kStandardId},
                              {"webhook-timestamp", "1614265330.5"},
                              {"webhook-signature", kStandardSignature}},
                             kStandardBody, kStandardSecret, kStandardSignedAt),
                      "invalid webhook-timestamp header");

  Status bad_secret = verify("standard", good, kStandardBody, "whsec_!!!not base64", kStandardSignedAt);
  ASSERT_FALSE(bad_secret.ok());
  EXPECT_EQ(bad_secret.error().code, ErrorCode::internal);  // our configuration, not the sender's fault
}

// Zendesk publishes no test vector for its current scheme, so the signature is built from the
// primitives that the RFC known-answer tests in test_core pin down.
TEST_F(WebhookSchemeTest, ZendeskSignsTimestampThenBody) {
  const std::string secret = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
  const std::string body = "{\"ticket\":{\"id\":35436}}";
  const std::string timestamp = "2021-05-06T20:55:33Z";
  const TimeMs signed_at = *parse_time(timestamp);
  const std::string signature = base64_encode(hmac_sha256_raw(secret, timestamp + body));

  HeaderList good{{"X-Zendesk-Webhook-Signature", signature}, {"X-Zendesk-Webhook-Signature-Timestamp", timestamp}};
  EXPECT_TRUE(verify("zendesk", good, body, secret, signed_at + kMinute).ok());
  const std::string body_then_timestamp = base64_encode(hmac_sha256_raw(secret, body + timestamp));
  expect_unauthorized(verify("zendesk",
                             {{"X-Zendesk-Webhook-Signature", body_then_timestamp},
                              {"X-Zendesk-Webhook-Signature-Timestamp", timestamp}},
                             body, secret, signed_at),
                      "signature mismatch");
  expect_unauthorized(verify("zendesk", good, body + " ", secret, signed_at), "signature mismatch");
  expect_unauthorized(verify("zendesk", good, body, secret, signed_at + 6 * kMinute),
                      "timestamp outside the 5-minute tolerance");
  expect_unauthorized(verify("zendesk", {{"X-Zendesk-Webhook-Signature-Timestamp", timestamp}}, body, secret, signed_at),
                      "missing X-Zendesk-Webhook-Signature header");
  expect_unauthorized(verify("zendesk", {{"X-Zendesk-Webhook-Signature", signature}}, body, secret, signed_at),
                      "missing X-Zendesk-Webhook-Signature-Timestamp header");
  expect_unauthorized(verify("zendesk",
                             {{"X-Zendesk-Webhook-Signature", signature}, {"X-Zendesk-Webhook-Signature-Timestamp", "yesterday"}},
                             body, secret, signed_at),
                      "invalid X-Zendesk-Webhook-Signature-Timestamp header");

  // Bodiless deliveries (GET, DELETE) are signed over the timestamp alone.
  const std::string empty_signature = base64_encode(hmac_sha256_raw(secret, timestamp));
  EXPECT_TRUE(verify("zendesk",
                     {{"X-Zendesk-Webhook-Signature", empty_signature}, {"X-Zendesk-Webhook-Signature-Timestamp", timestamp}},
                     "", secret, signed_at)
                  .ok());
}

TEST_F(WebhookSchemeTest, TokenComparesTheWholeHeader) {
  EXPECT_TRUE(verify("token", {{"X-Webhook-Token", "s3cret-token"}}, "{}", "s3cret-token").ok());
  expect_unauthorized(verify("token", {{"X-Webhook-Token", "s3cret-toke"}}, "{}", "s3cret-token"), "signature mismatch");
  expect_unauthorized(verify("token", {{"X-Webhook-Token", "s3cret-token2"}}, "{}", "s3cret-token"), "signature mismatch");
  expect_unauthorized(verify("token", {{"X-Webhook-Token", ""}}, "{}", "s3cret-token"), "signature mismatch");
  expect_unauthorized(verify("token", {}, "{}", "s3cret-token"), "missing X-Webhook-Token header");
}

// Without a configured secret nothing verifies, not even an empty token or a signature of the body
// under the empty key.
TEST_F(WebhookSchemeTest, NoSchemeAcceptsAnEmptySecret) {
  const std::string empty_key_sig = to_hex(hmac_sha256_raw("", "{}"));
  http::Headers headers = make_headers({{"X-Webhook-Token", ""},
                                        {"X-Hub-Signature-256", "sha256=" + empty_key_sig},
                                        {"X-Discourse-Event-Signature", "sha256=" + empty_key_sig}});
  for (const WebhookScheme* s : all_webhook_schemes()) {
    Status status = s->verify(headers, "{}", "", 0);
    EXPECT_FALSE(status.ok()) << s->name();
  }
}

}  // namespace
}  // namespace chorus::ingest
