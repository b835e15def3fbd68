// SQLite store: schema, tenancy, workspaces, sources and syncs.
#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <system_error>

#include "core/sqlite_checkpointer.hpp"
#include "store/sqlite/sqlite_cubes.hpp"
#include "store/sqlite/sqlite_sql.hpp"

namespace chorus::store {

using sqlite_sql::kWorkspaceColumns;
using sqlite_sql::read_all;
using sqlite_sql::read_workspace;

namespace {

// 1: the first schema. 2: ratings and raw items on records, theme rows carry their record's time, daily
// and rating rollups, compound sums in whole ten-thousandths. 3: the rollup cubes of sqlite_cubes.cpp.
// 4: band rows are the near-duplicate keys of core/near_duplicate_keys.hpp and carry their record's
// fingerprint and time, so a near-duplicate lookup reads exact key ranges and no record. 5: workspace
// taxonomies (a versioned JSON document per workspace). 6: the key rows are ordered by time within each key
// (near_duplicate_keys), so a lookup reads a key's rows in time order up to a bound. 7: alert rules, the alert
// outbox, live items and leases (new tables only). 8: API keys have an id, a name, a role over all or some
// workspaces, an expiry, revocation, last use, and the previous hash of a rotation; the keys of earlier
// versions become admin keys over all their customer's workspaces. 9: a sync counts the items it skipped, by reason.
// 10: sources can be paused; the audit log. 11: workspace settings (retention, redaction, raw items, erased
// authors), the erasure log and the salted hashes of erased persons. 12: records are indexed by fingerprint
// (records_by_fingerprint), the direct hit of a near-duplicate lookup; with it a lookup reads a fixed number of
// rows however many records share a text or a key (the rule of core/near_duplicate_keys.hpp). 13: new key rows
// are written to near_duplicate_keys_recent and moved into near_duplicate_keys in index order (new table only).
// 14: ids are never used twice: the largest id deleted from each table users see ids of is kept in retired_ids.
// 15: the near-duplicate keys are held in memory (near_duplicate_index.hpp); their two tables go, and so does
// records_by_fingerprint: records_by_time carries the fingerprint, and the index is read from it.
constexpr int kSchemaVersion = 15;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS customers(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys(
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), name TEXT NOT NULL,
  role TEXT NOT NULL, workspaces TEXT, key_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
  expires_at INTEGER, last_used_at INTEGER, revoked_at INTEGER, previous_hash TEXT, previous_valid_until INTEGER);
CREATE INDEX IF NOT EXISTS api_keys_by_customer ON api_keys(customer_id, id);
CREATE INDEX IF NOT EXISTS api_keys_by_previous_hash ON api_keys(previous_hash) WHERE previous_hash IS NOT NULL;
CREATE TABLE IF NOT EXISTS workspaces(
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), name TEXT NOT NULL,
  created_at INTEGER NOT NULL, settings TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS workspaces_by_customer ON workspaces(customer_id);
CREATE TABLE IF NOT EXISTS sources(
  id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id), type TEXT NOT NULL,
  name TEXT NOT NULL, config TEXT NOT NULL, schedule_every_s INTEGER, webhook_scheme TEXT,
  sealed_secrets TEXT NOT NULL, created_at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'idle', last_sync_at INTEGER, last_error TEXT,
  items_total INTEGER NOT NULL DEFAULT 0, cursor TEXT NOT NULL DEFAULT '', paused INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS sources_by_workspace ON sources(workspace_id);
CREATE TABLE IF NOT EXISTS syncs(
  id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, source_id INTEGER NOT NULL, state TEXT NOT NULL,
  items INTEGER NOT NULL DEFAULT 0, new_items INTEGER NOT NULL DEFAULT 0, error TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, skipped INTEGER NOT NULL DEFAULT 0,
  skipped_reasons TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS syncs_by_source ON syncs(source_id, id);
CREATE TABLE IF NOT EXISTS records(
  workspace_id INTEGER NOT NULL, uid INTEGER NOT NULL, source_id INTEGER NOT NULL, ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL, sentiment TEXT NOT NULL, compound REAL NOT NULL, category TEXT NOT NULL,
  language TEXT NOT NULL, simhash INTEGER NOT NULL, revision INTEGER NOT NULL, search_text TEXT NOT NULL,
  body TEXT NOT NULL, rating REAL, raw TEXT, PRIMARY KEY(workspace_id, uid));
CREATE INDEX IF NOT EXISTS records_by_time ON records(workspace_id, ts, uid, simhash);
CREATE TABLE IF NOT EXISTS record_themes(
  workspace_id INTEGER NOT NULL, uid INTEGER NOT NULL, theme TEXT NOT NULL, ts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(workspace_id, uid, theme));
CREATE INDEX IF NOT EXISTS record_themes_by_time ON record_themes(workspace_id, theme, ts, uid);
CREATE TABLE IF NOT EXISTS rollup_applied(
  workspace_id INTEGER NOT NULL, uid INTEGER NOT NULL, revision INTEGER NOT NULL, hour INTEGER NOT NULL,
  source_id INTEGER NOT NULL, sentiment TEXT NOT NULL, category TEXT NOT NULL, language TEXT NOT NULL,
  compound REAL NOT NULL, themes TEXT NOT NULL, rating REAL, PRIMARY KEY(workspace_id, uid));
CREATE TABLE IF NOT EXISTS dead_letters(
  id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, source_id INTEGER NOT NULL, payload TEXT NOT NULL,
  error TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS workspace_taxonomies(
  workspace_id INTEGER PRIMARY KEY REFERENCES workspaces(id), version INTEGER NOT NULL, body TEXT NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alert_rules(
  id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
  kind TEXT NOT NULL, params TEXT NOT NULL, channel_type TEXT NOT NULL, channel TEXT NOT NULL,
  sealed_secrets TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1, disabled_reason TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alert_rules_by_workspace ON alert_rules(workspace_id);
CREATE TABLE IF NOT EXISTS alert_deliveries(
  id INTEGER PRIMARY KEY, rule_id INTEGER NOT NULL, workspace_id INTEGER NOT NULL, dedup_key TEXT NOT NULL,
  subject TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
  window_end INTEGER NOT NULL, delivered_at INTEGER, last_status INTEGER, last_error TEXT,
  UNIQUE(rule_id, dedup_key));
CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS alert_deliveries_by_subject ON alert_deliveries(rule_id, subject, id);
CREATE TABLE IF NOT EXISTS alert_live_items(
  workspace_id INTEGER NOT NULL, uid INTEGER NOT NULL, theme TEXT NOT NULL, source_id INTEGER NOT NULL,
  ts INTEGER NOT NULL, received_at INTEGER NOT NULL, sentiment TEXT NOT NULL, compound REAL NOT NULL,
  added_at INTEGER NOT NULL, PRIMARY KEY(workspace_id, uid, theme)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS alert_live_items_by_time ON alert_live_items(workspace_id, theme, ts);
CREATE INDEX IF NOT EXISTS alert_live_items_by_added ON alert_live_items(added_at);
CREATE TABLE IF NOT EXISTS audit_log(
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, workspace_id INTEGER, key_id INTEGER,
  key_name TEXT NOT NULL, action TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,
  target_name TEXT NOT NULL, detail TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS audit_log_by_customer ON audit_log(customer_id, id);
CREATE TABLE IF NOT EXISTS erasures(
  id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, field TEXT NOT NULL, requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL, finished_at INTEGER, state TEXT NOT NULL, records INTEGER NOT NULL,
  raw_items INTEGER NOT NULL, duplicate_links INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS erasures_by_workspace ON erasures(workspace_id, id);
CREATE TABLE IF NOT EXISTS erased_authors(
  workspace_id INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY(workspace_id, hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases(name TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rollup_cubes(name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS retired_ids(name TEXT PRIMARY KEY, last INTEGER NOT NULL);
)sql";

// Keeps the largest id deleted from a table (sqlite_sql::fresh_id_sql reads it).
std::string retire_ids_trigger_sql(std::string_view table) {
  const std::string t(table);
  return "CREATE TRIGGER IF NOT EXISTS " + t + "_retire_ids AFTER DELETE ON " + t +
         " BEGIN INSERT OR REPLACE INTO retired_ids(name, last) VALUES('" + t +
         "', max(OLD.id, coalesce((SELECT last FROM retired_ids WHERE name = '" + t + "'), 0))); END;";
}

// Versions before 7: the old key table is set aside before the schema makes the new one, then copied into it.
constexpr std::string_view kSetAsideOldKeys = "ALTER TABLE api_keys RENAME TO api_keys_before_roles";
constexpr std::string_view kCopyOldKeys = R"sql(
INSERT INTO api_keys(customer_id, name, role, workspaces, key_hash, created_at)
  SELECT customer_id, 'customer key', 'admin', NULL, key_hash, created_at FROM api_keys_before_roles
  ORDER BY created_at, rowid;
DROP TABLE api_keys_before_roles;
)sql";

// Version 1 to 2, before the schema adds the new tables; the rollups are then refolded from rollup_applied.
constexpr std::string_view kUpgradeFromV1 = R"sql(
ALTER TABLE records ADD COLUMN rating REAL;
ALTER TABLE records ADD COLUMN raw TEXT;
UPDATE records SET rating = json_extract(body, '$.review_attributes.rating');
ALTER TABLE record_themes ADD COLUMN ts INTEGER NOT NULL DEFAULT 0;
UPDATE record_themes SET ts = COALESCE((SELECT r.ts FROM records r WHERE r.workspace_id = record_themes.workspace_id
  AND r.uid = record_themes.uid), 0);
DROP INDEX IF EXISTS record_themes_by_theme;
ALTER TABLE rollup_applied ADD COLUMN rating REAL;
UPDATE rollup_applied SET rating = (SELECT r.rating FROM records r WHERE r.workspace_id = rollup_applied.workspace_id
  AND r.uid = rollup_applied.uid);
)sql";

// What earlier versions kept for near-duplicate lookups, now held in memory: the band rows of versions 1 to 5,
// the key rows of versions 6 to 14 and the fingerprint index of versions 12 to 14. Before the schema, so that
// it makes records_by_time anew with the fingerprint.
constexpr std::string_view kDropOldKeyTables = R"sql(
DROP TABLE IF EXISTS record_bands;
DROP TABLE IF EXISTS near_duplicate_keys;
DROP TABLE IF EXISTS near_duplicate_keys_recent;
DROP INDEX IF EXISTS records_by_fingerprint;
DROP INDEX IF EXISTS records_by_time;
)sql";

// ?1 state, ?2 error, ?3 now; the caller appends the WHERE clause with ?4.
constexpr std::string_view kSetSourceState =
    "UPDATE sources SET state = ?1, last_error = CASE WHEN ?1 = 'failed' THEN ?2 WHEN ?1 = 'ok' THEN NULL "
    "ELSE last_error END, last_sync_at = CASE WHEN ?1 IN ('ok', 'failed') THEN ?3 ELSE last_sync_at END ";

Sync read_sync(const sqlite::Statement& s) {
  Sync y;
  y.id = s.int64(0);
  y.workspace_id = s.int64(1);
  y.source_id = s.int64(2);
  y.state = s.text(3);
  y.items = s.int64(4);
  y.new_items = s.int64(5);
  y.error = s.opt_text(6);
  y.created_at = s.int64(7);
  y.updated_at = s.int64(8);
  y.skipped = s.int64(9);
  if (auto reasons = parse_json(s.text(10)); reasons && reasons->is_object())
    for (const auto& kv : reasons->get_object())
      if (kv.value().is_int64()) y.skipped_reasons[std::string(kv.key())] = kv.value().get_int64();
  return y;
}

constexpr std::string_view kSyncColumns =
    "SELECT id, workspace_id, source_id, state, items, new_items, error, created_at, updated_at, skipped, "
    "skipped_reasons FROM syncs ";

constexpr std::string_view kSourceColumns =
    "SELECT s.id, s.workspace_id, w.customer_id, s.type, s.name, s.config, s.schedule_every_s, s.webhook_scheme, "
    "s.sealed_secrets, s.created_at, s.state, s.last_sync_at, s.last_error, s.items_total, s.cursor, s.paused "
    "FROM sources s JOIN workspaces w ON w.id = s.workspace_id ";

Result<Source> read_source(const sqlite::Statement& s) {
  Source src;
  src.id = s.int64(0);
  src.workspace_id = s.int64(1);
  src.customer_id = s.int64(2);
  src.type = s.text(3);
  src.name = s.text(4);
  auto cfg = parse_json(s.text(5));
  if (cfg && cfg->is_object()) src.config = cfg->get_object();
  src.schedule_every_s = s.opt_int64(6);
  src.webhook_scheme = s.opt_text(7);
  src.sealed_secrets = s.text(8);
  src.created_at = s.int64(9);
  src.status.state = s.text(10);
  src.status.last_sync_at = s.opt_int64(11);
  src.status.last_error = s.opt_text(12);
  src.status.items_total = s.int64(13);
  src.status.cursor = s.text(14);
  src.paused = s.int64(15) != 0;
  return src;
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir,
                                                 const SqliteStoreOptions& options) {
  auto s = SqliteStore::open(data_dir, options);
  if (!s) return s.error();
  return std::unique_ptr<Store>(std::move(s.value()));
}

SqliteStore::SqliteStore(sqlite::Database db, std::filesystem::path path, const SqliteStoreOptions& options)
    : db_(std::move(db)),
      options_(options),
      near_index_(static_cast<std::size_t>(options.near_duplicate_recent_rows)),
      path_(std::move(path)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& data_dir,
                                                       const SqliteStoreOptions& store_options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec)
    return make_error(ErrorCode::unavailable, "cannot create data dir " + data_dir.string() + ": " + ec.message());
  auto path = data_dir / "chorus.db";
  sqlite::OpenOptions options;
  options.synchronous = sqlite::Synchronous::normal;
  options.foreign_keys = true;
  auto db = sqlite::Database::open(path, options);
  if (!db) return db.error();
  // Up to 256 MiB of page cache (the default is 2), taken only as the store grows: records arrive in no
  // order of their keys, so upserts land all over the record, theme, key and rollup indexes, and with 64 MiB
  // a 300,000-item import spent a sixth more CPU per item (pages spilled and read back).
  if (auto s = db->exec("PRAGMA cache_size = -262144"); !s) return s.error();
  // Reads of the database file through a memory map rather than a read call per page: near-duplicate lookups
  // and upserts touch pages all over the record and key indexes, and most of them are outside the page cache
  // once a workspace holds a few hundred thousand records. (Capped by SQLite's own build limit.)
  if (auto s = db->exec("PRAGMA mmap_size = 4294967296"); !s) return s.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db.value()), path, store_options));
  if (auto m = store->migrate(); !m) return m.error();
  auto reader = sqlite::Database::open(path, sqlite::OpenOptions{.what = "", .wal = false});  // WAL: the writer set it
  if (!reader) return reader.error();
  if (auto s = reader->exec("PRAGMA query_only = 1"); !s) return s.error();
  if (auto s = reader->exec("PRAGMA mmap_size = 4294967296"); !s) return s.error();
  store->reader_ = std::move(reader.value());
  // A checkpoint once the WAL holds 8,000 pages (32 MiB) rather than SQLite's 1,000: a page that every batch
  // dirties (the top of each index) is copied back once per checkpoint, and a batch of thousands of records
  // dirties thousands. Past 512 MiB the writer starts it over, copying back on its own thread what the passive
  // checkpoints have not: late in a million-item import, with 128 MiB, those stops held the parser for a tenth
  // of its time and the last 100,000 items were stored at 4,900-5,700/s; with 512 MiB, at 6,100-6,500/s.
  // After 30 s with less than 4 MiB written (the alerts role's lease renews every few seconds), a WAL that grew
  // past 32 MiB is cut back, so the import leaves no 512 MiB file.
  auto checkpointer = sqlite::WalCheckpointer::start(
      store->db_, path,
      {.checkpoint_frames = store_options.wal_checkpoint_frames,
       .limit_frames = store_options.wal_limit_frames,
       .truncate_when_idle = std::chrono::milliseconds(store_options.wal_truncate_when_idle_ms),
       .what = "store"});
  if (!checkpointer) return checkpointer.error();
  store->checkpointer_ = std::move(checkpointer.value());
  return store;
}

Status SqliteStore::add_column_if_missing(std::string_view table, std::string_view column,
                                          std::string_view definition) {
  auto has = db_.prepare("SELECT count(*) FROM pragma_table_info(?) WHERE name = ?");
  if (!has) return has.error();
  has->bind(1, table);
  has->bind(2, column);
  if (auto row = has->step(); !row) return row.error();
  const bool present = has->int64(0) > 0;
  has->reset();
  if (present) return {};
  return db_.exec("ALTER TABLE " + std::string(table) + " ADD COLUMN " + std::string(column) + " " +
                  std::string(definition));
}

Status SqliteStore::migrate() {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto known = db_.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!known) return known.error();
  if (auto row = known->step(); !row) return row.error();
  std::int64_t have = 0;
  if (known->int64(0) > 0) {
    auto q = db_.prepare("SELECT max(version) FROM schema_version");
    if (!q) return q.error();
    if (auto row = q->step(); !row) return row.error();
    have = q->opt_int64(0).value_or(0);
  }
  known->reset();
  if (have > kSchemaVersion)
    return make_error(ErrorCode::internal, "the data dir was written by a newer Chorus (schema " +
                                               std::to_string(have) + "); upgrade the binary");
  if (have == 1)
    if (auto s = db_.exec(kUpgradeFromV1); !s) return s;
  // Keys of the layout before version 7 (a table without roles) are carried over as admin keys.
  auto old_keys = db_.prepare(
      "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'api_keys') > 0 AND "
      "(SELECT count(*) FROM pragma_table_info('api_keys') WHERE name = 'role') = 0");
  if (!old_keys) return old_keys.error();
  if (auto row = old_keys->step(); !row) return row.error();
  const bool carry_keys = old_keys->int64(0) != 0;
  old_keys->reset();
  if (carry_keys)
    if (auto s = db_.exec(kSetAsideOldKeys); !s) return s;
  if (have >= 1 && have < 15)
    if (auto s = db_.exec(kDropOldKeyTables); !s) return s;
  if (auto s = db_.exec(kSchema); !s) return s;
  for (std::string_view table : sqlite_sql::kRetiringTables)
    if (auto s = db_.exec(retire_ids_trigger_sql(table)); !s) return s;
  if (carry_keys)
    if (auto s = db_.exec(kCopyOldKeys); !s) return s;
  // Columns that later versions added to tables of earlier ones.
  if (auto s = add_column_if_missing("sources", "paused", "INTEGER NOT NULL DEFAULT 0"); !s) return s;
  if (auto s = add_column_if_missing("workspaces", "settings", "TEXT NOT NULL DEFAULT '{}'"); !s) return s;
  if (auto s = add_column_if_missing("syncs", "skipped", "INTEGER NOT NULL DEFAULT 0"); !s) return s;
  if (auto s = add_column_if_missing("syncs", "skipped_reasons", "TEXT NOT NULL DEFAULT '{}'"); !s) return s;
  if (auto s = refold_new_cubes(); !s) return s;
  if (have < kSchemaVersion) {
    auto ins = db_.prepare("INSERT INTO schema_version(version) VALUES(?)");
    if (!ins) return ins.error();
    if (auto s = ins->bind(1, kSchemaVersion).run(); !s) return s;
  }
  return tx.commit();
}

// The cubes the rollups were folded into are listed in rollup_cubes. When the list changes (an upgrade
// adds a cube or changes one), the cube tables are made anew and refolded from rollup_applied, so every
// cube starts complete. Version 1 and 2 data dirs, which have no list, are refolded the same way.
Status SqliteStore::refold_new_cubes() {
  std::set<std::string> folded;
  auto q = db_.prepare("SELECT name FROM rollup_cubes");
  if (!q) return q.error();
  if (Status rows = q->each_row([&] { folded.insert(q->text(0)); }); !rows) return rows.error();
  std::set<std::string> current;
  for (const auto& c : cubes::all()) current.insert(c.table);
  if (folded == current) return db_.exec(cubes::schema());
  for (const auto& name : folded) current.insert(name);
  for (const auto& name : current)
    if (auto s = db_.exec("DROP TABLE IF EXISTS " + name); !s) return s;
  if (auto s = db_.exec(cubes::schema()); !s) return s;
  if (auto s = rebuild_rollups(); !s) return s;
  if (auto s = db_.exec("DELETE FROM rollup_cubes"); !s) return s;
  auto ins = db_.prepare("INSERT INTO rollup_cubes(name) VALUES(?)");
  if (!ins) return ins.error();
  for (const auto& c : cubes::all()) {
    ins->reset();
    if (auto s = ins->bind(1, c.table).run(); !s) return s;
  }
  return {};
}

Result<Customer> SqliteStore::create_customer(const std::string& name, const std::string& key_hash) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  Customer c{0, name, now_ms()};
  auto ins = db_.prepare("INSERT INTO customers(name, created_at) VALUES(?, ?)");
  if (!ins) return ins.error();
  if (auto s = ins->bind(1, name).bind(2, c.created_at).run(); !s) return s.error();
  c.id = db_.last_insert_id();
  auto key = db_.prepare(
      "INSERT INTO api_keys(key_hash, customer_id, created_at, name, role) VALUES(?, ?, ?, 'customer key', 'admin')");
  if (!key) return key.error();
  if (auto s = key->bind(1, key_hash).bind(2, c.id).bind(3, c.created_at).run(); !s) return s.error();
  if (auto s = tx.commit(); !s) return s.error();
  return c;
}

Result<Workspace> SqliteStore::create_workspace(Id customer_id, const std::string& name) {
  std::lock_guard lock(mu_);
  Workspace w{0, customer_id, name, now_ms(), {}};
  auto ins = db_.prepare("INSERT INTO workspaces(id, customer_id, name, created_at) VALUES(" +
                         sqlite_sql::fresh_id_sql("workspaces") + ", ?, ?, ?)");
  if (!ins) return ins.error();
  if (auto s = ins->bind(1, customer_id).bind(2, name).bind(3, w.created_at).run(); !s) return s.error();
  w.id = db_.last_insert_id();
  return w;
}

Result<std::vector<Workspace>> SqliteStore::list_workspaces(Id customer_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kWorkspaceColumns) + "WHERE customer_id = ? ORDER BY id");
  if (!q) return q.error();
  q->bind(1, customer_id);
  return read_all<Workspace>(*q, read_workspace);
}

Result<Workspace> SqliteStore::get_workspace(Id customer_id, Id workspace_id) {
  std::lock_guard lock(read_mu_);
  static const std::string sql = std::string(kWorkspaceColumns) + "WHERE id = ? AND customer_id = ?";
  auto q = reader_.cached(sql);
  if (!q) return q.error();
  sqlite::ResetOnExit done(**q);
  (*q)->bind(1, workspace_id).bind(2, customer_id);
  auto row = (*q)->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::not_found, "workspace " + std::to_string(workspace_id) + " does not exist");
  return read_workspace(**q);
}

