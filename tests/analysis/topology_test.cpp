// Persistent-homology sectors: the union-find diagram against a hand-computed 1D path, against
// GUDHI, and against persistent Betti numbers counted by breadth-first search of every
// sublevel subgraph; sector properties (connected, a partition, born at their extremum); the
// edge-drop sectors against the components of the graph without high-drop edges; the overlap
// score's hypergeometric baseline against Monte Carlo.
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/analysis/topology.hpp>
#include <plnet/physics/linear_response.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace plnet::analysis {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::pair<double, double>> positive_pairs(const PersistentSectors& s) {
  std::vector<std::pair<double, double>> out;
  for (const auto& p : s.pairs)
    if (p.persistence() > 0.0) out.emplace_back(p.birth, p.death);
  std::sort(out.begin(), out.end());
  return out;
}

/// Components of the subgraph of nodes/edges with filtration value <= t (BFS).
Index components_at(const graph::Network& net, const Vector& node, const Vector& edge, double t) {
  std::vector<std::vector<Index>> adj(static_cast<std::size_t>(net.num_nodes()));
  for (Index e = 0; e < net.num_edges(); ++e)
    if (edge[e] <= t) {
      adj[static_cast<std::size_t>(net.edge(e).a)].push_back(net.edge(e).b);
      adj[static_cast<std::size_t>(net.edge(e).b)].push_back(net.edge(e).a);
    }
  std::vector<char> seen(static_cast<std::size_t>(net.num_nodes()), 0);
  Index count = 0;
  for (Index s = 0; s < net.num_nodes(); ++s) {
    if (node[s] > t || seen[static_cast<std::size_t>(s)]) continue;
    ++count;
    std::queue<Index> q;
    q.push(s);
    seen[static_cast<std::size_t>(s)] = 1;
    while (!q.empty()) {
      const Index v = q.front();
      q.pop();
      for (const Index u : adj[static_cast<std::size_t>(v)])
        if (!seen[static_cast<std::size_t>(u)]) {
          seen[static_cast<std::size_t>(u)] = 1;
          q.push(u);
        }
    }
  }
  return count;
}

TEST(AnalysisTopology, PathByHand) {
  // f = (0, 3, 1, 4, 2) on the path 0-1-2-3-4. Sublevel: minima at nodes 0, 2, 4; node 2's
  // component dies when edge 1-2 enters at 3, node 4's when edge 3-4 enters at 4.
  const graph::Network net(5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}});
  const Vector f = (Vector(5) << 0, 3, 1, 4, 2).finished();
  const PersistentSectors s = persistent_sectors(net, f, Filtration::kSublevel, 1.5);
  const std::vector<std::pair<double, double>> expected = {{0, kInf}, {1, 3}, {2, 4}};
  EXPECT_EQ(positive_pairs(s), expected);
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.sector, (std::vector<Index>{0, 0, 1, 1, 2}));
  EXPECT_EQ(s.boundary_edges, (std::vector<Index>{1, 3}));
  EXPECT_EQ(s.death_edges, (std::vector<Index>{1, 3}));
  // Above every finite persistence: one sector, no boundary.
  const PersistentSectors one = persistent_sectors(net, f, Filtration::kSublevel, 2.5);
  EXPECT_EQ(one.count, 1);
  EXPECT_TRUE(one.boundary_edges.empty());
  // Superlevel: maxima at nodes 3 (4) and 1 (3); node 1's component dies at f = 1 (edges
  // 1-2 and 2-3 both enter when node 2 does).
  const PersistentSectors up = persistent_sectors(net, f, Filtration::kSuperlevel, 0.5);
  const std::vector<std::pair<double, double>> expected_up = {{3, 1}, {4, -kInf}};
  EXPECT_EQ(positive_pairs(up), expected_up);
  EXPECT_EQ(up.count, 2);
  // GUDHI agrees.
  auto gudhi = persistence_diagram(net, f, Filtration::kSublevel);
  std::sort(gudhi.begin(), gudhi.end());
  EXPECT_EQ(gudhi, expected);
  gudhi = persistence_diagram(net, f, Filtration::kSuperlevel);
  std::sort(gudhi.begin(), gudhi.end());
  EXPECT_EQ(gudhi, expected_up);
}

