// 004's training diagnostics. Landscape: PCA directions against an eigen-decomposition of the
// offsets' covariance, a trajectory confined to a known plane reconstructed exactly, the grid
// centre equal to the cost at the centre parameters, grid values against direct evaluations.
// Nudge bias: the beta -> 0 limit against 004 eq. (16) built from the cycle projector Omega,
// exact linearity in beta, and the closed-form label-noise bias against Monte Carlo.
#include <plnet/analysis/landscape.hpp>
#include <plnet/core/random.hpp>
#include <plnet/learning/responses.hpp>
#include <plnet/physics/cycle_space.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "support/reference.hpp"

#include <cmath>

namespace plnet::analysis {
namespace {

struct Problem {
  graph::Network net;
  physics::LinearModel model;
  learning::Task task;
  learning::Batch batch;
  std::vector<Index> outs;
};

Problem edge_source_problem(std::uint64_t seed, Index samples) {
  std::mt19937_64 rng(seed);
  Problem p{testing::random_connected_network(12, 14, 0.5, rng), {}, {}, {}, {}};
  p.model = physics::resistor_model(p.net);
  p.task.fixed.hold(0, 0.0);
  p.task.inputs = {learning::edge_source_input(2), learning::edge_source_input(4)};
  for (Index e = p.net.num_edges() - 1; e >= 0 && p.outs.size() < 2; --e)
    if (e != 2 && e != 4) p.outs.push_back(e);
  p.task.outputs = {learning::edge_readout(p.model, p.outs[0]),
                    learning::edge_readout(p.model, p.outs[1])};
  random::Engine engine(seed);
  p.batch.inputs.resize(samples, 2);
  p.batch.targets.resize(samples, 2);
  for (Index i = 0; i < p.batch.inputs.size(); ++i)
    p.batch.inputs.data()[i] = random::uniform(engine, -1, 1);
  for (Index i = 0; i < p.batch.targets.size(); ++i)
    p.batch.targets.data()[i] = random::uniform(engine, -0.3, 0.3);
  return p;
}

double cost_at(const Problem& p, const Vector& w, const learning::Loss& loss) {
  learning::Responses r(p.model, p.task);
  r.update(w);
  return learning::batch_cost(r, p.batch, loss);
}

TEST(AnalysisLandscape, PlanarTrajectoryIsReconstructedAndCentredOnTheCost) {
  const Problem p = edge_source_problem(3, 6);
  const learning::Loss loss{learning::LossKind::kMse, learning::Reduction::kMean};
  const Index m = p.net.num_edges();
  random::Engine engine(4);
  Matrix g(m, 2);
  for (Index i = 0; i < g.size(); ++i) g.data()[i] = random::normal(engine);
  const Matrix plane = Eigen::HouseholderQR<Matrix>(g).householderQ() * Matrix::Identity(m, 2);
  std::vector<Vector> traj;
  for (Index t = 0; t < 12; ++t) {
    const double s = static_cast<double>(t) / 11.0;
    traj.push_back(p.net.conductances() + 0.1 * s * plane.col(0) +
                   0.03 * std::sin(5 * s) * plane.col(1));
  }
  LandscapeOptions opt;
  opt.grid = 5;
  const Landscape l = trajectory_landscape(p.model, p.task, p.batch, loss, traj, opt);
  // The directions span the plane: projecting them onto it keeps their length.
  for (Index c = 0; c < 2; ++c)
    EXPECT_NEAR((plane.transpose() * l.directions.col(c)).norm(), 1.0, 1e-12);
  EXPECT_NEAR(l.explained_variance.sum(), 1.0, 1e-12);
  // Exact reconstruction of every snapshot from its two coordinates.
  for (Index t = 0; t < 12; ++t)
    EXPECT_LT((l.center + l.directions * l.coordinates.row(t).transpose() -
               traj[static_cast<std::size_t>(t)])
                  .norm(),
              1e-12);
  // The centre (final snapshot) and a corner against direct evaluation.
  EXPECT_EQ(l.cost(2, 2), cost_at(p, traj.back(), loss));
  EXPECT_NEAR(l.coordinates(11, 0), 0.0, 1e-15);
  const Vector corner =
      l.center + l.axis1[0] * l.directions.col(0) + l.axis2[4] * l.directions.col(1);
  EXPECT_NEAR(l.cost(0, 4), cost_at(p, corner, loss), 1e-13 * cost_at(p, corner, loss));
  EXPECT_DOUBLE_EQ(l.axis1[0], -l.axis1[4]);
  EXPECT_DOUBLE_EQ(-l.axis1[0], 1.5 * l.coordinates.col(0).cwiseAbs().maxCoeff());
}

TEST(AnalysisLandscape, DirectionsAreTheCovarianceEigenvectors) {
  const Problem p = edge_source_problem(5, 4);
  const learning::Loss loss{learning::LossKind::kMse, learning::Reduction::kSum};
  random::Engine engine(8);
  std::vector<Vector> traj{p.net.conductances()};
  for (Index t = 1; t < 30; ++t) {
    Vector step(p.net.num_edges());
    for (Index i = 0; i < step.size(); ++i)
      step[i] = 0.01 * random::normal(engine) * static_cast<double>(1 + i % 3);
    traj.push_back(traj.back() + step);
  }
  LandscapeOptions opt;
  opt.center = LandscapeCenter::kInitial;
  opt.grid = 3;
  const Landscape l = trajectory_landscape(p.model, p.task, p.batch, loss, traj, opt);
  Matrix x(30, p.net.num_edges());
  for (Index t = 0; t < 30; ++t)
    x.row(t) = (traj[static_cast<std::size_t>(t)] - traj.front()).transpose();
  const Matrix c = x.rowwise() - x.colwise().mean();
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(c.transpose() * c);
  const Index m = p.net.num_edges();
  const double total = eig.eigenvalues().sum();
  for (Index k = 0; k < 2; ++k) {
    // |cos| = 1 up to the eigen-solver's accuracy on a well-separated spectrum.
    EXPECT_NEAR(std::abs(eig.eigenvectors().col(m - 1 - k).dot(l.directions.col(k))), 1.0, 1e-8);
    EXPECT_NEAR(l.explained_variance[k], eig.eigenvalues()[m - 1 - k] / total, 1e-10);
  }
  EXPECT_EQ(l.cost(1, 1), cost_at(p, traj.front(), loss));
  // Resistance parametrisation: the centre is r, the network sees 1/r.
  std::vector<Vector> rtraj;
  for (const auto& w : traj) rtraj.push_back(w.cwiseInverse());
  opt.parametrization = learning::Parametrization::kResistance;
  const Landscape lr = trajectory_landscape(p.model, p.task, p.batch, loss, rtraj, opt);
  EXPECT_NEAR(lr.cost(1, 1), cost_at(p, rtraj.front().cwiseInverse(), loss), 1e-14 * lr.cost(1, 1));
}

TEST(AnalysisLandscape, CentreOfATrainedTrajectoryIsTheFinalCost) {
  // A real run of the trainer in 004's parametrisation (resistances, exact gradient): the
  // landscape centre is the cost the trainer logs at its final parameters.
  const Problem p = edge_source_problem(13, 8);
  const learning::Loss loss{learning::LossKind::kMse, learning::Reduction::kMean};
  learning::ProtocolOptions protocol;
  protocol.learning_rate = 0.05;
  protocol.steps = 200;
  protocol.batch_mode = learning::BatchMode::kFull;
  protocol.learn = learning::Parametrization::kResistance;
  protocol.log_every = 200;
  protocol.parameters_every = 10;
  learning::Trainer trainer(p.model, p.task, p.batch, {}, loss, {learning::RuleKind::kExact},
                            protocol, p.net.conductances());
  trainer.run();
  const auto& snaps = trainer.state().snapshots;
  ASSERT_GE(snaps.size(), 3U);
  std::vector<Vector> r;
  for (const auto& w : snaps) r.push_back(w.cwiseInverse());
  LandscapeOptions opt;
  opt.grid = 7;
  opt.parametrization = learning::Parametrization::kResistance;
  const Landscape l = trajectory_landscape(p.model, p.task, p.batch, loss, r, opt);
  const double final_cost = trainer.state().log.back().train_cost;
  // 1/(1/w) differs from w by an ulp: the cost agrees to round-off.
  EXPECT_NEAR(l.cost(3, 3), final_cost, 1e-12 * final_cost);
  EXPECT_LT(final_cost, trainer.state().log.front().train_cost);
  EXPECT_GT(l.explained_variance[0], 0.5);  // gradient descent moves mostly along one line
}

TEST(AnalysisNudgeBias, LimitIsEq16AndErrorIsLinearInBeta) {
  const Problem p = edge_source_problem(9, 5);
  const learning::Loss loss{learning::LossKind::kMse, learning::Reduction::kSum};
  const Vector w = p.net.conductances();
  NudgeBiasOptions opt;
  opt.betas = {1e-3, 1e-2, 1e-1};
  const NudgeBias b = two_phase_bias(p.model, p.task, p.batch, loss, w, opt);
  // 004 eq. (16) from the dense projector: dC/dr limit = sum_s diag(i_F) R^-1 Omega P_o^T (y -
  // v_o), converted to conductance space by dC/dk = -dC/dr / k^2.
  const Matrix omega = physics::cycle_projector(physics::cycle_matrix(p.net), w);
  Vector eq16 = Vector::Zero(p.net.num_edges());
  for (Index s = 0; s < p.batch.size(); ++s) {
    Vector src = Vector::Zero(p.net.num_edges());
    src[2] = p.batch.inputs(s, 0);
    src[4] = p.batch.inputs(s, 1);
    const Vector v = -omega * src;
    Vector err = Vector::Zero(p.net.num_edges());
    for (Index o = 0; o < 2; ++o)
      err[p.outs[static_cast<std::size_t>(o)]] =
          p.batch.targets(s, o) - v[p.outs[static_cast<std::size_t>(o)]];
    eq16 += w.cwiseProduct(v).cwiseProduct(w.cwiseProduct(omega * err));
  }
  const Vector limit = -eq16.cwiseQuotient(w.cwiseAbs2());
  // Extrapolation of an exactly affine function: round-off of the dense Omega (~1e-12).
  EXPECT_LT((b.limit - limit).norm(), 1e-9 * limit.norm());
  // O(beta) and exactly linear: error / beta is the same at every beta.
  for (Index k = 1; k < 3; ++k)
    EXPECT_NEAR(b.finite_nudge_error[k] / b.betas[k], b.finite_nudge_error[0] / b.betas[0],
                1e-6 * b.finite_nudge_error[0] / b.betas[0]);
  EXPECT_LT(b.finite_nudge_error[0], 1e-2);
  // eq. (16) is not the exact gradient (docs/learning.md): the error to it does not vanish.
  EXPECT_GT(b.error_to_exact[0], 1e-3);
  // Without noise no noise bias is reported.
  EXPECT_EQ(b.noise_bias.norm(), 0.0);
}

TEST(AnalysisNudgeBias, LabelNoiseBiasIsOrderBetaAndMatchesMonteCarlo) {
  const Problem p = edge_source_problem(11, 4);
  const learning::Loss loss{learning::LossKind::kMse, learning::Reduction::kSum};
  NudgeBiasOptions opt;
  opt.betas = {0.5, 1.0, 2.0};
  opt.noise_sd = 0.5;
  opt.noise_draws = 4000;
  opt.seed = 21;
  const NudgeBias b = two_phase_bias(p.model, p.task, p.batch, loss, p.net.conductances(), opt);
  for (Index k = 0; k < 3; ++k) {
    // |mean| vs |predicted|: the difference is bounded by the Monte Carlo error vector, whose
    // norm is ~noise_bias_error; 4 of them.
    EXPECT_NEAR(b.noise_bias[k], b.predicted_noise_bias[k], 4.0 * b.noise_bias_error[k]) << k;
    EXPECT_GT(b.predicted_noise_bias[k], 4.0 * b.noise_bias_error[k]);  // resolved
    // The closed form is exactly linear in beta (004 eq. 144: (beta/2) E (Q eps)^2).
    EXPECT_NEAR(b.predicted_noise_bias[k] / b.betas[k], b.predicted_noise_bias[0] / b.betas[0],
                1e-8 * b.predicted_noise_bias[0] / b.betas[0]);
  }
  // The exact (projector) gradient is linear in the targets: unbiased under noise.
  EXPECT_LT(b.exact_noise_bias, 4.0 * b.exact_noise_bias_error);
}

}  // namespace
}  // namespace plnet::analysis
