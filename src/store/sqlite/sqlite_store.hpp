// The embedded store: one SQLite database (WAL) at <data-dir>/chorus.db.
#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "core/sqlite.hpp"
#include "core/sqlite_checkpointer.hpp"
#include "store/sqlite/near_duplicate_index.hpp"
#include "store/store.hpp"

namespace chorus::store {

namespace cubes {
class Fold;
}

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& data_dir,
                                                   const SqliteStoreOptions& options = {});
  ~SqliteStore() override;

  std::string_view kind() const override { return "sqlite"; }

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
  Result<Source> get_webhook_source(Id source_id) override;
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
  Status commit_pages_with_json(std::span<PageCommit> pages, std::vector<StoredJson>& json) override;
  Result<FeedbackRecord> get_record(Id workspace_id, std::int64_t unique_identifier) override;
  Result<FeedbackPage> query_feedback(const FeedbackFilter& filter, std::size_t limit,
                                      const std::optional<std::string>& cursor) override;
  Result<std::optional<std::int64_t>> find_near_duplicate(Id workspace_id, std::uint64_t simhash, int max_distance,
                                                          std::int64_t self, TimeMs self_ts) override;

  Status apply_rollups(const std::vector<FeedbackRecord>& records) override;
  Result<std::vector<ReportSeries>> report(const FeedbackFilter& filter, Bucket bucket, GroupBy group_by) override;
  Result<Totals> totals(const FeedbackFilter& filter) override;
  Result<std::vector<ThemeStat>> top_themes(const FeedbackFilter& filter, std::size_t limit) override;
  Result<std::vector<RatingCount>> rating_counts(const FeedbackFilter& filter) override;

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
  SqliteStore(sqlite::Database db, std::filesystem::path path, const SqliteStoreOptions& options);
  Status migrate();
  Result<std::vector<Source>> load_sources(std::string_view where, std::optional<Id> arg);
  struct RecordStatements;
  // Upserts `r`, leaving it as stored (revision, first-seen time, themes without repeats), and its JSON as
  // stored in `body`.
  Status upsert_record(RecordStatements& st, FeedbackRecord& r, bool& existed, std::string& body);
  // rollup_applied, the record revisions the rollups count, and what each added to them; mu_ held, inside the
  // caller's transaction.
  class RollupLedger {
   public:
    static Result<RollupLedger> open(sqlite::Database& db);
    // Counts `r` as stored into `fold` unless this revision or a newer one is counted, taking out what the one
    // counted before it added. `maybe_counted` false: the record is new, so nothing of it can be counted yet.
    Status count(const FeedbackRecord& r, bool maybe_counted, cubes::Fold& fold);

   private:
    sqlite::Statement* sel_ = nullptr;
    sqlite::Statement* put_ = nullptr;
  };
  // The records whose revision rollup_applied does not hold, read on the reader without mu_.
  Result<std::vector<const FeedbackRecord*>> not_yet_counted(const std::vector<FeedbackRecord>& records);
  // One page inside the caller's transaction, mu_ held: each record as stored goes to *stored (without its raw
  // item) and its JSON to *json, for those set, and into the rollups through `ledger` when that is set.
  Status write_page(RecordStatements& st, PageCommit& page, std::vector<FeedbackRecord>* stored,
                    std::vector<StoredJson>* json, RollupLedger* ledger, cubes::Fold& fold);
  Status write_pages(std::span<PageCommit> pages, std::vector<FeedbackRecord>* stored, std::vector<StoredJson>* json);
  // A record asking for its near-duplicate: find_near_duplicate's arguments.
  struct NearDuplicateAsk {
    Id workspace_id;
    std::uint64_t simhash;
    std::int64_t self;
    TimeMs self_ts;
  };
  // The answer to each ask, all against the store as it is (mu_ held). The asks' index seeks are made in the
  // order of each index, not the asks' order: a page's lookups then read neighbouring rows one after another.
  Result<std::vector<std::optional<std::int64_t>>> lookup_near_duplicates(std::span<const NearDuplicateAsk> asks,
                                                                          int max_distance);
  // Reads the workspace's fingerprints into the near-duplicate index unless it holds them; mu_ held.
  Status load_near_index(Id workspace_id);
  // Empties the near-duplicate index when another connection has committed since the last look (it reads
  // again what it needs); mu_ held, at the start of each transaction that reads or changes the index.
  Status notice_other_writers();
  void publish_index_stats();  // the index's figures into the atomics health() reads; mu_ held
  // The index's changes made during one store transaction: kept by keep() once the transaction has committed,
  // undone when it goes out of scope without. Either way the figures health() reports are brought up to date.
  class IndexChanges {
   public:
    explicit IndexChanges(SqliteStore& store) : store_(store) {}
    ~IndexChanges();
    IndexChanges(const IndexChanges&) = delete;
    IndexChanges& operator=(const IndexChanges&) = delete;
    void keep();

   private:
    SqliteStore& store_;
    bool kept_ = false;
    bool changed_ = false;  // the index changed: its figures are read again
  };
  static FeedbackRecord applied_contribution(const sqlite::Statement& row, int first, Id workspace_id);
  // Removes the records `where` picks (?1 the workspace, ?2 arg) with all that derives from them; mu_ held, inside
  // the caller's transaction. Adds to counts' records, raw_items and duplicate_links.
  Status remove_records(Id workspace_id, const std::string& where, const std::variant<std::int64_t, std::string>& arg,
                        Erasure& counts);
  Status rebuild_rollups();  // refolds every cube from rollup_applied (schema upgrades)
  // ALTER TABLE ... ADD COLUMN when a data dir of an earlier version made the table without the column.
  Status add_column_if_missing(std::string_view table, std::string_view column, std::string_view definition);
  Status refold_new_cubes();

  std::mutex mu_;  // one connection, serialised: simple and fast enough for the embedded default
  sqlite::Database db_;
  SqliteStoreOptions options_;
  // Near-duplicate lookups (near_duplicate_index.hpp), under mu_; made when the store opens, from its options.
  NearDuplicateIndex near_index_;
  std::optional<std::int64_t> data_version_;  // the writer's PRAGMA data_version at the last look, under mu_
  // The index's figures after the last transaction, for health() without mu_.
  std::atomic<std::int64_t> index_records_{0}, index_bytes_{0}, index_loads_{0}, index_merges_{0}, index_clears_{0};
  // A second, read-only connection for what every request reads first (its key, workspace and source) and for
  // reports and pages of feedback: WAL lets it read the last commit while a parser's batch transaction holds
  // db_, so a request never waits for a batch. Writes are committed before they return, so a read that follows
  // one sees it.
  std::mutex read_mu_;
  sqlite::Database reader_;
  std::filesystem::path path_;

  // Sources as webhooks found them, so a delivery costs no read: kept until a write to any source's
  // settings or existence (update, delete, a workspace deleted), which forgets them all once it is committed.
  // A read that began before such a write does not keep what it read (the generation moved on).
  void forget_webhook_sources();
  std::mutex webhook_sources_mu_;
  std::unordered_map<Id, Source> webhook_sources_;
  std::uint64_t webhook_sources_generation_ = 0;
  static constexpr std::size_t kWebhookSourcesKept = 10000;

  // Checkpoints on a thread of their own (core/sqlite_checkpointer.hpp), so copying the WAL back and its fsync
  // never stall the transaction that happens to cross the threshold (a parser's). After db_: unhooks it first.
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;
};

}  // namespace chorus::store
