// Closed-form circuits and a spring chain: every expected number is derived by hand in the
// comment next to it, independently of plnet's solver.
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "support/reference.hpp"

namespace plnet::physics {
namespace {

// Round-off of a handful of operations on O(1) numbers: a few ulps, with margin.
constexpr double kRoundOff = 1e-13;

graph::Network chain(std::vector<double> k) {
  std::vector<graph::Edge> edges;
  for (Index i = 0; i < static_cast<Index>(k.size()); ++i) edges.push_back({i, i + 1});
  return graph::Network(static_cast<Index>(k.size()) + 1, edges,
                        Eigen::Map<Vector>(k.data(), static_cast<Index>(k.size())));
}

TEST(ClosedForm, SeriesDividerAndCurrent) {
  // Two resistors in series, conductances k1 = 2, k2 = 3, V = 5 across: the current is
  // V / (1/k1 + 1/k2) = 5 / (5/6) = 6 and the middle node sits at V_mid = I / k2 = 2.
  const auto net = chain({2.0, 3.0});
  const auto model = resistor_model(net);
  BoundaryConditions bc;
  bc.hold(0, 5.0).hold(2, 0.0);
  const State st = solve(model, net.conductances(), bc);
  EXPECT_NEAR(st.x[1], 2.0, kRoundOff);
  EXPECT_NEAR(st.currents[0], 6.0, kRoundOff);
  EXPECT_NEAR(st.currents[1], 6.0, kRoundOff);
  EXPECT_NEAR(st.power, 5.0 * 6.0, kRoundOff);    // P = V I
  EXPECT_NEAR(st.reactions[0], 6.0, kRoundOff);   // the source pushes 6 in ...
  EXPECT_NEAR(st.reactions[1], -6.0, kRoundOff);  // ... and ground takes it out
}

TEST(ClosedForm, ParallelConductancesAdd) {
  // Three parallel paths of two series conductances each between nodes 0 and 4: path
  // conductances 1/(1/1+1/1) = 0.5, 1/(1/2+1/2) = 1, 1/(1/4+1/4) = 2 -> total 3.5.
  const graph::Network net(5, {{0, 1}, {1, 4}, {0, 2}, {2, 4}, {0, 3}, {3, 4}},
                           (Vector(6) << 1, 1, 2, 2, 4, 4).finished());
  BoundaryConditions bc;
  bc.hold(4, 0.0).inject(0, 7.0);
  const State st = solve(resistor_model(net), net.conductances(), bc);
  EXPECT_NEAR(st.x[0], 7.0 / 3.5, kRoundOff);
}

TEST(ClosedForm, WheatstoneBridge) {
  // Bridge A=0, B=3, C=1, D=2: R1 = A-C, R2 = A-D, R3 = C-B, R4 = D-B, R5 = C-D. Standard
  // result (star-mesh): R_eq = [R1 R2 (R3+R4) + R3 R4 (R1+R2) + R5 (R1+R3)(R2+R4)]
  //                          / [(R1+R2)(R3+R4) + R5 (R1+R2+R3+R4)].
  const double r1 = 1.0, r2 = 2.0, r3 = 3.0, r4 = 4.0, r5 = 5.0;
  const graph::Network net(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {1, 2}},
                           (Vector(5) << 1 / r1, 1 / r2, 1 / r3, 1 / r4, 1 / r5).finished());
  const double expected = (r1 * r2 * (r3 + r4) + r3 * r4 * (r1 + r2) + r5 * (r1 + r3) * (r2 + r4)) /
                          ((r1 + r2) * (r3 + r4) + r5 * (r1 + r2 + r3 + r4));
  BoundaryConditions bc;
  bc.hold(3, 0.0).inject(0, 1.0);
  const State st = solve(resistor_model(net), net.conductances(), bc);
  EXPECT_NEAR(st.x[0], expected, kRoundOff);
  // Balanced bridge (R1/R3 = R2/R4): no current through R5.
  const graph::Network balanced(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {1, 2}},
                                (Vector(5) << 1, 0.5, 0.25, 0.125, 7).finished());
  const State sb = solve(resistor_model(balanced), balanced.conductances(), bc);
  EXPECT_NEAR(sb.currents[4], 0.0, kRoundOff);
}

