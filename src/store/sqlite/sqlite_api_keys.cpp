// SQLite store: API keys with a role, a workspace scope, expiry, revocation and rotation.
#include "store/sqlite/sqlite_store.hpp"

#include "store/sqlite/sqlite_sql.hpp"

namespace chorus::store {

using sqlite_sql::read_all;

namespace {

constexpr std::string_view kColumns =
    "id, customer_id, name, role, workspaces, key_hash, created_at, expires_at, last_used_at, revoked_at, "
    "previous_hash, previous_valid_until";

ApiKey key_from_row(const sqlite::Statement& row) {
  ApiKey k;
  k.id = row.int64(0);
  k.customer_id = row.int64(1);
  k.name = row.text(2);
  k.role = row.text(3);
  k.workspaces = decode_key_workspaces(row.opt_text(4));
  k.key_hash = row.text(5);
  k.created_at = row.int64(6);
  k.expires_at = row.opt_int64(7);
  k.last_used_at = row.opt_int64(8);
  k.revoked_at = row.opt_int64(9);
  k.previous_hash = row.opt_text(10);
  k.previous_valid_until = row.opt_int64(11);
  return k;
}

// The caller holds the connection's lock.
Result<ApiKey> read_api_key(sqlite::Database& db, Id customer_id, Id key_id) {
  auto q = db.prepare("SELECT " + std::string(kColumns) + " FROM api_keys WHERE id = ? AND customer_id = ?");
  if (!q) return q.error();
  q->bind(1, key_id).bind(2, customer_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::not_found, "key " + std::to_string(key_id) + " does not exist");
  return key_from_row(*q);
}

}  // namespace

Result<ApiKey> SqliteStore::create_api_key(const ApiKey& key) {
  std::lock_guard lock(mu_);
  ApiKey k = key;
  k.created_at = now_ms();
  k.last_used_at = k.revoked_at = k.previous_valid_until = std::nullopt;
  k.previous_hash = std::nullopt;
  auto ins = db_.prepare(
      "INSERT INTO api_keys(customer_id, name, role, workspaces, key_hash, created_at, expires_at) "
      "VALUES(?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.error();
  ins->bind(1, k.customer_id).bind(2, k.name).bind(3, k.role).bind(4, encode_key_workspaces(k.workspaces));
  ins->bind(5, k.key_hash).bind(6, k.created_at).bind(7, k.expires_at);
  if (auto s = ins->run(); !s) return s.error();
  k.id = db_.last_insert_id();
  return k;
}

Result<std::vector<ApiKey>> SqliteStore::list_api_keys(Id customer_id) {
  std::lock_guard lock(read_mu_);
  auto q = reader_.prepare("SELECT " + std::string(kColumns) + " FROM api_keys WHERE customer_id = ? ORDER BY id");
  if (!q) return q.error();
  q->bind(1, customer_id);
  return read_all<ApiKey>(*q, key_from_row);
}

// Every API request whose key is not cached starts here: read on the reader connection, never behind a
// parser's batch.
Result<std::optional<ApiKey>> SqliteStore::find_api_key(const std::string& key_hash, TimeMs now) {
  std::lock_guard lock(read_mu_);
  auto q = reader_.cached(
      "SELECT id, customer_id, name, role, workspaces, key_hash, created_at, expires_at, last_used_at, revoked_at, "
      "previous_hash, previous_valid_until FROM api_keys "
      "WHERE key_hash = ?1 OR (previous_hash = ?1 AND previous_valid_until > ?2) LIMIT 1");
  if (!q) return q.error();
  sqlite::ResetOnExit done(**q);
  (*q)->bind(1, key_hash).bind(2, now);
  auto row = (*q)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<ApiKey>{};
  return std::optional<ApiKey>{key_from_row(**q)};
}

Result<ApiKey> SqliteStore::revoke_api_key(Id customer_id, Id key_id, TimeMs at) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?), previous_hash = NULL, previous_valid_until = NULL "
      "WHERE id = ? AND customer_id = ?");
  if (!q) return q.error();
  q->bind(1, at).bind(2, key_id).bind(3, customer_id);
  if (auto s = q->run(); !s) return s.error();
  return read_api_key(db_, customer_id, key_id);
}

Result<ApiKey> SqliteStore::rotate_api_key(Id customer_id, Id key_id, const std::string& new_hash,
                                           TimeMs previous_valid_until) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  auto key = read_api_key(db_, customer_id, key_id);
  if (!key) return key.error();
  if (key->revoked_at) return make_error(ErrorCode::conflict, "key " + std::to_string(key_id) + " is revoked");
  auto q = db_.prepare(
      "UPDATE api_keys SET previous_hash = key_hash, previous_valid_until = ?, key_hash = ? WHERE id = ?");
  if (!q) return q.error();
  q->bind(1, previous_valid_until).bind(2, new_hash).bind(3, key_id);
  if (auto s = q->run(); !s) return s.error();
  auto rotated = read_api_key(db_, customer_id, key_id);
  if (!rotated) return rotated.error();
  if (auto s = tx.commit(); !s) return s.error();
  return rotated;
}

Status SqliteStore::note_api_key_use(Id key_id, TimeMs at) {
  std::lock_guard lock(mu_);
  auto q = db_.cached("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at <= ?3)");
  if (!q) return q.error();
  sqlite::ResetOnExit done(**q);
  (*q)->bind(1, at).bind(2, key_id).bind(3, at - kKeyUseResolutionMs);
  return (*q)->run();
}

}  // namespace chorus::store
