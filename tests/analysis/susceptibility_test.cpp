// Susceptibility vectors and the identity cost Hessian = L : S (000 eq. 12, App. A). The two
// sides are computed independently: L : S from a dense LU of the bordered matrix (Lagrange rows
// for every held dof), the cost Hessian from the eliminated-form responses (cost_hessian.cpp).
#include <plnet/analysis/cost_hessian.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

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

enum class Drive { kCurrent, kVoltage };

// Ground at node 0; current-driven: two injected inputs and a constant injection; voltage-
// driven: two held inputs and a constant +1 source. Outputs: two nodes and a node difference.
Problem problem(Drive drive, std::uint64_t seed, Index nodes = 14, Index extra = 16) {
  std::mt19937_64 rng(seed);
  Problem p{testing::random_connected_network(nodes, extra, 0.5, rng), {}, {}, {}};
  p.model = physics::resistor_model(p.net);
  p.task.fixed.hold(0, 0.0);
  if (drive == Drive::kCurrent) {
    p.task.fixed.inject(4, 0.5);
    p.task.inputs = {learning::injection_input({1}, {1.0}),
                     learning::injection_input({2, 3}, {1.0, -0.5})};
  } else {
    p.task.fixed.hold(4, 1.0);
    p.task.inputs = {learning::hold_input(1), learning::hold_input(2)};
  }
  p.task.outputs = {learning::node_readout(nodes - 1), learning::node_readout(nodes - 3),
                    learning::difference_readout(5, 6)};
  p.batch.inputs = Matrix::Random(5, 2);
  p.batch.targets = 0.3 * Matrix::Random(5, 3);
  return p;
}

double rel(const Matrix& a, const Matrix& b) {
  return (a - b).norm() / b.norm();
}

Matrix l_double_s(const Problem& p, const Vector& w, const Loss& loss) {
  const TrainingTensor l = training_tensor(p.model, w, p.task, p.batch, loss);
  const Matrix s =
      susceptibility_vectors(p.model, w, p.task.conditions(Vector::Zero(p.task.num_inputs())));
  return double_dot(l, s);
}

CostHessian hessian(const Problem& p, const Vector& w, const Loss& loss) {
  Responses r(p.model, p.task);
  r.update(w);
  return cost_hessian(r, p.batch, loss);
}

// Both sides are exact formulas evaluated by different factorisations (dense LU of the bordered
// matrix, sparse Cholesky of the reduced one); measured agreement is 1e-15 - 5e-15, and 1e-12
// leaves room for the condition number (~1e3 for one decade of conductances) times round-off.
constexpr double kRoundOff = 1e-12;

TEST(AnalysisSusceptibility, CostHessianEqualsLDoubleDotSForCurrentAndVoltageDrive) {
  for (const auto drive : {Drive::kCurrent, Drive::kVoltage}) {
    const char* what = drive == Drive::kCurrent ? "current" : "voltage";
    Problem p = problem(drive, 21);
    const Vector w = p.net.conductances();
    const Loss loss{LossKind::kMse, Reduction::kSum};
    // Off target: L : S is the Gauss-Newton part H_sat for any batch.
    EXPECT_LT(rel(l_double_s(p, w, loss), hessian(p, w, loss).saturated), kRoundOff) << what;
    // Trained (every sample at its target): the full cost Hessian, as in 000 eq. (12).
    Responses r(p.model, p.task);
    r.update(w);
    p.batch.targets = r.outputs(p.batch.inputs);
    const CostHessian h = hessian(p, w, loss);
    EXPECT_LT(h.dynamic.norm(), 1e-12 * h.total.norm()) << what;
    EXPECT_LT(rel(l_double_s(p, w, loss), h.total), kRoundOff) << what;
  }
}

TEST(AnalysisSusceptibility, IdentityHoldsForTheCosineCost) {
  // 000 App. A: any differentiable cost, with C_r = d2c/dy2 in the training tensor.
  for (const auto drive : {Drive::kCurrent, Drive::kVoltage}) {
    Problem p = problem(drive, 22);
    const Vector w = p.net.conductances();
    const Loss loss{LossKind::kCosine, Reduction::kMean};
    EXPECT_LT(rel(l_double_s(p, w, loss), hessian(p, w, loss).saturated), kRoundOff);
    // At the cosine cost's minimum (targets parallel to the outputs) dc/dy = 0 and L : S is
    // the full Hessian.
    Responses r(p.model, p.task);
    r.update(w);
    p.batch.targets = 2.0 * r.outputs(p.batch.inputs);
    const CostHessian h = hessian(p, w, loss);
    EXPECT_LT(h.dynamic.norm(), 1e-9 * h.total.norm());
    EXPECT_LT(rel(l_double_s(p, w, loss), h.total), kRoundOff);
  }
}

