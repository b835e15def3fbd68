// PostgreSQL store: opening, tenancy, workspaces, sources, syncs, dead letters and health.
#include "store/postgres/postgres_store.hpp"

namespace chorus::store {

namespace {

// $1 state, $2 error, $3 now; the caller appends the WHERE clause with $4.
constexpr std::string_view kSetSourceState =
    "UPDATE sources SET state = $1::text, last_error = CASE WHEN $1::text = 'failed' THEN $2::text "
    "WHEN $1::text = 'ok' THEN NULL ELSE last_error END, "
    "last_sync_at = CASE WHEN $1::text IN ('ok', 'failed') THEN $3::bigint ELSE last_sync_at END ";

constexpr std::string_view kSyncColumns =
    "SELECT id, workspace_id, source_id, state, items, new_items, error, created_at, updated_at, skipped, "
    "skipped_reasons FROM syncs ";

constexpr std::string_view kSourceColumns =
    "SELECT s.id, s.workspace_id, w.customer_id, s.type, s.name, s.config, s.schedule_every_s, s.webhook_scheme, "
    "s.sealed_secrets, s.created_at, s.state, s.last_sync_at, s.last_error, s.items_total, s.cursor, s.paused "
    "FROM sources s JOIN workspaces w ON w.id = s.workspace_id ";

Sync read_sync(const pg::Rows& rows, int i) {
  Sync y;
  y.id = rows.int64(i, 0);
  y.workspace_id = rows.int64(i, 1);
  y.source_id = rows.int64(i, 2);
  y.state = rows.text(i, 3);
  y.items = rows.int64(i, 4);
  y.new_items = rows.int64(i, 5);
  y.error = rows.opt_text(i, 6);
  y.created_at = rows.int64(i, 7);
  y.updated_at = rows.int64(i, 8);
  y.skipped = rows.int64(i, 9);
  if (auto reasons = parse_json(rows.text(i, 10)); reasons && reasons->is_object())
    for (const auto& kv : reasons->get_object())
      if (kv.value().is_int64()) y.skipped_reasons[std::string(kv.key())] = kv.value().get_int64();
  return y;
}

Source read_source(const pg::Rows& rows, int i) {
  Source src;
  src.id = rows.int64(i, 0);
  src.workspace_id = rows.int64(i, 1);
  src.customer_id = rows.int64(i, 2);
  src.type = rows.text(i, 3);
  src.name = rows.text(i, 4);
  auto cfg = parse_json(rows.text(i, 5));
  if (cfg && cfg->is_object()) src.config = cfg->get_object();
  src.schedule_every_s = rows.opt_int64(i, 6);
  src.webhook_scheme = rows.opt_text(i, 7);
  src.sealed_secrets = rows.text(i, 8);
  src.created_at = rows.int64(i, 9);
  src.status.state = rows.text(i, 10);
  src.status.last_sync_at = rows.opt_int64(i, 11);
  src.status.last_error = rows.opt_text(i, 12);
  src.status.items_total = rows.int64(i, 13);
  src.status.cursor = rows.text(i, 14);
  src.paused = rows.boolean(i, 15);
  return src;
}

}  // namespace

Workspace PostgresStore::read_workspace(const pg::Rows& rows, int i) {
  return Workspace{rows.int64(i, 0), rows.int64(i, 1), rows.text(i, 2), rows.int64(i, 3),
                   decode_workspace_settings(rows.text(i, 4))};
}

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, const PostgresOptions& options) {
  auto s = PostgresStore::open(url, options);
  if (!s) return s.error();
  return std::unique_ptr<Store>(std::move(s).value());
}

PostgresStore::PostgresStore(std::string url, const PostgresOptions& options)
    : pool_(std::move(url), options.pool_size) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url, const PostgresOptions& options) {
  if (url.empty()) return make_error(ErrorCode::bad_request, "--postgres-url is required for --store postgres");
  std::unique_ptr<PostgresStore> store(new PostgresStore(url, options));
  if (auto m = store->migrate(options); !m) return m.error();
  return store;
}

