// Category stage: one example per category, plus the rules that decide between close calls.
#include "nlp/category.hpp"

#include <gtest/gtest.h>

#include "nlp/feedback_models.hpp"
#include "nlp/sentiment.hpp"

namespace chorus::nlp {
namespace {

CategoryResult classify(std::string_view text, std::string_view title = "", bool trace = false) {
  return categorize({text, title, analyze_sentiment(text).compound, trace});
}

// Unambiguous one-liners of every category, as app-store reviews and tickets say them: the trained model
// must get nearly all of them (its accuracy on feedback it was not trained on is in bench/RESULTS.md).
TEST(Category, ClearCasesOfEveryCategory) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"bug", "The app crashes every time I open settings"},
      {"bug", "Export doesn't work since the update"},
      {"bug", "Sync fails with an error"},
      {"bug", "Login button does nothing on Android 14"},
      {"bug", "Notifications stopped arriving after version 3.2"},
      {"bug", "The page freezes when I upload a photo"},
      {"feature_request", "Could you add an option to export to CSV?"},
      {"feature_request", "Would love a family plan"},
      {"question", "Where can I find my invoices?"},
      {"question", "Does the free plan include sync?"},
      {"praise", "Awesome update, great job team"},
      {"praise", "Best budgeting app I have ever used"},
      {"praise", "Support sorted my issue in five minutes, brilliant"},
      {"praise", "Fantastic app, works perfectly"},
      {"complaint", "Delivery took two weeks, unacceptable"},
      {"complaint", "Hidden fees everywhere, not happy"},
      {"other", "+1"},
      {"other", "Hi everyone, first post here"},
      {"other", "same here"},
      {"other", "test"},
  };
  int right = 0;
  std::string wrong;
  for (const auto& [want, text] : cases) {
    std::string_view got = classify(text).category;
    if (got == want) ++right;
    else wrong += "\n  " + std::string(text) + ": " + std::string(got);
  }
  EXPECT_GE(right, 18) << wrong;
}

TEST(Category, StackTraceIsABugSignal) {
  const LinearModel* model = category_model();
  ASSERT_NE(model, nullptr);
  auto bug_probability = [&](bool trace) {
    FeedbackInput in;
    in.text = "Saving a file, see the log below";
    in.language_code = "en";
    in.has_stack_trace = trace;
    in.lexicon = analyze_sentiment(in.text);
    return model->predict(feedback_features(in)).probabilities[0];  // classes start with bug
  };
  EXPECT_EQ(model->classes()[0], "bug");
  EXPECT_GT(bug_probability(true), bug_probability(false) + 0.05);
}

TEST(Category, FeatureRequest) {
  EXPECT_EQ(classify("It would be nice to have a dark mode").category, "feature_request");
  EXPECT_EQ(classify("Please add support for Markdown tables").category, "feature_request");
  EXPECT_EQ(classify("Feature request: allow me to export to CSV").category, "feature_request");
  EXPECT_EQ(classify("I wish I could pin notes").category, "feature_request");
}

