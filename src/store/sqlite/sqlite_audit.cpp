// SQLite store: the audit log of changes made through the API.
#include "store/sqlite/sqlite_store.hpp"

namespace chorus::store {

Result<AuditEntry> SqliteStore::add_audit_entry(const AuditEntry& entry) {
  std::lock_guard lock(mu_);
  AuditEntry e = entry;
  if (e.at == 0) e.at = now_ms();
  auto q = db_.prepare(
      "INSERT INTO audit_log(customer_id, workspace_id, key_id, key_name, action, target_type, target_id, "
      "target_name, detail, at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!q) return q.error();
  q->bind(1, e.customer_id).bind(2, e.workspace_id).bind(3, e.key_id).bind(4, e.key_name).bind(5, e.action);
  q->bind(6, e.target_type).bind(7, e.target_id).bind(8, e.target_name).bind(9, e.detail).bind(10, e.at);
  if (auto s = q->run(); !s) return s.error();
  e.id = db_.last_insert_id();
  return e;
}

Result<std::vector<AuditEntry>> SqliteStore::list_audit_entries(const AuditQuery& query) {
  std::string sql =
      "SELECT id, customer_id, workspace_id, key_id, key_name, action, target_type, target_id, target_name, detail, "
      "at FROM audit_log WHERE customer_id = ?1";
  if (query.before_id) sql += " AND id < ?2";
  if (query.workspace_id) sql += " AND workspace_id = ?3";
  if (query.action)
    sql += query.action->ends_with('.') ? " AND substr(action, 1, length(?4)) = ?4" : " AND action = ?4";
  if (query.within) {
    sql += " AND workspace_id IN (";
    for (std::size_t i = 0; i < query.within->size(); ++i) sql += (i ? ", " : "") + std::to_string((*query.within)[i]);
    sql += ")";
  }
  sql += " ORDER BY id DESC LIMIT ?5";
  std::lock_guard lock(read_mu_);
  auto q = reader_.prepare(sql);
  if (!q) return q.error();
  q->bind(1, query.customer_id).bind(2, query.before_id).bind(3, query.workspace_id).bind(4, query.action);
  q->bind(5, static_cast<std::int64_t>(query.limit));
  std::vector<AuditEntry> out;
  Status rows = q->each_row([&] {
    AuditEntry e;
    e.id = q->int64(0);
    e.customer_id = q->int64(1);
    e.workspace_id = q->opt_int64(2);
    e.key_id = q->opt_int64(3);
    e.key_name = q->text(4);
    e.action = q->text(5);
    e.target_type = q->text(6);
    e.target_id = q->text(7);
    e.target_name = q->text(8);
    e.detail = q->text(9);
    e.at = q->int64(10);
    out.push_back(std::move(e));
  });
  if (!rows) return rows.error();
  return out;
}

}  // namespace chorus::store
