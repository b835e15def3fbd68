// PostgreSQL store: workspace changes and deletion, erasure of a person, and retention, with the SQLite store's
// semantics. Record keys are locked in uid order first, as upserts and rollups lock them, so none deadlocks.
#include <algorithm>
#include <unordered_set>

#include "store/postgres/postgres_store.hpp"

namespace chorus::store {

namespace {

constexpr std::string_view kWorkspaceColumns = "SELECT id, customer_id, name, created_at, settings FROM workspaces ";

// Every table whose rows belong to one workspace by a workspace_id column, children before what they reference.
constexpr std::string_view kWorkspaceTables[] = {
    "records",          "record_keys",      "record_themes", "record_bands", "record_raw",     "rollup",
    "rollup_themes",    "rollup_applied",   "dead_letters",  "syncs",        "sources",        "workspace_taxonomies",
    "alert_deliveries", "alert_live_items", "alert_rules",   "erasures",     "erased_authors",
};

// The records an erasure picks, over record_keys k ($1 the workspace, $2 the identifier).
Result<std::string> person_condition(const PersonMatch& who) {
  std::string path;
  if (who.field == "email")
    path = "lower((x.body::jsonb) #>> '{user_attributes,email}') = lower($2)";
  else if (who.field == "user_id")
    path = "(x.body::jsonb) #>> '{user_attributes,feedback_platform_user_id}' = $2";
  else if (who.field == "username")
    path = "(x.body::jsonb) #>> '{user_attributes,username}' = $2";
  else
    return make_error(ErrorCode::bad_request, "an erasure names a person by email, user_id or username");
  return "EXISTS (SELECT 1 FROM records x WHERE x.workspace_id = k.workspace_id AND x.uid = k.uid AND x.ts = k.ts "
         "AND " +
         path + ")";
}

// A bigint[] parameter, sent as its text form.
std::string bigint_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

constexpr std::string_view kErasureColumns =
    "SELECT id, workspace_id, field, requested_by, requested_at, finished_at, state, records, raw_items, "
    "duplicate_links FROM erasures ";

Erasure read_erasure(const pg::Rows& rows, int i) {
  Erasure e;
  e.id = rows.int64(i, 0);
  e.workspace_id = rows.int64(i, 1);
  e.field = rows.text(i, 2);
  e.requested_by = rows.text(i, 3);
  e.requested_at = rows.int64(i, 4);
  e.finished_at = rows.opt_int64(i, 5);
  e.state = rows.text(i, 6);
  e.records = rows.int64(i, 7);
  e.raw_items = rows.int64(i, 8);
  e.duplicate_links = rows.int64(i, 9);
  return e;
}

}  // namespace

Result<std::optional<Workspace>> PostgresStore::find_workspace(Id workspace_id) {
  auto rows = pool_.read(std::string(kWorkspaceColumns) + "WHERE id = $1", pg::Params().add(workspace_id));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Workspace>{};
  return std::optional<Workspace>{read_workspace(*rows, 0)};
}

Result<std::vector<Workspace>> PostgresStore::list_all_workspaces() {
  auto rows = pool_.read(std::string(kWorkspaceColumns) + "ORDER BY id");
  if (!rows) return rows.error();
  std::vector<Workspace> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_workspace(*rows, i));
  return out;
}

Result<Workspace> PostgresStore::update_workspace(const Workspace& ws) {
  auto rows = pool_.write(
      "UPDATE workspaces SET name = $1, settings = $2 WHERE id = $3 AND customer_id = $4 "
      "RETURNING id, customer_id, name, created_at, settings",
      pg::Params().add(ws.name).add(encode_workspace_settings(ws.settings)).add(ws.id).add(ws.customer_id));
  if (!rows) return rows.error();
  if (rows->empty()) return make_error(ErrorCode::not_found, "workspace " + std::to_string(ws.id) + " does not exist");
  return read_workspace(*rows, 0);
}

