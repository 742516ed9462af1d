// SPICE export checked two ways: closed-form 1-3 resistor circuits pin down every sign
// convention of the netlist (holds, injections, difference constraints, edge sources), then
// random networks are solved by both plnet and ngspice, an independent circuit simulator.
#include <plnet/io/spice.hpp>
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <random>

#include "io/ngspice_runner.hpp"
#include "support/reference.hpp"

namespace plnet::io {
namespace {

using physics::BoundaryConditions;
using testing::kNgspiceOutput;
using testing::run_ngspice;

// Closed forms below involve a handful of operations on O(1) numbers, and ngspice prints 17
// significant digits: agreement to a few ulps, with margin.
constexpr double kRoundOff = 1e-13;

graph::Network network(Index n, std::vector<graph::Edge> edges, std::vector<double> k) {
  return graph::Network(n, std::move(edges),
                        Eigen::Map<Vector>(k.data(), static_cast<Index>(k.size())));
}

/// Node voltages from ngspice and from plnet for the same circuit.
struct Both {
  std::vector<double> spice;
  Vector plnet;
};

Both solve_both(const graph::Network& net, const BoundaryConditions& bc) {
  EXPECT_TRUE(testing::ngspice_available())
      << "ngspice is not on PATH; scripts/setup.sh installs it";
  const auto model = physics::resistor_model(net);
  return {run_ngspice(spice_netlist(net, bc, "closed form", kNgspiceOutput), net.num_nodes()),
          physics::solve(model, net.conductances(), bc).x};
}

TEST(SpiceNetlist, CurrentSourceInjectsIntoItsNode) {
  // I = 1.5 into node 1, R = 1/k = 2 to node 0 held at 0.25: V1 = 0.25 + I R = 3.25.
  const auto net = network(2, {{0, 1}}, {0.5});
  BoundaryConditions bc;
  bc.hold(0, 0.25).inject(1, 1.5);
  const std::string netlist = spice_netlist(net, bc, "one resistor");
  EXPECT_NE(netlist.find("\nR0 n0 n1 2\n"), std::string::npos) << netlist;
  EXPECT_NE(netlist.find("\nVh0 n0 0 DC 0.25\n"), std::string::npos) << netlist;
  EXPECT_NE(netlist.find("\nIi0 0 n1 DC 1.5\n"), std::string::npos) << netlist;
  const Both v = solve_both(net, bc);
  EXPECT_NEAR(v.spice[0], 0.25, kRoundOff);
  EXPECT_NEAR(v.spice[1], 3.25, kRoundOff);
  EXPECT_NEAR(v.plnet[1], 3.25, kRoundOff);
}

TEST(SpiceNetlist, EdgeSourceSignMatchesPlnet) {
  // Chain 0 -(k0)- 1 -(k1)- 2, ends grounded, source s on edge 0 = (0, 1). Current conservation
  // at node 1 with drops v0 = x0 - x1 - s and v1 = x1 - x2: k0 (-x1 - s) = k1 x1, so
  // x1 = -k0 s / (k0 + k1) = -1 * 3 / (1 + 2) = -1 for k0 = 1, k1 = 2, s = 3.
  const auto net = network(3, {{0, 1}, {1, 2}}, {1.0, 2.0});
  BoundaryConditions bc;
  bc.hold(0, 0.0).hold(2, 0.0).edge_source(0, 3.0);
  const std::string netlist = spice_netlist(net, bc, "edge source");
  EXPECT_NE(netlist.find("\nR0 n0 e0 1\nVs0 e0 n1 DC 3\n"), std::string::npos) << netlist;
  const Both v = solve_both(net, bc);
  EXPECT_NEAR(v.spice[1], -1.0, kRoundOff);
  EXPECT_NEAR(v.plnet[1], -1.0, kRoundOff);
}

TEST(SpiceNetlist, DifferenceConstraintIsAFloatingVoltageSource) {
  // Triangle: node 0 grounded, edges (0,1) k1 = 1 and (2,0) k3 = 2, constraint x2 - x1 = 3.
  // The supernode {1, 2} exchanges no net current: -k1 x1 - k3 x2 = 0 with x2 = x1 + 3 gives
  // x1 = -3 k3 / (k1 + k3) = -2 and x2 = 1. The constraint is written scaled, 2 x2 - 2 x1 = 6,
  // to check that the exported difference is value / c.
  const auto net = network(3, {{0, 1}, {1, 2}, {2, 0}}, {1.0, 5.0, 2.0});
  BoundaryConditions bc;
  bc.hold(0, 0.0);
  bc.constraints.push_back({{2, 1}, {2.0, -2.0}, 6.0});
  const std::string netlist = spice_netlist(net, bc, "constraint");
  EXPECT_NE(netlist.find("\nVc0 n2 n1 DC 3\n"), std::string::npos) << netlist;
  const Both v = solve_both(net, bc);
  EXPECT_NEAR(v.spice[1], -2.0, kRoundOff);
  EXPECT_NEAR(v.spice[2], 1.0, kRoundOff);
  EXPECT_NEAR(v.plnet[1], -2.0, kRoundOff);
  EXPECT_NEAR(v.plnet[2], 1.0, kRoundOff);
}

TEST(SpiceNetlist, ResistancesCarryFullPrecision) {
  // 1/3 needs 17 significant digits to round-trip.
  const auto net = network(2, {{0, 1}}, {3.0});
  BoundaryConditions bc;
  bc.hold(0, 0.0);
  EXPECT_NE(spice_netlist(net, bc, "t").find("\nR0 n0 n1 0.33333333333333331\n"),
            std::string::npos);
}

TEST(SpiceNetlist, TitleIsOneLineAndControlBlockOnlyOnRequest) {
  const auto net = network(2, {{0, 1}}, {1.0});
  BoundaryConditions bc;
  bc.hold(0, 0.0);
  const std::string plain = spice_netlist(net, bc, "two\nlines");
  EXPECT_EQ(plain.rfind("two lines\n", 0), 0U) << plain;
  EXPECT_EQ(plain.find(".control"), std::string::npos);
  EXPECT_NE(plain.find("\n.op\n.end\n"), std::string::npos);
  const std::string with = spice_netlist(net, bc, "t", "out dir/v.txt");
  EXPECT_NE(with.find("print all > \"out dir/v.txt\""), std::string::npos) << with;
}

void expect_throws_with(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "expected std::invalid_argument containing: " << fragment;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(SpiceNetlist, RejectsWhatSpiceCannotExpress) {
  const auto net = network(3, {{0, 1}, {1, 2}}, {1.0, 1.0});
  BoundaryConditions bc;
  bc.hold(0, 0.0);
  bc.constraints.push_back({{0, 1, 2}, {1.0, 1.0, 1.0}, 1.0});
  expect_throws_with([&] { spice_netlist(net, bc, "t"); },
                     "spice export: only node-pair difference constraints can be exported "
                     "(constraints[0]");
  bc.constraints = {{{1, 2}, {1.0, 1.0}, 1.0}};  // a sum, not a difference
  expect_throws_with([&] { spice_netlist(net, bc, "t"); }, "(constraints[0]");
  bc.constraints.clear();
  expect_throws_with([&] { spice_netlist(net, bc, "t", "a\"b"); }, "output path");
  BoundaryConditions floating;  // no ground: validate's message comes through
  floating.inject(1, 1.0);
  expect_throws_with([&] { spice_netlist(net, floating, "t"); }, "floating component");
}

/// Random conditions: node `ground` at 0, 1-3 voltage sources, 0-3 injections, 0-2 edge
/// sources, a node-pair difference constraint one time in three.
BoundaryConditions random_conditions(const graph::Network& net, std::mt19937_64& rng) {
  const Index n = net.num_nodes();
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  std::shuffle(order.begin(), order.end(), rng);
  std::uniform_real_distribution<double> value(-10.0, 10.0);
  auto count = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  BoundaryConditions bc;
  const int sources = count(1, 3);
  for (int j = 0; j <= sources; ++j)
    bc.hold(order[static_cast<std::size_t>(j)], j ? value(rng) : 0.0);
  // Free nodes are order[sources + 1 ..]; n >= 5 leaves at least one.
  auto free_node = [&] {
    return order[static_cast<std::size_t>(count(sources + 1, static_cast<int>(n) - 1))];
  };
  for (int j = count(0, 3); j > 0; --j) bc.inject(free_node(), value(rng));
  for (int j = count(0, 2); j > 0; --j)
    bc.edge_source(std::uniform_int_distribution<Index>(0, net.num_edges() - 1)(rng), value(rng));
  if (count(0, 2) == 0) {
    const Index a = free_node();
    Index b = a;
    while (b == a) b = std::uniform_int_distribution<Index>(0, n - 1)(rng);
    bc.impose_difference(a, b, value(rng));
  }
  return bc;
}

TEST(NgspiceRandom, SixtyNetworksAgreeWithPlnet) {
  ASSERT_TRUE(testing::ngspice_available())
      << "ngspice is not on PATH; scripts/setup.sh installs it";
  std::mt19937_64 rng(4004);
  for (int trial = 0; trial < 60; ++trial) {
    const Index n = std::uniform_int_distribution<Index>(5, 60)(rng);
    const Index extra = std::uniform_int_distribution<Index>(0, 2 * n)(rng);
    // Conductances log-uniform in [1e-3, 1e3].
    const auto net = testing::random_connected_network(n, extra, 3.0, rng);
    const BoundaryConditions bc = random_conditions(net, rng);
    const Vector x = physics::solve(physics::resistor_model(net), net.conductances(), bc).x;
    const std::string netlist =
        spice_netlist(net, bc, "random " + std::to_string(trial), kNgspiceOutput);
    const std::vector<double> v = run_ngspice(netlist, n);
    double error = 0.0;
    for (Index i = 0; i < n; ++i)
      error = std::max(error, std::abs(x[i] - v[static_cast<std::size_t>(i)]));
    // Relative to the largest voltage. Both sides solve in double; ngspice's sparse LU
    // (Markowitz pivoting, no iterative refinement) loses about cond * 1e-16, and with
    // conductances spread over six decades cond reaches 1e6 and more; its 17-digit printing
    // adds 1e-17. Observed worst case here: ~1e-12. 1e-9 leaves room for worse-conditioned
    // draws while any wrong sign or value shows up as an O(1) error.
    EXPECT_LE(error, 1e-9 * x.cwiseAbs().maxCoeff())
        << "trial " << trial << ": " << n << " nodes, " << net.num_edges() << " edges\n"
        << netlist;
  }
}

}  // namespace
}  // namespace plnet::io
