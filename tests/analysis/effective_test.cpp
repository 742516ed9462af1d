// Effective conductance and dimension: spectral formulas against trace identities of the
// inverse grounded Laplacian (sum lambda^-2 = ||K^-1||_F^2, sum lambda^-4 = ||K^-2||_F^2) and a
// closed-form 3-node path; random-force sampling against the spectral values within the
// derived standard errors, and those standard errors against the spread over independent
// replicates; mode alignment against forces built from known modes.
#include <plnet/analysis/effective.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/graph/generators.hpp>
#include <plnet/learning/task.hpp>
#include <plnet/learning/trainer.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

#include <cmath>

namespace plnet::analysis {
namespace {

struct Grounded {
  graph::Network net;
  physics::LinearModel model;
  physics::BoundaryConditions bc;
  Matrix k;  // grounded Laplacian (node 0 removed), built from the edge list
};

Grounded grounded(std::uint64_t seed, Index nodes, Index extra, double decades) {
  std::mt19937_64 rng(seed);
  Grounded g{testing::random_connected_network(nodes, extra, decades, rng), {}, {}, {}};
  g.model = physics::resistor_model(g.net);
  g.bc.hold(0, 0.0);
  g.k = testing::dense_laplacian(g.net).cast<double>().bottomRightCorner(nodes - 1, nodes - 1);
  return g;
}

TEST(AnalysisEffective, ThreeNodePathClosedForm) {
  // 0 -k1- 1 -k2- 2, node 0 grounded: K = [[k1 + k2, -k2], [-k2, k2]], det = k1 k2,
  // K^-1 = [[1, 1], [1, 1 + k1/k2]] / k1, so g_bar^2 = ||K^-1||_F^2 = (3 + (1 + k1/k2)^2) / k1^2.
  const double k1 = 2.0, k2 = 0.5;
  const graph::Network net(3, {{0, 1}, {1, 2}}, (Vector(2) << k1, k2).finished());
  physics::BoundaryConditions bc;
  bc.hold(0, 0.0);
  const PhysicalSpectrum spec =
      physical_spectrum(physics::resistor_model(net), net.conductances(), bc);
  const double q = 1.0 + k1 / k2;
  const double g2 = (3.0 + q * q) / (k1 * k1);
  EXPECT_NEAR(effective_conductance(spec.reduced_values), std::sqrt(g2), 1e-14);
  // K^-2 = [[2, 1 + q], [1 + q, 1 + q^2]] / k1^2.
  const double s4 =
      (4.0 + 2.0 * (1.0 + q) * (1.0 + q) + (1.0 + q * q) * (1.0 + q * q)) / std::pow(k1, 4);
  EXPECT_NEAR(effective_dimension(spec.reduced_values), g2 * g2 / (3.0 * s4), 1e-14);
  // Limits: one dominant soft mode -> 1/3; n equal eigenvalues -> n/3.
  EXPECT_NEAR(effective_dimension((Vector(3) << 1e-6, 1.0, 1.0).finished()), 1.0 / 3.0, 1e-11);
  EXPECT_NEAR(effective_dimension(Vector::Constant(6, 2.5)), 2.0, 1e-15);
  EXPECT_THROW(effective_conductance((Vector(2) << 1.0, 0.0).finished()), std::invalid_argument);
}

TEST(AnalysisEffective, SpectralFormsAreTraceIdentities) {
  const Grounded g = grounded(41, 30, 40, 1.0);
  const PhysicalSpectrum spec = physical_spectrum(g.model, g.net.conductances(), g.bc);
  const Matrix kinv = g.k.inverse();
  const double s2 = kinv.squaredNorm();
  const double s4 = (kinv * kinv).squaredNorm();
  // Dense inverse vs eigenvalues: condition number ~1e3 here, so 1e-10 relative.
  EXPECT_NEAR(effective_conductance(spec.reduced_values), std::sqrt(s2), 1e-10 * std::sqrt(s2));
  EXPECT_NEAR(effective_dimension(spec.reduced_values), s2 * s2 / (3.0 * s4), 1e-10 * s2 * s2 / s4);
}

TEST(AnalysisEffective, SampledMeasuresAgreeWithSpectrumWithinTheirErrors) {
  const Grounded g = grounded(43, 25, 30, 1.0);
  const Vector w = g.net.conductances();
  const PhysicalSpectrum spec = physical_spectrum(g.model, w, g.bc);
  const double g_ref = effective_conductance(spec.reduced_values);
  const double d_ref = effective_dimension(spec.reduced_values);
  const Index n = spec.reduced_values.size();
  for (const auto dist : {ForceDistribution::kUnitSphere, ForceDistribution::kGaussian}) {
    RandomForceOptions opt;
    opt.distribution = dist;
    opt.samples = 4000;
    opt.seed = 5;
    const Matrix f = random_forces(n, opt);
    const Matrix x = random_force_responses(g.model, w, g.bc, f);
    // The responses are K^-1 F (dense check).
    EXPECT_LT((g.k * x - f).norm(), 1e-9 * f.norm());
    const RandomForceMeasures m = random_force_measures(f, x, spec.reduced_modes, dist);
    // 4 standard errors: a false failure has probability ~1e-4 per comparison.
    EXPECT_NEAR(m.effective_conductance, g_ref, 4.0 * m.effective_conductance_error);
    EXPECT_NEAR(m.effective_dimension, d_ref, 4.0 * m.effective_dimension_error);
    // The delta-method error of g_bar^2 = 2 g se(g) matches the spectral prediction to the
    // accuracy of a sample standard deviation of heavy-tailed a_m over 4000 draws (~10%).
    const double se_g2 = 2.0 * m.effective_conductance * m.effective_conductance_error;
    const double se_pred = predicted_conductance_squared_error(spec.reduced_values, dist, 4000);
    EXPECT_NEAR(se_g2, se_pred, 0.15 * se_pred);
    // eq. (26) literally is smaller than g_bar / sqrt(n) (Jensen) but of that order.
    EXPECT_LT(m.mean_amplitude, g_ref / std::sqrt(static_cast<double>(n)) * 1.05);
    EXPECT_GT(m.mean_amplitude, 0.3 * g_ref / std::sqrt(static_cast<double>(n)));
    EXPECT_GE(m.mean_participation, 1.0);
  }
}

TEST(AnalysisEffective, StandardErrorsMatchTheSpreadOfReplicates) {
  // Small network, many independent experiments: the empirical standard deviation of the
  // estimates over R replicates must match the standard error each replicate reports.
  const Grounded g = grounded(47, 9, 8, 0.5);
  const Vector w = g.net.conductances();
  const PhysicalSpectrum spec = physical_spectrum(g.model, w, g.bc);
  const Index n = spec.reduced_values.size();
  const Index reps = 400, samples = 400;
  for (const auto dist : {ForceDistribution::kUnitSphere, ForceDistribution::kGaussian}) {
    Vector gs(reps), ds(reps), ges(reps), des(reps);
    for (Index r = 0; r < reps; ++r) {
      RandomForceOptions opt{dist, samples, static_cast<std::uint64_t>(1000 + r)};
      const Matrix f = random_forces(n, opt);
      const Matrix x = random_force_responses(g.model, w, g.bc, f);
      const RandomForceMeasures m = random_force_measures(f, x, spec.reduced_modes, dist);
      gs[r] = m.effective_conductance;
      ds[r] = m.effective_dimension;
      ges[r] = m.effective_conductance_error;
      des[r] = m.effective_dimension_error;
    }
    const auto sd = [](const Vector& v) {
      return std::sqrt((v.array() - v.mean()).square().sum() / static_cast<double>(v.size() - 1));
    };
    // A standard deviation from 400 replicates is accurate to ~1/sqrt(800) = 3.5%; the delta
    // method adds O(1/M) bias. 15% is several sigma of both.
    EXPECT_NEAR(sd(gs), ges.mean(), 0.15 * ges.mean());
    EXPECT_NEAR(sd(ds), des.mean(), 0.15 * des.mean());
    // The mean over replicates is unbiased to O(1/M): the spectral values within 4 se / sqrt(R)
    // plus the O(1/M) ratio bias.
    EXPECT_NEAR(gs.mean(), effective_conductance(spec.reduced_values),
                4.0 * ges.mean() / std::sqrt(static_cast<double>(reps)) +
                    2.0 * ges.mean() * ges.mean() / effective_conductance(spec.reduced_values));
    EXPECT_NEAR(ds.mean(), effective_dimension(spec.reduced_values),
                4.0 * des.mean() / std::sqrt(static_cast<double>(reps)) +
                    4.0 * des.mean() * des.mean() / effective_dimension(spec.reduced_values));
  }
}

TEST(AnalysisEffective, AlignmentWithForcesBuiltFromModes) {
  const Grounded g = grounded(53, 12, 10, 1.0);
  const PhysicalSpectrum spec = physical_spectrum(g.model, g.net.conductances(), g.bc);
  const Matrix& v = spec.reduced_modes;
  const Index n = v.cols();
  Matrix f(n, 2);
  f.col(0) = v.col(2) + 2.0 * v.col(5);
  f.col(1) = -3.0 * v.col(5);
  const Matrix o = mode_force_overlaps(v, f);
  EXPECT_NEAR(o(2, 0), 1.0 / 5.0, 1e-13);
  EXPECT_NEAR(o(5, 0), 4.0 / 5.0, 1e-13);
  EXPECT_NEAR(o(5, 1), 1.0, 1e-13);
  EXPECT_NEAR(o.col(0).sum(), 1.0, 1e-13);  // complete orthonormal basis
  const TaskAlignment a = task_alignment(v, f);
  EXPECT_EQ(a.rank, 2);
  EXPECT_NEAR(a.aligned_modes, 2.0, 1e-12);
  EXPECT_EQ(a.modes_above_threshold, 2);
  EXPECT_NEAR(a.subspace_overlap[2], 1.0, 1e-12);
  EXPECT_NEAR(a.subspace_overlap.sum(), 2.0, 1e-12);
  EXPECT_NEAR(a.random_overlap, 2.0 / static_cast<double>(n), 1e-15);
  // A direction spread evenly over every mode: overlap 1/n each, n effective modes.
  const TaskAlignment spread = task_alignment(v, v * Vector::Ones(n));
  EXPECT_NEAR(spread.aligned_modes, static_cast<double>(n), 1e-10);
}

TEST(AnalysisEffective, TaskForcesOnAThreeNodePath) {
  // 0 -k1- 1 -k2- 2, node 0 grounded. Input 0: voltage source at node 2; input 1: current
  // injected at node 1 with coefficient 2; output: voltage of node 1. Free dofs: nodes 1, 2
  // for the injection structure, but node 2 is held, so the reduced coordinates are {node 1}.
  const double k1 = 2.0, k2 = 0.5;
  const graph::Network net(3, {{0, 1}, {1, 2}}, (Vector(2) << k1, k2).finished());
  const physics::LinearModel model = physics::resistor_model(net);
  learning::Task task;
  task.fixed.hold(0, 0.0);
  task.inputs = {learning::hold_input(2), learning::injection_input({1}, {2.0})};
  task.outputs = {learning::node_readout(1)};
  const Matrix f = task_forces(model, net.conductances(), task);
  ASSERT_EQ(f.rows(), 1);
  ASSERT_EQ(f.cols(), 3);
  EXPECT_NEAR(f(0, 0), k2, 1e-15);  // -H_12 * 1: the source pushes k2 into node 1
  EXPECT_NEAR(f(0, 1), 2.0, 1e-15);
  EXPECT_NEAR(f(0, 2), 1.0, 1e-15);
}

TEST(AnalysisEffective, TrainingSoftensAFlowNetwork) {
  // 003 Fig. 4a in miniature: an Erdos-Renyi flow network (N = 40, Z = 3), current in at one
  // node, the pressure at another trained to 4x its initial gain (exact gradient, full batch).
  // Learning lowers the soft eigenvalues, so g_bar rises; spectral and sampled values agree
  // within 4 standard errors before and after. (Measured: g_bar 22.0 -> 72.6 for seed 1.)
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    graph::ErdosRenyiOptions eo;
    eo.seed = seed;
    const graph::Network net = graph::erdos_renyi(eo);
    const physics::LinearModel model = physics::resistor_model(net);
    const Index n = net.num_nodes();
    learning::Task task;
    task.fixed.hold(0, 0.0);
    task.inputs = {learning::injection_input({n / 3}, {1.0})};
    task.outputs = {learning::node_readout(2 * n / 3)};
    random::Engine engine(seed);
    Vector w0(net.num_edges());
    for (Index i = 0; i < w0.size(); ++i) w0[i] = random::uniform(engine, 0.5, 1.5);
    learning::Batch batch;
    batch.inputs = Vector::LinSpaced(5, 0.2, 1.0);
    learning::Responses r0(model, task);
    r0.update(w0);
    batch.targets = 4.0 * r0.outputs(batch.inputs);
    learning::ProtocolOptions protocol;
    protocol.learning_rate = 0.02;
    protocol.steps = 3000;
    protocol.batch_mode = learning::BatchMode::kFull;
    protocol.log_every = 3000;
    protocol.bounds = learning::Bounds{1e-3, 1e6};
    learning::Trainer trainer(model, task, batch, {},
                              {learning::LossKind::kMse, learning::Reduction::kMean},
                              {learning::RuleKind::kExact}, protocol, w0);
    trainer.run();
    ASSERT_LT(trainer.state().log.back().train_cost, 1e-6 * trainer.state().log.front().train_cost);
    const physics::BoundaryConditions bc = task.conditions(Vector::Zero(1));
    double g[2];
    for (int k = 0; k < 2; ++k) {
      const Vector& w = k == 0 ? w0 : trainer.parameters();
      const PhysicalSpectrum spec = physical_spectrum(model, w, bc);
      const RandomForceOptions opt{ForceDistribution::kUnitSphere, 500, 7};
      const Matrix f = random_forces(spec.reduced_values.size(), opt);
      const RandomForceMeasures m = random_force_measures(
          f, random_force_responses(model, w, bc, f), spec.reduced_modes, opt.distribution);
      g[k] = effective_conductance(spec.reduced_values);
      EXPECT_NEAR(m.effective_conductance, g[k], 4.0 * m.effective_conductance_error);
      EXPECT_NEAR(m.effective_dimension, effective_dimension(spec.reduced_values),
                  4.0 * m.effective_dimension_error);
    }
    EXPECT_GT(g[1], 1.5 * g[0]) << "seed " << seed;
  }
}

TEST(AnalysisEffective, SpectralTrajectoryMatchesDenseGroundedLaplacians) {
  std::mt19937_64 rng(71);
  const graph::Network net = testing::random_connected_network(15, 15, 1.0, rng);
  const physics::LinearModel model = physics::resistor_model(net);
  physics::BoundaryConditions bc;
  bc.hold(0, 0.0);
  std::vector<Vector> snaps;
  for (int s = 0; s < 4; ++s)
    snaps.push_back(net.conductances().array() * (1.0 + 0.2 * s) *
                    Eigen::ArrayXd::LinSpaced(net.num_edges(), 1.0, 1.0 + s));
  const SpectralTrajectory t = spectral_trajectory(model, snaps, bc, 3);
  ASSERT_EQ(t.lowest.rows(), 4);
  ASSERT_EQ(t.lowest.cols(), 3);
  for (int s = 0; s < 4; ++s) {
    const graph::Network scaled(net.num_nodes(), net.edges(), snaps[static_cast<std::size_t>(s)]);
    const Matrix k = testing::dense_laplacian(scaled).cast<double>().bottomRightCorner(14, 14);
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(k);
    // Two dense symmetric eigen-solvers on the same matrix: round-off relative to lambda_max.
    EXPECT_LT((t.lowest.row(s).transpose() - eig.eigenvalues().head(3)).norm(),
              1e-12 * eig.eigenvalues().maxCoeff());
    const Matrix kinv = k.inverse();
    EXPECT_NEAR(t.effective_conductance[s], kinv.norm(), 1e-9 * kinv.norm());
  }
  EXPECT_THROW(spectral_trajectory(model, snaps, bc, 15), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