Status PostgresStore::delete_workspace(Id customer_id, Id workspace_id) {
  TimeMs lo = INT64_MAX, hi = INT64_MIN;
  {
    auto conn = pool_.acquire();
    if (!conn) return conn.error();
    pg::Transaction tx(**conn);
    if (auto s = tx.begin(); !s) return s;
    // The row lock makes pages of this workspace committed from now on wait, then find it gone.
    auto owned = (*conn)->exec("SELECT 1 FROM workspaces WHERE id = $1 AND customer_id = $2 FOR UPDATE",
                               pg::Params().add(workspace_id).add(customer_id));
    if (!owned) return owned.error();
    if (owned->empty())
      return make_error(ErrorCode::not_found, "workspace " + std::to_string(workspace_id) + " does not exist");
    auto keys = (*conn)->exec("SELECT uid FROM record_keys WHERE workspace_id = $1 ORDER BY uid FOR UPDATE",
                              pg::Params().add(workspace_id));
    if (!keys) return keys.error();
    auto span = (*conn)->exec("SELECT min(hour), max(hour) FROM rollup WHERE workspace_id = $1",
                              pg::Params().add(workspace_id));
    if (!span) return span.error();
    if (auto a = span->opt_int64(0, 0)) lo = *a;
    if (auto b = span->opt_int64(0, 1)) hi = *b;
    for (std::string_view table : kWorkspaceTables) {
      auto d = (*conn)->exec("DELETE FROM " + std::string(table) + " WHERE workspace_id = $1",
                             pg::Params().add(workspace_id));
      if (!d) return d.error();
    }
    // Keys scoped to some workspaces lose this one; a key left with none sees nothing (it never widens to all).
    auto scoped = (*conn)->exec("SELECT id, workspaces FROM api_keys WHERE customer_id = $1 AND workspaces IS NOT NULL",
                                pg::Params().add(customer_id));
    if (!scoped) return scoped.error();
    for (int i = 0; i < scoped->size(); ++i) {
      auto list = decode_key_workspaces(scoped->opt_text(i, 1));
      auto kept = *list;
      std::erase(kept, workspace_id);
      if (kept.size() == list->size()) continue;
      auto put = (*conn)->exec("UPDATE api_keys SET workspaces = $1 WHERE id = $2",
                               pg::Params().add(*encode_key_workspaces(kept)).add(scoped->int64(i, 0)));
      if (!put) return put.error();
    }
    auto gone = (*conn)->exec("DELETE FROM workspaces WHERE id = $1", pg::Params().add(workspace_id));
    if (!gone) return gone.error();
    if (auto s = tx.commit(); !s) return s;
  }
  if (lo > hi) return {};
  return refresh_daily_rollup(lo, hi);
}

Status PostgresStore::remove_records(pg::Connection& conn, Id workspace_id, const std::string& where,
                                     const pg::Params& params, Erasure& counts, TimeMs& lo, TimeMs& hi) {
  auto picked = conn.exec("SELECT k.uid, k.ts FROM record_keys k WHERE k.workspace_id = $1 AND " + where +
                              " ORDER BY k.uid FOR UPDATE OF k",
                          params);
  if (!picked) return picked.error();
  if (picked->empty()) return {};
  std::vector<std::int64_t> uids;
  for (int i = 0; i < picked->size(); ++i) uids.push_back(picked->int64(i, 0));
  counts.records += static_cast<std::int64_t>(uids.size());
  const std::string ids = bigint_array(uids);
  auto with_ids = [&] { return pg::Params().add(workspace_id).add(ids); };

  auto applied = conn.exec(
      "DELETE FROM rollup_applied WHERE workspace_id = $1 AND uid = ANY($2::bigint[]) "
      "RETURNING hour, source_id, sentiment, category, language, compound, themes",
      with_ids());
  if (!applied) return applied.error();
  for (int i = 0; i < applied->size(); ++i) {
    TimeMs hour = applied->int64(i, 0);
    lo = std::min(lo, hour);
    hi = std::max(hi, hour);
    if (auto s = fold_rollup(conn, workspace_id, hour, applied->int64(i, 1), applied->text(i, 2), applied->text(i, 3),
                             applied->text(i, 4), applied->real(i, 5), pg::parse_text_array(applied->text(i, 6)), -1);
        !s)
      return s;
  }
  auto raw = conn.exec("DELETE FROM record_raw WHERE workspace_id = $1 AND uid = ANY($2::bigint[])", with_ids());
  if (!raw) return raw.error();
  counts.raw_items += raw->affected();
  for (std::string_view table : {"records", "record_themes", "record_bands", "alert_live_items", "record_keys"}) {
    auto d = conn.exec("DELETE FROM " + std::string(table) + " WHERE workspace_id = $1 AND uid = ANY($2::bigint[])",
                       with_ids());
    if (!d) return d.error();
  }

  // Records that named one of them as what they duplicate no longer do.
  std::unordered_set<std::int64_t> gone(uids.begin(), uids.end());
  auto linked =
      conn.exec("SELECT uid, ts, body FROM records WHERE workspace_id = $1 AND body LIKE '%\"duplicate_of\":\"%'",
                pg::Params().add(workspace_id));
  if (!linked) return linked.error();
  for (int i = 0; i < linked->size(); ++i) {
    auto body = unlinked_body(linked->text(i, 2), gone);
    if (!body) continue;
    auto put = conn.exec(
        "UPDATE records SET body = $1 WHERE workspace_id = $2 AND uid = $3 AND ts = $4",
        pg::Params().add(*body).add(workspace_id).add(linked->int64(i, 0)).add(linked->int64(i, 1)));
    if (!put) return put.error();
    ++counts.duplicate_links;
  }
  return {};
}