TEST(AnalysisSusceptibility, FactoredContractionEqualsTheDenseFourIndexSum) {
  Problem p = problem(Drive::kVoltage, 23, 8, 4);
  const Vector w = p.net.conductances();
  const Loss loss{LossKind::kCosine, Reduction::kSum};
  const TrainingTensor l = training_tensor(p.model, w, p.task, p.batch, loss);
  const Matrix s =
      susceptibility_vectors(p.model, w, p.task.conditions(Vector::Zero(p.task.num_inputs())));
  const std::vector<double> dense = l.dense();
  const Index n = s.cols(), m = s.rows();
  Matrix brute(m, m);
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < m; ++j) {
      double acc = 0.0;
      std::size_t idx = 0;
      for (Index a = 0; a < n; ++a)
        for (Index b = 0; b < n; ++b)
          for (Index c = 0; c < n; ++c)
            for (Index d = 0; d < n; ++d)
              acc += dense[idx++] * s(i, a) * s(i, b) * s(j, c) * s(j, d);
      brute(i, j) = acc;
    }
  EXPECT_LT(rel(double_dot(l, s), brute), 1e-12);
}

TEST(AnalysisSusceptibility, ContractionWithAForceIsTheEdgeDrop) {
  // 000 eq. (17): s_i . [F; c] is the drop across edge i in the response to [F; c]; the
  // response comes from the eliminated solve.
  Problem p = problem(Drive::kVoltage, 24);
  const Vector w = p.net.conductances();
  auto bc = p.task.conditions(Vector{{0.7, -0.4}});
  bc.inject(7, 0.3).inject(9, -1.1);
  const Matrix s = susceptibility_vectors(p.model, w, bc);
  Vector force = Vector::Zero(s.cols());
  for (const auto& inj : bc.injections) force[inj.dof] += inj.amount;
  Index row = p.model.num_dofs();
  for (const auto& h : bc.holds) force[row++] = h.value;
  const physics::State state = physics::solve(p.model, w, bc);
  EXPECT_LT(rel(s * force, state.drops), 1e-10);
}

TEST(AnalysisSusceptibility, NormsFromTheBorderedSpectrumAndTheFactorTwo) {
  Problem p = problem(Drive::kVoltage, 25);
  const Vector w = p.net.conductances();
  const auto bc = p.task.conditions(Vector::Zero(2));
  const Matrix s = susceptibility_vectors(p.model, w, bc);
  // 000 eq. (20): ||s_i||^2 = sum_alpha nu_alpha^-2 (b_i . W_alpha)^2 over the bordered modes.
  const PhysicalSpectrum spec = physical_spectrum(p.model, w, bc);
  const SparseMatrix b = p.model.difference_operator();
  const Matrix projections = b * spec.bordered_modes.topRows(p.model.num_dofs());  // M x n_ext
  const Vector from_modes =
      projections.cwiseAbs2() * spec.bordered_values.cwiseAbs2().cwiseInverse();
  EXPECT_LT(rel(susceptibility_norms(p.model, w, bc), from_modes), 1e-10);
  // 000's bordered Hessian [[2L, Q^T], [Q, 0]] is ours at 2w: its s_i is diag(1/2, 1) ours.
  const Matrix s000 = susceptibility_vectors(p.model, 2.0 * w, bc);
  Matrix converted = s;
  converted.leftCols(p.model.num_dofs()) *= 0.5;
  EXPECT_LT(rel(s000, converted), 1e-12);
}

TEST(AnalysisSusceptibility, BadInput) {
  Problem p = problem(Drive::kCurrent, 26);
  const Vector w = p.net.conductances();
  const Loss loss{};
  p.task.inputs.push_back(learning::edge_source_input(3));
  p.batch.inputs = Matrix::Random(5, 3);
  EXPECT_THROW(training_tensor(p.model, w, p.task, p.batch, loss), std::invalid_argument);
  Problem q = problem(Drive::kCurrent, 26);
  q.batch.targets = Matrix::Zero(5, 1);
  EXPECT_THROW(training_tensor(q.model, w, q.task, q.batch, loss), std::invalid_argument);
  EXPECT_THROW(susceptibility_vectors(q.model, -w, q.task.fixed), std::invalid_argument);
  physics::BoundaryConditions floating;  // no ground: the network floats
  EXPECT_THROW(susceptibility_vectors(q.model, w, floating), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
