// Store: tenants, workspaces, sources, syncs, records and rollups. One interface, two backends
// (SQLite embedded, PostgreSQL scale-out); every write is idempotent or transactional.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/json.hpp"
#include "core/record.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "store/alert_types.hpp"

namespace chorus::store {

struct Customer {
  Id id = 0;
  std::string name;
  TimeMs created_at = 0;
};

// A customer's API key as stored: its hash, never the key itself.
struct ApiKey {
  Id id = 0;
  Id customer_id = 0;
  std::string name;
  std::string role = "admin";                 // viewer | editor | admin
  std::optional<std::vector<Id>> workspaces;  // none: every workspace of the customer, now and later
  std::string key_hash;
  TimeMs created_at = 0;
  std::optional<TimeMs> expires_at, last_used_at, revoked_at;
  // Rotation: the hash the key had before, accepted until previous_valid_until.
  std::optional<std::string> previous_hash;
  std::optional<TimeMs> previous_valid_until;
};

// How often a key's last_used_at is written at most: a busy key costs one write a minute, not one a request.
inline constexpr TimeMs kKeyUseResolutionMs = 60'000;

// A workspace's data-governance settings (PATCH /v1/workspaces/{ws}), stored as one JSON document.
struct WorkspaceSettings {
  std::optional<std::int64_t> retention_days;  // records older than this are deleted daily; none: kept
  std::vector<std::string> redact;             // PII kinds masked in text before analysis (nlp/pii_redaction.hpp)
  bool keep_raw = true;                        // keep the raw item beside each record
  bool drop_erased_authors = false;            // items of an erased person arriving later are dropped
  std::string author_salt;                     // salts the hashes of erased persons; never shown
};

struct Workspace {
  Id id = 0;
  Id customer_id = 0;
  std::string name;
  TimeMs created_at = 0;
  WorkspaceSettings settings;
};

// Who an erasure is about: one author field of the record (user_attributes) and its value.
struct PersonMatch {
  std::string field;  // email (matched without regard to case) | user_id | username
  std::string value;
};

// The erasure log: who asked, when, and how much went; never the person's data.
struct Erasure {
  Id id = 0;
  Id workspace_id = 0;
  std::string field;         // which kind of identifier was given, not its value
  std::string requested_by;  // the key's name
  TimeMs requested_at = 0;
  std::optional<TimeMs> finished_at;
  std::string state = "done";
  std::int64_t records = 0;          // records removed (their raw items, themes and near-duplicate keys with them)
  std::int64_t raw_items = 0;        // of which kept a raw item
  std::int64_t duplicate_links = 0;  // other records whose duplicate_of named one of them, now cleared
};

struct SourceStatus {
  std::string state = "idle";  // idle | queued | running | ok | failed | stale
  std::optional<TimeMs> last_sync_at;
  std::optional<std::string> last_error;
  std::int64_t items_total = 0;
  std::string cursor;
};

struct Source {
  Id id = 0;
  Id workspace_id = 0;
  Id customer_id = 0;
  std::string type;
  std::string name;
  json::object config;
  std::optional<std::int64_t> schedule_every_s;
  std::optional<std::string> webhook_scheme;
  std::string sealed_secrets;  // SecretBox-sealed JSON {"credentials":{...},"webhook_secret":"..."}
  bool paused = false;         // no scheduled or manual syncs while set; webhook deliveries are still stored
  TimeMs created_at = 0;
  SourceStatus status;
};

struct Sync {
  Id id = 0;
  Id workspace_id = 0;
  Id source_id = 0;
  std::string state = "queued";  // queued | running | done | failed
  std::int64_t items = 0;      // items this sync delivered
  std::int64_t new_items = 0;  // of which were not stored before
  std::int64_t skipped = 0;    // items it brought that became no record (left out by a setting, or no text)
  std::map<std::string, std::int64_t> skipped_reasons;  // skipped, by reason ("no_text", "pull_request", ...)
  std::optional<std::string> error;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// One page of analysed records and, optionally, the sync bookkeeping that commits with it.
struct PageCommit {
  Id workspace_id = 0;
  Id source_id = 0;
  std::vector<FeedbackRecord> records;
  std::optional<std::string> cursor;  // new source cursor, stored in the same transaction
  std::optional<Id> sync_id;          // adds records.size() to the sync's items
  bool sync_finished = false;         // marks the sync done and the source ok
  std::map<std::string, std::int64_t> skipped;  // items of the page that became no record, by reason
  // When set, commit_pages sets each record's duplicate_of: the stored record find_near_duplicate names within
  // this many bits, else the first earlier record of this page within them (or what that one duplicates),
  // exactly as if the pages before it had been committed one by one.
  std::optional<int> near_duplicate_bits;
};

// A stored record as record_json() serialised it, with its workspace (the bus key).
struct StoredJson {
  Id workspace_id = 0;
  std::string json;
};

struct FeedbackFilter {
  Id workspace_id = 0;
  std::optional<TimeMs> from, to;  // from inclusive, to exclusive, on the record's timestamp
  std::optional<Id> source_id;
  std::optional<std::string> sentiment, category, theme, language;
  std::optional<std::string> q;  // case-insensitive substring of text or title
  // Aggregate from the records themselves even where rollups could answer: recounts and benchmarks.
  bool from_records = false;
};

struct FeedbackPage {
  std::vector<FeedbackRecord> items;
  std::optional<std::string> next_cursor;
};

enum class Bucket { hour, day, week, month };
enum class GroupBy { none, source, sentiment, category, theme, language };

struct ReportPoint {
  TimeMs t = 0;
  std::int64_t count = 0;
  double avg_compound = 0.0;
};
struct ReportSeries {
  std::string key;
  std::vector<ReportPoint> points;
};

struct Totals {
  std::int64_t count = 0;
  std::map<std::string, std::int64_t> by_sentiment;
  double avg_compound = 0.0;
};

struct ThemeStat {
  std::string theme;
  std::int64_t count = 0;
  double avg_compound = 0.0;
};

// A workspace's own edits to its theme taxonomy (nlp/workspace_taxonomy.hpp) as one JSON document, and the
// version every change bumps; records say under which version their themes were assigned.
struct WorkspaceTaxonomyDoc {
  std::int64_t version = 0;
  std::string body;
};

// One change made through the API, by whom and to what: never a secret, never a request body.
struct AuditEntry {
  Id id = 0;
  Id customer_id = 0;
  std::optional<Id> workspace_id;  // none: a change of the customer's own (its keys)
  std::optional<Id> key_id;        // the key that made the change
  std::string key_name;            // its name at the time
  std::string action;              // "source.update", "key.rotate", ...
  std::string target_type;         // "source", "key", "theme", "alert", "workspace", ...
  std::string target_id;
  std::string target_name;  // the target's name at the time, when it has one
  std::string detail;       // what changed, in words (field names, a role): never values of secrets
  TimeMs at = 0;
};

struct AuditQuery {
  Id customer_id = 0;
  std::optional<std::string> action;  // exact, or a prefix when it ends with '.' ("key.")
  std::optional<Id> workspace_id;
  // When set, only entries of these workspaces (a key limited to some workspaces sees no others, nor the
  // customer-wide entries).
  std::optional<std::vector<Id>> within;
  std::optional<Id> before_id;  // paging: entries older than this one
  std::size_t limit = 50;
};

// How many matching records of one source carry one rating value (review_attributes.rating).
struct RatingCount {
  Id source_id = 0;
  double rating = 0.0;
  std::int64_t count = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string_view kind() const = 0;

