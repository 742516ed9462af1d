// The training protocol: cost falls by orders of magnitude on a small regression, the same seed
// gives the same bits, a resumed run ends bit-identical to an uninterrupted one, and the
// protocol knobs (bounds, frozen edges, resistances) do what they say. Node networks (003,
// H = W): signed couplings are not clipped by default, and a step that takes W through zero
// stops the run with its step, the smallest eigenvalue and a state that resumes.
#include <plnet/learning/trainer.hpp>

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include <cmath>
#include <limits>

#include "support/reference.hpp"

namespace plnet::learning {
namespace {

struct Regression {
  graph::Network net;
  physics::LinearModel model;
  Task task;
  Batch train;
};

// 000's first experiment in miniature: 2 sources + ground, 2 node targets, a linear map.
Regression regression(std::uint64_t seed, Index nodes = 40) {
  std::mt19937_64 rng(seed);
  Regression s{testing::random_connected_network(nodes, nodes, 0.3, rng), {}, {}, {}};
  s.model = physics::resistor_model(s.net);
  s.task.fixed.hold(0, 0.0);
  s.task.inputs = {hold_input(1), hold_input(2)};
  s.task.outputs = {node_readout(nodes / 2), node_readout(nodes - 1)};
  Matrix map(2, 2);
  map << 0.15, 0.2, 0.25, 0.1;  // 000 eq. (1)-like: outputs are positive mixtures of inputs
  s.train.inputs = Matrix::Random(40, 2).cwiseAbs();
  s.train.targets = s.train.inputs * map.transpose();
  return s;
}

TEST(Trainer, CoupledLearningLowersRegressionCostByOrdersOfMagnitude) {
  Regression s = regression(1);
  ProtocolOptions protocol;
  protocol.learning_rate = 1.0;
  protocol.steps = 4000;
  protocol.batch_size = 10;
  protocol.log_every = 100;
  Trainer trainer(s.model, s.task, s.train, {}, {LossKind::kMse, Reduction::kMean},
                  {RuleKind::kCoupled, 1e-2}, protocol, s.net.conductances());
  trainer.run();
  const auto& log = trainer.state().log;
  ASSERT_GE(log.size(), 2U);
  EXPECT_LT(log.back().train_cost, 1e-3 * log.front().train_cost)
      << log.front().train_cost << " -> " << log.back().train_cost;
}

TEST(Trainer, SameSeedSameBitsAndResumeIsBitIdentical) {
  Regression s = regression(2);
  ProtocolOptions protocol;
  protocol.learning_rate = 0.02;
  protocol.steps = 300;
  protocol.batch_size = 8;
  protocol.noise_sd = 1e-4;
  protocol.update_fraction = 0.5;
  protocol.freeze_probability = 0.1;
  protocol.log_every = 7;
  protocol.parameters_every = 50;
  protocol.seed = 99;
  const Loss loss{LossKind::kMse, Reduction::kSum};
  const RuleOptions rule{RuleKind::kEquilibrium, 1e-3};
  Trainer a(s.model, s.task, s.train, {}, loss, rule, protocol, s.net.conductances());
  a.run();
  Trainer b(s.model, s.task, s.train, {}, loss, rule, protocol, s.net.conductances());
  for (int i = 0; i < 137; ++i) b.step();
  const TrainerState saved = b.checkpoint();
  Trainer c(s.model, s.task, s.train, {}, loss, rule, protocol, s.net.conductances());
  c.restore(saved);
  c.run();
  for (const Trainer* t : {&c}) {
    ASSERT_EQ(t->parameters().size(), a.parameters().size());
    EXPECT_EQ(std::memcmp(t->parameters().data(), a.parameters().data(),
                          sizeof(double) * static_cast<std::size_t>(a.parameters().size())),
              0);
    ASSERT_EQ(t->state().log.size(), a.state().log.size());
    for (std::size_t k = 0; k < a.state().log.size(); ++k)
      EXPECT_EQ(t->state().log[k].train_cost, a.state().log[k].train_cost);
    EXPECT_EQ(t->state().snapshot_steps, a.state().snapshot_steps);
  }
}

TEST(Trainer, BoundsFrozenEdgesAndResistances) {
  Regression s = regression(3);
  ProtocolOptions protocol;
  protocol.learning_rate = 5.0;  // large steps so that clipping is exercised
  protocol.steps = 50;
  protocol.batch_mode = BatchMode::kFull;
  protocol.bounds = Bounds{0.5, 2.0};
  protocol.freeze_probability = 0.3;
  protocol.learn = Parametrization::kResistance;
  const Vector w0 = Vector::Ones(s.net.num_edges());
  Trainer t(s.model, s.task, s.train, {}, {LossKind::kMse}, {RuleKind::kExact}, protocol, w0);
  t.run();
  const Vector r = t.parameters().cwiseInverse();
  EXPECT_GE(r.minCoeff(), 0.5 - 1e-15);
  EXPECT_LE(r.maxCoeff(), 2.0 + 1e-15);
  Index frozen = 0, moved = 0;
  for (Index i = 0; i < w0.size(); ++i) {
    if (t.state().frozen[static_cast<std::size_t>(i)]) {
      ++frozen;
      EXPECT_EQ(t.parameters()[i], 1.0);
    } else if (t.parameters()[i] != 1.0) {
      ++moved;
    }
  }
  EXPECT_GT(frozen, 0);
  EXPECT_GT(moved, 0);
}

TEST(Trainer, BadProtocolIsRejected) {
  Regression s = regression(4);
  ProtocolOptions protocol;
  protocol.batch_size = 1000;
  EXPECT_THROW(Trainer(s.model, s.task, s.train, {}, {}, {}, protocol, s.net.conductances()),
               std::invalid_argument);
  protocol.batch_size = 10;
  protocol.update_fraction = 0.0;
  EXPECT_THROW(Trainer(s.model, s.task, s.train, {}, {}, {}, protocol, s.net.conductances()),
               std::invalid_argument);
}

// A node network (003, H = W) on n nodes with node `ground` held at 0 (or none: -1), a unit
// force at node 0 and the output x_1 with target `target`: the gradient of C = 1/2 (x_1 - t)^2
// pulls the coupling W_01 towards negative values when t > x_1 > 0 is far (x_1 ~ -W_01 x_0).
struct NodeProblem {
  Index n;
  Index ground;
  physics::LinearModel model;
  Task task;
  Batch train;
};

NodeProblem node_problem(Index n, Index ground, double target) {
  NodeProblem p{n, ground, physics::node_model(n), {}, {}};
  if (ground >= 0) p.task.fixed.hold(ground, 0.0);
  p.task.inputs = {injection_input({0}, {1.0})};
  p.task.outputs = {node_readout(1)};
  p.train.inputs = Matrix::Constant(1, 1, 1.0);
  p.train.targets = Matrix::Constant(1, 1, target);
  return p;
}

// Independent of Responses and the rules: the dense free block of W, x_f = W_ff^-1 F_f,
// lambda_f = W_ff^-1 e_1, and dC/dW_ab = -(y - t)(lambda_a x_b + lambda_b x_a) (a != b),
// -(y - t) lambda_a x_a (a = b), from dx = -W_ff^-1 dW x (003 eq. 13 is -alpha/2 times this
// sum with the output force). Entries on the ground do not enter: gradient 0.
std::vector<Index> free_nodes(const NodeProblem& p) {
  std::vector<Index> f;
  for (Index a = 0; a < p.n; ++a)
    if (a != p.ground) f.push_back(a);
  return f;
}

Matrix free_block(const NodeProblem& p, const Vector& w) {
  const Matrix full = physics::node_weight_matrix(p.n, w);
  const auto f = free_nodes(p);
  Matrix out(static_cast<Index>(f.size()), static_cast<Index>(f.size()));
  for (std::size_t i = 0; i < f.size(); ++i)
    for (std::size_t j = 0; j < f.size(); ++j)
      out(static_cast<Index>(i), static_cast<Index>(j)) = full(f[i], f[j]);
  return out;
}

Vector dense_gradient(const NodeProblem& p, const Vector& w) {
  const auto f = free_nodes(p);
  const Index m = static_cast<Index>(f.size());
  const Eigen::LDLT<Matrix> ldlt(free_block(p, w));
  Vector force = Vector::Zero(m), unit = Vector::Zero(m);
  for (Index i = 0; i < m; ++i) {
    if (f[static_cast<std::size_t>(i)] == 0) force[i] = 1.0;
    if (f[static_cast<std::size_t>(i)] == 1) unit[i] = 1.0;
  }
  const Vector xf = ldlt.solve(force), lf = ldlt.solve(unit);
  Vector x = Vector::Zero(p.n), lambda = Vector::Zero(p.n);
  for (Index i = 0; i < m; ++i) {
    x[f[static_cast<std::size_t>(i)]] = xf[i];
    lambda[f[static_cast<std::size_t>(i)]] = lf[i];
  }
  const double error = x[1] - p.train.targets(0, 0);
  Matrix g(p.n, p.n);
  for (Index a = 0; a < p.n; ++a)
    for (Index b = 0; b < p.n; ++b)
      g(a, b) = a == b ? -error * lambda[a] * x[a] : -error * (lambda[a] * x[b] + lambda[b] * x[a]);
  return physics::node_parameters(g);
}

double dense_smallest_eigenvalue(const NodeProblem& p, const Vector& w) {
  return Eigen::SelfAdjointEigenSolver<Matrix>(free_block(p, w), Eigen::EigenvaluesOnly)
      .eigenvalues()[0];
}

// W = I + c (ones - I): positive couplings c, eigenvalues 1 - c and 1 + (n - 1) c.
Vector weak_positive_couplings(Index n, double c) {
  return physics::node_parameters(Matrix::Identity(n, n) +
                                  c * (Matrix::Ones(n, n) - Matrix::Identity(n, n)));
}

ProtocolOptions full_batch(double learning_rate, Index steps) {
  ProtocolOptions protocol;
  protocol.learning_rate = learning_rate;
  protocol.steps = steps;
  protocol.batch_mode = BatchMode::kFull;
  return protocol;
}

TEST(TrainerNode, DefaultBoundsAreWhatTheParametersPhysicallyAre) {
  EXPECT_EQ(default_bounds(physics::ModelKind::kNode, Parametrization::kConductance).lower,
            -std::numeric_limits<double>::infinity());
  EXPECT_EQ(default_bounds(physics::ModelKind::kNode, Parametrization::kConductance).upper,
            std::numeric_limits<double>::infinity());
  for (const auto kind : {physics::ModelKind::kResistor, physics::ModelKind::kSpring}) {
    EXPECT_EQ(default_bounds(kind, Parametrization::kConductance).lower, 1e-6);  // 000 Sec. II
    EXPECT_EQ(default_bounds(kind, Parametrization::kConductance).upper, 1e6);
    EXPECT_EQ(default_bounds(kind, Parametrization::kResistance).lower, 1e-6);
  }
  ProtocolOptions protocol;
  protocol.bounds = Bounds{-2.0, 3.0};
  EXPECT_EQ(resolved_bounds(protocol, physics::ModelKind::kNode).lower, -2.0);
  EXPECT_EQ(resolved_bounds(protocol, physics::ModelKind::kResistor).upper, 3.0);
}

TEST(TrainerNode, CouplingPushedNegativeStaysNegative) {
  // Each step must be exactly w - alpha dC/dw from the dense reference: W_01 goes from 0.05
  // through zero to clearly negative values while W stays positive definite.
  const NodeProblem p = node_problem(4, -1, 0.3);
  const Vector w0 = weak_positive_couplings(4, 0.05);
  const double alpha = 0.5;
  const Index steps = 4;
  Trainer trainer(p.model, p.task, p.train, {}, {LossKind::kMse, Reduction::kMean},
                  {RuleKind::kExact}, full_batch(alpha, steps), w0);
  Vector reference = w0;
  const Index w01 = physics::node_parameter_index(4, 0, 1);
  for (Index s = 0; s < steps; ++s) {
    trainer.step();
    reference -= alpha * dense_gradient(p, reference);
    // Sparse LDL^T against dense LDL^T of a 4 x 4 matrix with eigenvalues in (0.4, 1.2): both
    // backward stable, the states agree to ~1e-15 relative; 1e-12 leaves room for 4 steps.
    EXPECT_LT((trainer.parameters() - reference).norm(), 1e-12 * reference.norm()) << "step " << s;
  }
  EXPECT_LT(reference[w01], -0.05) << "the test must drive the coupling clearly negative";
  EXPECT_LT(trainer.parameters()[w01], -0.05);
  EXPECT_GT(dense_smallest_eigenvalue(p, trainer.parameters()), 0.0);
  EXPECT_EQ(trainer.status(), TrainStatus::kFinished);
}

TEST(TrainerNode, ExplicitBoundsStillClip) {
  const NodeProblem p = node_problem(4, -1, 0.3);
  const Vector w0 = weak_positive_couplings(4, 0.05);
  const Index w01 = physics::node_parameter_index(4, 0, 1);
  const Vector unclipped = w0 - 0.5 * dense_gradient(p, w0);
  ASSERT_LT(unclipped[w01], -0.02);
  for (const Bounds b : {Bounds{1e-6, 1e6}, Bounds{-0.02, 1e6}}) {
    ProtocolOptions protocol = full_batch(0.5, 1);
    protocol.bounds = b;
    Trainer trainer(p.model, p.task, p.train, {}, {LossKind::kMse}, {RuleKind::kExact}, protocol,
                    w0);
    trainer.run();
    EXPECT_EQ(trainer.parameters()[w01], b.lower);
    // Every other entry is the unclipped step, or clipped to the bound itself.
    for (Index i = 0; i < w0.size(); ++i)
      EXPECT_NEAR(trainer.parameters()[i], std::clamp(unclipped[i], b.lower, b.upper), 1e-14);
  }
}

TEST(TrainerNode, LossOfPositiveDefinitenessStopsWithStepEigenvalueAndResumableState) {
  // Node 3 grounded: the reduced W is the 3 x 3 block of nodes 0-2. A large alpha overshoots
  // the coupling W_01 past -1 (where the block [[1, w], [w, 1]] is singular).
  const NodeProblem p = node_problem(4, 3, 2.0);
  const Vector w0 = weak_positive_couplings(4, 0.05);
  const double alpha = 0.3;
  const Index steps = 50;
  const Loss loss{LossKind::kMse, Reduction::kMean};
  Trainer trainer(p.model, p.task, p.train, {}, loss, {RuleKind::kExact}, full_batch(alpha, steps),
                  w0);
  trainer.run();
  ASSERT_EQ(trainer.status(), TrainStatus::kNotPositiveDefinite) << trainer.status_message();
  ASSERT_TRUE(trainer.breakdown().has_value());
  const Breakdown& b = *trainer.breakdown();

  // Independent replay: dense gradient steps until the dense free block has an eigenvalue <= 0.
  Vector previous = w0, next = w0;
  Index broken = 0;
  for (Index s = 1; s <= steps && broken == 0; ++s) {
    previous = next;
    next = previous - alpha * dense_gradient(p, previous);
    if (dense_smallest_eigenvalue(p, next) <= 0.0) broken = s;
  }
  ASSERT_GT(broken, 1) << "the test needs a breakdown after at least one good step";
  EXPECT_EQ(b.step, broken);
  EXPECT_EQ(b.size, 3);
  // The eigenvalue of a 3 x 3 matrix whose entries agree to ~1e-14 (a few steps of two solvers):
  // eigenvalues are 1-Lipschitz in the entries, so 1e-10 absolute is ample and still tight.
  EXPECT_NEAR(b.smallest_eigenvalue, dense_smallest_eigenvalue(p, next), 1e-10);
  EXPECT_LT(b.smallest_eigenvalue, 0.0);
  const std::string message = trainer.status_message();
  EXPECT_NE(message.find("step " + std::to_string(broken) + " of 50"), std::string::npos)
      << message;
  EXPECT_NE(message.find("smallest eigenvalue -"), std::string::npos) << message;
  EXPECT_NE(message.find("not positive definite"), std::string::npos) << message;

  // The trainer kept the state of the step before: it is the last positive-definite one.
  EXPECT_EQ(trainer.state().step, broken - 1);
  EXPECT_LT((trainer.parameters() - previous).norm(), 1e-12 * previous.norm());
  EXPECT_FALSE(trainer.step());  // stays stopped
  const TrainerState saved = trainer.checkpoint();

  // Resumed unchanged, the run meets the same step with the same bits.
  Trainer same(p.model, p.task, p.train, {}, loss, {RuleKind::kExact}, full_batch(alpha, steps),
               w0);
  same.restore(saved);
  same.run();
  ASSERT_EQ(same.status(), TrainStatus::kNotPositiveDefinite);
  EXPECT_EQ(same.breakdown()->step, b.step);
  EXPECT_EQ(same.breakdown()->smallest_eigenvalue, b.smallest_eigenvalue);
  // With a smaller step the saved state trains on (the checkpoint is a valid state).
  Trainer gentle(p.model, p.task, p.train, {}, loss, {RuleKind::kExact},
                 full_batch(0.02, saved.step + 20), w0);
  gentle.restore(saved);
  gentle.run();
  EXPECT_EQ(gentle.status(), TrainStatus::kFinished) << gentle.status_message();
  EXPECT_EQ(gentle.state().step, saved.step + 20);
}

TEST(TrainerNode, RejectedStepRestoresTheRandomStream) {
  // With minibatch-free but noisy, desynchronised updates every step draws random numbers: the
  // state kept after a breakdown must include the generator of the step before, so a resumed
  // run draws the same numbers and breaks down at the same step with the same eigenvalue.
  const NodeProblem p = node_problem(4, 3, 2.0);
  const Vector w0 = weak_positive_couplings(4, 0.05);
  ProtocolOptions protocol = full_batch(0.3, 200);
  protocol.noise_sd = 1e-3;
  protocol.update_fraction = 0.7;
  protocol.seed = 11;
  const Loss loss{LossKind::kMse};
  Trainer a(p.model, p.task, p.train, {}, loss, {RuleKind::kExact}, protocol, w0);
  a.run();
  ASSERT_EQ(a.status(), TrainStatus::kNotPositiveDefinite);
  ASSERT_GT(a.breakdown()->step, 1);
  Trainer b(p.model, p.task, p.train, {}, loss, {RuleKind::kExact}, protocol, w0);
  b.restore(a.checkpoint());
  b.run();
  ASSERT_EQ(b.status(), TrainStatus::kNotPositiveDefinite);
  EXPECT_EQ(b.breakdown()->step, a.breakdown()->step);
  EXPECT_EQ(b.breakdown()->smallest_eigenvalue, a.breakdown()->smallest_eigenvalue);
  EXPECT_EQ(b.parameters(), a.parameters());
}

}  // namespace
}  // namespace plnet::learning
