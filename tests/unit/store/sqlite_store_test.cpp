// SQLite store: tenancy scoping, upserts with revisions, cursor paging, filters, exact rollups and
// near-duplicate lookup, checked against brute-force recounts.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "store/store.hpp"

namespace chorus::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("chorus-store-" + std::to_string(rd()));
    auto s = open_sqlite_store(dir_);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
    auto c = store_->create_customer("acme", "hash-acme");
    ASSERT_TRUE(c);
    customer_ = c->id;
    auto w = store_->create_workspace(customer_, "app");
    ASSERT_TRUE(w);
    ws_ = w->id;
    Source src;
    src.workspace_id = ws_;
    src.type = "discourse";
    src.name = "forum";
    src.sealed_secrets = "sealed";
    auto made = store_->create_source(src);
    ASSERT_TRUE(made) << made.error().message;
    source_ = made->id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  FeedbackRecord record(std::int64_t uid, TimeMs ts, std::string sentiment, double compound,
                        std::vector<std::string> themes = {}, std::string category = "other") {
    FeedbackRecord r;
    r.unique_identifier = uid;
    r.workspace_id = ws_;
    r.source_id = source_;
    r.customer_id = customer_;
    r.source_type = "discourse";
    r.external_id = std::to_string(uid);
    r.text = "text of " + std::to_string(uid);
    r.timestamp = ts;
    r.received_at = ts + 1000;
    r.sentiment_type = std::move(sentiment);
    r.sentiment_compound = compound;
    r.category = std::move(category);
    r.language_code = "en";
    r.themes = std::move(themes);
    return r;
  }

  std::vector<FeedbackRecord> commit(std::vector<FeedbackRecord> records) {
    PageCommit page;
    page.workspace_id = ws_;
    page.source_id = source_;
    page.records = std::move(records);
    auto stored = store_->commit_page(page);
    EXPECT_TRUE(stored) << stored.error().message;
    EXPECT_TRUE(store_->apply_rollups(*stored));
    return *stored;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  Id customer_ = 0, ws_ = 0, source_ = 0;
};

constexpr TimeMs kDay = 86400000;
const TimeMs kMar2 = *parse_time("2026-03-02T00:00:00Z");

TEST_F(SqliteStoreTest, WorkspacesAreScopedToTheirCustomer) {
  auto other = store_->create_customer("other", "hash-other");
  ASSERT_TRUE(other);
  auto mine = store_->get_workspace(customer_, ws_);
  EXPECT_TRUE(mine);
  auto theirs = store_->get_workspace(other->id, ws_);
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code, ErrorCode::not_found);
  EXPECT_EQ(*store_->customer_for_key_hash("hash-acme"), customer_);
  EXPECT_FALSE(store_->customer_for_key_hash("nope")->has_value());
}

TEST_F(SqliteStoreTest, UpsertBumpsRevisionAndKeepsFirstSeen) {
  auto first = commit({record(1, kMar2, "negative", -0.5)});
  EXPECT_EQ(first[0].revision, 1);
  auto again = record(1, kMar2, "positive", 0.6);
  again.received_at = kMar2 + 99999;
  auto second = commit({again});
  EXPECT_EQ(second[0].revision, 2);
  EXPECT_EQ(second[0].received_at, kMar2 + 1000);
  auto got = store_->get_record(ws_, 1);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->sentiment_type, "positive");
  auto src = store_->get_source(ws_, source_);
  EXPECT_EQ(src->status.items_total, 1);
}

