// Network generators: determinism, structural invariants, closed-form counts and independent
// re-computations (brute-force intersections, Prim's algorithm, convex hull counts).

#include "../../src/graph/generators_detail.hpp"

#include <plnet/graph/generators.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace plnet::graph {
namespace {

using detail::Point2;
using detail::Segment;

bool identical(const Network& a, const Network& b) {
  return a.num_nodes() == b.num_nodes() && a.edges() == b.edges() &&
         a.conductances().size() == b.conductances().size() &&
         a.conductances() == b.conductances() && a.positions().rows() == b.positions().rows() &&
         a.positions().cols() == b.positions().cols() && a.positions() == b.positions() &&
         a.box().size() == b.box().size() && a.box() == b.box();
}

bool connected(const Network& net) {
  return connected_components(net.num_nodes(), net.edges()).count == 1;
}

std::vector<Index> degrees(const Network& net) {
  std::vector<Index> deg(static_cast<std::size_t>(net.num_nodes()), 0);
  for (const auto& e : net.edges()) {
    ++deg[static_cast<std::size_t>(e.a)];
    ++deg[static_cast<std::size_t>(e.b)];
  }
  return deg;
}

double mean_degree(const Network& net) {
  return 2.0 * static_cast<double>(net.num_edges()) / static_cast<double>(net.num_nodes());
}

double edge_length(const Network& net, const Edge& e) {
  return (net.positions().row(e.a) - net.positions().row(e.b)).norm();
}

/// The what() of the std::invalid_argument thrown by f ("" when nothing is thrown).
std::string invalid_argument_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// ---- jammed packings --------------------------------------------------------------------------

TEST(GeneratorsJammed, SameSeedSameBitsOtherSeedOtherNetwork) {
  JammedOptions options;
  options.num_particles = 200;
  const Network a = jammed_packing(options);
  const Network b = jammed_packing(options);
  EXPECT_TRUE(identical(a, b));
  options.seed = 2;
  const Network c = jammed_packing(options);
  EXPECT_FALSE(identical(a, c));
}

/// Minimum-image distance between two nodes in the periodic box of side `box`.
double periodic_distance(const Network& net, const Edge& e, double box) {
  double r2 = 0.0;
  for (int d = 0; d < net.dimension(); ++d) {
    double v = net.positions()(e.a, d) - net.positions()(e.b, d);
    v -= box * std::round(v / box);
    r2 += v * v;
  }
  return std::sqrt(r2);
}

void expect_jammed_invariants(const JammedOptions& options) {
  const Network net = jammed_packing(options);
  const int d = options.dimension;
  ASSERT_EQ(net.dimension(), d);
  EXPECT_TRUE(connected(net));
  // Rattlers removed: every remaining particle is held by at least d + 1 contacts.
  const auto deg = degrees(net);
  EXPECT_GE(*std::min_element(deg.begin(), deg.end()), d + 1);
  // Above jamming the contact network is hyperstatic: Z > 2d (isostatic at phi_J).
  EXPECT_GT(mean_degree(net), 2.0 * d);
  // Rattler removal and the largest component only drop a few percent of the particles, and
  // the network records which: the kept particles' indices in the packing, in order.
  EXPECT_GT(net.num_nodes(), options.num_particles * 9 / 10);
  EXPECT_EQ(net.source_nodes().empty(), net.num_nodes() == options.num_particles);
  if (!net.source_nodes().empty()) {
    EXPECT_EQ(static_cast<Index>(net.source_nodes().size()), net.num_nodes());
    EXPECT_LT(net.source_nodes().back(), options.num_particles);
  }
  const double box = detail::jammed_box_side(options);
  EXPECT_TRUE((net.positions().array() >= 0.0).all() && (net.positions().array() < box).all());
  // The network carries its periodic box, so that bond vectors are minimum images.
  ASSERT_TRUE(net.is_periodic());
  EXPECT_EQ(net.box(), Vector::Constant(d, box));
  // Every edge is a real but small overlap: 2 <= sigma <= 2 * 1.4, and the compression is at
  // most a few percent at these packing fractions, so 1.8 < r < 2.8. bond_vector must give
  // that length for every bond, including those that cross the box.
  Index crossing = 0;
  for (Index i = 0; i < net.num_edges(); ++i) {
    const Edge& e = net.edge(i);
    const double r = periodic_distance(net, e, box);
    EXPECT_GT(r, 1.8);
    EXPECT_LT(r, 2.0 * options.radius_ratio);
    EXPECT_NEAR(bond_vector(net, i).norm(), r, 1e-12 * r);  // a few roundings of O(L) numbers
    if (edge_length(net, e) > 0.5 * box) ++crossing;
  }
  EXPECT_GT(crossing, 0);  // the packings here are small enough that some bonds wrap
}

TEST(GeneratorsJammed, TwoDimensionalPackingIsRigidAndHyperstatic) {
  JammedOptions options;  // N = 300, d = 2, phi = 0.9: the networks of paper 000, App. D
  expect_jammed_invariants(options);
}

TEST(GeneratorsJammed, ThreeDimensionalPackingIsRigidAndHyperstatic) {
  JammedOptions options;
  options.dimension = 3;
  options.packing_fraction = 0.7;
  expect_jammed_invariants(options);
}

TEST(GeneratorsJammed, BelowJammingHasNoRigidCluster) {
  JammedOptions options;
  options.num_particles = 100;
  options.packing_fraction = 0.5;
  EXPECT_THROW(jammed_packing(options), std::runtime_error);
}

TEST(GeneratorsJammed, NonConvergenceIsReported) {
  JammedOptions options;
  options.max_iterations = 10;
  try {
    jammed_packing(options);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("did not converge"), std::string::npos) << e.what();
  }
}

