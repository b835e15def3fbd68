// Google Play on recorded payloads (tests/fixtures/googleplay/recorded/SOURCE.md): the reviews examples
// Google publishes for the Play Developer API, mapped, synced through the fake API and pushed.
#include <gtest/gtest.h>

#include <set>

#include "connectors/googleplay/googleplay_connector.hpp"
#include "support/fake_googleplay.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "googleplay" / "recorded";

SourceSettings settings() {
  SourceSettings s;
  s.type = "googleplay";
  s.config = json::object{{"package_name", testing::FakeGooglePlay::kPackage}};
  return s;
}

TEST(GooglePlayRecorded, ThePublishedListMapsWithDeviceMetadataAndTheReply) {
  auto list = testing::read_fixture(kRecorded / "reviews_list.json");
  const auto& reviews = list.at("reviews").as_array();
  ASSERT_EQ(reviews.size(), 2u);
  auto jane = googleplay::connector().map(reviews[0], settings());
  ASSERT_TRUE(jane) << jane.error().message;
  EXPECT_EQ(jane->external_id, "12345678");
  EXPECT_EQ(jane->text, "This is the best app ever!");
  EXPECT_EQ(jane->rating, 5.0);
  EXPECT_EQ(jane->username, "Jane Bloggs");
  EXPECT_EQ(jane->timestamp, std::int64_t{1443676826713});
  EXPECT_EQ(jane->extra.at("developer_replied"), json::value(false));

  auto john = googleplay::connector().map(reviews[1], settings());
  ASSERT_TRUE(john) << john.error().message;
  EXPECT_EQ(john->text, "I love using this app!");
  EXPECT_EQ(john->extra.at("app_version"), json::value("1.2.3"));
  EXPECT_EQ(john->extra.at("android_os_version"), json::value(21));
  EXPECT_EQ(john->extra.at("device"), json::value("trltecan"));
  EXPECT_EQ(john->extra.at("language"), json::value("en"));
  EXPECT_EQ(john->extra.at("thumbs_up"), json::value(10));
  EXPECT_EQ(john->extra.at("manufacturer"), json::value("Sony"));
  EXPECT_EQ(john->extra.at("developer_replied"), json::value(true));
  EXPECT_EQ(john->url, std::string("https://play.google.com/store/apps/details?id=") +
                           testing::FakeGooglePlay::kPackage + "&reviewId=11223344");
}

TEST(GooglePlayRecorded, ATranslatedReviewKeepsItsOriginalText) {
  auto m = googleplay::connector().map(testing::read_fixture(kRecorded / "review_translated.json"), settings());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->text, "This is the best app ever!");
  EXPECT_EQ(m->extra.at("original_text"), json::value("Dies ist die beste App \u00fcberhaupt!"));
}

TEST(GooglePlayRecorded, SyncAndPushTakeTheSameReviews) {
  testing::FakeGooglePlay fake(kRecorded);
  fake.set_max_results_cap(2);  // two pages, through tokenPagination
  json::object config{{"package_name", testing::FakeGooglePlay::kPackage}, {"base_url", fake.base_url()}};
  json::object creds{{"access_token", testing::FakeGooglePlay::kToken}};
  ASSERT_TRUE(validate_fields(googleplay::connector(), config, creds));
  testing::SyncHarness h(googleplay::connector(), std::move(config), std::move(creds));
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  std::set<std::string> synced;
  auto admitted = h.admitted();
  for (const auto& item : admitted.kept) synced.insert(*get_string(item, "reviewId"));
  EXPECT_EQ(synced, (std::set<std::string>{"12345678", "11223344", "87654321"}));
  EXPECT_TRUE(admitted.skipped.empty());

  std::set<std::string> pushed;
  const json::value list = testing::read_fixture(kRecorded / "reviews.json");
  for (const auto& review : list.as_array()) {
    auto a = admit_item(googleplay::connector(), review, h.source);
    ASSERT_TRUE(a && a->item);
    pushed.insert(a->item->external_id);
  }
  EXPECT_EQ(pushed, synced);
}

}  // namespace
}  // namespace chorus::connectors
