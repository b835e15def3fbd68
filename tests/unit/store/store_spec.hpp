// The behaviour every Store backend owes: tenancy scoping, upserts with revisions, cursor paging,
// filters, exact rollups and near-duplicate lookup, checked against brute-force recounts. Each
// backend's test binary includes this once and instantiates StoreSpec with its StoreBackend.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "core/near_duplicate_index.hpp"
#include "core/near_duplicate_keys.hpp"
#include "store/page_batch.hpp"
#include "store/store.hpp"

namespace chorus::store {

// One backend under test: opens (and reopens) the same storage, and cleans it up when destroyed.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  virtual Result<std::unique_ptr<Store>> open() = 0;
  // Walks the storage by SQL: every table with a column named workspace or workspace_id (and the workspaces
  // table's id), listing "table.column: N" for each that still has rows of the workspace. Backends that cannot be
  // walked say so in the one entry they return.
  virtual std::vector<std::string> rows_of_workspace(Id) { return {"this backend cannot be walked by SQL"}; }
};

struct BackendFactory {
  std::string name;
  // Returns nullptr and sets `skip` when the backend cannot run here (e.g. no TimescaleDB).
  std::function<std::unique_ptr<StoreBackend>(std::string& skip)> make;
};

inline std::string backend_name(const ::testing::TestParamInfo<BackendFactory>& info) { return info.param.name; }
inline void PrintTo(const BackendFactory& backend, std::ostream* os) { *os << backend.name; }

class StoreSpec : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    std::string skip;
    backend_ = GetParam().make(skip);
    if (!backend_) {
      if (!skip.empty()) GTEST_SKIP() << skip;
      FAIL() << "the " << GetParam().name << " backend did not start";
    }
    auto s = backend_->open();
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
    auto c = store_->create_customer("acme", "hash-acme");
    ASSERT_TRUE(c) << c.error().message;
    customer_ = c->id;
    auto w = store_->create_workspace(customer_, "app");
    ASSERT_TRUE(w) << w.error().message;
    ws_ = w->id;
    auto made = create_forum(ws_);
    ASSERT_TRUE(made) << made.error().message;
    source_ = made->id;
  }

  // A Discourse source in the workspace, the kind most cases store records under.
  Result<Source> create_forum(Id workspace_id, std::string name = "forum") {
    Source src;
    src.workspace_id = workspace_id;
    src.type = "discourse";
    src.name = std::move(name);
    src.sealed_secrets = "sealed";
    return store_->create_source(src);
  }
  // The same pages, for another workspace and source.
  static std::vector<PageCommit> moved_to(std::vector<PageCommit> pages, Id workspace_id, Id source_id) {
    for (auto& page : pages) {
      page.workspace_id = workspace_id;
      page.source_id = source_id;
      for (auto& r : page.records) {
        r.workspace_id = workspace_id;
        r.source_id = source_id;
      }
    }
    return pages;
  }
  // Commits the pages one at a time and returns what they stored, in order.
  std::vector<FeedbackRecord> commit_one_by_one(std::vector<PageCommit>& pages) {
    std::vector<FeedbackRecord> out;
    for (auto& page : pages) {
      auto stored = store_->commit_pages(std::span<PageCommit>(&page, 1));
      EXPECT_TRUE(stored) << stored.error().message;
      if (stored) out.insert(out.end(), stored->begin(), stored->end());
    }
    return out;
  }
  // A second workspace of the customer with a forum source of its own, to store the same records another way.
  struct OtherWorkspace {
    Id ws = 0, source = 0;
  };
  OtherWorkspace other_workspace(const std::string& name) {
    auto ws = store_->create_workspace(customer_, name);
    if (!ws) {
      ADD_FAILURE() << ws.error().message;
      return {};
    }
    auto src = create_forum(ws->id);
    if (!src) {
      ADD_FAILURE() << src.error().message;
      return {};
    }
    return {ws->id, src->id};
  }
  // What commit_two_ways stored each way.
  struct TwoWays {
    Result<std::vector<FeedbackRecord>> at_once;  // the batch, in one commit_pages here
    std::vector<PageCommit> copy;                 // the batch's pages as committed one by one in the other workspace
    std::vector<FeedbackRecord> one_by_one;       // what those stored, in order
  };
  // Stores `before` page by page here and in `other`, then `batch` here in one commit_pages (which marks its
  // pages) and the same pages one by one in `other`.
  TwoWays commit_two_ways(std::vector<PageCommit> before, std::vector<PageCommit>& batch, OtherWorkspace other) {
    auto before_copy = moved_to(before, other.ws, other.source);
    commit_one_by_one(before);
    commit_one_by_one(before_copy);
    auto copy = moved_to(batch, other.ws, other.source);
    auto at_once = store_->commit_pages(batch);
    auto one_by_one = commit_one_by_one(copy);
    return {std::move(at_once), std::move(copy), std::move(one_by_one)};
  }
  void TearDown() override {
    store_.reset();
    backend_.reset();
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
    if (!stored) return {};
    auto applied = store_->apply_rollups(*stored);
    EXPECT_TRUE(applied) << applied.error().message;
    return *stored;
  }

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<Store> store_;
  Id customer_ = 0, ws_ = 0, source_ = 0;
};

constexpr TimeMs kDay = 86400000;
const TimeMs kMar2 = *parse_time("2026-03-02T00:00:00Z");

TEST_P(StoreSpec, WorkspacesAreScopedToTheirCustomer) {
  auto other = store_->create_customer("other", "hash-other");
  ASSERT_TRUE(other);
  auto mine = store_->get_workspace(customer_, ws_);
  EXPECT_TRUE(mine);
  auto theirs = store_->get_workspace(other->id, ws_);
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code, ErrorCode::not_found);
  auto key = store_->find_api_key("hash-acme", now_ms());
  ASSERT_TRUE(key && key->has_value());
  EXPECT_EQ((*key)->customer_id, customer_);
  EXPECT_EQ((*key)->role, "admin");  // a customer's first key: admin over all its workspaces
  EXPECT_FALSE((*key)->workspaces.has_value());
  EXPECT_FALSE(store_->find_api_key("nope", now_ms())->has_value());
}

// A webhook's lookup may be kept between deliveries, but never past a change to the source: new secrets
// and schemes are seen by the next delivery, and a deleted source or workspace is gone at once.
TEST_P(StoreSpec, WebhookLookupsFollowEveryChangeToTheSource) {
  auto first = store_->get_webhook_source(source_);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->sealed_secrets, "sealed");
  EXPECT_EQ(first->workspace_id, ws_);
  ASSERT_TRUE(store_->get_webhook_source(source_));  // a second lookup, maybe kept

  Source changed = *first;
  changed.sealed_secrets = "resealed";
  changed.webhook_scheme = "github";
  ASSERT_TRUE(store_->update_source(changed, false));
  auto after = store_->get_webhook_source(source_);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->sealed_secrets, "resealed");
  EXPECT_EQ(after->webhook_scheme, std::optional<std::string>("github"));

  ASSERT_TRUE(store_->delete_source(ws_, source_));
  auto gone = store_->get_webhook_source(source_);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::not_found);

  auto other = create_forum(ws_, "second");
  ASSERT_TRUE(other);
  ASSERT_TRUE(store_->get_webhook_source(other->id));
  ASSERT_TRUE(store_->delete_workspace(customer_, ws_));
  auto with_workspace = store_->get_webhook_source(other->id);
  ASSERT_FALSE(with_workspace);
  EXPECT_EQ(with_workspace.error().code, ErrorCode::not_found);
}

