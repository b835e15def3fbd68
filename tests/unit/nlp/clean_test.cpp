// Clean-text stage: HTML, markdown and plain input become display text and a narrower analysis text.
#include "nlp/clean.hpp"

#include <gtest/gtest.h>

#include "nlp/utf8.hpp"
#include "utf8_check.hpp"

namespace chorus::nlp {
namespace {

Document clean(std::string raw, TextFormat format) {
  Document doc;
  doc.raw = std::move(raw);
  doc.format = format;
  CleanStage().run(doc);
  return doc;
}

bool has(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

TEST(CleanHtml, DecodesEntitiesAndDropsTags) {
  Document d =
      clean("<p>Tom &amp; Jerry&#39;s <b>sync</b> &lt;fails&gt; &eacute;t&eacute; &#x1F600;</p>", TextFormat::html);
  EXPECT_EQ(d.text, "Tom & Jerry's sync <fails> \xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(d.analysis_text, d.text);
}

TEST(CleanHtml, BlocksAndBreaksBecomeLineBreaks) {
  Document d = clean("<div>first line<br>second line</div><p>next paragraph</p><ul><li>a item</li><li>b item</li></ul>",
                     TextFormat::html);
  EXPECT_EQ(d.text, "first line\nsecond line\n\nnext paragraph\n\na item\nb item");
}

TEST(CleanHtml, ScriptsAndStylesAreSkipped) {
  Document d = clean("<style>p{color:red}</style><p>visible</p><script>alert('x')</script>", TextFormat::html);
  EXPECT_EQ(d.text, "visible");
}

TEST(CleanHtml, CodeBlocksStayInTextButLeaveAnalysis) {
  Document d = clean("<p>Export fails:</p><pre><code>Error: ENOENT\n  at open()</code></pre><p>please help</p>",
                     TextFormat::html);
  EXPECT_TRUE(has(d.text, "Error: ENOENT"));
  EXPECT_FALSE(has(d.analysis_text, "ENOENT"));
  EXPECT_TRUE(has(d.analysis_text, "Export fails:"));
  EXPECT_TRUE(has(d.analysis_text, "please help"));
}

TEST(CleanHtml, QuotedRepliesStayInTextButLeaveAnalysis) {
  Document d = clean(
      "<aside class=\"quote no-group\" data-username=\"bob\"><div class=\"title\">bob:</div>"
      "<blockquote><p>I love the old version</p></blockquote></aside><p>The new one is worse</p>"
      "<blockquote>plain quote</blockquote>",
      TextFormat::html);
  EXPECT_TRUE(has(d.text, "I love the old version"));
  EXPECT_TRUE(has(d.text, "plain quote"));
  EXPECT_FALSE(has(d.analysis_text, "love"));
  EXPECT_FALSE(has(d.analysis_text, "plain quote"));
  EXPECT_TRUE(has(d.analysis_text, "The new one is worse"));
}

TEST(CleanHtml, EmojiImagesBecomeTheirAltText) {
  Document d = clean(
      "<p>Thanks <img src=\"/images/emoji/smile.png\" class=\"emoji\" alt=\":smile:\"> "
      "<img src=\"photo.png\" alt=\"screenshot\"></p>",
      TextFormat::html);
  EXPECT_EQ(d.analysis_text, "Thanks :smile:");
}

TEST(CleanHtml, LinksKeepTheirTextAndBareUrlsLeaveAnalysis) {
  Document d =
      clean("<p>See <a href=\"https://example.com/x\">the docs</a> or https://example.com/y.</p>", TextFormat::html);
  EXPECT_EQ(d.text, "See the docs or https://example.com/y.");
  EXPECT_EQ(d.analysis_text, "See the docs or .");
}

TEST(CleanHtml, DeeplyNestedMarkupStaysFastAndKeepsText) {
  std::string html;
  for (int i = 0; i < 50000; ++i) html += "<div><b>";
  html += "deep text";
  Document d = clean(html, TextFormat::html);
  EXPECT_EQ(d.text, "deep text");
}

TEST(CleanMarkdown, StripsEmphasisHeadersLinksAndListMarkers) {
  Document d = clean(
      "# Sync is **really** _slow_\n\n- see [the guide](https://x.io/guide) \n- snake_case_name stays\n"
      "1. ~~old~~ new",
      TextFormat::markdown);
  EXPECT_EQ(d.text, "Sync is really slow\n\nsee the guide\nsnake_case_name stays\nold new");
}

TEST(CleanMarkdown, FencedAndIndentedCodeLeaveAnalysis) {
  Document d =
      clean("It breaks:\n\n```js\nthrow new Error('boom')\n```\n\n    indented_code();\n\nAfter code `inline` ok",
            TextFormat::markdown);
  EXPECT_TRUE(has(d.text, "throw new Error('boom')"));
  EXPECT_TRUE(has(d.text, "indented_code();"));
  EXPECT_FALSE(has(d.analysis_text, "boom"));
  EXPECT_FALSE(has(d.analysis_text, "indented_code"));
  EXPECT_TRUE(has(d.analysis_text, "After code inline ok"));
}

TEST(CleanMarkdown, AnIssueFormsEmptyFieldLeavesAnalysis) {
  Document d =
      clean("### Current behaviour\r\n\r\nThe export drops the header row.\r\n\r\n### Logs\r\n\r\n_No response_\r\n",
            TextFormat::markdown);
  EXPECT_TRUE(has(d.text, "No response"));
  EXPECT_FALSE(has(d.analysis_text, "No response"));
  EXPECT_TRUE(has(d.analysis_text, "The export drops the header row."));
  Document last =
      clean("<details><summary>Logs</summary>\n\n### Logs\n\n_No response_</details>", TextFormat::markdown);
  EXPECT_FALSE(has(last.analysis_text, "No response")) << "the placeholder that closes an HTML block";
  Document said = clean("Support: no response for a week.", TextFormat::markdown);
  EXPECT_TRUE(has(said.analysis_text, "no response for a week")) << "a reporter's own words stay";
}

TEST(CleanMarkdown, HtmlCommentsAreNeitherShownNorRead) {
  Document d = clean(
      "<!-- Please search existing issues before filing. -->\nThe sidebar flickers.\n<!--\nDescribe the bug.\n"
      "```\ncode\n```\n-->\nOnly on Windows <!-- which version? --> 11.",
      TextFormat::markdown);
  EXPECT_FALSE(has(d.text, "search")) << d.text;
  EXPECT_FALSE(has(d.text, "Describe the bug"));
  EXPECT_FALSE(has(d.text, "which version"));
  EXPECT_TRUE(has(d.analysis_text, "The sidebar flickers."));
  EXPECT_TRUE(has(d.analysis_text, "Only on Windows 11."));
  Document code = clean("```html\n<!-- a comment in code -->\n```\n", TextFormat::markdown);
  EXPECT_TRUE(has(code.text, "<!-- a comment in code -->")) << "code is shown as written";
}

TEST(CleanMarkdown, TablesAreShownNotRead) {
  Document d = clean(
      "The export crashes.\n\nExtension|Author (truncated)|Version\n---|---|---\ngitlens|eamodio|14.3.0\n"
      "search-helper|kam|0.0.1\n\nIt started after the update.",
      TextFormat::markdown);
  EXPECT_TRUE(has(d.text, "gitlens"));
  EXPECT_FALSE(has(d.analysis_text, "truncated"));
  EXPECT_FALSE(has(d.analysis_text, "search-helper"));
  EXPECT_TRUE(has(d.analysis_text, "The export crashes."));
  EXPECT_TRUE(has(d.analysis_text, "It started after the update."));
  Document pipes = clean("Import works | export fails", TextFormat::markdown);
  EXPECT_EQ(pipes.analysis_text, "Import works | export fails") << "a pipe without a delimiter row is prose";
}

// What the themes read: an issue form's parts are read by the category but not by the themes.
std::string themes_of(const Document& d) { return d.theme_text ? *d.theme_text : d.analysis_text; }

TEST(CleanMarkdownForms, AFieldWhoseLabelIsAHeadingAndItsShortAnswerAreNotThemes) {
  Document d = clean(
      "### Issue type\n\nFeature Request\n\n### OS platform and distribution\n\nLinux Ubuntu 22.04\n\n"
      "### Current behaviour\n\nThe export to CSV drops every second row when the file is large.\n",
      TextFormat::markdown);
  EXPECT_TRUE(has(d.analysis_text, "Feature Request")) << "the category still reads the form";
  EXPECT_TRUE(has(d.analysis_text, "Ubuntu"));
  ASSERT_TRUE(d.theme_text.has_value());
  EXPECT_FALSE(has(*d.theme_text, "Feature Request")) << *d.theme_text;
  EXPECT_FALSE(has(*d.theme_text, "platform"));
  EXPECT_FALSE(has(*d.theme_text, "Ubuntu"));
  EXPECT_FALSE(has(*d.theme_text, "Current behaviour")) << "a heading labels what follows";
  EXPECT_TRUE(has(*d.theme_text, "The export to CSV drops every second row when the file is large."));
  EXPECT_TRUE(has(d.text, "Linux Ubuntu 22.04")) << "everything is still shown";
}

TEST(CleanMarkdownForms, ALongAnswerUnderAHeadingIsRead) {
  Document d = clean("## Sync\n\nSync stopped working after the last update and my notes are gone.\n\n## More\n\nok",
                     TextFormat::markdown);
  EXPECT_TRUE(has(themes_of(d), "Sync stopped working after the last update and my notes are gone."));
  EXPECT_FALSE(has(themes_of(d), "## Sync"));
}

TEST(CleanMarkdownForms, ChecklistItemsAndTheirContinuationsAreNotThemes) {
  Document d = clean(
      "- [x] I have searched the existing issues\n- [ ] There is a performance test in the extra repository\n"
      "      Patch to the extra repository has the same branch name.\n\nThe search box ignores accents.",
      TextFormat::markdown);
  ASSERT_TRUE(d.theme_text.has_value());
  EXPECT_FALSE(has(*d.theme_text, "searched"));
  EXPECT_FALSE(has(*d.theme_text, "performance"));
  EXPECT_FALSE(has(*d.theme_text, "Patch")) << *d.theme_text;
  EXPECT_TRUE(has(*d.theme_text, "The search box ignores accents."));
  EXPECT_TRUE(has(d.analysis_text, "I have searched the existing issues"));
  Document list = clean("- Dark mode\n- Offline sync", TextFormat::markdown);
  EXPECT_FALSE(list.theme_text.has_value()) << "a list without boxes is the reporter's";
  EXPECT_TRUE(has(themes_of(list), "Offline sync"));
}

TEST(CleanMarkdownForms, EnvironmentFieldsAreNotThemes) {
  Document d = clean(
      "Notifications arrive twice.\n\nVS Code version: Code 1.83.0\nOS version: Windows_NT x64 10.0.22621\n"
      "- OS Platform and Distribution (e.g., Linux Ubuntu 16.04): Ubuntu 20.04\nSteps: open the app and wait",
      TextFormat::markdown);
  ASSERT_TRUE(d.theme_text.has_value());
  EXPECT_FALSE(has(*d.theme_text, "Windows_NT"));
  EXPECT_FALSE(has(*d.theme_text, "Code 1.83.0"));
  EXPECT_FALSE(has(*d.theme_text, "Ubuntu 20.04"));
  EXPECT_TRUE(has(*d.theme_text, "Notifications arrive twice."));
  EXPECT_TRUE(has(*d.theme_text, "Steps: open the app and wait")) << "a label that names no environment";
  Document prose = clean(
      "My device: it overheats whenever I stream video for more than ten minutes in a row, "
      "every single evening since the update",
      TextFormat::markdown);
  EXPECT_FALSE(prose.theme_text.has_value()) << "a long answer is prose";
  Document link = clean("Version history: https://example.com/changes", TextFormat::markdown);
  EXPECT_TRUE(link.theme_text.has_value()) << "a field whose answer is a link is still a field";
}

TEST(CleanMarkdownForms, CollapsedDetailsAreNotThemesButAWrapperIsRead) {
  Document d = clean(
      "The editor freezes on paste.\n\n<details>\n<summary>System Info</summary>\n\nGPU Status: enabled\n"
      "Screen reader in use\n</details>\nIt started in the last release.",
      TextFormat::markdown);
  ASSERT_TRUE(d.theme_text.has_value());
  EXPECT_FALSE(has(*d.theme_text, "Screen reader")) << *d.theme_text;
  EXPECT_TRUE(has(d.analysis_text, "Screen reader"));
  EXPECT_TRUE(has(*d.theme_text, "The editor freezes on paste."));
  EXPECT_TRUE(has(*d.theme_text, "It started in the last release.")) << "the block ends at its closing tag";
  Document wrapped =
      clean("<details><summary>Click to expand!</summary>\n\nThe billing page charges twice for one seat.\n</details>",
            TextFormat::markdown);
  EXPECT_TRUE(has(themes_of(wrapped), "The billing page charges twice for one seat."))
      << "a block around the whole text is a wrapper";
}

TEST(CleanMarkdownForms, PlainTextHasNoSeparateThemeText) {
  EXPECT_FALSE(clean("### Version\n\n2.1", TextFormat::plain).theme_text.has_value());
  EXPECT_FALSE(clean("The app is not compatible with Windows 10.", TextFormat::markdown).theme_text.has_value());
}

TEST(CleanMarkdown, QuotesLeaveAnalysis) {
  Document d = clean("> I love it\n> really\n\nI hate it", TextFormat::markdown);
  EXPECT_TRUE(has(d.text, "I love it"));
  EXPECT_EQ(d.analysis_text, "I hate it");
}

TEST(CleanPlain, DecodesCommonEntities) {
  Document d = clean("Fish &amp; chips &quot;great&quot; &#8212; &bogus; & more", TextFormat::plain);
  EXPECT_EQ(d.text, "Fish & chips \"great\" \xE2\x80\x94 &bogus; & more");
}

TEST(CleanPlain, CollapsesWhitespace) {
  Document d = clean("  lots \t of   space \n\n\n\n next\xC2\xA0word  ", TextFormat::plain);
  EXPECT_EQ(d.text, "lots of space\n\nnext word");
  EXPECT_EQ(d.analysis_text, "lots of space\nnext word");
}

TEST(CleanPlain, EmoticonsAndEmojiSurvive) {
  Document d = clean("Works :) but slow :( \xF0\x9F\x98\xA1 <3", TextFormat::plain);
  EXPECT_EQ(d.analysis_text, "Works :) but slow :( \xF0\x9F\x98\xA1 <3");
}

TEST(CleanStackTraces, JavaTraceLinesLeaveAnalysis) {
  Document d = clean(
      "The app crashes on save.\njava.lang.IllegalStateException: boom\n\tat com.acme.Saver.save(Saver.java:42)\n"
      "\tat com.acme.Main.main(Main.java:7)\nCaused by: java.io.IOException: disk\n\t... 3 more\nPlease help",
      TextFormat::plain);
  EXPECT_EQ(d.analysis_text, "The app crashes on save.\nPlease help");
  EXPECT_TRUE(d.has_stack_trace);
  EXPECT_TRUE(has(d.text, "Saver.java:42"));
}

TEST(CleanStackTraces, PythonTracebackLeavesAnalysis) {
  Document d = clean(
      "Import fails\nTraceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    main()\n"
      "ValueError: bad row\nany idea?",
      TextFormat::plain);
  EXPECT_EQ(d.analysis_text, "Import fails\nany idea?");
  EXPECT_TRUE(d.has_stack_trace);
}

TEST(CleanStackTraces, InlineFramesLeaveAnalysis) {
  Document d = clean("Crash: java.lang.NullPointerException at com.foo.A.b(A.java:12) at com.foo.C.d(C.java:3) help",
                     TextFormat::plain);
  EXPECT_EQ(d.analysis_text, "Crash: help");
  EXPECT_TRUE(d.has_stack_trace);
}

TEST(CleanStackTraces, OneLineWithoutColonsOrBracketsIsStillNarrowed) {
  // No ":" or "(" anywhere, so none of the trace rules can apply; the name and the address still go.
  EXPECT_EQ(clean("Saving fails with java.lang.NullPointerException every time", TextFormat::plain).analysis_text,
            "Saving fails with every time");
  EXPECT_EQ(clean("see WWW.Example.com for the steps", TextFormat::plain).analysis_text, "see for the steps");
  EXPECT_EQ(clean("  ... 3 more", TextFormat::plain).analysis_text, "");
  EXPECT_EQ(clean("Sync broke again, nothing to see here", TextFormat::plain).analysis_text,
            "Sync broke again, nothing to see here");
}

TEST(CleanStackTraces, ATraceInACodeBlockIsStillATrace) {
  Document d = clean(
      "Backups fail on Windows:\n\n```\nTraceback (most recent call last):\n  File \"backup.py\", line 12, in run\n"
      "    copy()\nOSError: access denied\n```\n",
      TextFormat::markdown);
  EXPECT_EQ(d.analysis_text, "Backups fail on Windows:");
  EXPECT_TRUE(d.has_stack_trace);
  EXPECT_TRUE(has(d.text, "OSError"));
  Document code = clean("Our config:\n\n```\nretries: 3\nat: 10:30\n```\n", TextFormat::markdown);
  EXPECT_FALSE(code.has_stack_trace) << "a code block alone is no trace";
}

TEST(CleanStackTraces, OrdinaryTextIsNotATrace) {
  Document d = clean("at the moment (sadly) it is slow\nmeet at 10:30", TextFormat::plain);
  EXPECT_EQ(d.analysis_text, "at the moment (sadly) it is slow\nmeet at 10:30");
  EXPECT_FALSE(d.has_stack_trace);
}

TEST(CleanUtf8, InvalidBytesBecomeReplacementCharacters) {
  Document d = clean("bad \xC3\x28 byte \xFF\xFE and \xED\xA0\x80 surrogate \xF0\x9F\x98", TextFormat::plain);
  EXPECT_TRUE(testing::is_valid_utf8(d.text));
  EXPECT_TRUE(testing::is_valid_utf8(d.analysis_text));
  EXPECT_TRUE(has(d.text, "\xEF\xBF\xBD"));
  EXPECT_TRUE(has(d.text, "bad"));
  EXPECT_TRUE(has(d.text, "surrogate"));
}

TEST(CleanUtf8, FirstInvalidByteIsFoundWhereAnIndependentCheckSaysSo) {
  EXPECT_EQ(first_invalid_utf8(""), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80 ok"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("caf\xE9 au lait"), 3u);   // Latin-1 e-acute
  EXPECT_EQ(first_invalid_utf8("ab\xC0\xAF"), 2u);        // overlong
  EXPECT_EQ(first_invalid_utf8("x\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(first_invalid_utf8("ok \xF0\x9F\x98"), 3u);   // cut short
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  // Agrees with the test's own validator on every two-byte string (NUL aside, which that one refuses).
  for (int a = 1; a < 256; ++a)
    for (int b = 1; b < 256; ++b) {
      const char two[] = {static_cast<char>(a), static_cast<char>(b)};
      std::string_view s(two, 2);
      EXPECT_EQ(first_invalid_utf8(s) == std::string_view::npos, testing::is_valid_utf8(s)) << a << " " << b;
    }
}

TEST(CleanUtf8, NulAndControlBytesAreRemoved) {
  using namespace std::string_literals;
  Document d = clean("a\0b\x01"s + "c\x7F"s + "d", TextFormat::plain);
  EXPECT_EQ(d.text, "ab c d");
}

TEST(CleanTitle, TitleIsCleanedInPlace) {
  Document doc;
  doc.raw = "body";
  doc.title = "Sync &amp; export\n broken \xFF";
  CleanStage().run(doc);
  EXPECT_EQ(doc.title, "Sync & export broken \xEF\xBF\xBD");
}

}  // namespace
}  // namespace chorus::nlp
