// Pieces of SQL shared by the SQLite store's record and rollup files: filter clauses with their
// arguments, theme lists in one column, and the fixed-point unit of compound sums.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/sqlite.hpp"
#include "store/store.hpp"

namespace chorus::store::sqlite_sql {

constexpr TimeMs kHour = 3600000;
constexpr TimeMs kDay = 24 * kHour;

// Compound scores are summed as whole ten-thousandths (the precision the analyser reports), so that
// adding and later removing a record leaves a rollup exactly as it was, and a sum over rollups equals
// the same sum over records bit for bit.
constexpr double kCompoundUnit = 10000.0;
inline std::int64_t compound_units(double compound) { return std::llround(compound * kCompoundUnit); }

inline TimeMs floor_to(TimeMs t, TimeMs unit) {
  TimeMs r = t % unit;
  if (r < 0) r += unit;
  return t - r;
}
inline TimeMs ceil_to(TimeMs t, TimeMs unit) {
  TimeMs f = floor_to(t, unit);
  return f == t ? t : f + unit;
}

// Themes of one record in one column, separated by the ASCII unit separator.
std::string join_themes(const std::vector<std::string>& themes);
std::vector<std::string> split_themes(const std::string& s);

// The tables whose rows can be deleted and whose ids are shown to users (workspaces, sources, syncs, alert rules
// and their deliveries, erasures, dead letters). SQLite gives a new row the largest id in the table plus one, so
// deleting the newest row would hand its id to the next one: another tenant's new workspace would answer to the
// deleted one's URLs and inherit what any role keeps by id. The largest id deleted from each is kept in
// retired_ids (a trigger per table), and inserts take their id from fresh_id_sql.
inline constexpr std::string_view kRetiringTables[] = {"workspaces",       "sources",  "syncs",       "alert_rules",
                                                       "alert_deliveries", "erasures", "dead_letters"};

// An id above every id the table holds or ever held, as an SQL expression to insert (mu_ held, in a transaction
// or a single statement).
inline std::string fresh_id_sql(std::string_view table) {
  const std::string t(table);
  return "(SELECT max(coalesce((SELECT max(id) FROM " + t + "), 0), coalesce((SELECT last FROM retired_ids WHERE " +
         "name = '" + t + "'), 0)) + 1)";
}

// A workspace row: the columns every read of workspaces selects, and the Workspace they make.
inline constexpr std::string_view kWorkspaceColumns = "SELECT id, customer_id, name, created_at, settings FROM workspaces ";
inline Workspace read_workspace(const sqlite::Statement& q) {
  return Workspace{q.int64(0), q.int64(1), q.text(2), q.int64(3), decode_workspace_settings(q.text(4))};
}

// Every row of a stepped statement, each made by read(statement).
template <class T, class Read>
Result<std::vector<T>> read_all(sqlite::Statement& q, Read read) {
  std::vector<T> out;
  if (Status rows = q.each_row([&] { out.push_back(read(q)); }); !rows) return rows.error();
  return out;
}

using SqlArg = std::variant<std::int64_t, std::string>;

struct SqlFilter {
  std::string where;
  std::vector<SqlArg> args;
  // Arguments are built in place: moving a variant of a string trips GCC 12's -Wmaybe-uninitialized.
  void arg(std::int64_t v) { args.emplace_back(std::in_place_type<std::int64_t>, v); }
  void arg(std::string v) { args.emplace_back(std::in_place_type<std::string>, std::move(v)); }
  void add(const std::string& clause, std::int64_t v) {
    where += " AND " + clause;
    arg(v);
  }
  void add(const std::string& clause, std::string v) {
    where += " AND " + clause;
    arg(std::move(v));
  }
};

void bind_all(sqlite::Statement& st, const std::vector<SqlArg>& args, int first = 1);

// Filters on the records table (alias r). With `themes_joined`, record_themes is joined as t and the
// theme and time conditions go to t, whose (workspace, theme, ts) index then serves the query.
SqlFilter record_filter(const FeedbackFilter& f, bool themes_joined);

}  // namespace chorus::store::sqlite_sql
