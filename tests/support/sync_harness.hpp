// What every pull connector's sync test needs: a fetcher with quick retries whose sleeps are recorded
// instead of slept, the source's settings, and a recording sink.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "ingest/fetcher.hpp"
#include "support/recording_sink.hpp"

namespace chorus::testing {

inline ingest::RetryPolicy quick_retries() {
  ingest::RetryPolicy p;
  p.max_attempts = 3;
  p.base_delay = std::chrono::milliseconds(1);
  p.max_delay = std::chrono::milliseconds(5);
  return p;
}

// The items of a sync that the parser keeps as records (admit_item), in order.
inline std::vector<json::value> kept_items(const connectors::Connector& connector,
                                           const connectors::SourceSettings& source,
                                           const std::vector<json::value>& items) {
  std::vector<json::value> out;
  for (const auto& item : items) {
    auto a = connectors::admit_item(connector, item, source);
    if (!a) ADD_FAILURE() << a.error().message;
    if (a && a->item) out.push_back(item);
  }
  return out;
}

class SyncHarness {
 public:
  SyncHarness(const connectors::Connector& connector, json::object config, json::object credentials = {})
      : connector_(connector) {
    source.workspace_id = 1;
    source.source_id = 9;
    source.type = std::string(connector.type());
    source.config = std::move(config);
    source.credentials = std::move(credentials);
  }

  // One sync from `cursor` into `into` (the harness's own sink by default).
  Result<std::string> sync(std::string cursor = "", RecordingSink* into = nullptr) {
    connectors::SyncContext ctx{source, std::move(cursor), fetcher};
    return connector_.sync(ctx, into ? *into : sink);
  }

  // What the parser makes of the synced items: those it keeps (mapped), and the reasons of those it skips.
  struct Admitted {
    std::vector<json::value> kept;
    std::map<std::string, int> skipped;
  };
  Admitted admitted(const RecordingSink* from = nullptr) const {
    Admitted out;
    for (const auto& item : (from ? *from : sink).items()) {
      auto a = connectors::admit_item(connector_, item, source);
      if (!a) {
        ADD_FAILURE() << a.error().message;
        continue;
      }
      if (a->item)
        out.kept.push_back(item);
      else
        ++out.skipped[a->skipped];
    }
    return out;
  }

  bool slept_at_least(std::chrono::milliseconds d) const {
    return std::any_of(sleeps.begin(), sleeps.end(), [&](auto s) { return s >= d; });
  }

  connectors::SourceSettings source;
  RecordingSink sink;
  std::vector<std::chrono::milliseconds> sleeps;
  ingest::HttpClient client;
  ingest::Fetcher fetcher{client, quick_retries(), [this](std::chrono::milliseconds d) { sleeps.push_back(d); }};

 private:
  const connectors::Connector& connector_;
};

}  // namespace chorus::testing
