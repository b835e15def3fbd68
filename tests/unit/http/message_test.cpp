// Headers, query strings, percent-coding and the error object.
#include "http/message.hpp"

#include <gtest/gtest.h>

namespace chorus::http {
namespace {

TEST(Headers, NamesAreCaseInsensitiveAndStoredLowerCased) {
  Headers h;
  h.add("X-Trace-Id", "a");
  EXPECT_EQ(h.items.front().first, "x-trace-id");
  EXPECT_EQ(h.get("X-TRACE-ID"), "a");
  EXPECT_EQ(h.get("missing"), std::nullopt);
}

TEST(Headers, SetReplacesEveryValueAddKeepsThem) {
  Headers h;
  h.add("Link", "a");
  h.add("link", "b");
  EXPECT_EQ(h.items.size(), 2u);
  EXPECT_EQ(h.get("link"), "a");
  h.set("LINK", "c");
  ASSERT_EQ(h.items.size(), 1u);
  EXPECT_EQ(h.get("Link"), "c");
}

TEST(Query, DecodesPairsPlusAndPercent) {
  auto q = parse_query("a=1&b=x%20y&c=p+q&d=%2B&e");
  EXPECT_EQ(q["a"], "1");
  EXPECT_EQ(q["b"], "x y");
  EXPECT_EQ(q["c"], "p q");
  EXPECT_EQ(q["d"], "+");
  EXPECT_EQ(q.count("e"), 1u);
  EXPECT_EQ(q["e"], "");
}

TEST(Query, LastValueWinsAndEmptyPiecesAreSkipped) {
  auto q = parse_query("&x=1&&x=2&");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q["x"], "2");
  EXPECT_TRUE(parse_query("").empty());
}

TEST(Query, DecodedKeys) {
  auto q = parse_query("group%5Fby=theme&a%3Db=1");
  EXPECT_EQ(q["group_by"], "theme");
  EXPECT_EQ(q["a=b"], "1");
}

TEST(PercentDecode, KeepsInvalidEscapesAndPlusOutsideQueries) {
  EXPECT_EQ(percent_decode("100%", false), "100%");
  EXPECT_EQ(percent_decode("%zz%4", false), "%zz%4");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%e2%9C%93", false), "\xE2\x9C\x93");
}

TEST(PercentEncode, LeavesUnreservedAlone) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(percent_encode("\xE2\x9C\x93"), "%E2%9C%93");
  EXPECT_EQ(percent_decode(percent_encode("x y+z%"), false), "x y+z%");
}

TEST(Request, QueryParam) {
  Request req;
  req.query = parse_query("limit=10");
  EXPECT_EQ(req.query_param("limit"), "10");
  EXPECT_EQ(req.query_param("cursor"), std::nullopt);
}

TEST(ErrorResponse, IsTheContractErrorObjectWithEscaping) {
  Response res = error_response(404, "not_found", "workspace \"42\" does not exist");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, R"({"error":{"code":"not_found","message":"workspace \"42\" does not exist"}})");
}

TEST(ReasonPhrase, KnownAndUnknown) {
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(429), "Too Many Requests");
  EXPECT_EQ(reason_phrase(599), "Unknown");
}

}  // namespace
}  // namespace chorus::http
