// PostgreSQL store: records (queries, near-duplicate lookup; their writes are in postgres_page_writes.cpp) and
// rollups, with the same semantics as the SQLite store. Rows are locked in (workspace, uid) order so that two
// parsers or two reports processes never deadlock on the same records.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <variant>

#include "core/near_duplicate_keys.hpp"
#include "store/page_batch.hpp"
#include "store/postgres/postgres_store.hpp"

namespace chorus::store {

namespace {

TimeMs hour_of(TimeMs t) { return bucket_start(t, Bucket::hour); }

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

}  // namespace

struct PostgresStore::AggRow {
  TimeMs hour;
  std::string key;
  std::int64_t count;
  double sum;
};

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

// The near-duplicate query, by the rule of core/near_duplicate_keys.hpp: the direct hit (the earliest record with
// the same fingerprint, one step down record_keys_by_fingerprint); for each key at most kNearDuplicateScan of its
// rows newest first before the direct hit or the record (a backward range of record_bands_by_time), those within
// max_distance bits compared inside PostgreSQL; the direct hit of each of their fingerprints. A lookup reads a
// fixed number of rows however many records share a text or a key.
std::string near_duplicate_lookup_sql() {
  std::string sql =
      "WITH direct AS (SELECT ts, uid FROM record_keys WHERE workspace_id = $1 AND simhash = $4 AND (ts, uid) < ($2, "
      "$3) AND uid <> $3 ORDER BY ts, uid LIMIT 1), bound AS (SELECT coalesce(d.ts, $2) AS ts, coalesce(d.uid, $3) "
      "AS uid FROM (SELECT 1) one LEFT JOIN direct d ON true), near AS (";
  for (int k = 0; k < kNearDuplicateKeys; ++k)
    sql += std::string(k ? " UNION " : "") +
           "(SELECT s.simhash FROM bound CROSS JOIN LATERAL (SELECT b.simhash FROM record_bands b WHERE "
           "b.workspace_id = $1 AND b.band = " +
           std::to_string(k) + " AND b.value = $" + std::to_string(6 + k) +
           " AND (b.ts, b.uid) < (bound.ts, bound.uid) AND b.uid <> $3 ORDER BY b.ts DESC, b.uid DESC LIMIT " +
           std::to_string(kNearDuplicateScan) + ") s WHERE bit_count((s.simhash # $4)::bit(64)) <= $5)";
  sql +=
      ") SELECT ts, uid FROM direct UNION ALL SELECT f.ts, f.uid FROM near CROSS JOIN bound CROSS JOIN LATERAL "
      "(SELECT r.ts, r.uid FROM record_keys r WHERE r.workspace_id = $1 AND r.simhash = near.simhash AND (r.ts, "
      "r.uid) < (bound.ts, bound.uid) AND r.uid <> $3 ORDER BY r.ts, r.uid LIMIT 1) f";
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

namespace {

// Claims the revisions of a batch in one statement: a row comes back for each record whose revision was not
// counted yet, with the contribution it replaces (prev_revision 0: none). The batch's themes travel as
// (row, theme) pairs and are gathered into each row's array. A record erased, expired or deleted with its
// workspace while its message was in flight is not counted; KEY SHARE waits for a deletion of the key row
// under way, and never for a parser's upsert of it. Rows are claimed in the order given, (workspace, uid).
constexpr std::string_view kClaimRevisions =
    "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], "
    "$6::text[], $7::text[], $8::text[], $9::double precision[]) WITH ORDINALITY AS v(ws, uid, revision, hour, "
    "source_id, sentiment, category, language, compound, i)), "
    "th AS (SELECT t.i, array_agg(t.theme ORDER BY t.n) AS themes FROM unnest($10::bigint[], $11::text[]) "
    "WITH ORDINALITY AS t(i, theme, n) GROUP BY t.i) "
    "INSERT INTO rollup_applied AS a(workspace_id, uid, revision, hour, source_id, sentiment, category, language, "
    "compound, themes) SELECT v.ws, v.uid, v.revision, v.hour, v.source_id, v.sentiment, v.category, v.language, "
    "v.compound, coalesce(th.themes, '{}'::text[]) FROM v LEFT JOIN th ON th.i = v.i "
    "WHERE EXISTS (SELECT 1 FROM record_keys k WHERE k.workspace_id = v.ws AND k.uid = v.uid FOR KEY SHARE) "
    "ORDER BY v.i "
    "ON CONFLICT (workspace_id, uid) DO UPDATE SET prev_revision = a.revision, prev_hour = a.hour, "
    "prev_source_id = a.source_id, prev_sentiment = a.sentiment, prev_category = a.category, "
    "prev_language = a.language, prev_compound = a.compound, prev_themes = a.themes, "
    "revision = EXCLUDED.revision, hour = EXCLUDED.hour, source_id = EXCLUDED.source_id, "
    "sentiment = EXCLUDED.sentiment, category = EXCLUDED.category, language = EXCLUDED.language, "
    "compound = EXCLUDED.compound, themes = EXCLUDED.themes WHERE a.revision < EXCLUDED.revision "
    "RETURNING workspace_id, uid, prev_revision, prev_hour, prev_source_id, prev_sentiment, prev_category, "
    "prev_language, prev_compound, prev_themes";

// Adds each cell's change to the stored one; cells come sorted, so concurrent batches lock them in one order.
constexpr std::string_view kFoldCells =
    "INSERT INTO rollup AS u(workspace_id, hour, source_id, sentiment, category, language, count, sum_compound) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], "
    "$7::bigint[], $8::double precision[]) ON CONFLICT (workspace_id, hour, source_id, sentiment, category, "
    "language) DO UPDATE SET count = u.count + EXCLUDED.count, sum_compound = u.sum_compound + EXCLUDED.sum_compound";

constexpr std::string_view kFoldThemeCells =
    "INSERT INTO rollup_themes AS u(workspace_id, theme, hour, source_id, sentiment, category, language, count, "
    "sum_compound) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], "
    "$6::text[], $7::text[], $8::bigint[], $9::double precision[]) ON CONFLICT (workspace_id, theme, hour, "
    "source_id, sentiment, category, language) DO UPDATE SET count = u.count + EXCLUDED.count, "
    "sum_compound = u.sum_compound + EXCLUDED.sum_compound";

// A batch's changes to the rollups, summed per cell before they are written.
class RollupDelta {
 public:
  void add(Id workspace_id, TimeMs hour, Id source_id, const std::string& sentiment, const std::string& category,
           const std::string& language, double compound, const std::vector<std::string>& themes, int sign) {
    Cell base{workspace_id, hour, source_id, sentiment, category, language};
    auto& c = cells_[base];
    c.first += sign;
    c.second += sign * compound;
    // Keyed as PostgreSQL will store the theme, so two spellings it would store alike share one cell.
    std::set<std::string> stored;
    for (const std::string& t : themes) stored.insert(pg::valid_utf8(t));
    for (const std::string& t : stored) {
      auto& tc = theme_cells_[{base, t}];
      tc.first += sign;
      tc.second += sign * compound;
    }
  }

  Status write(pg::Connection& conn) const {
    Columns col;
    for (const auto& [cell, change] : cells_) col.add(cell, change);
    if (!col.count.empty())
      if (auto up = conn.exec(kFoldCells, col.params(nullptr)); !up) return up.error();
    Columns themed;
    std::vector<std::string> theme;
    for (const auto& [key, change] : theme_cells_)
      if (themed.add(key.first, change)) theme.push_back(key.second);
    if (!themed.count.empty())
      if (auto up = conn.exec(kFoldThemeCells, themed.params(&theme)); !up) return up.error();
    return {};
  }

 private:
  using Cell = std::tuple<Id, TimeMs, Id, std::string, std::string, std::string>;
  using Change = std::pair<std::int64_t, double>;
  struct Columns {
    std::vector<std::int64_t> ws, hour, source, count;
    std::vector<std::string> sentiment, category, language;
    std::vector<double> sum;
    // A cell whose changes cancel out (a re-analysis that moved nothing) is not written.
    bool add(const Cell& c, const Change& change) {
      if (change.first == 0 && change.second == 0.0) return false;
      ws.push_back(std::get<0>(c));
      hour.push_back(std::get<1>(c));
      source.push_back(std::get<2>(c));
      sentiment.push_back(std::get<3>(c));
      category.push_back(std::get<4>(c));
      language.push_back(std::get<5>(c));
      count.push_back(change.first);
      sum.push_back(change.second);
      return true;
    }
    // The statement's parameters in column order; the theme cells' statement has the theme second.
    pg::Params params(const std::vector<std::string>* theme) const {
      pg::Params p;
      p.add_array(ws);
      if (theme) p.add_array(*theme);
      p.add_array(hour).add_array(source).add_array(sentiment).add_array(category).add_array(language);
      p.add_array(count).add_array(sum);
      return p;
    }
  };
  std::map<Cell, Change> cells_;
  std::map<std::pair<Cell, std::string>, Change> theme_cells_;
};

}  // namespace

Status PostgresStore::apply_rollups(const std::vector<FeedbackRecord>& records) {
  if (records.empty()) return {};
  // Of several revisions of one record in a batch only the newest counts: applying them one after another
  // would take back each one the next replaces, which ends where applying the newest alone ends. ON CONFLICT
  // cannot touch a row twice in one statement either.
  std::map<std::pair<Id, std::int64_t>, const FeedbackRecord*> newest;
  for (const FeedbackRecord& r : records) {
    auto [it, fresh] = newest.try_emplace({r.workspace_id, r.unique_identifier}, &r);
    if (!fresh && it->second->revision < r.revision) it->second = &r;
  }
  std::vector<std::int64_t> ws, uid, revision, hour, source, theme_row;
  std::vector<std::string> sentiment, category, language, theme;
  std::vector<double> compound;
  for (const auto& [key, r] : newest) {  // (workspace, uid) order: the order rows are locked in
    ws.push_back(r->workspace_id);
    uid.push_back(r->unique_identifier);
    revision.push_back(r->revision);
    hour.push_back(hour_of(r->timestamp));
    source.push_back(r->source_id);
    sentiment.push_back(r->sentiment_type);
    category.push_back(r->category);
    language.push_back(r->language_code);
    compound.push_back(r->sentiment_compound);
    for (std::string& t : unique_themes(r->themes)) {
      theme_row.push_back(static_cast<std::int64_t>(ws.size()));  // WITH ORDINALITY counts from 1
      theme.push_back(std::move(t));
    }
  }
  TimeMs lo = INT64_MAX, hi = INT64_MIN;
  {
    auto conn = pool_.acquire();
    if (!conn) return conn.error();
    pg::Transaction tx(**conn);
    if (auto s = tx.begin(); !s) return s;
    auto claimed = (*conn)->exec(kClaimRevisions, pg::Params()
                                                      .add_array(ws)
                                                      .add_array(uid)
                                                      .add_array(revision)
                                                      .add_array(hour)
                                                      .add_array(source)
                                                      .add_array(sentiment)
                                                      .add_array(category)
                                                      .add_array(language)
                                                      .add_array(compound)
                                                      .add_array(theme_row)
                                                      .add_array(theme));
    if (!claimed) return claimed.error();
    RollupDelta delta;
    for (int i = 0; i < claimed->size(); ++i) {
      const FeedbackRecord& r = *newest.at({claimed->int64(i, 0), claimed->int64(i, 1)});
      TimeMs h = hour_of(r.timestamp);
      lo = std::min(lo, h);
      hi = std::max(hi, h);
      if (claimed->int64(i, 2) > 0) {
        TimeMs old_hour = claimed->int64(i, 3);
        lo = std::min(lo, old_hour);
        hi = std::max(hi, old_hour);
        delta.add(r.workspace_id, old_hour, claimed->int64(i, 4), claimed->text(i, 5), claimed->text(i, 6),
                  claimed->text(i, 7), claimed->real(i, 8), pg::parse_text_array(claimed->text(i, 9)), -1);
      }
      delta.add(r.workspace_id, h, r.source_id, r.sentiment_type, r.category, r.language_code, r.sentiment_compound,
                r.themes, +1);  // add() counts each theme once
    }
    if (auto s = delta.write(**conn); !s) return s;
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