TEST_P(StoreSpec, ApiKeysKeepRoleScopeAndExpiryAndAreListedPerCustomer) {
  auto other = store_->create_customer("other", "hash-other");
  ASSERT_TRUE(other);
  ApiKey k;
  k.customer_id = customer_;
  k.name = "support team";
  k.role = "viewer";
  k.workspaces = std::vector<Id>{ws_, ws_ + 100};
  k.key_hash = "hash-viewer";
  k.expires_at = now_ms() + kDay;
  k.revoked_at = 1;  // ignored: a new key is never revoked
  auto made = store_->create_api_key(k);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_GT(made->id, 0);
  EXPECT_GT(made->created_at, 0);
  EXPECT_FALSE(made->revoked_at);

  auto found = store_->find_api_key("hash-viewer", now_ms());
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->id, made->id);
  EXPECT_EQ((*found)->name, "support team");
  EXPECT_EQ((*found)->role, "viewer");
  EXPECT_EQ((*found)->workspaces, (std::vector<Id>{ws_, ws_ + 100}));
  EXPECT_EQ((*found)->expires_at, k.expires_at);
  EXPECT_FALSE((*found)->last_used_at);

  ApiKey none = k;
  none.key_hash = "hash-none";
  none.workspaces = std::vector<Id>{};  // a key over no workspace is not a key over all of them
  ASSERT_TRUE(store_->create_api_key(none));
  auto found_none = store_->find_api_key("hash-none", now_ms());
  ASSERT_TRUE(found_none && found_none->has_value());
  ASSERT_TRUE((*found_none)->workspaces.has_value());
  EXPECT_TRUE((*found_none)->workspaces->empty());

  auto mine = store_->list_api_keys(customer_);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 3u);
  EXPECT_EQ((*mine)[0].name, "customer key");
  EXPECT_EQ((*mine)[1].id, made->id);
  auto theirs = store_->list_api_keys(other->id);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->size(), 1u);

  ApiKey dup = k;  // a hash names one key
  EXPECT_FALSE(store_->create_api_key(dup));
}

TEST_P(StoreSpec, RevokedKeysAreFoundWithTheirRevocationAndOnlyByTheirCustomer) {
  auto other = store_->create_customer("other", "hash-other");
  ASSERT_TRUE(other);
  ApiKey k;
  k.customer_id = customer_;
  k.name = "ci";
  k.role = "editor";
  k.key_hash = "hash-ci";
  auto made = store_->create_api_key(k);
  ASSERT_TRUE(made);
  auto foreign = store_->revoke_api_key(other->id, made->id, 5000);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::not_found);
  EXPECT_FALSE((*store_->find_api_key("hash-ci", now_ms()))->revoked_at);

  auto revoked = store_->revoke_api_key(customer_, made->id, 5000);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(revoked->revoked_at, 5000);
  auto again = store_->revoke_api_key(customer_, made->id, 9000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->revoked_at, 5000);  // the first revocation stands
  auto found = store_->find_api_key("hash-ci", now_ms());
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->revoked_at, 5000);
  auto rotate = store_->rotate_api_key(customer_, made->id, "hash-ci-2", now_ms() + kDay);
  ASSERT_FALSE(rotate);
  EXPECT_EQ(rotate.error().code, ErrorCode::conflict);
  EXPECT_FALSE(store_->revoke_api_key(customer_, made->id + 999, 5000));
}

TEST_P(StoreSpec, RotatedKeysAcceptThePreviousHashOnlyWithinItsGrace) {
  ApiKey k;
  k.customer_id = customer_;
  k.name = "deploy";
  k.role = "editor";
  k.key_hash = "hash-old";
  auto made = store_->create_api_key(k);
  ASSERT_TRUE(made);
  const TimeMs until = 1'000'000;
  auto other = store_->create_customer("other", "hash-other");
  ASSERT_TRUE(other);
  auto foreign = store_->rotate_api_key(other->id, made->id, "hash-x", until);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::not_found);

  auto rotated = store_->rotate_api_key(customer_, made->id, "hash-new", until);
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_EQ(rotated->key_hash, "hash-new");
  EXPECT_EQ(rotated->previous_hash, "hash-old");
  EXPECT_EQ(rotated->previous_valid_until, until);

  auto by_new = store_->find_api_key("hash-new", until + 1);
  ASSERT_TRUE(by_new && by_new->has_value());
  EXPECT_EQ((*by_new)->id, made->id);
  auto by_old_within = store_->find_api_key("hash-old", until - 1);
  ASSERT_TRUE(by_old_within && by_old_within->has_value());
  EXPECT_EQ((*by_old_within)->id, made->id);
  auto by_old_after = store_->find_api_key("hash-old", until);
  ASSERT_TRUE(by_old_after);
  EXPECT_FALSE(by_old_after->has_value());

  // Rotating again ends the first secret's grace at once: only the last one before stays valid.
  ASSERT_TRUE(store_->rotate_api_key(customer_, made->id, "hash-newer", until));
  EXPECT_FALSE(store_->find_api_key("hash-old", until - 1)->has_value());
  EXPECT_TRUE(store_->find_api_key("hash-new", until - 1)->has_value());
  // Revoking ends the grace too.
  ASSERT_TRUE(store_->revoke_api_key(customer_, made->id, 7));
  EXPECT_FALSE(store_->find_api_key("hash-new", until - 1)->has_value());
}

TEST_P(StoreSpec, KeyUseIsNotedAtMostOncePerResolution) {
  auto key = store_->find_api_key("hash-acme", now_ms());
  ASSERT_TRUE(key && key->has_value());
  const Id id = (*key)->id;
  const TimeMs t0 = 1'700'000'000'000;
  ASSERT_TRUE(store_->note_api_key_use(id, t0));
  EXPECT_EQ((*store_->find_api_key("hash-acme", t0))->last_used_at, t0);
  ASSERT_TRUE(store_->note_api_key_use(id, t0 + kKeyUseResolutionMs - 1));
  EXPECT_EQ((*store_->find_api_key("hash-acme", t0))->last_used_at, t0);
  ASSERT_TRUE(store_->note_api_key_use(id, t0 + kKeyUseResolutionMs));
  EXPECT_EQ((*store_->find_api_key("hash-acme", t0))->last_used_at, t0 + kKeyUseResolutionMs);
}

