// SQLite store: records (upsert, queries, near-duplicate lookup) and rollups (kept by the reports role).
#include <algorithm>
#include <bit>
#include <charconv>
#include <variant>

#include "store/sqlite/sqlite_store.hpp"

namespace chorus::store {

namespace {

constexpr TimeMs kHour = 3600000;

TimeMs hour_of(TimeMs t) { return bucket_start(t, Bucket::hour); }

std::string join_themes(const std::vector<std::string>& themes) {
  std::string out;
  for (const auto& t : themes) {
    if (!out.empty()) out += '\x1f';
    out += t;
  }
  return out;
}

std::vector<std::string> split_themes(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find('\x1f', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
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

using SqlArg = std::variant<std::int64_t, std::string>;

struct SqlFilter {
  std::string where;
  std::vector<SqlArg> args;
  void add(std::string clause, SqlArg arg) {
    where += " AND " + clause;
    args.push_back(std::move(arg));
  }
};

void bind_all(sqlite::Statement& st, const std::vector<SqlArg>& args, int first = 1) {
  int i = first;
  for (const auto& a : args) {
    if (std::holds_alternative<std::int64_t>(a))
      st.bind(i++, std::get<std::int64_t>(a));
    else
      st.bind(i++, std::get<std::string>(a));
  }
}

// Filters on the records table (alias r; record_themes alias t when joined).
SqlFilter record_filter(const FeedbackFilter& f, bool themes_joined) {
  SqlFilter s;
  s.where = "r.workspace_id = ?";
  s.args.push_back(f.workspace_id);
  if (f.from) s.add("r.ts >= ?", *f.from);
  if (f.to) s.add("r.ts < ?", *f.to);
  if (f.source_id) s.add("r.source_id = ?", *f.source_id);
  if (f.sentiment) s.add("r.sentiment = ?", *f.sentiment);
  if (f.category) s.add("r.category = ?", *f.category);
  if (f.language) s.add("r.language = ?", *f.language);
  if (f.q) s.add("r.search_text LIKE ? ESCAPE '\\'", like_pattern(*f.q));
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

// Filters on a rollup table (alias u).
SqlFilter rollup_filter(const FeedbackFilter& f) {
  SqlFilter s;
  s.where = "u.workspace_id = ?";
  s.args.push_back(f.workspace_id);
  if (f.from) s.add("u.hour >= ?", *f.from);
  if (f.to) s.add("u.hour < ?", *f.to);
  if (f.source_id) s.add("u.source_id = ?", *f.source_id);
  if (f.sentiment) s.add("u.sentiment = ?", *f.sentiment);
  if (f.category) s.add("u.category = ?", *f.category);
  if (f.language) s.add("u.language = ?", *f.language);
  if (f.theme) s.add("u.theme = ?", *f.theme);
  return s;
}

bool rollups_can_answer(const FeedbackFilter& f) {
  auto aligned = [](const std::optional<TimeMs>& t) { return !t || hour_of(*t) == *t; };
  return !f.q && aligned(f.from) && aligned(f.to);
}

const char* key_column(GroupBy g, bool rollup) {
  switch (g) {
    case GroupBy::none: return "''";
    case GroupBy::source: return rollup ? "CAST(u.source_id AS TEXT)" : "CAST(r.source_id AS TEXT)";
    case GroupBy::sentiment: return rollup ? "u.sentiment" : "r.sentiment";
    case GroupBy::category: return rollup ? "u.category" : "r.category";
    case GroupBy::language: return rollup ? "u.language" : "r.language";
    case GroupBy::theme: return rollup ? "u.theme" : "t.theme";
  }
  return "''";
}

struct AggRow {
  TimeMs hour;
  std::string key;
  std::int64_t count;
  double sum;
};

std::optional<std::pair<TimeMs, std::int64_t>> parse_cursor(const std::string& c) {
  auto colon = c.find(':');
  if (colon == std::string::npos) return std::nullopt;
  TimeMs ts = 0;
  std::int64_t uid = 0;
  auto a = std::from_chars(c.data(), c.data() + colon, ts);
  auto b = std::from_chars(c.data() + colon + 1, c.data() + c.size(), uid);
  if (a.ec != std::errc() || a.ptr != c.data() + colon || b.ec != std::errc() || b.ptr != c.data() + c.size())
    return std::nullopt;
  return std::make_pair(ts, uid);
}

}  // namespace

Result<FeedbackRecord> SqliteStore::upsert_record(const FeedbackRecord& in, bool& existed) {
  auto sel = db_.prepare("SELECT body, revision, received_at FROM records WHERE workspace_id = ? AND uid = ?");
  if (!sel) return sel.error();
  sel->bind(1, in.workspace_id).bind(2, in.unique_identifier);
  auto row = sel->step();
  if (!row) return row.error();
  FeedbackRecord r = in;
  r.revision = 1;
  // A theme counts once per record, however often the analyser named it.
  std::vector<std::string> unique;
  for (auto& t : r.themes)
    if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(std::move(t));
  r.themes = std::move(unique);
  existed = *row;
  if (*row) {
    r.revision = sel->int64(1) + 1;
    r.received_at = sel->int64(2);  // first seen stays first seen
  }
  std::string search = r.title ? *r.title + "\n" + r.text : r.text;
  auto up = db_.prepare(
      "INSERT INTO records(workspace_id, uid, source_id, ts, received_at, sentiment, compound, category, language, "
      "simhash, revision, search_text, body) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
      "ON CONFLICT(workspace_id, uid) DO UPDATE SET source_id = ?3, ts = ?4, sentiment = ?6, compound = ?7, "
      "category = ?8, language = ?9, simhash = ?10, revision = ?11, search_text = ?12, body = ?13");
  if (!up) return up.error();
  up->bind(1, r.workspace_id).bind(2, r.unique_identifier).bind(3, r.source_id).bind(4, r.timestamp);
  up->bind(5, r.received_at).bind(6, r.sentiment_type).bind(7, r.sentiment_compound).bind(8, r.category);
  up->bind(9, r.language_code).bind(10, static_cast<std::int64_t>(r.simhash)).bind(11, r.revision);
  up->bind(12, search).bind(13, to_json_string(record_to_json(r)));
  if (auto s = up->run(); !s) return s.error();

  auto del = db_.prepare("DELETE FROM record_themes WHERE workspace_id = ? AND uid = ?");
  if (!del) return del.error();
  if (auto s = del->bind(1, r.workspace_id).bind(2, r.unique_identifier).run(); !s) return s.error();
  auto ins = db_.prepare("INSERT OR IGNORE INTO record_themes(workspace_id, uid, theme) VALUES(?, ?, ?)");
  if (!ins) return ins.error();
  for (const auto& t : r.themes) {
    ins->reset();
    if (auto s = ins->bind(1, r.workspace_id).bind(2, r.unique_identifier).bind(3, t).run(); !s) return s.error();
  }

  // Four 16-bit bands of the SimHash: any two fingerprints within 3 bits share at least one band.
  auto bdel = db_.prepare("DELETE FROM record_bands WHERE workspace_id = ? AND uid = ?");
  if (!bdel) return bdel.error();
  if (auto s = bdel->bind(1, r.workspace_id).bind(2, r.unique_identifier).run(); !s) return s.error();
  if (r.simhash != 0) {
    auto bins = db_.prepare("INSERT OR IGNORE INTO record_bands(workspace_id, band, value, uid) VALUES(?, ?, ?, ?)");
    if (!bins) return bins.error();
    for (int band = 0; band < 4; ++band) {
      bins->reset();
      auto value = static_cast<std::int64_t>((r.simhash >> (16 * band)) & 0xffff);
      if (auto s = bins->bind(1, r.workspace_id).bind(2, band).bind(3, value).bind(4, r.unique_identifier).run(); !s)
        return s.error();
    }
  }
  return r;
}

Result<std::vector<FeedbackRecord>> SqliteStore::commit_page(const PageCommit& page) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  std::vector<FeedbackRecord> stored;
  std::int64_t fresh = 0;
  for (const auto& r : page.records) {
    bool existed = false;
    auto s = upsert_record(r, existed);
    if (!s) return s.error();
    stored.push_back(std::move(s.value()));
    fresh += existed ? 0 : 1;
  }
  auto src = db_.prepare(
      "UPDATE sources SET items_total = items_total + ?1, cursor = COALESCE(?2, cursor) WHERE id = ?3");
  if (!src) return src.error();
  if (auto s = src->bind(1, fresh).bind(2, page.cursor).bind(3, page.source_id).run(); !s) return s.error();
  if (page.sync_id) {
    auto sy = db_.prepare(
        "UPDATE syncs SET items = items + ?1, new_items = new_items + ?2, updated_at = ?3, "
        "state = CASE WHEN ?4 THEN 'done' ELSE state END WHERE id = ?5");
    if (!sy) return sy.error();
    std::int64_t n = static_cast<std::int64_t>(page.records.size());
    if (auto s = sy->bind(1, n).bind(2, fresh).bind(3, now_ms()).bind(4, page.sync_finished ? 1 : 0)
                     .bind(5, *page.sync_id).run();
        !s)
      return s.error();
  }
  if (page.sync_finished) {
    auto st = db_.prepare(
        "UPDATE sources SET state = 'ok', last_error = NULL, last_sync_at = ? WHERE id = ?");
    if (!st) return st.error();
    if (auto s = st->bind(1, now_ms()).bind(2, page.source_id).run(); !s) return s.error();
  }
  if (auto s = tx.commit(); !s) return s.error();
  return stored;
}

Result<FeedbackRecord> SqliteStore::get_record(Id workspace_id, std::int64_t uid) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT body FROM records WHERE workspace_id = ? AND uid = ?");
  if (!q) return q.error();
  q->bind(1, workspace_id).bind(2, uid);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::not_found, "feedback " + std::to_string(uid) + " does not exist");
  auto body = parse_json(q->text(0));
  if (!body) return make_error(ErrorCode::internal, "stored record " + std::to_string(uid) + " is corrupt");
  return record_from_json(*body);
}

Result<FeedbackPage> SqliteStore::query_feedback(const FeedbackFilter& filter, std::size_t limit,
                                                 const std::optional<std::string>& cursor) {
  SqlFilter f = record_filter(filter, false);
  if (cursor) {
    auto c = parse_cursor(*cursor);
    if (!c) return make_error(ErrorCode::bad_request, "cursor is not one this server issued; start without it");
    f.where += " AND (r.ts < ? OR (r.ts = ? AND r.uid < ?))";
    f.args.push_back(c->first);
    f.args.push_back(c->first);
    f.args.push_back(c->second);
  }
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT r.body, r.ts, r.uid FROM records r WHERE " + f.where +
                       " ORDER BY r.ts DESC, r.uid DESC LIMIT ?");
  if (!q) return q.error();
  bind_all(*q, f.args);
  q->bind(static_cast<int>(f.args.size()) + 1, static_cast<std::int64_t>(limit + 1));
  FeedbackPage page;
  TimeMs last_ts = 0;
  std::int64_t last_uid = 0;
  for (;;) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    if (page.items.size() == limit) {
      page.next_cursor = std::to_string(last_ts) + ":" + std::to_string(last_uid);
      break;
    }
    auto body = parse_json(q->text(0));
    if (!body) continue;
    auto rec = record_from_json(*body);
    if (!rec) continue;
    page.items.push_back(std::move(rec.value()));
    last_ts = q->int64(1);
    last_uid = q->int64(2);
  }
  return page;
}

