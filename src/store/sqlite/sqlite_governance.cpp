// SQLite store: workspace changes and deletion, erasure of a person, and retention. Records leave with everything
// derived from them (themes, their place in the near-duplicate index, live items, their rollup contribution), in one
// transaction.
#include <unordered_set>

#include "store/sqlite/sqlite_cubes.hpp"
#include "store/sqlite/sqlite_sql.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace chorus::store {

using namespace sqlite_sql;

namespace {

// Every table whose rows belong to one workspace by a workspace_id column, children before what they reference.
constexpr std::string_view kWorkspaceTables[] = {
    "records",  "record_themes",        "rollup_applied",   "dead_letters",     "syncs",
    "sources",  "workspace_taxonomies", "alert_deliveries", "alert_live_items", "alert_rules",
    "erasures", "erased_authors",
};

// The author field of the record body an erasure matches on.
Result<std::string> person_condition(const PersonMatch& who) {
  if (who.field == "email") return std::string("lower(json_extract(body, '$.user_attributes.email')) = lower(?2)");
  if (who.field == "user_id")
    return std::string("json_extract(body, '$.user_attributes.feedback_platform_user_id') = ?2");
  if (who.field == "username") return std::string("json_extract(body, '$.user_attributes.username') = ?2");
  return make_error(ErrorCode::bad_request, "an erasure names a person by email, user_id or username");
}

Erasure read_erasure(const sqlite::Statement& q) {
  Erasure e;
  e.id = q.int64(0);
  e.workspace_id = q.int64(1);
  e.field = q.text(2);
  e.requested_by = q.text(3);
  e.requested_at = q.int64(4);
  e.finished_at = q.opt_int64(5);
  e.state = q.text(6);
  e.records = q.int64(7);
  e.raw_items = q.int64(8);
  e.duplicate_links = q.int64(9);
  return e;
}

}  // namespace

Result<std::optional<Workspace>> SqliteStore::find_workspace(Id workspace_id) {
  std::lock_guard lock(read_mu_);
  static const std::string sql = std::string(kWorkspaceColumns) + "WHERE id = ?";
  auto q = reader_.cached(sql);
  if (!q) return q.error();
  sqlite::ResetOnExit done(**q);
  (*q)->bind(1, workspace_id);
  auto row = (*q)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Workspace>{};
  return std::optional<Workspace>{read_workspace(**q)};
}

Result<std::vector<Workspace>> SqliteStore::list_all_workspaces() {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kWorkspaceColumns) + "ORDER BY id");
  if (!q) return q.error();
  return read_all<Workspace>(*q, read_workspace);
}

Result<Workspace> SqliteStore::update_workspace(const Workspace& ws) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("UPDATE workspaces SET name = ?, settings = ? WHERE id = ? AND customer_id = ?");
  if (!q) return q.error();
  if (auto s = q->bind(1, ws.name)
                   .bind(2, encode_workspace_settings(ws.settings))
                   .bind(3, ws.id)
                   .bind(4, ws.customer_id)
                   .run();
      !s)
    return s.error();
  if (db_.changes() == 0)
    return make_error(ErrorCode::not_found, "workspace " + std::to_string(ws.id) + " does not exist");
  auto back = db_.prepare(std::string(kWorkspaceColumns) + "WHERE id = ?");
  if (!back) return back.error();
  back->bind(1, ws.id);
  if (auto row = back->step(); !row) return row.error();
  return read_workspace(*back);
}

