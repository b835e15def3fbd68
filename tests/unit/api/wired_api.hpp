// A router over a throwaway data dir (SQLite store, embedded bus, a fixed secret box), wired by each test
// suite as `chorus serve` wires it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "api/context.hpp"
#include "bus/bus.hpp"
#include "store/store.hpp"

namespace chorus::api {

class WiredApi : public ::testing::Test {
 protected:
  // The routes the suite serves.
  virtual void wire(http::Router& router, AppContext& ctx) = 0;

  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chorus-api-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto store = store::open_sqlite_store(dir_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store.value());
    auto bus = bus::open_embedded_bus(dir_);
    ASSERT_TRUE(bus) << bus.error().message;
    bus_ = std::move(bus.value());
    box_.emplace(SecretBox::from_raw_key(std::string(32, 'k')));
    ctx_.reset(new AppContext{*store_, *bus_, *box_, "admin-key", metrics_, nullptr, ""});
    wire(router_, *ctx_);
  }
  void TearDown() override {
    router_ = http::Router();  // workers behind the routes stop before the store they use
    ctx_.reset();
    bus_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<bus::Bus> bus_;
  std::optional<SecretBox> box_;
  Metrics metrics_;
  std::unique_ptr<AppContext> ctx_;
  http::Router router_;
};

}  // namespace chorus::api