Result<std::optional<std::int64_t>> SqliteStore::find_near_duplicate(Id workspace_id, std::uint64_t simhash,
                                                                     int max_distance, std::int64_t self, TimeMs self_ts) {
  if (simhash == 0) return std::optional<std::int64_t>{};
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT DISTINCT r.uid, r.simhash, r.ts FROM record_bands b JOIN records r ON r.workspace_id = b.workspace_id "
      "AND r.uid = b.uid WHERE b.workspace_id = ?1 AND b.uid != ?2 AND ((b.band = 0 AND b.value = ?3) OR "
      "(b.band = 1 AND b.value = ?4) OR (b.band = 2 AND b.value = ?5) OR (b.band = 3 AND b.value = ?6))");
  if (!q) return q.error();
  q->bind(1, workspace_id).bind(2, self);
  for (int band = 0; band < 4; ++band) q->bind(3 + band, static_cast<std::int64_t>((simhash >> (16 * band)) & 0xffff));
  std::optional<std::pair<TimeMs, std::int64_t>> best;
  for (;;) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    auto other = static_cast<std::uint64_t>(q->int64(1));
    if (std::popcount(other ^ simhash) > max_distance) continue;
    std::pair<TimeMs, std::int64_t> cand{q->int64(2), q->int64(0)};
    if (!(cand < std::make_pair(self_ts, self))) continue;
    if (!best || cand < *best) best = cand;
  }
  if (!best) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{best->second};
}

