// What every Store backend owes data governance: workspace settings, deletion that leaves no row of the workspace
// (checked by walking the storage in SQL), erasure of a person and retention, with rollups equal to a recount from
// the records afterwards. Included after store_spec.hpp by the SQLite and PostgreSQL test binaries.
#pragma once

#include <set>

#include "unit/store/alert_spec.hpp"
#include "unit/store/store_spec.hpp"

namespace chorus::store {

namespace governance {

// The aggregates the API answers from rollups, next to the same asked of the records themselves.
inline void expect_rollups_equal_recount(Store& store, Id ws, const std::string& when) {
  FeedbackFilter rolled;
  rolled.workspace_id = ws;
  FeedbackFilter counted = rolled;
  counted.from_records = true;
  auto a = store.totals(rolled), b = store.totals(counted);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->count, b->count) << when;
  EXPECT_EQ(a->by_sentiment, b->by_sentiment) << when;
  EXPECT_NEAR(a->avg_compound, b->avg_compound, 1e-9) << when;
  auto ra = store.report(rolled, Bucket::day, GroupBy::sentiment),
       rb = store.report(counted, Bucket::day, GroupBy::sentiment);
  ASSERT_TRUE(ra && rb);
  ASSERT_EQ(ra->size(), rb->size()) << when;
  for (std::size_t i = 0; i < ra->size(); ++i) {
    EXPECT_EQ((*ra)[i].key, (*rb)[i].key) << when;
    ASSERT_EQ((*ra)[i].points.size(), (*rb)[i].points.size()) << when << " " << (*ra)[i].key;
    for (std::size_t j = 0; j < (*ra)[i].points.size(); ++j) {
      EXPECT_EQ((*ra)[i].points[j].t, (*rb)[i].points[j].t) << when;
      EXPECT_EQ((*ra)[i].points[j].count, (*rb)[i].points[j].count) << when;
    }
  }
  auto ta = store.top_themes(rolled, 50), tb = store.top_themes(counted, 50);
  ASSERT_TRUE(ta && tb);
  ASSERT_EQ(ta->size(), tb->size()) << when;
  for (std::size_t i = 0; i < ta->size(); ++i) {
    EXPECT_EQ((*ta)[i].theme, (*tb)[i].theme) << when;
    EXPECT_EQ((*ta)[i].count, (*tb)[i].count) << when;
  }
}

inline std::set<std::int64_t> uids_of(Store& store, Id ws) {
  FeedbackFilter f;
  f.workspace_id = ws;
  auto page = store.query_feedback(f, 1000, std::nullopt);
  std::set<std::int64_t> out;
  if (page)
    for (const auto& r : page->items) out.insert(r.unique_identifier);
  return out;
}

}  // namespace governance

TEST_P(StoreSpec, WorkspaceSettingsAreKeptAndChangedOnlyByTheirCustomer) {
  auto ws = store_->get_workspace(customer_, ws_);
  ASSERT_TRUE(ws);
  EXPECT_FALSE(ws->settings.retention_days);
  EXPECT_TRUE(ws->settings.keep_raw);
  EXPECT_TRUE(ws->settings.redact.empty());
  ws->name = "renamed";
  ws->settings.retention_days = 30;
  ws->settings.redact = {"email", "card"};
  ws->settings.keep_raw = false;
  ws->settings.drop_erased_authors = true;
  ws->settings.author_salt = "salt";
  auto updated = store_->update_workspace(*ws);
  ASSERT_TRUE(updated) << updated.error().message;
  auto back = store_->get_workspace(customer_, ws_);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "renamed");
  EXPECT_EQ(back->settings.retention_days, 30);
  EXPECT_EQ(back->settings.redact, (std::vector<std::string>{"email", "card"}));
  EXPECT_FALSE(back->settings.keep_raw);
  EXPECT_TRUE(back->settings.drop_erased_authors);
  EXPECT_EQ(back->settings.author_salt, "salt");
  auto found = store_->find_workspace(ws_);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->settings.retention_days, 30);
  EXPECT_FALSE(store_->find_workspace(ws_ + 1000)->has_value());

  auto other = store_->create_customer("other", "hash-other");
  ASSERT_TRUE(other);
  Workspace theirs = *back;
  theirs.customer_id = other->id;
  theirs.name = "stolen";
  auto refused = store_->update_workspace(theirs);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::not_found);
  EXPECT_EQ(store_->get_workspace(customer_, ws_)->name, "renamed");
}

