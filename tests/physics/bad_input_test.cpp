// Bad input gets one clear std::invalid_argument naming what is wrong and the value.
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include <functional>

namespace plnet::physics {
namespace {

// Runs f and returns the exception message ("" if nothing was thrown).
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

graph::Network two_islands() {
  // Nodes 0-1-2 and 3-4: the second island has no ground.
  return graph::Network(5, {{0, 1}, {1, 2}, {3, 4}});
}

TEST(BadInput, NetworkInvariants) {
  EXPECT_NE(error_of([] {
              graph::Network(3, {{0, 3}});
            }).find("out of range (got [0, 3]"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              graph::Network(3, {{1, 1}});
            }).find("self-loop on node 1"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              graph::Network(3, {{0, 1}, {1, 0}});
            }).find("edges[1]: duplicate edge"),
            std::string::npos);
  for (double bad : {0.0, -1.0, std::numeric_limits<double>::infinity(), std::nan("")}) {
    const std::string msg = error_of([&] {
      graph::Network(2, {{0, 1}}, Vector::Constant(1, bad));
    });
    EXPECT_NE(msg.find("conductances[0]: must be finite and > 0"), std::string::npos) << msg;
  }
}

TEST(BadInput, FloatingComponentIsNamed) {
  const auto net = two_islands();
  BoundaryConditions bc;
  bc.hold(0, 1.0);
  const std::string msg = error_of([&] { solve(resistor_model(net), net.conductances(), bc); });
  EXPECT_NE(msg.find("floating component"), std::string::npos) << msg;
  EXPECT_NE(msg.find("{3, 4}"), std::string::npos) << msg;
}

TEST(BadInput, HeldAndDriven) {
  const graph::Network net(2, {{0, 1}});
  BoundaryConditions bc;
  bc.hold(0, 0.0).hold(1, 1.0).inject(1, 2.0);
  const std::string msg = error_of([&] { solve(resistor_model(net), net.conductances(), bc); });
  EXPECT_NE(msg.find("node 1 is both held"), std::string::npos) << msg;
}

TEST(BadInput, ConflictingSources) {
  const graph::Network net(3, {{0, 1}, {1, 2}});
  BoundaryConditions bc;
  bc.hold(0, 0.0).hold(2, 1.0).hold(2, 2.0);
  std::string msg = error_of([&] { solve(resistor_model(net), net.conductances(), bc); });
  EXPECT_NE(msg.find("node 2 is held twice (values 1 and 2)"), std::string::npos) << msg;
  BoundaryConditions pair;
  pair.hold(0, 0.0).hold(2, 1.0).impose_difference(0, 2, 3.0);
  msg = error_of([&] { solve(resistor_model(net), net.conductances(), pair); });
  EXPECT_NE(msg.find("involves only held dofs"), std::string::npos) << msg;
}

TEST(BadInput, FloppySpringNetworkIsReported) {
  // A square of four springs has a shear mechanism even with one node pinned.
  Matrix pos(4, 2);
  pos << 0, 0, 1, 0, 1, 1, 0, 1;
  const graph::Network net(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}}, Vector(), pos);
  const auto model = spring_model(net);
  BoundaryConditions bc;
  hold_node(model, bc, 0);
  bc.hold(1 * 2 + 1, 0.0).inject(2 * 2, 1.0);
  for (const auto& backend : solver::solver_backends()) {
    const std::string msg = error_of(
        [&] { solve(model, net.conductances(), bc, SolveOptions::with_backend(backend)); });
    EXPECT_NE(msg.find("floppy modes"), std::string::npos) << backend << ": " << msg;
  }
}

TEST(BadInput, OutOfRangeAndUnknownBackend) {
  const graph::Network net(2, {{0, 1}});
  BoundaryConditions bc;
  bc.hold(0, 0.0).inject(5, 1.0);
  EXPECT_NE(error_of([&] {
              solve(resistor_model(net), net.conductances(), bc);
            }).find("injections[0]: index out of range (got 5"),
            std::string::npos);
  BoundaryConditions ok;
  ok.hold(0, 0.0);
  const std::string msg = error_of([&] {
    solve(resistor_model(net), net.conductances(), ok, SolveOptions::with_backend("magic"));
  });
  EXPECT_NE(msg.find("unknown name (got 'magic'"), std::string::npos) << msg;
}

TEST(BadInput, EdgeSourceOnNodeNetwork) {
  BoundaryConditions bc;
  bc.edge_source(0, 1.0);
  const auto model = node_model(2);
  const std::string msg = error_of([&] { solve(model, Vector::Constant(3, 1.0), bc); });
  EXPECT_NE(msg.find("edge sources need a difference network"), std::string::npos) << msg;
}

}  // namespace
}  // namespace plnet::physics
