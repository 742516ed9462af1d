#include <plnet/analysis/statistics.hpp>
#include <plnet/core/error.hpp>

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace plnet::analysis {
namespace {

void check_pair(const Vector& x, const Vector& y, const std::string& where) {
  require(x.size() == y.size(), where, "x and y must have the same length (got ", x.size(), " and ",
          y.size(), ")");
  require(x.size() >= 3, where, "need at least 3 pairs (got ", x.size(), ")");
  require(x.allFinite(), where, "x has a non-finite entry");
  require(y.allFinite(), where, "y has a non-finite entry");
}

double pearson_coefficient(const Vector& x, const Vector& y, const std::string& where) {
  const Vector dx = x.array() - x.mean();
  const Vector dy = y.array() - y.mean();
  const double sxx = dx.squaredNorm();
  const double syy = dy.squaredNorm();
  require(sxx > 0.0, where, "x is constant (zero variance)");
  require(syy > 0.0, where, "y is constant (zero variance)");
  return std::clamp(dx.dot(dy) / std::sqrt(sxx * syy), -1.0, 1.0);
}

}  // namespace

double correlation_p_value(double r, Index n) {
  require(n >= 3, "correlation_p_value", "need n >= 3 (got ", n, ")");
  require(std::isfinite(r) && std::abs(r) <= 1.0, "correlation_p_value", "need |r| <= 1 (got ", r,
          ")");
  if (std::abs(r) >= 1.0) return 0.0;
  const double df = static_cast<double>(n - 2);
  const double t = std::abs(r) * std::sqrt(df / (1.0 - r * r));
  const boost::math::students_t dist(df);
  return 2.0 * boost::math::cdf(boost::math::complement(dist, t));
}

Correlation pearson_correlation(const Vector& x, const Vector& y) {
  check_pair(x, y, "pearson_correlation");
  Correlation c;
  c.n = x.size();
  c.coefficient = pearson_coefficient(x, y, "pearson_correlation");
  c.p_value = correlation_p_value(c.coefficient, c.n);
  return c;
}

Vector average_ranks(const Vector& x) {
  require(!x.hasNaN(), "average_ranks", "x has a NaN entry");
  const Index n = x.size();
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return x[a] < x[b]; });
  Vector ranks(n);
  for (Index i = 0; i < n;) {
    Index j = i;
    while (j + 1 < n &&
           x[order[static_cast<std::size_t>(j + 1)]] == x[order[static_cast<std::size_t>(i)]])
      ++j;
    // Positions i..j (0-based) share the 1-based ranks i+1..j+1: their average.
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
    for (Index k = i; k <= j; ++k) ranks[order[static_cast<std::size_t>(k)]] = rank;
    i = j + 1;
  }
  return ranks;
}

Correlation spearman_correlation(const Vector& x, const Vector& y) {
  check_pair(x, y, "spearman_correlation");
  Correlation c;
  c.n = x.size();
  c.coefficient = pearson_coefficient(average_ranks(x), average_ranks(y), "spearman_correlation");
  c.p_value = correlation_p_value(c.coefficient, c.n);
  return c;
}

PermutationTest correlation_permutation_test(const Vector& x, const Vector& y, CorrelationKind kind,
                                             Index permutations, std::uint64_t seed) {
  const std::string where = "correlation_permutation_test";
  check_pair(x, y, where);
  require(permutations >= 1, where, "permutations must be >= 1 (got ", permutations, ")");
  const bool spearman = kind == CorrelationKind::kSpearman;
  const Vector a = spearman ? average_ranks(x) : x;
  const Vector b = spearman ? average_ranks(y) : y;
  PermutationTest out;
  out.permutations = permutations;
  out.coefficient = pearson_coefficient(a, b, where);
  // Ranks are a permutation-invariant multiset, so shuffling the ranks of y is shuffling y.
  std::vector<double> shuffled(b.data(), b.data() + b.size());
  random::Engine engine(seed);
  Index extreme = 0;
  // A relative slack so that permutations reproducing the observed |r| up to round-off count.
  const double threshold = std::abs(out.coefficient) * (1.0 - 1e-12);
  for (Index p = 0; p < permutations; ++p) {
    random::shuffle(shuffled, engine);
    const Eigen::Map<const Vector> yp(shuffled.data(), b.size());
    if (std::abs(pearson_coefficient(a, yp, where)) >= threshold) ++extreme;
  }
  out.p_value = static_cast<double>(1 + extreme) / static_cast<double>(1 + permutations);
  return out;
}

double participation_ratio(const Vector& v) {
  require(v.allFinite(), "participation_ratio", "v has a non-finite entry");
  const double s2 = v.squaredNorm();
  require(s2 > 0.0, "participation_ratio", "v is zero");
  const double s4 = v.array().square().square().sum();
  return s2 * s2 / s4;
}

}  // namespace plnet::analysis
