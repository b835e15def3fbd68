// SQLite store: alert rules, the alert outbox, live items and leases.
#include "store/sqlite/sqlite_store.hpp"

#include "store/sqlite/sqlite_sql.hpp"

namespace chorus::store {

using sqlite_sql::read_all;

namespace {

constexpr std::string_view kRuleColumns =
    "SELECT id, workspace_id, name, kind, params, channel_type, channel, sealed_secrets, enabled, disabled_reason, "
    "created_at, updated_at FROM alert_rules ";

json::object object_of(const std::string& text) {
  auto v = parse_json(text);
  return v && v->is_object() ? v->get_object() : json::object{};
}

AlertRule read_rule(const sqlite::Statement& s) {
  AlertRule r;
  r.id = s.int64(0);
  r.workspace_id = s.int64(1);
  r.name = s.text(2);
  r.kind = s.text(3);
  r.params = object_of(s.text(4));
  r.channel_type = s.text(5);
  r.channel = object_of(s.text(6));
  r.sealed_secrets = s.text(7);
  r.enabled = s.int64(8) != 0;
  r.disabled_reason = s.opt_text(9);
  r.created_at = s.int64(10);
  r.updated_at = s.int64(11);
  return r;
}

constexpr std::string_view kDeliveryColumns =
    "SELECT id, rule_id, workspace_id, dedup_key, subject, payload, state, attempts, created_at, updated_at, "
    "next_attempt_at, window_end, delivered_at, last_status, last_error FROM alert_deliveries ";

AlertDelivery read_delivery(const sqlite::Statement& s) {
  AlertDelivery d;
  d.id = s.int64(0);
  d.rule_id = s.int64(1);
  d.workspace_id = s.int64(2);
  d.dedup_key = s.text(3);
  d.subject = s.text(4);
  d.payload = s.text(5);
  d.state = s.text(6);
  d.attempts = s.int64(7);
  d.created_at = s.int64(8);
  d.updated_at = s.int64(9);
  d.next_attempt_at = s.int64(10);
  d.window_end = s.int64(11);
  d.delivered_at = s.opt_int64(12);
  d.last_status = s.opt_int64(13);
  d.last_error = s.opt_text(14);
  return d;
}

Error rule_not_found(Id id) {
  return make_error(ErrorCode::not_found, "alert " + std::to_string(id) + " does not exist");
}

}  // namespace

Result<AlertRule> SqliteStore::create_alert_rule(const AlertRule& rule) {
  std::lock_guard lock(mu_);
  auto ins = db_.prepare(
      "INSERT INTO alert_rules(id, workspace_id, name, kind, params, channel_type, channel, sealed_secrets, enabled, "
      "disabled_reason, created_at, updated_at) VALUES(" +
      sqlite_sql::fresh_id_sql("alert_rules") + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.error();
  TimeMs now = now_ms();
  ins->bind(1, rule.workspace_id).bind(2, rule.name).bind(3, rule.kind).bind(4, to_json_string(rule.params));
  ins->bind(5, rule.channel_type).bind(6, to_json_string(rule.channel)).bind(7, rule.sealed_secrets);
  ins->bind(8, rule.enabled ? 1 : 0).bind(9, rule.disabled_reason).bind(10, now).bind(11, now);
  if (auto s = ins->run(); !s) return s.error();
  AlertRule out = rule;
  out.id = db_.last_insert_id();
  out.created_at = out.updated_at = now;
  return out;
}

Result<std::vector<AlertRule>> SqliteStore::list_alert_rules(Id workspace_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kRuleColumns) + "WHERE workspace_id = ? ORDER BY id");
  if (!q) return q.error();
  q->bind(1, workspace_id);
  return read_all<AlertRule>(*q, read_rule);
}

Result<std::vector<AlertRule>> SqliteStore::list_enabled_alert_rules() {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kRuleColumns) + "WHERE enabled = 1 ORDER BY workspace_id, id");
  if (!q) return q.error();
  return read_all<AlertRule>(*q, read_rule);
}

