// SQLite store: rollups, kept exactly once per record revision (rollup_applied is the ledger: what each record
// revision added to them), and the aggregate queries (report, totals, top themes, ratings) answered from them.
// A batch of records is counted in the transaction that stores it; the reports role's apply_rollups counts what
// was stored otherwise (or with rollups_at_commit off) and finds the rest already counted.
//
// Rollups are cubes of three grains (sqlite_cubes.cpp). A query range is cut into whole months, whole
// days at its edges, whole hours beyond those and the minutes beyond them: each piece is read from the
// smallest cube of the coarsest grain that carries every dimension the query filters or groups on, and
// only the minutes at unaligned edges (or a text filter) touch the records.
#include <map>

#include "store/sqlite/sqlite_cubes.hpp"
#include "store/sqlite/sqlite_sql.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace chorus::store {

using namespace sqlite_sql;
using cubes::Family;
using cubes::Grain;

namespace {

enum class Level { records, hour, day, month };

Grain grain_of(Level l) { return l == Level::month ? Grain::month : l == Level::day ? Grain::day : Grain::hour; }
Level finer(Level l) { return l == Level::month ? Level::day : l == Level::day ? Level::hour : Level::records; }

unsigned dim_of(GroupBy g) {
  switch (g) {
    case GroupBy::none:
      return 0;
    case GroupBy::source:
      return cubes::kSource;
    case GroupBy::sentiment:
      return cubes::kSentiment;
    case GroupBy::category:
      return cubes::kCategory;
    case GroupBy::language:
      return cubes::kLanguage;
    case GroupBy::theme:
      return cubes::kTheme;
  }
  return 0;
}

unsigned dims_of(const FeedbackFilter& f) {
  unsigned d = 0;
  if (f.source_id) d |= cubes::kSource;
  if (f.sentiment) d |= cubes::kSentiment;
  if (f.category) d |= cubes::kCategory;
  if (f.language) d |= cubes::kLanguage;
  if (f.theme) d |= cubes::kTheme;
  return d;
}

const char* key_column(GroupBy g, bool rollup) {
  switch (g) {
    case GroupBy::none:
      return "''";
    case GroupBy::source:
      return rollup ? "CAST(u.source_id AS TEXT)" : "CAST(r.source_id AS TEXT)";
    case GroupBy::sentiment:
      return rollup ? "u.sentiment" : "r.sentiment";
    case GroupBy::category:
      return rollup ? "u.category" : "r.category";
    case GroupBy::language:
      return rollup ? "u.language" : "r.language";
    case GroupBy::theme:
      return rollup ? "u.theme" : "t.theme";
  }
  return "''";
}

// One aggregate question: which family of rollups, grouped how, and whether rows keep their time.
struct Question {
  const FeedbackFilter& filter;
  Family family;
  GroupBy group_by;  // ratings always group by source and rating
  bool by_time;
  std::optional<Bucket> bucket;  // the report's bucket: the grain read must divide it
  unsigned need() const {
    return dims_of(filter) | dim_of(group_by) | (family == Family::ratings ? cubes::kSource | cubes::kRating : 0);
  }
};

// The coarsest level whose cubes carry every dimension the question needs and whose grain fits the bucket.
Level coarsest_level(const Question& q) {
  if (q.filter.from_records || q.filter.q) return Level::records;
  for (Level l : {Level::month, Level::day, Level::hour}) {
    if (l == Level::month && q.by_time && q.bucket != Bucket::month) continue;
    if (l == Level::day && q.by_time && q.bucket == Bucket::hour) continue;
    if (cubes::covering(q.family, grain_of(l), q.need())) return l;
  }
  return Level::records;
}

struct Segment {
  std::optional<TimeMs> from, to;
  Level level;
};

TimeMs next_start(TimeMs t, Level l) {
  TimeMs s = cubes::grain_start(t, grain_of(l));
  if (s == t) return t;
  switch (l) {
    case Level::hour:
      return s + kHour;
    case Level::day:
      return s + kDay;
    default:
      return cubes::grain_start(s + 32 * kDay, Grain::month);
  }
}

// Cuts [from, to) into whole units of `level` and, at unaligned edges, pieces for the finer levels.
void plan(std::optional<TimeMs> from, std::optional<TimeMs> to, Level level, std::vector<Segment>& out) {
  if (level == Level::records) {
    out.push_back({from, to, level});
    return;
  }
  std::optional<TimeMs> a = from ? std::optional<TimeMs>(next_start(*from, level)) : std::nullopt;
  std::optional<TimeMs> b = to ? std::optional<TimeMs>(cubes::grain_start(*to, grain_of(level))) : std::nullopt;
  if (a && b && *a >= *b) {
    plan(from, to, finer(level), out);
    return;
  }
  if (from && *a > *from) plan(from, a, finer(level), out);
  out.push_back({a, b, level});
  if (to && *to > *b) plan(b, to, finer(level), out);
}

struct AggRow {
  TimeMs t = 0;
  std::string key;
  double rating = 0.0;
  std::int64_t count = 0;
  double sum_units = 0.0;  // compound sum in kCompoundUnit units
};

std::string segment_sql(const Question& q, const Segment& seg, SqlFilter& f) {
  FeedbackFilter bounded = q.filter;
  bounded.from = seg.from;
  bounded.to = seg.to;
  const bool ratings = q.family == Family::ratings;
  if (seg.level == Level::records) {
    bool join = q.family == Family::themes;
    f = record_filter(bounded, join);
    std::string t = q.by_time ? "(r.ts - (((r.ts % 3600000) + 3600000) % 3600000))" : "0";
    std::string from =
        join ? "record_themes t JOIN records r ON r.workspace_id = t.workspace_id AND r.uid = t.uid" : "records r";
    if (ratings)
      return "SELECT " + t + ", CAST(r.source_id AS TEXT), r.rating, count(*), 0 FROM " + from + " WHERE " + f.where +
             " AND r.rating IS NOT NULL GROUP BY 1, 2, 3";
    return "SELECT " + t + ", " + key_column(q.group_by, false) + ", 0, count(*), sum(round(r.compound * " +
           std::to_string(static_cast<int>(kCompoundUnit)) + ")) FROM " + from + " WHERE " + f.where +
           " GROUP BY 1, 2, 3";
  }
  const cubes::Cube& c = *cubes::covering(q.family, grain_of(seg.level), q.need());
  std::string time = std::string("u.") + cubes::time_column(c.grain);
  f.where = "u.workspace_id = ?";
  f.args.clear();
  f.arg(bounded.workspace_id);
  if (bounded.from) f.add(time + " >= ?", *bounded.from);
  if (bounded.to) f.add(time + " < ?", *bounded.to);
  if (bounded.source_id) f.add("u.source_id = ?", *bounded.source_id);
  if (bounded.sentiment) f.add("u.sentiment = ?", *bounded.sentiment);
  if (bounded.category) f.add("u.category = ?", *bounded.category);
  if (bounded.language) f.add("u.language = ?", *bounded.language);
  if (bounded.theme) f.add("u.theme = ?", *bounded.theme);
  std::string t = q.by_time ? time : "0";
  if (ratings)
    return "SELECT " + t + ", CAST(u.source_id AS TEXT), u.rating, sum(u.count), 0 FROM " + c.table + " u WHERE " +
           f.where + " GROUP BY 1, 2, 3 HAVING sum(u.count) > 0";
  return "SELECT " + t + ", " + key_column(q.group_by, true) + ", 0, sum(u.count), sum(u.sum_compound) FROM " +
         c.table + " u WHERE " + f.where + " GROUP BY 1, 2, 3 HAVING sum(u.count) > 0";
}

Result<std::vector<AggRow>> aggregate(sqlite::Database& db, const Question& q) {
  std::vector<Segment> segments;
  plan(q.filter.from, q.filter.to, coarsest_level(q), segments);
  std::vector<AggRow> rows;
  for (const auto& seg : segments) {
    SqlFilter f;
    auto st = db.prepare(segment_sql(q, seg, f));
    if (!st) return st.error();
    bind_all(*st, f.args);
    Status read = st->each_row([&] {
      rows.push_back(AggRow{st->int64(0), st->text(1), st->real(2), st->int64(3), st->real(4)});
    });
    if (!read) return read.error();
  }
  return rows;
}

double average(double sum_units, std::int64_t n) {
  return n ? sum_units / kCompoundUnit / static_cast<double>(n) : 0.0;
}

Family family_for(const FeedbackFilter& f, GroupBy g) {
  return (f.theme || g == GroupBy::theme) ? Family::themes : Family::counts;
}

// aggregate() on the reader connection, in one read transaction: an answer never waits for a parser's or the
// reports role's transaction, and all its segments come from one commit.
Result<std::vector<AggRow>> read_aggregate(sqlite::Database& reader, std::mutex& mu, const Question& q) {
  std::lock_guard lock(mu);
  sqlite::Transaction tx(reader);
  if (auto s = tx.begin_read(); !s) return s.error();
  auto rows = aggregate(reader, q);
  if (!rows) return rows;  // rolled back by tx
  if (auto s = tx.commit(); !s) return s.error();
  return rows;
}

}  // namespace