TEST(Category, AnIssueTitledAsARequestIsOne) {
  const std::pair<std::string_view, std::string_view> issues[] = {
      {"Support the onEnd event on SVG animations",
       "Animations on SVG elements fire onBegin but there is no onEnd handler, so we poll the animation state "
       "instead."},
      {"Allow exporting boards as PDF",
       "Sharing a board with a client means taking screenshots of it, which lose the cards below the fold."},
      {"Improve tab tooltips in dark themes",
       "The tooltip on file tabs uses a light background in the dark theme. It should follow the theme's colours."},
  };
  for (const auto& [title, text] : issues) EXPECT_EQ(classify(text, title).category, "feature_request") << title;
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

TEST(Category, PraiseNeedsPositiveSentiment) {
  EXPECT_NE(classify("I used to love this app but now it is awful").category, "praise");
}

TEST(Category, Complaint) {
  EXPECT_EQ(classify("Way too expensive for what it offers").category, "complaint");
  EXPECT_EQ(classify("Customer support was rude and slow").category, "complaint");
  EXPECT_EQ(classify("The constant upsell popups are annoying").category, "complaint");
}

TEST(Category, BugSignalsBeatComplaint) {
  EXPECT_EQ(classify("Annoying crash every time I save, please fix").category, "bug");
}

TEST(Category, ConfidenceIsAProbability) {
  CategoryResult r = classify("I use it for my grocery lists");
  EXPECT_GT(r.confidence, 0.0);
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
  doc.analysis_text = "this is amazing, love it";
  doc.sentiment_compound = 0.8;
  CategoryStage().run(doc);
  EXPECT_EQ(doc.category, "praise");
  EXPECT_GT(doc.category_confidence, 0.5);
}

// The rule signals of the text's language join English's: a German crash report carries bug evidence that
// the English list alone does not see, and an English loanword still counts in a German text.
TEST(CategoryRules, TheTextsLanguageAddsItsSignalWords) {
  CategoryInput german{"Die App stürzt ab, sobald ich ein Foto hochlade.", "", -0.5, false, "de"};
  RuleEvidence de = rule_evidence(german);
  CategoryInput as_english = german;
  as_english.language_code = "en";
  RuleEvidence en = rule_evidence(as_english);
  EXPECT_GE(de.signals[0], 2.0) << "bug";
  EXPECT_EQ(en.signals[0], 0.0) << "no English signal in the German text";

  CategoryInput loanword{"Der Bug ist immer noch da", "", -0.3, false, "de"};
  EXPECT_GT(rule_evidence(loanword).signals[0], 0.0) << "English 'bug' counts in German too";
}

TEST(CategoryRules, UnspacedScriptsMatchBySubstring) {
  CategoryInput japanese{"アプリがすぐに落ちます。", "", -0.4, false, "ja"};
  EXPECT_GE(rule_evidence(japanese).signals[0], 2.0);
  CategoryInput question{"どうやってデータを書き出しますか", "", 0.0, false, "ja"};
  EXPECT_GE(rule_evidence(question).question_form, 1.0) << "an opening interrogative";
}

TEST(CategoryRules, QuestionOpenersAndFullWidthQuestionMarksCount) {
  CategoryInput german{"Wie kann ich meine Rechnungen herunterladen", "", 0.0, false, "de"};
  EXPECT_EQ(rule_evidence(german).question_form, 1.0) << "an opener without a question mark";
  CategoryInput chinese{"可以导出数据吗？", "", 0.0, false, "zh"};
  EXPECT_GE(rule_evidence(chinese).question_form, 2.0) << "a closing full-width question mark";
}

// An issue's title is its reporter's summary: one that opens with a request's verb names a request, whatever
// the body goes on to describe.
TEST(CategoryRules, ATitleOpeningWithARequestVerbIsARequest) {
  auto form = [](std::string_view text, std::string_view title) {
    return rule_evidence(CategoryInput{text, title, 0.0, false, "en"}).request_form;
  };
  EXPECT_EQ(form("The importer only reads PNG and JPEG today.", "Support WebP images"), 1.0);
  EXPECT_EQ(form("Exports are CSV only.", "Add an XLSX export"), 1.0);
  EXPECT_EQ(form("Add an XLSX export, CSV is not enough for our finance team.", ""), 1.0) << "no title: the text";
  EXPECT_EQ(form("Feature request: pin notes to the top", ""), 1.0);
  EXPECT_EQ(form("I opened a ticket a week ago.", "Support never answered"), 0.0) << "the help desk, not a verb";
  EXPECT_EQ(form("Three days, no reply.", "Support is useless"), 0.0);
  EXPECT_EQ(form("Every time I add a tag the app closes.", "Adding a tag crashes the app"), 0.0);
  EXPECT_EQ(form("Add an XLSX export please", "Exports"), 0.0) << "with a title, the title decides";
}

// Issue forms ask their reporter for a type ("### Issue type" then a choice); the choice outweighs the
// form's own boilerplate ("Have you reproduced the bug ...?").
TEST(CategoryRules, AnIssueFormsTypeCounts) {
  constexpr std::string_view kBoilerplate = "### Have you reproduced the bug with the nightly build?\n\nNo\n\n";
  auto evidence = [&](std::string_view type) {
    std::string text = "### Issue type\n\n" + std::string(type) + "\n\n" + std::string(kBoilerplate);
    return rule_evidence(CategoryInput{text, "Grouped convolutions on CPU", 0.0, false, "en"});
  };
  RuleEvidence feature = evidence("Feature Request"), support = evidence("Support"), bug = evidence("Bug");
  EXPECT_GT(feature.signals[1], feature.signals[0]);
  EXPECT_GT(support.signals[2], support.signals[1]);
  EXPECT_GE(support.signals[2], 3.0);
  EXPECT_GT(bug.signals[0], feature.signals[0]);
}

TEST(CategoryRules, UnknownLanguagesUseTheEnglishList) {
  CategoryInput swahili{"The app crashes on start", "", -0.5, false, "sw"};
  CategoryInput english = swahili;
  english.language_code = "en";
  EXPECT_EQ(rule_evidence(swahili).signals, rule_evidence(english).signals);
  EXPECT_GT(rule_evidence(swahili).signals[0], 0.0);
}

// Each signal counts once however often it occurs, as in English.
TEST(CategoryRules, ARepeatedSignalCountsOnce) {
  CategoryInput once{"Absturz beim Start.", "", -0.5, false, "de"};
  CategoryInput thrice{"Absturz beim Start. Absturz beim Speichern. Absturz beim Teilen.", "", -0.5, false, "de"};
  EXPECT_EQ(rule_evidence(once).signals[0], rule_evidence(thrice).signals[0]);
}

}  // namespace
}  // namespace chorus::nlp
