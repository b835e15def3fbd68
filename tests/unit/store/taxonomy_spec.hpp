// What every Store backend owes workspace taxonomies: an empty document until the first write, versions
// that only a compare-and-set on the current one moves, one document per workspace, kept across reopening.
// Included after store_spec.hpp by each backend's test binary.
#pragma once

#include <atomic>
#include <thread>

#include "unit/store/store_spec.hpp"

namespace chorus::store {

TEST_P(StoreSpec, TaxonomyStartsEmptyAndEachChangeBumpsTheVersion) {
  auto none = store_->get_taxonomy(ws_);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->version, 0);
  EXPECT_EQ(none->body, "{}");

  auto v1 = store_->put_taxonomy(ws_, 0, R"({"hidden":["pricing"]})");
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(*v1, 1);
  auto v2 = store_->put_taxonomy(ws_, 1, R"({"hidden":["sync"]})");
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ(*v2, 2);
  auto now = store_->get_taxonomy(ws_);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->version, 2);
  EXPECT_EQ(now->body, R"({"hidden":["sync"]})");
}

TEST_P(StoreSpec, TaxonomyWriteWithAStaleVersionIsAConflictAndChangesNothing) {
  ASSERT_TRUE(store_->put_taxonomy(ws_, 0, R"({"a":1})"));
  for (std::int64_t stale : {0, 2, 7}) {
    auto lost = store_->put_taxonomy(ws_, stale, R"({"b":2})");
    ASSERT_FALSE(lost) << "expected version " << stale << " should not have been accepted";
    EXPECT_EQ(lost.error().code, ErrorCode::conflict);
  }
  auto kept = store_->get_taxonomy(ws_);
  EXPECT_EQ(kept->version, 1);
  EXPECT_EQ(kept->body, R"({"a":1})");
}

TEST_P(StoreSpec, ConcurrentTaxonomyWritersOnTheSameVersionHaveOneWinner) {
  ASSERT_TRUE(store_->put_taxonomy(ws_, 0, "{}"));
  std::atomic<int> won{0}, conflicts{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 6; ++i)
    writers.emplace_back([&, i] {
      auto r = store_->put_taxonomy(ws_, 1, "{\"writer\":" + std::to_string(i) + "}");
      if (r)
        ++won;
      else if (r.error().code == ErrorCode::conflict)
        ++conflicts;
    });
  for (auto& t : writers) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), 5);
  EXPECT_EQ(store_->get_taxonomy(ws_)->version, 2);
}

TEST_P(StoreSpec, TaxonomiesBelongToOneWorkspaceAndSurviveReopening) {
  auto other = store_->create_workspace(customer_, "second");
  ASSERT_TRUE(other);
  ASSERT_TRUE(store_->put_taxonomy(ws_, 0, R"({"mine":true})"));
  EXPECT_EQ(store_->get_taxonomy(other->id)->version, 0);
  auto theirs = store_->put_taxonomy(other->id, 0, R"({"theirs":true})");
  ASSERT_TRUE(theirs) << theirs.error().message;
  EXPECT_EQ(*theirs, 1);

  store_.reset();
  auto s = backend_->open();
  ASSERT_TRUE(s) << s.error().message;
  store_ = std::move(s.value());
  EXPECT_EQ(store_->get_taxonomy(ws_)->body, R"({"mine":true})");
  EXPECT_EQ(store_->get_taxonomy(other->id)->body, R"({"theirs":true})");
  EXPECT_EQ(store_->get_taxonomy(other->id)->version, 1);
}

}  // namespace chorus::store
