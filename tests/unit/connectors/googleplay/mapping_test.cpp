// Google Play mapping: star rating, the user comment's text and time, device and version metadata.
#include <gtest/gtest.h>

#include "connectors/googleplay/googleplay_connector.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "googleplay";

class GooglePlayMapping : public ::testing::Test {
 protected:
  GooglePlayMapping() { source.config = json::object{{"package_name", "com.tallybook.app"}}; }
  SourceSettings source;
  json::value reviews = testing::read_fixture(kFixtures / "reviews.json");
  const Connector& connector = googleplay::connector();
};

TEST_F(GooglePlayMapping, Review) {
  auto m = connector.map(reviews.as_array()[1], source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "gp:AOqpTOGm1xKc0b2");
  EXPECT_EQ(m->source_info, "GooglePlayReview");
  EXPECT_EQ(m->rating, 1.0);
  EXPECT_FALSE(m->title);
  EXPECT_TRUE(m->text.starts_with("Sync between my phone and tablet"));
  EXPECT_EQ(m->username, "Tom Becker");
  EXPECT_FALSE(m->user_id);
  EXPECT_EQ(m->timestamp, (1771930000LL + 3600) * 1000);
  EXPECT_EQ(m->url, "https://play.google.com/store/apps/details?id=com.tallybook.app&reviewId=gp%3AAOqpTOGm1xKc0b2");
  EXPECT_EQ(m->extra.at("app_version"), json::value("2.0.0"));
  EXPECT_EQ(m->extra.at("app_version_code"), json::value(2000));
  EXPECT_EQ(m->extra.at("android_os_version"), json::value(29));
  EXPECT_EQ(m->extra.at("device"), json::value("starqlte"));
  EXPECT_EQ(m->extra.at("manufacturer"), json::value("Samsung"));
  EXPECT_EQ(m->extra.at("language"), json::value("de"));
  EXPECT_EQ(m->extra.at("thumbs_up"), json::value(30));
  EXPECT_EQ(m->extra.at("developer_replied"), json::value(true));
  EXPECT_EQ(m->extra.at("package_name"), json::value("com.tallybook.app"));
}

TEST_F(GooglePlayMapping, LeadingTabAndNanos) {
  auto m = connector.map(reviews.as_array()[0], source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "Best budgeting app I have tried. The monthly report is brilliant.");
  EXPECT_EQ(m->timestamp, 1771930000LL * 1000 + 120);
  EXPECT_EQ(m->extra.at("developer_replied"), json::value(false));
}

TEST_F(GooglePlayMapping, RejectsReviewsWithoutIdOrComment) {
  EXPECT_EQ(connector.map(json::object{{"authorName", "x"}}, source).error().message,
            "googleplay review has no reviewId");
  auto no_comment = connector.map(json::object{{"reviewId", "gp:1"}, {"comments", json::array{}}}, source);
  ASSERT_FALSE(no_comment);
  EXPECT_NE(no_comment.error().message.find("userComment"), std::string::npos);
}

TEST(GooglePlaySettings, PackageAndToken) {
  const Connector& c = googleplay::connector();
  json::object config{{"package_name", "com.tallybook.app"}}, creds{{"access_token", "ya29.x"}};
  ASSERT_TRUE(validate_fields(c, config, creds));
  EXPECT_EQ(config.at("base_url"), json::value("https://androidpublisher.googleapis.com"));
  EXPECT_EQ(config.at("max_results"), json::value(100));
  json::object bad{{"package_name", "tallybook"}};
  EXPECT_EQ(validate_fields(c, bad, creds).error().message,
            "config.package_name must be a package name such as com.tallybook.app");
  json::object none;
  json::object cfg{{"package_name", "com.tallybook.app"}};
  EXPECT_EQ(validate_fields(c, cfg, none).error().message, "credentials.access_token is required");
}

}  // namespace
}  // namespace chorus::connectors
