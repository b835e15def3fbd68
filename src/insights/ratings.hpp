// NPS and CSAT from the ratings sources carry. Each source's scale is read from its ratings: a source
// with any 0 or any rating above 5 rates 0-10 (NPS: promoters 9-10, detractors 0-6), any other 1-5
// (CSAT: the share of 4s and 5s, as app stores and support desks rate).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "store/store.hpp"

namespace chorus::insights {

struct ScaleSummary {
  std::int64_t count = 0;
  double average = 0.0;
  double score = 0.0;             // NPS from -100 to 100, or CSAT from 0 to 100
  std::int64_t favourable = 0;    // promoters, or satisfied (4-5)
  std::int64_t neutral = 0;       // passives (7-8), or 3
  std::int64_t unfavourable = 0;  // detractors, or dissatisfied (1-2)
  std::vector<Id> sources;
};

struct RatingSummary {
  std::int64_t count = 0;
  std::optional<ScaleSummary> nps;   // 0-10 sources
  std::optional<ScaleSummary> csat;  // 1-5 sources
};

RatingSummary summarize_ratings(std::span<const store::RatingCount> counts);

}  // namespace chorus::insights
