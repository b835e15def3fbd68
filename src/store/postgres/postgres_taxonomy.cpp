// PostgreSQL store: each workspace's taxonomy document, replaced by compare-and-set on its version.
#include "store/postgres/postgres_store.hpp"

namespace chorus::store {

Result<WorkspaceTaxonomyDoc> PostgresStore::get_taxonomy(Id workspace_id) {
  auto rows = pool_.read("SELECT version, body FROM workspace_taxonomies WHERE workspace_id = $1",
                         pg::Params().add(workspace_id));
  if (!rows) return rows.error();
  if (rows->empty()) return WorkspaceTaxonomyDoc{0, "{}"};
  return WorkspaceTaxonomyDoc{rows->int64(0, 0), rows->text(0, 1)};
}

Result<std::int64_t> PostgresStore::put_taxonomy(Id workspace_id, std::int64_t expected_version, std::string body) {
  // One statement either way, so the version check and the write cannot be split by another writer.
  auto rows = expected_version == 0
                  ? pool_.write(
                        "INSERT INTO workspace_taxonomies(workspace_id, version, body, updated_at) "
                        "VALUES($1, 1, $2, $3) ON CONFLICT(workspace_id) DO NOTHING",
                        pg::Params().add(workspace_id).add(body).add(now_ms()))
                  : pool_.write(
                        "UPDATE workspace_taxonomies SET version = version + 1, body = $2, updated_at = $3 "
                        "WHERE workspace_id = $1 AND version = $4",
                        pg::Params().add(workspace_id).add(body).add(now_ms()).add(expected_version));
  if (!rows) return rows.error();
  if (rows->affected() == 0)
    return make_error(ErrorCode::conflict, "the taxonomy of workspace " + std::to_string(workspace_id) +
                                               " is no longer version " + std::to_string(expected_version) +
                                               "; read it again and reapply the change");
  return expected_version + 1;
}

}  // namespace chorus::store
