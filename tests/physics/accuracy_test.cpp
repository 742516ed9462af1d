// The accuracy check of a solve: backward error on the original equations, refinement on their
// residual, the error estimate and its warning, and overflow reported as an error.
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "support/reference.hpp"

namespace plnet::physics {
namespace {

constexpr Index kHalf = 150;
constexpr double kBridge = 1e-12;

// Two random connected 150-node halves (conductances log-uniform in [0.5, 2]) joined by one
// 1e-12 edge between node kA of the first half and node kB of the second: the reduced matrix has
// an eigenvalue ~1e-14 (the first half moving as a block) against ~10, condition ~1e15.
constexpr Index kA = 75;
constexpr Index kB = kHalf + 20;
constexpr Index kSource = 3;              // in the first half
constexpr Index kGround = 2 * kHalf - 1;  // in the second half

struct TwoHalves {
  graph::Network first, second, whole;
};

TwoHalves two_halves(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto first = testing::random_connected_network(kHalf, kHalf, std::log10(2.0), rng);
  auto second = testing::random_connected_network(kHalf, kHalf, std::log10(2.0), rng);
  std::vector<graph::Edge> edges;
  std::vector<double> k;
  for (Index e = 0; e < first.num_edges(); ++e) {
    edges.push_back(first.edge(e));
    k.push_back(first.conductances()[e]);
  }
  for (Index e = 0; e < second.num_edges(); ++e) {
    edges.push_back({second.edge(e).a + kHalf, second.edge(e).b + kHalf});
    k.push_back(second.conductances()[e]);
  }
  edges.push_back({kA, kB});
  k.push_back(kBridge);
  graph::Network whole(2 * kHalf, std::move(edges),
                       Eigen::Map<Vector>(k.data(), static_cast<Index>(k.size())));
  return {std::move(first), std::move(second), std::move(whole)};
}

// The exact edge currents and source voltage when `current` flows from kSource through the
// bridge to kGround, from two independent, well-conditioned long-double solves (each half
// alone, grounded at its bridge end): the halves are in series, so the first half carries its
// own response to `current`, the bridge carries `current`, and the source sits at
// current * (R_first + 1 / kBridge + R_second). Nothing here forms the ~5e11 V potentials, whose
// double rounding would hide the error being measured.
struct Series {
  Vector currents;
  double source_voltage = 0.0;
};

Series series_solution(const TwoHalves& h, double current) {
  BoundaryConditions first_bc, second_bc;
  first_bc.hold(kA, 0.0).inject(kSource, current);
  second_bc.hold(kGround - kHalf, 0.0).inject(kB - kHalf, current);
  const Vector u = testing::dense_reference_voltages(h.first, first_bc);
  const Vector v = testing::dense_reference_voltages(h.second, second_bc);
  Series out;
  out.currents.resize(h.whole.num_edges());
  const Index m = h.first.num_edges();
  for (Index e = 0; e < m; ++e)
    out.currents[e] = h.first.conductances()[e] * (u[h.first.edge(e).a] - u[h.first.edge(e).b]);
  for (Index e = 0; e < h.second.num_edges(); ++e)
    out.currents[m + e] =
        h.second.conductances()[e] * (v[h.second.edge(e).a] - v[h.second.edge(e).b]);
  out.currents[h.whole.num_edges() - 1] = current;
  out.source_voltage = u[kSource] + v[kB - kHalf] + current / kBridge;
  return out;
}

// Kirchhoff's current law at every node: sum of currents leaving minus the injection (plus the
// source reaction at held nodes), computed in long double from the edge currents.
Vector kirchhoff_residual(const graph::Network& net, const BoundaryConditions& bc,
                          const State& st) {
  std::vector<long double> out(static_cast<std::size_t>(net.num_nodes()), 0.0L);
  for (Index e = 0; e < net.num_edges(); ++e) {
    out[static_cast<std::size_t>(net.edge(e).a)] += st.currents[e];
    out[static_cast<std::size_t>(net.edge(e).b)] -= st.currents[e];
  }
  for (const auto& i : bc.injections) out[static_cast<std::size_t>(i.dof)] -= i.amount;
  for (std::size_t k = 0; k < bc.holds.size(); ++k)
    out[static_cast<std::size_t>(bc.holds[k].dof)] -= st.reactions[static_cast<Index>(k)];
  Vector r(net.num_nodes());
  for (Index i = 0; i < r.size(); ++i) r[i] = static_cast<double>(out[static_cast<std::size_t>(i)]);
  return r;
}

// What Kirchhoff's law can hold to at node i when voltages are stored in double: each voltage is
// rounded to within half a unit in the last place of max|x| (ulp), so each drop is off by up to
// one ulp and each current by k_e ulp. Twice that sum leaves room for the last correction,
// which is itself only known to a few digits.
Vector rounding_floor(const graph::Network& net, const State& st) {
  const double scale = st.x.lpNorm<Eigen::Infinity>();
  const double ulp = std::nextafter(scale, 2 * scale) - scale;
  Vector floor = Vector::Zero(net.num_nodes());
  for (Index e = 0; e < net.num_edges(); ++e) {
    floor[net.edge(e).a] += 2.0 * net.conductances()[e] * ulp;
    floor[net.edge(e).b] += 2.0 * net.conductances()[e] * ulp;
  }
  return floor;
}

TEST(Accuracy, WeakBridgeCurrentSourceHoldsKirchhoffAndWarns) {
  for (std::uint64_t seed : {1, 2, 4}) {
    const auto h = two_halves(seed);
    const auto model = resistor_model(h.whole);
    BoundaryConditions bc;
    bc.hold(kGround, 0.0).inject(kSource, 0.5);  // 0.5 A forced across the bridge
    const State st = solve(model, h.whole.conductances(), bc);

    const Vector r = kirchhoff_residual(h.whole, bc, st);
    const Vector floor = rounding_floor(h.whole, st);
    for (Index i = 0; i < r.size(); ++i)
      ASSERT_LE(std::abs(r[i]), floor[i]) << "node " << i << " seed " << seed;
    // The whole source current returns through the ground and crosses the bridge (Kirchhoff on
    // the cut): both are exact in closed form. Their computed values involve only the bridge
    // drop (5e11 V, known to 1e-16 relative) and the second half's O(1) voltages, so 1e-9 is
    // generous.
    EXPECT_NEAR(st.reactions[0], -0.5, 0.5e-9) << "seed " << seed;
    EXPECT_NEAR(st.currents[h.whole.num_edges() - 1], 0.5, 0.5e-9) << "seed " << seed;

    // Against the series closed form: the first half's currents are only as accurate as its
    // voltages at ~5e11 allow (a few 1e-5 A), which the estimate must say.
    const double actual = testing::relative_error(st.currents, series_solution(h, 0.5).currents);
    EXPECT_GT(st.report.error_estimate, 1e-8) << "seed " << seed;
    EXPECT_GE(10.0 * st.report.error_estimate, actual) << "seed " << seed;
    EXPECT_LT(st.report.error_estimate, 1e-2) << "seed " << seed;
    EXPECT_FALSE(accuracy_warning(st).empty());
    EXPECT_EQ(accuracy_warning(st).find('\n'), std::string::npos);
  }
}

TEST(Accuracy, WeakBridgeVoltageSourceCurrentMatchesSeriesResistance) {
  const auto h = two_halves(4);
  const auto model = resistor_model(h.whole);
  // The source voltage that drives 0.5 A through the series combination
  // R_first(source, bridge end) + 1 / kBridge + R_second(bridge end, ground), ~2.5e11 V.
  const double volts = series_solution(h, 0.5).source_voltage;
  BoundaryConditions bc;
  bc.hold(kGround, 0.0).hold(kSource, volts);
  for (const bool bordered : {false, true}) {
    const State st = bordered ? solve_bordered(model, h.whole.conductances(), bc)
                              : solve(model, h.whole.conductances(), bc);
    // The ground's current involves only O(1) voltages: round-off (1e-9 generous).
    EXPECT_NEAR(st.reactions[0], -0.5, 0.5e-9) << bordered;
    EXPECT_NEAR(st.currents[h.whole.num_edges() - 1], 0.5, 0.5e-9) << bordered;
    // The source's own current sums drops between voltages near 2.5e11 V, each known to an
    // ulp (3e-5 V): only as accurate as the estimate says.
    EXPECT_LE(std::abs(st.reactions[1] - 0.5) / 0.5, 10.0 * st.report.error_estimate) << bordered;
    const Vector r = kirchhoff_residual(h.whole, bc, st);
    const Vector floor = rounding_floor(h.whole, st);
    for (Index i = 0; i < r.size(); ++i)
      ASSERT_LE(std::abs(r[i]), floor[i]) << "node " << i << " bordered " << bordered;
    EXPECT_GT(st.report.error_estimate, 1e-8) << bordered;
  }
}

TEST(Accuracy, WellConditionedNetworkGetsNoWarning) {
  std::mt19937_64 rng(7);
  const auto net = testing::random_connected_network(300, 300, std::log10(2.0), rng);
  const auto model = resistor_model(net);
  BoundaryConditions bc;
  bc.hold(0, 0.0).hold(299, 1.0).inject(150, 0.25);
  for (const bool bordered : {false, true}) {
    const State st = bordered ? solve_bordered(model, net.conductances(), bc)
                              : solve(model, net.conductances(), bc);
    // Condition ~1e3 here: a backward-stable solve is accurate to ~1e-13; the estimate must
    // say so (1e-12), and refinement brings the backward error to a few eps.
    EXPECT_LT(st.report.error_estimate, 1e-12) << bordered;
    EXPECT_GE(st.report.error_estimate, 0.0) << bordered;
    EXPECT_LT(st.report.backward_error, 1e-15) << bordered;
    EXPECT_TRUE(accuracy_warning(st).empty()) << bordered;
    EXPECT_LT(testing::relative_error(st.x, testing::dense_reference_voltages(net, bc)), 1e-12);
  }
}

TEST(Accuracy, WellConditionedSpringNetworkGetsNoWarning) {
  std::mt19937_64 rng(8);
  const auto grid = testing::jittered_triangulated_grid(8, rng);
  const auto springs = spring_model(grid);
  BoundaryConditions bc;
  hold_node(springs, bc, 0);
  hold_node(springs, bc, 7);
  bc.inject(2 * 63 + 1, -0.1);
  const State spring_state = solve(springs, grid.conductances(), bc);
  EXPECT_LT(spring_state.report.error_estimate, 1e-11);
  EXPECT_TRUE(accuracy_warning(spring_state).empty());
}

TEST(Accuracy, UncheckedSolveSkipsTheEstimate) {
  std::mt19937_64 rng(9);
  const auto net = testing::random_connected_network(40, 40, 1.0, rng);
  BoundaryConditions bc;
  bc.hold(0, 0.0).hold(39, 1.0);
  SolveOptions options;
  options.check_accuracy = false;
  const State unchecked = solve(resistor_model(net), net.conductances(), bc, options);
  const State checked = solve(resistor_model(net), net.conductances(), bc);
  EXPECT_EQ(unchecked.report.error_estimate, -1.0);
  EXPECT_TRUE(accuracy_warning(unchecked).empty());
  EXPECT_LT(testing::relative_error(unchecked.x, checked.x), 1e-13);  // condition ~1e2
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Accuracy, OverflowIsAnErrorNamingTheCause) {
  std::mt19937_64 rng(10);
  const auto net = testing::random_connected_network(20, 20, 0.0, rng);
  const auto model = resistor_model(net);
  BoundaryConditions bc;
  bc.hold(0, 1e308).hold(19, -1e308);
  for (const bool bordered : {false, true}) {
    const std::string message = error_of([&] {
      (void)(bordered ? solve_bordered(model, net.conductances(), bc)
                      : solve(model, net.conductances(), bc));
    });
    EXPECT_NE(message.find("overflows double precision"), std::string::npos) << message;
    EXPECT_NE(message.find("e+308"), std::string::npos) << message;  // names the values
  }
}

}  // namespace
}  // namespace plnet::physics
