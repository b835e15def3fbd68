// PostgreSQL store: records (upsert, queries, near-duplicate lookup) and rollups, with the same
// semantics as the SQLite store. Rows are locked in (workspace, uid) order so that two parsers or two
// reports processes never deadlock on the same records.
#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <variant>

#include "core/near_duplicate_keys.hpp"
#include "store/page_batch.hpp"
#include "store/postgres/postgres_store.hpp"

namespace chorus::store {

namespace {

TimeMs hour_of(TimeMs t) { return bucket_start(t, Bucket::hour); }

std::vector<std::string> unique_themes(std::vector<std::string> themes) {
  std::vector<std::string> out;
  for (auto& t : themes)
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  return out;
}

std::string like_pattern(const std::string& q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

// A WHERE clause and its parameters; each '?' in an added clause becomes the next $n.
struct SqlFilter {
  std::string where;
  pg::Params params;
  int next = 1;
  template <class T>
  void add(std::string_view clause, const T& arg) {
    where += " AND ";
    append(clause);
    params.add(arg);
  }
  template <class T>
  std::string placeholder(const T& arg) {
    params.add(arg);
    std::string out(1, '$');  // built in place: GCC 12 warns falsely on "$" + std::string
    out += std::to_string(next++);
    return out;
  }
  void append(std::string_view clause) {
    for (char c : clause) {
      if (c == '?') {
        where += '$';
        where += std::to_string(next++);
      } else {
        where += c;
      }
    }
  }
};

SqlFilter record_filter(const FeedbackFilter& f, bool themes_joined) {
  SqlFilter s;
  s.append("r.workspace_id = ?");
  s.params.add(f.workspace_id);
  if (f.from) s.add("r.ts >= ?", *f.from);
  if (f.to) s.add("r.ts < ?", *f.to);
  if (f.source_id) s.add("r.source_id = ?", *f.source_id);
  if (f.sentiment) s.add("r.sentiment = ?", *f.sentiment);
  if (f.category) s.add("r.category = ?", *f.category);
  if (f.language) s.add("r.language = ?", *f.language);
  // ILIKE folds ASCII only in the C collation the way SQLite's LIKE does.
  if (f.q) s.add("r.search_text ILIKE ? ESCAPE '\\'", like_pattern(*f.q));
  if (f.theme) {
    if (themes_joined)
      s.add("t.theme = ?", *f.theme);
    else
      s.add("EXISTS (SELECT 1 FROM record_themes x WHERE x.workspace_id = r.workspace_id AND x.uid = r.uid AND "
            "x.theme = ?)",
            *f.theme);
  }
  return s;
}

SqlFilter rollup_filter(const FeedbackFilter& f, std::string_view time_column) {
  SqlFilter s;
  std::string t = "u." + std::string(time_column);
  s.append("u.workspace_id = ?");
  s.params.add(f.workspace_id);
  if (f.from) s.add(t + " >= ?", *f.from);
  if (f.to) s.add(t + " < ?", *f.to);
  if (f.source_id) s.add("u.source_id = ?", *f.source_id);
  if (f.sentiment) s.add("u.sentiment = ?", *f.sentiment);
  if (f.category) s.add("u.category = ?", *f.category);
  if (f.language) s.add("u.language = ?", *f.language);
  if (f.theme) s.add("u.theme = ?", *f.theme);
  return s;
}

bool aligned(const std::optional<TimeMs>& t, Bucket b) { return !t || bucket_start(*t, b) == *t; }

bool rollups_can_answer(const FeedbackFilter& f) {
  return !f.q && aligned(f.from, Bucket::hour) && aligned(f.to, Bucket::hour);
}

const char* key_column(GroupBy g, bool rollup) {
  switch (g) {
    case GroupBy::none: return "''";
    case GroupBy::source: return rollup ? "u.source_id::text" : "r.source_id::text";
    case GroupBy::sentiment: return rollup ? "u.sentiment" : "r.sentiment";
    case GroupBy::category: return rollup ? "u.category" : "r.category";
    case GroupBy::language: return rollup ? "u.language" : "r.language";
    case GroupBy::theme: return rollup ? "u.theme" : "t.theme";
  }
  return "''";
}

double average(double sum, std::int64_t n) { return n ? sum / static_cast<double>(n) : 0.0; }

// Indices of `records` in (workspace, uid) order; equal keys keep their order.
template <class R>
std::vector<std::size_t> lock_order(const std::vector<R>& records) {
  std::vector<std::size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::make_pair(records[a].workspace_id, records[a].unique_identifier) <
           std::make_pair(records[b].workspace_id, records[b].unique_identifier);
  });
  return order;
}

// The raw item beside the record; a re-analysis that does not carry it keeps the one stored before.
Status keep_raw_item(pg::Connection& conn, const FeedbackRecord& r) {
  if (r.raw_item.empty()) return {};
  auto put = conn.exec(
      "INSERT INTO record_raw(workspace_id, uid, raw) VALUES($1, $2, $3) ON CONFLICT (workspace_id, uid) DO UPDATE "
      "SET raw = EXCLUDED.raw",
      pg::Params().add(r.workspace_id).add(r.unique_identifier).add(r.raw_item));
  if (!put) return put.error();
  return {};
}

}  // namespace

