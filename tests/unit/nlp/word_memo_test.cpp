#include "nlp/word_memo.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chorus::nlp {
namespace {

TEST(WordMemo, ComputesEachWordOnceAndKeepsItsValue) {
  WordMemo<std::string> memo;
  int calls = 0;
  auto upper = [&](std::string_view w) {
    ++calls;
    std::string s(w);
    for (char& c : s) c = static_cast<char>(c - 32);
    return s;
  };
  EXPECT_EQ(memo.get("sync", upper), "SYNC");
  EXPECT_EQ(memo.get("sync", upper), "SYNC");
  EXPECT_EQ(memo.get("sink", upper), "SINK");
  EXPECT_EQ(calls, 2);
  ASSERT_NE(memo.find("sync"), nullptr);
  EXPECT_EQ(*memo.find("sync"), "SYNC");
  EXPECT_EQ(memo.find("syn"), nullptr);    // a prefix is another word
  EXPECT_EQ(memo.find("syncs"), nullptr);  // and so is a longer one
  EXPECT_EQ(memo.find(""), nullptr);
}

TEST(WordMemo, KeepsEveryWordThroughGrowth) {
  WordMemo<int> memo;
  const int n = static_cast<int>(WordMemo<int>::kMaxSlots / 2);  // several doublings, never the reset
  auto key = [](int i) { return std::to_string(i).append("w"); };
  for (int i = 0; i < n; ++i) memo.put(key(i), i);
  for (int i = 0; i < n; ++i) {
    const int* v = memo.find(key(i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(*v, i);
  }
}

TEST(WordMemo, ForgetsWhenFullInsteadOfGrowingWithoutBound) {
  WordMemo<int> memo;
  const int n = static_cast<int>(WordMemo<int>::kMaxSlots);  // more than three quarters of the largest table
  for (int i = 0; i < n; ++i) memo.put("token" + std::to_string(i), i);
  int kept = 0;
  for (int i = 0; i < n; ++i) kept += memo.find("token" + std::to_string(i)) != nullptr;
  EXPECT_LT(kept, n);  // the earliest were forgotten
  const int* last = memo.find("token" + std::to_string(n - 1));
  ASSERT_NE(last, nullptr);  // the latest are still answered
  EXPECT_EQ(*last, n - 1);
}

// Words are compared and hashed several bytes at a time: at every length a memo keeps, a word that differs in any
// one byte is another word, with a hash of its own.
TEST(WordMemo, WordsThatDifferInAnyOneByteAreDifferentWordsAtEveryLength) {
  for (std::size_t n = 1; n <= WordMemo<int>::kMaxWordBytes; ++n) {
    WordMemo<int> memo;
    std::string word(n, 'a');
    memo.put(word, -1);
    for (std::size_t at = 0; at < n; ++at) {
      std::string other = word;
      other[at] = 'b';
      EXPECT_EQ(memo.find(other), nullptr) << "length " << n << ", byte " << at;
      EXPECT_NE(word_hash(other), word_hash(word)) << "length " << n << ", byte " << at;
      memo.put(other, static_cast<int>(at));
    }
    ASSERT_NE(memo.find(word), nullptr) << n;
    EXPECT_EQ(*memo.find(word), -1);
    for (std::size_t at = 0; at < n; ++at) {
      std::string other = word;
      other[at] = 'b';
      ASSERT_NE(memo.find(other), nullptr) << "length " << n << ", byte " << at;
      EXPECT_EQ(*memo.find(other), static_cast<int>(at));
    }
  }
}

TEST(WordHash, ReadsEveryByteOfKeysOfEveryLength) {
  // Keys that share all but one byte, and keys that are a prefix of one another, hash apart.
  const std::string base = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (std::size_t n = 0; n < base.size(); ++n) {
    EXPECT_NE(word_hash(std::string_view(base).substr(0, n)), word_hash(std::string_view(base).substr(0, n + 1))) << n;
    EXPECT_EQ(word_hash(std::string(base.substr(0, n))), word_hash(std::string_view(base).substr(0, n)));
  }
  // A key's hash does not depend on the bytes after it in memory.
  const std::string a = "sync!!!!!!!!", b = "sync????????";
  EXPECT_EQ(word_hash(std::string_view(a).substr(0, 4)), word_hash(std::string_view(b).substr(0, 4)));
  const std::string c = "notifications-xxxxxxxx", d = "notifications-yyyyyyyy";
  EXPECT_EQ(word_hash(std::string_view(c).substr(0, 13)), word_hash(std::string_view(d).substr(0, 13)));
}

TEST(WordMemo, LongWordsAreComputedButNotKept) {
  WordMemo<int> memo;
  std::string long_word(WordMemo<int>::kMaxWordBytes + 1, 'a');
  int calls = 0;
  auto count = [&](std::string_view) { return ++calls; };
  EXPECT_EQ(memo.get(long_word, count), 1);
  EXPECT_EQ(memo.get(long_word, count), 2);
  EXPECT_EQ(memo.find(long_word), nullptr);
  std::string at_limit(WordMemo<int>::kMaxWordBytes, 'b');
  EXPECT_EQ(memo.get(at_limit, count), 3);
  EXPECT_EQ(memo.get(at_limit, count), 3);
}

TEST(WordMemos, EachOwnerKeepsItsOwnMemoAcrossSwitches) {
  WordMemos<std::string, int> by_language;
  by_language.of(std::string_view("en")).put("sync", 1);
  by_language.of(std::string_view("de")).put("sync", 2);
  EXPECT_EQ(*by_language.of(std::string_view("en")).find("sync"), 1);  // back to the first owner
  EXPECT_EQ(*by_language.of(std::string_view("de")).find("sync"), 2);
  EXPECT_EQ(&by_language.of(std::string_view("de")), &by_language.of(std::string_view("de")));
  EXPECT_EQ(by_language.of(std::string_view("fr")).find("sync"), nullptr);

  WordMemos<std::uint64_t, int> by_id;
  by_id.of(std::uint64_t{7}).put("a", 7);
  EXPECT_EQ(by_id.of(std::uint64_t{8}).find("a"), nullptr);
  EXPECT_EQ(*by_id.of(std::uint64_t{7}).find("a"), 7);
}

TEST(WordMemos, OwnersThatComeAndGoDoNotPileUp) {
  // Phrase tables rebuilt batch after batch each bring a new id: memory stays bounded, answers stay right.
  WordMemos<std::uint64_t, int> by_id;
  for (std::uint64_t id = 1; id <= 1000; ++id) {
    EXPECT_EQ(by_id.of(id).get("word", [&](std::string_view) { return static_cast<int>(id); }), static_cast<int>(id));
    EXPECT_LE(by_id.owners(), (WordMemos<std::uint64_t, int>::kMaxOwners));
  }
  EXPECT_EQ(*by_id.of(std::uint64_t{1000}).find("word"), 1000);
  EXPECT_EQ(by_id.of(std::uint64_t{1}).find("word"), nullptr);  // long forgotten, computed anew when asked
}

}  // namespace
}  // namespace chorus::nlp
