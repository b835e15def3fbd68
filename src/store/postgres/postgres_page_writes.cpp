// PostgreSQL store: committing pages of records. A batch of pages costs two pipelines of multi-row statements
// (arrays unnested server-side) whatever its size, instead of several round trips per record; what is stored,
// and each record's near-duplicate, are what committing the pages one by one, record by record, would give.
#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <set>
#include <unordered_map>

#include "core/near_duplicate_keys.hpp"
#include "store/page_batch.hpp"
#include "store/postgres/postgres_store.hpp"

namespace chorus::store {

namespace {

using RecordKey = std::pair<Id, std::int64_t>;  // (workspace, uid)

struct RecordKeyHash {
  std::size_t operator()(const RecordKey& k) const {
    return std::hash<std::int64_t>()(k.second) * 31 + std::hash<std::int64_t>()(k.first);
  }
};

// One record of the batch, where it sits and what its (workspace, uid) went through before it in the batch.
struct Occurrence {
  std::size_t page = 0, index = 0;
  std::size_t round = 0;  // 0 for the first record of its (workspace, uid) in the batch, 1 for the next, ...
  std::int64_t revision = 0;
  TimeMs received_at = 0;
  std::optional<TimeMs> prev_ts;  // where the version before this one was stored (when there was one)
  bool stored = false;            // its workspace still exists
};

// The one statement per (workspace, uid) and round that claims the key row: the row is the lock and the revision
// counter, and prev_ts says where the old version lives. A page of a workspace deleted while its messages were in
// flight writes nothing (the batch holds a key-share lock on the workspaces it found).
constexpr std::string_view kUpsertKeys =
    "INSERT INTO record_keys AS k(workspace_id, uid, ts, prev_ts, revision, received_at, simhash) "
    "SELECT n.ws, n.uid, n.ts, NULL, 1, n.received_at, n.simhash FROM unnest($1::bigint[], $2::bigint[], "
    "$3::bigint[], $4::bigint[], $5::bigint[]) AS n(ws, uid, ts, received_at, simhash) "
    "WHERE EXISTS (SELECT 1 FROM workspaces w WHERE w.id = n.ws) "
    "ON CONFLICT (workspace_id, uid) DO UPDATE SET prev_ts = k.ts, ts = EXCLUDED.ts, revision = k.revision + 1, "
    "simhash = EXCLUDED.simhash RETURNING workspace_id, uid, revision, received_at, prev_ts";

constexpr std::string_view kLockWorkspaces =
    "SELECT id FROM workspaces WHERE id = ANY($1::bigint[]) ORDER BY id FOR KEY SHARE";

// The fingerprint and time the batch's records are stored under now (one key row says it).
constexpr std::string_view kKeyedBefore =
    "SELECT b.workspace_id, b.uid, b.ts, b.simhash FROM unnest($1::bigint[], $2::bigint[]) AS n(ws, uid) "
    "JOIN record_bands b ON b.workspace_id = n.ws AND b.uid = n.uid AND b.band = 0";

// For each record asked about, the rows of the table the rule of core/near_duplicate_keys.hpp reads, leaving out
// the batch's own records ($18, $19): where those stand at each page is known to the batch, not to the table.
// The direct hit comes first (band -1), before the batch's own direct hit or the record ($16, $17); then, for
// each key, at most kNearDuplicateScan rows newest first before whichever direct hit is earlier, or the record,
// each within reach with the first record of its fingerprint (looked up only for a row within reach: the test
// sits inside the lateral subquery, where PostgreSQL checks it before the index). The batch's records are merged
// in per key before the rows are compared.
std::string batch_lookup_sql() {
  const std::string mine = " NOT IN (SELECT * FROM unnest($18::bigint[], $19::bigint[]))";
  std::string sql =
      "SELECT q.i, m.band, m.ts, m.uid, m.simhash, m.first_ts, m.first_uid FROM unnest($1::bigint[], $2::bigint[], "
      "$3::bigint[], $4::bigint[], $5::int[]";
  for (int k = 0; k < kNearDuplicateKeys; ++k) sql += ", $" + std::to_string(6 + k) + "::int[]";
  sql += ", $16::bigint[], $17::bigint[]) WITH ORDINALITY AS q(ws, ts, uid, simhash, reach";
  for (int k = 0; k < kNearDuplicateKeys; ++k) sql += ", k" + std::to_string(k);
  sql +=
      ", bound_ts, bound_uid, i) LEFT JOIN LATERAL (SELECT d.ts, d.uid FROM record_keys d WHERE d.workspace_id = "
      "q.ws AND d.simhash = q.simhash AND (d.ts, d.uid) < (q.bound_ts, q.bound_uid) AND d.uid <> q.uid AND "
      "(d.workspace_id, d.uid)" +
      mine +
      " ORDER BY d.ts, d.uid LIMIT 1) d ON true CROSS JOIN LATERAL (SELECT -1 AS band, d.ts, d.uid, q.simhash AS "
      "simhash, NULL::bigint AS first_ts, NULL::bigint AS first_uid WHERE d.uid IS NOT NULL";
  for (int k = 0; k < kNearDuplicateKeys; ++k)
    sql += " UNION ALL (SELECT " + std::to_string(k) +
           ", s.ts, s.uid, s.simhash, f.ts, f.uid FROM (SELECT b.ts, b.uid, b.simhash FROM record_bands b WHERE "
           "b.workspace_id = q.ws AND b.band = " +
           std::to_string(k) + " AND b.value = q.k" + std::to_string(k) +
           " AND (b.ts, b.uid) < (coalesce(d.ts, q.bound_ts), coalesce(d.uid, q.bound_uid)) AND b.uid <> q.uid "
           "AND (b.workspace_id, b.uid)" +
           mine + " ORDER BY b.ts DESC, b.uid DESC LIMIT " + std::to_string(kNearDuplicateScan) +
           ") s LEFT JOIN LATERAL (SELECT e.ts, e.uid FROM record_keys e WHERE bit_count((s.simhash # "
           "q.simhash)::bit(64)) <= q.reach AND e.workspace_id = q.ws AND e.simhash = s.simhash AND "
           "(e.workspace_id, e.uid)" +
           mine + " ORDER BY e.ts, e.uid LIMIT 1) f ON true)";
  return sql + ") m";
}

// The first record outside the batch ($3, $4) with each fingerprint the batch's records have or had.
constexpr std::string_view kFirstOutsideBatch =
    "SELECT n.ws, n.simhash, f.ts, f.uid FROM unnest($1::bigint[], $2::bigint[]) AS n(ws, simhash) CROSS JOIN "
    "LATERAL (SELECT e.ts, e.uid FROM record_keys e WHERE e.workspace_id = n.ws AND e.simhash = n.simhash AND "
    "(e.workspace_id, e.uid) NOT IN (SELECT * FROM unnest($3::bigint[], $4::bigint[])) ORDER BY e.ts, e.uid "
    "LIMIT 1) f";

constexpr std::string_view kDeleteMovedRecords =
    "DELETE FROM records r USING unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS m(ws, uid, ts) "
    "WHERE r.workspace_id = m.ws AND r.uid = m.uid AND r.ts = m.ts";

constexpr std::string_view kUpsertRecords =
    "INSERT INTO records(workspace_id, uid, source_id, ts, received_at, sentiment, compound, category, language, "
    "revision, search_text, body) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], "
    "$5::bigint[], $6::text[], $7::double precision[], $8::text[], $9::text[], $10::bigint[], $11::text[], "
    "$12::text[]) ON CONFLICT (workspace_id, uid, ts) DO UPDATE SET source_id = EXCLUDED.source_id, "
    "received_at = EXCLUDED.received_at, sentiment = EXCLUDED.sentiment, compound = EXCLUDED.compound, "
    "category = EXCLUDED.category, language = EXCLUDED.language, revision = EXCLUDED.revision, "
    "search_text = EXCLUDED.search_text, body = EXCLUDED.body";

constexpr std::string_view kUpsertRawItems =
    "INSERT INTO record_raw(workspace_id, uid, raw) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]) "
    "ON CONFLICT (workspace_id, uid) DO UPDATE SET raw = EXCLUDED.raw";

constexpr std::string_view kDeleteThemes =
    "DELETE FROM record_themes t USING unnest($1::bigint[], $2::bigint[]) AS n(ws, uid) "
    "WHERE t.workspace_id = n.ws AND t.uid = n.uid";

constexpr std::string_view kInsertThemes =
    "INSERT INTO record_themes(workspace_id, uid, theme) SELECT * FROM unnest($1::bigint[], $2::bigint[], "
    "$3::text[]) ON CONFLICT DO NOTHING";

constexpr std::string_view kDeleteKeyRows =
    "DELETE FROM record_bands b USING unnest($1::bigint[], $2::bigint[]) AS n(ws, uid) "
    "WHERE b.workspace_id = n.ws AND b.uid = n.uid";

// The fingerprint under its near-duplicate keys: any two fingerprints within 3 bits share one.
constexpr std::string_view kInsertKeyRows =
    "INSERT INTO record_bands(workspace_id, band, value, uid, simhash, ts) SELECT * FROM unnest($1::bigint[], "
    "$2::smallint[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[])";

constexpr std::string_view kCountSourceItems =
    "UPDATE sources s SET items_total = s.items_total + n.fresh, cursor = COALESCE(n.cursor, s.cursor) "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS n(id, fresh, cursor) WHERE s.id = n.id";

// Where a batch's records stand for near-duplicate lookups as its pages go by: the table's rows as they were
// before the batch for records the batch has not reached yet, each page's versions once it has passed.
using At = std::pair<TimeMs, std::int64_t>;  // (time, id): the order near-duplicates are chosen in

struct KeyRow {
  At at;
  std::uint64_t simhash = 0;
};

class BatchKeyState {
 public:
  struct Version {
    std::int64_t uid;
    TimeMs ts = 0;
    std::uint64_t simhash = 0;  // 0: no key rows
  };

