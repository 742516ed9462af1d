// Intrinsic-dimension estimators on synthetic data of known dimension: uniform points in a
// d-cube and on a flat 2-torus, embedded isometrically (random orthonormal map) in higher
// dimension, then on network responses to forces confined to a known number of directions.
#include <plnet/analysis/dimension.hpp>
#include <plnet/analysis/effective.hpp>
#include <plnet/core/random.hpp>

#include <gtest/gtest.h>

#include <Eigen/QR>

#include "support/reference.hpp"

#include <cmath>
#include <numbers>

namespace plnet::analysis {
namespace {

/// D x d matrix with orthonormal columns.
Matrix random_isometry(Index big, Index small, random::Engine& engine) {
  Matrix g(big, small);
  for (Index i = 0; i < g.size(); ++i) g.data()[i] = random::normal(engine);
  const Eigen::HouseholderQR<Matrix> qr(g);
  return qr.householderQ() * Matrix::Identity(big, small);
}

Matrix cube_points(Index d, Index embed, Index n, std::uint64_t seed) {
  random::Engine engine(seed);
  Matrix x(d, n);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = random::uniform(engine);
  return random_isometry(embed, d, engine) * x;
}

Matrix torus_points(Index embed, Index n, std::uint64_t seed) {
  // Flat torus (cos a, sin a, cos b, sin b): a 2-manifold without boundary.
  random::Engine engine(seed);
  Matrix x(4, n);
  for (Index i = 0; i < n; ++i) {
    const double a = 2.0 * std::numbers::pi * random::uniform(engine);
    const double b = 2.0 * std::numbers::pi * random::uniform(engine);
    x.col(i) << std::cos(a), std::sin(a), std::cos(b), std::sin(b);
  }
  return random_isometry(embed, 4, engine) * x;
}

// Tolerances: for N = 1500 points the TwoNN and Levina-Bickel estimators have a relative
// statistical error of ~1/sqrt(N) ~ 3% plus boundary effects of a few % for the cube (edges
// lower the apparent dimension); 12% covers both for d <= 3.
constexpr double kTol = 0.12;

TEST(AnalysisDimension, CubesOfKnownDimension) {
  for (const Index d : {1, 2, 3}) {
    const Matrix p = cube_points(d, 10, 1500, 100 + static_cast<std::uint64_t>(d));
    const double dd = static_cast<double>(d);
    const TwoNNEstimate t = twonn_dimension(p);
    EXPECT_NEAR(t.dimension, dd, kTol * dd) << "d = " << d;
    EXPECT_NEAR(t.maximum_likelihood, dd, kTol * dd) << "d = " << d;
    const LevinaBickelEstimate lb = levina_bickel_dimension(p, 10);
    EXPECT_NEAR(lb.dimension, dd, kTol * dd) << "d = " << d;
    EXPECT_NEAR(lb.inverse_averaged, dd, kTol * dd) << "d = " << d;
    const CorrelationDimensionEstimate c = correlation_dimension(p);
    EXPECT_NEAR(c.dimension, dd, kTol * dd) << "d = " << d;
    // C(r) is a non-decreasing fraction.
    for (Index m = 1; m < c.correlation_sum.size(); ++m)
      EXPECT_GE(c.correlation_sum[m], c.correlation_sum[m - 1]);
  }
}

TEST(AnalysisDimension, FlatTorusIsTwoDimensional) {
  const Matrix p = torus_points(8, 2000, 7);
  EXPECT_NEAR(twonn_dimension(p).dimension, 2.0, kTol * 2.0);
  EXPECT_NEAR(levina_bickel_dimension(p, 10).dimension, 2.0, kTol * 2.0);
  EXPECT_NEAR(correlation_dimension(p).dimension, 2.0, kTol * 2.0);
}

TEST(AnalysisDimension, NetworkResponsesToForcesInAPlane) {
  // Forces confined to span{f1, f2} on a 30-node grounded resistor network: the responses
  // K^-1 F lie in a 2-plane of R^29, so every estimator must find 2 (not 29).
  std::mt19937_64 rng(61);
  const graph::Network net = testing::random_connected_network(30, 30, 0.5, rng);
  const physics::LinearModel model = physics::resistor_model(net);
  physics::BoundaryConditions bc;
  bc.hold(0, 0.0);
  random::Engine engine(3);
  const Index n = 29, m = 1500;
  Matrix basis(n, 2);
  for (Index i = 0; i < basis.size(); ++i) basis.data()[i] = random::normal(engine);
  Matrix coeffs(2, m);
  for (Index i = 0; i < coeffs.size(); ++i) coeffs.data()[i] = random::uniform(engine, -1, 1);
  const Matrix x = random_force_responses(model, net.conductances(), bc, basis * coeffs);
  EXPECT_NEAR(twonn_dimension(x).dimension, 2.0, kTol * 2.0);
  EXPECT_NEAR(levina_bickel_dimension(x, 10).dimension, 2.0, kTol * 2.0);
  EXPECT_NEAR(correlation_dimension(x).dimension, 2.0, kTol * 2.0);
}

TEST(AnalysisDimension, RejectsDuplicatesAndBadArguments) {
  Matrix p = cube_points(2, 3, 20, 1);
  p.col(5) = p.col(6);
  EXPECT_THROW(twonn_dimension(p), std::invalid_argument);
  EXPECT_THROW(levina_bickel_dimension(cube_points(2, 3, 20, 1), 20), std::invalid_argument);
  CorrelationDimensionOptions bad;
  bad.low_quantile = 0.5;
  bad.high_quantile = 0.1;
  EXPECT_THROW(correlation_dimension(cube_points(2, 3, 20, 1), bad), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
