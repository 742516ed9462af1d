// Rank of the realisable input-output map of edge-source circuits (004 Prop. IV.1): a closed
// form on a ring (one cycle), zero on a tree, and the map itself against nodal solves with
// edge sources (no cycle space involved), with the bounds checked on random circuits.
#include <plnet/analysis/circuits.hpp>
#include <plnet/core/random.hpp>
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

#include <numeric>

namespace plnet::analysis {
namespace {

TEST(AnalysisCircuits, RingHasRankOneClosedForm) {
  // Ring 0-1-2-3-4-0, all edges oriented around the ring: one cycle, A = (1, 1, 1, 1, 1) up
  // to sign, A R A^T = sum r, Omega_ij = r_i / sum r, so W_oj = -r_o / sum r.
  const graph::Network net(5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 0}});
  const Vector k = (Vector(5) << 1.0, 2.0, 0.5, 4.0, 0.25).finished();
  const double sum_r = k.cwiseInverse().sum();
  const RealisableMap r = realisable_map(net, k, {0, 2}, {1, 3, 4});
  ASSERT_EQ(r.map.rows(), 3);
  ASSERT_EQ(r.map.cols(), 2);
  const std::vector<Index> outs = {1, 3, 4};
  for (Index o = 0; o < 3; ++o)
    for (Index j = 0; j < 2; ++j)
      EXPECT_NEAR(r.map(o, j), -1.0 / k[outs[static_cast<std::size_t>(o)]] / sum_r, 1e-14);
  EXPECT_EQ(r.cycles, 1);
  EXPECT_EQ(r.rank, 1);
  EXPECT_EQ(r.bound, 1);
  EXPECT_EQ(r.input_cycle_rank, 1);
}

TEST(AnalysisCircuits, TreeRealisesNothing) {
  const graph::Network net(4, {{0, 1}, {1, 2}, {1, 3}});
  const RealisableMap r = realisable_map(net, Vector::Ones(3), {0}, {1, 2});
  EXPECT_EQ(r.cycles, 0);
  EXPECT_EQ(r.rank, 0);
  EXPECT_EQ(r.bound, 0);
  EXPECT_EQ(r.map.norm(), 0.0);
}

TEST(AnalysisCircuits, MapMatchesNodalSolvesAndRespectsBounds) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    std::mt19937_64 rng(seed);
    // Few extra edges: C small, so the cycle bottleneck binds for some draws.
    const Index extra = static_cast<Index>(seed % 4) + 1;
    const graph::Network net = testing::random_connected_network(12, extra, 1.0, rng);
    const physics::LinearModel model = physics::resistor_model(net);
    const Vector k = net.conductances();
    const Index m = net.num_edges();
    std::vector<Index> all(static_cast<std::size_t>(m));
    std::iota(all.begin(), all.end(), Index{0});
    random::Engine engine(seed);
    random::shuffle(all, engine);
    const std::vector<Index> in(all.begin(), all.begin() + 4);
    const std::vector<Index> out(all.begin() + 4, all.begin() + 9);
    const RealisableMap r = realisable_map(net, k, in, out);
    // Nodal solve per input: unit series source on edge j, node 0 grounded; the resistor drop
    // of edge e is b_e . x - s_e (boundary_conditions.hpp).
    Matrix w(5, 4);
    for (Index j = 0; j < 4; ++j) {
      physics::BoundaryConditions bc;
      bc.hold(0, 0.0).edge_source(in[static_cast<std::size_t>(j)], 1.0);
      const Vector x = physics::solve(model, k, bc).x;
      for (Index o = 0; o < 5; ++o) {
        const Index e = out[static_cast<std::size_t>(o)];
        w(o, j) = x[net.edge(e).a] - x[net.edge(e).b];
      }
    }
    // Dense C x C solve vs sparse nodal factorisation: round-off, conductances span 1e2.
    EXPECT_LT((r.map - w).norm(), 1e-10 * std::max(1.0, w.norm())) << "seed " << seed;
    EXPECT_EQ(r.cycles, m - 12 + 1);
    EXPECT_LE(r.rank, r.bound);
    EXPECT_LE(r.rank, std::min(r.input_cycle_rank, r.output_cycle_rank));
    EXPECT_EQ(r.bound, std::min<Index>({4, 5, r.cycles}));
  }
}

TEST(AnalysisCircuits, RankDoesNotDependOnEdgeOrientation) {
  // Flipping an edge flips the sign of its source and of its drop: rows and columns of W_R
  // change sign, the singular values and the rank do not.
  std::mt19937_64 rng(23);
  const graph::Network net = testing::random_connected_network(10, 6, 1.0, rng);
  std::vector<graph::Edge> flipped = net.edges();
  for (std::size_t e = 0; e < flipped.size(); e += 2) std::swap(flipped[e].a, flipped[e].b);
  const graph::Network other(net.num_nodes(), flipped, net.conductances());
  const std::vector<Index> in = {0, 1, 5}, out = {2, 3, 7, 8};
  const RealisableMap a = realisable_map(net, net.conductances(), in, out);
  const RealisableMap b = realisable_map(other, net.conductances(), in, out);
  EXPECT_EQ(a.rank, b.rank);
  EXPECT_LT((a.singular_values - b.singular_values).norm(), 1e-12 * a.singular_values.norm());
  EXPECT_LT((a.map.cwiseAbs() - b.map.cwiseAbs()).norm(), 1e-12 * a.map.norm());
}

}  // namespace
}  // namespace plnet::analysis