TEST_P(StoreSpec, DeletingAWorkspaceLeavesNoRowOfItAndDropsWhatArrivesLate) {
  auto other_ws = store_->create_workspace(customer_, "kept");
  ASSERT_TRUE(other_ws);
  auto kept_source = create_forum(other_ws->id, "kept forum");
  ASSERT_TRUE(kept_source);

  // Everything a workspace can hold.
  std::vector<FeedbackRecord> rs;
  for (int i = 0; i < 12; ++i) {
    auto r =
        record(100 + i, kMar2 + i * kDay / 3, i % 2 ? "negative" : "positive", i % 2 ? -0.5 : 0.5, {"sync", "login"});
    r.simhash = 0x9e3779b97f4a7c15ULL * (i + 1);
    r.raw_item = R"({"id":)" + std::to_string(i) + "}";
    r.rating = 4;
    rs.push_back(r);
  }
  auto stored = commit(rs);
  ASSERT_EQ(stored.size(), rs.size());
  ASSERT_TRUE(store_->create_sync(ws_, source_));
  ASSERT_TRUE(store_->add_dead_letter(ws_, source_, "{", "unexpected end"));
  ASSERT_TRUE(store_->put_taxonomy(ws_, 0, R"({"hidden":["pricing"]})"));
  auto rule = store_->create_alert_rule(spec_rule(ws_));
  ASSERT_TRUE(rule) << rule.error().message;
  ASSERT_TRUE(store_->add_alert_delivery(spec_delivery(*rule, "k1", now_ms())));
  LiveItem live;
  live.workspace_id = ws_;
  live.uid = 100;
  live.source_id = source_;
  live.timestamp = now_ms();
  live.received_at = now_ms();
  live.sentiment = "negative";
  live.compound = -0.5;
  live.themes = {"sync"};
  ASSERT_TRUE(store_->add_live_items({live}));
  ASSERT_TRUE(store_->erase_person(ws_, PersonMatch{"email", "nobody@example.com"}, "hash-of-nobody", "admin key"));
  ApiKey scoped;
  scoped.customer_id = customer_;
  scoped.name = "two workspaces";
  scoped.role = "viewer";
  scoped.workspaces = std::vector<Id>{ws_, other_ws->id};
  scoped.key_hash = "hash-scoped";
  ASSERT_TRUE(store_->create_api_key(scoped));
  ApiKey only;
  only = scoped;
  only.name = "only this one";
  only.workspaces = std::vector<Id>{ws_};
  only.key_hash = "hash-only";
  ASSERT_TRUE(store_->create_api_key(only));
  // The other workspace has records of its own, which must stay.
  PageCommit kept_page;
  kept_page.workspace_id = other_ws->id;
  kept_page.source_id = kept_source->id;
  auto kept_record = record(900, kMar2, "neutral", 0.0, {"sync"});
  kept_record.workspace_id = other_ws->id;
  kept_record.source_id = kept_source->id;
  kept_page.records = {kept_record};
  auto kept_stored = store_->commit_page(kept_page);
  ASSERT_TRUE(kept_stored);
  ASSERT_TRUE(store_->apply_rollups(*kept_stored));

  auto before = backend_->rows_of_workspace(ws_);
  ASSERT_GE(before.size(), 12u) << "the walk must see the workspace's rows before it is deleted";

  // Another customer's key cannot delete it.
  auto stranger = store_->create_customer("stranger", "hash-stranger");
  ASSERT_TRUE(stranger);
  auto refused = store_->delete_workspace(stranger->id, ws_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::not_found);
  EXPECT_EQ(backend_->rows_of_workspace(ws_), before) << "a refused deletion changes nothing";

  ASSERT_TRUE(store_->delete_workspace(customer_, ws_));
  EXPECT_EQ(backend_->rows_of_workspace(ws_), std::vector<std::string>{});
  EXPECT_EQ(store_->get_workspace(customer_, ws_).error().code, ErrorCode::not_found);
  EXPECT_EQ(store_->get_source_by_id(source_).error().code, ErrorCode::not_found);
  auto keys = store_->list_api_keys(customer_);
  ASSERT_TRUE(keys);
  for (const auto& k : *keys) {
    if (k.name == "two workspaces") {
      EXPECT_EQ(k.workspaces, std::vector<Id>{other_ws->id});
    } else if (k.name == "only this one") {
      EXPECT_EQ(k.workspaces, std::vector<Id>{}) << "it sees nothing, never everything";
    } else {
      EXPECT_FALSE(k.workspaces) << k.name;
    }
  }
  EXPECT_EQ(governance::uids_of(*store_, other_ws->id), std::set<std::int64_t>{900});
  governance::expect_rollups_equal_recount(*store_, other_ws->id, "the other workspace");

  // What was in flight for it when it went: pages, rollups and live items are dropped without error.
  PageCommit late;
  late.workspace_id = ws_;
  late.source_id = source_;
  late.records = {record(500, kMar2, "negative", -0.7, {"sync"})};
  auto late_stored = store_->commit_page(late);
  ASSERT_TRUE(late_stored) << late_stored.error().message;
  EXPECT_TRUE(late_stored->empty());
  ASSERT_TRUE(store_->apply_rollups(stored));
  ASSERT_TRUE(store_->add_live_items({live}));
  EXPECT_EQ(backend_->rows_of_workspace(ws_), std::vector<std::string>{});
  auto again = store_->delete_workspace(customer_, ws_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::not_found);
}

