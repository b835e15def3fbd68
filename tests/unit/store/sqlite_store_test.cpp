// The SQLite store held to the shared store spec.
#include <filesystem>
#include <random>

#include "unit/store/alert_spec.hpp"
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