Result<Source> SqliteStore::create_source(const Source& src) {
  std::lock_guard lock(mu_);
  auto ins = db_.prepare(
      "INSERT INTO sources(id, workspace_id, type, name, config, schedule_every_s, webhook_scheme, sealed_secrets, "
      "created_at) VALUES(" +
      sqlite_sql::fresh_id_sql("sources") + ", ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.error();
  TimeMs now = now_ms();
  ins->bind(1, src.workspace_id).bind(2, src.type).bind(3, src.name).bind(4, to_json_string(src.config));
  ins->bind(5, src.schedule_every_s).bind(6, src.webhook_scheme).bind(7, src.sealed_secrets).bind(8, now);
  if (auto s = ins->run(); !s) return s.error();
  Id id = db_.last_insert_id();
  auto q = db_.prepare(std::string(kSourceColumns) + "WHERE s.id = ?");
  if (!q) return q.error();
  q->bind(1, id);
  auto row = q->step();
  if (!row) return row.error();
  return read_source(*q);
}

Result<std::vector<Source>> SqliteStore::load_sources(std::string_view where, std::optional<Id> arg) {
  auto q = db_.prepare(std::string(kSourceColumns) + std::string(where));
  if (!q) return q.error();
  if (arg) q->bind(1, *arg);
  std::vector<Source> out;
  for (;;) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    auto s = read_source(*q);
    if (!s) return s.error();
    out.push_back(std::move(s.value()));
  }
  return out;
}

