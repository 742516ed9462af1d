// Susceptibilities from simulated probe experiments (measured_susceptibility.hpp) against the
// dense bordered LU of susceptibility.hpp.
#include <plnet/analysis/measured_susceptibility.hpp>
#include <plnet/analysis/susceptibility.hpp>

#include <gtest/gtest.h>

#include <cmath>

#include "support/reference.hpp"

namespace plnet::analysis {
namespace {

struct Case {
  graph::Network net;
  physics::LinearModel model;
  physics::BoundaryConditions bc;
  Matrix s;
  Vector norms;
};

Case make_case(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Case c{testing::random_connected_network(18, 22, 0.5, rng), {}, {}, {}, {}};
  c.model = physics::resistor_model(c.net);
  c.bc.hold(0, 0.0).hold(5, 1.0);
  c.s = susceptibility_vectors(c.model, c.net.conductances(), c.bc);
  c.norms = c.s.rowwise().squaredNorm();
  return c;
}

TEST(AnalysisMeasuredSusceptibility, NoiselessCompleteProbeSetsRecoverTheExactValues) {
  const Case c = make_case(1);
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(c.net.conductances());
  ProbeExperiment unit;
  const auto u = measured_susceptibility(inverse, unit);
  EXPECT_EQ(u.probes, c.model.num_dofs());  // 16 free nodes + 2 sources
  const EstimationError eu = estimation_error(u, c.s, c.norms);
  // Exact solves vs dense LU: round-off times a condition number ~1e3.
  EXPECT_LT(eu.vectors, 1e-12);
  EXPECT_LT(eu.norms, 1e-12);
  // Random probes: least squares needs R >= n_active = 18; at R = 18 the Gaussian Z has a
  // condition number ~1e2, so the recovery is exact to ~1e-12.
  ProbeExperiment random;
  random.kind = ProbeKind::kRandom;
  random.probes = 18;
  const auto r = measured_susceptibility(inverse, random);
  EXPECT_LT(estimation_error(r, c.s, c.norms).vectors, 1e-10);
  EXPECT_LT(estimation_error(r, c.s, c.norms).norms, 1e-10);
  // Fewer probes than unknowns: the norms are the sketch, with relative error sqrt(2/R).
  random.probes = 6;
  const auto sketch = measured_susceptibility(inverse, random);
  const double rms = std::sqrt((sketch.norms.cwiseQuotient(c.norms).array() - 1.0).square().mean());
  EXPECT_GT(rms, 0.2 * std::sqrt(2.0 / 6.0));  // ~40 correlated edges: a loose band
  EXPECT_LT(rms, 2.0 * std::sqrt(2.0 / 6.0));
}

TEST(AnalysisMeasuredSusceptibility, ErrorScalesWithTheNoise) {
  const Case c = make_case(2);
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(c.net.conductances());
  for (const auto kind : {ProbeKind::kUnit, ProbeKind::kRandom}) {
    ProbeExperiment e;
    e.kind = kind;
    e.probes = 40;
    e.noise = 1e-4;
    const double small =
        estimation_error(measured_susceptibility(inverse, e), c.s, c.norms).vectors;
    e.noise = 1e-2;
    const double large =
        estimation_error(measured_susceptibility(inverse, e), c.s, c.norms).vectors;
    // Same seed, same draws scaled by the noise: the vector error is exactly linear in it.
    EXPECT_NEAR(large / small, 100.0, 1e-6);
  }
  // Unit probes: each entry carries N(0, noise^2), so ||S^ - S||_F ~ noise sqrt(M n_active);
  // with ~560 entries the relative fluctuation is ~3%: allow 10%.
  ProbeExperiment e;
  e.noise = 1e-3;
  const auto est = measured_susceptibility(inverse, e);
  const double expected = e.noise * std::sqrt(static_cast<double>(c.s.rows() * est.probes));
  EXPECT_NEAR((est.vectors - c.s).norm() / expected, 1.0, 0.1);
}

TEST(AnalysisMeasuredSusceptibility, BiasCorrectedNormsAreUnbiased) {
  const Case c = make_case(3);
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(c.net.conductances());
  // Noise comparable to the smallest entries: the raw sum of squares would be biased by
  // n_active noise^2; the corrected mean over 300 seeds must sit at the exact norms. Per edge
  // the estimate's sd is ~2 noise ||s_i|| (+ 2 noise^2 sqrt(n)), so the mean over 300 seeds
  // is within 4 sd / sqrt(300) of the truth.
  const double noise = 0.02;
  Vector mean = Vector::Zero(c.norms.size());
  constexpr int kSeeds = 300;
  for (int s = 0; s < kSeeds; ++s) {
    ProbeExperiment e;
    e.noise = noise;
    e.seed = static_cast<std::uint64_t>(s + 1);
    mean += measured_susceptibility(inverse, e).norms / kSeeds;
  }
  const double n_active = static_cast<double>(c.model.num_dofs());
  for (Index i = 0; i < c.norms.size(); ++i) {
    const double sd =
        2.0 * noise * std::sqrt(c.norms[i]) + 2.0 * noise * noise * std::sqrt(n_active);
    EXPECT_NEAR(mean[i], c.norms[i], 4.0 * sd / std::sqrt(kSeeds)) << "edge " << i;
  }
}

TEST(AnalysisMeasuredSusceptibility, BadInput) {
  const Case c = make_case(4);
  BorderedInverse inverse(c.model, c.bc);
  inverse.update(c.net.conductances());
  ProbeExperiment e;
  e.noise = -1.0;
  EXPECT_THROW(measured_susceptibility(inverse, e), std::invalid_argument);
  e.noise = 0.0;
  e.kind = ProbeKind::kRandom;
  e.probes = 0;
  EXPECT_THROW(measured_susceptibility(inverse, e), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
