// SQLite store: each workspace's taxonomy document, replaced by compare-and-set on its version.
#include "store/sqlite/sqlite_store.hpp"

namespace chorus::store {

Result<WorkspaceTaxonomyDoc> SqliteStore::get_taxonomy(Id workspace_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT version, body FROM workspace_taxonomies WHERE workspace_id = ?");
  if (!q) return q.error();
  q->bind(1, workspace_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return WorkspaceTaxonomyDoc{0, "{}"};
  return WorkspaceTaxonomyDoc{q->int64(0), q->text(1)};
}

Result<std::int64_t> SqliteStore::put_taxonomy(Id workspace_id, std::int64_t expected_version, std::string body) {
  std::lock_guard lock(mu_);
  // One statement either way, so the version check and the write cannot be split by another writer.
  auto q = expected_version == 0
               ? db_.prepare(
                     "INSERT INTO workspace_taxonomies(workspace_id, version, body, updated_at) "
                     "VALUES(?1, 1, ?3, ?4) ON CONFLICT(workspace_id) DO NOTHING")
               : db_.prepare(
                     "UPDATE workspace_taxonomies SET version = version + 1, body = ?3, updated_at = ?4 "
                     "WHERE workspace_id = ?1 AND version = ?2");
  if (!q) return q.error();
  q->bind(1, workspace_id).bind(3, body).bind(4, now_ms());
  if (expected_version != 0) q->bind(2, expected_version);
  if (auto s = q->run(); !s) return s.error();
  if (db_.changes() == 0)
    return make_error(ErrorCode::conflict, "the taxonomy of workspace " + std::to_string(workspace_id) +
                                               " is no longer version " + std::to_string(expected_version) +
                                               "; read it again and reapply the change");
  return expected_version + 1;
}

}  // namespace chorus::store
