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
  for (const auto& name :
       {"cholmod-simplicial", "cholmod-supernodal", "plnet-ldlt", "eigen-ldlt", "dense"}) {
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

TEST(SymmetricSolver, ManyRightHandSidesEqualColumnByColumn) {
  // One blocked solve of 11 columns (wider than plnet-ldlt's 8-column kernels) against each
  // column solved alone, and against dense LU. The blocked kernels do per column exactly the
  // operations of the single-column solve, so plnet-ldlt must agree to the last bit; the
  // library backends may reorder sums between block widths (1e-13: ~cond * eps for 4 decades).
  std::mt19937_64 rng(4);
  const auto net = testing::random_connected_network(150, 220, 2.0, rng);
  const SparseMatrix a = grounded_laplacian(net);
  const Matrix b = Matrix::Random(a.rows(), 11);
  const Matrix reference = Matrix(a).partialPivLu().solve(b);
  for (const auto& name : solver_backends()) {
    auto solver = make_solver(name, a.rows());
    solver->analyze(a);
    ASSERT_TRUE(solver->factorize(a).ok()) << name;
    for (const Index width : {Index{2}, Index{5}, Index{8}, Index{11}}) {
      Matrix block = b.leftCols(width);
      solver->solve_in_place(block);
      for (Index c = 0; c < width; ++c) {
        Matrix column = b.col(c);
        solver->solve_in_place(column);
        if (name == "plnet-ldlt") {
          EXPECT_EQ(block.col(c), column.col(0)) << name << " width " << width << " col " << c;
        } else {
          EXPECT_LT((block.col(c) - column.col(0)).norm() / column.norm(), 1e-13) << name;
        }
        // Unrefined solve: forward error <~ cond(a) * eps ~ 1e-9 for 4 decades on 150 nodes.
        EXPECT_LT((column.col(0) - reference.col(c)).norm() / reference.col(c).norm(), 1e-8)
            << name;
      }
    }
  }
}

TEST(SymmetricSolver, MinPivotRatioOfATwoByTwoMatrix) {
  // [[1, a], [a, 1]]: whatever the ordering, the pivots are 1 and 1 - a^2 on a unit diagonal.
  const double off = 0.9;
  SparseMatrix a(2, 2);
  a.insert(0, 0) = 1.0;
  a.insert(1, 0) = off;
  a.insert(0, 1) = off;
  a.insert(1, 1) = 1.0;
  a.makeCompressed();
  for (const auto& name : solver_backends()) {
    auto solver = make_solver(name, 2);
    solver->analyze(a);
    const auto result = solver->factorize(a);
    ASSERT_TRUE(result.ok()) << name;
    // Two roundings in 1 - a * (a / 1): a few eps.
    EXPECT_NEAR(result.min_pivot_ratio, 1.0 - off * off, 1e-15) << name;
  }
}

TEST(SymmetricSolver, FloatingComponentIsReportedWhereItIs) {
  // Two components; grounding node 0 fixes the first only, so the reduced Laplacian is
  // singular on the second. A backend that names the failed unknown must name one of the
  // second component's (unknowns 0..19 are nodes 1..20 of the first component).
  std::mt19937_64 rng(5);
  const auto first = testing::random_connected_network(21, 30, 1.0, rng);
  const auto second = testing::random_connected_network(15, 20, 1.0, rng);
  std::vector<graph::Edge> edges;
  for (Index e = 0; e < first.num_edges(); ++e) edges.push_back(first.edge(e));
  for (Index e = 0; e < second.num_edges(); ++e)
    edges.push_back({second.edge(e).a + 21, second.edge(e).b + 21});
  Vector k(first.num_edges() + second.num_edges());
  k << first.conductances(), second.conductances();
  const graph::Network net(36, std::move(edges), k);
  const SparseMatrix a = grounded_laplacian(net);
  for (const auto& name : solver_backends()) {
    auto solver = make_solver(name, a.rows());
    solver->analyze(a);
    const auto result = solver->factorize(a);
    EXPECT_FALSE(result.ok()) << name;
    EXPECT_EQ(result.status, FactorStatus::kNotPositiveDefinite) << name;
    if (result.failed_column >= 0) {
      EXPECT_GE(result.failed_column, 20) << name;
    }
  }
}

TEST(SymmetricSolver, PlnetLdltIsBitForBitReproducible) {
  // Two independent analyses (the METIS/NESDIS orderings included) and factorisations of the
  // same matrix must give identical solutions.
  std::mt19937_64 rng(6);
  const auto net = testing::random_connected_network(400, 600, 3.0, rng);
  const SparseMatrix a = grounded_laplacian(net);
  const Matrix b = Matrix::Random(a.rows(), 5);
  Matrix x[2] = {b, b};
  double ratio[2] = {0.0, 0.0};
  for (int run = 0; run < 2; ++run) {
    auto solver = make_solver("plnet-ldlt", a.rows());
    solver->analyze(a);
    const auto result = solver->factorize(a);
    ASSERT_TRUE(result.ok());
    ratio[run] = result.min_pivot_ratio;
    solver->solve_in_place(x[run]);
  }
  EXPECT_EQ(x[0], x[1]);
  EXPECT_EQ(ratio[0], ratio[1]);
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
