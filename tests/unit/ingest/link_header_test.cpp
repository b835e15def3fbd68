// Link header parsing: GitHub's real header, quoting, several relations, and malformed input.
#include "ingest/link_header.hpp"

#include <gtest/gtest.h>

namespace chorus::ingest {
namespace {

TEST(LinkHeader, GitHubsFourRelations) {
  // The shape GitHub documents for a middle page of a long listing.
  const char* header =
      "<https://api.github.com/repositories/1300192/issues?page=2>; rel=\"prev\", "
      "<https://api.github.com/repositories/1300192/issues?page=4>; rel=\"next\", "
      "<https://api.github.com/repositories/1300192/issues?page=515>; rel=\"last\", "
      "<https://api.github.com/repositories/1300192/issues?page=1>; rel=\"first\"";
  auto links = parse_link_header(header);
  ASSERT_EQ(links.size(), 4u);
  EXPECT_EQ(links[1].url, "https://api.github.com/repositories/1300192/issues?page=4");
  EXPECT_EQ(links[1].rels, (std::vector<std::string>{"next"}));
  EXPECT_EQ(find_link(header, "next"), "https://api.github.com/repositories/1300192/issues?page=4");
  EXPECT_EQ(find_link(header, "last"), "https://api.github.com/repositories/1300192/issues?page=515");
  EXPECT_EQ(find_link(header, "NEXT"), find_link(header, "next"));
}

TEST(LinkHeader, NoNextOnTheLastPage) {
  const char* header =
      "<https://api.github.com/r/1/issues?page=1>; rel=\"first\", "
      "<https://api.github.com/r/1/issues?page=3>; rel=\"prev\"";
  EXPECT_FALSE(find_link(header, "next"));
  EXPECT_FALSE(find_link("", "next"));
}

TEST(LinkHeader, CommasAndSemicolonsInsideTheUrlDoNotSplit) {
  const char* header = "<https://x.test/a?ids=1,2;3&q=a%2Cb>; rel=next, <https://x.test/a?ids=0>; rel=prev";
  auto links = parse_link_header(header);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].url, "https://x.test/a?ids=1,2;3&q=a%2Cb");
  EXPECT_EQ(find_link(header, "next"), "https://x.test/a?ids=1,2;3&q=a%2Cb");  // unquoted token value
  EXPECT_EQ(find_link(header, "prev"), "https://x.test/a?ids=0");
}

TEST(LinkHeader, QuotedParametersMayHoldCommasAndSeveralRelations) {
  const char* header = "</p/2>; title=\"Page, the second; really\"; REL=\"Next Last\", </p/1>;rel=first";
  auto links = parse_link_header(header);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].url, "/p/2");
  EXPECT_EQ(links[0].rels, (std::vector<std::string>{"next", "last"}));
  EXPECT_EQ(find_link(header, "last"), "/p/2");
  EXPECT_EQ(find_link(header, "first"), "/p/1");
}

TEST(LinkHeader, OnlyTheFirstRelCounts) {
  EXPECT_EQ(find_link("</a>; rel=prev; rel=next", "next"), std::nullopt);
  EXPECT_EQ(find_link("</a>; rel=prev; rel=next", "prev"), "/a");
}

TEST(LinkHeader, MalformedLinksAreSkipped) {
  EXPECT_TRUE(parse_link_header("garbage").empty());
  EXPECT_TRUE(parse_link_header("<unterminated; rel=next").empty());
  // A broken link between good ones costs only itself.
  auto links = parse_link_header("</a>; rel=first, nonsense; rel=next, </c>; rel=\"last\"");
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].url, "/a");
  EXPECT_EQ(links[1].url, "/c");
  EXPECT_EQ(find_link("</a> junk; rel=next", "next"), std::nullopt);
  EXPECT_EQ(find_link("</a>; rel=\"next", "next"), "/a");  // an unclosed quote runs to the end
}

}  // namespace
}  // namespace chorus::ingest