Status SqliteStore::delete_workspace(Id customer_id, Id workspace_id) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  IndexChanges changes(*this);
  if (auto s = notice_other_writers(); !s) return s;
  auto owned = db_.prepare("SELECT count(*) FROM workspaces WHERE id = ? AND customer_id = ?");
  if (!owned) return owned.error();
  owned->bind(1, workspace_id).bind(2, customer_id);
  if (auto row = owned->step(); !row) return row.error();
  if (owned->int64(0) == 0)
    return make_error(ErrorCode::not_found, "workspace " + std::to_string(workspace_id) + " does not exist");
  owned->reset();
  auto wipe = [&](std::string_view table) -> Status {
    auto d = db_.prepare("DELETE FROM " + std::string(table) + " WHERE workspace_id = ?");
    if (!d) return d.error();
    return d->bind(1, workspace_id).run();
  };
  for (std::string_view table : kWorkspaceTables)
    if (auto s = wipe(table); !s) return s;
  for (const auto& cube : cubes::all())
    if (auto s = wipe(cube.table); !s) return s;
  // Keys scoped to some workspaces lose this one; a key left with none sees nothing (it never widens to all).
  auto keys = db_.prepare("SELECT id, workspaces FROM api_keys WHERE customer_id = ? AND workspaces IS NOT NULL");
  if (!keys) return keys.error();
  keys->bind(1, customer_id);
  std::vector<std::pair<Id, std::string>> changed;
  Status rows = keys->each_row([&] {
    auto list = decode_key_workspaces(keys->opt_text(1));
    auto kept = *list;
    std::erase(kept, workspace_id);
    if (kept.size() != list->size()) changed.emplace_back(keys->int64(0), *encode_key_workspaces(kept));
  });
  if (!rows) return rows.error();
  keys->reset();
  auto put = db_.prepare("UPDATE api_keys SET workspaces = ? WHERE id = ?");
  if (!put) return put.error();
  for (const auto& [id, text] : changed) {
    put->reset();
    if (auto s = put->bind(1, text).bind(2, id).run(); !s) return s;
  }
  auto gone = db_.prepare("DELETE FROM workspaces WHERE id = ?");
  if (!gone) return gone.error();
  if (auto s = gone->bind(1, workspace_id).run(); !s) return s;
  near_index_.drop(workspace_id);
  Status committed = tx.commit();
  if (committed) changes.keep();
  forget_webhook_sources();  // its sources went with it
  return committed;
}

// mu_ held, inside the caller's transaction: removes the records chosen by `where` (over records, ?1 the workspace,
// ?2 the caller's argument) and what derives from them.
Status SqliteStore::remove_records(Id workspace_id, const std::string& where, const SqlArg& arg, Erasure& counts) {
  auto pick = db_.prepare("SELECT uid, simhash, ts, raw IS NOT NULL FROM records WHERE workspace_id = ?1 AND " + where);
  if (!pick) return pick.error();
  pick->bind(1, workspace_id);
  if (std::holds_alternative<std::int64_t>(arg))
    pick->bind(2, std::get<std::int64_t>(arg));
  else
    pick->bind(2, std::get<std::string>(arg));
  struct Gone {
    std::int64_t uid, simhash;
    TimeMs ts;
  };
  std::vector<Gone> gone;
  Status rows = pick->each_row([&] {
    gone.push_back(Gone{pick->int64(0), pick->int64(1), pick->int64(2)});
    counts.raw_items += pick->int64(3);
  });
  if (!rows) return rows.error();
  pick->reset();
  counts.records += static_cast<std::int64_t>(gone.size());
  if (gone.empty()) return {};

  auto applied = db_.prepare(
      "SELECT hour, source_id, sentiment, category, language, compound, themes, rating FROM rollup_applied "
      "WHERE workspace_id = ? AND uid = ?");
  if (!applied) return applied.error();
  std::vector<sqlite::Statement> by_uid;
  for (std::string_view table : {"rollup_applied", "record_themes", "alert_live_items", "records"}) {
    auto d = db_.prepare("DELETE FROM " + std::string(table) + " WHERE workspace_id = ? AND uid = ?");
    if (!d) return d.error();
    by_uid.push_back(std::move(d.value()));
  }
  cubes::Fold fold;
  std::unordered_set<std::int64_t> uids;
  for (const Gone& g : gone) {
    uids.insert(g.uid);
    applied->reset();
    applied->bind(1, workspace_id).bind(2, g.uid);
    auto row = applied->step();
    if (!row) return row.error();
    if (*row) fold.add(applied_contribution(*applied, 0, workspace_id), -1);
    applied->reset();
    near_index_.erase(workspace_id, {static_cast<std::uint64_t>(g.simhash), g.ts, g.uid});
    for (auto& d : by_uid) {
      d.reset();
      if (auto s = d.bind(1, workspace_id).bind(2, g.uid).run(); !s) return s;
    }
  }
  if (auto s = fold.write(db_); !s) return s;

  // Records that named one of them as what they duplicate no longer do.
  auto linked =
      db_.prepare("SELECT uid, body FROM records WHERE workspace_id = ? AND body LIKE '%\"duplicate_of\":\"%'");
  if (!linked) return linked.error();
  linked->bind(1, workspace_id);
  std::vector<std::pair<std::int64_t, std::string>> relinked;
  for (;;) {
    auto row = linked->step();
    if (!row) return row.error();
    if (!*row) break;
    auto body = unlinked_body(linked->text(1), uids);
    if (!body) continue;
    relinked.emplace_back(linked->int64(0), std::move(*body));
  }
  linked->reset();
  auto put = db_.prepare("UPDATE records SET body = ? WHERE workspace_id = ? AND uid = ?");
  if (!put) return put.error();
  for (const auto& [uid, body] : relinked) {
    put->reset();
    if (auto s = put->bind(1, body).bind(2, workspace_id).bind(3, uid).run(); !s) return s;
  }
  counts.duplicate_links += static_cast<std::int64_t>(relinked.size());
  return {};
}

