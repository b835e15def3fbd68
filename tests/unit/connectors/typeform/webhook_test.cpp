// Typeform webhook deliveries, signed as Typeform signs them, through verification, from_webhook and map.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "support/fake_http_service.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "typeform";
constexpr const char* kSecret = "tf-webhook-secret-7d1c";

std::string fixture_text(const char* name) { return json::serialize(testing::read_fixture(kFixtures / name)); }

class TypeformWebhook : public ::testing::Test {
 protected:
  TypeformWebhook() {
    source.type = "typeform";
    source.config = json::object{{"form_id", "lT4Z3j"}};
  }
  Result<testing::Delivered> deliver(const http::Headers& headers, const std::string& body) {
    return testing::deliver_webhook(connector, source, "typeform", headers, body, kSecret);
  }
  const Connector& connector = *find_connector("typeform");
  SourceSettings source;
};

TEST_F(TypeformWebhook, FormResponseIsMapped) {
  std::string body = fixture_text("webhook_form_response.json");
  auto r = deliver(testing::typeform_signed(kSecret, body), body);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].text, "The web clipper broke in Firefox and nobody replied to my ticket.");
  EXPECT_EQ(r->items[0].rating, 2.0);
  EXPECT_EQ(r->items[0].extra.at("form_id"), "lT4Z3j");
  EXPECT_FALSE(r->fetch);
}

TEST_F(TypeformWebhook, OtherFormsAndPartialResponsesAreIgnored) {
  for (const char* name : {"webhook_other_form.json", "webhook_partial.json"}) {
    std::string body = fixture_text(name);
    auto r = deliver(testing::typeform_signed(kSecret, body), body);
    ASSERT_TRUE(r) << name << ": " << r.error().message;
    EXPECT_TRUE(r->items.empty()) << name;
  }
}

TEST_F(TypeformWebhook, BadSignatureIsRefused) {
  std::string body = fixture_text("webhook_form_response.json");
  auto r = deliver(testing::typeform_signed("not-the-secret", body), body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(r.error().message, "signature mismatch");
  // Hex where Typeform sends base64.
  http::Headers hex;
  hex.set("Typeform-Signature", "sha256=" + to_hex(hmac_sha256_raw(kSecret, body)));
  auto wrong_encoding = deliver(hex, body);
  ASSERT_FALSE(wrong_encoding);
  EXPECT_EQ(wrong_encoding.error().code, ErrorCode::unauthorized);
}

TEST_F(TypeformWebhook, MissingSignatureIsRefused) {
  std::string body = fixture_text("webhook_form_response.json");
  auto r = deliver(http::Headers{}, body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "missing Typeform-Signature header");
}

}  // namespace
}  // namespace chorus::connectors
