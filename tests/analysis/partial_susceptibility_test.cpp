// Partial susceptibility (000 eq. 24, Fig. 7) in 000's convention: the modes of the bordered
// Hessian [[2L, Q^T], [Q, 0]] (000 eq. 2, H = 2L). The reference is computed here by hand from
// the edge list (dense Laplacian, dense eigen-decomposition, eq. 20 by plain loops, the full
// norm by a dense LU of K_c), independently of plnet's assembly, its spectrum code and its
// bordered solves. Also: the ratio depends on the factor (K_2 and K_1 are congruent, not
// similar), and the Lanczos path on the eliminated factor matches the same reference.
#include <plnet/analysis/partial_susceptibility.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/analysis/susceptibility.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "support/reference.hpp"

namespace plnet::analysis {
namespace {

struct Case {
  graph::Network net;
  physics::LinearModel model;
  physics::BoundaryConditions bc;
};

// A ground, a second held node (so the multiplier part of s_i is not zero) and an imposed
// difference x_12 - x_20 = 0.3 (a constraint row e_12 - e_20).
Case make_case(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Case c{testing::random_connected_network(40, 50, 1.0, rng), {}, {}};
  c.model = physics::resistor_model(c.net);
  c.bc.hold(0, 0.0).hold(9, 1.0).impose_difference(12, 20, 0.3);
  return c;
}

// The same network grounded at node 0 only: 000's own setting (eq. 2, N + 1 modes).
Case make_grounded_case(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Case c{testing::random_connected_network(40, 50, 1.0, rng), {}, {}};
  c.model = physics::resistor_model(c.net);
  c.bc.hold(0, 0.0);
  return c;
}

double rel(const Matrix& a, const Matrix& b) {
  return (a - b).norm() / b.norm();
}

// 000's partial susceptibility by hand, for the bordered matrix [[c L, Q^T], [Q, 0]] with
// L = sum_e k_e (e_a - e_b)(e_a - e_b)^T and Q's rows the given holds (e_h) and the imposed
// difference (e_p - e_q) when `difference` is set.
struct Reference {
  Vector values;       // eigenvalues ordered by |value| ascending
  Matrix partial;      // M x n_ext: ||s_i^(n)||^2, eq. 20 truncated at n
  Vector full;         // ||K_c^-1 b~_i||^2 by dense LU (eqs. 14, 18)
  Vector total_ratio;  // sum_i partial / sum_i full per n
  Vector mean_ratio;   // mean_i partial / full per n
};

Reference by_hand(const graph::Network& net, double c, const std::vector<Index>& holds,
                  bool difference) {
  const Index n = net.num_nodes();
  const Index m = static_cast<Index>(holds.size()) + (difference ? 1 : 0);
  const Vector& k = net.conductances();
  Matrix big = Matrix::Zero(n + m, n + m);
  for (std::size_t e = 0; e < net.edges().size(); ++e) {
    const Index a = net.edges()[e].a;
    const Index b = net.edges()[e].b;
    const double v = c * k[static_cast<Index>(e)];
    big(a, a) += v;
    big(b, b) += v;
    big(a, b) -= v;
    big(b, a) -= v;
  }
  Index row = n;
  for (const Index h : holds) {
    big(row, h) = big(h, row) = 1.0;
    ++row;
  }
  if (difference) {
    big(row, 12) = big(12, row) = 1.0;
    big(row, 20) = big(20, row) = -1.0;
  }
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(big);
  const Index n_ext = n + m;
  std::vector<Index> order(static_cast<std::size_t>(n_ext));
  std::iota(order.begin(), order.end(), Index{0});
  std::sort(order.begin(), order.end(), [&](Index p, Index q) {
    return std::abs(eig.eigenvalues()[p]) < std::abs(eig.eigenvalues()[q]);
  });
  Reference r;
  const Index edges = net.num_edges();
  r.values.resize(n_ext);
  r.partial.resize(edges, n_ext);
  r.full.resize(edges);
  const Eigen::FullPivLU<Matrix> lu(big);
  for (Index i = 0; i < edges; ++i) {
    const Index a = net.edges()[static_cast<std::size_t>(i)].a;
    const Index b = net.edges()[static_cast<std::size_t>(i)].b;
    double running = 0.0;
    for (Index alpha = 0; alpha < n_ext; ++alpha) {
      const Index col = order[static_cast<std::size_t>(alpha)];
      const double nu = eig.eigenvalues()[col];
      const double drop = eig.eigenvectors()(a, col) - eig.eigenvectors()(b, col);  // b~_i.W
      running += drop * drop / (nu * nu);
      r.partial(i, alpha) = running;
      r.values[alpha] = nu;
    }
    Vector bt = Vector::Zero(n_ext);
    bt[a] = 1.0;
    bt[b] = -1.0;
    r.full[i] = lu.solve(bt).squaredNorm();
  }
  r.total_ratio.resize(n_ext);
  r.mean_ratio.resize(n_ext);
  for (Index alpha = 0; alpha < n_ext; ++alpha) {
    double partial_sum = 0.0;
    double full_sum = 0.0;
    double mean = 0.0;
    for (Index i = 0; i < edges; ++i) {
      partial_sum += r.partial(i, alpha);
      full_sum += r.full[i];
      mean += r.partial(i, alpha) / r.full[i];
    }
    r.total_ratio[alpha] = partial_sum / full_sum;
    r.mean_ratio[alpha] = mean / static_cast<double>(edges);
  }
  return r;
}

Reference by_hand(const Case& c, double factor) {
  return by_hand(c.net, factor, {0, 9}, true);
}

TEST(AnalysisPartialSusceptibility, DensePathIs000sEq24ByHand) {
  const Case c = make_case(1);
  const Vector w = c.net.conductances();
  const PartialSusceptibility p = partial_susceptibility(c.model, w, c.bc);
  const Reference r = by_hand(c, 2.0);
  EXPECT_EQ(p.hessian_factor, 2.0);
  // The reference is self-consistent: eq. 20 over all modes is the LU norm (eigen-
  // decomposition vs LU, both backward stable, condition of K ~1e4: 1e-10), so the ratio
  // at n = n_ext is 1.
  EXPECT_LT(rel(r.partial.rightCols(1), r.full), 1e-10);
  // Same matrix, different assembly and eigensolver call: eigenvalues to a few ulps of
  // ||K|| (1e-12 relative), eigenvectors (hence partial norms) to eps ||K|| / gap, gaps
  // >= 1e-3 relative here: 1e-9.
  ASSERT_EQ(p.mode_values.size(), r.values.size());
  EXPECT_LT(rel(p.mode_values, r.values), 1e-12);
  EXPECT_LT(rel(p.partial_norms, r.partial), 1e-9);
  EXPECT_LT(rel(p.full_norms, r.full), 1e-10);  // two LUs of K, condition ~1e4
  EXPECT_LT((p.total_ratio - r.total_ratio).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT((p.mean_ratio - r.mean_ratio).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_NEAR(p.total_ratio[p.total_ratio.size() - 1], 1.0, 1e-10);
  EXPECT_NEAR(p.mean_ratio[p.mean_ratio.size() - 1], 1.0, 1e-10);
}

TEST(AnalysisPartialSusceptibility, LanczosPathIs000sEq24ByHand) {
  const Case c = make_case(2);
  const Vector w = c.net.conductances();
  constexpr Index n = 8;
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(w);
  const PartialSusceptibility p = partial_susceptibility(inverse, n, 16);
  ASSERT_TRUE(p.converged);
  const Reference r = by_hand(c, 2.0);
  // Lanczos with tolerance 1e-12 on the Ritz values of K_2^-1: values to 1e-10; eigenvectors
  // (hence partial norms) converge to ~ tol / gap, gaps here >= 1e-3 relative: 1e-7. The full
  // norms are exact solves on the Cholesky factor vs a dense LU (condition ~1e4): 1e-10.
  EXPECT_LT(rel(p.mode_values, Vector(r.values.head(n))), 1e-10);
  EXPECT_LT(rel(p.partial_norms, Matrix(r.partial.leftCols(n))), 1e-7);
  EXPECT_LT(rel(p.full_norms, r.full), 1e-10);
  EXPECT_LT((p.total_ratio - r.total_ratio.head(n)).cwiseAbs().maxCoeff(), 1e-7);
  EXPECT_LT((p.mean_ratio - r.mean_ratio.head(n)).cwiseAbs().maxCoeff(), 1e-7);
}

// With a single ground (000's setting) the multiplier part of s_i is zero (a shift of the
// ground moves every voltage, no drop), so 000's full norm is exactly a quarter of plnet's
// ||s_i||^2 (its s_i is half of ours).
TEST(AnalysisPartialSusceptibility, SingleGroundFullNormIsAQuarterOfPlnets) {
  const Case c = make_grounded_case(3);
  const Vector w = c.net.conductances();
  const PartialSusceptibility p = partial_susceptibility(c.model, w, c.bc);
  // Two dense LUs of the same K up to the factor (condition ~1e4): 1e-10.
  EXPECT_LT(rel(p.full_norms, Vector(susceptibility_norms(c.model, w, c.bc) / 4.0)), 1e-10);
  const Reference r = by_hand(c.net, 2.0, {0}, false);
  EXPECT_LT(rel(p.partial_norms, r.partial), 1e-9);  // as in DensePathIs000sEq24ByHand
  EXPECT_NEAR(p.mean_ratio[p.mean_ratio.size() - 1], 1.0, 1e-10);
}

// [[2L, Q^T], [Q, 0]] = D [[L, Q^T], [Q, 0]] D with D = diag(sqrt 2 I, I / sqrt 2): congruent,
// not similar. The modes differ, so the partial ratios differ: the ratio is not
// convention-free, and plnet must use 000's factor to reproduce 000's Fig. 7.
TEST(AnalysisPartialSusceptibility, RatioDependsOnTheHessianFactor) {
  for (const bool grounded_only : {false, true}) {
    const Case c = grounded_only ? make_grounded_case(4) : make_case(4);
    const Vector w = c.net.conductances();
    const Reference two = grounded_only ? by_hand(c.net, 2.0, {0}, false) : by_hand(c, 2.0);
    const Reference one = grounded_only ? by_hand(c.net, 1.0, {0}, false) : by_hand(c, 1.0);
    // Measured on these networks: the edge-averaged ratios at n = 1 and 2 differ by 54% and 27%
    // (ground, source and constraint) and by 16% and 18% (ground only), in either direction;
    // 2% is far above the 1e-9 agreement of plnet with the reference.
    for (Index n = 0; n < 2; ++n) {
      const double change = std::abs(two.mean_ratio[n] / one.mean_ratio[n] - 1.0);
      EXPECT_GT(change, 0.02) << "n = " << n + 1 << ", grounded only " << grounded_only;
    }
    // The eigenvalues are not those of L doubled either: congruence keeps only the signs.
    const Vector ratio = two.values.cwiseQuotient(one.values);
    EXPECT_GT((ratio.array() - 2.0).abs().maxCoeff(), 0.01);
    // plnet follows the factor it is given (1 only for comparisons like this one).
    const PartialSusceptibility p2 = partial_susceptibility(c.model, w, c.bc);
    const PartialSusceptibility p1 = partial_susceptibility(c.model, w, c.bc, 0, 1.0);
    EXPECT_LT((p2.mean_ratio - two.mean_ratio).cwiseAbs().maxCoeff(), 1e-9);
    EXPECT_LT((p1.mean_ratio - one.mean_ratio).cwiseAbs().maxCoeff(), 1e-9);
    EXPECT_LT(rel(p1.full_norms, susceptibility_norms(c.model, w, c.bc)), 1e-10);
    BorderedInverse inverse(c.model, c.bc);
    inverse.update(w);
    const PartialSusceptibility l1 = partial_susceptibility(inverse, 4, 16, 1.0);
    ASSERT_TRUE(l1.converged);
    EXPECT_LT((l1.mean_ratio - one.mean_ratio.head(4)).cwiseAbs().maxCoeff(), 1e-7);
  }
}

TEST(AnalysisPartialSusceptibility, RatiosRiseToOneAndSoftModesDominate) {
  const Case c = make_case(1);
  const Vector w = c.net.conductances();
  const PartialSusceptibility p = partial_susceptibility(c.model, w, c.bc);
  for (Index n = 1; n < p.total_ratio.size(); ++n) {
    EXPECT_GE(p.total_ratio[n], p.total_ratio[n - 1]);  // sums of non-negative terms
    EXPECT_GE(std::abs(p.mode_values[n]), std::abs(p.mode_values[n - 1]));
  }
  // The softest modes dominate (eq. 20 weights 1/nu^2): the softest tenth of the modes
  // carries several times its share of the norm (measured 0.69 here).
  EXPECT_GT(p.total_ratio[p.total_ratio.size() / 10], 0.3);
}

TEST(AnalysisPartialSusceptibility, BadInput) {
  const Case c = make_case(3);
  const Vector w = c.net.conductances();
  EXPECT_THROW(partial_susceptibility(c.model, w, c.bc, -1), std::invalid_argument);
  EXPECT_THROW(partial_susceptibility(c.model, w, c.bc, 0, 0.0), std::invalid_argument);
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(w);
  EXPECT_THROW(partial_susceptibility(inverse, inverse.size()), std::invalid_argument);
  EXPECT_THROW(partial_susceptibility(inverse, 3, 16, -2.0), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