struct PostgresStore::AggRow {
  TimeMs hour;
  std::string key;
  std::int64_t count;
  double sum;
};

Result<FeedbackRecord> PostgresStore::upsert_record(pg::Connection& conn, const FeedbackRecord& in, bool& existed) {
  FeedbackRecord r = in;
  r.themes = unique_themes(std::move(r.themes));  // a theme counts once per record
  const auto simhash = static_cast<std::int64_t>(r.simhash);
  // The key row is the lock and the revision counter; prev_ts says where the old version lives.
  auto key = conn.exec(
      "INSERT INTO record_keys AS k(workspace_id, uid, ts, prev_ts, revision, received_at, simhash) "
      "VALUES($1, $2, $3, NULL, 1, $4, $5) ON CONFLICT (workspace_id, uid) DO UPDATE SET prev_ts = k.ts, "
      "ts = EXCLUDED.ts, revision = k.revision + 1, simhash = EXCLUDED.simhash "
      "RETURNING revision, received_at, prev_ts",
      pg::Params().add(r.workspace_id).add(r.unique_identifier).add(r.timestamp).add(r.received_at).add(simhash));
  if (!key) return key.error();
  r.revision = key->int64(0, 0);
  r.received_at = key->int64(0, 1);  // first seen stays first seen
  existed = r.revision > 1;
  auto prev_ts = key->opt_int64(0, 2);
  if (existed && prev_ts && *prev_ts != r.timestamp) {
    auto moved = conn.exec("DELETE FROM records WHERE workspace_id = $1 AND uid = $2 AND ts = $3",
                           pg::Params().add(r.workspace_id).add(r.unique_identifier).add(*prev_ts));
    if (!moved) return moved.error();
  }
  std::string search = r.title ? *r.title + "\n" + r.text : r.text;
  auto up = conn.exec(
      "INSERT INTO records(workspace_id, uid, source_id, ts, received_at, sentiment, compound, category, language, "
      "revision, search_text, body) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
      "ON CONFLICT (workspace_id, uid, ts) DO UPDATE SET source_id = EXCLUDED.source_id, "
      "received_at = EXCLUDED.received_at, sentiment = EXCLUDED.sentiment, compound = EXCLUDED.compound, "
      "category = EXCLUDED.category, language = EXCLUDED.language, revision = EXCLUDED.revision, "
      "search_text = EXCLUDED.search_text, body = EXCLUDED.body",
      pg::Params()
          .add(r.workspace_id)
          .add(r.unique_identifier)
          .add(r.source_id)
          .add(r.timestamp)
          .add(r.received_at)
          .add(r.sentiment_type)
          .add(r.sentiment_compound)
          .add(r.category)
          .add(r.language_code)
          .add(r.revision)
          .add(search)
          .add(to_json_string(record_to_json(r))));
  if (!up) return up.error();
  if (auto s = keep_raw_item(conn, r); !s) return s.error();

  pg::Params id = pg::Params().add(r.workspace_id).add(r.unique_identifier);
  if (auto s = conn.exec("DELETE FROM record_themes WHERE workspace_id = $1 AND uid = $2", id); !s) return s.error();
  if (!r.themes.empty()) {
    auto ins = conn.exec(
        "INSERT INTO record_themes(workspace_id, uid, theme) SELECT $1::bigint, $2::bigint, unnest($3::text[]) "
        "ON CONFLICT DO NOTHING",
        pg::Params().add(r.workspace_id).add(r.unique_identifier).add_array(r.themes));
    if (!ins) return ins.error();
  }
  // The fingerprint under its near-duplicate keys: any two fingerprints within 3 bits share one.
  if (auto s = conn.exec("DELETE FROM record_bands WHERE workspace_id = $1 AND uid = $2", id); !s) return s.error();
  if (r.simhash != 0) {
    // Parameters: 1 workspace, 2 uid, 3 fingerprint, 4 time, 5.. the key values in index order.
    static const std::string sql = [] {
      std::string q = "INSERT INTO record_bands(workspace_id, band, value, uid, simhash, ts) VALUES";
      for (int k = 0; k < kNearDuplicateKeys; ++k)
        q += std::string(k ? ", " : " ") + "($1, " + std::to_string(k) + ", $" + std::to_string(5 + k) +
             ", $2, $3, $4)";
      return q + " ON CONFLICT DO NOTHING";
    }();
    pg::Params bands = pg::Params().add(r.workspace_id).add(r.unique_identifier).add(simhash).add(r.timestamp);
    for (const NearDuplicateKey& key : near_duplicate_keys(r.simhash)) bands.add(key.value);
    auto ins = conn.exec(sql, bands);
    if (!ins) return ins.error();
  }
  return r;
}