Result<std::vector<Source>> SqliteStore::list_sources(Id workspace_id) {
  std::lock_guard lock(mu_);
  return load_sources("WHERE s.workspace_id = ? AND s.deleted = 0 ORDER BY s.id", workspace_id);
}

Result<Source> SqliteStore::get_source(Id workspace_id, Id source_id) {
  std::lock_guard lock(read_mu_);
  static const std::string sql = std::string(kSourceColumns) + "WHERE s.workspace_id = ? AND s.id = ? AND s.deleted = 0";
  auto q = reader_.cached(sql);
  if (!q) return q.error();
  sqlite::ResetOnExit done(**q);
  (*q)->bind(1, workspace_id).bind(2, source_id);
  auto row = (*q)->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::not_found, "source " + std::to_string(source_id) + " does not exist");
  return read_source(**q);
}

Result<Source> SqliteStore::get_source_by_id(Id source_id) {
  std::lock_guard lock(read_mu_);
  static const std::string sql = std::string(kSourceColumns) + "WHERE s.id = ? AND s.deleted = 0";
  auto q = reader_.cached(sql);
  if (!q) return q.error();
  sqlite::ResetOnExit done(**q);
  (*q)->bind(1, source_id);
  auto row = (*q)->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::not_found, "source " + std::to_string(source_id) + " does not exist");
  return read_source(**q);
}