Status SqliteStore::fold_rollup(const FeedbackRecord& r, int sign) {
  auto up = db_.prepare(
      "INSERT INTO rollup(workspace_id, hour, source_id, sentiment, category, language, count, sum_compound) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(workspace_id, hour, source_id, sentiment, category, "
      "language) DO UPDATE SET count = count + ?7, sum_compound = sum_compound + ?8");
  if (!up) return up.error();
  TimeMs hour = hour_of(r.timestamp);
  double c = sign * r.sentiment_compound;
  up->bind(1, r.workspace_id).bind(2, hour).bind(3, r.source_id).bind(4, r.sentiment_type).bind(5, r.category);
  up->bind(6, r.language_code).bind(7, sign).bind(8, c);
  if (auto s = up->run(); !s) return s;
  auto th = db_.prepare(
      "INSERT INTO rollup_themes(workspace_id, theme, hour, source_id, sentiment, category, language, count, "
      "sum_compound) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(workspace_id, theme, hour, source_id, "
      "sentiment, category, language) DO UPDATE SET count = count + ?8, sum_compound = sum_compound + ?9");
  if (!th) return th.error();
  for (const auto& t : r.themes) {
    th->reset();
    th->bind(1, r.workspace_id).bind(2, t).bind(3, hour).bind(4, r.source_id).bind(5, r.sentiment_type);
    th->bind(6, r.category).bind(7, r.language_code).bind(8, sign).bind(9, c);
    if (auto s = th->run(); !s) return s;
  }
  return {};
}