Status PostgresStore::write_page(pg::Connection& conn, const PageCommit& page, std::vector<FeedbackRecord>& out) {
  // A page of a workspace deleted while its messages were in flight is dropped; the key-share lock makes a deletion
  // running now wait for this commit, or this page wait for the deletion and then find nothing (a rename waits
  // for neither).
  auto alive = conn.exec("SELECT 1 FROM workspaces WHERE id = $1 FOR KEY SHARE", pg::Params().add(page.workspace_id));
  if (!alive) return alive.error();
  if (alive->empty()) return {};
  std::vector<std::optional<FeedbackRecord>> stored(page.records.size());
  std::int64_t fresh = 0;
  for (std::size_t i : lock_order(page.records)) {
    bool existed = false;
    auto r = upsert_record(conn, page.records[i], existed);
    if (!r) return r.error();
    stored[i] = std::move(r).value();
    fresh += existed ? 0 : 1;
  }
  auto src = conn.exec("UPDATE sources SET items_total = items_total + $1, cursor = COALESCE($2, cursor) WHERE id = $3",
                       pg::Params().add(fresh).add(page.cursor).add(page.source_id));
  if (!src) return src.error();
  if (page.sync_id) {
    auto sy = conn.exec(
        "UPDATE syncs SET items = items + $1, new_items = new_items + $2, updated_at = $3, "
        "state = CASE WHEN $4::boolean THEN 'done' ELSE state END WHERE id = $5",
        pg::Params()
            .add(static_cast<std::int64_t>(page.records.size()))
            .add(fresh)
            .add(now_ms())
            .add(page.sync_finished)
            .add(*page.sync_id));
    if (!sy) return sy.error();
    for (const auto& [reason, n] : page.skipped) {
      auto sk = conn.exec(
          "UPDATE syncs SET skipped = skipped + $1, skipped_reasons = jsonb_set(skipped_reasons::jsonb, "
          "ARRAY[$2::text], to_jsonb(coalesce((skipped_reasons::jsonb ->> $2::text)::bigint, 0) + $1))::text "
          "WHERE id = $3",
          pg::Params().add(n).add(reason).add(*page.sync_id));
      if (!sk) return sk.error();
    }
  }
  if (page.sync_finished) {
    auto st = conn.exec("UPDATE sources SET state = 'ok', last_error = NULL, last_sync_at = $1 WHERE id = $2",
                        pg::Params().add(now_ms()).add(page.source_id));
    if (!st) return st.error();
  }
  for (auto& r : stored) out.push_back(std::move(*r));
  return {};
}