  // Tenancy. API keys are stored only as hashes. A customer is made with one admin key over all its workspaces.
  virtual Result<Customer> create_customer(const std::string& name, const std::string& key_hash) = 0;

  // API keys. create assigns id and created_at (and clears what only use, revocation and rotation set).
  virtual Result<ApiKey> create_api_key(const ApiKey& key) = 0;
  // The customer's keys, revoked ones included, oldest first.
  virtual Result<std::vector<ApiKey>> list_api_keys(Id customer_id) = 0;
  // The key whose current hash is key_hash, or whose previous hash is and is still valid at `now`.
  // Revoked and expired keys are returned too, so that the caller can say why they are refused.
  virtual Result<std::optional<ApiKey>> find_api_key(const std::string& key_hash, TimeMs now) = 0;
  // not_found unless the key belongs to the customer. Revoking twice keeps the first time.
  virtual Result<ApiKey> revoke_api_key(Id customer_id, Id key_id, TimeMs at) = 0;
  // Replaces the hash; the old one stays valid until previous_valid_until. A revoked key is a conflict.
  virtual Result<ApiKey> rotate_api_key(Id customer_id, Id key_id, const std::string& new_hash,
                                        TimeMs previous_valid_until) = 0;
  // Notes a use at `at`, unless one was noted less than kKeyUseResolutionMs before.
  virtual Status note_api_key_use(Id key_id, TimeMs at) = 0;

