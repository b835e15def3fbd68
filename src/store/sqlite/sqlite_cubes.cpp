// Rollup cubes: the list, their DDL and upserts, and per-batch folding.
#include "store/sqlite/sqlite_cubes.hpp"

#include <array>
#include <bit>

#include "store/sqlite/sqlite_sql.hpp"

namespace chorus::store::cubes {

namespace {

constexpr unsigned kAll = kSource | kSentiment | kCategory | kLanguage;

// Hourly cubes answer any filter; daily and monthly ones keep what long reports group and filter by.
// Adding a projection here adds its table, keeps it current and lets queries use it.
constexpr std::array kCubes{
    Cube{Family::counts, Grain::hour, "rollup", kAll},
    Cube{Family::counts, Grain::day, "rollup_day", kAll},
    Cube{Family::counts, Grain::day, "rollup_day_sources", kSource | kSentiment},
    Cube{Family::counts, Grain::day, "rollup_day_categories", kSource | kCategory},
    Cube{Family::counts, Grain::day, "rollup_day_languages", kSource | kLanguage},
    Cube{Family::counts, Grain::month, "rollup_month", kAll},
    Cube{Family::themes, Grain::hour, "rollup_themes", kTheme | kAll},
    Cube{Family::themes, Grain::day, "rollup_day_themes", kTheme | kSource | kSentiment},
    Cube{Family::themes, Grain::day, "rollup_day_theme_tone", kTheme | kSentiment},
    Cube{Family::themes, Grain::day, "rollup_day_theme_counts", kTheme},
    Cube{Family::themes, Grain::month, "rollup_month_themes", kTheme | kSource | kSentiment},
    Cube{Family::ratings, Grain::hour, "rollup_ratings", kAll | kRating},
    Cube{Family::ratings, Grain::day, "rollup_day_ratings", kSource | kSentiment | kRating},
    Cube{Family::ratings, Grain::month, "rollup_month_ratings", kSource | kRating},
};

struct Column {
  Dim dim;
  const char* name;
  const char* type;
};
constexpr std::array kColumns{Column{kSource, "source_id", "INTEGER"}, Column{kSentiment, "sentiment", "TEXT"},
                              Column{kCategory, "category", "TEXT"}, Column{kLanguage, "language", "TEXT"},
                              Column{kRating, "rating", "REAL"}};

// Key columns in table order: workspace, time (every read is a time range), theme, the rest.
std::vector<std::string> key_columns(const Cube& c) {
  std::vector<std::string> out{"workspace_id", time_column(c.grain)};
  if (c.dims & kTheme) out.emplace_back("theme");
  for (const auto& col : kColumns)
    if (c.dims & col.dim) out.emplace_back(col.name);
  return out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string upsert_sql(const Cube& c) {
  auto keys = key_columns(c);
  bool sums = c.family != Family::ratings;
  std::string cols = join(keys, ", ") + ", count" + (sums ? ", sum_compound" : "");
  std::string params;
  for (std::size_t i = 1; i <= keys.size() + (sums ? 2 : 1); ++i) params += (i > 1 ? ", ?" : "?") + std::to_string(i);
  std::string n = std::to_string(keys.size() + 1);
  std::string sql = "INSERT INTO " + std::string(c.table) + "(" + cols + ") VALUES(" + params + ") ON CONFLICT(" +
                    join(keys, ", ") + ") DO UPDATE SET count = count + ?" + n;
  if (sums) sql += ", sum_compound = sum_compound + ?" + std::to_string(keys.size() + 2);
  return sql;
}

}  // namespace

std::span<const Cube> all() { return kCubes; }

const char* time_column(Grain g) {
  switch (g) {
    case Grain::hour:
      return "hour";
    case Grain::day:
      return "day";
    case Grain::month:
      return "month";
  }
  return "hour";
}

TimeMs grain_start(TimeMs t, Grain g) {
  switch (g) {
    case Grain::hour:
      return bucket_start(t, Bucket::hour);
    case Grain::day:
      return bucket_start(t, Bucket::day);
    case Grain::month:
      return bucket_start(t, Bucket::month);
  }
  return t;
}

const Cube* covering(Family family, Grain grain, unsigned need) {
  const Cube* best = nullptr;
  for (const auto& c : kCubes)
    if (c.family == family && c.grain == grain && (need & ~c.dims) == 0 &&
        (!best || std::popcount(c.dims) < std::popcount(best->dims)))
      best = &c;
  return best;
}

std::string schema() {
  std::string out;
  for (const auto& c : kCubes) {
    auto keys = key_columns(c);
    out += "CREATE TABLE IF NOT EXISTS " + std::string(c.table) + "(workspace_id INTEGER NOT NULL";
    out += ", " + std::string(time_column(c.grain)) + " INTEGER NOT NULL";
    if (c.dims & kTheme) out += ", theme TEXT NOT NULL";
    for (const auto& col : kColumns)
      if (c.dims & col.dim) out += ", " + std::string(col.name) + " " + col.type + " NOT NULL";
    out += ", count INTEGER NOT NULL";
    if (c.family != Family::ratings) out += ", sum_compound REAL NOT NULL";
    out += ", PRIMARY KEY(" + join(keys, ", ") + ")) WITHOUT ROWID;\n";
  }
  return out;
}

void Fold::add(const FeedbackRecord& r, int sign) {
  const std::int64_t units = sign * sqlite_sql::compound_units(r.sentiment_compound);
  for (std::size_t i = 0; i < kCubes.size(); ++i) {
    const Cube& c = kCubes[i];
    if (c.family == Family::ratings && !r.rating) continue;
    Key key{i,
            "",
            grain_start(r.timestamp, c.grain),
            c.dims & kSource ? r.source_id : 0,
            c.dims & kSentiment ? r.sentiment_type : "",
            c.dims & kCategory ? r.category : "",
            c.dims & kLanguage ? r.language_code : "",
            c.dims & kRating ? *r.rating : 0.0};
    if (c.family == Family::themes) {
      for (const auto& t : r.themes) {
        std::get<1>(key) = t;
        auto& cell = cells_[{r.workspace_id, key}];
        cell.count += sign;
        cell.units += units;
      }
    } else {
      auto& cell = cells_[{r.workspace_id, key}];
      cell.count += sign;
      cell.units += units;
    }
  }
}

Status Fold::write(sqlite::Database& db) {
  std::vector<std::optional<sqlite::Statement>> statements(kCubes.size());
  for (const auto& [wk, cell] : cells_) {
    const auto& [ws, key] = wk;
    if (cell.count == 0 && cell.units == 0) continue;  // a record moved out and back within the batch
    const std::size_t i = std::get<0>(key);
    const Cube& c = kCubes[i];
    if (!statements[i]) {
      auto st = db.prepare(upsert_sql(c));
      if (!st) return st.error();
      statements[i] = std::move(st.value());
    }
    auto& st = *statements[i];
    st.reset();
    int p = 1;
    st.bind(p++, ws);
    st.bind(p++, std::get<2>(key));
    if (c.dims & kTheme) st.bind(p++, std::get<1>(key));
    if (c.dims & kSource) st.bind(p++, std::get<3>(key));
    if (c.dims & kSentiment) st.bind(p++, std::get<4>(key));
    if (c.dims & kCategory) st.bind(p++, std::get<5>(key));
    if (c.dims & kLanguage) st.bind(p++, std::get<6>(key));
    if (c.dims & kRating) st.bind(p++, std::get<7>(key));
    st.bind(p++, cell.count);
    if (c.family != Family::ratings) st.bind(p++, cell.units);
    if (auto s = st.run(); !s) return s;
  }
  cells_.clear();
  return {};
}

}  // namespace chorus::store::cubes
