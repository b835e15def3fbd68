// Cursor marks: what they cover, how they move, and their text form.
#include "ingest/watermark.hpp"

#include <gtest/gtest.h>

namespace chorus::ingest {
namespace {

TimeMs at(const char* iso) { return *parse_time(iso); }

TEST(Watermark, EmptyCoversNothing) {
  auto w = Watermark::decode("");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->empty());
  EXPECT_FALSE(w->covers(0, "x"));
  EXPECT_FALSE(w->before(0));
  EXPECT_EQ(w->encode(), "");
}

TEST(Watermark, CoversOlderItemsAndKnownIdsAtItsSecond) {
  Watermark w;
  w.observe(at("2026-03-06T09:30:00Z"), "issue:17");
  w.observe(at("2026-03-01T00:00:00Z"), "issue:3");  // older: changes nothing
  w.observe(at("2026-03-06T09:30:00Z"), "issue:18");
  EXPECT_TRUE(w.covers(at("2026-03-06T09:29:59Z"), "issue:99"));
  EXPECT_TRUE(w.covers(at("2026-03-06T09:30:00Z"), "issue:17"));
  EXPECT_TRUE(w.covers(at("2026-03-06T09:30:00Z"), "issue:18"));
  // Written in the same second, after the sync: not covered, so not lost.
  EXPECT_FALSE(w.covers(at("2026-03-06T09:30:00Z"), "issue:19"));
  EXPECT_FALSE(w.covers(at("2026-03-06T09:30:01Z"), "issue:17"));
  EXPECT_TRUE(w.before(at("2026-03-06T09:29:59Z")));
  EXPECT_FALSE(w.before(at("2026-03-06T09:30:00Z")));
  EXPECT_EQ(w.encode(), "2026-03-06T09:30:00Z|issue%3A17,issue%3A18");

  w.observe(at("2026-03-07T00:00:00Z"), "issue:20");  // newer: the ids start over
  EXPECT_EQ(w.encode(), "2026-03-07T00:00:00Z|issue%3A20");
}

TEST(Watermark, RoundTripsIncludingAwkwardIds) {
  Watermark w;
  w.observe(at("2026-03-06T09:30:00.250Z"), "gp:AOqp,TOH|x y");
  w.observe(at("2026-03-06T09:30:00.250Z"), "t3_1tonw41");
  auto back = Watermark::decode(w.encode());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->encode(), w.encode());
  EXPECT_EQ(back->time(), at("2026-03-06T09:30:00.250Z"));
  EXPECT_TRUE(back->covers(at("2026-03-06T09:30:00.250Z"), "gp:AOqp,TOH|x y"));
  EXPECT_TRUE(back->covers(at("2026-03-06T09:30:00.250Z"), "t3_1tonw41"));
  EXPECT_FALSE(back->covers(at("2026-03-06T09:30:00.250Z"), "gp:AOqp"));
}

TEST(Watermark, PlainTimeDecodes) {
  auto w = Watermark::decode("2026-03-06T09:30:00Z");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->covers(at("2026-03-06T09:30:00Z") - 1, "a"));
  EXPECT_FALSE(w->covers(at("2026-03-06T09:30:00Z"), "a"));
}

TEST(Watermark, GarbageIsAnError) {
  auto w = Watermark::decode("t3_abc");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, ErrorCode::bad_request);
  EXPECT_NE(w.error().message.find("t3_abc"), std::string::npos);
}

TEST(Watermark, IdsAtOneSecondAreBounded) {
  Watermark w;
  for (int i = 0; i < 500; ++i) w.observe(at("2026-03-06T09:30:00Z"), "id" + std::to_string(i));
  EXPECT_LT(w.encode().size(), 1000u);
  EXPECT_TRUE(w.covers(at("2026-03-06T09:30:00Z"), "id0"));
}

TEST(NewestId, CoversAtOrBelow) {
  auto n = NewestId::decode("6290024630");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->covers(6290024630));
  EXPECT_TRUE(n->covers(1));
  EXPECT_FALSE(n->covers(6290024631));
  n->observe(6290024700);
  n->observe(5);
  EXPECT_EQ(n->encode(), "6290024700");
  EXPECT_FALSE(NewestId::decode("12a"));
  EXPECT_FALSE(NewestId::decode("")->covers(0));
}

}  // namespace
}  // namespace chorus::ingest
