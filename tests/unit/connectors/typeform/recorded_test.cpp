// Typeform on recorded payloads (tests/fixtures/typeform/recorded/SOURCE.md): Typeform's published
// example delivery, signed and delivered, pushed, and synced through the fake Responses API; a response
// to another form, or one not submitted, is left out alike on every path.
#include <gtest/gtest.h>

#include "connectors/typeform/typeform_connector.hpp"
#include "support/fake_typeform.hpp"
#include "support/sync_harness.hpp"
#include "support/webhook_delivery.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "typeform" / "recorded";
constexpr const char* kSecret = "typeform-recorded-secret";

SourceSettings settings(std::string form_id = testing::FakeTypeform::kFormId) {
  SourceSettings s;
  s.type = "typeform";
  s.config = json::object{{"form_id", std::move(form_id)}};
  return s;
}

Result<testing::Delivered> deliver(const SourceSettings& source) {
  std::string body = json::serialize(testing::read_fixture(kRecorded / "webhook_form_response.json"));
  return testing::deliver_webhook(typeform::connector(), source, "typeform", testing::typeform_signed(kSecret, body),
                                  body, kSecret);
}

TEST(TypeformRecorded, ThePublishedDeliveryBecomesOneRecordOfItsOpenTextAnswers) {
  auto r = deliver(settings());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->items.size(), 1u);
  const MappedItem& m = r->items[0];
  EXPECT_EQ(m.external_id, "a3a12ec67a1365927098a606107fac15");
  EXPECT_EQ(m.text,
            "It's cold right now! I live in an older medium-sized city with a university. Geographically, the area "
            "is hilly.\n\nLaura");
  EXPECT_EQ(m.email, "laura@example.com");
  EXPECT_EQ(m.user_id, "abc123456");
  EXPECT_EQ(m.rating, 2.0);  // the first opinion_scale / rating answer, as answered
  EXPECT_EQ(m.extra.at("scores"), (json::value(json::object{{"NRsxU591jIW9", 2}, {"WOTdC00F8A3h", 3}})));
  EXPECT_EQ(m.timestamp, parse_time("2018-01-18T18:17:02Z"));
  EXPECT_EQ(m.extra.at("form_id"), json::value("lT4Z3j"));
  EXPECT_TRUE(r->skipped.empty());
}

TEST(TypeformRecorded, SyncPushAndWebhookTakeTheSameResponse) {
  testing::FakeTypeform fake(kRecorded);
  testing::SyncHarness h(typeform::connector(),
                         json::object{{"form_id", testing::FakeTypeform::kFormId}, {"base_url", fake.base_url()}},
                         json::object{{"access_token", testing::FakeTypeform::kToken}});
  auto synced = h.sync();
  ASSERT_TRUE(synced) << synced.error().message;
  auto admitted = h.admitted();
  ASSERT_EQ(admitted.kept.size(), 1u);
  auto from_sync = typeform::connector().map(admitted.kept[0], h.source);

  auto whole = testing::read_fixture(kRecorded / "webhook_form_response.json");
  auto pushed = admit_item(typeform::connector(), whole, settings());  // the delivery pushed as it came
  ASSERT_TRUE(pushed && pushed->item);
  auto delivered = deliver(settings());
  ASSERT_TRUE(delivered && delivered->items.size() == 1u);
  ASSERT_TRUE(from_sync);
  EXPECT_EQ(from_sync->external_id, pushed->item->external_id);
  EXPECT_EQ(from_sync->text, pushed->item->text);
  EXPECT_EQ(delivered->items[0].external_id, pushed->item->external_id);
}

TEST(TypeformRecorded, AnotherFormsOrAnUnsubmittedResponseIsLeftOutOnEveryPath) {
  auto other = deliver(settings("Wq7xZp"));
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_TRUE(other->items.empty());
  EXPECT_EQ(other->skipped, std::vector<std::string>{"other_form"});
  auto whole = testing::read_fixture(kRecorded / "webhook_form_response.json");
  EXPECT_EQ(admit_item(typeform::connector(), whole, settings("Wq7xZp"))->skipped, "other_form");

  json::object unsubmitted = whole.at("form_response").as_object();
  unsubmitted.erase("submitted_at");
  EXPECT_EQ(admit_item(typeform::connector(), unsubmitted, settings())->skipped, "partial");

  // Only choices and numbers, no open-text answer: nothing to read, so no record.
  json::object no_words = whole.at("form_response").as_object();
  json::array kept;
  for (const auto& a : no_words.at("answers").as_array())
    if (a.at("type").as_string() != "text") kept.push_back(a);
  no_words["answers"] = std::move(kept);
  EXPECT_EQ(admit_item(typeform::connector(), no_words, settings())->skipped, "no_text");
}

}  // namespace
}  // namespace chorus::connectors