Result<Source> SqliteStore::get_webhook_source(Id source_id) {
  std::uint64_t generation;
  {
    std::lock_guard lock(webhook_sources_mu_);
    if (auto it = webhook_sources_.find(source_id); it != webhook_sources_.end()) return it->second;
    generation = webhook_sources_generation_;
  }
  auto source = get_source_by_id(source_id);
  if (!source) return source;
  std::lock_guard lock(webhook_sources_mu_);
  if (generation == webhook_sources_generation_) {
    if (webhook_sources_.size() >= kWebhookSourcesKept) webhook_sources_.clear();
    webhook_sources_.emplace(source_id, *source);
  }
  return source;
}

void SqliteStore::forget_webhook_sources() {
  std::lock_guard lock(webhook_sources_mu_);
  ++webhook_sources_generation_;
  webhook_sources_.clear();
}

Status SqliteStore::delete_source(Id workspace_id, Id source_id) {
  std::lock_guard lock(mu_);
  // Soft delete: the source's records stay (they are the customer's history); it stops syncing and
  // its webhook URL stops accepting deliveries.
  auto q = db_.prepare("UPDATE sources SET deleted = 1 WHERE workspace_id = ? AND id = ? AND deleted = 0");
  if (!q) return q.error();
  Status deleted = q->bind(1, workspace_id).bind(2, source_id).run();
  forget_webhook_sources();
  if (!deleted) return deleted;
  if (db_.changes() == 0)
    return make_error(ErrorCode::not_found, "source " + std::to_string(source_id) + " does not exist");
  return {};
}

