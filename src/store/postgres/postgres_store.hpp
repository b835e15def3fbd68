// The scale-out store: PostgreSQL through a small pool of libpq connections. Records are range-
// partitioned by month, or a TimescaleDB hypertable where the extension is installed.
#pragma once

#include <mutex>
#include <set>

#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"

namespace chorus::store {

// How the records and rollups are laid out, decided when the schema is first created.
enum class PostgresLayout { partitioned, timescale };

class PostgresStore final : public Store {
 public:
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& url, const PostgresOptions& options);

  std::string_view kind() const override { return "postgres"; }
  PostgresLayout layout() const { return layout_; }

  Result<Customer> create_customer(const std::string& name, const std::string& key_hash) override;
  Result<ApiKey> create_api_key(const ApiKey& key) override;
  Result<std::vector<ApiKey>> list_api_keys(Id customer_id) override;
  Result<std::optional<ApiKey>> find_api_key(const std::string& key_hash, TimeMs now) override;
  Result<ApiKey> revoke_api_key(Id customer_id, Id key_id, TimeMs at) override;
  Result<ApiKey> rotate_api_key(Id customer_id, Id key_id, const std::string& new_hash,
                                TimeMs previous_valid_until) override;
  Status note_api_key_use(Id key_id, TimeMs at) override;
  Result<Workspace> create_workspace(Id customer_id, const std::string& name) override;
  Result<std::vector<Workspace>> list_workspaces(Id customer_id) override;
  Result<Workspace> get_workspace(Id customer_id, Id workspace_id) override;
  Result<std::optional<Workspace>> find_workspace(Id workspace_id) override;
  Result<std::vector<Workspace>> list_all_workspaces() override;
  Result<Workspace> update_workspace(const Workspace& ws) override;
  Status delete_workspace(Id customer_id, Id workspace_id) override;
  Result<Erasure> erase_person(Id workspace_id, const PersonMatch& who, const std::string& author_hash,
                               const std::string& requested_by) override;
  Result<Erasure> get_erasure(Id workspace_id, Id erasure_id) override;
  Result<std::vector<Erasure>> list_erasures(Id workspace_id) override;
  Result<std::vector<std::string>> erased_author_hashes(Id workspace_id) override;
  Result<std::int64_t> delete_records_before(Id workspace_id, TimeMs before) override;

  Result<Source> create_source(const Source& source) override;
  Result<std::vector<Source>> list_sources(Id workspace_id) override;
  Result<Source> get_source(Id workspace_id, Id source_id) override;
  Result<Source> get_source_by_id(Id source_id) override;
  Status delete_source(Id workspace_id, Id source_id) override;
  Result<Source> update_source(const Source& source, bool reset_cursor) override;
  Result<std::vector<Source>> list_scheduled_sources() override;
  Status set_source_state(Id source_id, const std::string& state, const std::optional<std::string>& error) override;

  Result<Sync> create_sync(Id workspace_id, Id source_id) override;
  Result<Sync> get_sync(Id workspace_id, Id sync_id) override;
  Status update_sync(Id sync_id, const std::string& state, const std::optional<std::string>& error) override;
  Result<std::optional<Sync>> active_sync(Id source_id) override;
  Result<std::vector<Sync>> list_unfinished_syncs() override;

  Result<std::vector<FeedbackRecord>> commit_page(const PageCommit& page) override;
  Result<std::vector<FeedbackRecord>> commit_pages(std::span<PageCommit> pages) override;
  Result<FeedbackRecord> get_record(Id workspace_id, std::int64_t unique_identifier) override;
  Result<FeedbackPage> query_feedback(const FeedbackFilter& filter, std::size_t limit,
                                      const std::optional<std::string>& cursor) override;
  Result<std::optional<std::int64_t>> find_near_duplicate(Id workspace_id, std::uint64_t simhash, int max_distance,
                                                          std::int64_t self, TimeMs self_ts) override;

  Status apply_rollups(const std::vector<FeedbackRecord>& records) override;
  Result<std::vector<ReportSeries>> report(const FeedbackFilter& filter, Bucket bucket, GroupBy group_by) override;
  Result<Totals> totals(const FeedbackFilter& filter) override;
  Result<std::vector<ThemeStat>> top_themes(const FeedbackFilter& filter, std::size_t limit) override;

