// Physical identities on random networks: Kirchhoff, energy, Tellegen, reciprocity,
// orientation independence, elimination vs bordered form, dense long-double reference.
#include <plnet/physics/cycle_space.hpp>
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <limits>

#include "support/reference.hpp"

namespace plnet::physics {
namespace {

// States of networks with conductances spanning 4 decades: the forward error of a backward-
// stable solve is ~cond * eps with cond <~ 1e6 here, so 1e-9 relative leaves margin.
constexpr double kStateTol = 1e-9;

struct Case {
  graph::Network net;
  BoundaryConditions bc;
};

Case random_case(std::uint64_t seed, bool with_sources_and_constraints) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<Index> size(8, 60);
  const Index n = size(rng);
  auto net = testing::random_connected_network(n, n, 2.0, rng);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  BoundaryConditions bc;
  bc.hold(0, 0.0).hold(n - 1, u(rng)).hold(n / 2, u(rng));
  bc.inject(1, u(rng)).inject(2, u(rng));
  if (with_sources_and_constraints) {
    bc.edge_source(0, u(rng)).edge_source(net.num_edges() - 1, u(rng));
    bc.impose_difference(3, 4, u(rng));
  }
  return {std::move(net), std::move(bc)};
}

TEST(Properties, MatchesDenseLongDoubleReference) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto [net, bc] = random_case(seed, false);
    const State st = solve(resistor_model(net), net.conductances(), bc);
    EXPECT_LT(testing::relative_error(st.x, testing::dense_reference_voltages(net, bc)), kStateTol)
        << "seed " << seed;
  }
}

TEST(Properties, KirchhoffEnergyAndPowerBalance) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto [net, bc] = random_case(seed, true);
    const auto model = resistor_model(net);
    const Vector& k = net.conductances();
    const State st = solve(model, k, bc);
    // KCL: at every node the edge currents leaving it equal the external injection
    // (injections plus source reactions at held nodes).
    Vector net_out = Vector::Zero(net.num_nodes());
    for (Index e = 0; e < net.num_edges(); ++e) {
      net_out[net.edge(e).a] += st.currents[e];
      net_out[net.edge(e).b] -= st.currents[e];
    }
    Vector external = Vector::Zero(net.num_nodes());
    for (const auto& inj : bc.injections) external[inj.dof] += inj.amount;
    for (std::size_t h = 0; h < bc.holds.size(); ++h)
      external[bc.holds[h].dof] += st.reactions[static_cast<Index>(h)];
    // The constraint x_3 - x_4 = c is an ideal source between 3 and 4: its current is the
    // residual at node 3 and its opposite at 4, so check KCL everywhere else.
    for (Index v = 0; v < net.num_nodes(); ++v) {
      if (v == 3 || v == 4) continue;
      EXPECT_NEAR(net_out[v], external[v], 1e-9 * (1 + st.currents.cwiseAbs().maxCoeff()));
    }
    EXPECT_NEAR(net_out[3] + net_out[4], external[3] + external[4],
                1e-9 * (1 + st.currents.cwiseAbs().maxCoeff()));
    // Energy with edge sources: E = 1/2 sum k v^2 - F^T x, v the resistor drops.
    Vector f = Vector::Zero(net.num_nodes());
    for (const auto& inj : bc.injections) f[inj.dof] += inj.amount;
    const double energy = 0.5 * k.dot(st.drops.cwiseAbs2()) - f.dot(st.x);
    EXPECT_NEAR(st.energy, energy, 1e-10 * (1 + std::abs(energy)));
    EXPECT_NEAR(st.power, st.drops.dot(st.currents), 1e-12 * (1 + st.power));
  }
}

TEST(Properties, TellegenAcrossTwoNetworksOnOneGraph) {
  // Tellegen's theorem only needs KCL for one state and KVL for the other: for states on
  // the same graph with different conductances, sum_e (Delta x')_e i_e = sum_n x'_n J_n with
  // J the external node currents of the first state.
  const auto [net, bc] = random_case(11, false);
  const graph::Network net2 = net.with_conductances(net.conductances().cwiseSqrt());
  const State s1 = solve(resistor_model(net), net.conductances(), bc);
  const State s2 = solve(resistor_model(net2), net2.conductances(), bc);
  double lhs = 0.0;
  for (Index e = 0; e < net.num_edges(); ++e)
    lhs += (s2.x[net.edge(e).a] - s2.x[net.edge(e).b]) * s1.currents[e];
  double rhs = 0.0;
  for (const auto& inj : bc.injections) rhs += s2.x[inj.dof] * inj.amount;
  for (std::size_t h = 0; h < bc.holds.size(); ++h)
    rhs += s2.x[bc.holds[h].dof] * s1.reactions[static_cast<Index>(h)];
  EXPECT_NEAR(lhs, rhs, 1e-9 * (1 + std::abs(lhs)));
}