Result<AlertRule> SqliteStore::get_alert_rule(Id workspace_id, Id rule_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kRuleColumns) + "WHERE id = ? AND workspace_id = ?");
  if (!q) return q.error();
  q->bind(1, rule_id).bind(2, workspace_id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return rule_not_found(rule_id);
  return read_rule(*q);
}

Result<AlertRule> SqliteStore::update_alert_rule(const AlertRule& rule) {
  std::lock_guard lock(mu_);
  auto up = db_.prepare(
      "UPDATE alert_rules SET name = ?, params = ?, channel_type = ?, channel = ?, sealed_secrets = ?, enabled = ?, "
      "disabled_reason = ?, updated_at = ? WHERE id = ? AND workspace_id = ?");
  if (!up) return up.error();
  TimeMs now = now_ms();
  up->bind(1, rule.name).bind(2, to_json_string(rule.params)).bind(3, rule.channel_type);
  up->bind(4, to_json_string(rule.channel)).bind(5, rule.sealed_secrets).bind(6, rule.enabled ? 1 : 0);
  up->bind(7, rule.disabled_reason).bind(8, now).bind(9, rule.id).bind(10, rule.workspace_id);
  if (auto s = up->run(); !s) return s.error();
  if (db_.changes() == 0) return rule_not_found(rule.id);
  AlertRule out = rule;
  out.updated_at = now;
  return out;
}

Status SqliteStore::delete_alert_rule(Id workspace_id, Id rule_id) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto del = db_.prepare("DELETE FROM alert_rules WHERE id = ? AND workspace_id = ?");
  if (!del) return del.error();
  if (auto s = del->bind(1, rule_id).bind(2, workspace_id).run(); !s) return s;
  if (db_.changes() == 0) return rule_not_found(rule_id);
  auto dd = db_.prepare("DELETE FROM alert_deliveries WHERE rule_id = ?");
  if (!dd) return dd.error();
  if (auto s = dd->bind(1, rule_id).run(); !s) return s;
  return tx.commit();
}

Status SqliteStore::disable_alert_rule(Id rule_id, const std::string& reason) {
  std::lock_guard lock(mu_);
  auto up = db_.prepare("UPDATE alert_rules SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?");
  if (!up) return up.error();
  return up->bind(1, reason).bind(2, now_ms()).bind(3, rule_id).run();
}

Result<std::optional<AlertDelivery>> SqliteStore::add_alert_delivery(const AlertDelivery& d) {
  std::lock_guard lock(mu_);
  auto ins = db_.prepare(
      "INSERT INTO alert_deliveries(id, rule_id, workspace_id, dedup_key, subject, payload, state, attempts, "
      "created_at, updated_at, next_attempt_at, window_end, delivered_at, last_status, last_error) VALUES(" +
      sqlite_sql::fresh_id_sql("alert_deliveries") +
      ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rule_id, dedup_key) DO NOTHING");
  if (!ins) return ins.error();
  TimeMs now = now_ms();
  ins->bind(1, d.rule_id).bind(2, d.workspace_id).bind(3, d.dedup_key).bind(4, d.subject).bind(5, d.payload);
  ins->bind(6, d.state).bind(7, d.attempts).bind(8, now).bind(9, now).bind(10, d.next_attempt_at);
  ins->bind(11, d.window_end).bind(12, d.delivered_at).bind(13, d.last_status).bind(14, d.last_error);
  if (auto s = ins->run(); !s) return s.error();
  if (db_.changes() == 0) return std::optional<AlertDelivery>{};
  AlertDelivery out = d;
  out.id = db_.last_insert_id();
  out.created_at = out.updated_at = now;
  return std::optional<AlertDelivery>{std::move(out)};
}