Result<std::vector<FeedbackRecord>> PostgresStore::commit_page(const PageCommit& page) {
  if (auto s = ensure_partitions(page.records); !s) return s.error();
  auto conn = pool_.acquire();
  if (!conn) return conn.error();
  pg::Transaction tx(**conn);
  if (auto s = tx.begin(); !s) return s.error();
  std::vector<FeedbackRecord> out;
  out.reserve(page.records.size());
  if (auto s = write_page(**conn, page, out); !s) return s.error();
  if (auto s = tx.commit(); !s) return s.error();
  return out;
}

// One transaction for all the pages. Each page's near-duplicates are looked up on the transaction's own
// connection, so they see the pages before it as one commit per page would. (Rows are locked in order
// within a page; two parsers share no workspace, since a workspace is one partition.)
Result<std::vector<FeedbackRecord>> PostgresStore::commit_pages(std::span<PageCommit> pages) {
  for (const auto& page : pages)
    if (auto s = ensure_partitions(page.records); !s) return s.error();
  auto conn = pool_.acquire();
  if (!conn) return conn.error();
  pg::Transaction tx(**conn);
  if (auto s = tx.begin(); !s) return s.error();
  std::vector<FeedbackRecord> out;
  for (PageCommit& page : pages) {
    if (page.near_duplicate_bits) {
      auto marked = mark_near_duplicates(page.records, *page.near_duplicate_bits, [&](const FeedbackRecord& r) {
        return lookup_near_duplicate(**conn, r.workspace_id, r.simhash, *page.near_duplicate_bits, r.unique_identifier,
                                     r.timestamp);
      });
      if (!marked) return marked.error();
    }
    if (auto s = write_page(**conn, page, out); !s) return s.error();
  }
  if (auto s = tx.commit(); !s) return s.error();
  return out;
}

Result<FeedbackRecord> PostgresStore::get_record(Id workspace_id, std::int64_t uid) {
  // The key row names the time, so only one partition is read.
  auto rows = pool_.read(
      "SELECT r.body FROM records r WHERE r.workspace_id = $1 AND r.uid = $2 AND "
      "r.ts = (SELECT k.ts FROM record_keys k WHERE k.workspace_id = $1 AND k.uid = $2)",
      pg::Params().add(workspace_id).add(uid));
  if (!rows) return rows.error();
  if (rows->empty()) return make_error(ErrorCode::not_found, "feedback " + std::to_string(uid) + " does not exist");
  auto body = parse_json(rows->text(0, 0));
  if (!body) return make_error(ErrorCode::internal, "stored record " + std::to_string(uid) + " is corrupt");
  auto rec = record_from_json(*body);
  if (!rec) return rec.error();
  auto raw = pool_.read("SELECT raw FROM record_raw WHERE workspace_id = $1 AND uid = $2",
                        pg::Params().add(workspace_id).add(uid));
  if (!raw) return raw.error();
  if (!raw->empty()) rec->raw_item = raw->text(0, 0);
  return rec;
}

Result<FeedbackPage> PostgresStore::query_feedback(const FeedbackFilter& filter, std::size_t limit,
                                                   const std::optional<std::string>& cursor) {
  SqlFilter f = record_filter(filter, false);
  if (cursor) {
    auto c = parse_feedback_cursor(*cursor);
    if (!c) return c.error();
    std::string ts = f.placeholder(c->first);
    std::string uid = f.placeholder(c->second);
    f.where += " AND (r.ts < " + ts + " OR (r.ts = " + ts + " AND r.uid < " + uid + "))";
  }
  std::string lim = f.placeholder(static_cast<std::int64_t>(limit + 1));
  auto rows = pool_.read("SELECT r.body, r.ts, r.uid FROM records r WHERE " + f.where +
                             " ORDER BY r.ts DESC, r.uid DESC LIMIT " + lim,
                         f.params);
  if (!rows) return rows.error();
  FeedbackPage page;
  TimeMs last_ts = 0;
  std::int64_t last_uid = 0;
  for (int i = 0; i < rows->size(); ++i) {
    if (page.items.size() == limit) {
      page.next_cursor = feedback_cursor(last_ts, last_uid);
      break;
    }
    auto body = parse_json(rows->text(i, 0));
    if (!body) continue;
    auto rec = record_from_json(*body);
    if (!rec) continue;
    page.items.push_back(std::move(rec).value());
    last_ts = rows->int64(i, 1);
    last_uid = rows->int64(i, 2);
  }
  return page;
}