TEST_P(StoreSpec, UpsertBumpsRevisionAndKeepsFirstSeen) {
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

TEST_P(StoreSpec, CursorAndSyncCommitWithThePage) {
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

// Items a sync brought that became no record are counted on the sync, by reason, page after page; a page
// of skipped items only still finishes the sync.
TEST_P(StoreSpec, SkippedItemsAddUpOnTheSyncByReason) {
  auto sync = store_->create_sync(ws_, source_);
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->skipped, 0);
  EXPECT_TRUE(sync->skipped_reasons.empty());
  PageCommit page;
  page.workspace_id = ws_;
  page.source_id = source_;
  page.sync_id = sync->id;
  page.records = {record(1, kMar2, "neutral", 0)};
  page.skipped = {{"pull_request", 4}, {"no_text", 1}};
  ASSERT_TRUE(store_->commit_page(page));
  page.records.clear();
  page.skipped = {{"pull_request", 3}, {"no_text", 2}};
  page.sync_finished = true;
  ASSERT_TRUE(store_->commit_page(page));
  auto done = store_->get_sync(ws_, sync->id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, "done");
  EXPECT_EQ(done->items, 1);
  EXPECT_EQ(done->skipped, 10);
  EXPECT_EQ(done->skipped_reasons, (std::map<std::string, std::int64_t>{{"no_text", 3}, {"pull_request", 7}}));
}

TEST_P(StoreSpec, PagingVisitsEveryRecordOnceNewestFirst) {
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
TEST_P(StoreSpec, FiltersAndRollupsMatchABruteForceRecount) {
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

TEST_P(StoreSpec, BucketsStartOnUtcBoundaries) {
  TimeMs t = *parse_time("2026-03-04T17:45:12Z");  // a Wednesday
  EXPECT_EQ(format_time(bucket_start(t, Bucket::hour)), "2026-03-04T17:00:00Z");
  EXPECT_EQ(format_time(bucket_start(t, Bucket::day)), "2026-03-04T00:00:00Z");
  EXPECT_EQ(format_time(bucket_start(t, Bucket::week)), "2026-03-02T00:00:00Z");
  EXPECT_EQ(format_time(bucket_start(t, Bucket::month)), "2026-03-01T00:00:00Z");
  EXPECT_EQ(format_time(bucket_start(*parse_time("2026-03-01T23:59:59Z"), Bucket::week)), "2026-02-23T00:00:00Z");
  EXPECT_EQ(format_time(bucket_start(*parse_time("1969-12-31T23:00:00Z"), Bucket::day)), "1969-12-31T00:00:00Z");
}

TEST_P(StoreSpec, NearDuplicateIsTheEarliestSimilarRecord) {
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

// A record's bands follow it: a new time or a new fingerprint (a re-analysis) is what lookups see next.
TEST_P(StoreSpec, NearDuplicateLookupsFollowUpdatedRecords) {
  auto a = record(1, kMar2, "neutral", 0);
  a.simhash = 0x0123456789ABCDEFULL;
  auto b = record(2, kMar2 + kDay, "neutral", 0);
  b.simhash = a.simhash ^ 0x3;
  commit({a, b});
  EXPECT_EQ(*store_->find_near_duplicate(ws_, b.simhash, 3, 2, b.timestamp), std::optional<std::int64_t>(1));

  a.timestamp = kMar2 + 2 * kDay;  // a now comes after b
  commit({a});
  EXPECT_FALSE(store_->find_near_duplicate(ws_, b.simhash, 3, 2, b.timestamp)->has_value());
  EXPECT_EQ(*store_->find_near_duplicate(ws_, a.simhash, 3, 1, a.timestamp), std::optional<std::int64_t>(2));

  b.simhash = ~a.simhash;  // b re-analysed into something else: its old bands must not answer
  commit({b});
  EXPECT_FALSE(store_->find_near_duplicate(ws_, a.simhash, 3, 1, a.timestamp)->has_value());
  EXPECT_EQ(*store_->find_near_duplicate(ws_, b.simhash ^ 0x1, 3, 9, kMar2 + 5 * kDay),
            std::optional<std::int64_t>(2));
  // Three bits apart, spread over three of the key blocks, is still found; more than the keys reach is refused.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, b.simhash ^ (1ULL << 5) ^ (1ULL << 30) ^ (1ULL << 60), 3, 9,
                                         kMar2 + 5 * kDay),
            std::optional<std::int64_t>(2));
  auto too_far = store_->find_near_duplicate(ws_, b.simhash, 4, 9, kMar2 + 5 * kDay);
  ASSERT_FALSE(too_far);
  EXPECT_EQ(too_far.error().code, ErrorCode::bad_request);
}

// Many records with one fingerprint (one text posted a thousand times): the earliest other one answers,
// whichever copy asks, and moving or changing the earliest copy hands the answer to the next.
TEST_P(StoreSpec, NearDuplicateAmongIdenticalCopiesIsTheEarliestOther) {
  const std::uint64_t fp = 0x5A5A00FF12345678ULL;
  std::vector<FeedbackRecord> copies;
  for (int i = 0; i < 300; ++i) {
    auto r = record(1000 + i, kMar2 + (300 - i) * 60000, "positive", 0.5);  // later ids are earlier in time
    r.simhash = fp;
    copies.push_back(r);
  }
  commit(copies);
  const std::int64_t earliest = 1299, second = 1298;
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 1000, kMar2 + 300 * 60000), std::optional<std::int64_t>(earliest));
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp ^ 0x100, 3, 5000, kMar2 + kDay), std::optional<std::int64_t>(earliest));
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, earliest, kMar2 + 60000), std::nullopt);
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, second, kMar2 + 2 * 60000), std::optional<std::int64_t>(earliest));
  // Same time, lower id first.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 1, kMar2 + 60000), std::nullopt);
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 2000, kMar2 + 60000), std::optional<std::int64_t>(earliest));

  auto moved = copies.back();  // the earliest copy is re-analysed into another text
  moved.simhash = ~fp;
  commit({moved});
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 1000, kMar2 + 300 * 60000), std::optional<std::int64_t>(second));
  EXPECT_EQ(*store_->find_near_duplicate(ws_, ~fp, 3, 7000, kMar2 + kDay), std::optional<std::int64_t>(earliest));
}

// One record changed three times within one page: its key rows are written and replaced in the order of the
// changes, so only the last version answers lookups, at its own time.
TEST_P(StoreSpec, NearDuplicateKeysFollowARecordChangedWithinOnePage) {
  const std::uint64_t fp = 0x0123456789ABCDEFULL;
  auto first = record(1, kMar2, "neutral", 0);
  first.simhash = fp;
  auto second = record(1, kMar2 + kDay, "neutral", 0);
  second.simhash = ~fp;
  auto third = record(1, kMar2 + 2 * kDay, "neutral", 0);
  third.simhash = fp ^ (1ULL << 33);
  commit({first, second, third});
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 9, kMar2 + 3 * kDay), std::optional<std::int64_t>(1));
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 9, kMar2 + kDay), std::nullopt);  // not at its first time
  EXPECT_EQ(*store_->find_near_duplicate(ws_, ~fp, 3, 9, kMar2 + 3 * kDay), std::nullopt);
}

// Records that share a key with a text but are more than three bits from it are passed over, however many
// come first; the earliest within three bits answers.
TEST_P(StoreSpec, NearDuplicateSkipsRecordsThatOnlyShareAKey) {
  const std::uint64_t fp = 0x00FF00FF00FF00FFULL;
  std::vector<FeedbackRecord> page;
  for (int i = 0; i < 200; ++i) {
    auto r = record(100 + i, kMar2 + i * 60000, "neutral", 0);
    // The low 26 bits (the first pair key) as fp's; four or more bits apart above them.
    r.simhash = fp ^ (std::uint64_t{0xF} << 30) ^ (static_cast<std::uint64_t>(i) << 40);
    page.push_back(r);
  }
  auto near = record(7, kMar2 + 300 * 60000, "neutral", 0);
  near.simhash = fp ^ (1ULL << 50) ^ (1ULL << 3);
  page.push_back(near);
  commit(page);
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 9, kMar2 + kDay), std::optional<std::int64_t>(7));
  // At its own time only a lower id comes first.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 5, kMar2 + 300 * 60000), std::nullopt);
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 9, kMar2 + 300 * 60000), std::optional<std::int64_t>(7));
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp ^ (std::uint64_t{0xF} << 30), 3, 9, kMar2 + kDay),
            std::optional<std::int64_t>(100));
}

// Fingerprints of one family for the bounded lookups below: all share the four low blocks (six of the ten keys)
// with `base`. A crowd member flips the low four bits of the top block and more, so it is at least four bits
// from every member of the family that flips one top-block bit above them.
inline std::uint64_t crowd_member(std::uint64_t base, int i) {
  return base ^ ((std::uint64_t{0xF} | (static_cast<std::uint64_t>(i) << 4)) << 52);
}

// A key crowded with records that share it without being near: a lookup reads kNearDuplicateScan of its rows,
// newest first, so a recent near-duplicate behind the crowd is found and one further back is out of reach.
TEST_P(StoreSpec, NearDuplicateLookupReadsTheNewestRowsOfACrowdedKey) {
  const std::uint64_t fp = 0x0123456789ABCDEFULL;
  const int crowd = kNearDuplicateScan + 4;
  auto minute = [](double m) { return kMar2 + static_cast<TimeMs>(m * 60000); };
  std::vector<FeedbackRecord> page;
  auto old = record(1, minute(0), "neutral", 0);
  old.simhash = fp ^ (1ULL << 57);
  page.push_back(old);
  for (int i = 0; i < crowd; ++i) {
    auto r = record(100 + i, minute(1 + i), "neutral", 0);
    r.simhash = crowd_member(fp, i);
    page.push_back(r);
  }
  auto recent = record(2, minute(crowd + 1), "neutral", 0);
  recent.simhash = fp ^ (1ULL << 62);
  page.push_back(recent);
  commit(page);
  const std::uint64_t asking = fp ^ (1ULL << 58);  // two bits from both, and no record has its fingerprint
  EXPECT_EQ(*store_->find_near_duplicate(ws_, asking, 3, 9, minute(crowd + 2)), std::optional<std::int64_t>(2));
  // Before the recent one, the crowd hides the old one.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, asking, 3, 9, minute(crowd + 0.5)), std::nullopt);
  // While no key holds more than kNearDuplicateScan rows before the record, the earliest match answers.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, asking, 3, 9, minute(kNearDuplicateScan - 0.5)),
            std::optional<std::int64_t>(1));
  EXPECT_EQ(*store_->find_near_duplicate(ws_, asking, 3, 9, minute(0.5)), std::optional<std::int64_t>(1));
}

