// Category stage: one example per category, plus the rules that decide between close calls.
#include "nlp/category.hpp"

#include <gtest/gtest.h>

#include "nlp/sentiment.hpp"

namespace chorus::nlp {
namespace {

CategoryResult classify(std::string_view text, std::string_view title = "", bool trace = false) {
  return categorize({text, title, analyze_sentiment(text).compound, trace});
}

TEST(Category, Bug) {
  EXPECT_EQ(classify("The app crashes every time I open settings").category, "bug");
  EXPECT_EQ(classify("Export doesn't work since the update").category, "bug");
  EXPECT_EQ(classify("Sync fails with an error").category, "bug");
  EXPECT_EQ(classify("Looks like a regression in 2.3").category, "bug");
}

TEST(Category, StackTraceIsABugSignalOnItsOwn) {
  EXPECT_EQ(classify("Saving a file", "", false).category, "other");
  EXPECT_EQ(classify("Saving a file", "", true).category, "bug");
}

TEST(Category, FeatureRequest) {
  EXPECT_EQ(classify("It would be nice to have a dark mode").category, "feature_request");
  EXPECT_EQ(classify("Please add support for Markdown tables").category, "feature_request");
  EXPECT_EQ(classify("Feature request: allow me to export to CSV").category, "feature_request");
  EXPECT_EQ(classify("I wish I could pin notes").category, "feature_request");
}

TEST(Category, PoliteRequestIsNotPraise) {
  CategoryResult r = classify("It would be great if you could add dark mode");
  EXPECT_EQ(r.category, "feature_request");
}

TEST(Category, Question) {
  EXPECT_EQ(classify("How do I export my notes?").category, "question");
  EXPECT_EQ(classify("Is there a way to change the font size").category, "question");
  EXPECT_EQ(classify("Can I use it offline?").category, "question");
  EXPECT_EQ(classify("My notes", "What happens to my notes when I cancel?").category, "question");
}

TEST(Category, Praise) {
  EXPECT_EQ(classify("Love this app, thanks so much!").category, "praise");
  EXPECT_EQ(classify("Awesome update, great job team").category, "praise");
}

TEST(Category, PraiseNeedsPositiveSentiment) {
  EXPECT_NE(classify("I used to love this app but now it is awful").category, "praise");
}

TEST(Category, Complaint) {
  EXPECT_EQ(classify("Way too expensive for what it offers").category, "complaint");
  EXPECT_EQ(classify("Customer support was rude and slow").category, "complaint");
  EXPECT_EQ(classify("The constant upsell popups are annoying").category, "complaint");
}

TEST(Category, BugSignalsBeatComplaint) { EXPECT_EQ(classify("Annoying crash when saving").category, "bug"); }

TEST(Category, Other) {
  CategoryResult r = classify("I use it for my grocery lists");
  EXPECT_EQ(r.category, "other");
  EXPECT_GE(r.confidence, 0.0);
  EXPECT_LE(r.confidence, 1.0);
}

TEST(Category, ConfidenceGrowsWithAClearerWinner) {
  CategoryResult clear = classify("Crash on startup, stack trace attached, regression since the update");
  CategoryResult close = classify("Why does it crash?");
  EXPECT_GT(clear.confidence, close.confidence);
  EXPECT_LE(clear.confidence, 1.0);
  EXPECT_GT(close.confidence, 0.0);
}

TEST(Category, StageReadsSentimentAndTrace) {
  Document doc;
  doc.analysis_text = "thanks, this is amazing";
  doc.sentiment_compound = 0.8;
  CategoryStage().run(doc);
  EXPECT_EQ(doc.category, "praise");
  EXPECT_GT(doc.category_confidence, 0.5);
}

}  // namespace
}  // namespace chorus::nlp