  void add_record(Id ws, std::int64_t uid) {
    auto [it, added] = where_.emplace(RecordKey{ws, uid}, 0);
    if (!added) return;
    auto& list = by_workspace_[ws];
    it->second = list.size();
    list.push_back(Version{uid});
  }
  void set(Id ws, std::int64_t uid, TimeMs ts, std::uint64_t simhash) {
    auto it = where_.find({ws, uid});
    if (it == where_.end()) return;
    Version& v = by_workspace_[ws][it->second];
    v.ts = ts;
    v.simhash = simhash;
  }
  // The earliest of the batch's records with this fingerprint before the bound, other than r.
  std::optional<At> first_with(const FeedbackRecord& r, std::uint64_t simhash, At bound) const {
    std::optional<At> best;
    auto it = by_workspace_.find(r.workspace_id);
    if (it == by_workspace_.end()) return best;
    for (const Version& v : it->second) {
      At at{v.ts, v.uid};
      if (v.simhash == simhash && v.uid != r.unique_identifier && at < bound && (!best || at < *best)) best = at;
    }
    return best;
  }
  // The fingerprints the batch's records have now, for each workspace.
  void add_fingerprints(std::set<std::pair<Id, std::uint64_t>>& out) const {
    for (const auto& [ws, versions] : by_workspace_)
      for (const Version& v : versions)
        if (v.simhash != 0) out.emplace(ws, v.simhash);
  }
  // The batch's records under r's key and before the bound, other than r.
  void add_rows_of_key(const FeedbackRecord& r, const NearDuplicateKey& key, At bound, std::vector<KeyRow>& out) const {
    auto it = by_workspace_.find(r.workspace_id);
    if (it == by_workspace_.end()) return;
    for (const Version& v : it->second) {
      if (v.simhash == 0 || v.uid == r.unique_identifier || At{v.ts, v.uid} >= bound) continue;
      if (near_duplicate_keys(v.simhash)[key.index].value == key.value) out.push_back({{v.ts, v.uid}, v.simhash});
    }
  }