// An identical fingerprint is a direct hit however crowded the keys are, and the keys are read before it: what
// comes after it cannot be earlier, and what comes just before it can.
TEST_P(StoreSpec, NearDuplicateDirectHitAnswersPastACrowdedKey) {
  const std::uint64_t fp = 0x0123456789ABCDEFULL, other = 0xFEDCBA9876543210ULL;
  const int crowd = kNearDuplicateScan + 4;
  auto minute = [](int m) { return kMar2 + static_cast<TimeMs>(m) * 60000; };
  std::vector<FeedbackRecord> page;
  auto add = [&](std::int64_t uid, int at, std::uint64_t simhash) {
    auto r = record(uid, minute(at), "neutral", 0);
    r.simhash = simhash;
    page.push_back(r);
  };
  // fp: a near one, a crowd, the identical one, another crowd.
  add(1, 0, fp ^ (1ULL << 57));
  for (int i = 0; i < crowd; ++i) add(100 + i, 1 + i, crowd_member(fp, i));
  add(2, crowd + 1, fp);
  for (int i = 0; i < crowd; ++i) add(200 + i, crowd + 2 + i, crowd_member(fp, crowd + i));
  // other: a near one, a smaller crowd, the identical one, a crowd.
  add(3, 0, other ^ (1ULL << 57));
  for (int i = 0; i < kNearDuplicateScan - 2; ++i) add(300 + i, 1 + i, crowd_member(other, i));
  add(4, kNearDuplicateScan, other);
  for (int i = 0; i < crowd; ++i) add(400 + i, kNearDuplicateScan + 1 + i, crowd_member(other, crowd + i));
  commit(page);
  const int end = 2 * crowd + 5;
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 9, minute(end)), std::optional<std::int64_t>(2));
  // One bit off there is no direct hit, and the identical one is behind the second crowd.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp ^ (1ULL << 58), 3, 9, minute(end)), std::nullopt);
  // Read before the direct hit, the key reaches the near one behind the smaller crowd.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, other, 3, 9, minute(end)), std::optional<std::int64_t>(3));
  // The direct hit leaves out the record asking.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, fp, 3, 2, minute(end)), std::nullopt);
}

// A key crowded with texts that share much with a record without being within 3 bits is read only as far
// back as its newest kNearDuplicateScan rows (core/near_duplicate_keys.hpp): the lookup names the recent
// near-duplicate, and an old one behind the crowd is out of its reach. Every fingerprint below shares blocks
// 0 and 1 (one pair key) with the record looked up, and the crowd differs from it in blocks 2 to 4 by at least
// six bits.
TEST_P(StoreSpec, ACrowdedKeyIsReadOnlyAsFarBackAsItsNewestRows) {
  const std::uint64_t target = 0x0123456789ABCDEFULL;
  const std::uint64_t old_near = target ^ (1ULL << 30) ^ (1ULL << 45) ^ (1ULL << 56);  // 3 bits, blocks 2-4
  const std::uint64_t recent_near = target ^ (1ULL << 31) ^ (1ULL << 46);             // 2 bits
  auto crowd_fp = [&](int i) { return target ^ ((0x3FULL | (static_cast<std::uint64_t>(i) << 6)) << 26); };
  auto at = [](int minute) { return kMar2 + static_cast<TimeMs>(minute) * 60000; };
  auto stored = [&](std::int64_t uid, int minute, std::uint64_t fp) {
    auto r = record(uid, at(minute), "neutral", 0.0);
    r.simhash = fp;
    return r;
  };
  std::vector<FeedbackRecord> rows{stored(1, 0, old_near)};
  for (int i = 0; i < kNearDuplicateScan - 1; ++i) rows.push_back(stored(100 + i, 1 + i, crowd_fp(i)));
  commit(rows);
  // The old near-duplicate is still among the newest rows of the key: it is the answer, as before.
  EXPECT_EQ(*store_->find_near_duplicate(ws_, target, 3, 9000, at(500)), std::optional<std::int64_t>(1));
  // One more crowding row pushes it out of reach.
  commit({stored(100 + kNearDuplicateScan, 200, crowd_fp(kNearDuplicateScan))});
  EXPECT_EQ(*store_->find_near_duplicate(ws_, target, 3, 9000, at(500)), std::nullopt);
  // A recent near-duplicate in the same crowded key is found.
  commit({stored(2, 300, recent_near)});
  EXPECT_EQ(*store_->find_near_duplicate(ws_, target, 3, 9000, at(500)), std::optional<std::int64_t>(2));
  // An identical fingerprint is a direct hit, however far back the crowd has pushed it.
  commit({stored(3, -1, target)});
  std::vector<FeedbackRecord> crowd;
  for (int i = 0; i < 3 * kNearDuplicateScan; ++i) crowd.push_back(stored(1000 + i, 400 + i, crowd_fp(100 + i)));
  commit(crowd);
  EXPECT_EQ(*store_->find_near_duplicate(ws_, target, 3, 9000, at(900)), std::optional<std::int64_t>(3));
  // And a text near many copies of another names the first copy (uid 2), not one of the newest: these keys
  // hold only copies, all within reach, and the earliest of them is out of the scanned rows.
  std::vector<FeedbackRecord> copies;
  for (int i = 0; i < 4 * kNearDuplicateScan; ++i) copies.push_back(stored(5000 + i, 1000 + i, recent_near));
  commit(copies);
  const std::uint64_t near_the_copies = recent_near ^ (1ULL << 35) ^ (1ULL << 55);  // 4 bits from the target
  EXPECT_EQ(*store_->find_near_duplicate(ws_, near_the_copies, 3, 9000, at(2000)), std::optional<std::int64_t>(2));
}

// The re-analysis finds near-duplicates in memory (NearDuplicateIndex) by the store's rule: fed the same
// records in time order, both name the same record for each, through crowded keys, identical copies and
// texts of no match.
TEST_P(StoreSpec, TheInMemoryIndexAnswersAsTheStoreDoes) {
  std::mt19937_64 rng(41);
  const std::uint64_t bases[] = {0x0123456789ABCDEFULL, 0x0123456789ABCDEFULL ^ (0xFFULL << 40), 0xF0F0F0F0F0F0F0F0ULL};
  NearDuplicateIndex index;
  int matched = 0;
  for (int i = 0; i < 700; ++i) {
    std::uint64_t fp = bases[rng() % 3];
    // Mostly far flips in the upper blocks, so keys over the lower ones crowd; some copies and near texts.
    switch (rng() % 4) {
      case 0:
        break;
      case 1:
        fp ^= std::uint64_t{1} << (rng() % 64);
        break;
      default:
        for (int f = 0; f < 6; ++f) fp ^= std::uint64_t{1} << (26 + rng() % 38);
    }
    const std::int64_t uid = 10000 + static_cast<std::int64_t>(rng() % 100000) * 10 + i % 10;
    const TimeMs ts = kMar2 + static_cast<TimeMs>(i) * 1000;
    auto stored = store_->find_near_duplicate(ws_, fp, 3, uid, ts);
    ASSERT_TRUE(stored) << stored.error().message;
    auto memory = index.earliest_match(fp, 3);
    ASSERT_EQ(*stored, memory) << "record " << i;
    matched += memory ? 1 : 0;
    auto r = record(uid, ts, "neutral", 0.0);
    r.simhash = fp;
    commit({r});
    index.add(uid, fp);
  }
  EXPECT_GT(matched, 400);  // most records have an earlier near-duplicate: the keys are crowded
}

// A batch whose pages crowd keys, partly with records stored before it, marks what committing its pages one by
// one marks: the table's rows and the batch's own are read together, newest first, before the direct hit.
TEST_P(StoreSpec, CommitPagesInOneBatchBoundsLookupsAsPageByPage) {
  const auto other = other_workspace("page by page");
  ASSERT_NE(other.source, 0);
  std::mt19937_64 rng(1212);
  const std::uint64_t fp = 0x0123456789ABCDEFULL;
  std::int64_t next_uid = 1, crowd = 0;
  auto make_pages = [&](int n_pages, int n_records) {
    std::vector<PageCommit> pages(n_pages);
    for (auto& page : pages) {
      page.workspace_id = ws_;
      page.source_id = source_;
      page.near_duplicate_bits = 3;
      for (int i = 0; i < n_records; ++i) {
        auto r = record(next_uid++, kMar2 + static_cast<TimeMs>(rng() % 600) * 60000, "neutral", 0);
        const auto pick = rng() % 10;
        r.simhash = pick < 6 ? crowd_member(fp, static_cast<int>(crowd++))
                    : pick < 9 ? fp ^ (std::uint64_t{1} << (56 + rng() % 8))
                               : fp;
        page.records.push_back(r);
      }
    }
    return pages;
  };
  auto before = make_pages(3, 12);
  auto batch = make_pages(6, 12);
  auto stored = commit_two_ways(std::move(before), batch, other);
  ASSERT_TRUE(stored.at_once) << stored.at_once.error().message;
  int duplicates = 0;
  for (std::size_t p = 0; p < batch.size(); ++p)
    for (std::size_t i = 0; i < batch[p].records.size(); ++i) {
      EXPECT_EQ(batch[p].records[i].duplicate_of, stored.copy[p].records[i].duplicate_of) << "page " << p << ", " << i;
      duplicates += batch[p].records[i].duplicate_of ? 1 : 0;
    }
  EXPECT_GT(duplicates, 10);
}