Status SqliteStore::apply_rollups(const std::vector<FeedbackRecord>& records) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto sel = db_.prepare(
      "SELECT revision, hour, source_id, sentiment, category, language, compound, themes FROM rollup_applied "
      "WHERE workspace_id = ? AND uid = ?");
  auto put = db_.prepare(
      "INSERT OR REPLACE INTO rollup_applied(workspace_id, uid, revision, hour, source_id, sentiment, category, "
      "language, compound, themes) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!sel) return sel.error();
  if (!put) return put.error();
  for (const auto& r : records) {
    sel->reset();
    sel->bind(1, r.workspace_id).bind(2, r.unique_identifier);
    auto row = sel->step();
    if (!row) return row.error();
    if (*row) {
      if (sel->int64(0) >= r.revision) continue;  // this revision (or a newer one) is already counted
      FeedbackRecord old;
      old.workspace_id = r.workspace_id;
      old.timestamp = sel->int64(1);
      old.source_id = sel->int64(2);
      old.sentiment_type = sel->text(3);
      old.category = sel->text(4);
      old.language_code = sel->text(5);
      old.sentiment_compound = sel->real(6);
      old.themes = split_themes(sel->text(7));
      if (auto s = fold_rollup(old, -1); !s) return s;
    }
    if (auto s = fold_rollup(r, +1); !s) return s;
    put->reset();
    put->bind(1, r.workspace_id).bind(2, r.unique_identifier).bind(3, r.revision).bind(4, hour_of(r.timestamp));
    put->bind(5, r.source_id).bind(6, r.sentiment_type).bind(7, r.category).bind(8, r.language_code);
    put->bind(9, r.sentiment_compound).bind(10, join_themes(r.themes));
    if (auto s = put->run(); !s) return s;
  }
  return tx.commit();
}