TEST(AnalysisTopology, UnionFindMatchesGudhiAndBettiCounts) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    std::mt19937_64 rng(seed);
    const graph::Network net = testing::random_connected_network(40, 30, 1.0, rng);
    Vector f(40);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (Index v = 0; v < 40; ++v) f[v] = u(rng);
    for (const auto filt :
         {Filtration::kSublevel, Filtration::kSuperlevel, Filtration::kEdgeDrop}) {
      const PersistentSectors s = persistent_sectors(net, f, filt, 0.3);
      auto gudhi = persistence_diagram(net, f, filt);
      std::sort(gudhi.begin(), gudhi.end());
      // Same filtration values, no arithmetic: exact equality.
      EXPECT_EQ(positive_pairs(s), gudhi) << "seed " << seed;
      ASSERT_EQ(static_cast<Index>(s.pairs.size()), 40);  // one pair per node
      // Persistent Betti number b0(t) = #pairs with birth <= t < death, versus BFS.
      const double sign = filt == Filtration::kSuperlevel ? -1.0 : 1.0;
      Vector node = sign * f, edge(net.num_edges());
      if (filt == Filtration::kEdgeDrop) node.setZero();
      for (Index e = 0; e < net.num_edges(); ++e) {
        const Index a = net.edge(e).a, b = net.edge(e).b;
        edge[e] =
            filt == Filtration::kEdgeDrop ? std::abs(f[a] - f[b]) : std::max(node[a], node[b]);
      }
      for (double t = -1.0; t <= 2.0; t += 0.05) {
        Index alive = 0;
        for (const auto& p : s.pairs) alive += sign * p.birth <= t && t < sign * p.death;
        EXPECT_EQ(alive, components_at(net, node, edge, t)) << "t = " << t;
      }
    }
  }
}

TEST(AnalysisTopology, SectorsArePartitionsOfConnectedRegions) {
  std::mt19937_64 rng(9);
  const graph::Network net = testing::random_connected_network(60, 50, 1.0, rng);
  Vector f(60);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (Index v = 0; v < 60; ++v) f[v] = u(rng);
  const double threshold = 0.2;
  const PersistentSectors s = persistent_sectors(net, f, Filtration::kSublevel, threshold);
  Index persistent = 0;
  for (const auto& p : s.pairs) persistent += p.persistence() > threshold;
  EXPECT_EQ(s.count, persistent);
  for (Index k = 0; k < s.count; ++k) {
    // Each sector is connected (BFS inside the sector) and its minimum is its birth node.
    Vector inside(60), edge(net.num_edges());
    double min_f = kInf;
    for (Index v = 0; v < 60; ++v) {
      const bool in = s.sector[static_cast<std::size_t>(v)] == k;
      inside[v] = in ? 0.0 : 1.0;
      if (in) min_f = std::min(min_f, f[v]);
    }
    for (Index e = 0; e < net.num_edges(); ++e)
      edge[e] = std::max(inside[net.edge(e).a], inside[net.edge(e).b]);
    EXPECT_EQ(components_at(net, inside, edge, 0.5), 1) << "sector " << k;
    EXPECT_EQ(min_f, f[s.sector_birth_node[static_cast<std::size_t>(k)]]);
  }
  // Death edges are boundary edges.
  for (const Index e : s.death_edges)
    EXPECT_TRUE(std::binary_search(s.boundary_edges.begin(), s.boundary_edges.end(), e));
}

