// Susceptibilities at scale (susceptibility_scale.hpp, bordered_inverse.hpp) against the dense
// bordered LU of susceptibility.hpp, which shares no solve with the eliminated factor.
#include <plnet/analysis/bordered_inverse.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/analysis/susceptibility_scale.hpp>
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <cmath>

#include "support/reference.hpp"

namespace plnet::analysis {
namespace {

struct Case {
  graph::Network net;
  physics::LinearModel model;
  physics::BoundaryConditions bc;
};

// Resistor network with a ground, a voltage source and an imposed node-pair difference (a
// general Lagrange row), conductances over two decades.
Case resistor_case(std::uint64_t seed, Index nodes = 30, Index extra = 40) {
  std::mt19937_64 rng(seed);
  Case c{testing::random_connected_network(nodes, extra, 1.0, rng), {}, {}};
  c.model = physics::resistor_model(c.net);
  c.bc.hold(0, 0.0).hold(3, 1.0).impose_difference(7, 11, 0.5).inject(5, 1.0);
  return c;
}

// 2D spring triangle lattice, nodes 0 and 2 pinned (four held dofs).
Case spring_case() {
  std::vector<graph::Edge> edges;
  Matrix pos(16, 2);
  for (Index r = 0; r < 4; ++r)
    for (Index col = 0; col < 4; ++col) {
      pos.row(r * 4 + col) << static_cast<double>(col) + 0.3 * static_cast<double>(r % 2),
          0.9 * static_cast<double>(r);
      if (col + 1 < 4) edges.push_back({r * 4 + col, r * 4 + col + 1});
      if (r + 1 < 4) edges.push_back({r * 4 + col, (r + 1) * 4 + col});
      if (col + 1 < 4 && r + 1 < 4) edges.push_back({r * 4 + col, (r + 1) * 4 + col + 1});
    }
  const auto ne = static_cast<Index>(edges.size());
  Vector k(ne);
  for (Index i = 0; i < ne; ++i) k[i] = 1.0 + 0.5 * std::sin(static_cast<double>(3 * i + 1));
  Case c{graph::Network(16, edges, k, pos), {}, {}};
  c.model = physics::spring_model(c.net);
  physics::hold_node(c.model, c.bc, 0);
  physics::hold_node(c.model, c.bc, 2);
  return c;
}

double rel(const Matrix& a, const Matrix& b) {
  return (a - b).norm() / b.norm();
}

// Both sides are exact: dense partial-pivoting LU of K vs sparse Cholesky of T^T H T. For
// conductances over two decades the condition numbers are ~1e4, so agreement to ~1e-12 is
// expected; 1e-10 leaves a factor 100.
constexpr double kExact = 1e-10;

TEST(AnalysisSusceptibilityScale, BorderedInverseMatchesTheDenseBorderedSolve) {
  for (const Case& c : {resistor_case(1), spring_case()}) {
    const Vector w = c.net.conductances();
    BorderedInverse inverse(c.model, c.bc);
    inverse.update(w);
    const Matrix k = Matrix(physics::bordered_matrix(c.model, w, c.bc));
    const Matrix e = Matrix::Random(inverse.size(), 5);
    EXPECT_LT(rel(inverse.solve(e), k.partialPivLu().solve(e)), kExact);
  }
}

TEST(AnalysisSusceptibilityScale, BlockedNormsEqualTheDenseNormsForEveryBlockSize) {
  for (const Case& c : {resistor_case(2), spring_case()}) {
    const Vector w = c.net.conductances();
    BorderedInverse inverse(c.model, c.bc);
    inverse.update(w);
    const Vector dense = susceptibility_norms(c.model, w, c.bc);
    for (const Index block : {1, 7, 256})
      EXPECT_LT(rel(susceptibility_norms(inverse, block), dense), kExact) << "block " << block;
  }
}

TEST(AnalysisSusceptibilityScale, MultiplierPartIsMinusTheReactionAtTheSources) {
  const Case c = resistor_case(3);
  const Vector w = c.net.conductances();
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(w);
  // Edges away from the held nodes (a current cannot be injected into a held node).
  std::vector<Index> edges;
  for (Index e = 0; e < c.net.num_edges() && edges.size() < 4; e += 3) {
    const auto& edge = c.net.edge(e);
    if (edge.a != 0 && edge.a != 3 && edge.b != 0 && edge.b != 3) edges.push_back(e);
  }
  ASSERT_EQ(edges.size(), 4U);
  const Matrix s = susceptibility_vectors(inverse, edges);
  const Matrix dense = susceptibility_vectors(c.model, w, c.bc);
  const Index n = c.model.num_dofs();
  for (std::size_t j = 0; j < edges.size(); ++j) {
    const Index e = edges[j];
    EXPECT_LT(rel(s.row(static_cast<Index>(j)), dense.row(e)), kExact) << "edge " << e;
    // Independent route to the multiplier part: drive the edge with the current dipole b_e
    // (every source at 0) and read the reactions of an ordinary eliminated solve.
    physics::BoundaryConditions drive;
    drive.hold(0, 0.0).hold(3, 0.0).impose_difference(7, 11, 0.0);
    drive.inject(c.net.edge(e).a, 1.0).inject(c.net.edge(e).b, -1.0);
    const physics::State st = physics::solve(c.model, w, drive);
    EXPECT_NEAR(s(static_cast<Index>(j), n), -st.reactions[0], 1e-10 * s.row(0).norm());
    EXPECT_NEAR(s(static_cast<Index>(j), n + 1), -st.reactions[1], 1e-10 * s.row(0).norm());
    // and the physical part is the state itself
    EXPECT_LT(rel(s.row(static_cast<Index>(j)).head(n).transpose(), st.x), kExact);
  }
}

TEST(AnalysisSusceptibilityScale, SketchIsUnbiasedWithRelativeErrorSqrtTwoOverK) {
  const Case c = resistor_case(4, 20, 25);
  const Vector w = c.net.conductances();
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(w);
  const Vector exact = susceptibility_norms(c.model, w, c.bc);
  constexpr Index kProbes = 8;
  constexpr int kSeeds = 400;
  const Index m = exact.size();
  Matrix ratio(m, kSeeds);
  for (int s = 0; s < kSeeds; ++s) {
    SketchOptions options;
    options.probes = kProbes;
    options.seed = static_cast<std::uint64_t>(1000 + s);
    options.block_size = 3;
    const auto est = susceptibility_norms_sketch(inverse, options);
    EXPECT_DOUBLE_EQ(est.relative_standard_error, std::sqrt(2.0 / kProbes));
    ratio.col(s) = est.norms.cwiseQuotient(exact);
  }
  // est/exact ~ chi^2_k / k per edge: mean 1, std sqrt(2/k) = 0.5. Over 400 seeds the sample
  // mean has standard error 0.5/20 = 0.025 and the sample std (excess kurtosis 12/k = 1.5)
  // a relative standard error sqrt(3.5/400)/2 = 0.047; allow 4 standard errors per edge.
  for (Index i = 0; i < m; i += 5) {
    const double mean = ratio.row(i).mean();
    const double sd = std::sqrt((ratio.row(i).array() - mean).square().sum() / (kSeeds - 1));
    EXPECT_NEAR(mean, 1.0, 0.1) << "edge " << i;
    EXPECT_NEAR(sd / std::sqrt(2.0 / kProbes), 1.0, 0.19) << "edge " << i;
  }
}

TEST(AnalysisSusceptibilityScale, SketchTendsToTheExactNorms) {
  const Case c = resistor_case(5);
  const Vector w = c.net.conductances();
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(w);
  const Vector exact = susceptibility_norms(c.model, w, c.bc);
  double previous = 1e300;
  for (const Index k : {50, 800, 12800}) {
    SketchOptions options;
    options.probes = k;
    const auto est = susceptibility_norms_sketch(inverse, options);
    const double rms = std::sqrt((est.norms.cwiseQuotient(exact).array() - 1.0).square().mean());
    // RMS relative error over ~70 edges estimates sqrt(2/k) to within ~17% (1 sd), edges are
    // correlated through shared probes: accept 0.5x - 1.6x.
    EXPECT_GT(rms, 0.5 * est.relative_standard_error) << k;
    EXPECT_LT(rms, 1.6 * est.relative_standard_error) << k;
    EXPECT_LT(rms, previous);
    previous = rms;
  }
  EXPECT_LT(previous, 0.03);
}

TEST(AnalysisSusceptibilityScale, SketchDoesNotDependOnTheBlockSize) {
  const Case c = resistor_case(6);
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(c.net.conductances());
  SketchOptions a;
  a.probes = 37;
  a.block_size = 5;
  SketchOptions b = a;
  b.block_size = 64;
  // Same probes in the same order; only the grouping of the solves differs (round-off).
  EXPECT_LT(rel(susceptibility_norms_sketch(inverse, a).norms,
                susceptibility_norms_sketch(inverse, b).norms),
            1e-13);
}

TEST(AnalysisSusceptibilityScale, BadInput) {
  const Case c = resistor_case(7);
  BorderedInverse inverse(c.model, c.bc);
  EXPECT_THROW(susceptibility_norms(inverse), std::invalid_argument);  // no update(w) yet
  inverse.update(c.net.conductances());
  EXPECT_THROW(susceptibility_norms(inverse, 0), std::invalid_argument);
  SketchOptions bad;
  bad.probes = 0;
  EXPECT_THROW(susceptibility_norms_sketch(inverse, bad), std::invalid_argument);
  const std::vector<Index> edges = {-1};
  EXPECT_THROW(susceptibility_vectors(inverse, edges), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