// ---- Erdos-Renyi ------------------------------------------------------------------------------

TEST(GeneratorsErdosRenyi, DeterministicAndConnected) {
  ErdosRenyiOptions options;
  options.num_nodes = 500;
  const Network a = erdos_renyi(options);
  EXPECT_TRUE(identical(a, erdos_renyi(options)));
  options.seed = 7;
  EXPECT_FALSE(identical(a, erdos_renyi(options)));
  EXPECT_TRUE(connected(a));
  EXPECT_TRUE((a.positions().array() >= 0.0).all() && (a.positions().array() < 1.0).all());
}

TEST(GeneratorsErdosRenyi, DroppedNodesAreRecorded) {
  // At mean degree 1.5 many nodes fall outside the largest component: the network maps its
  // nodes to the generator's. Positions are drawn before the edges, so the same seed's
  // complete graph has the same positions: node v sits where generator node source[v] does.
  ErdosRenyiOptions options;
  options.num_nodes = 200;
  options.mean_degree = 1.5;
  const Network net = erdos_renyi(options);
  ASSERT_LT(net.num_nodes(), 200);
  const auto& source = net.source_nodes();
  ASSERT_EQ(static_cast<Index>(source.size()), net.num_nodes());
  EXPECT_TRUE(std::is_sorted(source.begin(), source.end()));
  EXPECT_LT(source.back(), 200);
  options.mean_degree = 199.0;  // p = 1: the complete graph, nothing dropped
  const Network full = erdos_renyi(options);
  ASSERT_EQ(full.num_nodes(), 200);
  EXPECT_TRUE(full.source_nodes().empty());
  for (Index v = 0; v < net.num_nodes(); ++v)
    EXPECT_EQ(net.positions().row(v), full.positions().row(source[static_cast<std::size_t>(v)]));
}

TEST(GeneratorsErdosRenyi, MeanDegreeMatchesTarget) {
  ErdosRenyiOptions options;
  options.num_nodes = 4000;
  options.mean_degree = 6.0;
  const Network net = erdos_renyi(options);
  // E ~ Binomial(N(N-1)/2, p): relative sd 1/sqrt(12000) ~ 1%; the giant component holds all
  // but ~e^-6 of the nodes. 4% is about four standard deviations.
  EXPECT_NEAR(mean_degree(net), 6.0, 0.04 * 6.0);
  EXPECT_GT(net.num_nodes(), 3950);
}

TEST(GeneratorsErdosRenyi, ExtremeProbabilities) {
  ErdosRenyiOptions options;
  options.num_nodes = 30;
  options.mean_degree = 29.0;  // p = 1: the complete graph
  EXPECT_EQ(erdos_renyi(options).num_edges(), 30 * 29 / 2);
  options.mean_degree = 0.0;  // p = 0: isolated nodes, the largest component is one node
  const Network empty = erdos_renyi(options);
  EXPECT_EQ(empty.num_nodes(), 1);
  EXPECT_EQ(empty.num_edges(), 0);
}