namespace {

// The near-duplicate query: for each key, its rows oldest first (an index range: the key rows carry their
// record's fingerprint and time), the first within max_distance bits that comes before the record. Identical
// and near-identical texts match at once, so a lookup reads about one row a key however many such texts are
// stored; rows that share a key but not the text are passed over inside PostgreSQL.
std::string near_duplicate_lookup_sql() {
  std::string sql;
  for (int k = 0; k < kNearDuplicateKeys; ++k) {
    if (k) sql += " UNION ALL ";
    sql += "(SELECT ts, uid FROM record_bands WHERE workspace_id = $1 AND band = " + std::to_string(k) +
           " AND value = $" + std::to_string(6 + k) +
           " AND (ts, uid) < ($2, $3) AND uid <> $3 AND bit_count((simhash # $4)::bit(64)) <= $5 ORDER BY ts, uid "
           "LIMIT 1)";
  }
  return sql;
}

Result<std::optional<std::int64_t>> earliest_near_duplicate(
    const std::function<Result<pg::Rows>(const std::string&, const pg::Params&)>& query, Id workspace_id,
    std::uint64_t simhash, int max_distance, std::int64_t self, TimeMs self_ts) {
  if (max_distance > kNearDuplicateKeyBits)
    return make_error(ErrorCode::bad_request, "near-duplicate lookups reach at most " +
                                                  std::to_string(kNearDuplicateKeyBits) + " bits");
  if (simhash == 0) return std::optional<std::int64_t>{};
  pg::Params params = pg::Params()
                          .add(workspace_id)
                          .add(self_ts)
                          .add(self)
                          .add(static_cast<std::int64_t>(simhash))
                          .add(max_distance);
  for (const NearDuplicateKey& key : near_duplicate_keys(simhash)) params.add(key.value);
  static const std::string sql = near_duplicate_lookup_sql();
  auto rows = query(sql, params);
  if (!rows) return rows.error();
  std::optional<std::pair<TimeMs, std::int64_t>> best;
  for (int i = 0; i < rows->size(); ++i) {
    std::pair<TimeMs, std::int64_t> cand{rows->int64(i, 0), rows->int64(i, 1)};
    if (!best || cand < *best) best = cand;
  }
  if (!best) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{best->second};
}

}  // namespace

Result<std::optional<std::int64_t>> PostgresStore::find_near_duplicate(Id workspace_id, std::uint64_t simhash,
                                                                       int max_distance, std::int64_t self,
                                                                       TimeMs self_ts) {
  return earliest_near_duplicate([&](const std::string& sql, const pg::Params& p) { return pool_.read(sql, p); },
                                 workspace_id, simhash, max_distance, self, self_ts);
}

Result<std::optional<std::int64_t>> PostgresStore::lookup_near_duplicate(pg::Connection& conn, Id workspace_id,
                                                                         std::uint64_t simhash, int max_distance,
                                                                         std::int64_t self, TimeMs self_ts) {
  return earliest_near_duplicate([&](const std::string& sql, const pg::Params& p) { return conn.exec(sql, p); },
                                 workspace_id, simhash, max_distance, self, self_ts);
}

Status PostgresStore::fold_rollup(pg::Connection& conn, Id workspace_id, TimeMs hour, Id source_id,
                                  const std::string& sentiment, const std::string& category,
                                  const std::string& language, double compound, const std::vector<std::string>& themes,
                                  int sign) {
  double c = sign * compound;
  auto up = conn.exec(
      "INSERT INTO rollup AS u(workspace_id, hour, source_id, sentiment, category, language, count, sum_compound) "
      "VALUES($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (workspace_id, hour, source_id, sentiment, category, "
      "language) DO UPDATE SET count = u.count + EXCLUDED.count, sum_compound = u.sum_compound + EXCLUDED.sum_compound",
      pg::Params().add(workspace_id).add(hour).add(source_id).add(sentiment).add(category).add(language).add(sign).add(c));
  if (!up) return up.error();
  if (themes.empty()) return {};
  auto th = conn.exec(
      "INSERT INTO rollup_themes AS u(workspace_id, theme, hour, source_id, sentiment, category, language, count, "
      "sum_compound) SELECT $1::bigint, t, $3::bigint, $4::bigint, $5::text, $6::text, $7::text, $8::bigint, "
      "$9::double precision FROM unnest($2::text[]) AS t "
      "ON CONFLICT (workspace_id, theme, hour, source_id, sentiment, category, language) DO UPDATE SET "
      "count = u.count + EXCLUDED.count, sum_compound = u.sum_compound + EXCLUDED.sum_compound",
      pg::Params()
          .add(workspace_id)
          .add_array(unique_themes(themes))
          .add(hour)
          .add(source_id)
          .add(sentiment)
          .add(category)
          .add(language)
          .add(sign)
          .add(c));
  if (!th) return th.error();
  return {};
}