Result<std::vector<Source>> SqliteStore::list_scheduled_sources() {
  std::lock_guard lock(mu_);
  return load_sources("WHERE s.deleted = 0 AND s.paused = 0 AND s.schedule_every_s IS NOT NULL ORDER BY s.id",
                      std::nullopt);
}

Result<Source> SqliteStore::update_source(const Source& src, bool reset_cursor) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "UPDATE sources SET name = ?, config = ?, schedule_every_s = ?, webhook_scheme = ?, sealed_secrets = ?, "
      "paused = ?, cursor = CASE WHEN ? THEN '' ELSE cursor END WHERE workspace_id = ? AND id = ? AND deleted = 0");
  if (!q) return q.error();
  q->bind(1, src.name).bind(2, to_json_string(src.config)).bind(3, src.schedule_every_s).bind(4, src.webhook_scheme);
  q->bind(5, src.sealed_secrets).bind(6, src.paused ? 1 : 0).bind(7, reset_cursor ? 1 : 0);
  q->bind(8, src.workspace_id).bind(9, src.id);
  Status updated = q->run();
  forget_webhook_sources();
  if (!updated) return updated.error();
  if (db_.changes() == 0)
    return make_error(ErrorCode::not_found, "source " + std::to_string(src.id) + " does not exist");
  auto read = db_.prepare(std::string(kSourceColumns) + "WHERE s.id = ?");
  if (!read) return read.error();
  read->bind(1, src.id);
  auto row = read->step();
  if (!row) return row.error();
  return read_source(*read);
}