// ---- lattices and the complete graph ----------------------------------------------------------

/// Number of node pairs at distance 1 (brute force), to check that no bond is missing.
Index unit_distance_pairs(const Network& net) {
  Index count = 0;
  for (Index i = 0; i < net.num_nodes(); ++i)
    for (Index j = i + 1; j < net.num_nodes(); ++j)
      if (std::abs((net.positions().row(i) - net.positions().row(j)).norm() - 1.0) < 1e-12) ++count;
  return count;
}

TEST(GeneratorsLattice, SquareCountsAndGeometry) {
  const std::vector<std::pair<Index, Index>> shapes = {{1, 1}, {1, 6}, {4, 1}, {3, 5}, {7, 7}};
  for (const auto& [r, c] : shapes) {
    LatticeOptions options;
    options.rows = r;
    options.cols = c;
    const Network net = lattice(options);
    EXPECT_EQ(net.num_nodes(), r * c);
    EXPECT_EQ(net.num_edges(), r * (c - 1) + c * (r - 1)) << r << " x " << c;
    EXPECT_EQ(unit_distance_pairs(net), net.num_edges());
    for (const auto& e : net.edges()) EXPECT_NEAR(edge_length(net, e), 1.0, 1e-12);
    EXPECT_TRUE(connected(net));
  }
}

TEST(GeneratorsLattice, TriangularCountsAndGeometry) {
  const std::vector<std::pair<Index, Index>> shapes = {{1, 5}, {5, 1}, {2, 2}, {4, 6}, {7, 5}};
  for (const auto& [r, c] : shapes) {
    LatticeOptions options;
    options.kind = LatticeOptions::Kind::kTriangular;
    options.rows = r;
    options.cols = c;
    const Network net = lattice(options);
    // Horizontal r(c-1) + vertical c(r-1) + one diagonal per square cell (r-1)(c-1).
    EXPECT_EQ(net.num_edges(), r * (c - 1) + c * (r - 1) + (r - 1) * (c - 1)) << r << " x " << c;
    // Unit bonds (1e-12: sqrt(3)/2 and 1/2 are rounded once) and no unit pair left unbonded.
    for (const auto& e : net.edges()) EXPECT_NEAR(edge_length(net, e), 1.0, 1e-12);
    EXPECT_EQ(unit_distance_pairs(net), net.num_edges());
    EXPECT_TRUE(connected(net));
  }
  LatticeOptions options;
  options.kind = LatticeOptions::Kind::kTriangular;
  options.rows = options.cols = 6;
  const Network net = lattice(options);
  const auto deg = degrees(net);
  EXPECT_EQ(*std::max_element(deg.begin(), deg.end()), 6);
  EXPECT_EQ(deg[static_cast<std::size_t>(2 * 6 + 2)], 6);  // an interior node
}

TEST(GeneratorsComplete, EveryPairOnce) {
  for (Index n : {1, 2, 5, 17}) {
    const Network net = fully_connected(n);
    EXPECT_EQ(net.num_edges(), n * (n - 1) / 2);
    std::set<std::pair<Index, Index>> pairs;
    for (const auto& e : net.edges()) pairs.insert({std::min(e.a, e.b), std::max(e.a, e.b)});
    EXPECT_EQ(static_cast<Index>(pairs.size()), n * (n - 1) / 2);
    for (Index i = 0; i < n; ++i) EXPECT_NEAR(net.positions().row(i).norm(), 1.0, 1e-15);
  }
}

// ---- planar -----------------------------------------------------------------------------------

/// Number of convex hull vertices (Andrew's monotone chain), collinear points excluded.
Index hull_size(const Matrix& p) {
  std::vector<Point2> pts;
  for (Index i = 0; i < p.rows(); ++i) pts.push_back({p(i, 0), p(i, 1)});
  std::sort(pts.begin(), pts.end());
  auto cross = [](const Point2& o, const Point2& a, const Point2& b) {
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  };
  std::vector<Point2> hull(2 * pts.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    while (k >= 2 && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) --k;
    hull[k++] = pts[i];
  }
  for (std::size_t i = pts.size() - 1, t = k + 1; i-- > 0;) {
    while (k >= t && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) --k;
    hull[k++] = pts[i];
  }
  return static_cast<Index>(k - 1);
}

Segment edge_segment(const Network& net, const Edge& e) {
  const auto& p = net.positions();
  return {{p(e.a, 0), p(e.a, 1)}, {p(e.b, 0), p(e.b, 1)}};
}