Result<Customer> PostgresStore::create_customer(const std::string& name, const std::string& key_hash) {
  auto conn = pool_.acquire();
  if (!conn) return conn.error();
  pg::Transaction tx(**conn);
  if (auto s = tx.begin(); !s) return s.error();
  Customer c{0, name, now_ms()};
  auto ins = (*conn)->exec("INSERT INTO customers(name, created_at) VALUES($1, $2) RETURNING id",
                           pg::Params().add(name).add(c.created_at));
  if (!ins) return ins.error();
  c.id = ins->int64(0, 0);
  auto key = (*conn)->exec(
      "INSERT INTO api_keys(key_hash, customer_id, created_at, name, role) VALUES($1, $2, $3, 'customer key', 'admin')",
                           pg::Params().add(key_hash).add(c.id).add(c.created_at));
  if (!key) return key.error();
  if (auto s = tx.commit(); !s) return s.error();
  return c;
}

Result<Workspace> PostgresStore::create_workspace(Id customer_id, const std::string& name) {
  Workspace w{0, customer_id, name, now_ms(), {}};
  auto rows = pool_.write("INSERT INTO workspaces(customer_id, name, created_at) VALUES($1, $2, $3) RETURNING id",
                          pg::Params().add(customer_id).add(name).add(w.created_at));
  if (!rows) return rows.error();
  w.id = rows->int64(0, 0);
  return w;
}

Result<std::vector<Workspace>> PostgresStore::list_workspaces(Id customer_id) {
  auto rows = pool_.read("SELECT id, customer_id, name, created_at, settings FROM workspaces WHERE customer_id = $1 ORDER BY id",
                         pg::Params().add(customer_id));
  if (!rows) return rows.error();
  std::vector<Workspace> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_workspace(*rows, i));
  return out;
}

Result<Workspace> PostgresStore::get_workspace(Id customer_id, Id workspace_id) {
  auto rows = pool_.read("SELECT id, customer_id, name, created_at, settings FROM workspaces WHERE id = $1 AND customer_id = $2",
                         pg::Params().add(workspace_id).add(customer_id));
  if (!rows) return rows.error();
  if (rows->empty())
    return make_error(ErrorCode::not_found, "workspace " + std::to_string(workspace_id) + " does not exist");
  return read_workspace(*rows, 0);
}

Result<Source> PostgresStore::create_source(const Source& src) {
  auto rows = pool_.write(
      "INSERT INTO sources(workspace_id, type, name, config, schedule_every_s, webhook_scheme, sealed_secrets, "
      "created_at) VALUES($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      pg::Params()
          .add(src.workspace_id)
          .add(src.type)
          .add(src.name)
          .add(to_json_string(src.config))
          .add(src.schedule_every_s)
          .add(src.webhook_scheme)
          .add(src.sealed_secrets)
          .add(now_ms()));
  if (!rows) return rows.error();
  auto made = load_sources("WHERE s.id = $1", pg::Params().add(rows->int64(0, 0)));
  if (!made) return made.error();
  if (made->empty()) return make_error(ErrorCode::internal, "the new source vanished");
  return std::move(made->front());
}

Result<std::vector<Source>> PostgresStore::load_sources(std::string_view where, const pg::Params& params) {
  auto rows = pool_.read(std::string(kSourceColumns) + std::string(where), params);
  if (!rows) return rows.error();
  std::vector<Source> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_source(*rows, i));
  return out;
}

Result<std::vector<Source>> PostgresStore::list_sources(Id workspace_id) {
  return load_sources("WHERE s.workspace_id = $1 AND NOT s.deleted ORDER BY s.id", pg::Params().add(workspace_id));
}

Result<Source> PostgresStore::get_source(Id workspace_id, Id source_id) {
  auto found = load_sources("WHERE s.workspace_id = $1 AND s.id = $2 AND NOT s.deleted",
                            pg::Params().add(workspace_id).add(source_id));
  if (!found) return found.error();
  if (found->empty()) return make_error(ErrorCode::not_found, "source " + std::to_string(source_id) + " does not exist");
  return std::move(found->front());
}

Result<Source> PostgresStore::get_source_by_id(Id source_id) {
  auto found = load_sources("WHERE s.id = $1 AND NOT s.deleted", pg::Params().add(source_id));
  if (!found) return found.error();
  if (found->empty()) return make_error(ErrorCode::not_found, "source " + std::to_string(source_id) + " does not exist");
  return std::move(found->front());
}