Result<std::optional<AlertDelivery>> SqliteStore::open_alert_episode(Id rule_id, const std::string& subject,
                                                                     TimeMs now) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(std::string(kDeliveryColumns) +
                       "WHERE rule_id = ? AND subject = ? AND window_end > ? ORDER BY id DESC LIMIT 1");
  if (!q) return q.error();
  q->bind(1, rule_id).bind(2, subject).bind(3, now);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return std::optional<AlertDelivery>{};
  return std::optional<AlertDelivery>{read_delivery(*q)};
}

Status SqliteStore::extend_alert_episode(Id delivery_id, TimeMs window_end, const std::optional<std::string>& payload) {
  std::lock_guard lock(mu_);
  auto up = db_.prepare(
      "UPDATE alert_deliveries SET window_end = max(window_end, ?2), payload = CASE WHEN ?3 IS NOT NULL AND "
      "state = 'pending' THEN ?3 ELSE payload END, updated_at = ?4 WHERE id = ?1");
  if (!up) return up.error();
  return up->bind(1, delivery_id).bind(2, window_end).bind(3, payload).bind(4, now_ms()).run();
}

Result<std::vector<AlertDelivery>> SqliteStore::claim_alert_deliveries(TimeMs now, std::size_t limit, TimeMs claim_ms) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);  // BEGIN IMMEDIATE: another process's claim waits for this one
  if (auto s = tx.begin(); !s) return s.error();
  auto q = db_.prepare(std::string(kDeliveryColumns) +
                       "WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at, id "
                       "LIMIT ?");
  if (!q) return q.error();
  q->bind(1, now).bind(2, static_cast<std::int64_t>(limit));
  auto due = read_all<AlertDelivery>(*q, read_delivery);
  if (!due) return due.error();
  q->reset();
  auto up =
      db_.prepare("UPDATE alert_deliveries SET state = 'sending', next_attempt_at = ?, updated_at = ? WHERE id = ?");
  if (!up) return up.error();
  for (auto& d : *due) {
    up->reset();
    if (auto s = up->bind(1, now + claim_ms).bind(2, now).bind(3, d.id).run(); !s) return s.error();
    d.state = "sending";
    d.next_attempt_at = now + claim_ms;
  }
  if (auto s = tx.commit(); !s) return s.error();
  return due;
}

Status SqliteStore::finish_alert_delivery(const AlertDelivery& d) {
  std::lock_guard lock(mu_);
  auto up = db_.prepare(
      "UPDATE alert_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?, last_status = ?, "
      "last_error = ?, updated_at = ? WHERE id = ?");
  if (!up) return up.error();
  up->bind(1, d.state).bind(2, d.attempts).bind(3, d.next_attempt_at).bind(4, d.delivered_at);
  up->bind(5, d.last_status).bind(6, d.last_error).bind(7, now_ms()).bind(8, d.id);
  return up->run();
}

Result<std::vector<AlertDelivery>> SqliteStore::list_alert_deliveries(Id workspace_id, Id rule_id, std::size_t limit) {
  std::lock_guard lock(mu_);
  auto q =
      db_.prepare(std::string(kDeliveryColumns) + "WHERE workspace_id = ? AND rule_id = ? ORDER BY id DESC LIMIT ?");
  if (!q) return q.error();
  q->bind(1, workspace_id).bind(2, rule_id).bind(3, static_cast<std::int64_t>(limit));
  return read_all<AlertDelivery>(*q, read_delivery);
}

Status SqliteStore::add_live_items(const std::vector<LiveItem>& items) {
  if (items.empty()) return {};
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto ins = db_.prepare(
      "INSERT OR IGNORE INTO alert_live_items(workspace_id, uid, theme, source_id, ts, received_at, sentiment, "
      "compound, added_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS (SELECT 1 FROM workspaces "
      "WHERE id = ?1)");
  if (!ins) return ins.error();
  TimeMs now = now_ms();
  for (const auto& it : items) {
    std::vector<std::string> themes{""};
    themes.insert(themes.end(), it.themes.begin(), it.themes.end());
    for (const auto& theme : themes) {
      ins->reset();
      ins->bind(1, it.workspace_id).bind(2, it.uid).bind(3, theme).bind(4, it.source_id).bind(5, it.timestamp);
      ins->bind(6, it.received_at).bind(7, it.sentiment).bind(8, it.compound).bind(9, now);
      if (auto s = ins->run(); !s) return s;
    }
  }
  return tx.commit();
}

