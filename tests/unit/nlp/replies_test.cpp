// Quoted replies and signatures leave the analysis text but stay in the display text.
#include <gtest/gtest.h>

#include "nlp/clean.hpp"
#include "nlp/sentiment.hpp"

namespace chorus::nlp {
namespace {

Document clean(std::string raw, TextFormat format = TextFormat::plain) {
  Document doc;
  doc.raw = std::move(raw);
  doc.format = format;
  CleanStage().run(doc);
  return doc;
}

TEST(CleanReplies, PlainTextQuotedLinesLeaveAnalysis) {
  Document d = clean("Still broken for me.\n> I love the new version\n> works great");
  EXPECT_EQ(d.analysis_text, "Still broken for me.");
  EXPECT_NE(d.text.find("I love the new version"), std::string::npos);
}

TEST(CleanReplies, EverythingAfterOnWroteIsTheQuotedMessage) {
  Document d = clean(
      "Thanks, that fixed it!\n\nOn Tue, 5 Mar 2024 at 10:02, Ann <ann@example.com> wrote:\nThe export "
      "is terrible and crashes");
  EXPECT_EQ(d.analysis_text, "Thanks, that fixed it!");
  Document inline_quote = clean("Works now, thank you. On Mon, Jan 8, 2024 Support wrote: sorry for the crash");
  EXPECT_EQ(inline_quote.analysis_text, "Works now, thank you.");
}

TEST(CleanReplies, OriginalMessageBlockLeavesAnalysis) {
  Document d = clean("Please call me back.\n-----Original Message-----\nFrom: help@example.com\nWe hate delays");
  EXPECT_EQ(d.analysis_text, "Please call me back.");
}

TEST(CleanSignatures, DashDashAndSentFromMyPhoneEndTheMessage) {
  EXPECT_EQ(clean("Sync is broken.\n-- \nJane Doe\nAwesome Corp, best in class").analysis_text, "Sync is broken.");
  EXPECT_EQ(clean("Sync is broken.\nSent from my iPhone").analysis_text, "Sync is broken.");
  EXPECT_EQ(clean("Sync is broken again on Android. Sent from my Samsung Galaxy").analysis_text,
            "Sync is broken again on Android.");
  EXPECT_EQ(clean("Export keeps failing. -- Mark Jensen, IT Manager, Northwind Ltd").analysis_text,
            "Export keeps failing.");
}

TEST(CleanSignatures, SignOffWithANameLeavesAnalysis) {
  EXPECT_EQ(clean("The invoice shows the wrong VAT.\nKind regards,\nLaura Smith").analysis_text,
            "The invoice shows the wrong VAT.");
  EXPECT_EQ(clean("The invoice shows the wrong VAT. Kind regards, Laura").analysis_text,
            "The invoice shows the wrong VAT.");
  EXPECT_EQ(clean("Could you add a calendar view? Thanks, Ben").analysis_text, "Could you add a calendar view?");
}

TEST(CleanSignatures, AClosingSentenceAtTheEndLeavesAnalysis) {
  EXPECT_EQ(clean("The app crashes when I open a PDF. Thanks").analysis_text, "The app crashes when I open a PDF.");
  EXPECT_EQ(clean("Search is broken! Thanks in advance.").analysis_text, "Search is broken!");
  // A bug report that closes politely is not "mixed".
  EXPECT_EQ(analyze_sentiment(clean("Hi team, the app crashes every time I open a PDF. Thanks").analysis_text).type,
            "negative");
  // Thanks inside the sentence is what the writer says.
  EXPECT_EQ(clean("Works now, thanks").analysis_text, "Works now, thanks");
}

TEST(CleanSignatures, OrdinaryWordsAreNotSignatures) {
  // Thanks that carries the message, a dash inside a sentence, "best" as an adjective.
  EXPECT_EQ(clean("Thanks for the quick fix!").analysis_text, "Thanks for the quick fix!");
  EXPECT_EQ(clean("I love it -- but it crashes on startup").analysis_text, "I love it -- but it crashes on startup");
  EXPECT_EQ(clean("Best app ever, thanks").analysis_text, "Best app ever, thanks");
  EXPECT_EQ(clean("Regards to the team for this release, it is great").analysis_text,
            "Regards to the team for this release, it is great");
}

TEST(CleanSignatures, ASignOffDoesNotSwaySentiment) {
  // "Best regards" and "Cheers" read as praise to a lexicon; here the message itself is neutral.
  Document d = clean("The report is due on Friday.\nBest regards,\nAnna");
  EXPECT_EQ(analyze_sentiment(d.analysis_text).compound, 0.0);
}

TEST(CleanSignatures, HtmlAndMarkdownRepliesAreCleanedToo) {
  Document html = clean("<p>Crashes on save.</p><p>Sent from my iPad</p>", TextFormat::html);
  EXPECT_EQ(html.analysis_text, "Crashes on save.");
  EXPECT_NE(html.text.find("Sent from my iPad"), std::string::npos);
  Document md = clean("Crashes on save.\n\nCheers,\nTom", TextFormat::markdown);
  EXPECT_EQ(md.analysis_text, "Crashes on save.");
}

}  // namespace
}  // namespace chorus::nlp
