// Typeform responses -> MappedItem (open text, scores, hidden fields), and the connector's settings checks.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "core/time.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "typeform";

class TypeformMapping : public ::testing::Test {
 protected:
  TypeformMapping() {
    source.type = "typeform";
    source.config = json::object{{"form_id", "lT4Z3j"}};
  }
  json::value response(const char* submitted_at) {
    for (const auto& r : responses.as_array())
      if (r.at("submitted_at").as_string() == submitted_at) return r;
    throw std::runtime_error(std::string("no fixture response at ") + submitted_at);
  }
  const Connector& connector = *find_connector("typeform");
  SourceSettings source;
  json::value responses = testing::read_fixture(kFixtures / "responses.json");
};

TEST_F(TypeformMapping, OpenTextIsTheTextAndTheScoreIsTheRating) {
  json::value r = response("2026-03-02T08:14:03Z");
  auto m = connector.map(r, source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, std::string(r.at("token").as_string()));
  EXPECT_EQ(m->source_info, "TypeformResponse");
  // The long and the short text answer, in form order; the multiple choice is not text.
  EXPECT_EQ(m->text, "Sync has been broken for two days and I lost edits.\n\nUnreliable");
  EXPECT_EQ(m->rating, 3.0);
  EXPECT_EQ(m->extra.at("nps"), 3);
  EXPECT_EQ(m->extra.at("scores"), (json::object{{"nps_score", 3}}));
  EXPECT_EQ(m->timestamp, parse_time("2026-03-02T08:14:03Z"));
  EXPECT_EQ(m->email, "ines.duarte@example.com");
  EXPECT_EQ(m->user_id, "u-1001");
  EXPECT_EQ(m->username, "Ines");
  EXPECT_EQ(m->url, "https://admin.typeform.com/form/lT4Z3j/results#responses");
  EXPECT_EQ(m->extra.at("form_id"), "lT4Z3j");
  EXPECT_EQ(m->extra.at("platform"), "other");
  EXPECT_FALSE(m->title);
}

TEST_F(TypeformMapping, TheFirstScoreIsTheRatingAndEveryScoreIsKept) {
  auto m = connector.map(response("2026-03-04T09:12:45Z"), source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rating, 10.0);
  EXPECT_EQ(m->extra.at("scores"), (json::object{{"nps_score", 10}, {"support_stars", 5}}));
  EXPECT_EQ(m->email, "lea.martin@example.fr");  // from the hidden field
}

TEST_F(TypeformMapping, AnEmailAnswerNamesTheCustomer) {
  auto m = connector.map(response("2026-03-02T10:41:30Z"), source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->email, "tom.becker@example.org");
  EXPECT_FALSE(m->extra.contains("hidden")) << "an empty hidden object is left out";
}

TEST_F(TypeformMapping, AScoreAloneIsFeedbackButChoicesAloneAreNot) {
  auto score_only = connector.map(response("2026-03-03T07:02:10Z"), source);
  ASSERT_TRUE(score_only) << score_only.error().message;
  EXPECT_EQ(score_only->text, "");
  EXPECT_EQ(score_only->rating, 6.0);

  auto choices = connector.map(response("2026-03-03T12:33:00Z"), source);
  ASSERT_FALSE(choices);
  EXPECT_NE(choices.error().message.find("no open-text (short_text, long_text) or score answer"), std::string::npos);
  EXPECT_NE(choices.error().message.find(std::string(response("2026-03-03T12:33:00Z").at("token").as_string())),
            std::string::npos);
}

TEST_F(TypeformMapping, BlankAnswersAreDropped) {
  auto m = connector.map(response("2026-03-05T14:02:17Z"), source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "Search should look inside attached PDFs.");
  EXPECT_FALSE(m->rating);
}

TEST_F(TypeformMapping, WebhookDeliveryMapsLikeTheResponseInside) {
  auto m = connector.map(testing::read_fixture(kFixtures / "webhook_form_response.json"), source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->rating, 2.0);
  EXPECT_EQ(m->user_id, "u-1020");
  EXPECT_FALSE(connector.map(json::object{{"answers", json::array{}}}, source));
}

Status validate(json::object config) {
  json::object credentials;
  return validate_fields(*find_connector("typeform"), config, credentials);
}

TEST(TypeformSettings, FormIdIsRequiredAndBare) {
  auto missing = validate(json::object{});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "config.form_id is required");
  auto url = validate(json::object{{"form_id", "https://acme.typeform.com/to/lT4Z3j"}});
  ASSERT_FALSE(url);
  EXPECT_NE(url.error().message.find("config.form_id must be the form's id alone"), std::string::npos);
  auto size = validate(json::object{{"form_id", "lT4Z3j"}, {"page_size", 5000}});
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().message, "config.page_size must be between 1 and 1000");
  json::object config{{"form_id", "lT4Z3j"}};
  json::object credentials;
  ASSERT_TRUE(validate_fields(*find_connector("typeform"), config, credentials));
  EXPECT_EQ(config.at("base_url"), "https://api.typeform.com");
  EXPECT_EQ(config.at("page_size"), 200);
}

}  // namespace
}  // namespace chorus::connectors