// Ids are never given twice. After the newest workspace goes (and with it its sources, syncs, alert rules and
// their deliveries, and erasures), the next of each gets an id of its own: another customer's new workspace never
// answers to the deleted one's URLs, nor inherits what a role keeps by id (a source's failure count, a job).
TEST_P(StoreSpec, TheIdsOfDeletedRowsAreNeverGivenAgain) {
  auto ws = store_->create_workspace(customer_, "doomed");
  ASSERT_TRUE(ws);
  auto src = create_forum(ws->id, "doomed forum");
  ASSERT_TRUE(src);
  auto sync = store_->create_sync(ws->id, src->id);
  ASSERT_TRUE(sync);
  auto rule = store_->create_alert_rule(spec_rule(ws->id));
  ASSERT_TRUE(rule);
  auto delivery = store_->add_alert_delivery(spec_delivery(*rule, "k1", now_ms()));
  ASSERT_TRUE(delivery && *delivery);
  auto erasure = store_->erase_person(ws->id, PersonMatch{"email", "nobody@example.com"}, "hash-nobody", "admin key");
  ASSERT_TRUE(erasure);
  // A rule deleted on its own is not given again either.
  auto lone = store_->create_alert_rule(spec_rule(ws->id));
  ASSERT_TRUE(lone);
  ASSERT_TRUE(store_->delete_alert_rule(ws->id, lone->id));
  ASSERT_TRUE(store_->delete_workspace(customer_, ws->id));

  auto next_customer = store_->create_customer("next tenant", "hash-next-tenant");
  ASSERT_TRUE(next_customer);
  auto next_ws = store_->create_workspace(next_customer->id, "fresh");
  ASSERT_TRUE(next_ws);
  EXPECT_GT(next_ws->id, ws->id);
  auto next_src = create_forum(next_ws->id, "fresh forum");
  ASSERT_TRUE(next_src);
  EXPECT_GT(next_src->id, src->id);
  auto next_sync = store_->create_sync(next_ws->id, next_src->id);
  ASSERT_TRUE(next_sync);
  EXPECT_GT(next_sync->id, sync->id);
  auto next_rule = store_->create_alert_rule(spec_rule(next_ws->id));
  ASSERT_TRUE(next_rule);
  EXPECT_GT(next_rule->id, lone->id);
  auto next_delivery = store_->add_alert_delivery(spec_delivery(*next_rule, "k1", now_ms()));
  ASSERT_TRUE(next_delivery && *next_delivery);
  EXPECT_GT((*next_delivery)->id, (*delivery)->id);
  auto next_erasure =
      store_->erase_person(next_ws->id, PersonMatch{"email", "nobody@example.com"}, "hash-nobody", "admin key");
  ASSERT_TRUE(next_erasure);
  EXPECT_GT(next_erasure->id, erasure->id);
  EXPECT_EQ(store_->get_workspace(next_customer->id, ws->id).error().code, ErrorCode::not_found);
}

