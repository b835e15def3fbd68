// The Poisson tail behind emerging-issue scores, against direct sums, and the period-change z.
#include "insights/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace chorus::insights {
namespace {

// -log10 P(X >= k) by summing the upper tail term by term (fine for moderate k and lambda).
double direct(std::int64_t k, double lambda) {
  double tail = 0.0;
  for (std::int64_t i = k; i < k + 2000; ++i)
    tail += std::exp(static_cast<double>(i) * std::log(lambda) - lambda - std::lgamma(static_cast<double>(i) + 1.0));
  return -std::log10(tail);
}

TEST(PoissonSurprise, MatchesDirectSumsAcrossTheRange) {
  for (double lambda : {0.1, 0.5, 1.0, 3.0, 10.0, 42.0, 150.0})
    for (std::int64_t k : {1, 2, 5, 10, 20, 40, 80, 200}) {
      double want = direct(k, lambda);
      EXPECT_NEAR(poisson_surprise(k, lambda), want, 1e-6 + 1e-9 * want) << "k " << k << " lambda " << lambda;
    }
}

TEST(PoissonSurprise, KnownValuesAndEdges) {
  // P(X >= 5 | 1) = 1 - e^-1 (1 + 1 + 1/2 + 1/6 + 1/24) = 0.0036598...
  EXPECT_NEAR(poisson_surprise(5, 1.0), -std::log10(0.0036598468), 1e-6);
  EXPECT_EQ(poisson_surprise(0, 3.0), 0.0);
  EXPECT_NEAR(poisson_surprise(1, 2.0), -std::log10(1 - std::exp(-2.0)), 1e-9);
  EXPECT_EQ(poisson_surprise(3, 0.0), 300.0);
  // Far in the tail the score stays finite and keeps growing.
  double far = poisson_surprise(500, 2.0);
  EXPECT_GT(far, 200.0);
  EXPECT_LE(far, 300.0);
  EXPECT_GT(poisson_surprise(60, 2.0), poisson_surprise(50, 2.0));
  EXPECT_LT(poisson_surprise(2, 40.0), 1e-6);
}

TEST(ChangeZ, SignedDistanceOfTwoCounts) {
  EXPECT_EQ(change_z(0, 0), 0.0);
  EXPECT_NEAR(change_z(50, 10), 40.0 / std::sqrt(60.0), 1e-12);
  EXPECT_NEAR(change_z(10, 50), -40.0 / std::sqrt(60.0), 1e-12);
}

}  // namespace
}  // namespace chorus::insights

namespace chorus::insights {
namespace {

double direct_nb(std::int64_t k, double mean, double variance) {
  double r = mean * mean / (variance - mean);
  double p = r / (r + mean);
  double tail = 0.0;
  for (std::int64_t i = k; i < k + 20000; ++i) {
    double x = static_cast<double>(i);
    tail += std::exp(std::lgamma(x + r) - std::lgamma(r) - std::lgamma(x + 1.0) + r * std::log(p) + x * std::log1p(-p));
  }
  return -std::log10(tail);
}

TEST(NegativeBinomialSurprise, MatchesDirectSumsAndWidensThePoissonTail) {
  for (double mean : {0.5, 3.0, 20.0, 80.0})
    for (double spread : {1.5, 3.0, 10.0})
      for (std::int64_t k : {1, 3, 10, 40, 120, 300}) {
        double want = direct_nb(k, mean, mean * spread);
        EXPECT_NEAR(negative_binomial_surprise(k, mean, mean * spread), want, 1e-6 + 1e-8 * want)
            << "k " << k << " mean " << mean << " variance " << mean * spread;
        // Above the mean, extra variation makes a count less surprising.
        if (static_cast<double>(k) >= 2.0 * mean + 2.0) {
          EXPECT_LT(negative_binomial_surprise(k, mean, mean * spread), poisson_surprise(k, mean));
        }
      }
  EXPECT_EQ(negative_binomial_surprise(30, 10.0, 10.0), poisson_surprise(30, 10.0));
  EXPECT_EQ(negative_binomial_surprise(30, 10.0, 5.0), poisson_surprise(30, 10.0));
}

}  // namespace
}  // namespace chorus::insights
