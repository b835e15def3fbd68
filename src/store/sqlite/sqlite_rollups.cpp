// SQLite store: rollups, kept exactly once per record revision by the reports role, and the aggregate
// queries (report, totals, top themes, ratings) answered from them.
//
// Rollups come in two grains. Hourly cubes keep every filter dimension; daily cubes keep the few that
// long reports slice by (source, sentiment, and category and language where there is no theme), so a
// year at day buckets reads a few hundred rows per series. A query range is cut into its whole days,
// the whole hours at its edges and the minutes beyond them: each piece is read from the coarsest cube
// that can answer it, and only the minutes at unaligned edges (or a text filter) touch the records.
#include <map>

#include "store/sqlite/sqlite_sql.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace chorus::store {

using namespace sqlite_sql;

namespace {

enum Dim : unsigned { kSource = 1, kSentiment = 2, kCategory = 4, kLanguage = 8, kTheme = 16 };
enum class Family { counts, themes, ratings };
enum class Level { records, hour, day };

struct Cube {
  const char* table;
  const char* time_column;
  unsigned dims;
};

Cube cube(Family family, Level level) {
  const bool day = level == Level::day;
  switch (family) {
    case Family::counts:
      return day ? Cube{"rollup_day", "day", kSource | kSentiment | kCategory | kLanguage}
                 : Cube{"rollup", "hour", kSource | kSentiment | kCategory | kLanguage};
    case Family::themes:
      return day ? Cube{"rollup_day_themes", "day", kTheme | kSource | kSentiment}
                 : Cube{"rollup_themes", "hour", kTheme | kSource | kSentiment | kCategory | kLanguage};
    case Family::ratings:
      return day ? Cube{"rollup_day_ratings", "day", kSource | kSentiment}
                 : Cube{"rollup_ratings", "hour", kSource | kSentiment | kCategory | kLanguage};
  }
  return Cube{"rollup", "hour", 0};
}

unsigned dim_of(GroupBy g) {
  switch (g) {
    case GroupBy::none:
      return 0;
    case GroupBy::source:
      return kSource;
    case GroupBy::sentiment:
      return kSentiment;
    case GroupBy::category:
      return kCategory;
    case GroupBy::language:
      return kLanguage;
    case GroupBy::theme:
      return kTheme;
  }
  return 0;
}

unsigned dims_of(const FeedbackFilter& f) {
  unsigned d = 0;
  if (f.source_id) d |= kSource;
  if (f.sentiment) d |= kSentiment;
  if (f.category) d |= kCategory;
  if (f.language) d |= kLanguage;
  if (f.theme) d |= kTheme;
  return d;
}

const char* key_column(GroupBy g, Level level) {
  const bool rollup = level != Level::records;
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
  std::optional<Bucket> bucket;  // the report's bucket; day cubes serve only buckets of a day or more
};

// The coarsest level whose cubes carry every dimension the question filters or groups on.
Level coarsest_level(const Question& q) {
  if (q.filter.from_records || q.filter.q) return Level::records;
  unsigned need = dims_of(q.filter) | dim_of(q.group_by);
  if (q.family == Family::ratings && (need & kTheme)) return Level::records;
  auto fits = [&](Level l) { return (need & ~cube(q.family, l).dims) == 0; };
  if (fits(Level::day) && (!q.bucket || *q.bucket != Bucket::hour)) return Level::day;
  if (fits(Level::hour)) return Level::hour;
  return Level::records;
}

struct Segment {
  std::optional<TimeMs> from, to;
  Level level;
};

// Cuts [from, to) into whole units of `level` and, at unaligned edges, pieces for the finer levels.
void plan(std::optional<TimeMs> from, std::optional<TimeMs> to, Level level, std::vector<Segment>& out) {
  if (level == Level::records) {
    out.push_back({from, to, level});
    return;
  }
  const TimeMs unit = level == Level::day ? kDay : kHour;
  const Level finer = level == Level::day ? Level::hour : Level::records;
  std::optional<TimeMs> a = from ? std::optional<TimeMs>(ceil_to(*from, unit)) : std::nullopt;
  std::optional<TimeMs> b = to ? std::optional<TimeMs>(floor_to(*to, unit)) : std::nullopt;
  if (a && b && *a >= *b) {
    plan(from, to, finer, out);
    return;
  }
  if (from && *a > *from) plan(from, a, finer, out);
  out.push_back({a, b, level});
  if (to && *to > *b) plan(b, to, finer, out);
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
    return "SELECT " + t + ", " + key_column(q.group_by, seg.level) + ", 0, count(*), sum(round(r.compound * " +
           std::to_string(static_cast<int>(kCompoundUnit)) + ")) FROM " + from + " WHERE " + f.where +
           " GROUP BY 1, 2, 3";
  }
  Cube c = cube(q.family, seg.level);
  std::string time = std::string("u.") + c.time_column;
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
  return "SELECT " + t + ", " + key_column(q.group_by, seg.level) + ", 0, sum(u.count), sum(u.sum_compound) FROM " +
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
    for (;;) {
      auto row = st->step();
      if (!row) return row.error();
      if (!*row) break;
      rows.push_back(AggRow{st->int64(0), st->text(1), st->real(2), st->int64(3), st->real(4)});
    }
  }
  return rows;
}

