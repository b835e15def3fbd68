// PostgreSQL store: alert rules, the alert outbox, live items and leases.
#include "store/postgres/postgres_store.hpp"

namespace chorus::store {

namespace {

constexpr std::string_view kRuleColumns =
    "id, workspace_id, name, kind, params, channel_type, channel, sealed_secrets, enabled, disabled_reason, "
    "created_at, updated_at";

json::object object_of(const std::string& text) {
  auto v = parse_json(text);
  return v && v->is_object() ? v->get_object() : json::object{};
}

AlertRule read_rule(const pg::Rows& rows, int i) {
  AlertRule r;
  r.id = rows.int64(i, 0);
  r.workspace_id = rows.int64(i, 1);
  r.name = rows.text(i, 2);
  r.kind = rows.text(i, 3);
  r.params = object_of(rows.text(i, 4));
  r.channel_type = rows.text(i, 5);
  r.channel = object_of(rows.text(i, 6));
  r.sealed_secrets = rows.text(i, 7);
  r.enabled = rows.boolean(i, 8);
  r.disabled_reason = rows.opt_text(i, 9);
  r.created_at = rows.int64(i, 10);
  r.updated_at = rows.int64(i, 11);
  return r;
}

constexpr std::string_view kDeliveryColumns =
    "id, rule_id, workspace_id, dedup_key, subject, payload, state, attempts, created_at, updated_at, "
    "next_attempt_at, window_end, delivered_at, last_status, last_error";

AlertDelivery read_delivery(const pg::Rows& rows, int i) {
  AlertDelivery d;
  d.id = rows.int64(i, 0);
  d.rule_id = rows.int64(i, 1);
  d.workspace_id = rows.int64(i, 2);
  d.dedup_key = rows.text(i, 3);
  d.subject = rows.text(i, 4);
  d.payload = rows.text(i, 5);
  d.state = rows.text(i, 6);
  d.attempts = rows.int64(i, 7);
  d.created_at = rows.int64(i, 8);
  d.updated_at = rows.int64(i, 9);
  d.next_attempt_at = rows.int64(i, 10);
  d.window_end = rows.int64(i, 11);
  d.delivered_at = rows.opt_int64(i, 12);
  d.last_status = rows.opt_int64(i, 13);
  d.last_error = rows.opt_text(i, 14);
  return d;
}

template <class T, class Read>
std::vector<T> read_all(const pg::Rows& rows, Read read) {
  std::vector<T> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows, i));
  return out;
}

Error rule_not_found(Id id) {
  return make_error(ErrorCode::not_found, "alert " + std::to_string(id) + " does not exist");
}

}  // namespace

Result<AlertRule> PostgresStore::create_alert_rule(const AlertRule& rule) {
  TimeMs now = now_ms();
  auto rows = pool_.write(
      "INSERT INTO alert_rules(workspace_id, name, kind, params, channel_type, channel, sealed_secrets, enabled, "
      "disabled_reason, created_at, updated_at) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
      pg::Params()
          .add(rule.workspace_id)
          .add(rule.name)
          .add(rule.kind)
          .add(to_json_string(rule.params))
          .add(rule.channel_type)
          .add(to_json_string(rule.channel))
          .add(rule.sealed_secrets)
          .add(rule.enabled)
          .add(rule.disabled_reason)
          .add(now));
  if (!rows) return rows.error();
  AlertRule out = rule;
  out.id = rows->int64(0, 0);
  out.created_at = out.updated_at = now;
  return out;
}

Result<std::vector<AlertRule>> PostgresStore::list_alert_rules(Id workspace_id) {
  auto rows =
      pool_.read("SELECT " + std::string(kRuleColumns) + " FROM alert_rules WHERE workspace_id = $1 ORDER BY id",
                 pg::Params().add(workspace_id));
  if (!rows) return rows.error();
  return read_all<AlertRule>(*rows, read_rule);
}

