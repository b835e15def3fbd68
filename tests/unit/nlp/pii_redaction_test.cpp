// PII masking: each kind on realistic text, the checksums that keep ordinary numbers, and HTML.
#include "nlp/pii_redaction.hpp"

#include <gtest/gtest.h>

namespace chorus::nlp {
namespace {

RedactionPolicy all() {
  return RedactionPolicy::parse({"email", "phone", "card", "iban", "ip", "url_params"}).value();
}
RedactionPolicy only(std::string kind) { return RedactionPolicy::parse({std::move(kind)}).value(); }
std::string masked(std::string_view text, const RedactionPolicy& p = all()) { return redact_pii(text, p).text; }

TEST(PiiRedaction, EmailsInTextAndHtml) {
  EXPECT_EQ(masked("Write to ana.lopez+shop@example.co.uk please"), "Write to [email] please");
  EXPECT_EQ(masked(R"(<a href="mailto:bob@example.com">bob@example.com</a>)"),
            R"(<a href="mailto:[email]">[email]</a>)");
  EXPECT_EQ(masked("Ping @support or me@home"), "Ping @support or me@home") << "no domain, no address";
  EXPECT_EQ(masked("user@localhost is not routable"), "user@localhost is not routable");
}

TEST(PiiRedaction, CardsOnlyWhenTheLuhnCheckHolds) {
  EXPECT_EQ(masked("My card 4111 1111 1111 1111 was charged twice"), "My card [card] was charged twice");
  EXPECT_EQ(masked("card 5500-0000-0000-0004."), "card [card].");
  EXPECT_EQ(masked("amex 378282246310005"), "amex [card]");
  // Sixteen digits that fail the check are an order number, not a card.
  EXPECT_EQ(masked("order 4111 1111 1111 1112 is late", only("card")), "order 4111 1111 1111 1112 is late");
  EXPECT_TRUE(luhn_valid("79927398713"));
  EXPECT_FALSE(luhn_valid("79927398710"));
  EXPECT_FALSE(luhn_valid("7992a398713"));
}

TEST(PiiRedaction, IbansOnlyWhenTheChecksumHolds) {
  EXPECT_EQ(masked("Refund to DE89 3704 0044 0532 0130 00 thanks"), "Refund to [iban] thanks");
  EXPECT_EQ(masked("IBAN GB82WEST12345698765432."), "IBAN [iban].");
  EXPECT_EQ(masked("fr7630006000011234567890189"), "[iban]") << "lower case too";
  EXPECT_EQ(masked("DE89 3704 0044 0532 0130 01", only("iban")), "DE89 3704 0044 0532 0130 01");
  EXPECT_TRUE(iban_valid("NL91ABNA0417164300"));
  EXPECT_FALSE(iban_valid("NL91ABNA0417164301"));
  EXPECT_FALSE(iban_valid("NL91"));
}

TEST(PiiRedaction, PhoneNumbersInSeveralNationalFormats) {
  const std::string_view phones[] = {
      "+1 415 555 2671", "(415) 555-2671",  "415-555-2671",     "415.555.2671",  "+44 20 7946 0958",
      "020 7946 0958",   "+49 30 1234567",  "+49 (0)30 123456", "06 12 34 56 78", "+33 6 12 34 56 78",
      "+7 495 123-45-67", "+81 3-1234-5678",
  };
  for (std::string_view p : phones) {
    std::string text = "Call me on " + std::string(p) + " tomorrow";
    EXPECT_EQ(masked(text, only("phone")), "Call me on [phone] tomorrow") << p;
  }
  EXPECT_EQ(masked("Tel.: 5551234", only("phone")), "Tel.: [phone]") << "a cue makes a short number a phone";
}

TEST(PiiRedaction, EveryKindAtOnceKeepsTheNumbersThatFailTheirChecks) {
  // With every kind on, a sixteen-digit number that fails Luhn is neither a card nor a phone number.
  EXPECT_EQ(masked("paid with 6011 1111 1111 1117, order 4111 1111 1111 1112 still open"),
            "paid with [card], order 4111 1111 1111 1112 still open");
  EXPECT_EQ(masked("IBAN NL91 ABNA 0417 1643 00 or NL91 ABNA 0417 1643 01?", only("iban")),
            "IBAN [iban] or NL91 ABNA 0417 1643 01?");
  EXPECT_EQ(masked("be71 0961 2345 6769 and GR16 0110 1250 0000 0001 2300 695"), "[iban] and [iban]");
}

TEST(PiiRedaction, MorePhoneFormats) {
  const std::string_view phones[] = {"+91 98765 43210", "+55 11 91234-5678", "+34 612 34 56 78", "(02) 9876 5432",
                                     "+39 06 6982 1234", "0049 30 1234567"};
  for (std::string_view p : phones) {
    std::string text = "Reach me at " + std::string(p) + ", thanks";
    EXPECT_EQ(masked(text, only("phone")), "Reach me at [phone], thanks") << p;
  }
}

TEST(PiiRedaction, EmailsInHtmlMarkupAndEntities) {
  EXPECT_EQ(masked("<p>Contact: <b>ana@example.com</b></p>", only("email")), "<p>Contact: <b>[email]</b></p>");
  EXPECT_EQ(masked("From: Ana &lt;ana@example.com&gt;", only("email")), "From: Ana &lt;[email]&gt;");
  EXPECT_EQ(masked(R"(<span data-user="ana_l@mail.example.org">hi</span>)", only("email")),
            R"(<span data-user="[email]">hi</span>)");
  EXPECT_EQ(masked("<td>support@</td><td>@example.com</td>", only("email")), "<td>support@</td><td>@example.com</td>");
}

TEST(PiiRedaction, OrdinaryNumbersSurvive) {
  const std::string_view keep[] = {
      "Version 3.2.1 crashes",       "Order #12345678 never came", "since 2026-11-03",  "It costs $1,299.00",
      "ORD-2024-1234-5678 is stuck", "build 20261103 is slow",     "I waited 45 minutes", "v10.2.0.1 broke it",
      "room 1234567 at the hotel",   "Error 0x80070005",           "at 12:30:45 it hung",
  };
  for (std::string_view k : keep) EXPECT_EQ(masked(k), k);
}

TEST(PiiRedaction, IpAddresses) {
  EXPECT_EQ(masked("Blocked from 203.0.113.45 again"), "Blocked from [ip] again");
  EXPECT_EQ(masked("my IPv6 is 2001:db8::8a2e:370:7334."), "my IPv6 is [ip].");
  EXPECT_EQ(masked("fe80::1 and ::1"), "[ip] and [ip]");
  EXPECT_EQ(masked("999.1.1.1 is no address", only("ip")), "999.1.1.1 is no address");
}

TEST(PiiRedaction, UrlParameterValues) {
  EXPECT_EQ(masked("See https://shop.example.com/reset?token=abc123&user=ana#step=2 now", only("url_params")),
            "See https://shop.example.com/reset?token=[redacted]&user=[redacted]#step=[redacted] now");
  EXPECT_EQ(masked("https://example.com/docs/page", only("url_params")), "https://example.com/docs/page");
  EXPECT_EQ(masked(R"(<a href="http://x.io/a?id=7">link</a>)", only("url_params")),
            R"(<a href="http://x.io/a?id=[redacted]">link</a>)");
}

TEST(PiiRedaction, OnlyTheChosenKindsAndTheirCounts) {
  std::string_view text = "ana@example.com, +1 415 555 2671, 4111111111111111";
  auto r = redact_pii(text, only("email"));
  EXPECT_EQ(r.text, "[email], +1 415 555 2671, 4111111111111111");
  EXPECT_EQ(r.total(), 1u);
  auto every = redact_pii(text, all());
  EXPECT_EQ(every.text, "[email], [phone], [card]");
  EXPECT_EQ(every.counts[static_cast<std::size_t>(PiiKind::card)], 1u);
  EXPECT_EQ(redact_pii(text, RedactionPolicy{}).text, text) << "nothing chosen, nothing changed";
}

TEST(PiiRedaction, UnknownKindsAreRefusedByName) {
  auto r = RedactionPolicy::parse({"email", "passport"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("passport"), std::string::npos);
  EXPECT_EQ(RedactionPolicy::parse({"ip", "card"})->names(), (std::vector<std::string>{"card", "ip"}));
}

TEST(PiiRedaction, AnyBytesAreSafe) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131 + 7) % 256));
  junk += "@@@..::++((4111";
  auto r = redact_pii(junk, all());
  EXPECT_LE(r.text.size(), junk.size() + 64);
  EXPECT_EQ(masked("Привет, пишите на ivan@example.ru"), "Привет, пишите на [email]");
}

}  // namespace
}  // namespace chorus::nlp