Status SqliteStore::set_source_state(Id source_id, const std::string& state, const std::optional<std::string>& error) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kSetSourceState) + "WHERE id = ?4");
  if (!q) return q.error();
  return q->bind(1, state).bind(2, error).bind(3, now_ms()).bind(4, source_id).run();
}

Result<Sync> SqliteStore::create_sync(Id workspace_id, Id source_id) {
  std::lock_guard lock(mu_);
  TimeMs now = now_ms();
  auto q = db_.prepare("INSERT INTO syncs(id, workspace_id, source_id, state, created_at, updated_at) VALUES(" +
                       sqlite_sql::fresh_id_sql("syncs") + ", ?, ?, 'queued', ?, ?)");
  if (!q) return q.error();
  if (auto s = q->bind(1, workspace_id).bind(2, source_id).bind(3, now).bind(4, now).run(); !s) return s.error();
  Sync y;
  y.id = db_.last_insert_id();
  y.workspace_id = workspace_id;
  y.source_id = source_id;
  y.created_at = y.updated_at = now;
  return y;
}

Result<Sync> SqliteStore::get_sync(Id workspace_id, Id sync_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kSyncColumns) + "WHERE workspace_id = ? AND id = ?");
  if (!q) return q.error();
  q->bind(1, workspace_id).bind(2, sync_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::not_found, "sync " + std::to_string(sync_id) + " does not exist");
  return read_sync(*q);
}

