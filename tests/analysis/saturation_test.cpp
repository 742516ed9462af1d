// Paper 002 (saturation.hpp): g_i, its mode expansion and one-soft-mode approximation, the
// lambda^-4 relation and A:B, against closed forms on a three-node chain, the dense cost
// Hessian and dense eigen-decompositions.
#include <plnet/analysis/cost_hessian.hpp>
#include <plnet/analysis/saturation.hpp>
#include <plnet/analysis/spectrum.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <cmath>

#include "support/reference.hpp"

namespace plnet::analysis {
namespace {

using learning::Responses;
using learning::Task;

// Chain 0 - 1 - 2: node 0 grounded, current I injected at node 2, output V_2.
// V_1 = I / k1, V_2 = I (1/k1 + 1/k2), so g = dV_2/dk = (-I/k1^2, -I/k2^2).
struct Chain {
  graph::Network net;
  physics::LinearModel model;
  Task task;
  Chain(double k1, double k2) : net(3, {{0, 1}, {1, 2}}, Vector{{k1, k2}}) {
    model = physics::resistor_model(net);
    task.fixed.hold(0, 0.0);
    task.inputs = {learning::injection_input({2}, {1.0})};
    task.outputs = {learning::node_readout(2)};
  }
};

// Closed forms vs products of exact solves: round-off only.
constexpr double kExact = 1e-12;

TEST(AnalysisSaturation, ChainGradientAndModesInClosedForm) {
  const double k1 = 0.3, k2 = 2.0, current = 1.7;
  Chain c(k1, k2);
  Responses r(c.model, c.task);
  r.update(c.net.conductances());
  const Vector input{{current}};
  const Vector g = constraint_gradient(r, input, 0);
  EXPECT_NEAR(g[0], -current / (k1 * k1), kExact * current / (k1 * k1));
  EXPECT_NEAR(g[1], -current / (k2 * k2), kExact * current / (k1 * k1));

  // Reduced Hessian on (V_1, V_2): [[k1 + k2, -k2], [-k2, k2]]; lowest eigenpair by hand.
  const double a = k1 + k2, b = -k2, d = k2;
  const double l1 = 0.5 * (a + d - std::sqrt((a - d) * (a - d) + 4 * b * b));
  Vector v1{{b, l1 - a}};
  v1.normalize();
  const PhysicalSpectrum spec = physical_spectrum(c.model, c.net.conductances(), c.task.fixed);
  const ModeExpansion e = mode_expansion(r, input, 0, spec.reduced_values, spec.reduced_modes);
  EXPECT_NEAR(e.eigenvalues[0], l1, kExact);
  const Index f1 = r.response().reduced().free_index(1);
  const double sign = spec.reduced_modes(f1, 0) * v1[0] > 0 ? 1.0 : -1.0;  // mode sign is free
  const double i1 = current * v1[1] * sign;                                // r = (0, I)
  const double o1 = v1[1] * sign;                                          // p = e_2
  EXPECT_NEAR(e.input_projections[0], i1, kExact);
  EXPECT_NEAR(e.output_projections[0], o1, kExact);
  // Drops in mode 1: edge (0,1): V_0 - V_1 = -v1[0]; edge (1,2): v1[0] - v1[1].
  const Vector d1{{-v1[0] * sign, (v1[0] - v1[1]) * sign}};
  EXPECT_LT((e.mode_drops.col(0) - d1).norm(), kExact);
  // eq. (13) in closed form
  const Vector approx = -(i1 * o1 / (l1 * l1)) * d1.cwiseAbs2();
  EXPECT_LT((gradient_one_mode(e) - approx).norm(), kExact * approx.norm());
  // eq. (12) with both modes is exact
  EXPECT_LT((gradient_from_modes(e, 2) - g).norm(), kExact * g.norm());
  // eq. (15)
  EXPECT_NEAR(stiff_eigenvalue_one_mode(e),
              std::pow(i1 * o1, 2) / std::pow(l1, 4) * d1.array().pow(4).sum(),
              kExact * approx.squaredNorm());
}

TEST(AnalysisSaturation, SaturatedHessianIsGTimesGAndItsEigenvalueIsTheNormSquared) {
  std::mt19937_64 rng(5);
  const graph::Network net = testing::random_connected_network(20, 25, 0.5, rng);
  const auto model = physics::resistor_model(net);
  Task task;
  task.fixed.hold(0, 0.0);
  task.inputs = {learning::injection_input({7}, {1.0}), learning::hold_input(3)};
  task.outputs = {learning::difference_readout(12, 15)};
  Responses r(model, task);
  r.update(net.conductances());
  const Vector input{{0.8, -0.4}};
  learning::Batch batch;
  batch.inputs = input.transpose();
  batch.targets = Matrix::Constant(1, 1, 0.2);
  // One sample, one readout, C = 1/2 c^2 (mse, sum): H_sat = g g^T (002 eq. 9).
  const CostHessian h = cost_hessian(r, batch, learning::Loss{});
  const Vector g = constraint_gradient(r, input, 0);
  EXPECT_LT((h.saturated - g * g.transpose()).norm(), kExact * h.saturated.norm());
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(h.saturated);
  EXPECT_NEAR(eig.eigenvalues()[g.size() - 1], g.squaredNorm(), kExact * g.squaredNorm());
  // The full mode sum (voltage input: offset drops at the held source) reproduces g.
  const PhysicalSpectrum spec =
      physical_spectrum(model, net.conductances(), task.conditions(input));
  const ModeExpansion e = mode_expansion(r, input, 0, spec.reduced_values, spec.reduced_modes);
  EXPECT_LT((gradient_from_modes(e, e.eigenvalues.size()) - g).norm(), 1e-10 * g.norm());
  // At the target (c = 0) H = H_sat exactly, so H_sat:H = 1 (002 Fig. 2).
  batch.targets = r.outputs(batch.inputs);
  const CostHessian trained = cost_hessian(r, batch, learning::Loss{});
  EXPECT_NEAR(normalized_double_dot(trained.saturated, trained.total), 1.0, 1e-12);
}

TEST(AnalysisSaturation, OneSoftModeTakesOverAsTheCrackOpens) {
  // Two well-connected triangles joined by a weak "crack" edge of conductance eps; current in
  // on one side, output on the other. As eps -> 0, lambda_1 ~ eps is separated from the rest,
  // the one-mode g aligns with g, eq. (15) becomes exact, and ||g||^2 lambda_1^4 tends to a
  // constant (the lambda^-4 relation).
  double previous_product = 0.0;
  double previous_error = 1.0;
  for (const double eps : {1e-2, 1e-3, 1e-4}) {
    const graph::Network net(6, {{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}, {2, 3}},
                             Vector{{1.0, 1.3, 0.8, 1.1, 0.9, 1.2, eps}});
    const auto model = physics::resistor_model(net);
    Task task;
    task.fixed.hold(0, 0.0);
    task.inputs = {learning::injection_input({5}, {1.0})};
    task.outputs = {learning::node_readout(4)};
    Responses r(model, task);
    r.update(net.conductances());
    const Vector input{{1.0}};
    const Vector g = constraint_gradient(r, input, 0);
    const PhysicalSpectrum spec = physical_spectrum(model, net.conductances(), task.fixed);
    const ModeExpansion e = mode_expansion(r, input, 0, spec.reduced_values, spec.reduced_modes);
    const double error = 1.0 - alignment(gradient_one_mode(e), g);
    EXPECT_LT(error, previous_error + 1e-15);
    previous_error = error;
    const double rel_eig = std::abs(stiff_eigenvalue_one_mode(e) / g.squaredNorm() - 1.0);
    EXPECT_LT(rel_eig, 30 * eps);  // corrections O(lambda_1 / lambda_2) ~ eps
    const double product = g.squaredNorm() * std::pow(spec.reduced_values[0], 4);
    if (previous_product > 0.0) {
      EXPECT_NEAR(product / previous_product, 1.0, 300 * eps);
    }
    previous_product = product;
  }
  EXPECT_LT(previous_error, 1e-6);
}

TEST(AnalysisSaturation, NormalizedDoubleDotClosedForm) {
  const Matrix a{{1.0, 0.0}, {0.0, 0.0}};
  const Matrix b{{1.0, 1.0}, {1.0, 1.0}};
  EXPECT_DOUBLE_EQ(normalized_double_dot(a, b), 0.5);  // 1 / (1 * 2)
  EXPECT_DOUBLE_EQ(normalized_double_dot(b, b), 1.0);
  EXPECT_DOUBLE_EQ(normalized_double_dot(a, -3.0 * a), -1.0);
  EXPECT_THROW(normalized_double_dot(a, Matrix::Zero(2, 2)), std::invalid_argument);
  EXPECT_THROW(normalized_double_dot(a, Matrix::Zero(3, 2)), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