TEST_P(StoreSpec, ErasureRemovesOnePersonEverywhereAndRollupsEqualARecount) {
  Source second;
  second.workspace_id = ws_;
  second.type = "github";
  second.name = "tracker";
  second.sealed_secrets = "sealed";
  auto tracker = store_->create_source(second);
  ASSERT_TRUE(tracker);
  auto by = [](FeedbackRecord r, std::optional<std::string> email, std::optional<std::string> user_id,
               std::optional<std::string> username) {
    r.email = std::move(email);
    r.platform_user_id = std::move(user_id);
    r.username = std::move(username);
    r.raw_item = R"({"raw":true})";
    r.simhash = 0xabcdef0123456789ULL ^ static_cast<std::uint64_t>(r.unique_identifier * 0x9e3779b97f4a7c15LL);
    return r;
  };
  std::vector<FeedbackRecord> rs;
  // Ana writes on both sources, under her e-mail; Bob by user id and name; Cy by name only.
  rs.push_back(by(record(1, kMar2, "negative", -0.6, {"sync"}), "Ana@Example.com", "u-1", "ana"));
  auto on_tracker =
      by(record(2, kMar2 + kDay, "negative", -0.4, {"sync", "login"}), "ana@example.com", std::nullopt, std::nullopt);
  on_tracker.source_id = tracker->id;
  rs.push_back(on_tracker);
  rs.push_back(by(record(3, kMar2 + 2 * kDay, "positive", 0.7, {"login"}), std::nullopt, "u-2", "bob"));
  rs.push_back(by(record(4, kMar2 + 3 * kDay, "neutral", 0.0, {"sync"}), std::nullopt, "u-2", "bob"));
  rs.push_back(by(record(5, kMar2 + 4 * kDay, "mixed", 0.1, {}), std::nullopt, std::nullopt, "cy"));
  // Cy's record duplicates Ana's first: the link goes with her.
  auto dup = by(record(6, kMar2 + 5 * kDay, "negative", -0.6, {"sync"}), std::nullopt, std::nullopt, "cy");
  dup.duplicate_of = 1;
  rs.push_back(dup);
  // Someone whose e-mail merely contains Ana's is not Ana.
  rs.push_back(by(record(7, kMar2 + 6 * kDay, "positive", 0.3, {"sync"}), "xana@example.com", std::nullopt, "anax"));
  ASSERT_EQ(commit(rs).size(), rs.size());
  governance::expect_rollups_equal_recount(*store_, ws_, "before");
  // Items that never became records: one of Ana's, one of the other "ana"-like writer's.
  ASSERT_TRUE(store_->add_dead_letter(ws_, source_, R"({"user":{"email":"ana@Example.com"},"text":)", "bad JSON"));
  ASSERT_TRUE(store_->add_dead_letter(ws_, source_, R"({"user":{"email":"xana@example.com"},"text":)", "bad JSON"));

  auto e = store_->erase_person(ws_, PersonMatch{"email", "ANA@example.COM"}, "hash-ana", "privacy officer");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_GT(e->id, 0);
  EXPECT_EQ(e->state, "done");
  EXPECT_EQ(e->records, 2);
  EXPECT_EQ(e->raw_items, 3) << "her two raw items and her dead letter";
  EXPECT_EQ(store_->count_dead_letters(ws_).value(), 1) << "the other writer's dead letter stays";
  EXPECT_EQ(e->duplicate_links, 1);
  EXPECT_EQ(e->requested_by, "privacy officer");
  EXPECT_EQ(e->field, "email");
  EXPECT_EQ(governance::uids_of(*store_, ws_), (std::set<std::int64_t>{3, 4, 5, 6, 7}));
  EXPECT_EQ(store_->get_record(ws_, 1).error().code, ErrorCode::not_found);
  auto relinked = store_->get_record(ws_, 6);
  ASSERT_TRUE(relinked);
  EXPECT_FALSE(relinked->duplicate_of) << "no link to an erased record";
  EXPECT_EQ(relinked->raw_item, R"({"raw":true})") << "others keep their raw items";
  governance::expect_rollups_equal_recount(*store_, ws_, "after erasing by e-mail");
  // Nothing of her rests in the near-duplicate keys: her fingerprint finds no earlier record.
  EXPECT_FALSE(store_->find_near_duplicate(ws_, rs[0].simhash, 3, 99, kMar2 + 100 * kDay).value());

  auto by_id = store_->erase_person(ws_, PersonMatch{"user_id", "u-2"}, "hash-bob", "privacy officer");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->records, 2);
  auto by_name = store_->erase_person(ws_, PersonMatch{"username", "cy"}, "hash-cy", "privacy officer");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->records, 2);
  auto nobody = store_->erase_person(ws_, PersonMatch{"username", "zed"}, "hash-zed", "privacy officer");
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->records, 0);
  EXPECT_EQ(governance::uids_of(*store_, ws_), (std::set<std::int64_t>{7}));
  governance::expect_rollups_equal_recount(*store_, ws_, "after erasing everyone but one");

  // The log: who and how much, never whom.
  auto log = store_->list_erasures(ws_);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 4u);
  EXPECT_EQ((*log)[0].id, nobody->id) << "newest first";
  auto got = store_->get_erasure(ws_, e->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->records, 2);
  EXPECT_EQ(got->requested_by, "privacy officer");
  auto other_ws = store_->create_workspace(customer_, "other");
  EXPECT_EQ(store_->get_erasure(other_ws->id, e->id).error().code, ErrorCode::not_found);
  auto hashes = store_->erased_author_hashes(ws_);
  ASSERT_TRUE(hashes);
  EXPECT_EQ(std::set<std::string>(hashes->begin(), hashes->end()),
            (std::set<std::string>{"hash-ana", "hash-bob", "hash-cy", "hash-zed"}));
  EXPECT_TRUE(store_->erased_author_hashes(other_ws->id)->empty());

  // A late copy of an erased record (its message was in flight) adds nothing to the rollups.
  ASSERT_TRUE(store_->apply_rollups({rs[2]}));
  governance::expect_rollups_equal_recount(*store_, ws_, "after a late rollup of an erased record");
  EXPECT_FALSE(store_->erase_person(ws_, PersonMatch{"phone", "1"}, "h", "k"));
}

