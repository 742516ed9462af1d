// Physical Hessian spectra: the reduced form against H with the held rows and columns removed
// (built from model.hessian, not the elimination machinery), the bordered form against its
// defining properties, and shift-invert Lanczos against the dense result.
#include <plnet/analysis/spectrum.hpp>
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

#include <algorithm>

namespace plnet::analysis {
namespace {

struct Fixture {
  graph::Network net;
  physics::LinearModel model;
  physics::BoundaryConditions bc;
};

Fixture grounded(std::uint64_t seed, Index nodes, Index extra) {
  std::mt19937_64 rng(seed);
  Fixture f{testing::random_connected_network(nodes, extra, 1.0, rng), {}, {}};
  f.model = physics::resistor_model(f.net);
  f.bc.hold(0, 0.0).hold(3, 1.0).hold(5, -1.0);
  return f;
}

TEST(AnalysisSpectrum, ReducedSpectrumIsTheGroundedHessian) {
  const Fixture f = grounded(31, 20, 25);
  const Vector w = f.net.conductances();
  const PhysicalSpectrum spec = physical_spectrum(f.model, w, f.bc);
  // H with rows and columns of held dofs deleted, from the full sparse Hessian.
  const Matrix h = Matrix(f.model.hessian(w));
  std::vector<Index> free;
  for (Index d = 0; d < f.model.num_dofs(); ++d)
    if (d != 0 && d != 3 && d != 5) free.push_back(d);
  const auto nf = static_cast<Index>(free.size());
  Matrix grounded_h(nf, nf);
  for (Index a = 0; a < nf; ++a)
    for (Index b = 0; b < nf; ++b)
      grounded_h(a, b) = h(free[static_cast<std::size_t>(a)], free[static_cast<std::size_t>(b)]);
  const Eigen::SelfAdjointEigenSolver<Matrix> ref(grounded_h);
  ASSERT_EQ(spec.reduced_values.size(), nf);
  EXPECT_LT((spec.reduced_values - ref.eigenvalues()).norm(), 1e-12 * ref.eigenvalues().norm());
  EXPECT_GT(spec.reduced_values[0], 0.0);  // grounded, connected: positive definite
  // Full-space modes: held dofs zero, orthonormal, H x = lambda x on the free dofs.
  for (Index c = 0; c < nf; ++c) {
    const Vector x = spec.reduced_modes_full.col(c);
    EXPECT_EQ(x[0], 0.0);
    EXPECT_EQ(x[3], 0.0);
    const Vector residual = h * x - spec.reduced_values[c] * x;
    for (Index a = 0; a < nf; ++a)
      EXPECT_NEAR(residual[free[static_cast<std::size_t>(a)]], 0.0,
                  1e-11 * ref.eigenvalues().maxCoeff());
  }
  const Matrix gram = spec.reduced_modes_full.transpose() * spec.reduced_modes_full;
  EXPECT_LT((gram - Matrix::Identity(nf, nf)).norm(), 1e-12 * static_cast<double>(nf));
}

TEST(AnalysisSpectrum, BorderedModesAreOrderedByMagnitudeAndInertiaIsRight) {
  const Fixture f = grounded(32, 15, 20);
  const Vector w = f.net.conductances();
  const PhysicalSpectrum spec = physical_spectrum(f.model, w, f.bc);
  const Matrix k = Matrix(physics::bordered_matrix(f.model, w, f.bc));
  const Index n = k.rows();
  ASSERT_EQ(spec.bordered_values.size(), n);
  for (Index c = 1; c < n; ++c)
    EXPECT_LE(std::abs(spec.bordered_values[c - 1]), std::abs(spec.bordered_values[c]));
  for (Index c = 0; c < n; ++c)
    EXPECT_LT(
        (k * spec.bordered_modes.col(c) - spec.bordered_values[c] * spec.bordered_modes.col(c))
            .norm(),
        1e-11 * k.norm());
  // Sylvester inertia of a KKT matrix with a positive-definite reduced block: num_dofs
  // positive eigenvalues and one negative per independent Lagrange row.
  const auto negative = std::count_if(spec.bordered_values.begin(), spec.bordered_values.end(),
                                      [](double v) { return v < 0.0; });
  EXPECT_EQ(negative, 3);
  // The product of the eigenvalues is det K (checked in logs against an LU).
  const double log_det = spec.bordered_values.array().abs().log().sum();
  const Eigen::PartialPivLU<Matrix> lu(k);
  EXPECT_NEAR(log_det, lu.matrixLU().diagonal().array().abs().log().sum(),
              1e-9 * static_cast<double>(n));
}

TEST(AnalysisSpectrum, ShiftInvertLanczosMatchesDense) {
  const Fixture f = grounded(33, 200, 300);
  const Vector w = f.net.conductances();
  const PhysicalSpectrum spec = physical_spectrum(f.model, w, f.bc);
  const Index k = 6;
  const LowestModes low = lowest_physical_modes(f.model, w, f.bc, k);
  ASSERT_TRUE(low.converged);
  ASSERT_EQ(low.values.size(), k);
  for (Index c = 0; c < k; ++c) {
    EXPECT_NEAR(low.values[c], spec.reduced_values[c], 1e-10 * spec.reduced_values[c]);
    // Modes agree up to sign (the lowest eigenvalues of a random network are simple).
    EXPECT_NEAR(std::abs(low.modes.col(c).dot(spec.reduced_modes.col(c))), 1.0, 1e-8);
  }
  EXPECT_THROW(lowest_physical_modes(f.model, w, f.bc, 0), std::invalid_argument);
  EXPECT_THROW(physical_spectrum(f.model, -w, f.bc), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