// commit_pages marks near-duplicates page after page: a page sees the pages before it as stored, and within
// a page an earlier record counts (through to what it duplicates) when nothing stored does.
TEST_P(StoreSpec, CommitPagesMarksNearDuplicatesAsPageByPage) {
  auto a = record(1, kMar2 + kDay, "neutral", 0);
  a.simhash = 0x0F0F0F0F0F0F0F0FULL;
  std::vector<PageCommit> pages(3);
  for (auto& p : pages) {
    p.workspace_id = ws_;
    p.source_id = source_;
    p.near_duplicate_bits = 3;
  }
  auto b = record(2, kMar2 + 2 * kDay, "neutral", 0);
  b.simhash = a.simhash ^ 0x1;
  auto c = record(3, kMar2 + 3 * kDay, "neutral", 0);
  c.simhash = b.simhash ^ 0x6;  // 2 bits from b, 3 from a
  pages[0].records = {a};
  auto early = record(4, kMar2, "neutral", 0);  // earlier than a: in page 2, a is stored and later than it
  early.simhash = a.simhash;
  pages[1].records = {b, c, early};
  auto d = record(5, kMar2 + 4 * kDay, "neutral", 0);
  d.simhash = c.simhash ^ (1ULL << 40);  // 1 bit from c, 3 from b, 4 from a
  pages[2].records = {d};
  auto stored = store_->commit_pages(pages);
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored->size(), 5u);
  EXPECT_EQ(pages[0].records[0].duplicate_of, std::nullopt);
  EXPECT_EQ(pages[1].records[0].duplicate_of, std::optional<std::int64_t>(1));  // a, stored by page 1
  EXPECT_EQ(pages[1].records[1].duplicate_of, std::optional<std::int64_t>(1));
  EXPECT_EQ(pages[1].records[2].duplicate_of, std::nullopt);  // the earliest of all
  EXPECT_EQ(pages[2].records[0].duplicate_of, std::optional<std::int64_t>(2));  // b: the earliest within 3 bits
  EXPECT_EQ((*stored)[4].duplicate_of, std::optional<std::int64_t>(2));
  auto got = store_->get_record(ws_, 5);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->duplicate_of, std::optional<std::int64_t>(2));
}

// A page's records are looked up together (a store may seek in each index's order rather than the page's),
// and each gets what it would get alone: find_near_duplicate against the store before the page, then the
// page's own rule. Crowded keys, direct hits, records updated by the page and times out of order included.
TEST_P(StoreSpec, PageNearDuplicatesAreThoseOfOneLookupAtATime) {
  std::mt19937_64 rng(20261206);
  auto flipped = [&](std::uint64_t fp, int most) {
    for (int flips = static_cast<int>(rng() % (most + 1)); flips > 0; --flips) fp ^= std::uint64_t{1} << (rng() % 64);
    return fp;
  };
  // Thirty texts, each a few bits from one of three bases: their keys are shared by many, near or not.
  std::vector<std::uint64_t> texts;
  const std::uint64_t bases[] = {rng(), rng(), rng()};
  for (int i = 0; i < 30; ++i) texts.push_back(flipped(bases[i % 3], 4));
  // Half the records carry a text's own fingerprint (identical copies), half one up to three bits from it.
  auto fingerprint = [&] {
    const std::uint64_t fp = texts[rng() % texts.size()];
    return rng() % 2 ? fp : flipped(fp, 3);
  };
  // Within two hours, so that many stored records come after an asking one.
  auto at = [&] { return kMar2 + static_cast<TimeMs>(rng() % 120) * 60000; };
  std::vector<FeedbackRecord> stored;
  for (int i = 0; i < 400; ++i) {
    auto r = record(1 + i, at(), "neutral", 0);
    r.simhash = fingerprint();
    stored.push_back(r);
  }
  for (std::size_t from = 0; from < stored.size(); from += 100)
    commit(std::vector<FeedbackRecord>(stored.begin() + static_cast<std::ptrdiff_t>(from),
                                       stored.begin() + static_cast<std::ptrdiff_t>(from + 100)));
  PageCommit page;
  page.workspace_id = ws_;
  page.source_id = source_;
  page.near_duplicate_bits = 3;
  for (int i = 0; i < 300; ++i) {
    // A fifth update stored records, the rest are new.
    const std::int64_t uid = i % 5 == 0 ? 1 + static_cast<std::int64_t>(rng() % 400) : 1000 + i;
    if (std::any_of(page.records.begin(), page.records.end(),
                    [&](const FeedbackRecord& r) { return r.unique_identifier == uid; }))
      continue;
    auto r = record(uid, at(), "neutral", 0);
    r.simhash = i % 7 == 0 ? stored[rng() % stored.size()].simhash : fingerprint();  // some identical
    page.records.push_back(r);
  }
  std::vector<FeedbackRecord> expected = page.records;
  ASSERT_TRUE(mark_near_duplicates(expected, 3, [&](const FeedbackRecord& r) {
    return store_->find_near_duplicate(r.workspace_id, r.simhash, 3, r.unique_identifier, r.timestamp);
  }));
  std::vector<PageCommit> pages{page};
  ASSERT_TRUE(store_->commit_pages(pages));
  int duplicates = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(pages[0].records[i].duplicate_of, expected[i].duplicate_of) << "record " << i;
    duplicates += expected[i].duplicate_of ? 1 : 0;
  }
  EXPECT_GT(duplicates, 100);
  EXPECT_LT(duplicates, static_cast<int>(expected.size()));
}

// commit_pages_with_json hands on each stored record serialised as it was stored, with its workspace: revision
// and first-seen time included, in the order of the records, and nothing for a page of a deleted workspace.
TEST_P(StoreSpec, CommitPagesWithJsonHandsOnEachStoredRecordAsStored) {
  auto other = other_workspace("deleted under the batch");
  ASSERT_NE(other.source, 0);
  std::vector<PageCommit> first(1);
  first[0].workspace_id = ws_;
  first[0].source_id = source_;
  first[0].records = {record(1, kMar2, "positive", 0.5, {"sync"}), record(2, kMar2 + kDay, "negative", -0.4)};
  const TimeMs first_seen = first[0].records[0].received_at;
  std::vector<StoredJson> json;
  auto done = store_->commit_pages_with_json(first, json);
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_EQ(json.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    auto got = store_->get_record(ws_, static_cast<std::int64_t>(i + 1));
    ASSERT_TRUE(got) << i;
    EXPECT_EQ(json[i].workspace_id, ws_) << i;
    EXPECT_EQ(json[i].json, record_json(*got)) << i;
  }

  // An update of record 1 (revision 2, its first-seen time kept), then a page of a workspace deleted meanwhile.
  std::vector<PageCommit> second(2);
  second[0] = first[0];
  second[0].records = {record(1, kMar2, "negative", -0.7, {"export"})};
  second[0].records[0].received_at = first[0].records[0].received_at + 5000;
  second[1].workspace_id = other.ws;
  second[1].source_id = other.source;
  second[1].records = {record(3, kMar2, "neutral", 0)};
  second[1].records[0].workspace_id = other.ws;
  second[1].records[0].source_id = other.source;
  ASSERT_TRUE(store_->delete_workspace(customer_, other.ws));
  json = {StoredJson{ws_, "kept"}};
  done = store_->commit_pages_with_json(second, json);
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_EQ(json.size(), 2u);  // appended after what the vector held; nothing of the deleted workspace
  EXPECT_EQ(json[0].json, "kept");
  EXPECT_EQ(json[1].workspace_id, ws_);
  auto parsed = parse_json(json[1].json);
  ASSERT_TRUE(parsed);
  auto back = record_from_json(*parsed);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->unique_identifier, 1);
  EXPECT_EQ(back->revision, 2);
  EXPECT_EQ(back->received_at, first_seen);
  EXPECT_EQ(back->sentiment_type, "negative");
  EXPECT_EQ(back->themes, std::vector<std::string>{"export"});
  auto got = store_->get_record(ws_, 1);
  ASSERT_TRUE(got);
  EXPECT_EQ(record_json(*got), json[1].json);
}