// The contribution of a record as rollup_applied remembers it (column order of the selects below).
FeedbackRecord SqliteStore::applied_contribution(const sqlite::Statement& row, int first, Id workspace_id) {
  FeedbackRecord old;
  old.workspace_id = workspace_id;
  old.timestamp = row.int64(first);
  old.source_id = row.int64(first + 1);
  old.sentiment_type = row.text(first + 2);
  old.category = row.text(first + 3);
  old.language_code = row.text(first + 4);
  old.sentiment_compound = row.real(first + 5);
  old.themes = split_themes(row.text(first + 6));
  if (!row.is_null(first + 7)) old.rating = row.real(first + 7);
  return old;
}

Result<SqliteStore::RollupLedger> SqliteStore::RollupLedger::open(sqlite::Database& db) {
  RollupLedger l;
  auto sel = db.cached(
      "SELECT revision, hour, source_id, sentiment, category, language, compound, themes, rating FROM "
      "rollup_applied WHERE workspace_id = ? AND uid = ?");
  if (!sel) return sel.error();
  auto put = db.cached(
      "INSERT OR REPLACE INTO rollup_applied(workspace_id, uid, revision, hour, source_id, sentiment, category, "
      "language, compound, themes, rating) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!put) return put.error();
  l.sel_ = *sel;
  l.put_ = *put;
  return l;
}

Status SqliteStore::RollupLedger::count(const FeedbackRecord& r, bool maybe_counted, cubes::Fold& fold) {
  if (maybe_counted) {
    sqlite::ResetOnExit done(*sel_);
    sel_->bind(1, r.workspace_id).bind(2, r.unique_identifier);
    auto row = sel_->step();
    if (!row) return row.error();
    if (*row) {
      if (sel_->int64(0) >= r.revision) return {};  // this revision (or a newer one) is already counted
      fold.add(applied_contribution(*sel_, 1, r.workspace_id), -1);
    }
  }
  fold.add(r, +1);
  sqlite::ResetOnExit done(*put_);
  put_->bind(1, r.workspace_id).bind(2, r.unique_identifier).bind(3, r.revision).bind(4, floor_to(r.timestamp, kHour));
  put_->bind(5, r.source_id).bind(6, r.sentiment_type).bind(7, r.category).bind(8, r.language_code);
  put_->bind(9, r.sentiment_compound).bind(10, join_themes(r.themes)).bind(11, r.rating);
  return put_->run();
}

Result<std::vector<const FeedbackRecord*>> SqliteStore::not_yet_counted(const std::vector<FeedbackRecord>& records) {
  std::vector<const FeedbackRecord*> due;
  due.reserve(records.size());
  std::lock_guard lock(read_mu_);
  sqlite::Transaction tx(reader_);
  if (auto s = tx.begin_read(); !s) return s.error();
  auto sel = reader_.cached("SELECT revision FROM rollup_applied WHERE workspace_id = ? AND uid = ?");
  if (!sel) return sel.error();
  for (const auto& r : records) {
    sqlite::ResetOnExit done(**sel);
    (*sel)->bind(1, r.workspace_id).bind(2, r.unique_identifier);
    auto row = (*sel)->step();
    if (!row) return row.error();
    if (!*row || (*sel)->int64(0) < r.revision) due.push_back(&r);
  }
  if (auto s = tx.commit(); !s) return s.error();
  return due;
}

Status SqliteStore::apply_rollups(const std::vector<FeedbackRecord>& records) {
  // Most records were counted when they were stored: those are found on the reader, and a batch of nothing but
  // those never waits for the writer.
  auto due = not_yet_counted(records);
  if (!due) return due.error();
  if (due->empty()) return {};
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto ledger = RollupLedger::open(db_);
  if (!ledger) return ledger.error();
  // A record erased, expired or deleted with its workspace while its message was in flight is not counted.
  auto held = db_.cached("SELECT count(*) FROM records WHERE workspace_id = ? AND uid = ?");
  if (!held) return held.error();
  cubes::Fold fold;
  // A batch may carry several revisions of one record: each is compared with the one counted before it, which
  // rollup_applied already holds.
  for (const FeedbackRecord* r : *due) {
    {
      sqlite::ResetOnExit done(**held);
      (*held)->bind(1, r->workspace_id).bind(2, r->unique_identifier);
      if (auto row = (*held)->step(); !row) return row.error();
      if ((*held)->int64(0) == 0) continue;
    }
    if (auto s = ledger->count(*r, true, fold); !s) return s;
  }
  if (auto s = fold.write(db_); !s) return s;
  return tx.commit();
}

Status SqliteStore::rebuild_rollups() {
  for (const auto& c : cubes::all())
    if (auto s = db_.exec(std::string("DELETE FROM ") + c.table); !s) return s;
  auto all = db_.prepare(
      "SELECT workspace_id, hour, source_id, sentiment, category, language, compound, themes, rating FROM "
      "rollup_applied");
  if (!all) return all.error();
  cubes::Fold fold;
  std::size_t n = 0;
  for (;;) {
    auto row = all->step();
    if (!row) return row.error();
    if (!*row) break;
    fold.add(applied_contribution(*all, 1, all->int64(0)), +1);
    if (++n % 10000 == 0)
      if (auto s = fold.write(db_); !s) return s;
  }
  return fold.write(db_);
}

Result<std::vector<ReportSeries>> SqliteStore::report(const FeedbackFilter& filter, Bucket bucket, GroupBy group_by) {
  std::vector<AggRow> rows;
  {
    auto r = read_aggregate(reader_, read_mu_, Question{filter, family_for(filter, group_by), group_by, true, bucket});
    if (!r) return r.error();
    rows = std::move(r.value());
  }
  std::map<std::string, std::map<TimeMs, std::pair<std::int64_t, double>>> folded;
  for (const auto& row : rows) {
    auto& cell = folded[group_by == GroupBy::none ? "all" : row.key][bucket_start(row.t, bucket)];
    cell.first += row.count;
    cell.second += row.sum_units;
  }
  std::vector<ReportSeries> out;
  for (auto& [key, points] : folded) {
    ReportSeries s{key, {}};
    for (auto& [t, cell] : points)
      if (cell.first > 0) s.points.push_back(ReportPoint{t, cell.first, average(cell.second, cell.first)});
    if (!s.points.empty()) out.push_back(std::move(s));
  }
  return out;
}

Result<Totals> SqliteStore::totals(const FeedbackFilter& filter) {
  auto rows = read_aggregate(reader_, read_mu_,
                             Question{filter, family_for(filter, GroupBy::none), GroupBy::sentiment, false, {}});
  if (!rows) return rows.error();
  Totals t;
  for (const char* s : {"positive", "negative", "neutral", "mixed"}) t.by_sentiment[s] = 0;
  double sum = 0;
  for (const auto& row : *rows) {
    t.count += row.count;
    t.by_sentiment[row.key] += row.count;
    sum += row.sum_units;
  }
  t.avg_compound = average(sum, t.count);
  return t;
}

Result<std::vector<ThemeStat>> SqliteStore::top_themes(const FeedbackFilter& filter, std::size_t limit) {
  std::vector<AggRow> rows;
  {
    auto r = read_aggregate(reader_, read_mu_, Question{filter, Family::themes, GroupBy::theme, false, {}});
    if (!r) return r.error();
    rows = std::move(r.value());
  }
  std::map<std::string, std::pair<std::int64_t, double>> by_theme;
  for (const auto& row : rows) {
    auto& cell = by_theme[row.key];
    cell.first += row.count;
    cell.second += row.sum_units;
  }
  std::vector<ThemeStat> out;
  for (const auto& [theme, cell] : by_theme)
    if (cell.first > 0) out.push_back(ThemeStat{theme, cell.first, average(cell.second, cell.first)});
  std::sort(out.begin(), out.end(), [](const ThemeStat& a, const ThemeStat& b) {
    return a.count != b.count ? a.count > b.count : a.theme < b.theme;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Result<std::vector<RatingCount>> SqliteStore::rating_counts(const FeedbackFilter& filter) {
  std::vector<AggRow> rows;
  {
    auto r = read_aggregate(reader_, read_mu_, Question{filter, Family::ratings, GroupBy::source, false, {}});
    if (!r) return r.error();
    rows = std::move(r.value());
  }
  std::map<std::pair<Id, double>, std::int64_t> counts;
  for (const auto& row : rows) counts[{std::stoll(row.key), row.rating}] += row.count;
  std::vector<RatingCount> out;
  for (const auto& [key, n] : counts)
    if (n > 0) out.push_back(RatingCount{key.first, key.second, n});
  return out;
}

}  // namespace chorus::store
