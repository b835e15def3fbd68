// Re-analysis of a stored record: every derived field is replaced, what the source said is kept.
#include "nlp/record_analysis.hpp"

#include <gtest/gtest.h>

#include "nlp/fingerprint.hpp"

namespace chorus::nlp {
namespace {

FeedbackRecord stale() {
  FeedbackRecord r;
  r.unique_identifier = 42;
  r.text = "The app crashes every time I open a PDF attachment. Sent from my iPhone";
  r.title = "Crash on PDF";
  r.rating = 1.0;
  r.external_id = "ext-1";
  r.sentiment_type = "neutral";
  r.category = "other";
  r.themes = {"old theme"};
  r.simhash = 7;
  r.nlp_version = "clean@1";
  r.duplicate_of = 9;
  r.revision = 3;
  return r;
}

TEST(RecordAnalysis, ReplacesEveryDerivedField) {
  FeedbackRecord r = stale();
  reanalyse_record(r);
  EXPECT_EQ(r.language_code, "en");
  EXPECT_EQ(r.language, "English");
  EXPECT_EQ(r.sentiment_type, "negative");
  EXPECT_LT(r.sentiment_compound, 0.0);
  EXPECT_EQ(r.sentiment_score, static_cast<int>(std::lround(r.sentiment_compound * 10)));
  EXPECT_EQ(r.category, "bug");
  EXPECT_GT(r.category_confidence, 0.0);
  EXPECT_NE(r.themes, std::vector<std::string>{"old theme"});
  EXPECT_EQ(r.nlp_version, Pipeline::standard().version());
  // The signature is display text only: the fingerprint is that of the message itself.
  EXPECT_EQ(r.simhash, fingerprint_of("The app crashes every time I open a PDF attachment.", "en"));
}

TEST(RecordAnalysis, KeepsTheTextAndWhatTheSourceSaid) {
  FeedbackRecord r = stale();
  reanalyse_record(r);
  EXPECT_EQ(r.text, stale().text);
  EXPECT_EQ(r.title, stale().title);
  EXPECT_EQ(r.rating, stale().rating);
  EXPECT_EQ(r.external_id, "ext-1");
  EXPECT_EQ(r.revision, 3);      // the store bumps it on upsert
  EXPECT_EQ(r.duplicate_of, 9);  // the caller knows the other records
}

TEST(RecordAnalysis, IsIdempotent) {
  FeedbackRecord once = stale();
  reanalyse_record(once);
  FeedbackRecord twice = once;
  reanalyse_record(twice);
  EXPECT_EQ(record_to_json(once), record_to_json(twice));
  EXPECT_EQ(once.simhash, twice.simhash);
}

}  // namespace
}  // namespace chorus::nlp