Result<std::vector<AlertRule>> PostgresStore::list_enabled_alert_rules() {
  auto rows =
      pool_.read("SELECT " + std::string(kRuleColumns) + " FROM alert_rules WHERE enabled ORDER BY workspace_id, id");
  if (!rows) return rows.error();
  return read_all<AlertRule>(*rows, read_rule);
}

Result<AlertRule> PostgresStore::get_alert_rule(Id workspace_id, Id rule_id) {
  auto rows =
      pool_.read("SELECT " + std::string(kRuleColumns) + " FROM alert_rules WHERE id = $1 AND workspace_id = $2",
                 pg::Params().add(rule_id).add(workspace_id));
  if (!rows) return rows.error();
  if (rows->empty()) return rule_not_found(rule_id);
  return read_rule(*rows, 0);
}

Result<AlertRule> PostgresStore::update_alert_rule(const AlertRule& rule) {
  TimeMs now = now_ms();
  auto rows = pool_.write(
      "UPDATE alert_rules SET name = $1, params = $2, channel_type = $3, channel = $4, sealed_secrets = $5, "
      "enabled = $6, disabled_reason = $7, updated_at = $8 WHERE id = $9 AND workspace_id = $10",
      pg::Params()
          .add(rule.name)
          .add(to_json_string(rule.params))
          .add(rule.channel_type)
          .add(to_json_string(rule.channel))
          .add(rule.sealed_secrets)
          .add(rule.enabled)
          .add(rule.disabled_reason)
          .add(now)
          .add(rule.id)
          .add(rule.workspace_id));
  if (!rows) return rows.error();
  if (rows->affected() == 0) return rule_not_found(rule.id);
  AlertRule out = rule;
  out.updated_at = now;
  return out;
}

Status PostgresStore::delete_alert_rule(Id workspace_id, Id rule_id) {
  auto conn = pool_.acquire();
  if (!conn) return conn.error();
  pg::Transaction tx(**conn);
  if (auto s = tx.begin(); !s) return s;
  auto del = (*conn)->exec("DELETE FROM alert_rules WHERE id = $1 AND workspace_id = $2",
                           pg::Params().add(rule_id).add(workspace_id));
  if (!del) return del.error();
  if (del->affected() == 0) return rule_not_found(rule_id);
  if (auto d = (*conn)->exec("DELETE FROM alert_deliveries WHERE rule_id = $1", pg::Params().add(rule_id)); !d)
    return d.error();
  return tx.commit();
}

Status PostgresStore::disable_alert_rule(Id rule_id, const std::string& reason) {
  auto rows = pool_.write("UPDATE alert_rules SET enabled = false, disabled_reason = $1, updated_at = $2 WHERE id = $3",
                          pg::Params().add(reason).add(now_ms()).add(rule_id));
  if (!rows) return rows.error();
  return {};
}

Result<std::optional<AlertDelivery>> PostgresStore::add_alert_delivery(const AlertDelivery& d) {
  TimeMs now = now_ms();
  auto rows = pool_.write(
      "INSERT INTO alert_deliveries(rule_id, workspace_id, dedup_key, subject, payload, state, attempts, created_at, "
      "updated_at, next_attempt_at, window_end, delivered_at, last_status, last_error) "
      "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13) ON CONFLICT(rule_id, dedup_key) DO NOTHING "
      "RETURNING id",
      pg::Params()
          .add(d.rule_id)
          .add(d.workspace_id)
          .add(d.dedup_key)
          .add(d.subject)
          .add(d.payload)
          .add(d.state)
          .add(d.attempts)
          .add(now)
          .add(d.next_attempt_at)
          .add(d.window_end)
          .add(d.delivered_at)
          .add(d.last_status)
          .add(d.last_error));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AlertDelivery>{};
  AlertDelivery out = d;
  out.id = rows->int64(0, 0);
  out.created_at = out.updated_at = now;
  return std::optional<AlertDelivery>{std::move(out)};
}