TEST(GeneratorsPlanar, FullTriangulationHasClosedFormEdgeCount) {
  PlanarOptions options;
  options.num_nodes = 500;
  options.remove_fraction = 0.0;
  const Network net = random_planar(options);
  ASSERT_EQ(net.num_nodes(), 500);
  // A triangulation of N points in general position with h on the hull has 3N - 3 - h edges.
  EXPECT_EQ(net.num_edges(), 3 * 500 - 3 - hull_size(net.positions()));
}

TEST(GeneratorsPlanar, ThinnedNetworkIsPlanarConnectedAndDeterministic) {
  PlanarOptions options;
  options.num_nodes = 200;
  const Network net = random_planar(options);
  EXPECT_TRUE(identical(net, random_planar(options)));
  EXPECT_TRUE(connected(net));
  EXPECT_LE(net.num_edges(), 3 * net.num_nodes() - 6);  // Euler
  const auto deg = degrees(net);
  EXPECT_GE(*std::min_element(deg.begin(), deg.end()), 2);
  // Planar embedding: no two edges without a common node meet (brute force, O(E^2)).
  for (Index i = 0; i < net.num_edges(); ++i) {
    for (Index j = i + 1; j < net.num_edges(); ++j) {
      const Edge &e = net.edge(i), &f = net.edge(j);
      if (e.a == f.a || e.a == f.b || e.b == f.a || e.b == f.b) continue;
      EXPECT_FALSE(detail::segments_intersect(edge_segment(net, e), edge_segment(net, f)))
          << "edges " << i << " and " << j << " cross";
    }
  }
  options.seed = 2;
  EXPECT_FALSE(identical(net, random_planar(options)));
}

TEST(GeneratorsPlanar, RemovesTheRequestedFraction) {
  PlanarOptions options;
  options.num_nodes = 1000;
  options.remove_fraction = 0.0;
  const Network full = random_planar(options);
  options.remove_fraction = 0.25;
  const Network thinned = random_planar(options);
  // Same seed, same points; at 25% the degree rule never runs out of removable edges.
  ASSERT_EQ(thinned.num_nodes(), full.num_nodes());
  EXPECT_EQ(thinned.positions(), full.positions());
  const auto target = static_cast<Index>(0.25 * static_cast<double>(full.num_edges()));
  EXPECT_EQ(thinned.num_edges(), full.num_edges() - target);
}

// ---- nanowires --------------------------------------------------------------------------------

TEST(GeneratorsNanowires, SegmentIntersectionPredicate) {
  using detail::segments_intersect;
  const Segment diagonal{{0.0, 0.0}, {1.0, 1.0}};
  EXPECT_TRUE(segments_intersect(diagonal, {{0.0, 1.0}, {1.0, 0.0}}));     // an X
  EXPECT_FALSE(segments_intersect(diagonal, {{0.0, 0.5}, {0.5, 1.0}}));    // parallel
  EXPECT_FALSE(segments_intersect(diagonal, {{0.6, 0.0}, {1.0, 0.3}}));    // below, no contact
  EXPECT_FALSE(segments_intersect(diagonal, {{0.0, 1.0}, {0.49, 0.51}}));  // stops just short
  EXPECT_TRUE(segments_intersect(diagonal, {{0.0, 1.0}, {0.5, 0.5}}));     // T: end on segment
  EXPECT_TRUE(segments_intersect(diagonal, {{1.0, 1.0}, {2.0, 0.0}}));     // shared end
  EXPECT_TRUE(segments_intersect(diagonal, {{0.5, 0.5}, {2.0, 2.0}}));     // collinear overlap
  EXPECT_FALSE(segments_intersect(diagonal, {{1.5, 1.5}, {2.0, 2.0}}));    // collinear, apart
  // Symmetric in its arguments.
  EXPECT_TRUE(segments_intersect({{0.0, 1.0}, {1.0, 0.0}}, diagonal));
}

std::vector<Edge> brute_force_pairs(const std::vector<Segment>& sticks) {
  std::vector<Edge> pairs;
  for (std::size_t i = 0; i < sticks.size(); ++i)
    for (std::size_t j = i + 1; j < sticks.size(); ++j)
      if (detail::segments_intersect(sticks[i], sticks[j]))
        pairs.push_back({static_cast<Index>(i), static_cast<Index>(j)});
  return pairs;
}