 private:
  std::unordered_map<RecordKey, std::size_t, RecordKeyHash> where_;
  std::unordered_map<Id, std::vector<Version>> by_workspace_;
};

// The columns of a multi-row statement, one array per column.
struct Columns {
  std::vector<std::int64_t> ws, uid;
};

// The statements that leave each record of `last` (in (workspace, uid) order) as its version in `out` says.
void write_final_versions(pg::Pipeline& pipeline, const std::vector<FeedbackRecord>& out,
                          const std::map<RecordKey, std::size_t>& last,
                          const std::map<RecordKey, TimeMs>& stored_at_before,
                          const std::map<RecordKey, std::string>& raw) {
  Columns all, moved, themed, keyed, with_raw;
  std::vector<std::int64_t> moved_ts, source_id, ts, received_at, revision, band, value, key_simhash, key_ts;
  std::vector<std::string> sentiment, category, language, search, body, theme, raw_items;
  std::vector<double> compound;
  for (const auto& [key, at] : last) {
    const FeedbackRecord& r = out[at];
    all.ws.push_back(r.workspace_id);
    all.uid.push_back(r.unique_identifier);
    // A record that moved in time leaves the partition of its old time.
    if (auto before = stored_at_before.find(key); before != stored_at_before.end() && before->second != r.timestamp) {
      moved.ws.push_back(r.workspace_id);
      moved.uid.push_back(r.unique_identifier);
      moved_ts.push_back(before->second);
    }
    source_id.push_back(r.source_id);
    ts.push_back(r.timestamp);
    received_at.push_back(r.received_at);
    sentiment.push_back(r.sentiment_type);
    compound.push_back(r.sentiment_compound);
    category.push_back(r.category);
    language.push_back(r.language_code);
    revision.push_back(r.revision);
    search.push_back(r.title ? *r.title + "\n" + r.text : r.text);
    body.push_back(record_json(r));
    for (const auto& t : r.themes) {
      themed.ws.push_back(r.workspace_id);
      themed.uid.push_back(r.unique_identifier);
      theme.push_back(t);
    }
    if (r.simhash != 0)
      for (const NearDuplicateKey& k : near_duplicate_keys(r.simhash)) {
        keyed.ws.push_back(r.workspace_id);
        keyed.uid.push_back(r.unique_identifier);
        band.push_back(k.index);
        value.push_back(k.value);
        key_simhash.push_back(static_cast<std::int64_t>(r.simhash));
        key_ts.push_back(r.timestamp);
      }
    // The raw item beside the record; a re-analysis that does not carry it keeps the one stored before.
    if (auto it = raw.find(key); it != raw.end()) {
      with_raw.ws.push_back(r.workspace_id);
      with_raw.uid.push_back(r.unique_identifier);
      raw_items.push_back(it->second);
    }
  }
  if (!moved.ws.empty())
    pipeline.add(kDeleteMovedRecords, pg::Params().add_array(moved.ws).add_array(moved.uid).add_array(moved_ts));
  pipeline.add(kUpsertRecords, pg::Params()
                                   .add_array(all.ws)
                                   .add_array(all.uid)
                                   .add_array(source_id)
                                   .add_array(ts)
                                   .add_array(received_at)
                                   .add_array(sentiment)
                                   .add_array(compound)
                                   .add_array(category)
                                   .add_array(language)
                                   .add_array(revision)
                                   .add_array(search)
                                   .add_array(body));
  if (!with_raw.ws.empty())
    pipeline.add(kUpsertRawItems, pg::Params().add_array(with_raw.ws).add_array(with_raw.uid).add_array(raw_items));
  pipeline.add(kDeleteThemes, pg::Params().add_array(all.ws).add_array(all.uid));
  if (!themed.ws.empty())
    pipeline.add(kInsertThemes, pg::Params().add_array(themed.ws).add_array(themed.uid).add_array(theme));
  pipeline.add(kDeleteKeyRows, pg::Params().add_array(all.ws).add_array(all.uid));
  if (!keyed.ws.empty())
    pipeline.add(kInsertKeyRows, pg::Params()
                                     .add_array(keyed.ws)
                                     .add_array(band)
                                     .add_array(value)
                                     .add_array(keyed.uid)
                                     .add_array(key_simhash)
                                     .add_array(key_ts));
}

// What one record's lookup read of the table: the direct hit, then the rows of each key before it (or the record).
struct TableLookup {
  std::optional<At> direct;
  std::array<std::vector<KeyRow>, kNearDuplicateKeys> rows;
};

// The first record outside the batch with a fingerprint, by (workspace, fingerprint).
using FirstOutsideBatch = std::map<std::pair<Id, std::uint64_t>, At>;

// A record's near-duplicate by the rule of core/near_duplicate_keys.hpp, from what the table gave and where the
// batch's records stand.
std::optional<At> choose_near_duplicate(const FeedbackRecord& r, int bits, const TableLookup& lookup,
                                        const BatchKeyState& state, const FirstOutsideBatch& first_outside) {
  const At bound = lookup.direct.value_or(At{r.timestamp, r.unique_identifier});
  std::optional<At> best = lookup.direct;
  std::vector<std::uint64_t> near;
  for (const NearDuplicateKey& key : near_duplicate_keys(r.simhash)) {
    std::vector<KeyRow> rows = lookup.rows[static_cast<std::size_t>(key.index)];
    state.add_rows_of_key(r, key, bound, rows);
    const auto newest_first = [](const KeyRow& a, const KeyRow& b) { return a.at > b.at; };
    const std::size_t read = std::min<std::size_t>(rows.size(), kNearDuplicateScan);
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(read), rows.end(), newest_first);
    for (std::size_t j = 0; j < read; ++j)
      if (std::popcount(rows[j].simhash ^ r.simhash) <= bits &&
          std::find(near.begin(), near.end(), rows[j].simhash) == near.end())
        near.push_back(rows[j].simhash);
  }
  for (std::uint64_t fp : near) {
    if (auto it = first_outside.find({r.workspace_id, fp}); it != first_outside.end() && it->second < bound)
      if (!best || it->second < *best) best = it->second;
    if (auto mine = state.first_with(r, fp, bound); mine && (!best || *mine < *best)) best = mine;
  }
  return best;
}

// Sets duplicate_of on the batch's pages as committing them one by one would: one pipeline reads the table's rows
// for records outside the batch (key rows are written only later, by the second pipeline), and the batch answers
// for its own records as its pages go by.
Status mark_batch_near_duplicates(pg::Connection& conn, std::span<PageCommit> pages, const std::set<Id>& alive,
                                  const std::vector<RecordKey>& batch_keys, const pg::Rows& before) {
  BatchKeyState initial;
  for (const auto& [ws, uid] : batch_keys) initial.add_record(ws, uid);
  for (int i = 0; i < before.size(); ++i)
    initial.set(before.int64(i, 0), before.int64(i, 1), before.int64(i, 2),
                static_cast<std::uint64_t>(before.int64(i, 3)));

  // Each record's direct hit among the batch's own records (which bounds the table's: only an earlier one can
  // take its place), and every fingerprint the batch's records have or had.
  std::vector<std::vector<TableLookup>> lookups(pages.size());
  std::vector<std::pair<std::size_t, std::size_t>> asked;  // (page, record) of each row of the query
  std::vector<std::int64_t> ws, ts, uid, simhash, reach, bound_ts, bound_uid;
  std::vector<std::vector<std::int64_t>> keys(kNearDuplicateKeys);
  std::set<std::pair<Id, std::uint64_t>> fingerprints;
  initial.add_fingerprints(fingerprints);
  BatchKeyState state = initial;
  for (std::size_t p = 0; p < pages.size(); ++p) {
    const PageCommit& page = pages[p];
    if (!alive.count(page.workspace_id)) continue;
    lookups[p].resize(page.records.size());
    for (std::size_t i = 0; page.near_duplicate_bits && i < page.records.size(); ++i) {
      const FeedbackRecord& r = page.records[i];
      if (r.simhash == 0) continue;
      const At self{r.timestamp, r.unique_identifier};
      lookups[p][i].direct = state.first_with(r, r.simhash, self);
      const At bound = lookups[p][i].direct.value_or(self);
      asked.emplace_back(p, i);
      ws.push_back(r.workspace_id);
      ts.push_back(r.timestamp);
      uid.push_back(r.unique_identifier);
      simhash.push_back(static_cast<std::int64_t>(r.simhash));
      reach.push_back(*page.near_duplicate_bits);
      bound_ts.push_back(bound.first);
      bound_uid.push_back(bound.second);
      for (const NearDuplicateKey& key : near_duplicate_keys(r.simhash)) keys[key.index].push_back(key.value);
    }
    for (const FeedbackRecord& r : page.records) {
      state.set(r.workspace_id, r.unique_identifier, r.timestamp, r.simhash);
      if (r.simhash != 0) fingerprints.emplace(r.workspace_id, r.simhash);
    }
  }

  FirstOutsideBatch first_outside;
  if (!asked.empty()) {
    Columns batch;
    for (const auto& [w, u] : batch_keys) {
      batch.ws.push_back(w);
      batch.uid.push_back(u);
    }
    std::vector<std::int64_t> known_ws, known_fp;
    for (const auto& [w, fp] : fingerprints) {
      known_ws.push_back(w);
      known_fp.push_back(static_cast<std::int64_t>(fp));
    }
    pg::Params params = pg::Params().add_array(ws).add_array(ts).add_array(uid).add_array(simhash).add_array(reach);
    for (const auto& column : keys) params.add_array(column);
    params.add_array(bound_ts).add_array(bound_uid).add_array(batch.ws).add_array(batch.uid);
    static const std::string sql = batch_lookup_sql();
    pg::Pipeline pipeline(conn);
    const std::size_t rows_at = pipeline.add(sql, std::move(params));
    const std::size_t firsts_at =
        pipeline.add(kFirstOutsideBatch,
                     pg::Params().add_array(known_ws).add_array(known_fp).add_array(batch.ws).add_array(batch.uid));
    auto answers = pipeline.run();
    if (!answers) return answers.error();
    const pg::Rows& found = (*answers)[rows_at];
    for (int i = 0; i < found.size(); ++i) {
      const auto [p, r] = asked.at(static_cast<std::size_t>(found.int64(i, 0) - 1));
      TableLookup& lookup = lookups[p][r];
      const At at{found.int64(i, 2), found.int64(i, 3)};
      const auto fp = static_cast<std::uint64_t>(found.int64(i, 4));
      const std::int64_t band = found.int64(i, 1);
      if (band < 0) {
        lookup.direct = at;  // earlier than the batch's own, which bounded it
        continue;
      }
      lookup.rows.at(static_cast<std::size_t>(band)).push_back({at, fp});
      if (!found.is_null(i, 5)) first_outside[{pages[p].workspace_id, fp}] = At{found.int64(i, 5), found.int64(i, 6)};
    }
    const pg::Rows& firsts = (*answers)[firsts_at];
    for (int i = 0; i < firsts.size(); ++i)
      first_outside[{firsts.int64(i, 0), static_cast<std::uint64_t>(firsts.int64(i, 1))}] =
          At{firsts.int64(i, 2), firsts.int64(i, 3)};
  }

  state = initial;
  for (std::size_t p = 0; p < pages.size(); ++p) {
    PageCommit& page = pages[p];
    if (!alive.count(page.workspace_id)) continue;
    if (page.near_duplicate_bits) {
      const int bits = *page.near_duplicate_bits;
      auto marked = mark_near_duplicates(page.records, bits, [&](const FeedbackRecord& r) {
        if (r.simhash == 0) return Result<std::optional<std::int64_t>>(std::optional<std::int64_t>{});
        const TableLookup& lookup = lookups[p][static_cast<std::size_t>(&r - page.records.data())];
        auto best = choose_near_duplicate(r, bits, lookup, state, first_outside);
        return Result<std::optional<std::int64_t>>(best ? std::optional<std::int64_t>(best->second) : std::nullopt);
      });
      if (!marked) return marked;
    }
    for (const FeedbackRecord& r : page.records) state.set(r.workspace_id, r.unique_identifier, r.timestamp, r.simhash);
  }
  return {};
}

}  // namespace

