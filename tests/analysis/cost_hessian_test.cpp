// The exact cost Hessian against central finite differences of the exact (adjoint) gradient,
// which rules_test verifies against finite differences of the cost; its H_sat part against
// J^T c'' J with J from finite differences of the outputs.
#include <plnet/analysis/cost_hessian.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

namespace plnet::analysis {
namespace {

using learning::Batch;
using learning::Loss;
using learning::LossKind;
using learning::Reduction;
using learning::Responses;
using learning::RuleKind;
using learning::Task;

struct Problem {
  graph::Network net;
  physics::LinearModel model;
  Task task;
  Batch batch;
};

// Resistor network: ground, 2 held inputs, an injected input, 2 node outputs and an edge-drop
// output; conductances over one decade.
Problem resistor_problem(std::uint64_t seed, Index samples = 6) {
  std::mt19937_64 rng(seed);
  Problem p{testing::random_connected_network(16, 20, 0.5, rng), {}, {}, {}};
  p.model = physics::resistor_model(p.net);
  p.task.fixed.hold(0, 0.0);
  p.task.inputs = {learning::hold_input(1), learning::hold_input(2),
                   learning::injection_input({3}, {1.0})};
  p.task.outputs = {learning::node_readout(10), learning::node_readout(12),
                    learning::edge_readout(p.model, 13)};
  p.batch.inputs = Matrix::Random(samples, 3);
  p.batch.targets = 0.3 * Matrix::Random(samples, 3);
  return p;
}

Vector exact_gradient(const Problem& p, const Vector& w, const Loss& loss) {
  Responses r(p.model, p.task);
  r.update(w);
  return learning::gradient_estimate(r, p.batch, loss, {RuleKind::kExact});
}

CostHessian analytic(const Problem& p, const Vector& w, const Loss& loss) {
  Responses r(p.model, p.task);
  r.update(w);
  return cost_hessian(r, p.batch, loss);
}

// Column j of the Hessian by central differences of the exact gradient with step
// h_j = 1e-3 w_j. Error budget (relative to the Hessian's scale): truncation h^2/6 g''' ~ 1e-7
// with conductances within a decade of each other; round-off eps_grad |g| / h with the gradient
// accurate to ~1e-13 (a well-conditioned sparse Cholesky solve) gives ~1e-10. A tolerance of
// 1e-5 leaves margin over what is measured: 2e-7 - 6e-7 (resistor), 3e-6 (the spring grid).
Matrix finite_difference_hessian(const Problem& p, const Vector& w, const Loss& loss) {
  Matrix h(w.size(), w.size());
  for (Index j = 0; j < w.size(); ++j) {
    const double step = 1e-3 * w[j];
    Vector wp = w, wm = w;
    wp[j] += step;
    wm[j] -= step;
    h.col(j) = (exact_gradient(p, wp, loss) - exact_gradient(p, wm, loss)) / (2 * step);
  }
  return h;
}

double rel(const Matrix& a, const Matrix& b) {
  return (a - b).norm() / b.norm();
}

void expect_matches_finite_differences(const Problem& p, const Loss& loss, const char* what) {
  const Vector w = p.net.conductances();
  const CostHessian h = analytic(p, w, loss);
  const Matrix fd = finite_difference_hessian(p, w, loss);
  EXPECT_LT(rel(h.total, fd), 1e-5) << what;
  // The exact Hessian is symmetric; the finite-difference one is, up to its truncation error.
  EXPECT_LT(rel(h.total, h.total.transpose()), 1e-12) << what;
  EXPECT_LT(rel(fd, fd.transpose()), 1e-5) << what;
  EXPECT_LT(rel(h.saturated + h.dynamic, h.total), 1e-15) << what;
  EXPECT_GT(h.dynamic.norm(), 1e-3 * h.total.norm()) << what << ": targets off, H_dyn matters";
}

TEST(AnalysisCostHessian, MatchesFiniteDifferencesWithHeldAndInjectedInputs) {
  for (const auto kind : {LossKind::kMse, LossKind::kCosine}) {
    Problem p = resistor_problem(11);
    if (kind == LossKind::kCosine) p.batch.targets = Matrix::Random(6, 3);
    expect_matches_finite_differences(p, Loss{kind, Reduction::kSum},
                                      learning::to_string(kind).c_str());
  }
  Problem p = resistor_problem(12);
  expect_matches_finite_differences(p, Loss{LossKind::kMse, Reduction::kMean}, "mse mean");
}

TEST(AnalysisCostHessian, MatchesFiniteDifferencesWithEdgeSourceInputs) {
  for (const auto kind : {LossKind::kMse, LossKind::kCosine}) {
    Problem p = resistor_problem(13);
    p.task.inputs = {learning::edge_source_input(5), learning::edge_source_input(9),
                     learning::hold_input(1)};
    p.task.fixed.edge_source(12, 0.7);  // a constant series source too
    expect_matches_finite_differences(p, Loss{kind, Reduction::kSum},
                                      learning::to_string(kind).c_str());
  }
}

TEST(AnalysisCostHessian, MatchesFiniteDifferencesForASpringNetwork) {
  std::mt19937_64 rng(3);
  Problem p{testing::jittered_triangulated_grid(3, rng), {}, {}, {}};
  p.model = physics::spring_model(p.net);
  physics::hold_node(p.model, p.task.fixed, 0);
  physics::hold_node(p.model, p.task.fixed, 2);
  p.task.inputs = {learning::injection_input({8 * 2, 8 * 2 + 1}, {1.0, 0.5}),
                   learning::injection_input({6 * 2}, {1.0})};
  p.task.outputs = {learning::edge_readout(p.model, 7), learning::node_readout(4 * 2 + 1)};
  p.batch.inputs = Matrix::Random(5, 2);
  p.batch.targets = Matrix::Random(5, 2);
  expect_matches_finite_differences(p, Loss{LossKind::kMse, Reduction::kSum}, "spring");
}

// H_sat = sum_s J_s^T c''_s J_s with J_s = dy_s/dw from central differences of the outputs
// (step 1e-5 w: truncation ~1e-10, round-off ~1e-16 / 1e-5 = 1e-11, relative).
TEST(AnalysisCostHessian, SaturatedPartIsTheGaussNewtonTerm) {
  for (const auto kind : {LossKind::kMse, LossKind::kCosine}) {
    Problem p = resistor_problem(14);
    if (kind == LossKind::kCosine) p.batch.targets = Matrix::Random(6, 3);
    const Loss loss{kind, Reduction::kMean};
    const Vector w = p.net.conductances();
    const Index m = w.size(), nb = p.batch.size(), no = p.task.num_outputs();
    std::vector<Matrix> jac(static_cast<std::size_t>(nb), Matrix(no, m));
    for (Index j = 0; j < m; ++j) {
      const double step = 1e-5 * w[j];
      Vector wp = w, wm = w;
      wp[j] += step;
      wm[j] -= step;
      Responses rp(p.model, p.task), rm(p.model, p.task);
      rp.update(wp);
      rm.update(wm);
      const Matrix dy = (rp.outputs(p.batch.inputs) - rm.outputs(p.batch.inputs)) / (2 * step);
      for (Index s = 0; s < nb; ++s)
        jac[static_cast<std::size_t>(s)].col(j) = dy.row(s).transpose();
    }
    Responses r(p.model, p.task);
    r.update(w);
    const Matrix y = r.outputs(p.batch.inputs);
    Matrix gauss_newton = Matrix::Zero(m, m);
    for (Index s = 0; s < nb; ++s) {
      const Matrix c2 = loss.scale(nb) *
                        loss.hessian(y.row(s).transpose(), p.batch.targets.row(s).transpose(), -1);
      const auto& js = jac[static_cast<std::size_t>(s)];
      gauss_newton += js.transpose() * c2 * js;
    }
    const CostHessian h = cost_hessian(r, p.batch, loss);
    EXPECT_LT(rel(h.saturated, gauss_newton), 1e-8) << learning::to_string(kind);
  }
}

TEST(AnalysisCostHessian, DynamicPartVanishesAtPerfectTargets) {
  Problem p = resistor_problem(15);
  const Vector w = p.net.conductances();
  Responses r(p.model, p.task);
  r.update(w);
  p.batch.targets = r.outputs(p.batch.inputs);  // every sample at its mse minimum
  const CostHessian h = cost_hessian(r, p.batch, Loss{LossKind::kMse, Reduction::kSum});
  EXPECT_LT(h.dynamic.norm(), 1e-12 * h.saturated.norm());
  // The Gauss-Newton part of a convex loss is positive semi-definite.
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(0.5 * (h.saturated + h.saturated.transpose()));
  EXPECT_GT(eig.eigenvalues().minCoeff(), -1e-12 * eig.eigenvalues().maxCoeff());
}

TEST(AnalysisCostHessian, BadInput) {
  Problem p = resistor_problem(16);
  Responses r(p.model, p.task);
  r.update(p.net.conductances());
  Batch bad = p.batch;
  bad.targets = Matrix::Zero(6, 2);
  EXPECT_THROW(cost_hessian(r, bad, Loss{}), std::invalid_argument);
  physics::LinearModel node = physics::node_model(3);
  Task t;
  t.inputs = {learning::injection_input({0}, {1.0})};
  t.outputs = {learning::node_readout(1)};
  Responses rn(node, t);
  Matrix wm = 3.0 * Matrix::Identity(3, 3);
  rn.update(physics::node_parameters(wm));
  Batch b{Matrix::Ones(1, 1), Matrix::Ones(1, 1), {}};
  EXPECT_THROW(cost_hessian(rn, b, Loss{}), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