TEST(GeneratorsNanowires, GridSearchFindsExactlyTheBruteForcePairs) {
  // Typical, a single grid cell (sticks longer than the square) and a capped grid (tiny sticks).
  for (const double length : {0.1, 0.03, 1.5, 1e-4}) {
    const auto sticks = detail::deposit_sticks(400, length, 3).segments;
    const auto pairs = detail::crossing_pairs(sticks, length);
    EXPECT_EQ(pairs, brute_force_pairs(sticks)) << "stick length " << length;
  }
  EXPECT_FALSE(detail::crossing_pairs(detail::deposit_sticks(400, 0.1, 3).segments, 0.1).empty());
}

TEST(GeneratorsNanowires, LargestJunctionClusterWithCentres) {
  NanowireOptions options;
  options.num_wires = 300;
  options.stick_length = 0.15;
  const Network net = random_nanowires(options);
  EXPECT_TRUE(identical(net, random_nanowires(options)));
  EXPECT_TRUE(connected(net));
  EXPECT_GT(net.num_nodes(), 1);
  EXPECT_TRUE((net.positions().array() >= 0.0).all() && (net.positions().array() < 1.0).all());
  // Every edge joins two sticks whose centres are within one stick length.
  for (const auto& e : net.edges()) EXPECT_LE(edge_length(net, e), options.stick_length + 1e-12);
  options.seed = 2;
  EXPECT_FALSE(identical(net, random_nanowires(options)));
}

// ---- spanning trees and input/output edges ----------------------------------------------------

/// A planar network with seeded conductances in [0.5, 2).
Network weighted_planar(Index n, std::uint64_t seed) {
  PlanarOptions options;
  options.num_nodes = n;
  options.seed = seed;
  const Network net = random_planar(options);
  detail::Rng rng(seed + 100);
  Vector k(net.num_edges());
  for (Index e = 0; e < net.num_edges(); ++e) k[e] = 0.5 + 1.5 * detail::uniform(rng);
  return net.with_conductances(k);
}

double tree_weight(const Network& net, const std::vector<Index>& tree) {
  double w = 0.0;
  for (Index e : tree) w += 1.0 / net.conductances()[e];
  return w;
}

/// Minimum spanning tree weight by Prim's algorithm (O(N^2), dense), independent of Kruskal.
double prim_weight(const Network& net) {
  const auto n = static_cast<std::size_t>(net.num_nodes());
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> w(n, std::vector<double>(n, inf));
  for (Index e = 0; e < net.num_edges(); ++e) {
    const auto a = static_cast<std::size_t>(net.edge(e).a),
               b = static_cast<std::size_t>(net.edge(e).b);
    w[a][b] = w[b][a] = 1.0 / net.conductances()[e];
  }
  std::vector<double> best(n, inf);
  std::vector<char> in_tree(n, 0);
  best[0] = 0.0;
  double total = 0.0;
  for (std::size_t step = 0; step < n; ++step) {
    std::size_t u = n;
    for (std::size_t i = 0; i < n; ++i)
      if (!in_tree[i] && (u == n || best[i] < best[u])) u = i;
    in_tree[u] = 1;
    total += best[u];
    for (std::size_t i = 0; i < n; ++i)
      if (!in_tree[i]) best[i] = std::min(best[i], w[u][i]);
  }
  return total;
}

/// True when the edges form a forest (adding each joins two different components).
bool acyclic(Index num_nodes, const std::vector<Edge>& edges) {
  std::vector<Index> parent(static_cast<std::size_t>(num_nodes));
  std::iota(parent.begin(), parent.end(), Index{0});
  auto find = [&](Index x) {
    while (parent[static_cast<std::size_t>(x)] != x) x = parent[static_cast<std::size_t>(x)];
    return x;
  };
  for (const auto& e : edges) {
    const Index a = find(e.a), b = find(e.b);
    if (a == b) return false;
    parent[static_cast<std::size_t>(a)] = b;
  }
  return true;
}