Status SqliteStore::update_sync(Id sync_id, const std::string& state, const std::optional<std::string>& error) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto q = db_.prepare("UPDATE syncs SET state = ?, error = ?, updated_at = ? WHERE id = ?");
  if (!q) return q.error();
  if (auto s = q->bind(1, state).bind(2, error).bind(3, now_ms()).bind(4, sync_id).run(); !s) return s;
  // The source's status mirrors its latest sync.
  std::string source_state = state == "done" ? "ok" : state;
  auto src = db_.prepare(std::string(kSetSourceState) + "WHERE id = (SELECT source_id FROM syncs WHERE id = ?4)");
  if (!src) return src.error();
  if (auto s = src->bind(1, source_state).bind(2, error).bind(3, now_ms()).bind(4, sync_id).run(); !s) return s;
  return tx.commit();
}

Result<std::optional<Sync>> SqliteStore::active_sync(Id source_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kSyncColumns) +
                       "WHERE source_id = ? AND state IN ('queued', 'running') ORDER BY id DESC LIMIT 1");
  if (!q) return q.error();
  q->bind(1, source_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Sync>{};
  return std::optional<Sync>{read_sync(*q)};
}

Result<std::vector<Sync>> SqliteStore::list_unfinished_syncs() {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kSyncColumns) + "WHERE state IN ('queued', 'running') ORDER BY id");
  if (!q) return q.error();
  return read_all<Sync>(*q, read_sync);
}