  Result<WorkspaceTaxonomyDoc> get_taxonomy(Id workspace_id) override;
  Result<std::int64_t> put_taxonomy(Id workspace_id, std::int64_t expected_version, std::string body) override;

  Status add_dead_letter(Id workspace_id, Id source_id, const std::string& payload, const std::string& error) override;
  Result<std::int64_t> count_dead_letters(Id workspace_id) override;

  Result<AlertRule> create_alert_rule(const AlertRule& rule) override;
  Result<std::vector<AlertRule>> list_alert_rules(Id workspace_id) override;
  Result<std::vector<AlertRule>> list_enabled_alert_rules() override;
  Result<AlertRule> get_alert_rule(Id workspace_id, Id rule_id) override;
  Result<AlertRule> update_alert_rule(const AlertRule& rule) override;
  Status delete_alert_rule(Id workspace_id, Id rule_id) override;
  Status disable_alert_rule(Id rule_id, const std::string& reason) override;
  Result<std::optional<AlertDelivery>> add_alert_delivery(const AlertDelivery& delivery) override;
  Result<std::optional<AlertDelivery>> open_alert_episode(Id rule_id, const std::string& subject, TimeMs now) override;
  Status extend_alert_episode(Id delivery_id, TimeMs window_end, const std::optional<std::string>& payload) override;
  Result<std::vector<AlertDelivery>> claim_alert_deliveries(TimeMs now, std::size_t limit, TimeMs claim_ms) override;
  Status finish_alert_delivery(const AlertDelivery& delivery) override;
  Result<std::vector<AlertDelivery>> list_alert_deliveries(Id workspace_id, Id rule_id, std::size_t limit) override;
  Status add_live_items(const std::vector<LiveItem>& items) override;
  Result<std::vector<LiveThemeCount>> live_theme_counts(const LiveWindow& window) override;
  Result<std::vector<std::int64_t>> live_items_of_theme(const LiveWindow& window, const std::string& theme,
                                                        std::size_t limit) override;
  Result<SourceArrivals> live_source_arrivals(Id workspace_id, Id source_id, TimeMs since) override;
  Result<std::vector<Id>> workspaces_with_new_live_items(TimeMs since) override;
  Status prune_live_items(TimeMs timestamp_before) override;
  Result<AuditEntry> add_audit_entry(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> list_audit_entries(const AuditQuery& query) override;
  Result<bool> hold_lease(const std::string& name, const std::string& owner, TimeMs now, TimeMs ttl_ms) override;

  json::object health() override;

 private:
  PostgresStore(std::string url, const PostgresOptions& options);
  Status migrate(const PostgresOptions& options);
  Result<std::vector<Source>> load_sources(std::string_view where, const pg::Params& params);
  // Creates the monthly partitions these timestamps fall in (partitioned layout only).
  Status ensure_partitions(const std::vector<FeedbackRecord>& records);
  Status fold_rollup(pg::Connection& conn, Id workspace_id, TimeMs hour, Id source_id, const std::string& sentiment,
                     const std::string& category, const std::string& language, double compound,
                     const std::vector<std::string>& themes, int sign);
  Status refresh_daily_rollup(TimeMs from_hour, TimeMs to_hour);
  static Workspace read_workspace(const pg::Rows& rows, int i);
  // Removes the records `where` picks (over record_keys k: $1 the workspace, $2 the argument) with all that derives
  // from them, inside the caller's transaction; adds to counts. The hours whose rollups changed widen [lo, hi].
  Status remove_records(pg::Connection& conn, Id workspace_id, const std::string& where, const pg::Params& params,
                        Erasure& counts, TimeMs& lo, TimeMs& hi);
  struct AggRow;
  Result<std::vector<AggRow>> aggregate(const FeedbackFilter& filter, GroupBy group_by, bool by_hour,
                                        std::optional<Bucket> bucket);

  pg::Pool pool_;
  PostgresLayout layout_ = PostgresLayout::partitioned;
  std::mutex partitions_mu_;
  std::set<TimeMs> partitions_;  // month starts known to exist
};

}  // namespace chorus::store
