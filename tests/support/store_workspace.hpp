// A test over a real SQLite store in a throwaway directory: one customer, one workspace, one jsonl source,
// and records committed the way the parser commits them (one page, then the rollups).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace chorus::testing {

class StoreWorkspace : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chorus-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = store::open_sqlite_store(dir_);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
    auto c = store_->create_customer("acme", "hash");
    ws_ = store_->create_workspace(c->id, "app")->id;
    store::Source src;
    src.workspace_id = ws_;
    src.type = "jsonl";
    src.name = "survey";
    source_ = store_->create_source(src)->id;
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A record of the source about `theme`, with the next unique identifier; received when it was written.
  FeedbackRecord record(const std::string& theme, TimeMs timestamp, const std::string& sentiment, double compound) {
    FeedbackRecord r;
    r.unique_identifier = ++uid_;
    r.workspace_id = ws_;
    r.source_id = source_;
    r.customer_id = 1;
    r.source_type = "jsonl";
    r.external_id = std::to_string(uid_);
    r.text = "words about " + theme + " number " + std::to_string(uid_);
    r.sentiment_type = sentiment;
    r.sentiment_compound = compound;
    r.themes = {theme};
    r.timestamp = r.received_at = timestamp;
    return r;
  }

  // Commits the records as one page and folds them into the rollups; returns them as stored.
  std::vector<FeedbackRecord> commit(std::vector<FeedbackRecord> records) {
    store::PageCommit page;
    page.workspace_id = ws_;
    page.source_id = source_;
    page.records = std::move(records);
    auto stored = store_->commit_page(page);
    if (!stored) {
      ADD_FAILURE() << stored.error().message;
      return {};
    }
    EXPECT_TRUE(store_->apply_rollups(*stored));
    return *stored;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  Id ws_ = 0, source_ = 0;
  std::int64_t uid_ = 0;
};

}  // namespace chorus::testing