TEST(Properties, Reciprocity) {
  // Transfer resistance is symmetric: inject at a, read b == inject at b, read a.
  std::mt19937_64 rng(5);
  const auto net = testing::random_connected_network(40, 50, 2.0, rng);
  const auto model = resistor_model(net);
  BoundaryConditions at_a, at_b;
  at_a.hold(0, 0.0).inject(7, 1.0);
  at_b.hold(0, 0.0).inject(23, 1.0);
  const State sa = solve(model, net.conductances(), at_a);
  const State sb = solve(model, net.conductances(), at_b);
  EXPECT_NEAR(sa.x[23], sb.x[7], kStateTol * std::abs(sa.x[23]));
}

TEST(Properties, IndependentOfEdgeOrientation) {
  // Flipping an edge flips the sign of its drop, current and source, and changes nothing
  // physical: node voltages and power are identical.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const auto [net, bc] = random_case(seed, true);
    std::vector<graph::Edge> flipped = net.edges();
    std::vector<bool> is_flipped(flipped.size());
    std::mt19937_64 rng(seed);
    for (std::size_t e = 0; e < flipped.size(); ++e) {
      is_flipped[e] = (rng() & 1U) != 0;
      if (is_flipped[e]) std::swap(flipped[e].a, flipped[e].b);
    }
    const graph::Network net2(net.num_nodes(), flipped, net.conductances());
    BoundaryConditions bc2 = bc;
    for (auto& s : bc2.edge_sources)
      if (is_flipped[static_cast<std::size_t>(s.edge)]) s.value = -s.value;
    const State s1 = solve(resistor_model(net), net.conductances(), bc);
    const State s2 = solve(resistor_model(net2), net2.conductances(), bc2);
    EXPECT_LT(testing::relative_error(s2.x, s1.x), 1e-12);
    EXPECT_NEAR(s1.power, s2.power, 1e-12 * s1.power);
    for (std::size_t e = 0; e < flipped.size(); ++e)
      EXPECT_NEAR(s2.currents[static_cast<Index>(e)],
                  (is_flipped[e] ? -1.0 : 1.0) * s1.currents[static_cast<Index>(e)],
                  1e-12 * (1 + std::abs(s1.currents[static_cast<Index>(e)])));
  }
}

TEST(Properties, EliminationAndBorderedFormsAgree) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto [net, bc] = random_case(seed, true);
    const auto model = resistor_model(net);
    Vector mu;
    const State elim = solve(model, net.conductances(), bc);
    const State bord = solve_bordered(model, net.conductances(), bc, &mu);
    EXPECT_LT(testing::relative_error(elim.x, bord.x), kStateTol) << "seed " << seed;
    // The multipliers of the hold rows are minus the source reactions.
    for (std::size_t h = 0; h < bc.holds.size(); ++h)
      EXPECT_NEAR(mu[static_cast<Index>(h)], -elim.reactions[static_cast<Index>(h)],
                  kStateTol * (1 + elim.currents.cwiseAbs().maxCoeff()));
  }
}

TEST(Properties, SpringEdgeConstraintBothForms) {
  // Impose a bond extension on a rigid 2D spring network (triangulated strip) and compare
  // the two forms; the constrained bond's extension must equal the imposed value.
  Matrix pos(6, 2);
  pos << 0, 0, 1, 0, 2, 0, 0.5, 0.9, 1.5, 0.9, 2.5, 0.9;
  const graph::Network net(6,
                           {{0, 1}, {1, 2}, {3, 4}, {4, 5}, {0, 3}, {1, 3}, {1, 4}, {2, 4}, {2, 5}},
                           (Vector(9) << 1, 2, 3, 1, 2, 3, 1, 2, 3).finished(), pos);
  const auto model = spring_model(net);
  BoundaryConditions bc;
  hold_node(model, bc, 0);
  bc.hold(1 * 2 + 1, 0.0);  // pins rotation: three held dofs remove the rigid-body modes
  bc.constraints.push_back(edge_constraint(model, 8, 0.05));
  bc.inject(3 * 2 + 1, 0.3);
  const State a = solve(model, net.conductances(), bc);
  const State b = solve_bordered(model, net.conductances(), bc);
  EXPECT_NEAR(a.drops[8], 0.05, 1e-14);
  EXPECT_LT(testing::relative_error(a.x, b.x), 1e-12);
}