TEST(GeneratorsSpanningTree, KruskalIsASpanningTreeOfPrimsWeight) {
  const Network net = weighted_planar(150, 5);
  const std::vector<Index> tree = minimum_spanning_tree(net);
  ASSERT_EQ(static_cast<Index>(tree.size()), net.num_nodes() - 1);
  std::vector<Edge> tree_edges;
  for (Index e : tree) tree_edges.push_back(net.edge(e));
  EXPECT_TRUE(acyclic(net.num_nodes(), tree_edges));
  EXPECT_EQ(connected_components(net.num_nodes(), tree_edges).count, 1);
  // Same optimum by a different algorithm; sums of ~150 terms in another order: 1e-12.
  const double weight = tree_weight(net, tree);
  EXPECT_NEAR(weight, prim_weight(net), 1e-12 * weight);
  // No lighter than optimal: random spanning trees (Kruskal on shuffled edges) weigh more.
  detail::Rng rng(11);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<Index> order(static_cast<std::size_t>(net.num_edges()));
    std::iota(order.begin(), order.end(), Index{0});
    detail::shuffle(order, rng);
    std::vector<Edge> chosen;
    std::vector<Index> random_tree;
    for (Index e : order) {
      chosen.push_back(net.edge(e));
      if (acyclic(net.num_nodes(), chosen))
        random_tree.push_back(e);
      else
        chosen.pop_back();
    }
    ASSERT_EQ(static_cast<Index>(random_tree.size()), net.num_nodes() - 1);
    EXPECT_LE(weight, tree_weight(net, random_tree));
  }
}

TEST(GeneratorsSpanningTree, TiesByIndexAndForests) {
  // Triangle with equal weights: ties go to the lower edge indices.
  const Network triangle(3, {{0, 1}, {1, 2}, {2, 0}});
  EXPECT_EQ(minimum_spanning_tree(triangle), (std::vector<Index>{0, 1}));
  // The heavy edge (small conductance) is the one left out.
  Vector k(3);
  k << 1.0, 0.1, 1.0;
  EXPECT_EQ(minimum_spanning_tree(triangle.with_conductances(k)), (std::vector<Index>{0, 2}));
  // Two separate triangles: a spanning forest with N - 2 edges.
  const Network two(6, {{0, 1}, {1, 2}, {2, 0}, {3, 4}, {4, 5}, {5, 3}});
  EXPECT_EQ(minimum_spanning_tree(two).size(), 4U);
}

TEST(GeneratorsIoEdges, DrawsDistinctEdgesFromTheTreeComplement) {
  const Network net = weighted_planar(120, 9);
  const EdgeChoice choice = choose_io_edges(net, 3, 2, 42);
  ASSERT_EQ(choice.inputs.size(), 3U);
  ASSERT_EQ(choice.outputs.size(), 2U);
  std::vector<Index> all = choice.inputs;
  all.insert(all.end(), choice.outputs.begin(), choice.outputs.end());
  std::set<Index> distinct(all.begin(), all.end());
  EXPECT_EQ(distinct.size(), all.size());
  const std::vector<Index> tree = minimum_spanning_tree(net);
  std::vector<Edge> complement;
  for (Index e = 0; e < net.num_edges(); ++e)
    if (!std::binary_search(tree.begin(), tree.end(), e)) complement.push_back(net.edge(e));
  const Components comps = connected_components(net.num_nodes(), complement);
  for (Index e : all) {
    ASSERT_GE(e, 0);
    ASSERT_LT(e, net.num_edges());
    EXPECT_FALSE(std::binary_search(tree.begin(), tree.end(), e));
    // All in one component of the complement (the largest one).
    EXPECT_EQ(comps.label[static_cast<std::size_t>(net.edge(e).a)],
              comps.label[static_cast<std::size_t>(net.edge(all[0]).a)]);
  }
  const EdgeChoice again = choose_io_edges(net, 3, 2, 42);
  EXPECT_EQ(again.inputs, choice.inputs);
  EXPECT_EQ(again.outputs, choice.outputs);
  const EdgeChoice other = choose_io_edges(net, 3, 2, 43);
  EXPECT_NE(other.inputs, choice.inputs);
}

TEST(GeneratorsIoEdges, TooFewCycleEdgesIsAnError) {
  LatticeOptions path;
  path.rows = 1;
  path.cols = 6;  // a tree: the complement of its spanning tree is empty
  EXPECT_NE(invalid_argument_message([&] {
              choose_io_edges(lattice(path), 1, 1, 1);
            }).find("choose_io_edges"),
            std::string::npos);
  LatticeOptions grid;
  grid.rows = grid.cols = 3;
  // 12 edges; Kruskal with index tie-breaks keeps 8 and leaves {3-4, 4-5} and {6-7, 7-8}: two
  // complement components of 3 nodes each, of which the one holding node 3 is drawn from.
  EXPECT_NO_THROW(choose_io_edges(lattice(grid), 1, 1, 1));
  const std::string message =
      invalid_argument_message([&] { choose_io_edges(lattice(grid), 2, 1, 1); });
  EXPECT_NE(message.find("got 2, need num_inputs + num_outputs = 3"), std::string::npos) << message;
}