Result<Erasure> SqliteStore::erase_person(Id workspace_id, const PersonMatch& who, const std::string& author_hash,
                                          const std::string& requested_by) {
  auto condition = person_condition(who);
  if (!condition) return condition.error();
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  IndexChanges changes(*this);
  if (auto s = notice_other_writers(); !s) return s.error();
  Erasure e;
  e.workspace_id = workspace_id;
  e.field = who.field;
  e.requested_by = requested_by;
  e.requested_at = now_ms();
  if (auto s = remove_records(workspace_id, *condition, SqlArg(std::in_place_type<std::string>, who.value), e); !s)
    return s.error();
  // Items that never became records (dead letters) go too when they carry the identifier as a JSON string.
  auto letters = db_.prepare(std::string("DELETE FROM dead_letters WHERE workspace_id = ? AND ") +
                             dead_letter_condition(who));
  if (!letters) return letters.error();
  if (auto s = letters->bind(1, workspace_id).bind(2, quoted_identifier(who)).run(); !s) return s.error();
  e.raw_items += db_.changes();
  auto remember = db_.prepare("INSERT OR IGNORE INTO erased_authors(workspace_id, hash) VALUES(?, ?)");
  if (!remember) return remember.error();
  if (auto s = remember->bind(1, workspace_id).bind(2, author_hash).run(); !s) return s.error();
  e.finished_at = now_ms();
  auto log = db_.prepare(
      "INSERT INTO erasures(id, workspace_id, field, requested_by, requested_at, finished_at, state, records, "
      "raw_items, duplicate_links) VALUES(" +
      sqlite_sql::fresh_id_sql("erasures") + ", ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!log) return log.error();
  log->bind(1, workspace_id).bind(2, e.field).bind(3, e.requested_by).bind(4, e.requested_at).bind(5, e.finished_at);
  log->bind(6, e.state).bind(7, e.records).bind(8, e.raw_items).bind(9, e.duplicate_links);
  if (auto s = log->run(); !s) return s.error();
  e.id = db_.last_insert_id();
  if (auto s = tx.commit(); !s) return s.error();
  changes.keep();
  return e;
}

Result<Erasure> SqliteStore::get_erasure(Id workspace_id, Id erasure_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id, workspace_id, field, requested_by, requested_at, finished_at, state, records, raw_items, "
      "duplicate_links FROM erasures WHERE workspace_id = ? AND id = ?");
  if (!q) return q.error();
  q->bind(1, workspace_id).bind(2, erasure_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::not_found, "erasure " + std::to_string(erasure_id) + " does not exist");
  return read_erasure(*q);
}

Result<std::vector<Erasure>> SqliteStore::list_erasures(Id workspace_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id, workspace_id, field, requested_by, requested_at, finished_at, state, records, raw_items, "
      "duplicate_links FROM erasures WHERE workspace_id = ? ORDER BY id DESC");
  if (!q) return q.error();
  q->bind(1, workspace_id);
  return read_all<Erasure>(*q, read_erasure);
}

Result<std::vector<std::string>> SqliteStore::erased_author_hashes(Id workspace_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT hash FROM erased_authors WHERE workspace_id = ?");
  if (!q) return q.error();
  q->bind(1, workspace_id);
  return read_all<std::string>(*q, [](const sqlite::Statement& s) { return s.text(0); });
}

Result<std::int64_t> SqliteStore::delete_records_before(Id workspace_id, TimeMs before) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  IndexChanges changes(*this);
  if (auto s = notice_other_writers(); !s) return s.error();
  Erasure counts;
  if (auto s = remove_records(workspace_id, "ts < ?2", SqlArg(std::in_place_type<std::int64_t>, before), counts); !s)
    return s.error();
  auto letters = db_.prepare("DELETE FROM dead_letters WHERE workspace_id = ? AND created_at < ?");
  if (!letters) return letters.error();
  if (auto s = letters->bind(1, workspace_id).bind(2, before).run(); !s) return s.error();
  if (auto s = tx.commit(); !s) return s.error();
  changes.keep();
  return counts.records;
}

}  // namespace chorus::store