  virtual Result<Workspace> create_workspace(Id customer_id, const std::string& name) = 0;
  virtual Result<std::vector<Workspace>> list_workspaces(Id customer_id) = 0;
  // not_found unless the workspace exists and belongs to the customer.
  virtual Result<Workspace> get_workspace(Id customer_id, Id workspace_id) = 0;
  // Any customer's workspace, or nullopt when there is none (roles: a workspace deleted under in-flight messages).
  virtual Result<std::optional<Workspace>> find_workspace(Id workspace_id) = 0;
  virtual Result<std::vector<Workspace>> list_all_workspaces() = 0;  // every customer's (retention)
  // Replaces name and settings; not_found unless the workspace belongs to ws.customer_id.
  virtual Result<Workspace> update_workspace(const Workspace& ws) = 0;
  // Removes the workspace and every row that refers to it, in one transaction: sources with their sealed secrets,
  // syncs, records with their raw items, themes, near-duplicate keys and rollups, dead letters, taxonomy, alert
  // rules, outbox and live items, erasures; keys scoped to it lose it from their list. Pages and rollups of it
  // that arrive afterwards are dropped (commit_pages, apply_rollups and add_live_items skip them).
  virtual Status delete_workspace(Id customer_id, Id workspace_id) = 0;

  // Governance (store/governance.cpp holds what both backends share). Removes every record of the workspace whose
  // author field matches, with its raw item, themes, near-duplicate keys, live items and rollup contribution;
  // clears duplicate_of where it named one of them; remembers author_hash (erased_author_hashes) and logs the
  // erasure, all in one transaction.
  virtual Result<Erasure> erase_person(Id workspace_id, const PersonMatch& who, const std::string& author_hash,
                                       const std::string& requested_by) = 0;
  virtual Result<Erasure> get_erasure(Id workspace_id, Id erasure_id) = 0;
  virtual Result<std::vector<Erasure>> list_erasures(Id workspace_id) = 0;  // newest first
  virtual Result<std::vector<std::string>> erased_author_hashes(Id workspace_id) = 0;
  // Retention: removes the records with timestamp < before (as erase_person removes them, rollups corrected) and
  // dead letters made before it; returns the records removed.
  virtual Result<std::int64_t> delete_records_before(Id workspace_id, TimeMs before) = 0;

  virtual Result<Source> create_source(const Source& source) = 0;
  virtual Result<std::vector<Source>> list_sources(Id workspace_id) = 0;
  virtual Result<Source> get_source(Id workspace_id, Id source_id) = 0;
  virtual Result<Source> get_source_by_id(Id source_id) = 0;  // for webhooks and roles
  // A source as a webhook delivery needs it, per delivery: its existence, workspace, type, webhook scheme and
  // sealed secrets are current; its status may be older (a store may keep sources between writes to them).
  virtual Result<Source> get_webhook_source(Id source_id) { return get_source_by_id(source_id); }
  virtual Status delete_source(Id workspace_id, Id source_id) = 0;
  // Replaces name, config, schedule, webhook scheme, sealed secrets and the paused flag of the source
  // (workspace_id, id); reset_cursor also clears its cursor, so the next sync starts from the beginning.
  // not_found when it does not exist or was deleted. Returns the source as stored.
  virtual Result<Source> update_source(const Source& source, bool reset_cursor) = 0;
  virtual Result<std::vector<Source>> list_scheduled_sources() = 0;
  virtual Status set_source_state(Id source_id, const std::string& state, const std::optional<std::string>& error) = 0;

