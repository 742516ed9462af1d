// Partial susceptibility (000 eq. 24, Fig. 7): dense eigen-decomposition of K vs the exact
// norms of a dense LU, and Lanczos on K^-1 (eliminated factor) vs the dense modes.
#include <plnet/analysis/partial_susceptibility.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/analysis/susceptibility.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

namespace plnet::analysis {
namespace {

struct Case {
  graph::Network net;
  physics::LinearModel model;
  physics::BoundaryConditions bc;
};

Case make_case(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Case c{testing::random_connected_network(40, 50, 1.0, rng), {}, {}};
  c.model = physics::resistor_model(c.net);
  c.bc.hold(0, 0.0).hold(9, 1.0).impose_difference(12, 20, 0.3);
  return c;
}

double rel(const Matrix& a, const Matrix& b) {
  return (a - b).norm() / b.norm();
}

TEST(AnalysisPartialSusceptibility, AllModesGiveTheFullNormAndRatiosRiseToOne) {
  const Case c = make_case(1);
  const Vector w = c.net.conductances();
  const PartialSusceptibility p = partial_susceptibility(c.model, w, c.bc);
  // Eigen-decomposition vs LU: both backward stable, condition ~1e4 here: 1e-10.
  EXPECT_LT(rel(p.partial_norms.rightCols(1), susceptibility_norms(c.model, w, c.bc)), 1e-10);
  EXPECT_NEAR(p.total_ratio[p.total_ratio.size() - 1], 1.0, 1e-10);
  EXPECT_NEAR(p.mean_ratio[p.mean_ratio.size() - 1], 1.0, 1e-10);
  for (Index n = 1; n < p.total_ratio.size(); ++n) {
    EXPECT_GE(p.total_ratio[n], p.total_ratio[n - 1]);  // sums of non-negative terms
    EXPECT_GE(std::abs(p.mode_values[n]), std::abs(p.mode_values[n - 1]));
  }
  // The softest modes dominate (eq. 20 weights 1/nu^2): the softest tenth of the modes
  // carries several times its share of the norm (measured 0.48 here).
  EXPECT_GT(p.total_ratio[p.total_ratio.size() / 10], 0.3);
}

TEST(AnalysisPartialSusceptibility, LanczosMatchesTheDenseModes) {
  const Case c = make_case(2);
  const Vector w = c.net.conductances();
  constexpr Index n = 8;
  const PartialSusceptibility dense = partial_susceptibility(c.model, w, c.bc, n);
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(w);
  const PartialSusceptibility sparse = partial_susceptibility(inverse, n, 16);
  ASSERT_TRUE(sparse.converged);
  // Lanczos with tolerance 1e-12 on the Ritz values of K^-1; eigenvectors (hence partial
  // norms) converge to ~ tol / gap, gaps here >= 1e-3 relative: 1e-7.
  EXPECT_LT(rel(sparse.mode_values, dense.mode_values), 1e-10);
  EXPECT_LT(rel(sparse.partial_norms, dense.partial_norms), 1e-7);
  EXPECT_LT(rel(sparse.full_norms, dense.full_norms), 1e-10);
  EXPECT_LT(rel(sparse.total_ratio, dense.total_ratio), 1e-7);
}

TEST(AnalysisPartialSusceptibility, BadInput) {
  const Case c = make_case(3);
  const Vector w = c.net.conductances();
  EXPECT_THROW(partial_susceptibility(c.model, w, c.bc, -1), std::invalid_argument);
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(w);
  EXPECT_THROW(partial_susceptibility(inverse, inverse.size()), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