TEST(Properties, EveryBackendGivesTheSameState) {
  const auto [net, bc] = random_case(3, true);
  const auto model = resistor_model(net);
  const State reference = solve(model, net.conductances(), bc, SolveOptions::with_backend("dense"));
  for (const auto& backend : solver::solver_backends()) {
    const State st = solve(model, net.conductances(), bc, SolveOptions::with_backend(backend));
    EXPECT_LT(testing::relative_error(st.x, reference.x), 1e-12) << backend;
  }
}

TEST(Properties, WideConductanceSpreadStaysAccurate) {
  // Conductances over 1e-6..1e6 (12 decades): compare with the long-double dense solve.
  // Refinement brings the backward error to round-off; the forward error is then bounded by
  // cond(H_ff) * eps, and the long-double reference is ~1000x more accurate than that.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    const auto net = testing::random_connected_network(80, 120, 6.0, rng);
    BoundaryConditions bc;
    bc.hold(0, 0.0).hold(79, 1.0).inject(40, 1e-3);
    for (const auto& backend :
         {"cholmod-simplicial", "cholmod-supernodal", "plnet-ldlt", "eigen-ldlt"}) {
      const State st =
          solve(resistor_model(net), net.conductances(), bc, SolveOptions::with_backend(backend));
      // The backward error is relative to the currents (docs/conventions.md, "Accuracy of a
      // solve"): voltages rounded to an ulp of max|x| leave at a node a Kirchhoff residual up to
      // the sum of its conductances times that ulp, here up to ~1e6 * 2e-16 against the largest
      // current; twice that sum over the largest node bounds it.
      Vector node_sum = Vector::Zero(net.num_nodes());
      for (Index e = 0; e < net.num_edges(); ++e) {
        node_sum[net.edge(e).a] += net.conductances()[e];
        node_sum[net.edge(e).b] += net.conductances()[e];
      }
      const double ulp = std::numeric_limits<double>::epsilon() * st.x.lpNorm<Eigen::Infinity>();
      EXPECT_LT(st.report.backward_error,
                2.0 * node_sum.maxCoeff() * ulp / st.currents.lpNorm<Eigen::Infinity>())
          << backend;
      EXPECT_LT(st.report.error_estimate, kErrorEstimateWarning) << backend;
      EXPECT_LT(testing::relative_error(st.x, testing::dense_reference_voltages(net, bc)), 1e-8)
          << backend << " seed " << seed;
    }
  }
}

TEST(Properties, ManyRightHandSidesEqualSingleSolves) {
  std::mt19937_64 rng(21);
  const auto net = testing::random_connected_network(50, 60, 1.0, rng);
  const auto model = resistor_model(net);
  BoundaryConditions structure;
  structure.hold(0, 0.0);
  LinearResponse response(model, structure);
  response.set_parameters(net.conductances());
  Matrix rhs = Matrix::Random(response.reduced().size(), 5);
  const Matrix original = rhs;
  response.solve_reduced(rhs);
  const Matrix dense = Matrix(response.reduced().matrix());
  EXPECT_LT((dense * rhs - original).norm() / original.norm(), 1e-12);
}

TEST(CycleSpace, ProjectorIdentitiesAndNodalAgreement) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    const auto net = testing::random_connected_network(12, 10, 1.0, rng);
    const SparseMatrix a = cycle_matrix(net);
    ASSERT_EQ(a.rows(), net.num_edges() - net.num_nodes() + 1);  // C = E - N + 1
    // Cycles are closed walks: A Delta = 0.
    const auto model = resistor_model(net);
    EXPECT_LT(Matrix(a * model.difference_operator()).norm(), 1e-14);
    const Vector& k = net.conductances();
    const Matrix omega = cycle_projector(a, k);
    // Tolerances: O(E) products of O(cond(A R A^T)) ~ 1e3 numbers.
    EXPECT_LT((omega * omega - omega).norm(), 1e-10 * omega.norm());
    const Matrix expected_t = k.asDiagonal() * omega * k.cwiseInverse().asDiagonal();
    EXPECT_LT((omega.transpose() - expected_t).norm(), 1e-10 * omega.norm());
    // Same drops from the nodal solve with edge sources (one ground, no other holds).
    BoundaryConditions bc;
    bc.hold(0, 0.0);
    Vector s(net.num_edges());
    for (Index e = 0; e < s.size(); ++e) {
      s[e] = std::uniform_real_distribution<double>(-1, 1)(rng);
      bc.edge_source(e, s[e]);
    }
    const State st = solve(model, k, bc);
    EXPECT_LT(testing::relative_error(st.drops, -omega * s), 1e-10);
    EXPECT_NEAR(st.reactions[0], 0.0, 1e-10);  // the ground carries no current
  }
}

}  // namespace
}  // namespace plnet::physics
