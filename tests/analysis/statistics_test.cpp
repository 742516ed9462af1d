// Correlations, ranks, p-values and participation ratios against closed forms: the
// computational (sum-of-products) formula for Pearson, 1 - 6 sum d^2 / (n (n^2 - 1)) for
// Spearman without ties, hand-ranked ties, the Cauchy (1 dof) and 2-dof Student t tails, and
// an exhaustive enumeration of all permutations for the permutation test.
#include <plnet/analysis/statistics.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <vector>

namespace plnet::analysis {
namespace {

Vector random_vector(Index n, random::Engine& engine) {
  Vector v(n);
  for (Index i = 0; i < n; ++i) v[i] = random::normal(engine);
  return v;
}

TEST(AnalysisStatistics, PearsonMatchesTheComputationalFormula) {
  random::Engine engine(3);
  const Index n = 40;
  const Vector x = random_vector(n, engine);
  const Vector y = 0.7 * x + random_vector(n, engine);
  // (n sum xy - sum x sum y) / sqrt((n sum x^2 - (sum x)^2)(n sum y^2 - (sum y)^2)) in long
  // double: an algebraically equal formula that does not centre first.
  long double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (Index i = 0; i < n; ++i) {
    sx += x[i];
    sy += y[i];
    sxx += static_cast<long double>(x[i]) * x[i];
    syy += static_cast<long double>(y[i]) * y[i];
    sxy += static_cast<long double>(x[i]) * y[i];
  }
  const long double nn = n;
  const long double ref =
      (nn * sxy - sx * sy) / std::sqrt((nn * sxx - sx * sx) * (nn * syy - sy * sy));
  const Correlation c = pearson_correlation(x, y);
  // Both are O(n eps) accurate; 1e-12 leaves room for the cancellation of the raw formula.
  EXPECT_NEAR(c.coefficient, static_cast<double>(ref), 1e-12);
  EXPECT_EQ(c.n, n);
  // Exact linear relations.
  EXPECT_NEAR(pearson_correlation(x, Vector(3.0 * x.array() + 2.0)).coefficient, 1.0, 1e-15);
  EXPECT_NEAR(pearson_correlation(x, Vector(-x)).coefficient, -1.0, 1e-15);
  EXPECT_EQ(pearson_correlation(x, Vector(-x)).p_value, 0.0);
}

TEST(AnalysisStatistics, PValueMatchesClosedFormStudentTails) {
  for (const double r : {0.1, 0.5, 0.9, -0.7}) {
    // n = 3: one degree of freedom (Cauchy): p = 1 - (2/pi) atan|t|.
    const double t1 = std::abs(r) * std::sqrt(1.0 / (1.0 - r * r));
    EXPECT_NEAR(correlation_p_value(r, 3), 1.0 - 2.0 / std::numbers::pi * std::atan(t1), 1e-13);
    // n = 4: two degrees of freedom: p = 1 - |t| / sqrt(2 + t^2).
    const double t2 = std::abs(r) * std::sqrt(2.0 / (1.0 - r * r));
    EXPECT_NEAR(correlation_p_value(r, 4), 1.0 - t2 / std::sqrt(2.0 + t2 * t2), 1e-13);
  }
  EXPECT_NEAR(correlation_p_value(0.0, 10), 1.0, 1e-15);
}

TEST(AnalysisStatistics, AverageRanksByHand) {
  const Vector x = (Vector(5) << 10, 20, 20, 5, 20).finished();
  const Vector expected = (Vector(5) << 2, 4, 4, 1, 4).finished();
  EXPECT_EQ(average_ranks(x), expected);
}

TEST(AnalysisStatistics, SpearmanWithoutTiesIsTheRankDifferenceFormula) {
  random::Engine engine(5);
  const Index n = 25;
  const Vector x = random_vector(n, engine);
  const Vector y = x.array().cube() + 0.5 * random_vector(n, engine).array();
  // Ranks by counting (O(n^2), independent of the sort in average_ranks).
  double d2 = 0.0;
  for (Index i = 0; i < n; ++i) {
    Index rx = 1, ry = 1;
    for (Index j = 0; j < n; ++j) {
      rx += x[j] < x[i];
      ry += y[j] < y[i];
    }
    d2 += static_cast<double>((rx - ry) * (rx - ry));
  }
  const double nn = static_cast<double>(n);
  EXPECT_NEAR(spearman_correlation(x, y).coefficient, 1.0 - 6.0 * d2 / (nn * (nn * nn - 1.0)),
              1e-14);
  // Invariant under monotone maps.
  EXPECT_NEAR(spearman_correlation(x, Vector(x.array().exp())).coefficient, 1.0, 1e-15);
}

TEST(AnalysisStatistics, SpearmanWithTiesByHand) {
  // Ranks x = (1, 2.5, 2.5, 4), y = (1, 3, 2, 4): sum dx dy = 4.5, sum dx^2 = 4.5,
  // sum dy^2 = 5, rho = 4.5 / sqrt(22.5) = 3 / sqrt(10).
  const Vector x = (Vector(4) << 1, 2, 2, 3).finished();
  const Vector y = (Vector(4) << 1, 3, 2, 4).finished();
  EXPECT_NEAR(spearman_correlation(x, y).coefficient, 3.0 / std::sqrt(10.0), 1e-15);
}

TEST(AnalysisStatistics, PermutationTestAgreesWithExhaustiveEnumeration) {
  const Vector x = (Vector(6) << 0.3, 1.2, 0.7, 2.5, 1.9, 3.1).finished();
  const Vector y = (Vector(6) << 0.1, 0.9, 1.5, 1.1, 2.7, 2.0).finished();
  for (const auto kind : {CorrelationKind::kPearson, CorrelationKind::kSpearman}) {
    const bool sp = kind == CorrelationKind::kSpearman;
    const Vector a = sp ? average_ranks(x) : x;
    const Vector b = sp ? average_ranks(y) : y;
    const double obs = std::abs(pearson_correlation(a, b).coefficient);
    std::vector<Index> perm(6);
    std::iota(perm.begin(), perm.end(), Index{0});
    Index extreme = 0, total = 0;
    do {
      Vector bp(6);
      for (Index i = 0; i < 6; ++i) bp[i] = b[perm[static_cast<std::size_t>(i)]];
      extreme += std::abs(pearson_correlation(a, bp).coefficient) >= obs * (1.0 - 1e-12);
      ++total;
    } while (std::next_permutation(perm.begin(), perm.end()));
    const double exact = static_cast<double>(extreme) / static_cast<double>(total);
    const Index m = 20000;
    const PermutationTest t = correlation_permutation_test(x, y, kind, m, 11);
    EXPECT_NEAR(t.coefficient,
                sp ? pearson_correlation(a, b).coefficient : pearson_correlation(x, y).coefficient,
                1e-15);
    // Monte Carlo p is binomial around the exact one: 5 standard deviations.
    const double sd = std::sqrt(exact * (1.0 - exact) / static_cast<double>(m));
    EXPECT_NEAR(t.p_value, exact, 5.0 * sd + 1.0 / static_cast<double>(m));
  }
}

TEST(AnalysisStatistics, ParticipationRatioLimits) {
  EXPECT_DOUBLE_EQ(participation_ratio(Vector::Unit(7, 3)), 1.0);
  EXPECT_DOUBLE_EQ(participation_ratio(Vector::Constant(7, -2.0)), 7.0);
  EXPECT_DOUBLE_EQ(participation_ratio((Vector(2) << 1, 2).finished()), 25.0 / 17.0);
  EXPECT_THROW(participation_ratio(Vector::Zero(3)), std::invalid_argument);
  EXPECT_THROW(pearson_correlation(Vector::Ones(4), Vector::LinSpaced(4, 0, 1)),
               std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