// A large batch of pages with everything at once (new records, updates, a record repeated within a page and
// across pages, moves in time, near-duplicates of stored records, of the batch's own and of each other's, key
// sharers that are not near, no fingerprint, repeated themes, raw items or none) stores, returns and answers
// lookups exactly as committing its pages one by one does. The same pages go to two workspaces: all at once to
// one, page by page to the other.
TEST_P(StoreSpec, CommitPagesInOneBatchStoresWhatPageByPageStores) {
  const auto other = other_workspace("page by page");
  ASSERT_NE(other.source, 0);

  std::mt19937_64 rng(20261204);
  const std::uint64_t bases[] = {0x0123456789ABCDEFULL, 0xF0F0F0F0F0F0F0F0ULL, 0x5A5A00FF12345678ULL};
  const std::vector<std::string> themes = {"sync", "export", "pricing", "login"};
  auto make_pages = [&](int n_pages, int max_records) {
    std::vector<PageCommit> pages(n_pages);
    for (auto& page : pages) {
      page.workspace_id = ws_;
      page.source_id = source_;
      page.near_duplicate_bits = 3;
      int n = 1 + static_cast<int>(rng() % max_records);
      for (int i = 0; i < n; ++i) {
        auto r = record(1 + static_cast<std::int64_t>(rng() % 60), kMar2 + static_cast<TimeMs>(rng() % 5) * kDay +
                                                                     static_cast<TimeMs>(rng() % 4) * 60000,
                        rng() % 2 ? "positive" : "negative", static_cast<double>(rng() % 200) / 100.0 - 1.0);
        std::uint64_t fp = bases[rng() % 3];
        for (int flips = static_cast<int>(rng() % 6); flips > 0; --flips) fp ^= std::uint64_t{1} << (rng() % 64);
        r.simhash = rng() % 10 == 0 ? 0 : fp;
        for (int t = static_cast<int>(rng() % 4); t > 0; --t) r.themes.push_back(themes[rng() % themes.size()]);
        if (rng() % 3 == 0) r.raw_item = R"({"id":)" + std::to_string(rng() % 1000) + "}";
        if (rng() % 4 == 0) r.title = "title " + std::to_string(rng() % 10);
        r.received_at = r.timestamp + static_cast<TimeMs>(rng() % 5000);
        page.records.push_back(std::move(r));
      }
    }
    return pages;
  };
  auto as_original = [&](FeedbackRecord r) {
    r.workspace_id = ws_;
    r.source_id = source_;
    return to_json_string(record_to_json(r)) + "\nraw: " + r.raw_item;
  };

  // Something stored already, the same in both workspaces.
  auto before = make_pages(6, 10);
  auto batch = make_pages(14, 40);
  auto stored = commit_two_ways(std::move(before), batch, other);
  auto& at_once = stored.at_once;
  ASSERT_TRUE(at_once) << at_once.error().message;
  const auto& one_by_one = stored.one_by_one;
  ASSERT_EQ(at_once->size(), one_by_one.size());
  int duplicates = 0, updates = 0;
  for (std::size_t i = 0; i < at_once->size(); ++i) {
    EXPECT_EQ(as_original((*at_once)[i]), as_original(one_by_one[i])) << "record " << i << " of the batch";
    duplicates += (*at_once)[i].duplicate_of ? 1 : 0;
    updates += (*at_once)[i].revision > 1 ? 1 : 0;
  }
  EXPECT_GT(duplicates, 20);  // the batch exercises what it claims to
  EXPECT_GT(updates, 20);
  for (std::size_t p = 0; p < batch.size(); ++p)
    for (std::size_t i = 0; i < batch[p].records.size(); ++i)
      EXPECT_EQ(batch[p].records[i].duplicate_of, stored.copy[p].records[i].duplicate_of) << "page " << p << ", " << i;
  for (std::int64_t uid = 1; uid <= 60; ++uid) {
    auto a = store_->get_record(ws_, uid);
    auto b = store_->get_record(other.ws, uid);
    ASSERT_EQ(static_cast<bool>(a), static_cast<bool>(b)) << uid;
    if (a) {
      EXPECT_EQ(as_original(*a), as_original(*b)) << uid;
    }
  }
  for (std::uint64_t fp : bases)
    for (int day = 0; day <= 5; ++day) {
      auto a = store_->find_near_duplicate(ws_, fp ^ 0x10, 3, 1000, kMar2 + day * kDay);
      auto b = store_->find_near_duplicate(other.ws, fp ^ 0x10, 3, 1000, kMar2 + day * kDay);
      ASSERT_TRUE(a && b);
      EXPECT_EQ(*a, *b) << std::hex << fp << " day " << day;
    }
  EXPECT_EQ(store_->get_source(ws_, source_)->status.items_total,
            store_->get_source(other.ws, other.source)->status.items_total);
  FeedbackFilter all, all_copy;
  all.workspace_id = ws_;
  all_copy.workspace_id = other.ws;
  all.from_records = all_copy.from_records = true;
  auto themes_a = store_->top_themes(all, 10);
  auto themes_b = store_->top_themes(all_copy, 10);
  ASSERT_TRUE(themes_a && themes_b);
  ASSERT_EQ(themes_a->size(), themes_b->size());
  for (std::size_t i = 0; i < themes_a->size(); ++i) {
    EXPECT_EQ((*themes_a)[i].theme, (*themes_b)[i].theme);
    EXPECT_EQ((*themes_a)[i].count, (*themes_b)[i].count);
  }
  EXPECT_EQ(store_->totals(all)->count, store_->totals(all_copy)->count);
}

// The rollups of one batch that carries several revisions of the same records (some of them redelivered,
// some out of order) are those of applying each stored revision on its own, one after another: the same counts
// per hour, sentiment, category and theme, the same averages. The same revisions go to two workspaces: in one
// batch to one, one at a time to the other.
TEST_P(StoreSpec, RollupsOfOneBatchAreThoseOfItsRecordsAppliedOneByOne) {
  const auto other = other_workspace("one by one");
  ASSERT_NE(other.source, 0);
  std::mt19937 rng(1204);
  const char* sentiments[] = {"positive", "negative", "neutral", "mixed"};
  const char* categories[] = {"bug", "praise", "question"};
  const std::vector<std::string> themes = {"sync", "export", "pricing"};
  std::vector<FeedbackRecord> batch, singles;
  for (int i = 0; i < 90; ++i) {
    auto r = record(1 + static_cast<std::int64_t>(rng() % 20), kMar2 + static_cast<TimeMs>(rng() % 6) * 3600000,
                    sentiments[rng() % 4], static_cast<double>(rng() % 200) / 100.0 - 1.0, {}, categories[rng() % 3]);
    for (int t = static_cast<int>(rng() % 3); t > 0; --t) r.themes.push_back(themes[rng() % themes.size()]);
    for (Id ws : {ws_, other.ws}) {
      PageCommit page;
      page.workspace_id = ws;
      page.source_id = ws == ws_ ? source_ : other.source;
      auto copy = r;
      copy.workspace_id = ws;
      copy.source_id = page.source_id;
      page.records = {copy};
      auto stored = store_->commit_page(page);
      ASSERT_TRUE(stored) << stored.error().message;
      (ws == ws_ ? batch : singles).push_back(stored->front());
    }
  }
  // A redelivered older revision and an out-of-order pair, inside the batch.
  batch.push_back(batch[3]);
  std::swap(batch[10], batch[40]);
  ASSERT_TRUE(store_->apply_rollups(batch));
  for (const auto& r : singles) ASSERT_TRUE(store_->apply_rollups({r}));
  ASSERT_TRUE(store_->apply_rollups({singles[3]}));  // redelivered: changes nothing

  auto same = [&](FeedbackFilter a, const std::string& what) {
    FeedbackFilter b = a;
    a.workspace_id = ws_;
    b.workspace_id = other.ws;
    for (GroupBy g : {GroupBy::sentiment, GroupBy::category, GroupBy::theme}) {
      auto ra = store_->report(a, Bucket::hour, g);
      auto rb = store_->report(b, Bucket::hour, g);
      ASSERT_TRUE(ra && rb);
      ASSERT_EQ(ra->size(), rb->size()) << what;
      for (std::size_t i = 0; i < ra->size(); ++i) {
        EXPECT_EQ((*ra)[i].key, (*rb)[i].key) << what;
        ASSERT_EQ((*ra)[i].points.size(), (*rb)[i].points.size()) << what << " " << (*ra)[i].key;
        for (std::size_t j = 0; j < (*ra)[i].points.size(); ++j) {
          EXPECT_EQ((*ra)[i].points[j].t, (*rb)[i].points[j].t) << what;
          EXPECT_EQ((*ra)[i].points[j].count, (*rb)[i].points[j].count) << what << " " << (*ra)[i].key;
          EXPECT_NEAR((*ra)[i].points[j].avg_compound, (*rb)[i].points[j].avg_compound, 1e-9) << what;
        }
      }
    }
    auto ta = store_->top_themes(a, 10);
    auto tb = store_->top_themes(b, 10);
    ASSERT_TRUE(ta && tb);
    ASSERT_EQ(ta->size(), tb->size()) << what;
    for (std::size_t i = 0; i < ta->size(); ++i) {
      EXPECT_EQ((*ta)[i].theme, (*tb)[i].theme) << what;
      EXPECT_EQ((*ta)[i].count, (*tb)[i].count) << what;
    }
    EXPECT_EQ(store_->totals(a)->count, store_->totals(b)->count) << what;
  };
  same(FeedbackFilter{}, "rollups");
  FeedbackFilter records;
  records.from_records = true;
  same(records, "records");
  // And the rollups say what the records say.
  FeedbackFilter rolled, counted;
  rolled.workspace_id = counted.workspace_id = ws_;
  counted.from_records = true;
  auto by_rollup = store_->report(rolled, Bucket::hour, GroupBy::sentiment);
  auto by_records = store_->report(counted, Bucket::hour, GroupBy::sentiment);
  ASSERT_TRUE(by_rollup && by_records);
  ASSERT_EQ(by_rollup->size(), by_records->size());
  for (std::size_t i = 0; i < by_rollup->size(); ++i) {
    ASSERT_EQ((*by_rollup)[i].points.size(), (*by_records)[i].points.size());
    for (std::size_t j = 0; j < (*by_rollup)[i].points.size(); ++j)
      EXPECT_EQ((*by_rollup)[i].points[j].count, (*by_records)[i].points[j].count) << (*by_rollup)[i].key;
  }
  std::set<std::int64_t> uids;
  for (const auto& r : batch) uids.insert(r.unique_identifier);
  EXPECT_EQ(store_->totals(rolled)->count, static_cast<std::int64_t>(uids.size()));
}