Status SqliteStore::add_dead_letter(Id workspace_id, Id source_id, const std::string& payload,
                                    const std::string& error) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("INSERT INTO dead_letters(id, workspace_id, source_id, payload, error, created_at) VALUES(" +
                       sqlite_sql::fresh_id_sql("dead_letters") + ", ?, ?, ?, ?, ?)");
  if (!q) return q.error();
  return q->bind(1, workspace_id).bind(2, source_id).bind(3, payload).bind(4, error).bind(5, now_ms()).run();
}

Result<std::int64_t> SqliteStore::count_dead_letters(Id workspace_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT count(*) FROM dead_letters WHERE workspace_id = ?");
  if (!q) return q.error();
  q->bind(1, workspace_id);
  auto row = q->step();
  if (!row) return row.error();
  return q->int64(0);
}

// On the reader connection: a health check answers at once even while a parser's batch holds the writer.
json::object SqliteStore::health() {
  bool ok = false;
  {
    std::lock_guard lock(read_mu_);
    auto q = reader_.prepare("SELECT 1");
    ok = q && q->step();
  }
  auto c = checkpointer_ ? checkpointer_->stats() : sqlite::WalCheckpointer::Stats{};
  // /healthz answers without a key: it says how the store is, not where it lives on disk.
  return json::object{{"kind", "sqlite"},
                      {"ok", ok},
                      {"checkpoints", c.checkpoints},
                      // The last checkpoint: frames in the WAL then, and how many of them were copied back.
                      {"wal_frames", c.last_log},
                      {"wal_frames_copied", c.last_copied},
                      {"wal_truncations", c.truncations},
                      {"wal_idle_truncations", c.idle_truncations},
                      // The near-duplicate index in memory: the records it holds, its size, and how often it
                      // read a workspace, merged its recent rows, and started over after another writer.
                      {"near_duplicate_records", index_records_.load()},
                      {"near_duplicate_bytes", index_bytes_.load()},
                      {"near_duplicate_loads", index_loads_.load()},
                      {"near_duplicate_merges", index_merges_.load()},
                      {"near_duplicate_clears", index_clears_.load()}};
}

}  // namespace chorus::store