// ---- validation -------------------------------------------------------------------------------

struct BadOption {
  std::function<void()> run;
  std::string field;  ///< "<Options>.<field>"
  std::string got;    ///< "got <value>"
};

TEST(GeneratorsValidate, DefaultsAreValid) {
  EXPECT_NO_THROW(JammedOptions().validate());
  EXPECT_NO_THROW(ErdosRenyiOptions().validate());
  EXPECT_NO_THROW(LatticeOptions().validate());
  EXPECT_NO_THROW(PlanarOptions().validate());
  EXPECT_NO_THROW(NanowireOptions().validate());
}

TEST(GeneratorsValidate, MessagesNameFieldAndValue) {
  const auto jammed = [](auto edit) {
    return [edit] {
      JammedOptions o;
      edit(o);
      jammed_packing(o);
    };
  };
  const auto er = [](auto edit) {
    return [edit] {
      ErdosRenyiOptions o;
      edit(o);
      erdos_renyi(o);
    };
  };
  const auto lat = [](auto edit) {
    return [edit] {
      LatticeOptions o;
      edit(o);
      lattice(o);
    };
  };
  const auto planar = [](auto edit) {
    return [edit] {
      PlanarOptions o;
      edit(o);
      random_planar(o);
    };
  };
  const auto wires = [](auto edit) {
    return [edit] {
      NanowireOptions o;
      edit(o);
      random_nanowires(o);
    };
  };
  const std::vector<BadOption> cases = {
      {jammed([](auto& o) { o.dimension = 4; }), "JammedOptions.dimension", "got 4"},
      {jammed([](auto& o) { o.num_particles = 1; }), "JammedOptions.num_particles", "got 1"},
      {jammed([](auto& o) { o.num_particles = 4; }), "JammedOptions.num_particles", "got 4"},
      {jammed([](auto& o) { o.packing_fraction = 1.5; }), "JammedOptions.packing_fraction",
       "got 1.5"},
      {jammed([](auto& o) { o.radius_ratio = 0.5; }), "JammedOptions.radius_ratio", "got 0.5"},
      {jammed([](auto& o) { o.energy_tolerance = 0.0; }), "JammedOptions.energy_tolerance",
       "got 0"},
      {jammed([](auto& o) { o.max_iterations = 0; }), "JammedOptions.max_iterations", "got 0"},
      {er([](auto& o) { o.num_nodes = 1; }), "ErdosRenyiOptions.num_nodes", "got 1"},
      {er([](auto& o) { o.mean_degree = -1.0; }), "ErdosRenyiOptions.mean_degree", "got -1"},
      {er([](auto& o) { o.mean_degree = 40.0; }), "ErdosRenyiOptions.mean_degree", "got 40"},
      {lat([](auto& o) { o.rows = 0; }), "LatticeOptions.rows", "got 0"},
      {lat([](auto& o) { o.cols = -3; }), "LatticeOptions.cols", "got -3"},
      {lat([](auto& o) { o.kind = static_cast<LatticeOptions::Kind>(7); }), "LatticeOptions.kind",
       "got 7"},
      {planar([](auto& o) { o.num_nodes = 2; }), "PlanarOptions.num_nodes", "got 2"},
      {planar([](auto& o) { o.remove_fraction = 1.0; }), "PlanarOptions.remove_fraction", "got 1"},
      {wires([](auto& o) { o.num_wires = 0; }), "NanowireOptions.num_wires", "got 0"},
      {wires([](auto& o) { o.stick_length = -0.1; }), "NanowireOptions.stick_length", "got -0.1"},
      {[] { fully_connected(0); }, "fully_connected: num_nodes", "got 0"},
  };
  for (const auto& c : cases) {
    const std::string message = invalid_argument_message(c.run);
    EXPECT_EQ(message.rfind(c.field + ": ", 0), 0U) << "message: " << message;
    EXPECT_NE(message.find(c.got), std::string::npos) << "message: " << message;
  }
}

}  // namespace
}  // namespace plnet::graph