TEST_F(SqliteStoreTest, CursorAndSyncCommitWithThePage) {
  auto sync = store_->create_sync(ws_, source_);
  ASSERT_TRUE(sync);
  PageCommit page;
  page.workspace_id = ws_;
  page.source_id = source_;
  page.records = {record(1, kMar2, "neutral", 0)};
  page.sync_id = sync->id;
  ASSERT_TRUE(store_->commit_page(page));
  EXPECT_EQ(store_->get_sync(ws_, sync->id)->state, "queued");
  EXPECT_EQ(store_->get_source(ws_, source_)->status.cursor, "");
  page.records = {record(2, kMar2, "neutral", 0), record(1, kMar2, "neutral", 0)};
  page.cursor = "2026-03-02T00:00:00Z";
  page.sync_finished = true;
  ASSERT_TRUE(store_->commit_page(page));
  auto done = store_->get_sync(ws_, sync->id);
  EXPECT_EQ(done->state, "done");
  EXPECT_EQ(done->items, 3);
  EXPECT_EQ(done->new_items, 2);
  auto src = store_->get_source(ws_, source_);
  EXPECT_EQ(src->status.cursor, "2026-03-02T00:00:00Z");
  EXPECT_EQ(src->status.state, "ok");
  EXPECT_TRUE(src->status.last_sync_at.has_value());
}

