// Generic sources by webhook: Standard Webhooks and shared-token deliveries of one item, an array, or
// {"items": [...]}, through verification, from_webhook and map.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "core/secrets.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

// Standard Webhooks secrets are "whsec_" + base64 of 24 to 64 random bytes.
const std::string kStandardSecret = "whsec_" + base64_encode("0123456789abcdef01234567");
constexpr const char* kToken = "tok_3c9e1b7a5d";

class GenericWebhook : public ::testing::Test {
 protected:
  GenericWebhook() {
    source.type = "jsonl";
    source.config = json::object{{"fields", json::object{{"id", "ref"}, {"text", "message"}, {"rating", "stars"}}}};
  }
  Result<testing::Delivered> standard(const std::string& body) {
    return testing::deliver_webhook(connector, source, "standard", testing::standard_signed(kStandardSecret, body),
                                    body, kStandardSecret);
  }
  const Connector& connector = *find_connector("jsonl");
  SourceSettings source;
};

TEST_F(GenericWebhook, OneItemAnArrayOrAnItemsEnvelope) {
  auto one = standard(R"({"ref":"w-1","message":"Checkout button does nothing on Safari","stars":2})");
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_EQ(one->items.size(), 1u);
  EXPECT_EQ(one->items[0].external_id, "w-1");
  EXPECT_EQ(one->items[0].rating, 2.0);

  auto array = standard(R"([{"ref":"w-2","message":"Fast delivery"},{"ref":"w-3","message":"Box arrived damaged"}])");
  ASSERT_TRUE(array) << array.error().message;
  ASSERT_EQ(array->items.size(), 2u);
  EXPECT_EQ(array->items[1].external_id, "w-3");

  auto envelope = standard(R"({"type":"feedback.batch","items":[{"ref":"w-4","message":"Love it"}]})");
  ASSERT_TRUE(envelope) << envelope.error().message;
  ASSERT_EQ(envelope->items.size(), 1u);
  EXPECT_EQ(envelope->items[0].external_id, "w-4");

  // An item that happens to have an "items" field is still one item: it has an id where the mapping looks.
  auto item_with_items = standard(R"({"ref":"w-5","message":"Cart lost two items","items":["a","b"]})");
  ASSERT_TRUE(item_with_items) << item_with_items.error().message;
  ASSERT_EQ(item_with_items->items.size(), 1u);
  EXPECT_EQ(item_with_items->items[0].external_id, "w-5");
  EXPECT_FALSE(item_with_items->fetch);
}

TEST_F(GenericWebhook, AnItemThatDoesNotMapIsAnErrorNamingTheField) {
  auto r = standard(R"({"ref":"w-6"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "item w-6 has no text at \"message\" (config.fields.text)");
  auto scalar = connector.from_webhook({}, json::value("hello"), source);
  ASSERT_FALSE(scalar);
  EXPECT_NE(scalar.error().message.find("{\"items\": [...]}"), std::string::npos);
}

TEST_F(GenericWebhook, StandardSignaturesBadMissingAndLateAreRefused) {
  std::string body = R"({"ref":"w-7","message":"hello"})";
  std::string other_secret = "whsec_" + base64_encode("another-key-of-24-bytes!");
  auto bad = testing::deliver_webhook(connector, source, "standard", testing::standard_signed(other_secret, body), body,
                                      kStandardSecret);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "signature mismatch");

  // The id is signed too: the same signature under another webhook-id fails.
  http::Headers moved = testing::standard_signed(kStandardSecret, body);
  moved.set("webhook-id", "msg_other");
  auto swapped = testing::deliver_webhook(connector, source, "standard", moved, body, kStandardSecret);
  ASSERT_FALSE(swapped);
  EXPECT_EQ(swapped.error().code, ErrorCode::unauthorized);

  http::Headers unsigned_headers = testing::standard_signed(kStandardSecret, body);
  unsigned_headers.items.erase(std::remove_if(unsigned_headers.items.begin(), unsigned_headers.items.end(),
                                              [](const auto& kv) { return kv.first == "webhook-signature"; }),
                               unsigned_headers.items.end());
  auto missing = testing::deliver_webhook(connector, source, "standard", unsigned_headers, body, kStandardSecret);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "missing webhook-signature header");

  auto late = testing::deliver_webhook(connector, source, "standard",
                                       testing::standard_signed(kStandardSecret, body, "msg_late", now_ms() - 600000),
                                       body, kStandardSecret);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, "timestamp outside the 5-minute tolerance");
}

TEST_F(GenericWebhook, TokenDeliveriesNeedTheExactToken) {
  std::string body = R"([{"ref":"t-1","message":"Sent from a form builder that cannot sign"}])";
  auto ok = testing::deliver_webhook(connector, source, "token", testing::token_header(kToken), body, kToken);
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->items.size(), 1u);
  EXPECT_EQ(ok->items[0].external_id, "t-1");

  auto wrong = testing::deliver_webhook(connector, source, "token", testing::token_header("tok_guess"), body, kToken);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "signature mismatch");
  auto missing = testing::deliver_webhook(connector, source, "token", http::Headers{}, body, kToken);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "missing X-Webhook-Token header");
}

}  // namespace
}  // namespace chorus::connectors
