// R12's training step follows 003 eq. (19): the update for n_T simultaneous tasks is the SUM of
// the single-task updates (each task's rank-one change of H = W, eq. 18), not their mean.
#include <plnet/learning/trainer.hpp>
#include <plnet/physics/model.hpp>
#include <plnet/reproduce/reproduce.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <filesystem>

namespace {

using namespace plnet;

TEST(R12, MultiTaskUpdateIsTheSumOfSingleTaskUpdates) {
  const Index tasks = 5;
  const reproduce::Config config(
      (std::filesystem::path(reproduce::experiments_dir()) / "R12.toml").string(), false,
      {"data.tasks=" + std::to_string(tasks), "protocol.steps=1"});
  const learning::Experiment e = config.experiment(7);
  ASSERT_EQ(e.model->kind(), physics::ModelKind::kNode);
  ASSERT_EQ(e.train.size(), tasks);
  const Index n = e.model->num_dofs();
  const Vector& w0 = e.initial_parameters;

  learning::Trainer trainer(*e.model, e.task, e.train, e.test, e.loss, e.rule, e.protocol, w0,
                            e.solve);
  trainer.step();
  const Vector update = trainer.parameters() - w0;

  // Independently, task by task with dense linear algebra: free state W x^F = F_r, clamped
  // state with A_r . x^C = y + eta (t - y) held by a Lagrange multiplier,
  // x^C = x^F + W^-1 A_r mu, and the coupled-learning change of each parameter
  // -(alpha/eta) [x^C . S_p x^C - x^F . S_p x^F] (S_p = dW/dw_p: E_ab + E_ba, or E_aa).
  const Matrix w = Matrix(e.model->hessian(w0));
  const Eigen::LDLT<Matrix> ldlt(w);
  const double eta = e.rule.nudge;
  const double alpha = e.protocol.learning_rate;
  Vector sum = Vector::Zero(w0.size());
  for (Index r = 0; r < tasks; ++r) {
    const auto& input = e.task.inputs[static_cast<std::size_t>(r)];
    Vector force = Vector::Zero(n);
    for (std::size_t j = 0; j < input.targets.size(); ++j)
      force[input.targets[j]] += input.coefficients[j] * e.train.inputs(r, r);
    const auto& readout = e.task.outputs[static_cast<std::size_t>(r)];
    Vector a = Vector::Zero(n);
    for (std::size_t j = 0; j < readout.dofs.size(); ++j)
      a[readout.dofs[j]] += readout.coefficients[j];
    const Vector xf = ldlt.solve(force);
    const Vector wa = ldlt.solve(a);
    const double y = a.dot(xf);
    const double mu = eta * (e.train.targets(r, r) - y) / a.dot(wa);
    const Vector xc = xf + mu * wa;
    for (Index i = 0; i < n; ++i)
      for (Index j = i; j < n; ++j) {
        const double factor = i == j ? 1.0 : 2.0;  // x^T (E_ij + E_ji) x = 2 x_i x_j
        sum[physics::node_parameter_index(n, i, j)] -=
            alpha / eta * factor * (xc[i] * xc[j] - xf[i] * xf[j]);
      }
  }
  // Round-off of two solution paths (sparse factorisation with a Schur complement vs dense
  // LDL^T) on a well-conditioned W (eigenvalues ~ 3 sqrt(2N) +- 2 sqrt(N)): ~1e-12 relative.
  // The mean that R12 used before 003 eq. (19) was followed is off by a factor n_T.
  EXPECT_LT((update - sum).norm(), 1e-9 * sum.norm());
}

}  // namespace