  virtual Result<Sync> create_sync(Id workspace_id, Id source_id) = 0;
  virtual Result<Sync> get_sync(Id workspace_id, Id sync_id) = 0;
  virtual Status update_sync(Id sync_id, const std::string& state, const std::optional<std::string>& error) = 0;
  // Syncs still queued or running: after a restart the fetcher picks them up again.
  virtual Result<std::vector<Sync>> list_unfinished_syncs() = 0;
  // The newest sync of a source that is queued or running, if any (one sync at a time per source).
  virtual Result<std::optional<Sync>> active_sync(Id source_id) = 0;

  // Upserts by (workspace, unique_identifier) and applies the cursor and sync bookkeeping atomically.
  // Returns the records as stored: revision bumped, first-seen received_at kept.
  virtual Result<std::vector<FeedbackRecord>> commit_page(const PageCommit& page) = 0;
  // Commits the pages in order, with what commit_page does for each, and returns the records as stored,
  // page after page. Records come out the same as from one commit_page per page (near-duplicates included:
  // a page sees the pages before it). This default commits page by page; a backend overrides it to commit
  // all the pages in one transaction (the parser's one commit per bus batch). The pages' records may be left as
  // stored, as commit_pages_with_json says (the SQLite store does so).
  virtual Result<std::vector<FeedbackRecord>> commit_pages(std::span<PageCommit> pages);
  // commit_pages, appending each stored record's record_json() to `json` in the order commit_pages would return
  // them, instead of the records (nothing is appended when it fails). A backend that serialises the records to
  // store them hands those strings on, so that the parser, which publishes them, neither serialises each record a
  // second time nor copies it; this default serialises them after the commit. The pages' records may be left
  // as stored (revision, first-seen time, themes without repeats).
  virtual Status commit_pages_with_json(std::span<PageCommit> pages, std::vector<StoredJson>& json);
  // One record, with the raw item it was made from (raw_item) where the store kept it.
  virtual Result<FeedbackRecord> get_record(Id workspace_id, std::int64_t unique_identifier) = 0;
  // Newest first (timestamp, then id); cursor is opaque.
  virtual Result<FeedbackPage> query_feedback(const FeedbackFilter& filter, std::size_t limit,
                                              const std::optional<std::string>& cursor) = 0;
  // A record of the workspace before (self_ts, self), other than self, whose SimHash is within
  // `max_distance` bits, by the bounded rule of core/near_duplicate_keys.hpp: the earliest of the earliest
  // identical fingerprint (a direct hit) and the first records of the fingerprints matched among the newest
  // kNearDuplicateScan rows of each key before it. That is the earliest match of all while no key holds more
  // rows than that before the record; a lookup costs the same however many records share a text or a key.
  // Found through the keys, so max_distance is at most kNearDuplicateKeyBits (3); more is a bad_request.
  virtual Result<std::optional<std::int64_t>> find_near_duplicate(Id workspace_id, std::uint64_t simhash,
                                                                  int max_distance, std::int64_t self, TimeMs self_ts) = 0;

  // Folds records into the rollups exactly once per revision: a record's previous contribution is
  // replaced, so upserts and redelivered messages never double count. Reads only the fields
  // record_counts_from_json fills.
  virtual Status apply_rollups(const std::vector<FeedbackRecord>& records) = 0;

  // Answered from rollups unless a filter needs the records themselves (q).
  virtual Result<std::vector<ReportSeries>> report(const FeedbackFilter& filter, Bucket bucket, GroupBy group_by) = 0;
  virtual Result<Totals> totals(const FeedbackFilter& filter) = 0;
  virtual Result<std::vector<ThemeStat>> top_themes(const FeedbackFilter& filter, std::size_t limit) = 0;
  // Ratings of the matching records per source and value, in (source, rating) order: what NPS and CSAT
  // are computed from. This default pages through query_feedback; a backend overrides it with an
  // aggregate (the SQLite store answers it from rating rollups).
  virtual Result<std::vector<RatingCount>> rating_counts(const FeedbackFilter& filter);