Result<std::vector<LiveThemeCount>> SqliteStore::live_theme_counts(const LiveWindow& w) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT theme, count(*), sum(sentiment = 'negative'), min(ts) FROM alert_live_items WHERE workspace_id = ? "
      "AND ts >= ? AND ts < ? AND received_at - ts <= ? GROUP BY theme ORDER BY theme");
  if (!q) return q.error();
  q->bind(1, w.workspace_id).bind(2, w.from).bind(3, w.to).bind(4, w.max_lag);
  return read_all<LiveThemeCount>(*q, [](const sqlite::Statement& s) {
    return LiveThemeCount{s.text(0), s.int64(1), s.int64(2), s.int64(3)};
  });
}

Result<std::vector<std::int64_t>> SqliteStore::live_items_of_theme(const LiveWindow& w, const std::string& theme,
                                                                   std::size_t limit) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT uid FROM alert_live_items WHERE workspace_id = ? AND theme = ? AND ts >= ? AND ts < ? AND "
      "received_at - ts <= ? ORDER BY compound, ts DESC, uid LIMIT ?");
  if (!q) return q.error();
  q->bind(1, w.workspace_id).bind(2, theme).bind(3, w.from).bind(4, w.to).bind(5, w.max_lag);
  q->bind(6, static_cast<std::int64_t>(limit));
  return read_all<std::int64_t>(*q, [](const sqlite::Statement& s) { return s.int64(0); });
}

Result<SourceArrivals> SqliteStore::live_source_arrivals(Id workspace_id, Id source_id, TimeMs since) {
  std::lock_guard lock(mu_);
  // A live item arrived within a week of its own time, so the bound on ts lets the index narrow the scan.
  auto q = db_.prepare(
      "SELECT received_at - received_at % 3600000, max(received_at) FROM alert_live_items WHERE workspace_id = ? "
      "AND theme = '' AND ts >= ? AND source_id = ? AND received_at >= ? GROUP BY 1 ORDER BY 1");
  if (!q) return q.error();
  q->bind(1, workspace_id).bind(2, since - kLiveItemMaxLag).bind(3, source_id).bind(4, since);
  SourceArrivals out;
  Status rows = q->each_row([&] {
    out.hours.push_back(q->int64(0));
    out.last = q->int64(1);
  });
  if (!rows) return rows.error();
  return out;
}

Result<std::vector<Id>> SqliteStore::workspaces_with_new_live_items(TimeMs since) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT DISTINCT workspace_id FROM alert_live_items WHERE added_at >= ? ORDER BY workspace_id");
  if (!q) return q.error();
  q->bind(1, since);
  return read_all<Id>(*q, [](const sqlite::Statement& s) { return s.int64(0); });
}

Status SqliteStore::prune_live_items(TimeMs timestamp_before) {
  std::lock_guard lock(mu_);
  auto del = db_.prepare("DELETE FROM alert_live_items WHERE ts < ?");
  if (!del) return del.error();
  return del->bind(1, timestamp_before).run();
}

Result<bool> SqliteStore::hold_lease(const std::string& name, const std::string& owner, TimeMs now, TimeMs ttl_ms) {
  std::lock_guard lock(mu_);
  auto up = db_.prepare(
      "INSERT INTO leases(name, owner, until) VALUES(?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET owner = ?2, "
      "until = ?3 WHERE leases.owner = ?2 OR leases.until < ?4");
  if (!up) return up.error();
  if (auto s = up->bind(1, name).bind(2, owner).bind(3, now + ttl_ms).bind(4, now).run(); !s) return s.error();
  return db_.changes() > 0;
}

}  // namespace chorus::store
