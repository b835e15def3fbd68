// Rating scales per source, then NPS over the 0-10 ones and CSAT over the 1-5 ones.
#include "insights/ratings.hpp"

#include <cmath>
#include <map>
#include <set>

namespace chorus::insights {

namespace {

void add(ScaleSummary& s, double rating, std::int64_t n, bool nps) {
  s.count += n;
  s.average += rating * static_cast<double>(n);  // a sum until finish()
  double r = std::round(rating);
  if (nps) {
    (r >= 9 ? s.favourable : r >= 7 ? s.neutral : s.unfavourable) += n;
  } else {
    (r >= 4 ? s.favourable : r >= 3 ? s.neutral : s.unfavourable) += n;
  }
}

void finish(std::optional<ScaleSummary>& s, bool nps) {
  if (!s || s->count == 0) {
    s.reset();
    return;
  }
  double n = static_cast<double>(s->count);
  s->average /= n;
  s->score = nps ? 100.0 * static_cast<double>(s->favourable - s->unfavourable) / n
                 : 100.0 * static_cast<double>(s->favourable) / n;
}

}  // namespace

RatingSummary summarize_ratings(std::span<const store::RatingCount> counts) {
  std::set<Id> ten_point;
  for (const auto& c : counts)
    if (c.count > 0 && (c.rating < 0.5 || c.rating > 5.0)) ten_point.insert(c.source_id);
  RatingSummary out;
  std::set<Id> nps_sources, csat_sources;
  for (const auto& c : counts) {
    if (c.count <= 0) continue;
    out.count += c.count;
    bool nps = ten_point.contains(c.source_id);
    auto& scale = nps ? out.nps : out.csat;
    if (!scale) scale.emplace();
    add(*scale, c.rating, c.count, nps);
    (nps ? nps_sources : csat_sources).insert(c.source_id);
  }
  finish(out.nps, true);
  finish(out.csat, false);
  if (out.nps) out.nps->sources.assign(nps_sources.begin(), nps_sources.end());
  if (out.csat) out.csat->sources.assign(csat_sources.begin(), csat_sources.end());
  return out;
}

}  // namespace chorus::insights