  // The workspace's taxonomy document: version 0 and "{}" when it has none yet.
  virtual Result<WorkspaceTaxonomyDoc> get_taxonomy(Id workspace_id) = 0;
  // Compare-and-set: replaces the document if its version is still expected_version (0: none yet) and returns
  // the new version; a conflict when another change came first (read again and retry).
  virtual Result<std::int64_t> put_taxonomy(Id workspace_id, std::int64_t expected_version, std::string body) = 0;

  // Raw items that failed to map, kept with their error for replay.
  virtual Status add_dead_letter(Id workspace_id, Id source_id, const std::string& payload, const std::string& error) = 0;
  virtual Result<std::int64_t> count_dead_letters(Id workspace_id) = 0;

  // Alert rules (src/alerts). A rule of another workspace is not found.
  virtual Result<AlertRule> create_alert_rule(const AlertRule& rule) = 0;
  virtual Result<std::vector<AlertRule>> list_alert_rules(Id workspace_id) = 0;
  virtual Result<std::vector<AlertRule>> list_enabled_alert_rules() = 0;  // every workspace's, for the evaluator
  virtual Result<AlertRule> get_alert_rule(Id workspace_id, Id rule_id) = 0;
  // Replaces name, params, channel, secrets and the enabled state; returns the rule as stored.
  virtual Result<AlertRule> update_alert_rule(const AlertRule& rule) = 0;
  virtual Status delete_alert_rule(Id workspace_id, Id rule_id) = 0;  // with its deliveries
  virtual Status disable_alert_rule(Id rule_id, const std::string& reason) = 0;

  // The outbox. Adding a delivery whose (rule, dedup_key) exists adds nothing and returns nullopt.
  virtual Result<std::optional<AlertDelivery>> add_alert_delivery(const AlertDelivery& delivery) = 0;
  // The newest delivery of the rule for the subject whose episode is still open at `now` (window_end > now).
  virtual Result<std::optional<AlertDelivery>> open_alert_episode(Id rule_id, const std::string& subject,
                                                                  TimeMs now) = 0;
  // Extends an episode; a delivery not yet sent also takes the newer payload (a growing burst sends one message).
  virtual Status extend_alert_episode(Id delivery_id, TimeMs window_end, const std::optional<std::string>& payload) = 0;
  // Due deliveries (pending, or sending with a lapsed claim), marked sending until now + claim_ms: each is
  // handed to one sender however many processes ask.
  virtual Result<std::vector<AlertDelivery>> claim_alert_deliveries(TimeMs now, std::size_t limit, TimeMs claim_ms) = 0;
  // Stores an attempt's outcome: state, attempts, next_attempt_at, delivered_at, last_status, last_error.
  virtual Status finish_alert_delivery(const AlertDelivery& delivery) = 0;
  // Newest first.
  virtual Result<std::vector<AlertDelivery>> list_alert_deliveries(Id workspace_id, Id rule_id, std::size_t limit) = 0;

  // Live items: what rules are judged on. Idempotent per (workspace, uid, theme); the first arrival stays.
  virtual Status add_live_items(const std::vector<LiveItem>& items) = 0;
  virtual Result<std::vector<LiveThemeCount>> live_theme_counts(const LiveWindow& window) = 0;
  // The most negative live items of a theme in the window (uids), for quotes.
  virtual Result<std::vector<std::int64_t>> live_items_of_theme(const LiveWindow& window, const std::string& theme,
                                                                std::size_t limit) = 0;
  // Workspaces with live items added at or after `since` (by the clock of the process that added them).
  // Arrivals of a source's live items received since `since`.
  virtual Result<SourceArrivals> live_source_arrivals(Id workspace_id, Id source_id, TimeMs since) = 0;
  virtual Result<std::vector<Id>> workspaces_with_new_live_items(TimeMs since) = 0;
  virtual Status prune_live_items(TimeMs timestamp_before) = 0;

