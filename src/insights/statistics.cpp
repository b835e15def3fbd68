// Poisson tails through the regularised incomplete gamma function P(a, x) = P(X >= a), X ~ Poisson(x),
// computed in logarithms so that one-in-10^40 counts still get a finite score.
#include "insights/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace chorus::insights {

namespace {

constexpr double kMaxSurprise = 300.0;
constexpr double kLn10 = 2.302585092994046;

// ln P(a, x) by its power series; converges quickly for x < a + 1.
double log_lower_gamma_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < 10000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * 1e-15) break;
  }
  return a * std::log(x) - x - std::lgamma(a) + std::log(sum);
}

// Q(a, x) = 1 - P(a, x) by Lentz's continued fraction; converges quickly for x >= a + 1.
double upper_gamma_fraction(double a, double x) {
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < 10000; ++i) {
    double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-15) break;
  }
  return std::exp(a * std::log(x) - x - std::lgamma(a)) * h;
}

// ln I_x(a, b), the regularised incomplete beta function, by its continued fraction; converges quickly
// for x < (a + 1) / (a + b + 2).
double log_incomplete_beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m < 10000; ++m) {
    double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-15) break;
  }
  double log_beta = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  return a * std::log(x) + b * std::log1p(-x) - std::log(a) - log_beta + std::log(h);
}

}  // namespace

double poisson_surprise(std::int64_t k, double lambda) {
  if (k <= 0) return 0.0;
  if (lambda <= 0.0) return kMaxSurprise;
  const double a = static_cast<double>(k);
  double log_p = 0.0;
  if (lambda < a + 1.0) {
    log_p = log_lower_gamma_series(a, lambda);
  } else {
    double q = upper_gamma_fraction(a, lambda);
    log_p = std::log(std::max(1.0 - q, 1e-300));
  }
  return std::clamp(-log_p / kLn10, 0.0, kMaxSurprise);
}

double negative_binomial_surprise(std::int64_t k, double mean, double variance) {
  if (variance <= mean * (1.0 + 1e-9)) return poisson_surprise(k, mean);
  if (k <= 0) return 0.0;
  // P(X >= k) = I_x(k, r) with size r and x = mean / (r + mean).
  const double r = mean * mean / (variance - mean);
  const double x = mean / (r + mean);
  const double a = static_cast<double>(k);
  double log_p = 0.0;
  if (x < (a + 1.0) / (a + r + 2.0)) {
    log_p = log_incomplete_beta_fraction(a, r, x);
  } else {
    double q = std::exp(log_incomplete_beta_fraction(r, a, 1.0 - x));
    log_p = std::log(std::max(1.0 - q, 1e-300));
  }
  return std::clamp(-log_p / kLn10, 0.0, kMaxSurprise);
}

double change_z(std::int64_t count, std::int64_t previous) {
  if (count + previous == 0) return 0.0;
  return static_cast<double>(count - previous) / std::sqrt(static_cast<double>(count + previous));
}

}  // namespace chorus::insights
