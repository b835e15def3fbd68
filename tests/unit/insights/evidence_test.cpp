// Quotes (clear, central, no near-copies), cross-source issue clusters with the people behind them, and
// NPS / CSAT from rating counts.
#include <gtest/gtest.h>

#include <algorithm>

#include "insights/issue_clusters.hpp"
#include "insights/quotes.hpp"
#include "insights/ratings.hpp"

namespace chorus::insights {
namespace {

const TimeMs kT0 = *parse_time("2026-03-10T09:00:00Z");
constexpr TimeMs kHour = 3600000;

FeedbackRecord rec(std::int64_t uid, Id source, std::string text, std::string sentiment, double compound,
                   std::vector<std::string> themes = {"sync"}, TimeMs t = kT0) {
  FeedbackRecord r;
  r.unique_identifier = uid;
  r.source_id = source;
  r.source_type = "src" + std::to_string(source);
  r.text = std::move(text);
  r.sentiment_type = std::move(sentiment);
  r.sentiment_compound = compound;
  r.themes = std::move(themes);
  r.timestamp = t + uid * kHour;
  return r;
}

std::vector<std::int64_t> uids(std::span<const FeedbackRecord> rs, const std::vector<std::size_t>& idx) {
  std::vector<std::int64_t> out;
  for (auto i : idx) out.push_back(rs[i].unique_identifier);
  return out;
}

TEST(Quotes, ClearCentralAndNeverNearCopies) {
  std::vector<FeedbackRecord> rs{
      rec(1, 1, "Sync keeps failing after the update, my notes never reach the phone.", "negative", -0.72),
      rec(2, 1, "Sync keeps failing after the update, my notes never reach the phone!", "negative", -0.74),
      rec(3, 2, "Since the last update sync fails and notes are missing on my phone.", "negative", -0.61),
      rec(4, 3, "sync", "neutral", 0.0),
      rec(5, 2, "I love the new colours in the sidebar, great work on the redesign of the settings page.", "positive",
          0.83),
      rec(6, 3, "Notes do not sync to the phone after updating, it fails every time I try.", "negative", -0.55),
      rec(7, 1, "Sync is a bit slow sometimes but it works after the update.", "mixed", 0.05),
  };
  rs[1].duplicate_of = 1;
  auto picked = uids(rs, pick_quotes(rs, std::string("negative"), {}));
  ASSERT_EQ(picked.size(), 3u);
  // Both copies of the same complaint never appear together, the one-word and off-topic records never do.
  EXPECT_FALSE(std::find(picked.begin(), picked.end(), 1) != picked.end() &&
               std::find(picked.begin(), picked.end(), 2) != picked.end());
  for (std::int64_t bad : {4, 5}) EXPECT_EQ(std::find(picked.begin(), picked.end(), bad), picked.end()) << bad;
  for (std::int64_t uid : picked) {
    auto it = std::find_if(rs.begin(), rs.end(), [&](const auto& r) { return r.unique_identifier == uid; });
    EXPECT_EQ(it->sentiment_type, "negative") << uid;
  }
  // Word-for-word copies without duplicate_of are caught by their overlap.
  rs[1].duplicate_of.reset();
  picked = uids(rs, pick_quotes(rs, std::string("negative"), {}));
  EXPECT_FALSE(std::find(picked.begin(), picked.end(), 1) != picked.end() &&
               std::find(picked.begin(), picked.end(), 2) != picked.end());
  EXPECT_TRUE(pick_quotes({}, std::nullopt, {}).empty());
}

TEST(IssueClusters, OneProblemAcrossThreeSourcesIsOneIssueWithItsPeople) {
  std::vector<FeedbackRecord> rs{
      // GitHub issue, forum thread and support ticket about the same sync failure, in their own words.
      rec(1, 1, "Sync fails after updating to 4.2: notes are not uploaded and the sync spinner never stops.",
          "negative", -0.6, {"sync", "notes"}),
      rec(2, 2, "Since 4.2 my notes won't sync, the spinner keeps spinning forever. Anyone else?", "negative", -0.5,
          {"sync", "spinner"}),
      rec(3, 3, "Customer reports notes not syncing after the 4.2 update, spinner never stops.", "negative", -0.4,
          {"sync", "update"}),
      rec(4, 2, "Same here, notes stopped syncing after the update to 4.2.", "negative", -0.3, {"sync", "notes"}),
      // Unrelated: billing.
      rec(5, 3, "I was charged twice for my subscription this month, please refund.", "negative", -0.5,
          {"billing", "refund"}),
      rec(6, 1, "Double charge on my card for the annual plan, need a refund.", "negative", -0.45,
          {"billing", "refund"}),
      // Something else altogether.
      rec(7, 1, "Praise: the export to PDF is fantastic.", "positive", 0.8, {"export"}),
  };
  rs[0].username = "alice";  // GitHub
  rs[0].email = "Alice@Example.com";
  rs[1].username = "alice_forum";  // the forum, same email: the same person
  rs[1].email = "alice@example.com";
  rs[2].email = "bob@example.com";  // the ticket
  rs[3].username = "carol";         // forum
  rs[4].email = "dave@example.com";
  rs[5].username = "dave";  // GitHub user "dave" with no email: not known to be dave@example.com
  auto clusters = link_issues(rs);
  ASSERT_EQ(clusters.size(), 2u);
  const auto& sync = clusters[0];
  EXPECT_EQ(sync.theme, "sync");
  EXPECT_EQ(sync.members.size(), 4u);
  EXPECT_EQ(sync.sources, (std::vector<Id>{1, 2, 3}));
  EXPECT_EQ(sync.people, 3);  // alice (twice, by email), bob, carol
  EXPECT_EQ(sync.first_seen, rs[0].timestamp);
  EXPECT_EQ(sync.last_seen, rs[3].timestamp);
  EXPECT_NE(std::find(sync.key_phrases.begin(), sync.key_phrases.end(), "sync"), sync.key_phrases.end());
  const auto& billing = clusters[1];
  EXPECT_EQ(billing.theme, "billing");
  EXPECT_EQ(billing.members.size(), 2u);
  EXPECT_EQ(billing.people, 2);
  // Records too far apart in time are not linked.
  auto far = rs;
  far[5].timestamp += 90 * 24 * kHour;
  auto split = link_issues(far);
  EXPECT_EQ(std::count_if(split.begin(), split.end(), [](const auto& c) { return c.theme == "billing"; }), 0);
}

TEST(IssueClusters, TheRecordsOfAnEmergingEpisodeAreOneIssue) {
  // Different words, one theme, one burst: linked through the episode only.
  std::vector<FeedbackRecord> rs{
      rec(1, 1, "The app crashes at checkout when I tap pay", "negative", -0.5, {"checkout", "tap pay"}),
      rec(2, 2, "Checkout keeps crashing since the update, cannot buy anything", "negative", -0.6,
          {"checkout", "update"}),
      rec(3, 3, "Payment page closes itself at checkout", "negative", -0.4, {"checkout", "payment page"}),
      rec(4, 1, "Checkout was quick and pleasant", "positive", 0.6, {"checkout"}, kT0 + 30 * 24 * kHour),
  };
  EXPECT_TRUE(link_issues(rs).empty() || link_issues(rs).front().members.size() < 3);
  std::vector<Episode> episode{{"checkout", kT0, kT0 + 3 * 24 * kHour}};
  auto clusters = link_issues(rs, episode);
  ASSERT_FALSE(clusters.empty());
  EXPECT_EQ(clusters.front().members.size(), 3u);
  EXPECT_EQ(clusters.front().sources, (std::vector<Id>{1, 2, 3}));
}

TEST(People, IdentitiesAcrossSourcesAndAnonymousRecords) {
  std::vector<FeedbackRecord> rs{rec(1, 1, "a", "neutral", 0), rec(2, 2, "b", "neutral", 0),
                                 rec(3, 2, "c", "neutral", 0), rec(4, 1, "d", "neutral", 0),
                                 rec(5, 1, "e", "neutral", 0)};
  rs[0].platform_user_id = "42";
  rs[1].platform_user_id = "42";  // another source type: another person
  rs[2].username = "Zed";
  rs[2].platform_user_id = "42";  // same type as record 2: the same person
  // 4 and 5 are anonymous: each its own person.
  std::vector<std::size_t> all{0, 1, 2, 3, 4};
  EXPECT_EQ(count_people(rs, all), 4);
  rs[3].username = "zed";
  rs[3].source_type = rs[2].source_type;  // same name on the same type, any case
  EXPECT_EQ(count_people(rs, all), 3);
}

TEST(Ratings, NpsForTenPointSourcesAndCsatForFivePointOnes) {
  std::vector<store::RatingCount> counts{
      {1, 1, 2}, {1, 4, 3}, {1, 5, 5},              // app store: 8 of 10 satisfied
      {2, 0, 1}, {2, 6, 2}, {2, 8, 3}, {2, 10, 4},  // survey: 4 promoters, 3 passives, 3 detractors
  };
  auto s = summarize_ratings(counts);
  EXPECT_EQ(s.count, 20);
  ASSERT_TRUE(s.csat);
  EXPECT_EQ(s.csat->count, 10);
  EXPECT_DOUBLE_EQ(s.csat->score, 80.0);
  EXPECT_DOUBLE_EQ(s.csat->average, (2 * 1 + 3 * 4 + 5 * 5) / 10.0);
  EXPECT_EQ(s.csat->sources, std::vector<Id>{1});
  ASSERT_TRUE(s.nps);
  EXPECT_EQ(s.nps->count, 10);
  EXPECT_EQ(s.nps->favourable, 4);
  EXPECT_EQ(s.nps->neutral, 3);
  EXPECT_EQ(s.nps->unfavourable, 3);
  EXPECT_DOUBLE_EQ(s.nps->score, 10.0);
  auto none = summarize_ratings({});
  EXPECT_EQ(none.count, 0);
  EXPECT_FALSE(none.nps);
  EXPECT_FALSE(none.csat);
}

}  // namespace
}  // namespace chorus::insights