  // The audit log. add assigns id (and `at` when 0); list answers newest first.
  virtual Result<AuditEntry> add_audit_entry(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> list_audit_entries(const AuditQuery& query) = 0;

  // A named lease held by one owner at a time, taken over once it lapses: one alert evaluator among processes.
  virtual Result<bool> hold_lease(const std::string& name, const std::string& owner, TimeMs now, TimeMs ttl_ms) = 0;

  virtual json::object health() = 0;
};

struct SqliteStoreOptions {
  // Records written to a workspace since the near-duplicate index last merged them into its sorted arrays:
  // they are merged once they outnumber this many and a sixty-fourth of those arrays
  // (src/store/sqlite/near_duplicate_index.hpp). Tests set a handful.
  std::int64_t near_duplicate_recent_rows = 8192;
  // The WAL (src/core/sqlite_checkpointer.hpp): pages that make a passive checkpoint due, pages past which the
  // writer starts it over, and how long the store must go with less than an eighth of a checkpoint written
  // before a WAL file larger than a checkpoint is cut back to nothing (0: never). Tests set less.
  int wal_checkpoint_frames = 8000;
  int wal_limit_frames = 131072;
  std::int64_t wal_truncate_when_idle_ms = 30000;
  // Each batch of records is counted into the rollups in the transaction that stores it. Off, the reports role
  // counts them afterwards, in transactions of its own (as PostgreSQL does); the counts come out the same.
  bool rollups_at_commit = true;
};

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir,
                                                 const SqliteStoreOptions& options = {});

struct PostgresOptions {
  // automatic: records and rollups become TimescaleDB hypertables when `CREATE EXTENSION timescaledb`
  // succeeds, else records are range-partitioned by month. The choice is made once, when the schema
  // is created, and kept.
  enum class Timescale { automatic, off, required };
  Timescale timescale = Timescale::automatic;
  std::size_t pool_size = 8;  // connections per process
};

// The scale-out store. Migrations are applied at open, under an advisory lock, so any number of
// processes may start at once. A lost connection is `unavailable` and is replaced on the next call.
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, const PostgresOptions& options = {});

// Workspace settings as stored (JSON text), and back; an unreadable document reads as the defaults.
std::string encode_workspace_settings(const WorkspaceSettings& settings);
WorkspaceSettings decode_workspace_settings(std::string_view text);
// The salted hash an erased person is remembered by: never the identifier itself.
std::string erased_author_hash(const std::string& salt, std::string_view field, std::string_view value);
// The hashes of a record's author fields that an erasure could have named (email lower-cased).
std::vector<std::string> author_hashes(const std::string& salt, const std::optional<std::string>& email,
                                       const std::optional<std::string>& user_id,
                                       const std::optional<std::string>& username);
// An erased person's identifier as it stands in a raw item's JSON: a whole string value, quotes included (so
// "al" does not match "alex"). Dead letters holding it are erased with the person's records.
std::string quoted_identifier(const PersonMatch& who);
// The SQLite condition on dead_letters.payload for quoted_identifier (?2), e-mail compared case-insensitively.
const char* dead_letter_condition(const PersonMatch& who);
// A stored record body with its duplicate_of cleared when that names one of `removed`; nullopt when the body
// links to none of them (or is not a record body).
std::optional<std::string> unlinked_body(std::string_view body, const std::unordered_set<std::int64_t>& removed);
// One retention pass: every workspace with retention_days loses the records older than that before `now`.
struct RetentionPass {
  std::int64_t workspaces = 0, records = 0;
};
Result<RetentionPass> apply_retention(Store& store, TimeMs now);

// An ApiKey's workspaces as stored in one text column: NULL for all, else ids separated by commas.
std::optional<std::string> encode_key_workspaces(const std::optional<std::vector<Id>>& workspaces);
std::optional<std::vector<Id>> decode_key_workspaces(const std::optional<std::string>& text);

// Bucket arithmetic shared by both backends: the start of the bucket that contains t (UTC;
// weeks start on Monday).
TimeMs bucket_start(TimeMs t, Bucket bucket);
std::optional<Bucket> parse_bucket(std::string_view s);
std::optional<GroupBy> parse_group_by(std::string_view s);

// The cursor of a feedback page after the record (ts, uid), and back; a cursor this server did not issue
// is a bad_request that says to start without it.
std::string feedback_cursor(TimeMs ts, std::int64_t uid);
Result<std::pair<TimeMs, std::int64_t>> parse_feedback_cursor(const std::string& cursor);

}  // namespace chorus::store