// The raw item a record was made from is kept beside it (GET .../feedback/{id}?include=raw), and a
// re-analysis that does not carry it keeps the one stored before.
TEST_P(StoreSpec, RawItemIsKeptBesideTheRecord) {
  auto r = record(11, kMar2, "negative", -0.4, {"sync"});
  r.raw_item = R"({"id":11,"body":"<p>sync broke</p>","tags":["a"]})";
  commit({r});
  EXPECT_EQ(store_->get_record(ws_, 11)->raw_item, r.raw_item);
  auto again = record(11, kMar2, "positive", 0.4, {"sync"});
  commit({again});
  auto got = store_->get_record(ws_, 11);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->sentiment_type, "positive");
  EXPECT_EQ(got->raw_item, r.raw_item);
}

// Ratings per source and value, for NPS and CSAT, as a recount of the records gives them.
TEST_P(StoreSpec, RatingCountsMatchTheRecords) {
  std::vector<FeedbackRecord> rs;
  for (int i = 0; i < 30; ++i) {
    auto r = record(200 + i, kMar2 + i * 3600000LL, i % 3 ? "positive" : "negative", 0.1, {"sync"});
    if (i % 5) r.rating = static_cast<double>(i % 5);
    rs.push_back(r);
  }
  commit(rs);
  FeedbackFilter f;
  f.workspace_id = ws_;
  f.sentiment = "positive";
  auto counts = store_->rating_counts(f);
  ASSERT_TRUE(counts) << counts.error().message;
  std::map<double, std::int64_t> want, got;
  for (const auto& r : rs)
    if (r.rating && r.sentiment_type == "positive") ++want[*r.rating];
  for (const auto& c : *counts) {
    EXPECT_EQ(c.source_id, source_);
    got[c.rating] += c.count;
  }
  EXPECT_EQ(got, want);
}

TEST_P(StoreSpec, DataSurvivesReopening) {
  commit({record(5, kMar2, "positive", 0.7, {"sync"})});
  store_.reset();
  auto s = backend_->open();
  ASSERT_TRUE(s) << s.error().message;
  store_ = std::move(s.value());
  EXPECT_EQ(store_->get_record(ws_, 5)->sentiment_type, "positive");
  FeedbackFilter f;
  f.workspace_id = ws_;
  EXPECT_EQ(store_->totals(f)->count, 1);
}


TEST_P(StoreSpec, SourcesSyncsAndDeadLetters) {
  Source scheduled;
  scheduled.workspace_id = ws_;
  scheduled.type = "github";
  scheduled.name = "issues";
  scheduled.config = json::object{{"repo", "acme/app"}};
  scheduled.schedule_every_s = 900;
  scheduled.webhook_scheme = "github";
  scheduled.sealed_secrets = "s2";
  auto made = store_->create_source(scheduled);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->customer_id, customer_);
  EXPECT_EQ(get_string(json::value(made->config), "repo"), std::optional<std::string>("acme/app"));
  EXPECT_EQ(made->webhook_scheme, std::optional<std::string>("github"));
  EXPECT_EQ(made->status.state, "idle");
  EXPECT_EQ(store_->list_sources(ws_)->size(), 2u);
  auto listed = store_->list_scheduled_sources();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().schedule_every_s, std::optional<std::int64_t>(900));

  auto sync = store_->create_sync(ws_, made->id);
  ASSERT_TRUE(sync);
  EXPECT_EQ(store_->active_sync(made->id)->value().id, sync->id);
  EXPECT_EQ(store_->list_unfinished_syncs()->size(), 1u);
  ASSERT_TRUE(store_->update_sync(sync->id, "failed", std::string("rate limited")));
  EXPECT_EQ(store_->get_sync(ws_, sync->id)->error, std::optional<std::string>("rate limited"));
  auto failed = store_->get_source(ws_, made->id);
  EXPECT_EQ(failed->status.state, "failed");
  EXPECT_EQ(failed->status.last_error, std::optional<std::string>("rate limited"));
  EXPECT_FALSE(store_->active_sync(made->id)->has_value());
  EXPECT_TRUE(store_->list_unfinished_syncs()->empty());
  ASSERT_TRUE(store_->set_source_state(made->id, "ok", std::nullopt));
  EXPECT_FALSE(store_->get_source(ws_, made->id)->status.last_error.has_value());
  EXPECT_EQ(store_->get_sync(ws_ + 1000, sync->id).error().code, ErrorCode::not_found);

  ASSERT_TRUE(store_->delete_source(ws_, made->id));
  EXPECT_EQ(store_->get_source(ws_, made->id).error().code, ErrorCode::not_found);
  EXPECT_EQ(store_->get_source_by_id(made->id).error().code, ErrorCode::not_found);
  EXPECT_EQ(store_->delete_source(ws_, made->id).error().code, ErrorCode::not_found);
  EXPECT_TRUE(store_->list_scheduled_sources()->empty());
  EXPECT_EQ(store_->list_sources(ws_)->size(), 1u);

  EXPECT_EQ(*store_->count_dead_letters(ws_), 0);
  ASSERT_TRUE(store_->add_dead_letter(ws_, source_, "{\"id\":", "unexpected end"));
  ASSERT_TRUE(store_->add_dead_letter(ws_ + 1, source_, "x", "y"));
  EXPECT_EQ(*store_->count_dead_letters(ws_), 1);
  EXPECT_EQ(store_->list_workspaces(customer_)->size(), 1u);
  EXPECT_TRUE(store_->health().at("ok").as_bool());
}

// A re-analysed or edited record can move in time: it is found at its new time only, and the rollups
// move with it.
TEST_P(StoreSpec, ARecordThatMovesInTimeMovesEverywhere) {
  const TimeMs jan = *parse_time("2026-01-15T08:00:00Z");
  commit({record(7, kMar2, "negative", -0.5, {"sync"})});
  commit({record(7, jan, "positive", 0.5, {"export"})});
  auto got = store_->get_record(ws_, 7);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->timestamp, jan);
  EXPECT_EQ(got->revision, 2);
  FeedbackFilter march;
  march.workspace_id = ws_;
  march.from = kMar2;
  EXPECT_EQ(store_->totals(march)->count, 0);
  EXPECT_TRUE(store_->query_feedback(march, 10, std::nullopt)->items.empty());
  FeedbackFilter all;
  all.workspace_id = ws_;
  EXPECT_EQ(store_->query_feedback(all, 10, std::nullopt)->items.size(), 1u);
  auto totals = store_->totals(all);
  EXPECT_EQ(totals->count, 1);
  EXPECT_EQ(totals->by_sentiment.at("positive"), 1);
  EXPECT_EQ(totals->by_sentiment.at("negative"), 0);
  auto themes = store_->top_themes(all, 10);
  ASSERT_EQ(themes->size(), 1u);
  EXPECT_EQ(themes->front().theme, "export");
  auto series = store_->report(all, Bucket::month, GroupBy::none);
  ASSERT_EQ(series->size(), 1u);
  ASSERT_EQ(series->front().points.size(), 1u);
  EXPECT_EQ(format_time(series->front().points[0].t), "2026-01-01T00:00:00Z");
}