double average(double sum_units, std::int64_t n) {
  return n ? sum_units / kCompoundUnit / static_cast<double>(n) : 0.0;
}

Family family_for(const FeedbackFilter& f, GroupBy g) {
  return (f.theme || g == GroupBy::theme) ? Family::themes : Family::counts;
}

}  // namespace

// The upserts of one fold, prepared once per batch.
struct SqliteStore::RollupStatements {
  sqlite::Statement hour, day, theme_hour, theme_day, rating_hour, rating_day;

  static Result<RollupStatements> prepare(sqlite::Database& db) {
    RollupStatements s;
    const std::pair<sqlite::Statement*, std::string_view> sql[] = {
        {&s.hour,
         "INSERT INTO rollup(workspace_id, hour, source_id, sentiment, category, language, count, sum_compound) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(workspace_id, hour, source_id, sentiment, category, "
         "language) DO UPDATE SET count = count + ?7, sum_compound = sum_compound + ?8"},
        {&s.day,
         "INSERT INTO rollup_day(workspace_id, day, source_id, sentiment, category, language, count, sum_compound) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(workspace_id, day, source_id, sentiment, category, "
         "language) DO UPDATE SET count = count + ?7, sum_compound = sum_compound + ?8"},
        {&s.theme_hour,
         "INSERT INTO rollup_themes(workspace_id, theme, hour, source_id, sentiment, category, language, count, "
         "sum_compound) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(workspace_id, theme, hour, "
         "source_id, sentiment, category, language) DO UPDATE SET count = count + ?8, sum_compound = sum_compound "
         "+ ?9"},
        {&s.theme_day,
         "INSERT INTO rollup_day_themes(workspace_id, theme, day, source_id, sentiment, count, sum_compound) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(workspace_id, theme, day, source_id, sentiment) DO UPDATE "
         "SET count = count + ?6, sum_compound = sum_compound + ?7"},
        {&s.rating_hour,
         "INSERT INTO rollup_ratings(workspace_id, hour, source_id, sentiment, category, language, rating, count) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(workspace_id, hour, source_id, sentiment, category, "
         "language, rating) DO UPDATE SET count = count + ?8"},
        {&s.rating_day,
         "INSERT INTO rollup_day_ratings(workspace_id, day, source_id, sentiment, rating, count) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(workspace_id, day, source_id, sentiment, rating) DO UPDATE "
         "SET count = count + ?6"},
    };
    for (const auto& [stmt, text] : sql) {
      auto p = db.prepare(text);
      if (!p) return p.error();
      *stmt = std::move(p.value());
    }
    return s;
  }
};

