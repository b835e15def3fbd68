// Rollup cubes: the list, their DDL and upserts, and per-batch folding.
#include "store/sqlite/sqlite_cubes.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <tuple>

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

std::size_t Fold::KeyHash::operator()(const Key& k) const noexcept {
  auto mix = [](std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
  };
  std::uint64_t h = mix(static_cast<std::uint64_t>(k.workspace), static_cast<std::uint64_t>(k.time));
  h = mix(h, static_cast<std::uint64_t>(k.source));
  h = mix(h, std::bit_cast<std::uint64_t>(k.rating));
  h = mix(h, (std::uint64_t{k.cube} << 32) | k.theme);
  h = mix(h, (std::uint64_t{k.sentiment} << 32) | k.category);
  h = mix(h, k.language);
  return static_cast<std::size_t>(h * 0xff51afd7ed558ccdULL >> 7);
}

std::uint32_t Fold::text_id(std::string_view text) {
  if (auto it = text_ids_.find(text); it != text_ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(texts_.size());
  texts_.emplace_back(text);
  text_ids_.emplace(texts_.back(), id);
  return id;
}

void Fold::add(const FeedbackRecord& r, int sign) {
  const std::int64_t units = sign * sqlite_sql::compound_units(r.sentiment_compound);
  const std::uint32_t sentiment = text_id(r.sentiment_type);
  const std::uint32_t category = text_id(r.category);
  const std::uint32_t language = text_id(r.language_code);
  // The record's themes, numbered once for all the theme cubes.
  theme_ids_.clear();
  for (const auto& t : r.themes) theme_ids_.push_back(text_id(t));
  auto bump = [&](const Key& key) {
    auto& cell = cells_[key];
    cell.count += sign;
    cell.units += units;
  };
  for (std::size_t i = 0; i < kCubes.size(); ++i) {
    const Cube& c = kCubes[i];
    if (c.family == Family::ratings && !r.rating) continue;
    Key key;
    key.workspace = r.workspace_id;
    key.cube = static_cast<std::uint32_t>(i);
    key.time = grain_start(r.timestamp, c.grain);
    if (c.dims & kSource) key.source = r.source_id;
    if (c.dims & kSentiment) key.sentiment = sentiment;
    if (c.dims & kCategory) key.category = category;
    if (c.dims & kLanguage) key.language = language;
    if (c.dims & kRating) key.rating = *r.rating;
    if (c.family == Family::themes) {
      for (auto t : theme_ids_) {
        key.theme = t;
        bump(key);
      }
    } else {
      bump(key);
    }
  }
}

Status Fold::write(sqlite::Database& db) {
  // Texts ranked in their order, so rows sort as each table's key does (workspace, time, theme, source,
  // sentiment, category, language, rating) and a batch's upserts walk every table forwards.
  std::vector<std::uint32_t> by_text(texts_.size());
  for (std::uint32_t i = 0; i < by_text.size(); ++i) by_text[i] = i;
  std::sort(by_text.begin(), by_text.end(), [&](auto a, auto b) { return texts_[a] < texts_[b]; });
  std::vector<std::uint32_t> rank(texts_.size());
  for (std::uint32_t i = 0; i < by_text.size(); ++i) rank[by_text[i]] = i;
  // Each row's sort key laid out beside it, texts as their ranks: the sort compares adjacent memory rather than
  // following each comparison into the hash map's nodes and the rank table.
  struct Row {
    std::uint32_t cube;
    Id workspace;
    TimeMs time;
    std::uint32_t theme;
    Id source;
    std::uint32_t sentiment, category, language;
    double rating;
    const std::pair<const Key, Cell>* entry;
    auto order() const { return std::tie(cube, workspace, time, theme, source, sentiment, category, language, rating); }
  };
  std::vector<Row> rows;
  rows.reserve(cells_.size());
  for (const auto& entry : cells_) {
    const Key& k = entry.first;
    if (entry.second.count != 0 || entry.second.units != 0)  // else a record moved out and back within the batch
      rows.push_back(Row{k.cube, k.workspace, k.time, rank[k.theme], k.source, rank[k.sentiment], rank[k.category],
                         rank[k.language], k.rating, &entry});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.order() < b.order(); });
  // Kept by the connection: a batch of one record (a webhook's) would otherwise prepare a statement per cube.
  std::array<sqlite::Statement*, kCubes.size()> statements{};
  for (const Row& row : rows) {
    const auto& [key, cell] = *row.entry;
    const Cube& c = kCubes[key.cube];
    auto& statement = statements[key.cube];
    if (!statement) {
      auto st = db.cached(upsert_sql(c));
      if (!st) return st.error();
      statement = *st;
    }
    auto& st = *statement;
    sqlite::ResetOnExit done(st);
    int p = 1;
    st.bind(p++, key.workspace);
    st.bind(p++, key.time);
    if (c.dims & kTheme) st.bind(p++, texts_[key.theme]);
    if (c.dims & kSource) st.bind(p++, key.source);
    if (c.dims & kSentiment) st.bind(p++, texts_[key.sentiment]);
    if (c.dims & kCategory) st.bind(p++, texts_[key.category]);
    if (c.dims & kLanguage) st.bind(p++, texts_[key.language]);
    if (c.dims & kRating) st.bind(p++, key.rating);
    st.bind(p++, cell.count);
    if (c.family != Family::ratings) st.bind(p++, cell.units);
    if (auto s = st.run(); !s) return s;
  }
  cells_.clear();
  return {};
}

}  // namespace chorus::store::cubes
