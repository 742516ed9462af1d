// Every learning rule against an independent computation: the exact gradient against finite
// differences of the cost; the batched (superposition) estimators against per-sample direct
// solves of the free and nudged states; the nudge limits and their orders; 004's formulas with
// an explicit Omega.
#include <plnet/learning/rules.hpp>
#include <plnet/physics/cycle_space.hpp>

#include <gtest/gtest.h>
#include <Eigen/Dense>

#include <limits>

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

// Every loss plnet has: the per-loss tests below loop over this list.
const std::vector<LossKind> kEveryLoss = {LossKind::kMse, LossKind::kCosine, LossKind::kHinge,
                                          LossKind::kCrossEntropy, LossKind::kGatedMse};

TEST(Rules, ExactGradientMatchesFiniteDifferencesForEveryLoss) {
  // hinge and gated_mse are piecewise: central differences with h = 1e-6 w_i see no kink or
  // jump unless a sample sits within ~1e-6 of one (checked: not in this batch).
  for (const auto kind : kEveryLoss) {
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

// Independent dense reference for the resistor problems (holds and injections only): per
// sample the outputs y_s, their Jacobian J_s = dy_s/dw from dx_f/dw_e = -A^-1 (b_e b_e^T x)_f
// (A = L_ff, the Laplacian's free block assembled here from the edge list), and the Kron
// reduction L_eff = S^-1 of the network onto the outputs, S = P_f A^-1 P_f^T.
struct DenseReference {
  std::vector<Vector> y;
  std::vector<Matrix> jacobian;  // n_out x M
  Matrix l_eff;                  // n_out x n_out
};

DenseReference dense_reference(const Problem& p, const Vector& w) {
  const Index n = p.net.num_nodes(), m = p.net.num_edges(), no = p.task.num_outputs();
  Matrix l = Matrix::Zero(n, n);
  for (Index e = 0; e < m; ++e) {
    const auto [a, b] = p.net.edge(e);
    l(a, a) += w[e];
    l(b, b) += w[e];
    l(a, b) -= w[e];
    l(b, a) -= w[e];
  }
  const auto structure = p.task.conditions(Vector::Zero(p.task.num_inputs()));
  std::vector<bool> held(static_cast<std::size_t>(n), false);
  for (const auto& h : structure.holds) held[static_cast<std::size_t>(h.dof)] = true;
  std::vector<Index> free;
  for (Index v = 0; v < n; ++v)
    if (!held[static_cast<std::size_t>(v)]) free.push_back(v);
  const auto nf = static_cast<Index>(free.size());
  Matrix a(nf, nf), p_full = Matrix::Zero(no, n);
  for (Index r = 0; r < nf; ++r)
    for (Index c = 0; c < nf; ++c)
      a(r, c) = l(free[static_cast<std::size_t>(r)], free[static_cast<std::size_t>(c)]);
  for (Index o = 0; o < no; ++o) {
    const auto& r = p.task.outputs[static_cast<std::size_t>(o)];
    for (std::size_t j = 0; j < r.dofs.size(); ++j) p_full(o, r.dofs[j]) += r.coefficients[j];
  }
  Matrix p_free(no, nf);
  for (Index c = 0; c < nf; ++c) p_free.col(c) = p_full.col(free[static_cast<std::size_t>(c)]);
  const Eigen::FullPivLU<Matrix> lu(a);
  DenseReference ref;
  ref.l_eff = (p_free * lu.solve(Matrix(p_free.transpose()))).inverse();
  for (Index s = 0; s < p.batch.size(); ++s) {
    const auto bc = p.task.conditions(p.batch.inputs.row(s).transpose());
    Vector x = Vector::Zero(n), f = Vector::Zero(n);
    for (const auto& h : bc.holds) x[h.dof] = h.value;
    for (const auto& i : bc.injections) f[i.dof] += i.amount;
    const Vector r = f - l * x;  // held values moved to the right-hand side
    Vector rf(nf);
    for (Index c = 0; c < nf; ++c) rf[c] = r[free[static_cast<std::size_t>(c)]];
    const Vector xf = lu.solve(rf);
    for (Index c = 0; c < nf; ++c) x[free[static_cast<std::size_t>(c)]] = xf[c];
    ref.y.push_back(p_full * x);
    Matrix jac(no, m);
    for (Index e = 0; e < m; ++e) {
      const auto [ea, eb] = p.net.edge(e);
      Vector dl_x = Vector::Zero(nf);  // (b_e b_e^T x)_f
      const double drop = x[ea] - x[eb];
      for (Index c = 0; c < nf; ++c) {
        if (free[static_cast<std::size_t>(c)] == ea) dl_x[c] += drop;
        if (free[static_cast<std::size_t>(c)] == eb) dl_x[c] -= drop;
      }
      jac.col(e) = -p_free * lu.solve(dl_x);
    }
    ref.jacobian.push_back(jac);
  }
  return ref;
}

// The dense exact gradient scale sum_s J_s^T c_s and the L_eff-weighted gradient
// 2 scale sum_s J_s^T L_eff c_s (physics.md section 3) for every sample's dc/dy = c_s.
std::pair<Vector, Vector> dense_gradients(const Problem& p, const Vector& w, const Loss& loss) {
  const DenseReference ref = dense_reference(p, w);
  Vector exact = Vector::Zero(w.size()), weighted = Vector::Zero(w.size());
  for (Index s = 0; s < p.batch.size(); ++s) {
    const auto k = static_cast<std::size_t>(s);
    const Index label = p.batch.labels.empty() ? -1 : p.batch.labels[k];
    const Vector c = loss.gradient(ref.y[k], p.batch.targets.row(s).transpose(), label);
    exact += ref.jacobian[k].transpose() * c;
    weighted += 2.0 * ref.jacobian[k].transpose() * (ref.l_eff * c);
  }
  const double scale = loss.scale(p.batch.size());
  return {scale * exact, scale * weighted};
}

double cosine_of(const Vector& a, const Vector& b) {
  return a.dot(b) / (a.norm() * b.norm());
}

TEST(Rules, CoupledLearningTendsToTheLeffWeightedGradientOfEveryLoss) {
  // Three outputs (two nodes and an edge drop), labels for the classification losses. As
  // eta -> 0 the estimate tends to 2 sum_s J_s^T L_eff dc/dy_s of the experiment's own loss,
  // not of mse: the clamp follows the loss gradient (000 App. D, 003 eqs. 5-10).
  for (const auto kind : kEveryLoss) {
    Problem p = resistor_problem(12, 9);
    p.batch.labels = {0, 1, 2, 2, 1, 0, 1, 2, 0};
    const Loss loss{kind, Reduction::kMean};
    const Vector w = p.net.conductances();
    const auto [exact, weighted] = dense_gradients(p, w, loss);
    ASSERT_GT(exact.norm(), 0.0) << to_string(kind);
    // The dense exact gradient agrees with the adjoint (exact rule) to round-off of two dense
    // LU solves on conductances spread over one decade (~1e-12; 1e-9 leaves margin).
    EXPECT_LT(rel(estimate(p, w, loss, {RuleKind::kExact}), exact), 1e-9) << to_string(kind);
    // The estimate at eta differs from its limit by exactly eta sum (K delta)^2 / eta^2 (the
    // clamp shift is linear in eta at a fixed free state): at eta = 1e-6 that is ~1e-6
    // relative to O(1); 1e-4 leaves room for the cosine's and softmax's larger curvature.
    const Vector cl = estimate(p, w, loss, {RuleKind::kCoupled, 1e-6});
    EXPECT_LT(rel(cl, weighted), 1e-4) << to_string(kind);
    // Error linear in eta: halving eta halves it (to the dense reference's round-off).
    const double e1 = rel(estimate(p, w, loss, {RuleKind::kCoupled, 1e-2}), weighted);
    const double e2 = rel(estimate(p, w, loss, {RuleKind::kCoupled, 5e-3}), weighted);
    EXPECT_NEAR(e1 / e2, 2.0, 1e-3) << to_string(kind);
    // With several outputs the limit is close to, but not along, the exact gradient.
    EXPECT_GT(cosine_of(cl, exact), 0.5) << to_string(kind);
  }
}

TEST(Rules, CoupledLearningFollowsTheGradientOfAOneOutputLoss) {
  // One output: L_eff = 1/S is a number, so the small-nudge estimate is parallel to the exact
  // gradient of the loss, 2/S times it. A single output's cosine cost (|cos| = 1) and softmax
  // (probability 1) are constant, so the losses with a non-zero one-output gradient are mse,
  // the binary hinge (004 App. M) and gated_mse (class = sign of the output).
  for (const auto kind : {LossKind::kMse, LossKind::kHinge, LossKind::kGatedMse}) {
    Problem p = resistor_problem(13, 9);
    p.task.outputs = {node_readout(12)};
    p.batch.labels = {0, 1, 1, 0, 1, 0, 0, 1, 1};
    p.batch.targets.resize(9, 1);
    for (Index s = 0; s < 9; ++s)
      p.batch.targets(s, 0) = p.batch.labels[static_cast<std::size_t>(s)] == 1 ? 1.0 : -1.0;
    const Loss loss{kind, Reduction::kSum};
    const Vector w = p.net.conductances();
    Responses r(p.model, p.task);
    r.update(w);
    const Vector exact = dense_gradients(p, w, loss).first;
    ASSERT_GT(exact.norm(), 0.0) << to_string(kind);
    const Vector cl = gradient_estimate(r, p.batch, loss, {RuleKind::kCoupled, 1e-6});
    // O(eta) = 1e-6 relative error, perpendicular part included: 1 - cos ~ 1e-12.
    EXPECT_GT(cosine_of(cl, exact), 1.0 - 1e-9) << to_string(kind);
    // Relative error eta |sum (K delta)^2| / (eta^2 |limit|): 1.0e-5 measured here (one output
    // with S ~ 0.1 moves the state by ~10 delta); 1e-4 bounds it.
    EXPECT_LT(rel(cl, 2.0 * exact / r.schur()(0, 0)), 1e-4) << to_string(kind);
  }
}

TEST(Rules, CoupledClampShiftOfMseIsTheMseRuleToTheLastBit) {
  // 000 App. D's clamp y + eta (t - y) and -eta dc/dy with dc/dy = y - t are the same doubles
  // (IEEE negation is exact), so mse training runs are unchanged by following the gradient.
  const Loss mse{LossKind::kMse, Reduction::kMean};
  const Vector y = Vector::Random(5), t = Vector::Random(5);
  const double eta = 1e-2;
  const Vector shift = coupled_clamp_shift(mse, y, t, -1, eta);
  const Vector from_gradient = -eta * mse.gradient(y, t, -1);
  for (Index o = 0; o < 5; ++o) {
    EXPECT_EQ(shift[o], eta * (t[o] - y[o]));
    EXPECT_EQ(shift[o], from_gradient[o]);
  }
  // Other losses: the shift is -eta dc/dy, zero on unconstrained outputs.
  Vector masked = t;
  masked[1] = std::numeric_limits<double>::quiet_NaN();
  const Loss xent{LossKind::kCrossEntropy};
  const Vector g = xent.gradient(y, masked, 2);
  const Vector x_shift = coupled_clamp_shift(xent, y, masked, 2, eta);
  EXPECT_EQ(x_shift[1], 0.0);
  EXPECT_NEAR(x_shift[2], -eta * g[2], 1e-18);
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
    const Index label = p.batch.labels.empty() ? -1 : p.batch.labels[static_cast<std::size_t>(s)];
    auto nudged = bc;
    double divisor = 1.0;
    if (rule.kind == RuleKind::kCoupled) {
      // clamp every readout at y - eta dc/dy (000 App. D, 003 eq. 5; mse: y + eta (t - y)),
      // the per-sample cost's gradient; the batch reduction scales the sum at the end
      const Vector g = loss.gradient(y, t, label);
      for (Index o = 0; o < y.size(); ++o) {
        const auto& r = p.task.outputs[static_cast<std::size_t>(o)];
        nudged.constraints.push_back({r.dofs, r.coefficients, y[o] - rule.nudge * g[o]});
      }
      divisor = -rule.nudge / loss.scale(p.batch.size());  // (1/eta) sum [(v^C)^2 - (v^F)^2]
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
  {  // Coupled Learning clamps along every loss's gradient, with either reduction.
    Problem p = resistor_problem(7, 30);
    for (Index s = 0; s < p.batch.size(); ++s) p.batch.labels.push_back(s % 3);
    const Vector w = p.net.conductances();
    for (const auto kind : kEveryLoss) {
      for (const auto reduction : {Reduction::kSum, Reduction::kMean}) {
        const Loss l{kind, reduction};
        const RuleOptions rule{RuleKind::kCoupled, 0.05};
        EXPECT_LT(rel(estimate(p, w, l, rule), direct_two_state_estimate(p, w, l, rule)), 1e-9)
            << to_string(kind) << " " << to_string(reduction);
      }
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