Result<std::vector<FeedbackRecord>> PostgresStore::commit_page(const PageCommit& page) {
  std::vector<PageCommit> pages{page};
  pages.front().near_duplicate_bits.reset();  // a single page's duplicates are the caller's to mark
  return commit_pages(pages);
}

// One transaction for all the pages. The first pipeline locks the workspaces, claims the key rows and reads where
// the batch's records stood before it; when near-duplicates are asked for, one query reads what their lookups
// need of the table; the second pipeline writes every table once with the batch's last version of each record.
// Lookups see each page's predecessors as stored: the table answers for records outside the batch, and the batch
// itself for its own records, page by page.
Result<std::vector<FeedbackRecord>> PostgresStore::commit_pages(std::span<PageCommit> pages) {
  for (const auto& page : pages) {
    if (auto s = ensure_partitions(page.records); !s) return s.error();
    if (page.near_duplicate_bits && *page.near_duplicate_bits > kNearDuplicateKeyBits && !page.records.empty())
      return make_error(ErrorCode::bad_request,
                        "near-duplicate lookups reach at most " + std::to_string(kNearDuplicateKeyBits) + " bits");
  }
  // Every record's round, and the rounds in (workspace, uid) order so that rows are locked in one order.
  std::vector<Occurrence> occ;
  std::map<RecordKey, std::size_t> seen;  // times each (workspace, uid) came so far
  std::vector<Id> workspace_ids;
  bool lookups = false;
  for (std::size_t p = 0; p < pages.size(); ++p) {
    workspace_ids.push_back(pages[p].workspace_id);
    lookups = lookups || (pages[p].near_duplicate_bits && !pages[p].records.empty());
    for (std::size_t i = 0; i < pages[p].records.size(); ++i) {
      const FeedbackRecord& r = pages[p].records[i];
      Occurrence o;
      o.page = p;
      o.index = i;
      o.round = seen[{r.workspace_id, r.unique_identifier}]++;
      occ.push_back(o);
    }
  }
  std::sort(workspace_ids.begin(), workspace_ids.end());
  workspace_ids.erase(std::unique(workspace_ids.begin(), workspace_ids.end()), workspace_ids.end());
  auto record_of = [&](const Occurrence& o) -> FeedbackRecord& { return pages[o.page].records[o.index]; };
  auto key_of = [&](const Occurrence& o) {
    const FeedbackRecord& r = record_of(o);
    return RecordKey{r.workspace_id, r.unique_identifier};
  };
  std::vector<std::vector<std::size_t>> rounds;
  for (std::size_t k = 0; k < occ.size(); ++k) {
    if (occ[k].round >= rounds.size()) rounds.resize(occ[k].round + 1);
    rounds[occ[k].round].push_back(k);
  }
  for (auto& round : rounds)
    std::sort(round.begin(), round.end(),
              [&](std::size_t a, std::size_t b) { return key_of(occ[a]) < key_of(occ[b]); });

  auto conn = pool_.acquire();
  if (!conn) return conn.error();
  pg::Transaction tx(**conn);
  if (auto s = tx.begin(); !s) return s.error();

  // First pipeline: lock, what the lookups need, the key rows.
  pg::Pipeline first(**conn);
  first.add(kLockWorkspaces, pg::Params().add_array(workspace_ids));
  std::vector<RecordKey> batch_keys;  // distinct, sorted
  for (const auto& [key, n] : seen) batch_keys.push_back(key);
  std::size_t keyed_before_at = 0;
  if (lookups) {
    Columns batch;
    for (const auto& [ws, uid] : batch_keys) {
      batch.ws.push_back(ws);
      batch.uid.push_back(uid);
    }
    keyed_before_at = first.add(kKeyedBefore, pg::Params().add_array(batch.ws).add_array(batch.uid));
  }
  std::vector<std::size_t> round_at;
  for (const auto& round : rounds) {
    std::vector<std::int64_t> ws, uid, ts, received_at, simhash;
    for (std::size_t k : round) {
      const FeedbackRecord& r = record_of(occ[k]);
      ws.push_back(r.workspace_id);
      uid.push_back(r.unique_identifier);
      ts.push_back(r.timestamp);
      received_at.push_back(r.received_at);
      simhash.push_back(static_cast<std::int64_t>(r.simhash));
    }
    round_at.push_back(
        first.add(kUpsertKeys,
                  pg::Params().add_array(ws).add_array(uid).add_array(ts).add_array(received_at).add_array(simhash)));
  }
  auto answers = first.run();
  if (!answers) return answers.error();

  std::set<Id> alive;
  for (int i = 0; i < (*answers)[0].size(); ++i) alive.insert((*answers)[0].int64(i, 0));
  for (std::size_t n = 0; n < rounds.size(); ++n) {
    const pg::Rows& rows = (*answers)[round_at[n]];
    std::map<RecordKey, int> row_of;
    for (int i = 0; i < rows.size(); ++i) row_of[{rows.int64(i, 0), rows.int64(i, 1)}] = i;
    for (std::size_t k : rounds[n]) {
      Occurrence& o = occ[k];
      if (!alive.count(record_of(o).workspace_id)) continue;
      auto it = row_of.find(key_of(o));
      if (it == row_of.end())
        return make_error(ErrorCode::internal, "PostgreSQL did not return the key row of record " +
                                                   std::to_string(record_of(o).unique_identifier));
      o.stored = true;
      o.revision = rows.int64(it->second, 2);
      o.received_at = rows.int64(it->second, 3);  // first seen stays first seen
      o.prev_ts = rows.opt_int64(it->second, 4);
    }
  }

  // Near-duplicates, page by page, as one commit per page would have found them.
  if (lookups)
    if (auto s = mark_batch_near_duplicates(**conn, pages, alive, batch_keys, (*answers)[keyed_before_at]); !s)
      return s.error();

  // The records as stored, in the pages' order; the tables get each record's last version of the batch.
  std::vector<FeedbackRecord> out;
  std::map<RecordKey, std::size_t> last;         // -> index into out
  std::map<RecordKey, TimeMs> stored_at_before;  // where a record that existed before the batch was stored
  std::map<RecordKey, std::string> raw;          // the last raw item the batch carries for a record
  std::map<Id, std::pair<std::int64_t, std::optional<std::string>>> per_source;  // new records, last cursor
  std::vector<std::int64_t> fresh_of_page(pages.size(), 0);
  for (std::size_t p = 0, k = 0; p < pages.size(); ++p) {
    const PageCommit& page = pages[p];
    for (std::size_t i = 0; i < page.records.size(); ++i, ++k) {
      const Occurrence& o = occ[k];
      if (!o.stored) continue;
      FeedbackRecord r = page.records[i];
      r.themes = unique_themes(std::move(r.themes));
      r.revision = o.revision;
      r.received_at = o.received_at;
      fresh_of_page[p] += r.revision > 1 ? 0 : 1;
      RecordKey key{r.workspace_id, r.unique_identifier};
      if (o.round == 0 && r.revision > 1 && o.prev_ts) stored_at_before[key] = *o.prev_ts;
      if (!r.raw_item.empty()) raw[key] = r.raw_item;
      last[key] = out.size();
      out.push_back(std::move(r));
    }
    if (!alive.count(page.workspace_id)) continue;
    auto& source = per_source[page.source_id];
    source.first += fresh_of_page[p];
    if (page.cursor) source.second = page.cursor;
  }
  pg::Pipeline second(**conn);
  if (!last.empty()) write_final_versions(second, out, last, stored_at_before, raw);
  if (!per_source.empty()) {
    std::vector<std::int64_t> ids, fresh;
    std::vector<std::optional<std::string>> cursors;
    for (const auto& [id, counts] : per_source) {
      ids.push_back(id);
      fresh.push_back(counts.first);
      cursors.push_back(counts.second);
    }
    second.add(kCountSourceItems, pg::Params().add_array(ids).add_array(fresh).add_array(cursors));
  }
  for (std::size_t p = 0; p < pages.size(); ++p) {
    const PageCommit& page = pages[p];
    if (!alive.count(page.workspace_id)) continue;
    if (page.sync_id) {
      second.add(
          "UPDATE syncs SET items = items + $1, new_items = new_items + $2, updated_at = $3, "
          "state = CASE WHEN $4::boolean THEN 'done' ELSE state END WHERE id = $5",
          pg::Params()
              .add(static_cast<std::int64_t>(page.records.size()))
              .add(fresh_of_page[p])
              .add(now_ms())
              .add(page.sync_finished)
              .add(*page.sync_id));
      for (const auto& [reason, n] : page.skipped)
        second.add(
            "UPDATE syncs SET skipped = skipped + $1, skipped_reasons = jsonb_set(skipped_reasons::jsonb, "
            "ARRAY[$2::text], to_jsonb(coalesce((skipped_reasons::jsonb ->> $2::text)::bigint, 0) + $1))::text "
            "WHERE id = $3",
            pg::Params().add(n).add(reason).add(*page.sync_id));
    }
    if (page.sync_finished)
      second.add("UPDATE sources SET state = 'ok', last_error = NULL, last_sync_at = $1 WHERE id = $2",
                 pg::Params().add(now_ms()).add(page.source_id));
  }
  if (auto written = second.run(); !written) return written.error();
  if (auto s = tx.commit(); !s) return s.error();
  return out;
}

}  // namespace chorus::store