Status PostgresStore::apply_rollups(const std::vector<FeedbackRecord>& records) {
  if (records.empty()) return {};
  TimeMs lo = INT64_MAX, hi = INT64_MIN;
  {
    auto conn = pool_.acquire();
    if (!conn) return conn.error();
    pg::Transaction tx(**conn);
    if (auto s = tx.begin(); !s) return s;
    for (std::size_t i : lock_order(records)) {
      const FeedbackRecord& r = records[i];
      TimeMs hour = hour_of(r.timestamp);
      std::vector<std::string> themes = unique_themes(r.themes);
      // One statement claims the revision: it returns nothing when this revision (or a newer one) is
      // already counted, and otherwise the contribution it replaces (prev_revision 0: none).
      auto claimed = (*conn)->exec(
          "INSERT INTO rollup_applied AS a(workspace_id, uid, revision, hour, source_id, sentiment, category, "
          "language, compound, themes) SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::text, "
          "$7::text, $8::text, $9::double precision, $10::text[] "
          // A record erased, expired or deleted with its workspace while its message was in flight is not counted.
          // KEY SHARE waits for a deletion of the key row under way, and never for a parser's upsert of it.
          "WHERE EXISTS (SELECT 1 FROM record_keys k WHERE k.workspace_id = $1::bigint AND k.uid = $2::bigint "
          "FOR KEY SHARE) ON CONFLICT (workspace_id, uid) DO UPDATE SET prev_revision = a.revision, prev_hour = a.hour, "
          "prev_source_id = a.source_id, prev_sentiment = a.sentiment, prev_category = a.category, "
          "prev_language = a.language, prev_compound = a.compound, prev_themes = a.themes, "
          "revision = EXCLUDED.revision, hour = EXCLUDED.hour, source_id = EXCLUDED.source_id, "
          "sentiment = EXCLUDED.sentiment, category = EXCLUDED.category, language = EXCLUDED.language, "
          "compound = EXCLUDED.compound, themes = EXCLUDED.themes WHERE a.revision < EXCLUDED.revision "
          "RETURNING prev_revision, prev_hour, prev_source_id, prev_sentiment, prev_category, prev_language, "
          "prev_compound, prev_themes",
          pg::Params()
              .add(r.workspace_id)
              .add(r.unique_identifier)
              .add(r.revision)
              .add(hour)
              .add(r.source_id)
              .add(r.sentiment_type)
              .add(r.category)
              .add(r.language_code)
              .add(r.sentiment_compound)
              .add_array(themes));
      if (!claimed) return claimed.error();
      if (claimed->empty()) continue;
      lo = std::min(lo, hour);
      hi = std::max(hi, hour);
      if (claimed->int64(0, 0) > 0) {
        TimeMs old_hour = claimed->int64(0, 1);
        lo = std::min(lo, old_hour);
        hi = std::max(hi, old_hour);
        if (auto s = fold_rollup(**conn, r.workspace_id, old_hour, claimed->int64(0, 2), claimed->text(0, 3),
                                 claimed->text(0, 4), claimed->text(0, 5), claimed->real(0, 6),
                                 pg::parse_text_array(claimed->text(0, 7)), -1);
            !s)
          return s;
      }
      if (auto s = fold_rollup(**conn, r.workspace_id, hour, r.source_id, r.sentiment_type, r.category,
                               r.language_code, r.sentiment_compound, themes, +1);
          !s)
        return s;
    }
    if (auto s = tx.commit(); !s) return s;
  }
  // The daily continuous aggregate follows at once, so reports never lag the rollup (Timescale only).
  if (lo > hi) return {};
  return refresh_daily_rollup(lo, hi);
}

