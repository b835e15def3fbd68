// The SQLite store's rollup cubes: one table per (grain, dimensions) projection of the records, from
// the hourly cube with every filter dimension to small daily and monthly ones for long ranges. Their
// tables, upserts and the choice of cube for a query all come from the one list in sqlite_cubes.cpp.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>

#include "core/record.hpp"
#include "core/sqlite.hpp"

namespace chorus::store::cubes {

enum Dim : unsigned { kSource = 1, kSentiment = 2, kCategory = 4, kLanguage = 8, kTheme = 16, kRating = 32 };
enum class Family { counts, themes, ratings };  // per record; per record and theme; per rated record
enum class Grain { hour, day, month };

struct Cube {
  Family family;
  Grain grain;
  const char* table;
  unsigned dims;
};

std::span<const Cube> all();
const char* time_column(Grain g);  // "hour", "day", "month"
TimeMs grain_start(TimeMs t, Grain g);

// The smallest cube of `family` at `grain` carrying every dimension in `need`, if any.
const Cube* covering(Family family, Grain grain, unsigned need);

// CREATE TABLE / INDEX IF NOT EXISTS for every cube.
std::string schema();

// One batch's contributions, summed per cube row before they are written, so a batch of records in the
// same hours costs one upsert per row it touches rather than one per record.
class Fold {
 public:
  void add(const FeedbackRecord& r, int sign);
  Status write(sqlite::Database& db);
  bool empty() const { return cells_.empty(); }

 private:
  // theme, time, source, sentiment, category, language, rating (unused dimensions left empty)
  using Key = std::tuple<std::size_t, std::string, TimeMs, Id, std::string, std::string, std::string, double>;
  struct Cell {
    std::int64_t count = 0;
    std::int64_t units = 0;  // compound in ten-thousandths
  };
  std::map<std::pair<Id, Key>, Cell> cells_;  // (workspace, cube index + key)
};

}  // namespace chorus::store::cubes