Status SqliteStore::fold_rollup(RollupStatements& st, const FeedbackRecord& r, int sign) {
  const TimeMs hour = floor_to(r.timestamp, kHour);
  const TimeMs day = floor_to(r.timestamp, kDay);
  const std::int64_t units = sign * compound_units(r.sentiment_compound);
  for (auto [stmt, t] : {std::pair{&st.hour, hour}, std::pair{&st.day, day}}) {
    stmt->reset();
    stmt->bind(1, r.workspace_id).bind(2, t).bind(3, r.source_id).bind(4, r.sentiment_type).bind(5, r.category);
    stmt->bind(6, r.language_code).bind(7, sign).bind(8, units);
    if (auto s = stmt->run(); !s) return s;
  }
  for (const auto& theme : r.themes) {
    st.theme_hour.reset();
    st.theme_hour.bind(1, r.workspace_id).bind(2, theme).bind(3, hour).bind(4, r.source_id).bind(5, r.sentiment_type);
    st.theme_hour.bind(6, r.category).bind(7, r.language_code).bind(8, sign).bind(9, units);
    if (auto s = st.theme_hour.run(); !s) return s;
    st.theme_day.reset();
    st.theme_day.bind(1, r.workspace_id).bind(2, theme).bind(3, day).bind(4, r.source_id).bind(5, r.sentiment_type);
    st.theme_day.bind(6, sign).bind(7, units);
    if (auto s = st.theme_day.run(); !s) return s;
  }
  if (r.rating) {
    st.rating_hour.reset();
    st.rating_hour.bind(1, r.workspace_id).bind(2, hour).bind(3, r.source_id).bind(4, r.sentiment_type);
    st.rating_hour.bind(5, r.category).bind(6, r.language_code).bind(7, *r.rating).bind(8, sign);
    if (auto s = st.rating_hour.run(); !s) return s;
    st.rating_day.reset();
    st.rating_day.bind(1, r.workspace_id).bind(2, day).bind(3, r.source_id).bind(4, r.sentiment_type);
    st.rating_day.bind(5, *r.rating).bind(6, sign);
    if (auto s = st.rating_day.run(); !s) return s;
  }
  return {};
}

// The contribution of a record as rollup_applied remembers it (column order of kAppliedColumns).
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

Status SqliteStore::apply_rollups(const std::vector<FeedbackRecord>& records) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto folds = RollupStatements::prepare(db_);
  if (!folds) return folds.error();
  auto sel = db_.prepare(
      "SELECT revision, hour, source_id, sentiment, category, language, compound, themes, rating FROM "
      "rollup_applied WHERE workspace_id = ? AND uid = ?");
  auto put = db_.prepare(
      "INSERT OR REPLACE INTO rollup_applied(workspace_id, uid, revision, hour, source_id, sentiment, category, "
      "language, compound, themes, rating) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!sel) return sel.error();
  if (!put) return put.error();
  for (const auto& r : records) {
    sel->reset();
    sel->bind(1, r.workspace_id).bind(2, r.unique_identifier);
    auto row = sel->step();
    if (!row) return row.error();
    if (*row) {
      if (sel->int64(0) >= r.revision) continue;  // this revision (or a newer one) is already counted
      if (auto s = fold_rollup(*folds, applied_contribution(*sel, 1, r.workspace_id), -1); !s) return s;
    }
    sel->reset();
    if (auto s = fold_rollup(*folds, r, +1); !s) return s;
    put->reset();
    put->bind(1, r.workspace_id).bind(2, r.unique_identifier).bind(3, r.revision).bind(4, floor_to(r.timestamp, kHour));
    put->bind(5, r.source_id).bind(6, r.sentiment_type).bind(7, r.category).bind(8, r.language_code);
    put->bind(9, r.sentiment_compound).bind(10, join_themes(r.themes)).bind(11, r.rating);
    if (auto s = put->run(); !s) return s;
  }
  return tx.commit();
}

Status SqliteStore::rebuild_rollups() {
  for (const char* table :
       {"rollup", "rollup_day", "rollup_themes", "rollup_day_themes", "rollup_ratings", "rollup_day_ratings"})
    if (auto s = db_.exec(std::string("DELETE FROM ") + table); !s) return s;
  auto folds = RollupStatements::prepare(db_);
  if (!folds) return folds.error();
  auto all = db_.prepare(
      "SELECT workspace_id, hour, source_id, sentiment, category, language, compound, themes, rating FROM "
      "rollup_applied");
  if (!all) return all.error();
  for (;;) {
    auto row = all->step();
    if (!row) return row.error();
    if (!*row) break;
    if (auto s = fold_rollup(*folds, applied_contribution(*all, 1, all->int64(0)), +1); !s) return s;
  }
  return {};
}

Result<std::vector<ReportSeries>> SqliteStore::report(const FeedbackFilter& filter, Bucket bucket, GroupBy group_by) {
  std::vector<AggRow> rows;
  {
    std::lock_guard lock(mu_);
    auto r = aggregate(db_, Question{filter, family_for(filter, group_by), group_by, true, bucket});
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
  std::lock_guard lock(mu_);
  auto rows = aggregate(db_, Question{filter, family_for(filter, GroupBy::none), GroupBy::sentiment, false, {}});
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
    std::lock_guard lock(mu_);
    auto r = aggregate(db_, Question{filter, Family::themes, GroupBy::theme, false, {}});
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
    std::lock_guard lock(mu_);
    auto r = aggregate(db_, Question{filter, Family::ratings, GroupBy::source, false, {}});
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