// Hour x key aggregates: from the daily aggregate or the hourly rollups when they can answer the
// filter, else from the records.
Result<std::vector<PostgresStore::AggRow>> PostgresStore::aggregate(const FeedbackFilter& filter, GroupBy group_by,
                                                                    bool by_hour, std::optional<Bucket> bucket) {
  bool rollup = rollups_can_answer(filter);
  bool themes = group_by == GroupBy::theme || filter.theme;
  bool daily = rollup && !themes && layout_ == PostgresLayout::timescale && (!bucket || *bucket != Bucket::hour) &&
               aligned(filter.from, Bucket::day) && aligned(filter.to, Bucket::day);
  std::string sql;
  SqlFilter f;
  if (rollup) {
    std::string time = daily ? "day" : "hour";
    f = rollup_filter(filter, time);
    std::string table = daily ? "rollup_daily" : themes ? "rollup_themes" : "rollup";
    sql = "SELECT " + (by_hour ? "u." + time : std::string("0")) + ", " + key_column(group_by, true) +
          ", sum(u.count)::bigint, sum(u.sum_compound)::double precision FROM " + table + " u WHERE " + f.where +
          " GROUP BY 1, 2 HAVING sum(u.count) > 0";
  } else {
    f = record_filter(filter, themes);
    std::string hour = by_hour ? "(r.ts - (((r.ts % 3600000) + 3600000) % 3600000))" : "0";
    sql = "SELECT " + hour + ", " + key_column(group_by, false) + ", count(*), sum(r.compound) FROM records r " +
          (themes ? "JOIN record_themes t ON t.workspace_id = r.workspace_id AND t.uid = r.uid " : "") + "WHERE " +
          f.where + " GROUP BY 1, 2";
  }
  auto rows = pool_.read(sql, f.params);
  if (!rows) return rows.error();
  std::vector<AggRow> out;
  out.reserve(rows->size());
  for (int i = 0; i < rows->size(); ++i)
    out.push_back(AggRow{rows->int64(i, 0), rows->text(i, 1), rows->int64(i, 2), rows->real(i, 3)});
  return out;
}

Result<std::vector<ReportSeries>> PostgresStore::report(const FeedbackFilter& filter, Bucket bucket,
                                                        GroupBy group_by) {
  auto rows = aggregate(filter, group_by, true, bucket);
  if (!rows) return rows.error();
  std::map<std::string, std::map<TimeMs, std::pair<std::int64_t, double>>> folded;
  for (const auto& row : *rows) {
    auto& cell = folded[group_by == GroupBy::none ? "all" : row.key][bucket_start(row.hour, bucket)];
    cell.first += row.count;
    cell.second += row.sum;
  }
  std::vector<ReportSeries> out;
  for (auto& [key, points] : folded) {
    ReportSeries s{key, {}};
    for (auto& [t, cell] : points) s.points.push_back(ReportPoint{t, cell.first, average(cell.second, cell.first)});
    out.push_back(std::move(s));
  }
  return out;
}

Result<Totals> PostgresStore::totals(const FeedbackFilter& filter) {
  auto rows = aggregate(filter, GroupBy::sentiment, false, std::nullopt);
  if (!rows) return rows.error();
  Totals t;
  for (const char* s : {"positive", "negative", "neutral", "mixed"}) t.by_sentiment[s] = 0;
  double sum = 0;
  for (const auto& row : *rows) {
    t.count += row.count;
    t.by_sentiment[row.key] += row.count;
    sum += row.sum;
  }
  t.avg_compound = average(sum, t.count);
  return t;
}

Result<std::vector<ThemeStat>> PostgresStore::top_themes(const FeedbackFilter& filter, std::size_t limit) {
  auto rows = aggregate(filter, GroupBy::theme, false, std::nullopt);
  if (!rows) return rows.error();
  std::vector<ThemeStat> out;
  for (const auto& row : *rows) out.push_back(ThemeStat{row.key, row.count, average(row.sum, row.count)});
  std::sort(out.begin(), out.end(), [](const ThemeStat& a, const ThemeStat& b) {
    return a.count != b.count ? a.count > b.count : a.theme < b.theme;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace chorus::store
