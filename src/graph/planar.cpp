// Random planar networks: Delaunay triangulation of uniform points (CGAL), thinned at random.
// CGAL headers are included here only.

#include "generators_detail.hpp"

#include <plnet/graph/generators.hpp>

#include <CGAL/Delaunay_triangulation_2.h>
#include <CGAL/Exact_predicates_inexact_constructions_kernel.h>
#include <CGAL/Triangulation_vertex_base_with_info_2.h>

#include <algorithm>
#include <utility>

namespace plnet::graph {

namespace {

using Kernel = CGAL::Exact_predicates_inexact_constructions_kernel;
using VertexBase = CGAL::Triangulation_vertex_base_with_info_2<Index, Kernel>;
using FaceBase = CGAL::Triangulation_face_base_2<Kernel>;
using Delaunay =
    CGAL::Delaunay_triangulation_2<Kernel,
                                   CGAL::Triangulation_data_structure_2<VertexBase, FaceBase>>;

/// Delaunay edges of the points (rows of `positions`), as (a < b) sorted lexicographically so
/// that the result does not depend on CGAL's internal traversal order.
std::vector<Edge> delaunay_edges(const Matrix& positions) {
  std::vector<std::pair<Kernel::Point_2, Index>> points;
  points.reserve(static_cast<std::size_t>(positions.rows()));
  for (Index i = 0; i < positions.rows(); ++i)
    points.emplace_back(Kernel::Point_2(positions(i, 0), positions(i, 1)), i);
  // The range insert spatially sorts the points first (fast bulk insertion) and attaches each
  // index to its vertex.
  const Delaunay triangulation(points.begin(), points.end());
  std::vector<Edge> edges;
  edges.reserve(triangulation.number_of_vertices() * 3);
  for (auto it = triangulation.finite_edges_begin(); it != triangulation.finite_edges_end(); ++it) {
    const auto& [face, i] = *it;
    const Index a = face->vertex(Delaunay::cw(i))->info();
    const Index b = face->vertex(Delaunay::ccw(i))->info();
    edges.push_back({std::min(a, b), std::max(a, b)});
  }
  std::sort(edges.begin(), edges.end(),
            [](const Edge& p, const Edge& q) { return p.a != q.a ? p.a < q.a : p.b < q.b; });
  return edges;
}

}  // namespace

Network random_planar(const PlanarOptions& options) {
  options.validate();
  const Index n = options.num_nodes;
  detail::Rng rng(options.seed);
  const Matrix positions = detail::uniform_points(rng, n);
  std::vector<Edge> edges = delaunay_edges(positions);

  // Thinning. An exact "would this disconnect?" test per edge is too slow at N ~ 1e6, so only
  // the cheap local rule is enforced (both ends keep degree >= 2, which already rules out
  // cutting off a single node); connectivity is checked once at the end and, in the rare case
  // it was lost, the largest component is kept.
  std::vector<Index> degree(static_cast<std::size_t>(n), 0);
  for (const auto& e : edges) {
    ++degree[static_cast<std::size_t>(e.a)];
    ++degree[static_cast<std::size_t>(e.b)];
  }
  const auto target =
      static_cast<std::size_t>(options.remove_fraction * static_cast<double>(edges.size()));
  std::vector<std::size_t> order(edges.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  detail::shuffle(order, rng);
  std::vector<char> removed(edges.size(), 0);
  std::size_t num_removed = 0;
  for (std::size_t k = 0; k < order.size() && num_removed < target; ++k) {
    const Edge& e = edges[order[k]];
    auto& da = degree[static_cast<std::size_t>(e.a)];
    auto& db = degree[static_cast<std::size_t>(e.b)];
    if (da <= 2 || db <= 2) continue;
    --da;
    --db;
    removed[order[k]] = 1;
    ++num_removed;
  }
  std::vector<Edge> kept;
  kept.reserve(edges.size() - num_removed);
  for (std::size_t i = 0; i < edges.size(); ++i)
    if (!removed[i]) kept.push_back(edges[i]);

  Network net(n, std::move(kept), Vector(), std::move(positions));
  if (connected_components(net.num_nodes(), net.edges()).count == 1) return net;
  return largest_component(net);
}

}  // namespace plnet::graph
