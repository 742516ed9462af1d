// Matrix-free cost-Hessian products and Lanczos stiff modes against the dense cost_hessian()
// (which forms B G B^T explicitly) and a dense eigen-decomposition.
#include <plnet/analysis/cost_hessian.hpp>
#include <plnet/analysis/cost_hessian_operator.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "support/reference.hpp"

namespace plnet::analysis {
namespace {

using learning::Batch;
using learning::Loss;
using learning::LossKind;
using learning::Reduction;
using learning::Responses;
using learning::Task;

struct Problem {
  graph::Network net;
  physics::LinearModel model;
  Task task;
  Batch batch;
};

// Ground at node 0, one held source and one injected input, three readouts (one a difference).
Problem problem(std::uint64_t seed, bool voltage_driven) {
  std::mt19937_64 rng(seed);
  Problem p{testing::random_connected_network(25, 35, 0.5, rng), {}, {}, {}};
  p.model = physics::resistor_model(p.net);
  p.task.fixed.hold(0, 0.0);
  p.task.fixed.inject(4, 0.5);
  p.task.inputs = {voltage_driven ? learning::hold_input(1) : learning::injection_input({1}, {1.0}),
                   learning::injection_input({2, 3}, {1.0, -0.5})};
  p.task.outputs = {learning::node_readout(24), learning::node_readout(20),
                    learning::difference_readout(5, 6)};
  p.batch.inputs = Matrix::Random(6, 2);
  p.batch.targets = 0.3 * Matrix::Random(6, 3);
  return p;
}

double rel(const Matrix& a, const Matrix& b) {
  return (a - b).norm() / b.norm();
}

// Both sides are exact formulas; they differ only in the order of floating-point operations and
// in one blocked solve (dense) vs n_a + n_out solves (matrix-free): measured ~1e-15 relative,
// 1e-11 allows for the ~1e3 condition number of half a decade of conductances.
constexpr double kExact = 1e-11;

TEST(AnalysisCostHessianOperator, ProductsEqualTheDenseHessian) {
  for (const bool voltage : {false, true})
    for (const auto kind : {LossKind::kMse, LossKind::kCosine}) {
      Problem p = problem(11, voltage);
      Responses r(p.model, p.task);
      r.update(p.net.conductances());
      const Loss loss{kind, Reduction::kMean};
      const CostHessian dense = cost_hessian(r, p.batch, loss);
      const Matrix u = Matrix::Random(p.model.num_parameters(), 3);
      for (Index c = 0; c < u.cols(); ++c) {
        const Vector v = u.col(c);
        const CostHessianOperator total(r, p.batch, loss);
        EXPECT_LT(rel(total.saturated_product(v), dense.saturated * v), kExact);
        EXPECT_LT(rel(total.dynamic_product(v), dense.dynamic * v), kExact);
        EXPECT_LT(rel(total.product(v), dense.total * v), kExact);
        const CostHessianOperator sat(r, p.batch, loss, CostHessianPart::kSaturated);
        Vector y(v.size());
        sat.perform_op(v.data(), y.data());
        EXPECT_LT(rel(y, dense.saturated * v), kExact);
      }
    }
}

TEST(AnalysisCostHessianOperator, LanczosStiffModesMatchTheDenseEigendecomposition) {
  Problem p = problem(12, true);
  Responses r(p.model, p.task);
  r.update(p.net.conductances());
  const Loss loss{LossKind::kMse, Reduction::kSum};
  const CostHessian dense = cost_hessian(r, p.batch, loss);
  for (const auto part : {CostHessianPart::kSaturated, CostHessianPart::kTotal}) {
    const Matrix& h = part == CostHessianPart::kSaturated ? dense.saturated : dense.total;
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(h);  // ascending
    const Index m = h.rows();
    const CostHessianOperator op(r, p.batch, loss, part);
    constexpr Index k = 4;
    const StiffModes modes = stiffest_cost_modes(op, k);
    ASSERT_TRUE(modes.converged);
    EXPECT_GT(modes.products, 0);
    for (Index j = 0; j < k; ++j) {
      const double expected = eig.eigenvalues()[m - 1 - j];
      // Lanczos tolerance 1e-10 relative on Ritz values (and the gap here is >= 10%).
      EXPECT_NEAR(modes.values[j], expected, 1e-9 * eig.eigenvalues().cwiseAbs().maxCoeff());
      const double overlap = std::abs(modes.modes.col(j).dot(eig.eigenvectors().col(m - 1 - j)));
      EXPECT_GT(overlap, 1.0 - 1e-8) << "mode " << j;
    }
  }
}

TEST(AnalysisCostHessianOperator, BadInput) {
  Problem p = problem(13, false);
  Responses r(p.model, p.task);
  EXPECT_THROW(CostHessianOperator(r, p.batch, Loss{}), std::invalid_argument);  // no update
  r.update(p.net.conductances());
  const CostHessianOperator op(r, p.batch, Loss{});
  EXPECT_THROW(op.product(Vector::Ones(3)), std::invalid_argument);
  EXPECT_THROW(stiffest_cost_modes(op, 0), std::invalid_argument);
  p.batch.targets = Matrix::Zero(6, 1);
  EXPECT_THROW(CostHessianOperator(r, p.batch, Loss{}), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