Status PostgresStore::delete_source(Id workspace_id, Id source_id) {
  // Soft delete, as in SQLite: the records stay; syncing and the webhook URL stop.
  auto rows = pool_.write("UPDATE sources SET deleted = true WHERE workspace_id = $1 AND id = $2 AND NOT deleted",
                          pg::Params().add(workspace_id).add(source_id));
  if (!rows) return rows.error();
  if (rows->affected() == 0)
    return make_error(ErrorCode::not_found, "source " + std::to_string(source_id) + " does not exist");
  return {};
}

Result<std::vector<Source>> PostgresStore::list_scheduled_sources() {
  return load_sources("WHERE NOT s.deleted AND NOT s.paused AND s.schedule_every_s IS NOT NULL ORDER BY s.id",
                      pg::Params());
}

Result<Source> PostgresStore::update_source(const Source& src, bool reset_cursor) {
  auto rows = pool_.write(
      "UPDATE sources SET name = $1, config = $2, schedule_every_s = $3, webhook_scheme = $4, sealed_secrets = $5, "
      "paused = $6, cursor = CASE WHEN $7 THEN '' ELSE cursor END "
      "WHERE workspace_id = $8 AND id = $9 AND NOT deleted RETURNING id",
      pg::Params()
          .add(src.name)
          .add(to_json_string(src.config))
          .add(src.schedule_every_s)
          .add(src.webhook_scheme)
          .add(src.sealed_secrets)
          .add(src.paused)
          .add(reset_cursor)
          .add(src.workspace_id)
          .add(src.id));
  if (!rows) return rows.error();
  if (rows->empty()) return make_error(ErrorCode::not_found, "source " + std::to_string(src.id) + " does not exist");
  auto found = load_sources("WHERE s.id = $1", pg::Params().add(src.id));
  if (!found) return found.error();
  if (found->empty()) return make_error(ErrorCode::not_found, "source " + std::to_string(src.id) + " does not exist");
  return std::move(found->front());
}

Result<AuditEntry> PostgresStore::add_audit_entry(const AuditEntry& entry) {
  AuditEntry e = entry;
  if (e.at == 0) e.at = now_ms();
  auto rows = pool_.write(
      "INSERT INTO audit_log(customer_id, workspace_id, key_id, key_name, action, target_type, target_id, "
      "target_name, detail, at) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
      pg::Params()
          .add(e.customer_id)
          .add(e.workspace_id)
          .add(e.key_id)
          .add(e.key_name)
          .add(e.action)
          .add(e.target_type)
          .add(e.target_id)
          .add(e.target_name)
          .add(e.detail)
          .add(e.at));
  if (!rows) return rows.error();
  e.id = rows->int64(0, 0);
  return e;
}

Result<std::vector<AuditEntry>> PostgresStore::list_audit_entries(const AuditQuery& query) {
  std::string sql =
      "SELECT id, customer_id, workspace_id, key_id, key_name, action, target_type, target_id, target_name, detail, "
      "at FROM audit_log WHERE customer_id = $1";
  pg::Params params;
  params.add(query.customer_id);
  int n = 1;
  if (query.before_id) {
    sql += " AND id < $" + std::to_string(++n);
    params.add(*query.before_id);
  }
  if (query.workspace_id) {
    sql += " AND workspace_id = $" + std::to_string(++n);
    params.add(*query.workspace_id);
  }
  if (query.action) {
    std::string p = "$" + std::to_string(++n);
    sql += query.action->ends_with('.') ? " AND left(action, length(" + p + "::text)) = " + p + "::text"
                                        : " AND action = " + p + "::text";
    params.add(*query.action);
  }
  if (query.within) {
    sql += " AND workspace_id IN (";
    for (std::size_t i = 0; i < query.within->size(); ++i) sql += (i ? ", " : "") + std::to_string((*query.within)[i]);
    sql += ")";
  }
  sql += " ORDER BY id DESC LIMIT $" + std::to_string(++n);
  params.add(static_cast<std::int64_t>(query.limit));
  auto rows = pool_.read(sql, params);
  if (!rows) return rows.error();
  std::vector<AuditEntry> out;
  for (int i = 0; i < rows->size(); ++i) {
    AuditEntry e;
    e.id = rows->int64(i, 0);
    e.customer_id = rows->int64(i, 1);
    e.workspace_id = rows->opt_int64(i, 2);
    e.key_id = rows->opt_int64(i, 3);
    e.key_name = rows->text(i, 4);
    e.action = rows->text(i, 5);
    e.target_type = rows->text(i, 6);
    e.target_id = rows->text(i, 7);
    e.target_name = rows->text(i, 8);
    e.detail = rows->text(i, 9);
    e.at = rows->int64(i, 10);
    out.push_back(std::move(e));
  }
  return out;
}