Result<Erasure> PostgresStore::erase_person(Id workspace_id, const PersonMatch& who, const std::string& author_hash,
                                            const std::string& requested_by) {
  auto condition = person_condition(who);
  if (!condition) return condition.error();
  Erasure e;
  e.workspace_id = workspace_id;
  e.field = who.field;
  e.requested_by = requested_by;
  e.requested_at = now_ms();
  TimeMs lo = INT64_MAX, hi = INT64_MIN;
  {
    auto conn = pool_.acquire();
    if (!conn) return conn.error();
    pg::Transaction tx(**conn);
    if (auto s = tx.begin(); !s) return s.error();
    if (auto s =
            remove_records(**conn, workspace_id, *condition, pg::Params().add(workspace_id).add(who.value), e, lo, hi);
        !s)
      return s.error();
    // Items that never became records (dead letters) go too when they carry the identifier as a JSON string.
    auto letters = (*conn)->exec(
        who.field == "email"
            ? "DELETE FROM dead_letters WHERE workspace_id = $1 AND strpos(lower(payload), lower($2)) > 0"
            : "DELETE FROM dead_letters WHERE workspace_id = $1 AND strpos(payload, $2) > 0",
        pg::Params().add(workspace_id).add(quoted_identifier(who)));
    if (!letters) return letters.error();
    e.raw_items += letters->affected();
    auto remember =
        (*conn)->exec("INSERT INTO erased_authors(workspace_id, hash) VALUES($1, $2) ON CONFLICT DO NOTHING",
                      pg::Params().add(workspace_id).add(author_hash));
    if (!remember) return remember.error();
    e.finished_at = now_ms();
    auto log = (*conn)->exec(
        "INSERT INTO erasures(workspace_id, field, requested_by, requested_at, finished_at, state, records, raw_items, "
        "duplicate_links) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        pg::Params()
            .add(workspace_id)
            .add(e.field)
            .add(e.requested_by)
            .add(e.requested_at)
            .add(e.finished_at)
            .add(e.state)
            .add(e.records)
            .add(e.raw_items)
            .add(e.duplicate_links));
    if (!log) return log.error();
    e.id = log->int64(0, 0);
    if (auto s = tx.commit(); !s) return s.error();
  }
  if (lo <= hi)
    if (auto s = refresh_daily_rollup(lo, hi); !s) return s.error();
  return e;
}

Result<Erasure> PostgresStore::get_erasure(Id workspace_id, Id erasure_id) {
  auto rows = pool_.read(std::string(kErasureColumns) + "WHERE workspace_id = $1 AND id = $2",
                         pg::Params().add(workspace_id).add(erasure_id));
  if (!rows) return rows.error();
  if (rows->empty())
    return make_error(ErrorCode::not_found, "erasure " + std::to_string(erasure_id) + " does not exist");
  return read_erasure(*rows, 0);
}

Result<std::vector<Erasure>> PostgresStore::list_erasures(Id workspace_id) {
  auto rows = pool_.read(std::string(kErasureColumns) + "WHERE workspace_id = $1 ORDER BY id DESC",
                         pg::Params().add(workspace_id));
  if (!rows) return rows.error();
  std::vector<Erasure> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_erasure(*rows, i));
  return out;
}

Result<std::vector<std::string>> PostgresStore::erased_author_hashes(Id workspace_id) {
  auto rows = pool_.read("SELECT hash FROM erased_authors WHERE workspace_id = $1", pg::Params().add(workspace_id));
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(rows->text(i, 0));
  return out;
}

Result<std::int64_t> PostgresStore::delete_records_before(Id workspace_id, TimeMs before) {
  Erasure counts;
  TimeMs lo = INT64_MAX, hi = INT64_MIN;
  {
    auto conn = pool_.acquire();
    if (!conn) return conn.error();
    pg::Transaction tx(**conn);
    if (auto s = tx.begin(); !s) return s.error();
    if (auto s = remove_records(**conn, workspace_id, "k.ts < $2", pg::Params().add(workspace_id).add(before), counts,
                                lo, hi);
        !s)
      return s.error();
    auto letters = (*conn)->exec("DELETE FROM dead_letters WHERE workspace_id = $1 AND created_at < $2",
                                 pg::Params().add(workspace_id).add(before));
    if (!letters) return letters.error();
    if (auto s = tx.commit(); !s) return s.error();
  }
  if (lo <= hi)
    if (auto s = refresh_daily_rollup(lo, hi); !s) return s.error();
  return counts.records;
}

}  // namespace chorus::store
