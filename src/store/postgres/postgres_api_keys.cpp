// PostgreSQL store: API keys with a role, a workspace scope, expiry, revocation and rotation.
#include "store/postgres/postgres_store.hpp"

namespace chorus::store {

namespace {

constexpr std::string_view kColumns =
    "id, customer_id, name, role, workspaces, key_hash, created_at, expires_at, last_used_at, revoked_at, "
    "previous_hash, previous_valid_until";

ApiKey key_from_row(const pg::Rows& rows, int r) {
  ApiKey k;
  k.id = rows.int64(r, 0);
  k.customer_id = rows.int64(r, 1);
  k.name = rows.text(r, 2);
  k.role = rows.text(r, 3);
  k.workspaces = decode_key_workspaces(rows.opt_text(r, 4));
  k.key_hash = rows.text(r, 5);
  k.created_at = rows.int64(r, 6);
  k.expires_at = rows.opt_int64(r, 7);
  k.last_used_at = rows.opt_int64(r, 8);
  k.revoked_at = rows.opt_int64(r, 9);
  k.previous_hash = rows.opt_text(r, 10);
  k.previous_valid_until = rows.opt_int64(r, 11);
  return k;
}

Result<ApiKey> one_key(const Result<pg::Rows>& rows, Id key_id) {
  if (!rows) return rows.error();
  if (rows->empty()) return make_error(ErrorCode::not_found, "key " + std::to_string(key_id) + " does not exist");
  return key_from_row(*rows, 0);
}

}  // namespace

Result<ApiKey> PostgresStore::create_api_key(const ApiKey& key) {
  ApiKey k = key;
  k.created_at = now_ms();
  k.last_used_at = k.revoked_at = k.previous_valid_until = std::nullopt;
  k.previous_hash = std::nullopt;
  auto rows = pool_.write(
      "INSERT INTO api_keys(customer_id, name, role, workspaces, key_hash, created_at, expires_at) "
      "VALUES($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      pg::Params()
          .add(k.customer_id)
          .add(k.name)
          .add(k.role)
          .add(encode_key_workspaces(k.workspaces))
          .add(k.key_hash)
          .add(k.created_at)
          .add(k.expires_at));
  if (!rows) return rows.error();
  k.id = rows->int64(0, 0);
  return k;
}

Result<std::vector<ApiKey>> PostgresStore::list_api_keys(Id customer_id) {
  auto rows = pool_.read("SELECT " + std::string(kColumns) + " FROM api_keys WHERE customer_id = $1 ORDER BY id",
                         pg::Params().add(customer_id));
  if (!rows) return rows.error();
  std::vector<ApiKey> out;
  for (int r = 0; r < rows->size(); ++r) out.push_back(key_from_row(*rows, r));
  return out;
}

Result<std::optional<ApiKey>> PostgresStore::find_api_key(const std::string& key_hash, TimeMs now) {
  auto rows = pool_.read("SELECT " + std::string(kColumns) +
                             " FROM api_keys WHERE key_hash = $1 "
                             "UNION ALL SELECT " + std::string(kColumns) +
                             " FROM api_keys WHERE previous_hash = $1 AND previous_valid_until > $2 LIMIT 1",
                         pg::Params().add(key_hash).add(now));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ApiKey>{};
  return std::optional<ApiKey>{key_from_row(*rows, 0)};
}

Result<ApiKey> PostgresStore::revoke_api_key(Id customer_id, Id key_id, TimeMs at) {
  return one_key(pool_.write("UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1), previous_hash = NULL, "
                             "previous_valid_until = NULL WHERE id = $2 AND customer_id = $3 RETURNING " +
                                 std::string(kColumns),
                             pg::Params().add(at).add(key_id).add(customer_id)),
                 key_id);
}

Result<ApiKey> PostgresStore::rotate_api_key(Id customer_id, Id key_id, const std::string& new_hash,
                                             TimeMs previous_valid_until) {
  // One statement: a concurrent revoke either comes first (nothing is rotated) or after.
  auto rotated = one_key(pool_.write("UPDATE api_keys SET previous_hash = key_hash, previous_valid_until = $1, "
                                     "key_hash = $2 WHERE id = $3 AND customer_id = $4 AND revoked_at IS NULL "
                                     "RETURNING " + std::string(kColumns),
                                     pg::Params().add(previous_valid_until).add(new_hash).add(key_id).add(customer_id)),
                         key_id);
  if (rotated || rotated.error().code != ErrorCode::not_found) return rotated;
  auto exists = pool_.read("SELECT 1 FROM api_keys WHERE id = $1 AND customer_id = $2",
                           pg::Params().add(key_id).add(customer_id));
  if (!exists) return exists.error();
  if (!exists->empty()) return make_error(ErrorCode::conflict, "key " + std::to_string(key_id) + " is revoked");
  return rotated;
}

Status PostgresStore::note_api_key_use(Id key_id, TimeMs at) {
  auto rows = pool_.write(
      "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)",
      pg::Params().add(at).add(key_id).add(at - kKeyUseResolutionMs));
  if (!rows) return rows.error();
  return {};
}

}  // namespace chorus::store