Status PostgresStore::set_source_state(Id source_id, const std::string& state, const std::optional<std::string>& error) {
  auto rows = pool_.write(std::string(kSetSourceState) + "WHERE id = $4",
                          pg::Params().add(state).add(error).add(now_ms()).add(source_id));
  if (!rows) return rows.error();
  return {};
}

Result<Sync> PostgresStore::create_sync(Id workspace_id, Id source_id) {
  TimeMs now = now_ms();
  auto rows = pool_.write(
      "INSERT INTO syncs(workspace_id, source_id, state, created_at, updated_at) VALUES($1, $2, 'queued', $3, $3) "
      "RETURNING id",
      pg::Params().add(workspace_id).add(source_id).add(now));
  if (!rows) return rows.error();
  Sync y;
  y.id = rows->int64(0, 0);
  y.workspace_id = workspace_id;
  y.source_id = source_id;
  y.created_at = y.updated_at = now;
  return y;
}

Result<Sync> PostgresStore::get_sync(Id workspace_id, Id sync_id) {
  auto rows = pool_.read(std::string(kSyncColumns) + "WHERE workspace_id = $1 AND id = $2",
                         pg::Params().add(workspace_id).add(sync_id));
  if (!rows) return rows.error();
  if (rows->empty()) return make_error(ErrorCode::not_found, "sync " + std::to_string(sync_id) + " does not exist");
  return read_sync(*rows, 0);
}

Status PostgresStore::update_sync(Id sync_id, const std::string& state, const std::optional<std::string>& error) {
  auto conn = pool_.acquire();
  if (!conn) return conn.error();
  pg::Transaction tx(**conn);
  if (auto s = tx.begin(); !s) return s;
  TimeMs now = now_ms();
  auto sync = (*conn)->exec("UPDATE syncs SET state = $1, error = $2, updated_at = $3 WHERE id = $4",
                            pg::Params().add(state).add(error).add(now).add(sync_id));
  if (!sync) return sync.error();
  // The source's status mirrors its latest sync.
  std::string source_state = state == "done" ? "ok" : state;
  auto src = (*conn)->exec(std::string(kSetSourceState) + "WHERE id = (SELECT source_id FROM syncs WHERE id = $4)",
                           pg::Params().add(source_state).add(error).add(now).add(sync_id));
  if (!src) return src.error();
  return tx.commit();
}

Result<std::optional<Sync>> PostgresStore::active_sync(Id source_id) {
  auto rows = pool_.read(std::string(kSyncColumns) +
                             "WHERE source_id = $1 AND state IN ('queued', 'running') ORDER BY id DESC LIMIT 1",
                         pg::Params().add(source_id));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Sync>{};
  return std::optional<Sync>{read_sync(*rows, 0)};
}

Result<std::vector<Sync>> PostgresStore::list_unfinished_syncs() {
  auto rows = pool_.read(std::string(kSyncColumns) + "WHERE state IN ('queued', 'running') ORDER BY id");
  if (!rows) return rows.error();
  std::vector<Sync> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_sync(*rows, i));
  return out;
}

Status PostgresStore::add_dead_letter(Id workspace_id, Id source_id, const std::string& payload,
                                      const std::string& error) {
  auto rows = pool_.write(
      "INSERT INTO dead_letters(workspace_id, source_id, payload, error, created_at) VALUES($1, $2, $3, $4, $5)",
      pg::Params().add(workspace_id).add(source_id).add(payload).add(error).add(now_ms()));
  if (!rows) return rows.error();
  return {};
}

Result<std::int64_t> PostgresStore::count_dead_letters(Id workspace_id) {
  auto rows = pool_.read("SELECT count(*) FROM dead_letters WHERE workspace_id = $1", pg::Params().add(workspace_id));
  if (!rows) return rows.error();
  return rows->int64(0, 0);
}

json::object PostgresStore::health() {
  auto rows = pool_.read("SELECT 1");
  json::object out{{"kind", "postgres"},
                   {"ok", rows.ok()},
                   {"layout", layout_ == PostgresLayout::timescale ? "timescale" : "partitioned"},
                   {"connections", pool_.open_connections()}};
  if (!rows) out["error"] = rows.error().message;
  return out;
}

}  // namespace chorus::store
