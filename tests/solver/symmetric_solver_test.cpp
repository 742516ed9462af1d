// The solver interface on its own: every backend against a dense LU reference, statuses for
// singular and indefinite matrices, refinement, and reuse of the symbolic analysis.
#include <plnet/physics/linear_response.hpp>
#include <plnet/solver/symmetric_solver.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "support/reference.hpp"

namespace plnet::solver {
namespace {

SparseMatrix grounded_laplacian(const graph::Network& net) {
  const SparseMatrix l = physics::resistor_model(net).hessian(net.conductances());
  // Drop node 0 (ground): the leading principal block of the remaining nodes.
  const Index n = l.rows() - 1;
  SparseMatrix a = l.bottomRightCorner(n, n);
  a.makeCompressed();
  return a;
}

TEST(SymmetricSolver, EveryBackendMatchesDenseLu) {
  std::mt19937_64 rng(1);
  const auto net = testing::random_connected_network(200, 300, 2.0, rng);
  const SparseMatrix a = grounded_laplacian(net);
  const Matrix b = Matrix::Random(a.rows(), 3);
  const Matrix reference = Matrix(a).partialPivLu().solve(b);
  for (const auto& name : solver_backends()) {
    auto solver = make_solver(name, a.rows());
    solver->analyze(a);
    const auto status = solver->factorize(a);
    ASSERT_TRUE(status.ok()) << name << ": " << status.message;
    Matrix x;
    const auto report = solve_refined(a, *solver, b, x);
    // cond(a) <~ 1e7 for 4 decades of conductance on 200 nodes: forward error ~cond*eps.
    EXPECT_LT((x - reference).norm() / reference.norm(), 1e-9) << name;
    EXPECT_LT(report.backward_error, 1e-15) << name;
  }
}

TEST(SymmetricSolver, SingularAndIndefiniteAreStatusesNotCrashes) {
  // The full (ungrounded) Laplacian is singular; flipping its sign makes it negative definite
  // on the complement of the constants.
  std::mt19937_64 rng(2);
  const auto net = testing::random_connected_network(30, 30, 1.0, rng);
  const SparseMatrix l = physics::resistor_model(net).hessian(net.conductances());
  const SparseMatrix neg = -grounded_laplacian(net);
  for (const auto& name : solver_backends()) {
    auto solver = make_solver(name, l.rows());
    solver->analyze(l);
    EXPECT_FALSE(solver->factorize(l).ok()) << name << " accepted a singular Laplacian";
    auto solver2 = make_solver(name, neg.rows());
    solver2->analyze(neg);
    EXPECT_FALSE(solver2->factorize(neg).ok()) << name << " accepted a negative definite matrix";
  }
}

TEST(SymmetricSolver, RefactorisationReusesAnalysisAndStaysExact) {
  // One LinearResponse, parameters changed three times: each state must equal a fresh solve.
  std::mt19937_64 rng(3);
  const auto net = testing::random_connected_network(100, 150, 1.0, rng);
  const auto model = physics::resistor_model(net);
  physics::BoundaryConditions bc;
  bc.hold(0, 0.0).hold(99, 1.0).inject(50, 0.3);
  for (const auto& name : {"cholmod-simplicial", "cholmod-supernodal", "eigen-ldlt", "dense"}) {
    physics::LinearResponse response(model, bc, physics::SolveOptions::with_backend(name));
    for (int round = 0; round < 3; ++round) {
      const Vector w = net.conductances().array() * (1.0 + 0.5 * round);
      response.set_parameters(w);
      const physics::State st = response.solve(bc);
      const Vector reference = testing::dense_reference_voltages(net.with_conductances(w), bc);
      EXPECT_LT(testing::relative_error(st.x, reference), 1e-10) << name << " round " << round;
    }
  }
}

TEST(SymmetricSolver, RefinementOptionsAreValidated) {
  RefinementOptions bad;
  bad.max_steps = -1;
  try {
    bad.validate();
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("RefinementOptions.max_steps"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("got -1"), std::string::npos);
  }
}

}  // namespace
}  // namespace plnet::solver