TEST(AnalysisTopology, EdgeDropSectorsOfAVoltageResponse) {
  // Two 5-node cliques joined by one weak bridge; a unit voltage across them. The voltage is
  // nearly uniform on each clique, the whole drop sits on the bridge: two sectors, the bridge
  // is the only boundary edge and the top-1 "susceptible" edge chosen by drop overlaps it.
  std::vector<graph::Edge> edges;
  for (Index c = 0; c < 2; ++c)
    for (Index i = 0; i < 5; ++i)
      for (Index j = i + 1; j < 5; ++j) edges.push_back({5 * c + i, 5 * c + j});
  edges.push_back({4, 5});
  const Index bridge = static_cast<Index>(edges.size()) - 1;
  Vector k = Vector::Ones(static_cast<Index>(edges.size()));
  k[bridge] = 1e-3;
  const graph::Network net(10, edges, k);
  physics::BoundaryConditions bc;
  bc.hold(0, 1.0).hold(9, 0.0);
  const Vector v = physics::solve(physics::resistor_model(net), k, bc).x;
  const PersistentSectors s = persistent_sectors(net, v, Filtration::kEdgeDrop, 0.1);
  EXPECT_EQ(s.count, 2);
  EXPECT_EQ(s.boundary_edges, (std::vector<Index>{bridge}));
  for (Index i = 0; i < 10; ++i)
    EXPECT_EQ(s.sector[static_cast<std::size_t>(i)], i < 5 ? s.sector[0] : s.sector[9]);
  Vector drop(net.num_edges());
  for (Index e = 0; e < net.num_edges(); ++e)
    drop[e] = std::abs(v[net.edge(e).a] - v[net.edge(e).b]);
  const EdgeSetOverlap o = boundary_overlap(s.boundary_edges, drop, 1, 100, 3);
  // 000 Fig. 6b: the most susceptible edge (||s_i||^2, susceptibility.hpp) is the boundary.
  const Vector s2 = susceptibility_norms(physics::resistor_model(net), k, bc);
  EXPECT_EQ(boundary_overlap(s.boundary_edges, s2, 1, 0).overlap, 1);
  EXPECT_EQ(o.overlap, 1);
  EXPECT_DOUBLE_EQ(o.fraction, 1.0);
  EXPECT_NEAR(o.p_value, 1.0 / static_cast<double>(net.num_edges()), 1e-15);
}

TEST(AnalysisTopology, OverlapBaselineMatchesHypergeometric) {
  const Index m = 50, top = 10;
  std::vector<Index> boundary = {1, 4, 9, 16, 25, 36, 49, 3, 7, 11, 13, 17};
  Vector scores(m);
  for (Index e = 0; e < m; ++e) scores[e] = std::sin(static_cast<double>(e) * 1.7);
  const EdgeSetOverlap o = boundary_overlap(boundary, scores, top, 20000, 5);
  const double b = static_cast<double>(boundary.size());
  const double mean = static_cast<double>(top) * b / static_cast<double>(m);
  // Hypergeometric variance n (b/m)(1 - b/m)(m - n)/(m - 1).
  const double var = static_cast<double>(top) * (b / m) * (1.0 - b / m) *
                     static_cast<double>(m - top) / static_cast<double>(m - 1);
  EXPECT_DOUBLE_EQ(o.expected, mean);
  // Monte Carlo mean within 5 standard errors of 20000 draws; sd within 3%.
  EXPECT_NEAR(o.random_mean, mean, 5.0 * std::sqrt(var / 20000.0));
  EXPECT_NEAR(o.random_sd, std::sqrt(var), 0.03 * std::sqrt(var));
  // The tail at 0 is 1; the observed tail is a probability.
  EXPECT_EQ(boundary_overlap(boundary, scores, top, 0).p_value, o.p_value);
  EXPECT_GE(o.p_value, 0.0);
  EXPECT_LE(o.p_value, 1.0);
  // Brute-force tail by direct summation of C(b, x) C(m - b, n - x) / C(m, n) in long double.
  auto choose = [](long double nn, long double kk) {
    long double r = 1;
    for (long double i = 1; i <= kk; ++i) r = r * (nn - kk + i) / i;
    return r;
  };
  long double tail = 0;
  for (Index x = o.overlap; x <= top; ++x)
    tail += choose(b, x) * choose(m - b, top - x) / choose(m, top);
  EXPECT_NEAR(o.p_value, static_cast<double>(tail), 1e-12);
}

}  // namespace
}  // namespace plnet::analysis
