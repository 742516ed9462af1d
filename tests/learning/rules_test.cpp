// Every learning rule against an independent computation: the exact gradient against finite
// differences of the cost; the batched (superposition) estimators against per-sample direct
// solves of the free and nudged states; the nudge limits and their orders; 004's formulas with
// an explicit Omega.
#include <plnet/learning/rules.hpp>
#include <plnet/physics/cycle_space.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

namespace plnet::learning {
namespace {

using physics::LinearModel;

struct Problem {
  graph::Network net;
  LinearModel model;
  Task task;
  Batch batch;
};

// Resistor network, 2 held inputs + ground, an injected input, 2 node outputs and one
// edge-drop output, random batch with regression targets.
Problem resistor_problem(std::uint64_t seed, Index samples = 7) {
  std::mt19937_64 rng(seed);
  Problem p{testing::random_connected_network(25, 35, 0.5, rng), {}, {}, {}};
  p.model = physics::resistor_model(p.net);
  p.task.fixed.hold(0, 0.0);
  p.task.inputs = {hold_input(1), hold_input(2), injection_input({3}, {1.0})};
  p.task.outputs = {node_readout(10), node_readout(15), edge_readout(p.model, 20)};
  p.batch.inputs = Matrix::Random(samples, 3);
  p.batch.targets = 0.3 * Matrix::Random(samples, 3);
  return p;
}

// 2D spring network (a distorted triangulated 4 x 4 grid, two pinned nodes), force inputs,
// bond-extension and displacement outputs.
Problem spring_problem() {
  std::mt19937_64 rng(3);
  Problem p{testing::jittered_triangulated_grid(4, rng), {}, {}, {}};
  p.model = physics::spring_model(p.net);
  physics::hold_node(p.model, p.task.fixed, 0);
  physics::hold_node(p.model, p.task.fixed, 3);
  p.task.inputs = {injection_input({15 * 2, 15 * 2 + 1}, {1.0, 0.5}),
                   injection_input({12 * 2}, {1.0})};
  p.task.outputs = {edge_readout(p.model, 10), node_readout(9 * 2 + 1)};
  p.batch.inputs = Matrix::Random(5, 2);
  p.batch.targets = Matrix::Random(5, 2);
  return p;
}

double cost_at(const Problem& p, const Vector& w, const Loss& loss) {
  Responses r(p.model, p.task);
  r.update(w);
  return batch_cost(r, p.batch, loss);
}

// Central differences with step h_i = 1e-6 w_i: truncation O(h^2) ~ 1e-12 relative, round-off
// ~ eps * C / h ~ 1e-10 relative; 1e-6 is a safe tolerance on the gradient's scale.
Vector finite_difference_gradient(const Problem& p, const Vector& w, const Loss& loss) {
  Vector g(w.size());
  for (Index i = 0; i < w.size(); ++i) {
    const double h = 1e-6 * w[i];
    Vector wp = w, wm = w;
    wp[i] += h;
    wm[i] -= h;
    g[i] = (cost_at(p, wp, loss) - cost_at(p, wm, loss)) / (2 * h);
  }
  return g;
}

Vector estimate(const Problem& p, const Vector& w, const Loss& loss, const RuleOptions& rule) {
  Responses r(p.model, p.task);
  r.update(w);
  return gradient_estimate(r, p.batch, loss, rule);
}

double rel(const Vector& a, const Vector& b) {
  return (a - b).norm() / b.norm();
}

TEST(Rules, ExactGradientMatchesFiniteDifferencesForEveryLoss) {
  for (const auto kind : {LossKind::kMse, LossKind::kCosine, LossKind::kCrossEntropy}) {
    Problem p = resistor_problem(1);
    p.batch.labels = {0, 1, 2, 0, 1, 2, 0};
    const Loss loss{kind, Reduction::kMean};
    const Vector w = p.net.conductances();
    const Vector exact = estimate(p, w, loss, {RuleKind::kExact});
    EXPECT_LT(rel(exact, finite_difference_gradient(p, w, loss)), 1e-6) << to_string(kind);
  }
}

TEST(Rules, ExactGradientWithEdgeSourcesSpringsAndNodeNetworks) {
  const Loss loss{LossKind::kMse, Reduction::kSum};
  {  // edge-source inputs (004): the source term of the drop matters for dC/dw.
    Problem p = resistor_problem(2);
    p.task.inputs = {edge_source_input(5), edge_source_input(9), hold_input(1)};
    const Vector w = p.net.conductances();
    EXPECT_LT(rel(estimate(p, w, loss, {RuleKind::kExact}), finite_difference_gradient(p, w, loss)),
              1e-6);
  }
  {  // 2D spring network with force inputs and bond-extension outputs.
    const Problem p = spring_problem();
    const Vector w = p.net.conductances();
    EXPECT_LT(rel(estimate(p, w, loss, {RuleKind::kExact}), finite_difference_gradient(p, w, loss)),
              1e-6);
  }
  {  // fully connected node network (003): H = W, no ground; inputs are force patterns.
    const Index n = 6;
    Matrix wmat = Matrix::Random(n, n);
    wmat = 0.5 * (wmat + wmat.transpose()) + 3.0 * std::sqrt(2.0 * n) * Matrix::Identity(n, n);
    Problem p{graph::Network(1, {}), physics::node_model(n), {}, {}};
    p.task.inputs = {injection_input({0, 1, 2, 3, 4, 5}, {0.3, -1.2, 0.5, 0.8, -0.1, 1.0})};
    p.task.outputs = {Readout{{0, 2, 5}, {0.7, -0.4, 1.1}, "A.x", -1}};
    p.batch.inputs = Matrix::Constant(1, 1, 1.0);
    p.batch.targets = Matrix::Constant(1, 1, 0.25);
    const Vector w = physics::node_parameters(wmat);
    EXPECT_LT(rel(estimate(p, w, loss, {RuleKind::kExact}), finite_difference_gradient(p, w, loss)),
              1e-6);
  }
}

TEST(Rules, EdgeDropsAreTheDifferenceOperatorTimesTheStates) {
  // Responses forms B X - S and B Lambda row by row (resistors: x_head - x_tail). Against
  // Eigen's sparse product the results must be equal, not close: each entry adds the same
  // products to 0 in the same (ascending column) order, and for two terms a + b = b + a in
  // IEEE arithmetic; only the sign of a zero may differ, which == ignores.
  std::vector<Problem> problems;
  problems.push_back(resistor_problem(5));
  problems.back().task.inputs = {edge_source_input(5), hold_input(1), edge_source_input(9)};
  problems.push_back(spring_problem());
  for (const Problem& p : problems) {
    Responses r(p.model, p.task);
    r.update(p.net.conductances());
    const SparseMatrix b = p.model.difference_operator();
    Matrix sources = Matrix::Zero(b.rows(), r.unit_states().cols());
    for (Index j = 0; j < p.task.num_inputs(); ++j)
      if (p.task.inputs[static_cast<std::size_t>(j)].kind == InputKind::kEdgeSource)
        sources(p.task.inputs[static_cast<std::size_t>(j)].targets[0], j) += 1.0;
    const Matrix unit = b * r.unit_states() - sources;
    const Matrix adjoint = b * r.adjoint_states();
    EXPECT_TRUE((r.unit_drops().array() == unit.array()).all()) << p.model.num_dofs();
    EXPECT_TRUE((r.adjoint_drops().array() == adjoint.array()).all()) << p.model.num_dofs();
  }
}

TEST(Rules, EquilibriumPropagationErrorIsOrderBetaToTheK) {
  // err(beta) ~ c beta^k: halving beta divides the error by 2^k (within 10%: the next order).
  const Problem p = resistor_problem(4);
  const Loss loss{LossKind::kMse, Reduction::kSum};
  const Vector w = p.net.conductances();
  const Vector exact = estimate(p, w, loss, {RuleKind::kExact});
  for (const auto nudge : {NudgeKind::kForce, NudgeKind::kEnergy}) {
    for (int k : {1, 2, 3}) {
      const double beta = k == 1 ? 1e-2 : 1e-1;
      const double e1 = rel(estimate(p, w, loss, {RuleKind::kEquilibrium, beta, k, nudge}), exact);
      const double e2 =
          rel(estimate(p, w, loss, {RuleKind::kEquilibrium, beta / 2, k, nudge}), exact);
      EXPECT_NEAR(e1 / e2, std::pow(2.0, k), 0.1 * std::pow(2.0, k)) << "k=" << k;
    }
  }
}

TEST(Rules, CoupledLearningLimits) {
  const Loss loss{LossKind::kMse, Reduction::kSum};
  {  // One target: the limit is exactly parallel to the gradient, 2/S times it.
    Problem p = resistor_problem(5);
    p.task.outputs = {node_readout(12)};
    p.batch.targets = p.batch.targets.leftCols(1).eval();
    const Vector w = p.net.conductances();
    Responses r(p.model, p.task);
    r.update(w);
    const Vector exact = gradient_estimate(r, p.batch, loss, {RuleKind::kExact});
    const double s = r.schur()(0, 0);
    const Vector cl = gradient_estimate(r, p.batch, loss, {RuleKind::kCoupled, 1e-6});
    EXPECT_LT(rel(cl, 2.0 * exact / s), 1e-5);  // O(eta) with eta = 1e-6 relative to O(1)
  }
  {  // Several targets: error linear in eta, direction close to but not on the gradient.
    const Problem p = resistor_problem(6);
    const Vector w = p.net.conductances();
    const Vector limit = estimate(p, w, loss, {RuleKind::kCoupled, 1e-7});
    const double e1 = rel(estimate(p, w, loss, {RuleKind::kCoupled, 1e-2}), limit);
    const double e2 = rel(estimate(p, w, loss, {RuleKind::kCoupled, 5e-3}), limit);
    EXPECT_NEAR(e1 / e2, 2.0, 0.2);
    const Vector exact = estimate(p, w, loss, {RuleKind::kExact});
    const double cosine = limit.dot(exact) / (limit.norm() * exact.norm());
    EXPECT_GT(cosine, 0.5);
    EXPECT_LT(cosine, 1.0 - 1e-6);
  }
}

// Per-sample reference: solve the free and nudged states directly with physics::solve.
Vector direct_two_state_estimate(const Problem& p, const Vector& w, const Loss& loss,
                                 const RuleOptions& rule) {
  Vector total = Vector::Zero(p.model.num_parameters());
  for (Index s = 0; s < p.batch.size(); ++s) {
    const auto bc = p.task.conditions(p.batch.inputs.row(s).transpose());
    const auto free_state = physics::solve(p.model, w, bc);
    Vector y(p.task.num_outputs());
    for (Index o = 0; o < y.size(); ++o) {
      const auto& r = p.task.outputs[static_cast<std::size_t>(o)];
      y[o] = 0.0;
      for (std::size_t j = 0; j < r.dofs.size(); ++j)
        y[o] += r.coefficients[j] * free_state.x[r.dofs[j]];
    }
    const Vector t = p.batch.targets.row(s).transpose();
    auto nudged = bc;
    double divisor = 1.0;
    if (rule.kind == RuleKind::kCoupled) {
      for (Index o = 0; o < y.size(); ++o) {  // clamp every readout at y + eta (t - y)
        const auto& r = p.task.outputs[static_cast<std::size_t>(o)];
        nudged.constraints.push_back({r.dofs, r.coefficients, y[o] + rule.nudge * (t[o] - y[o])});
      }
      divisor = -rule.nudge;  // estimate = (1/eta) sum [(v^C)^2 - (v^F)^2]
    } else if (rule.kind == RuleKind::kEquilibrium) {
      const Vector g = loss.gradient(y, t, -1);
      for (Index o = 0; o < y.size(); ++o) {  // force -beta g_o along readout o
        const auto& r = p.task.outputs[static_cast<std::size_t>(o)];
        for (std::size_t j = 0; j < r.dofs.size(); ++j)
          nudged.inject(r.dofs[j], -rule.nudge * g[o] * r.coefficients[j]);
      }
      divisor = -2.0 * rule.nudge;
    } else {  // two_phase: eps = beta g as extra series sources on the output edges
      const Vector g = loss.gradient(y, t, -1);
      for (Index o = 0; o < y.size(); ++o)
        nudged.edge_source(p.task.outputs[static_cast<std::size_t>(o)].edge, rule.nudge * g[o]);
      // 004 eq. (12): dC/dr ~ (i_C^2 - i_F^2)/(2 beta), so dC/dw = -dC/dr / k^2 ~
      // (v_F^2 - v_C^2)/(2 beta). A series source on an output edge pulls the output toward
      // the target but moves the rest of the network opposite to a force nudge, hence the
      // sign differs from EP's.
      divisor = 2.0 * rule.nudge;
    }
    const auto nudged_state = physics::solve(p.model, w, nudged);
    total += (free_state.drops.cwiseAbs2() - nudged_state.drops.cwiseAbs2()) / divisor;
  }
  return total;
}

TEST(Rules, BatchedSuperpositionEqualsPerSampleSolves) {
  // Round-off only: both sides are exact linear algebra on the same network.
  const Loss loss{LossKind::kMse, Reduction::kSum};
  {
    const Problem p = resistor_problem(7, 30);
    const Vector w = p.net.conductances();
    for (const RuleOptions rule :
         {RuleOptions{RuleKind::kCoupled, 0.05}, RuleOptions{RuleKind::kEquilibrium, 0.05}}) {
      EXPECT_LT(rel(estimate(p, w, loss, rule), direct_two_state_estimate(p, w, loss, rule)), 1e-9)
          << to_string(rule.kind);
    }
  }
  {  // two-phase needs edge outputs and edge-source inputs
    Problem p = resistor_problem(8, 30);
    p.task.inputs = {edge_source_input(3), edge_source_input(7)};
    p.task.outputs = {edge_readout(p.model, 20), edge_readout(p.model, 25)};
    p.batch.inputs = Matrix::Random(30, 2);
    p.batch.targets = 0.1 * Matrix::Random(30, 2);
    const Vector w = p.net.conductances();
    const RuleOptions rule{RuleKind::kTwoPhase, 0.05};
    EXPECT_LT(rel(estimate(p, w, loss, rule), direct_two_state_estimate(p, w, loss, rule)), 1e-9);
  }
}

TEST(Rules, ProjectorGradientEqualsAdjointAndTwoPhaseTendsToEq16) {
  std::mt19937_64 rng(9);
  const auto net = testing::random_connected_network(12, 14, 0.5, rng);
  Problem p{net, physics::resistor_model(net), {}, {}};
  p.task.fixed.hold(0, 0.0);  // reference only: with edge sources alone no current flows here
  p.task.inputs = {edge_source_input(2), edge_source_input(4)};
  const auto tree = physics::spanning_forest_edges(net);
  std::vector<bool> in_tree(static_cast<std::size_t>(net.num_edges()), false);
  for (Index e : tree) in_tree[static_cast<std::size_t>(e)] = true;
  std::vector<Index> outs;
  for (Index e = net.num_edges() - 1; e >= 0 && outs.size() < 2; --e)
    if (e != 2 && e != 4) outs.push_back(e);
  p.task.outputs = {edge_readout(p.model, outs[0]), edge_readout(p.model, outs[1])};
  p.batch.inputs = Matrix::Random(4, 2);
  p.batch.targets = 0.2 * Matrix::Random(4, 2);
  const Loss loss{LossKind::kMse, Reduction::kSum};
  const Vector w = net.conductances();
  const Vector dcdw = estimate(p, w, loss, {RuleKind::kExact});
  const Vector projector = projector_gradient(net, w, p.task, p.batch, loss);
  // dC/dr = -k^2 dC/dk; Omega is formed by a dense C x C solve: round-off ~1e-12.
  EXPECT_LT(rel(Vector(-w.cwiseAbs2().cwiseProduct(dcdw)), projector), 1e-10);

  // 004 eq. (16): lim (1/(2 beta))(i_C^2 - i_F^2) = diag(i_F) R^-1 Omega P_o^T (y - P_o v_F).
  const Matrix omega = physics::cycle_projector(physics::cycle_matrix(net), w);
  Vector eq16 = Vector::Zero(net.num_edges());
  for (Index s = 0; s < p.batch.size(); ++s) {
    Vector src = Vector::Zero(net.num_edges());
    src[2] = p.batch.inputs(s, 0);
    src[4] = p.batch.inputs(s, 1);
    const Vector v = -omega * src;
    const Vector i = w.cwiseProduct(v);
    Vector err = Vector::Zero(net.num_edges());
    for (Index o = 0; o < 2; ++o)
      err[outs[static_cast<std::size_t>(o)]] =
          p.batch.targets(s, o) - v[outs[static_cast<std::size_t>(o)]];
    eq16 += i.cwiseProduct(w.cwiseProduct(omega * err));
  }
  const Vector two_phase_dcdr =
      -w.cwiseAbs2().cwiseProduct(estimate(p, w, loss, {RuleKind::kTwoPhase, 1e-7}));
  EXPECT_LT(rel(two_phase_dcdr, eq16), 1e-5);  // O(beta) = 1e-7 plus cancellation ~ eps/beta
}

TEST(Rules, UpdatesDoNotDependOnEdgeOrientation) {
  const Problem p = resistor_problem(10);
  Problem q = p;
  std::vector<graph::Edge> flipped = p.net.edges();
  for (std::size_t e = 0; e < flipped.size(); e += 2) std::swap(flipped[e].a, flipped[e].b);
  q.net = graph::Network(p.net.num_nodes(), flipped, p.net.conductances());
  q.model = physics::resistor_model(q.net);
  q.task.outputs.back() = edge_readout(q.model, 20);  // edge 20 is flipped: its drop changes sign
  q.batch.targets.col(2) *= -1.0;
  const Loss loss{LossKind::kMse, Reduction::kSum};
  for (const RuleOptions rule :
       {RuleOptions{RuleKind::kExact}, RuleOptions{RuleKind::kCoupled, 0.01},
        RuleOptions{RuleKind::kEquilibrium, 0.01}}) {
    const Vector w = p.net.conductances();
    EXPECT_LT(rel(estimate(q, w, loss, rule), estimate(p, w, loss, rule)), 1e-12)
        << to_string(rule.kind);
  }
}

TEST(Rules, BadInput) {
  Problem p = resistor_problem(11);
  p.task.outputs.push_back(node_readout(1));  // node 1 is an input source
  try {
    Responses r(p.model, p.task);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("a target that is also a source"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(rule_kind_from_string("magic"), std::invalid_argument);
  const Loss xent{LossKind::kCrossEntropy};
  EXPECT_THROW((RuleOptions{RuleKind::kEquilibrium, 0.1, 1, NudgeKind::kEnergy}.validate(xent)),
               std::invalid_argument);
  EXPECT_THROW((RuleOptions{RuleKind::kCoupled, -1.0}.validate(xent)), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::learning