Result<std::optional<AlertDelivery>> PostgresStore::open_alert_episode(Id rule_id, const std::string& subject,
                                                                       TimeMs now) {
  auto rows = pool_.read("SELECT " + std::string(kDeliveryColumns) +
                             " FROM alert_deliveries WHERE rule_id = $1 AND subject = $2 AND window_end > $3 "
                             "ORDER BY id DESC LIMIT 1",
                         pg::Params().add(rule_id).add(subject).add(now));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AlertDelivery>{};
  return std::optional<AlertDelivery>{read_delivery(*rows, 0)};
}

Status PostgresStore::extend_alert_episode(Id delivery_id, TimeMs window_end,
                                           const std::optional<std::string>& payload) {
  auto rows = pool_.write(
      "UPDATE alert_deliveries SET window_end = greatest(window_end, $2), payload = CASE WHEN $3::text IS NOT NULL "
      "AND state = 'pending' THEN $3::text ELSE payload END, updated_at = $4 WHERE id = $1",
      pg::Params().add(delivery_id).add(window_end).add(payload).add(now_ms()));
  if (!rows) return rows.error();
  return {};
}

Result<std::vector<AlertDelivery>> PostgresStore::claim_alert_deliveries(TimeMs now, std::size_t limit,
                                                                         TimeMs claim_ms) {
  // SKIP LOCKED: two senders asking at once each get different rows.
  auto rows = pool_.write(
      "UPDATE alert_deliveries SET state = 'sending', next_attempt_at = $2, updated_at = $1 WHERE id IN ("
      "SELECT id FROM alert_deliveries WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1 "
      "ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING " +
          std::string(kDeliveryColumns),
      pg::Params().add(now).add(now + claim_ms).add(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  return read_all<AlertDelivery>(*rows, read_delivery);
}

Status PostgresStore::finish_alert_delivery(const AlertDelivery& d) {
  auto rows = pool_.write(
      "UPDATE alert_deliveries SET state = $1, attempts = $2, next_attempt_at = $3, delivered_at = $4, "
      "last_status = $5, last_error = $6, updated_at = $7 WHERE id = $8",
      pg::Params()
          .add(d.state)
          .add(d.attempts)
          .add(d.next_attempt_at)
          .add(d.delivered_at)
          .add(d.last_status)
          .add(d.last_error)
          .add(now_ms())
          .add(d.id));
  if (!rows) return rows.error();
  return {};
}

Result<std::vector<AlertDelivery>> PostgresStore::list_alert_deliveries(Id workspace_id, Id rule_id,
                                                                        std::size_t limit) {
  auto rows =
      pool_.read("SELECT " + std::string(kDeliveryColumns) +
                     " FROM alert_deliveries WHERE workspace_id = $1 AND rule_id = $2 ORDER BY id DESC LIMIT $3",
                 pg::Params().add(workspace_id).add(rule_id).add(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  return read_all<AlertDelivery>(*rows, read_delivery);
}

Status PostgresStore::add_live_items(const std::vector<LiveItem>& items) {
  if (items.empty()) return {};
  auto conn = pool_.acquire();
  if (!conn) return conn.error();
  pg::Transaction tx(**conn);
  if (auto s = tx.begin(); !s) return s;
  TimeMs now = now_ms();
  for (const auto& it : items) {
    std::vector<std::string> themes{""};
    themes.insert(themes.end(), it.themes.begin(), it.themes.end());
    auto s = (*conn)->exec(
        "INSERT INTO alert_live_items(workspace_id, uid, theme, source_id, ts, received_at, sentiment, compound, "
        "added_at) SELECT $1, $2, t, $4, $5, $6, $7, $8, $9 FROM unnest($3::text[]) AS t "
        "WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = $1) ON CONFLICT DO NOTHING",
        pg::Params()
            .add(it.workspace_id)
            .add(it.uid)
            .add_array(themes)
            .add(it.source_id)
            .add(it.timestamp)
            .add(it.received_at)
            .add(it.sentiment)
            .add(it.compound)
            .add(now));
    if (!s) return s.error();
  }
  return tx.commit();
}

Result<std::vector<LiveThemeCount>> PostgresStore::live_theme_counts(const LiveWindow& w) {
  auto rows = pool_.read(
      "SELECT theme, count(*), count(*) FILTER (WHERE sentiment = 'negative'), min(ts) FROM alert_live_items "
      "WHERE workspace_id = $1 AND ts >= $2 AND ts < $3 AND received_at - ts <= $4 GROUP BY theme ORDER BY theme",
      pg::Params().add(w.workspace_id).add(w.from).add(w.to).add(w.max_lag));
  if (!rows) return rows.error();
  return read_all<LiveThemeCount>(*rows, [](const pg::Rows& r, int i) {
    return LiveThemeCount{r.text(i, 0), r.int64(i, 1), r.int64(i, 2), r.int64(i, 3)};
  });
}

Result<std::vector<std::int64_t>> PostgresStore::live_items_of_theme(const LiveWindow& w, const std::string& theme,
                                                                     std::size_t limit) {
  auto rows = pool_.read(
      "SELECT uid FROM alert_live_items WHERE workspace_id = $1 AND theme = $2 AND ts >= $3 AND ts < $4 AND "
      "received_at - ts <= $5 ORDER BY compound, ts DESC, uid LIMIT $6",
      pg::Params()
          .add(w.workspace_id)
          .add(theme)
          .add(w.from)
          .add(w.to)
          .add(w.max_lag)
          .add(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  return read_all<std::int64_t>(*rows, [](const pg::Rows& r, int i) { return r.int64(i, 0); });
}

Result<SourceArrivals> PostgresStore::live_source_arrivals(Id workspace_id, Id source_id, TimeMs since) {
  // A live item arrived within a week of its own time, so the bound on ts lets the index narrow the scan.
  auto rows = pool_.read(
      "SELECT received_at - received_at % 3600000, max(received_at) FROM alert_live_items WHERE workspace_id = $1 "
      "AND theme = '' AND ts >= $2 AND source_id = $3 AND received_at >= $4 GROUP BY 1 ORDER BY 1",
      pg::Params().add(workspace_id).add(since - kLiveItemMaxLag).add(source_id).add(since));
  if (!rows) return rows.error();
  SourceArrivals out;
  for (int i = 0; i < rows->size(); ++i) {
    out.hours.push_back(rows->int64(i, 0));
    out.last = rows->int64(i, 1);
  }
  return out;
}

Result<std::vector<Id>> PostgresStore::workspaces_with_new_live_items(TimeMs since) {
  auto rows =
      pool_.read("SELECT DISTINCT workspace_id FROM alert_live_items WHERE added_at >= $1 ORDER BY workspace_id",
                 pg::Params().add(since));
  if (!rows) return rows.error();
  return read_all<Id>(*rows, [](const pg::Rows& r, int i) { return r.int64(i, 0); });
}

Status PostgresStore::prune_live_items(TimeMs timestamp_before) {
  auto rows = pool_.write("DELETE FROM alert_live_items WHERE ts < $1", pg::Params().add(timestamp_before));
  if (!rows) return rows.error();
  return {};
}

Result<bool> PostgresStore::hold_lease(const std::string& name, const std::string& owner, TimeMs now, TimeMs ttl_ms) {
  auto rows = pool_.write(
      "INSERT INTO leases(name, owner, until) VALUES($1, $2, $3) ON CONFLICT(name) DO UPDATE SET owner = $2, "
      "until = $3 WHERE leases.owner = $2 OR leases.until < $4",
      pg::Params().add(name).add(owner).add(now + ttl_ms).add(now));
  if (!rows) return rows.error();
  return rows->affected() > 0;
}

}  // namespace chorus::store
