#include <plnet/core/error.hpp>
#include <plnet/physics/cycle_space.hpp>

#include <Eigen/Dense>

#include <deque>

namespace plnet::physics {
namespace {

struct Forest {
  std::vector<Index> parent;       // -1 at a root
  std::vector<Index> parent_edge;  // edge to the parent, -1 at a root
  std::vector<Index> depth;
  std::vector<bool> in_tree;  // per edge
  std::vector<Index> tree_edges;
};

Forest breadth_first_forest(const graph::Network& net) {
  const auto n = static_cast<std::size_t>(net.num_nodes());
  std::vector<std::vector<std::pair<Index, Index>>> incident(n);  // (neighbour, edge)
  for (Index e = 0; e < net.num_edges(); ++e) {
    incident[static_cast<std::size_t>(net.edge(e).a)].push_back({net.edge(e).b, e});
    incident[static_cast<std::size_t>(net.edge(e).b)].push_back({net.edge(e).a, e});
  }
  Forest f;
  f.parent.assign(n, -1);
  f.parent_edge.assign(n, -1);
  f.depth.assign(n, -1);
  f.in_tree.assign(static_cast<std::size_t>(net.num_edges()), false);
  for (std::size_t root = 0; root < n; ++root) {
    if (f.depth[root] >= 0) continue;
    f.depth[root] = 0;
    std::deque<Index> queue{static_cast<Index>(root)};
    while (!queue.empty()) {
      const Index u = queue.front();
      queue.pop_front();
      for (const auto& [v, e] : incident[static_cast<std::size_t>(u)]) {
        if (f.depth[static_cast<std::size_t>(v)] >= 0) continue;
        f.depth[static_cast<std::size_t>(v)] = f.depth[static_cast<std::size_t>(u)] + 1;
        f.parent[static_cast<std::size_t>(v)] = u;
        f.parent_edge[static_cast<std::size_t>(v)] = e;
        f.in_tree[static_cast<std::size_t>(e)] = true;
        f.tree_edges.push_back(e);
        queue.push_back(v);
      }
    }
  }
  return f;
}

}  // namespace

std::vector<Index> spanning_forest_edges(const graph::Network& net) {
  return breadth_first_forest(net).tree_edges;
}

SparseMatrix cycle_matrix(const graph::Network& net) {
  const Forest f = breadth_first_forest(net);
  std::vector<Eigen::Triplet<double, int>> triplets;
  int row = 0;
  for (Index e = 0; e < net.num_edges(); ++e) {
    if (f.in_tree[static_cast<std::size_t>(e)]) continue;
    triplets.emplace_back(row, static_cast<int>(e), 1.0);
    // Walk b -> a through the tree: climb from the deeper end until both meet at the common
    // ancestor. Climbing from b goes child -> parent; climbing from a is the reverse of the
    // walk (parent -> child), hence the opposite sign.
    Index from_b = net.edge(e).b, from_a = net.edge(e).a;
    auto climb = [&](Index& node, double direction) {
      const Index te = f.parent_edge[static_cast<std::size_t>(node)];
      const Index up = f.parent[static_cast<std::size_t>(node)];
      // Traversing node -> up agrees with the edge orientation when the edge is (node, up).
      const double along = (net.edge(te).a == node) ? 1.0 : -1.0;
      triplets.emplace_back(row, static_cast<int>(te), direction * along);
      node = up;
    };
    while (f.depth[static_cast<std::size_t>(from_b)] > f.depth[static_cast<std::size_t>(from_a)])
      climb(from_b, 1.0);
    while (f.depth[static_cast<std::size_t>(from_a)] > f.depth[static_cast<std::size_t>(from_b)])
      climb(from_a, -1.0);
    while (from_a != from_b) {
      climb(from_b, 1.0);
      climb(from_a, -1.0);
    }
    ++row;
  }
  SparseMatrix a(row, net.num_edges());
  a.setFromTriplets(triplets.begin(), triplets.end());
  return a;
}

Matrix cycle_projector(const SparseMatrix& cycles, const Vector& conductances) {
  require(conductances.size() == cycles.cols(), "cycle_projector",
          "conductances: wrong length (got ", conductances.size(), ", need ", cycles.cols(), ")");
  const Matrix a(cycles);
  const Vector r = conductances.cwiseInverse();
  const Matrix rat = r.asDiagonal() * a.transpose();  // R A^T, E x C
  const Matrix arat = a * rat;                        // A R A^T, C x C, SPD
  const Eigen::LLT<Matrix> llt(arat);
  return rat * llt.solve(a);
}

}  // namespace plnet::physics