namespace {

// Hour x key aggregates, from rollups when they can answer the filter, else from the records.
Result<std::vector<AggRow>> aggregate(sqlite::Database& db, const FeedbackFilter& filter, GroupBy group_by,
                                      bool by_hour) {
  bool rollup = rollups_can_answer(filter);
  bool themes = group_by == GroupBy::theme || filter.theme;
  std::string hour_expr = by_hour ? (rollup ? "u.hour" : "(r.ts - (((r.ts % 3600000) + 3600000) % 3600000))") : "0";
  std::string sql;
  SqlFilter f;
  if (rollup) {
    f = rollup_filter(filter);
    sql = "SELECT " + hour_expr + ", " + key_column(group_by, true) + ", sum(u.count), sum(u.sum_compound) FROM " +
          (themes ? "rollup_themes" : "rollup") + " u WHERE " + f.where + " GROUP BY 1, 2 HAVING sum(u.count) > 0";
  } else {
    f = record_filter(filter, themes);
    sql = "SELECT " + hour_expr + ", " + key_column(group_by, false) + ", count(*), sum(r.compound) FROM records r " +
          (themes ? "JOIN record_themes t ON t.workspace_id = r.workspace_id AND t.uid = r.uid " : "") + "WHERE " +
          f.where + " GROUP BY 1, 2";
  }
  auto q = db.prepare(sql);
  if (!q) return q.error();
  bind_all(*q, f.args);
  std::vector<AggRow> rows;
  for (;;) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    rows.push_back(AggRow{q->int64(0), q->text(1), q->int64(2), q->real(3)});
  }
  return rows;
}

double average(double sum, std::int64_t n) { return n ? sum / static_cast<double>(n) : 0.0; }

}  // namespace

Result<std::vector<ReportSeries>> SqliteStore::report(const FeedbackFilter& filter, Bucket bucket, GroupBy group_by) {
  std::vector<AggRow> rows;
  {
    std::lock_guard lock(mu_);
    auto r = aggregate(db_, filter, group_by, true);
    if (!r) return r.error();
    rows = std::move(r.value());
  }
  std::map<std::string, std::map<TimeMs, std::pair<std::int64_t, double>>> folded;
  for (const auto& row : rows) {
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

Result<Totals> SqliteStore::totals(const FeedbackFilter& filter) {
  std::lock_guard lock(mu_);
  auto rows = aggregate(db_, filter, GroupBy::sentiment, false);
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

Result<std::vector<ThemeStat>> SqliteStore::top_themes(const FeedbackFilter& filter, std::size_t limit) {
  std::vector<AggRow> rows;
  {
    std::lock_guard lock(mu_);
    auto r = aggregate(db_, filter, GroupBy::theme, false);
    if (!r) return r.error();
    rows = std::move(r.value());
  }
  std::vector<ThemeStat> out;
  for (const auto& row : rows) out.push_back(ThemeStat{row.key, row.count, average(row.sum, row.count)});
  std::sort(out.begin(), out.end(), [](const ThemeStat& a, const ThemeStat& b) {
    return a.count != b.count ? a.count > b.count : a.theme < b.theme;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace chorus::store
