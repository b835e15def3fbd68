// The two tests behind emerging issues and trends: how surprising a count is against an expected rate
// (Poisson and negative binomial upper tails), and whether one period's count differs from the previous period's.
#pragma once

#include <cstdint>

namespace chorus::insights {

// -log10 P(X >= k) for X ~ Poisson(lambda): 0 for an unremarkable count, 6 for a one-in-a-million one.
// Exact through the regularised incomplete gamma function, also far in the tail; capped at 300.
double poisson_surprise(std::int64_t k, double lambda);

// -log10 P(X >= k) for X negative binomial with this mean and variance: the Poisson tail widened for
// counts that vary more from day to day than chance alone explains. A variance at or below the mean is
// the Poisson case.
double negative_binomial_surprise(std::int64_t k, double mean, double variance);

// How far `count` stands from `previous` (equal-length periods) in standard deviations of their
// difference under equal rates: (count - previous) / sqrt(count + previous); 0 when both are 0.
double change_z(std::int64_t count, std::int64_t previous);

}  // namespace chorus::insights
