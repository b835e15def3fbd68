// Workspace-aware theme names: the product's name, its core noun and people's names are not themes, and
// variants merge.
#include "insights/theme_naming.hpp"

#include <gtest/gtest.h>

namespace chorus::insights {
namespace {

FeedbackRecord record(std::string text, std::optional<std::string> username = std::nullopt) {
  FeedbackRecord r;
  r.text = std::move(text);
  r.username = std::move(username);
  return r;
}

// Forty records that say nothing of interest, then `texts`: enough records that no word of the texts is in
// more than a few percent of them.
std::vector<FeedbackRecord> filler_then(std::initializer_list<const char*> texts) {
  std::vector<FeedbackRecord> sample;
  for (int i = 0; i < 40; ++i) sample.push_back(record("filler text number " + std::to_string(i)));
  for (const char* t : texts) sample.push_back(record(t));
  return sample;
}

TEST(ThemeNaming, WordsInMostRecordsAndNamesAreHidden) {
  std::vector<FeedbackRecord> sample;
  for (int i = 0; i < 30; ++i) sample.push_back(record("Notely keeps my notes safe, thanks " + std::to_string(i)));
  for (int i = 0; i < 8; ++i) sample.push_back(record("The export button does nothing on my phone " + std::to_string(i)));
  for (int i = 0; i < 12; ++i) sample.push_back(record("Search is slow on my phone " + std::to_string(i)));
  sample.push_back(record("As Pettit said in the other thread, the export is slow", "markus_k"));
  sample.push_back(record("I agree with Pettit about the export"));
  sample.push_back(record("Pettit is right, export needs work"));
  WorkspaceVocabulary v(sample);
  EXPECT_TRUE(v.hides("notely"));         // the product's name, in 30 of 53 records
  EXPECT_TRUE(v.hides("notes"));          // its core noun
  EXPECT_TRUE(v.hides("pettit compared"));  // a person, capitalised inside sentences
  EXPECT_TRUE(v.hides("markus_k reply"));   // a username
  EXPECT_FALSE(v.hides("export button"));   // 11 of 53 records: a topic, not the workspace's vocabulary
}

// A brand is often written in lowercase (tweets, package names), so capitals alone miss it; written
// capitalised inside most sentences and seen in an @handle, it is a name.
TEST(ThemeNaming, NamesSeenInHandlesNeedFewerCapitals) {
  std::vector<FeedbackRecord> sample = filler_then({
      "@podnest_help the app lost my queue",
      "I moved to Podnest last year and the Podnest queue is great",
      "Why does Podnest drain my battery, Podnest?",
      "podnest keeps crashing, and the Podnest widget too",
      "pip install podnest-embed fails, says podnest needs Python 3.12",
      "The Premium plan is fine, and the Premium price too",
      "Premium is pricey and the Premium tier lacks offline mode, premium users say",
  });
  WorkspaceVocabulary v(sample);
  EXPECT_TRUE(v.hides("podnest widget"));  // 5 of 7 sightings inside sentences capitalised, and a handle
  EXPECT_FALSE(v.hides("premium tier"));   // as capitalised, but never a handle
  EXPECT_FALSE(v.hides("help center"));    // a handle's word, but never capitalised
  std::vector<FeedbackRecord> no_handles(sample.begin(), sample.end());
  no_handles[40] = record("the app lost my queue");
  EXPECT_FALSE(WorkspaceVocabulary(no_handles).hides("podnest widget"));  // below the share for names
}

// A handle's word the engine does not know as a word is a name at half its sightings capitalised: brands
// in developer feedback are written as code ("`relaykit`") as often as as names. A known word ("pay") seen
// in a handle ("@LumoPay") keeps the higher share.
TEST(ThemeNaming, UnknownWordsSeenInHandlesAreNamesAtHalfTheirSightingsCapitalised) {
  std::vector<FeedbackRecord> sample = filler_then({
      "@relaykit webhooks stopped again",
      "We call Relaykit from the worker and `relaykit` from the CLI",
      "Since v2 the Relaykit client retries, but relaykit drops events",
      "@LumoPay hiya",
      "I use Pay for rent, and Pay for bills with pay later",
      "With Pay the transfer is quick, but pay links fail",
  });
  WorkspaceVocabulary v(sample);
  EXPECT_TRUE(v.hides("relaykit client"));  // 2 of 4 sightings inside sentences capitalised, and a handle
  EXPECT_FALSE(v.hides("pay links"));       // 3 of 5 capitalised, a handle's word, but a word the engine knows
  std::vector<FeedbackRecord> no_handles(sample.begin(), sample.end());
  no_handles[40] = record("webhooks stopped again");
  EXPECT_FALSE(WorkspaceVocabulary(no_handles).hides("relaykit client"));  // never a handle
}

// What a workspace is about is written as a name in most sentences but not all ("the echo dot"): in a tenth of
// the records, that is enough. A rarer word needs the capitals of kNameShare.
TEST(ThemeNaming, AFrequentWordCapitalisedInMostSentencesIsTheProductsName) {
  std::vector<FeedbackRecord> sample;
  for (int i = 0; i < 60; ++i) sample.push_back(record("The sound is fine in room " + std::to_string(i)));
  for (int i = 0; i < 6; ++i) sample.push_back(record("My Echo lost wifi and the Echo dot too " + std::to_string(i)));
  for (int i = 0; i < 4; ++i) sample.push_back(record("my echo dot is great " + std::to_string(i)));
  for (int i = 0; i < 4; ++i) sample.push_back(record("We bought the Premium plan " + std::to_string(i)));
  sample.push_back(record("We bought the premium plan"));
  WorkspaceVocabulary v(sample);
  EXPECT_TRUE(v.hides("echo dot"));       // 10 of 75 records; 12 of 16 sightings in sentences capitalised
  EXPECT_FALSE(v.hides("premium plan"));  // 4 of 5 sightings capitalised, but in 5 records
  // The same records in German say nothing: every noun there is capitalised.
  for (FeedbackRecord& r : sample) r.language_code = "de";
  EXPECT_FALSE(WorkspaceVocabulary(sample).hides("echo dot"));
}

TEST(ThemeNaming, BuiltInAspectsAreNeverHidden) {
  std::vector<FeedbackRecord> sample;
  for (int i = 0; i < 10; ++i) sample.push_back(record("sync is slow " + std::to_string(i)));
  WorkspaceVocabulary v(sample);
  EXPECT_TRUE(v.hides("sync server"));
  EXPECT_FALSE(v.hides("sync"));
}

TEST(ThemeNaming, AcronymsAndSentenceStartsAreNotNames) {
  std::vector<FeedbackRecord> sample;
  for (int i = 0; i < 40; ++i) sample.push_back(record("filler text number " + std::to_string(i)));
  sample.push_back(record("The API times out. Webhooks too."));
  sample.push_back(record("API limits are low. Webhooks fail."));
  sample.push_back(record("Webhooks are late, the API is slow"));
  WorkspaceVocabulary v(sample);
  EXPECT_FALSE(v.hides("api limits"));
  EXPECT_FALSE(v.hides("webhooks"));
}

TEST(ThemeNaming, VariantsShareAMergeKey) {
  EXPECT_EQ(theme_merge_key("log in"), theme_merge_key("login"));
  EXPECT_EQ(theme_merge_key("log-in"), theme_merge_key("login"));
  EXPECT_EQ(theme_merge_key("sync issue"), theme_merge_key("syncing"));
  EXPECT_EQ(theme_merge_key("export buttons"), theme_merge_key("export button"));
  EXPECT_NE(theme_merge_key("export button"), theme_merge_key("export"));
}

}  // namespace
}  // namespace chorus::insights
