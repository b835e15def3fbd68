// The SQLite store held to the shared store spec.
#include <filesystem>
#include <random>

#include "core/sqlite.hpp"
#include "unit/store/alert_spec.hpp"
#include "unit/store/governance_spec.hpp"
#include "unit/store/store_spec.hpp"
#include "unit/store/taxonomy_spec.hpp"

namespace chorus::store {
namespace {

class SqliteBackend final : public StoreBackend {
 public:
  SqliteBackend() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("chorus-store-" + std::to_string(rd()));
  }
  ~SqliteBackend() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Result<std::unique_ptr<Store>> open() override { return open_sqlite_store(dir_); }
  std::vector<std::string> rows_of_workspace(Id ws) override {
    auto db = sqlite::Database::open(dir_ / "chorus.db", sqlite::OpenOptions{.what = "", .wal = false});
    if (!db) return {"cannot open the database: " + db.error().message};
    std::vector<std::pair<std::string, std::string>> columns{{"workspaces", "id"}};
    auto tables = db->prepare(
        "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND "
        "c.name IN ('workspace', 'workspace_id') ORDER BY 1");
    if (!tables) return {tables.error().message};
    while (auto row = tables->step()) {
      if (!*row) break;
      columns.emplace_back(tables->text(0), tables->text(1));
    }
    std::vector<std::string> out;
    if (columns.size() < 10) out.push_back("only " + std::to_string(columns.size()) + " tables found to walk");
    for (const auto& [table, column] : columns) {
      auto q = db->prepare("SELECT count(*) FROM \"" + table + "\" WHERE \"" + column + "\" = ?");
      if (!q) return {q.error().message};
      q->bind(1, ws);
      if (auto row = q->step(); !row) return {row.error().message};
      if (q->int64(0) > 0) out.push_back(table + "." + column + ": " + std::to_string(q->int64(0)));
    }
    return out;
  }

 private:
  std::filesystem::path dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSpec,
                         ::testing::Values(BackendFactory{"sqlite",
                                                          [](std::string&) -> std::unique_ptr<StoreBackend> {
                                                            return std::make_unique<SqliteBackend>();
                                                          }}),
                         backend_name);

}  // namespace
}  // namespace chorus::store