TEST_P(StoreSpec, RetentionRemovesOldRecordsAndCorrectsRollups) {
  const TimeMs now = now_ms();
  std::vector<FeedbackRecord> rs;
  for (int i = 0; i < 20; ++i) {
    // Every 20 days back from now: 0, 20, ..., 380 days old.
    auto r = record(200 + i, now - i * 20 * kDay - kDay / 2, i % 3 ? "negative" : "positive", i % 3 ? -0.3 : 0.4,
                    {i % 2 ? "sync" : "billing"});
    r.raw_item = "{}";
    rs.push_back(r);
  }
  ASSERT_EQ(commit(rs).size(), rs.size());
  ASSERT_TRUE(store_->add_dead_letter(ws_, source_, "{", "old"));
  // A workspace without retention keeps everything.
  auto other = store_->create_workspace(customer_, "forever");
  ASSERT_TRUE(other);
  auto pass0 = apply_retention(*store_, now);
  ASSERT_TRUE(pass0) << pass0.error().message;
  EXPECT_EQ(pass0->records, 0);
  EXPECT_EQ(governance::uids_of(*store_, ws_).size(), 20u);

  auto ws = store_->get_workspace(customer_, ws_);
  ws->settings.retention_days = 90;
  ASSERT_TRUE(store_->update_workspace(*ws));
  auto pass = apply_retention(*store_, now);
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_EQ(pass->workspaces, 1);
  EXPECT_EQ(pass->records, 15) << "records 100 days old and more go; 0 to 80 days stay";
  auto left = governance::uids_of(*store_, ws_);
  EXPECT_EQ(left, (std::set<std::int64_t>{200, 201, 202, 203, 204}));
  governance::expect_rollups_equal_recount(*store_, ws_, "after retention");
  EXPECT_EQ(store_->count_dead_letters(ws_).value(), 1) << "dead letters made after the cut stay";
  auto late = store_->delete_records_before(ws_, now + 400 * kDay);  // then the rest, and dead letters with them
  ASSERT_TRUE(late);
  EXPECT_EQ(*late, 5);
  EXPECT_EQ(store_->count_dead_letters(ws_).value(), 0);
  governance::expect_rollups_equal_recount(*store_, ws_, "after removing all");
  FeedbackFilter all;
  all.workspace_id = ws_;
  auto totals = store_->totals(all);
  EXPECT_EQ(totals->count, 0);
}

}  // namespace chorus::store