TEST(ClosedForm, EffectiveResistanceFromLaplacianPseudoInverse) {
  // R_ab = (e_a - e_b)^T L^+ (e_a - e_b), with L^+ from a dense complete orthogonal
  // decomposition: an independent route to the same number as "ground b, inject 1 A at a".
  std::mt19937_64 rng(7);
  const auto net = testing::random_connected_network(30, 40, 2.0, rng);
  const Matrix l = testing::dense_laplacian(net).cast<double>();
  const Matrix pinv = l.completeOrthogonalDecomposition().pseudoInverse();
  const auto model = resistor_model(net);
  for (const auto& [a, b] : {std::pair<Index, Index>{0, 29}, {3, 17}, {12, 5}}) {
    const double expected = pinv(a, a) + pinv(b, b) - 2 * pinv(a, b);
    BoundaryConditions bc;
    bc.hold(b, 0.0).inject(a, 1.0);
    const State st = solve(model, net.conductances(), bc);
    // Pseudo-inverse of a matrix with condition ~1e4..1e6 (conductances span 4 decades):
    // its own error is ~cond * eps ~ 1e-10.
    EXPECT_NEAR(st.x[a] / expected, 1.0, 1e-9) << a << "-" << b;
  }
}

TEST(ClosedForm, SpringChainInSeries) {
  // Three collinear nodes on the x axis, springs k1 = 2 and k2 = 6. Node 0 pinned; the y
  // components of nodes 1 and 2 held (a collinear chain is floppy transversally). A force
  // F = 3 along x on node 2 stretches the springs by F/k1 and F/k2: u_2x = 3/2 + 3/6 = 2.
  Matrix pos(3, 2);
  pos << 0, 0, 1, 0, 2, 0;
  const graph::Network net(3, {{0, 1}, {1, 2}}, (Vector(2) << 2, 6).finished(), pos);
  const auto model = spring_model(net);
  BoundaryConditions bc;
  hold_node(model, bc, 0);
  bc.hold(1 * 2 + 1, 0.0).hold(2 * 2 + 1, 0.0).inject(2 * 2 + 0, 3.0);
  const State st = solve(model, net.conductances(), bc);
  EXPECT_NEAR(st.x[2], 1.5, kRoundOff);
  EXPECT_NEAR(st.x[4], 2.0, kRoundOff);
  // Bond extension along u_hat = (x_a - x_b)/|.| = -x_hat for edge (0, 1): extension is
  // u_hat . (u_0 - u_1) = +1.5, and the tension k * ext = 3 equals the applied force.
  EXPECT_NEAR(st.drops[0], 1.5, kRoundOff);
  EXPECT_NEAR(st.currents[0], 3.0, kRoundOff);
  EXPECT_NEAR(st.currents[1], 3.0, kRoundOff);
}

TEST(ClosedForm, SpringTriangleIn3DIsRigidWhenPinned) {
  // A tetrahedron is rigid in 3D; pinning 3 of its 4 nodes fully leaves node 3 held by three
  // non-coplanar bonds. A force along one bond direction d of a right-angled corner
  // tetrahedron (bonds along x, y, z) stretches only that bond: u = F / k along d.
  Matrix pos(4, 3);
  pos << 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0;
  const graph::Network net(4, {{0, 3}, {1, 3}, {2, 3}, {0, 1}, {1, 2}, {0, 2}},
                           (Vector(6) << 2, 4, 8, 1, 1, 1).finished(), pos);
  const auto model = spring_model(net);
  BoundaryConditions bc;
  for (Index n = 0; n < 3; ++n) hold_node(model, bc, n);
  bc.inject(3 * 3 + 1, 2.0);  // force along y on node 3: only bond (1, 3) is along y
  const State st = solve(model, net.conductances(), bc);
  EXPECT_NEAR(st.x[3 * 3 + 0], 0.0, kRoundOff);
  EXPECT_NEAR(st.x[3 * 3 + 1], 2.0 / 4.0, kRoundOff);
  EXPECT_NEAR(st.x[3 * 3 + 2], 0.0, kRoundOff);
}

TEST(ClosedForm, NodeNetworkSolvesWX) {
  // H = W directly: the state is W^-1 F (dense LDLT as the reference), no ground needed.
  Matrix w(3, 3);
  w << 4, 1, 0.5, 1, 3, -0.2, 0.5, -0.2, 2;
  const auto model = node_model(3);
  const Vector p = node_parameters(w);
  EXPECT_EQ(p.size(), 6);
  EXPECT_TRUE(node_weight_matrix(3, p).isApprox(w));
  EXPECT_TRUE(Matrix(model.hessian(p)).isApprox(w));
  BoundaryConditions bc;
  bc.inject(0, 1.0).inject(2, -2.0);
  const Vector f = (Vector(3) << 1.0, 0.0, -2.0).finished();
  const State st = solve(model, p, bc);
  EXPECT_LT(testing::relative_error(st.x, w.ldlt().solve(f)), kRoundOff);
}

}  // namespace
}  // namespace plnet::physics