TEST_P(StoreSpec, ReportGroupsMatchABruteForceRecount) {
  std::mt19937 rng(11);
  const char* sentiments[] = {"positive", "negative", "neutral"};
  const char* languages[] = {"en", "de"};
  const char* themes[] = {"sync", "billing", "login", "export"};
  std::vector<FeedbackRecord> all;
  for (int i = 0; i < 120; ++i) {
    auto r = record(5000 + i, kMar2 + static_cast<TimeMs>(rng() % (70 * 24)) * 3600000 + static_cast<TimeMs>(rng() % 3600000),
                    sentiments[rng() % 3], (static_cast<int>(rng() % 200) - 100) / 100.0, {themes[rng() % 4]});
    r.language_code = languages[rng() % 2];
    if (rng() % 2) r.themes.push_back(themes[rng() % 4]);
    all.push_back(r);
  }
  commit(all);
  FeedbackFilter f;
  f.workspace_id = ws_;
  for (GroupBy g : {GroupBy::sentiment, GroupBy::language, GroupBy::theme, GroupBy::source}) {
    for (Bucket b : {Bucket::hour, Bucket::day, Bucket::week, Bucket::month}) {
      auto series = store_->report(f, b, g);
      ASSERT_TRUE(series) << series.error().message;
      std::map<std::pair<std::string, TimeMs>, std::int64_t> got, want;
      for (const auto& s : *series)
        for (const auto& p : s.points) got[{s.key, p.t}] = p.count;
      for (const auto& r : all) {
        std::vector<std::string> keys;
        if (g == GroupBy::sentiment) keys = {r.sentiment_type};
        if (g == GroupBy::language) keys = {r.language_code};
        if (g == GroupBy::source) keys = {std::to_string(r.source_id)};
        if (g == GroupBy::theme) {
          for (const auto& t : r.themes)
            if (std::find(keys.begin(), keys.end(), t) == keys.end()) keys.push_back(t);
        }
        for (const auto& k : keys) ++want[{k, bucket_start(r.timestamp, b)}];
      }
      EXPECT_EQ(got, want) << "group " << static_cast<int>(g) << " bucket " << static_cast<int>(b);
    }
  }
}

TEST_P(StoreSpec, SourceUpdateReplacesItsFieldsAndPausedSourcesAreNotScheduled) {
  auto src = store_->get_source(ws_, source_);
  ASSERT_TRUE(src) << src.error().message;
  EXPECT_FALSE(src->paused);
  Source changed = *src;
  changed.name = "community";
  changed.config = json::object{{"base_url", "https://forum.example"}};
  changed.schedule_every_s = 900;
  changed.webhook_scheme = "discourse";
  changed.sealed_secrets = "sealed-2";
  auto stored = store_->update_source(changed, false);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->name, "community");
  EXPECT_EQ(stored->config, changed.config);
  EXPECT_EQ(stored->schedule_every_s, std::optional<std::int64_t>(900));
  EXPECT_EQ(stored->webhook_scheme, std::optional<std::string>("discourse"));
  EXPECT_EQ(stored->sealed_secrets, "sealed-2");
  EXPECT_EQ(stored->customer_id, customer_);
  auto scheduled = store_->list_scheduled_sources();
  ASSERT_TRUE(scheduled);
  EXPECT_EQ(scheduled->size(), 1u);

  // Paused: kept as it is, out of the schedule; the cursor stays unless asked to go.
  PageCommit page;
  page.workspace_id = ws_;
  page.source_id = source_;
  page.cursor = "c-1";
  ASSERT_TRUE(store_->commit_page(page));
  changed.paused = true;
  stored = store_->update_source(changed, false);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_TRUE(stored->paused);
  EXPECT_EQ(stored->status.cursor, "c-1");
  EXPECT_TRUE(store_->get_source_by_id(source_)->paused);
  EXPECT_TRUE(store_->list_scheduled_sources()->empty());
  changed.paused = false;
  stored = store_->update_source(changed, true);
  ASSERT_TRUE(stored);
  EXPECT_FALSE(stored->paused);
  EXPECT_EQ(stored->status.cursor, "");
  EXPECT_EQ(store_->list_scheduled_sources()->size(), 1u);

  // Another workspace's id, an unknown id and a deleted source are not found, and nothing changes.
  auto other_ws = store_->create_workspace(customer_, "other");
  ASSERT_TRUE(other_ws);
  Source wrong = changed;
  wrong.workspace_id = other_ws->id;
  wrong.name = "moved";
  EXPECT_EQ(store_->update_source(wrong, false).error().code, ErrorCode::not_found);
  wrong = changed;
  wrong.id = 987654;
  EXPECT_EQ(store_->update_source(wrong, false).error().code, ErrorCode::not_found);
  EXPECT_EQ(store_->get_source(ws_, source_)->name, "community");
  ASSERT_TRUE(store_->delete_source(ws_, source_));
  EXPECT_EQ(store_->update_source(changed, false).error().code, ErrorCode::not_found);
}

TEST_P(StoreSpec, AuditEntriesAreTheCustomersOwnNewestFirstAndFiltered) {
  auto other = store_->create_customer("globex", "hash-globex");
  ASSERT_TRUE(other);
  auto ws2 = store_->create_workspace(customer_, "web");
  ASSERT_TRUE(ws2);
  auto add = [&](Id customer, std::optional<Id> ws, const std::string& action) {
    AuditEntry e;
    e.customer_id = customer;
    e.workspace_id = ws;
    e.key_id = 1;
    e.key_name = "ops";
    e.action = action;
    e.target_type = action.substr(0, action.find('.'));
    e.target_id = "7";
    auto made = store_->add_audit_entry(e);
    EXPECT_TRUE(made) << made.error().message;
    EXPECT_GT(made->at, 0);
    return made->id;
  };
  add(customer_, ws_, "source.create");
  add(customer_, ws2->id, "source.create");
  add(other->id, std::nullopt, "key.create");
  add(customer_, std::nullopt, "key.create");
  Id newest = add(customer_, ws_, "source.update");

  AuditQuery q;
  q.customer_id = customer_;
  auto all = store_->list_audit_entries(q);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().id, newest);
  for (std::size_t i = 1; i < all->size(); ++i) EXPECT_GT((*all)[i - 1].id, (*all)[i].id);
  for (const auto& e : *all) EXPECT_EQ(e.customer_id, customer_);
  EXPECT_EQ(all->front().key_name, "ops");
  EXPECT_EQ(all->front().key_id, std::optional<Id>(1));
  EXPECT_EQ(all->front().workspace_id, std::optional<Id>(ws_));

  q.limit = 2;
  auto first = store_->list_audit_entries(q);
  ASSERT_EQ(first->size(), 2u);
  q.before_id = first->back().id;
  auto second = store_->list_audit_entries(q);
  ASSERT_EQ(second->size(), 2u);
  EXPECT_LT(second->front().id, first->back().id);
  q = AuditQuery{};
  q.customer_id = customer_;
  q.action = "source.create";
  EXPECT_EQ(store_->list_audit_entries(q)->size(), 2u);
  q.action = "source.";
  EXPECT_EQ(store_->list_audit_entries(q)->size(), 3u);
  q.workspace_id = ws_;
  EXPECT_EQ(store_->list_audit_entries(q)->size(), 2u);
  q = AuditQuery{};
  q.customer_id = customer_;
  q.within = std::vector<Id>{ws2->id};
  auto scoped = store_->list_audit_entries(q);
  ASSERT_EQ(scoped->size(), 1u);
  EXPECT_EQ(scoped->front().workspace_id, std::optional<Id>(ws2->id));
  q.action = "key.";
  EXPECT_TRUE(store_->list_audit_entries(q)->empty());
}

}  // namespace chorus::store