TEST_F(SqliteStoreTest, PagingVisitsEveryRecordOnceNewestFirst) {
  std::vector<FeedbackRecord> rs;
  for (int i = 0; i < 23; ++i) rs.push_back(record(1000 + i, kMar2 + (i % 5) * kDay, "neutral", 0));
  commit(rs);
  FeedbackFilter f;
  f.workspace_id = ws_;
  std::set<std::int64_t> seen;
  std::optional<std::string> cursor;
  TimeMs last = INT64_MAX;
  int pages = 0;
  do {
    auto page = store_->query_feedback(f, 4, cursor);
    ASSERT_TRUE(page);
    for (const auto& r : page->items) {
      EXPECT_TRUE(seen.insert(r.unique_identifier).second);
      EXPECT_LE(r.timestamp, last);
      last = r.timestamp;
    }
    cursor = page->next_cursor;
    ++pages;
  } while (cursor);
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_EQ(pages, 6);
  auto bad = store_->query_feedback(f, 4, std::string("nonsense"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::bad_request);
}

// Every filter combination answered by the store equals a brute-force count over the records.
TEST_F(SqliteStoreTest, FiltersAndRollupsMatchABruteForceRecount) {
  std::mt19937 rng(7);
  const char* sentiments[] = {"positive", "negative", "neutral", "mixed"};
  const char* categories[] = {"bug", "praise", "question"};
  const char* themes[] = {"sync", "export", "search"};
  std::vector<FeedbackRecord> all;
  for (int i = 0; i < 300; ++i) {
    auto r = record(i + 1, kMar2 + static_cast<TimeMs>(rng() % (40 * 24)) * 3600000, sentiments[rng() % 4],
                    (static_cast<int>(rng() % 200) - 100) / 100.0, {themes[rng() % 3]}, categories[rng() % 3]);
    if (rng() % 3 == 0) r.themes.push_back(themes[(rng() % 2) + 1]);
    all.push_back(r);
  }
  commit(all);
  // Re-analysis changes some sentiments: the rollups must follow exactly.
  std::vector<FeedbackRecord> changed;
  for (int i = 0; i < 300; i += 7) {
    all[i].sentiment_type = "negative";
    all[i].sentiment_compound = -0.9;
    changed.push_back(all[i]);
  }
  auto stored = commit(changed);
  EXPECT_TRUE(store_->apply_rollups(stored));  // a redelivered batch changes nothing

  auto brute = [&](const FeedbackFilter& f) {
    std::int64_t n = 0;
    for (const auto& r : all) {
      if (f.from && r.timestamp < *f.from) continue;
      if (f.to && r.timestamp >= *f.to) continue;
      if (f.sentiment && r.sentiment_type != *f.sentiment) continue;
      if (f.category && r.category != *f.category) continue;
      if (f.theme && std::find(r.themes.begin(), r.themes.end(), *f.theme) == r.themes.end()) continue;
      ++n;
    }
    return n;
  };
  for (int mask = 0; mask < 16; ++mask) {
    FeedbackFilter f;
    f.workspace_id = ws_;
    if (mask & 1) f.from = kMar2 + 5 * kDay;
    if (mask & 2) f.to = kMar2 + 25 * kDay;
    if (mask & 4) f.sentiment = "negative";
    if (mask & 8) f.theme = "export";
    for (std::optional<std::string> cat : {std::optional<std::string>{}, std::optional<std::string>{"bug"}}) {
      f.category = cat;
      auto totals = store_->totals(f);
      ASSERT_TRUE(totals);
      EXPECT_EQ(totals->count, brute(f)) << "mask " << mask;
      auto series = store_->report(f, Bucket::week, GroupBy::none);
      ASSERT_TRUE(series);
      std::int64_t sum = 0;
      for (const auto& s : *series)
        for (const auto& p : s.points) {
          sum += p.count;
          EXPECT_EQ(bucket_start(p.t, Bucket::week), p.t);
        }
      EXPECT_EQ(sum, brute(f)) << "mask " << mask;
      // The same answer from the records themselves (a text filter forces that path).
      auto raw = f;
      raw.q = "text of";
      EXPECT_EQ(store_->totals(raw)->count, brute(f)) << "mask " << mask;
    }
  }
  FeedbackFilter all_f;
  all_f.workspace_id = ws_;
  auto top = store_->top_themes(all_f, 10);
  ASSERT_TRUE(top);
  ASSERT_EQ(top->size(), 3u);
  for (const auto& t : *top) {
    FeedbackFilter f = all_f;
    f.theme = t.theme;
    EXPECT_EQ(t.count, brute(f)) << t.theme;
  }
}

TEST_F(SqliteStoreTest, BucketsStartOnUtcBoundaries) {
  TimeMs t = *parse_time("2026-03-04T17:45:12Z");  // a Wednesday
  EXPECT_EQ(format_time(bucket_start(t, Bucket::hour)), "2026-03-04T17:00:00Z");
  EXPECT_EQ(format_time(bucket_start(t, Bucket::day)), "2026-03-04T00:00:00Z");
  EXPECT_EQ(format_time(bucket_start(t, Bucket::week)), "2026-03-02T00:00:00Z");
  EXPECT_EQ(format_time(bucket_start(t, Bucket::month)), "2026-03-01T00:00:00Z");
  EXPECT_EQ(format_time(bucket_start(*parse_time("2026-03-01T23:59:59Z"), Bucket::week)), "2026-02-23T00:00:00Z");
  EXPECT_EQ(format_time(bucket_start(*parse_time("1969-12-31T23:00:00Z"), Bucket::day)), "1969-12-31T00:00:00Z");
}

TEST_F(SqliteStoreTest, NearDuplicateIsTheEarliestSimilarRecord) {
  auto a = record(1, kMar2, "neutral", 0);
  a.simhash = 0xF0F0F0F0F0F0F0F0ULL;
  auto b = record(2, kMar2 + kDay, "neutral", 0);
  b.simhash = a.simhash ^ 0x5;  // 2 bits away
  auto c = record(3, kMar2 + 2 * kDay, "neutral", 0);
  c.simhash = ~a.simhash;
  commit({a, b, c});
  auto dup = store_->find_near_duplicate(ws_, b.simhash, 3, 2, b.timestamp);
  ASSERT_TRUE(dup);
  EXPECT_EQ(*dup, std::optional<std::int64_t>(1));
  // The earliest record is nobody's duplicate, even though a later one is similar.
  EXPECT_FALSE(store_->find_near_duplicate(ws_, a.simhash, 3, 1, a.timestamp)->has_value());
  EXPECT_FALSE(store_->find_near_duplicate(ws_, c.simhash, 3, 3, c.timestamp)->has_value());
}

TEST_F(SqliteStoreTest, DataSurvivesReopening) {
  commit({record(5, kMar2, "positive", 0.7, {"sync"})});
  store_.reset();
  auto s = open_sqlite_store(dir_);
  ASSERT_TRUE(s);
  store_ = std::move(s.value());
  EXPECT_EQ(store_->get_record(ws_, 5)->sentiment_type, "positive");
  FeedbackFilter f;
  f.workspace_id = ws_;
  EXPECT_EQ(store_->totals(f)->count, 1);
}

}  // namespace
}  // namespace chorus::store
