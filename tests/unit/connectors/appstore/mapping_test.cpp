// App Store mapping: rating, title, author and version from the feed's labels; settings validation.
#include <gtest/gtest.h>

#include <algorithm>

#include "connectors/appstore/appstore_connector.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "appstore";

TEST(AppStoreMapping, Review) {
  json::value reviews = testing::read_fixture(kFixtures / "reviews.json");
  SourceSettings source;
  source.config = json::object{{"app_id", "1404176564"}, {"country", "us"}};
  auto m = appstore::connector().map(reviews.as_array()[1], source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "11020300117");
  EXPECT_EQ(m->source_info, "AppStoreReview");
  EXPECT_EQ(m->rating, 2.0);
  EXPECT_EQ(m->title, "Sync broke after update");
  EXPECT_TRUE(m->text.starts_with("Sync broke after update\n\nSince 2.0 my iPad")) << m->text;  // title read too
  EXPECT_EQ(m->format, MappedItem::Format::plain);
  EXPECT_EQ(m->username, "Kiki B.");
  EXPECT_EQ(m->user_id, "781200117");
  EXPECT_EQ(m->timestamp, parse_time("2026-02-12T02:40:02Z"));  // -07:00 in the feed
  EXPECT_EQ(m->url, "https://itunes.apple.com/us/review?id=1404176564&type=Purple%20Software");
  EXPECT_EQ(m->extra.at("app_version"), json::value("2.0.0"));
  EXPECT_EQ(m->extra.at("vote_count"), json::value(5));
  EXPECT_EQ(m->extra.at("vote_sum"), json::value(4));
  EXPECT_EQ(m->extra.at("country"), json::value("us"));
  EXPECT_EQ(m->extra.at("app_id"), json::value("1404176564"));
}

TEST(AppStoreMapping, WithoutALinkTheAppPageIsTheUrl) {
  json::object entry = testing::read_fixture(kFixtures / "reviews.json").as_array()[0].as_object();
  entry.erase("link");
  SourceSettings source;
  source.config = json::object{{"app_id", "id1404176564"}, {"country", "gb"}};
  auto m = appstore::connector().map(json::value(entry), source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->url, "https://apps.apple.com/gb/app/id1404176564");
}

TEST(AppStoreMapping, EntriesThatAreNotReviews) {
  SourceSettings source;
  auto app = appstore::connector().map(json::object{{"id", json::object{{"label", "https://apps.apple.com/x"}}},
                                                    {"im:name", json::object{{"label", "Tallybook"}}}},
                                       source);
  ASSERT_FALSE(app);
  EXPECT_NE(app.error().message.find("im:rating"), std::string::npos);
  EXPECT_FALSE(appstore::connector().map(json::object{}, source));
}

TEST(AppStoreSettings, AppIdAndCountry) {
  const Connector& c = appstore::connector();
  json::object config{{"app_id", "1404176564"}}, creds;
  ASSERT_TRUE(validate_fields(c, config, creds));
  EXPECT_EQ(config.at("country"), json::value("us"));
  EXPECT_EQ(config.at("max_pages"), json::value(10));
  json::object with_id{{"app_id", "id1404176564"}};
  EXPECT_TRUE(validate_fields(c, with_id, creds));
  json::object name{{"app_id", "tallybook"}};
  EXPECT_EQ(validate_fields(c, name, creds).error().message,
            "config.app_id must be the app's numeric id, e.g. 1404176564");
  json::object country{{"app_id", "1"}, {"country", "usa"}};
  EXPECT_NE(validate_fields(c, country, creds).error().message.find("config.country"), std::string::npos);
  json::object number{{"app_id", 1404176564}};
  EXPECT_FALSE(validate_fields(c, number, creds));
}

TEST(AppStoreSettings, CountryIsOneOfTheStorefronts) {
  const Connector& c = appstore::connector();
  json::object creds;
  json::object described = describe_connector(c);
  const json::object* country = nullptr;
  for (const auto& f : described.at("config").as_array())
    if (f.as_object().at("name") == "country") country = &f.as_object();
  ASSERT_NE(country, nullptr);
  EXPECT_EQ(country->at("default"), json::value("us"));
  const json::array& codes = country->at("enum").as_array();
  EXPECT_EQ(codes.size(), 175u);
  for (const char* code : {"us", "gb", "de", "jp", "br", "in", "xk", "zw"})
    EXPECT_NE(std::find(codes.begin(), codes.end(), json::value(code)), codes.end()) << code;
  for (const auto& code : codes) {
    std::string_view cc = code.as_string();
    EXPECT_EQ(cc.size(), 2u) << cc;
    EXPECT_TRUE(std::all_of(cc.begin(), cc.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) << cc;
  }
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end(),
                             [](const json::value& a, const json::value& b) { return a.as_string() < b.as_string(); }));

  json::object upper{{"app_id", "1404176564"}, {"country", "GB"}};
  ASSERT_TRUE(validate_fields(c, upper, creds));
  EXPECT_EQ(upper.at("country"), json::value("gb"));

  for (const char* bad : {"uk", "usa", "eu", "", "g"}) {
    json::object config{{"app_id", "1404176564"}, {"country", bad}};
    auto refused = validate_fields(c, config, creds);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::bad_request);
    EXPECT_EQ(refused.error().message,
              "config.country must be one of the 175 values GET /v1/connectors lists for it, such as us, gb, de or jp")
        << bad;
  }
}

}  // namespace
}  // namespace chorus::connectors
