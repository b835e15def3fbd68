// The SQLite store's rollup cubes: one table per (grain, dimensions) projection of the records, from
// the hourly cube with every filter dimension to small daily and monthly ones for long ranges. Their
// tables, upserts and the choice of cube for a query all come from the one list in sqlite_cubes.cpp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
// same hours costs one upsert per row it touches rather than one per record. Text dimensions are kept as
// numbers while folding (each distinct text once per fold), and rows are written in each table's key order.
class Fold {
 public:
  void add(const FeedbackRecord& r, int sign);
  Status write(sqlite::Database& db);
  bool empty() const { return cells_.empty(); }

 private:
  // Unused dimensions are 0 (for texts: the empty text, number 0).
  struct Key {
    Id workspace = 0;
    TimeMs time = 0;
    Id source = 0;
    double rating = 0.0;
    std::uint32_t cube = 0;
    std::uint32_t theme = 0, sentiment = 0, category = 0, language = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Cell {
    std::int64_t count = 0;
    std::int64_t units = 0;  // compound in ten-thousandths
  };
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::uint32_t text_id(std::string_view text);

  std::vector<std::string> texts_{std::string()};
  std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> text_ids_{{std::string(), 0}};
  std::unordered_map<Key, Cell, KeyHash> cells_;
  std::vector<std::uint32_t> theme_ids_;  // add()'s scratch: the numbers of one record's themes
};

}  // namespace chorus::store::cubes
