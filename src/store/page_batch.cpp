// Committing several pages: the near-duplicate rule of a page, and the page-by-page default of commit_pages.
#include "store/page_batch.hpp"

#include <algorithm>
#include <bit>

namespace chorus::store {

Status mark_near_duplicates(std::vector<FeedbackRecord>& records, int max_distance,
                            const NearDuplicateLookup& stored) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    FeedbackRecord& r = records[i];
    // The earliest record that says the same thing: first among those stored, then within this page.
    auto dup = stored(r);
    if (!dup) return dup.error();
    r.duplicate_of = *dup;
    if (r.simhash == 0 || r.duplicate_of) continue;
    for (std::size_t j = 0; j < i; ++j) {
      const FeedbackRecord& earlier = records[j];
      if (earlier.unique_identifier != r.unique_identifier &&
          std::popcount(earlier.simhash ^ r.simhash) <= max_distance &&
          std::make_pair(earlier.timestamp, earlier.unique_identifier) < std::make_pair(r.timestamp, r.unique_identifier)) {
        r.duplicate_of = earlier.duplicate_of.value_or(earlier.unique_identifier);
        break;
      }
    }
  }
  return {};
}

Result<std::vector<FeedbackRecord>> Store::commit_pages(std::span<PageCommit> pages) {
  std::vector<FeedbackRecord> out;
  for (PageCommit& page : pages) {
    if (page.near_duplicate_bits) {
      auto marked = mark_near_duplicates(page.records, *page.near_duplicate_bits, [&](const FeedbackRecord& r) {
        return find_near_duplicate(r.workspace_id, r.simhash, *page.near_duplicate_bits, r.unique_identifier,
                                   r.timestamp);
      });
      if (!marked) return marked.error();
    }
    auto stored = commit_page(page);
    if (!stored) return stored.error();
    for (auto& r : *stored) out.push_back(std::move(r));
  }
  return out;
}

Status Store::commit_pages_with_json(std::span<PageCommit> pages, std::vector<StoredJson>& json) {
  auto stored = commit_pages(pages);
  if (!stored) return stored.error();
  json.reserve(json.size() + stored->size());
  for (const auto& r : *stored) json.push_back({r.workspace_id, record_json(r)});
  return {};
}

std::vector<std::string> unique_themes(std::vector<std::string> themes) {
  std::vector<std::string> out;
  out.reserve(themes.size());
  for (auto& t : themes)
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  return out;
}

}  // namespace chorus::store
