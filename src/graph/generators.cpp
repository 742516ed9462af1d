// Options validation, the simple generators (Erdos-Renyi, lattices, complete graph) and the
// spanning-tree based choice of input/output edges. Jammed packings, planar and nanowire
// networks live in their own files.

#include "generators_detail.hpp"

#include <plnet/core/error.hpp>
#include <plnet/core/memory.hpp>
#include <plnet/graph/generators.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace plnet::graph {

namespace {

/// Network's own node limit (indices must fit in 31 bits).
constexpr Index kMaxNodes = Index{1} << 31;

/// Refuses, before anything is built, a network whose working memory exceeds this machine's
/// (`edges`: the generator's expected edge count).
void require_network_memory(const std::string& where, double nodes, double edges) {
  require_memory(network_memory_bytes(nodes, edges), where, network_size_text(nodes, edges, true));
}

/// Union-find with path halving and union by smaller root (deterministic).
class DisjointSets {
 public:
  explicit DisjointSets(Index n) : parent_(static_cast<std::size_t>(n)) {
    std::iota(parent_.begin(), parent_.end(), Index{0});
  }
  Index find(Index x) {
    while (parent_[static_cast<std::size_t>(x)] != x) {
      auto& p = parent_[static_cast<std::size_t>(x)];
      p = parent_[static_cast<std::size_t>(p)];
      x = p;
    }
    return x;
  }
  /// Joins the sets of a and b; false when they were already one set.
  bool unite(Index a, Index b) {
    const Index ra = find(a), rb = find(b);
    if (ra == rb) return false;
    parent_[static_cast<std::size_t>(std::max(ra, rb))] = std::min(ra, rb);
    return true;
  }

 private:
  std::vector<Index> parent_;
};

}  // namespace

// ---- validation -------------------------------------------------------------------------------

void JammedOptions::validate() const {
  const std::string where = "JammedOptions.";
  require(dimension == 2 || dimension == 3, where + "dimension", "must be 2 or 3 (got ", dimension,
          ")");
  require(num_particles >= 2 && num_particles < kMaxNodes, where + "num_particles",
          "out of range (got ", num_particles, ", need 2 <= num_particles < 2^31)");
  // At jamming every particle has about 2 d contacts: d edges a particle.
  require_network_memory(where + "num_particles", static_cast<double>(num_particles),
                         static_cast<double>(dimension) * static_cast<double>(num_particles));
  require(std::isfinite(packing_fraction) && packing_fraction > 0.0 && packing_fraction < 1.0,
          where + "packing_fraction", "out of range (got ", packing_fraction,
          ", need 0 < packing_fraction < 1)");
  require(std::isfinite(radius_ratio) && radius_ratio >= 1.0 && radius_ratio <= 10.0,
          where + "radius_ratio", "out of range (got ", radius_ratio,
          ", need 1 <= radius_ratio <= 10)");
  require(std::isfinite(energy_tolerance) && energy_tolerance > 0.0, where + "energy_tolerance",
          "must be finite and > 0 (got ", energy_tolerance, ")");
  require(max_iterations >= 1, where + "max_iterations", "must be positive (got ", max_iterations,
          ", need >= 1)");
  // Minimum image needs every contact to be unique: box side > twice the largest contact.
  const double box = detail::jammed_box_side(*this);
  const double max_contact = 2.0 * radius_ratio;
  require(box > 2.0 * max_contact, where + "num_particles",
          "too few particles for a periodic box (got ", num_particles, ", box side L = ", box,
          ", need L > 2 * (2 * radius_ratio) = ", 2.0 * max_contact, ")");
}

void ErdosRenyiOptions::validate() const {
  const std::string where = "ErdosRenyiOptions.";
  require(num_nodes >= 2 && num_nodes < kMaxNodes, where + "num_nodes", "out of range (got ",
          num_nodes, ", need 2 <= num_nodes < 2^31)");
  const auto max_degree = static_cast<double>(num_nodes - 1);
  require(std::isfinite(mean_degree) && mean_degree >= 0.0 && mean_degree <= max_degree,
          where + "mean_degree", "out of range (got ", mean_degree,
          ", need 0 <= mean_degree <= num_nodes - 1 = ", max_degree, ")");
  require_network_memory(where + "num_nodes", static_cast<double>(num_nodes),
                         0.5 * mean_degree * static_cast<double>(num_nodes));
}

void LatticeOptions::validate() const {
  const std::string where = "LatticeOptions.";
  require(kind == Kind::kSquare || kind == Kind::kTriangular, where + "kind",
          "unknown lattice kind (got ", static_cast<int>(kind), ")");
  require(rows >= 1 && rows < kMaxNodes, where + "rows", "out of range (got ", rows,
          ", need 1 <= rows < 2^31)");
  require(cols >= 1 && cols < kMaxNodes, where + "cols", "out of range (got ", cols,
          ", need 1 <= cols < 2^31)");
  require(rows <= (kMaxNodes - 1) / cols, where + "rows",
          "rows * cols too large (got rows = ", rows, ", cols = ", cols,
          ", need rows * cols < 2^31)");
  const double nodes = static_cast<double>(rows) * static_cast<double>(cols);
  require_network_memory(where + "rows", nodes, (kind == Kind::kSquare ? 2.0 : 3.0) * nodes);
}

void PlanarOptions::validate() const {
  const std::string where = "PlanarOptions.";
  require(num_nodes >= 3 && num_nodes < kMaxNodes, where + "num_nodes", "out of range (got ",
          num_nodes, ", need 3 <= num_nodes < 2^31)");
  // A Delaunay triangulation has about 3 edges a node.
  require_network_memory(where + "num_nodes", static_cast<double>(num_nodes),
                         3.0 * static_cast<double>(num_nodes));
  require(std::isfinite(remove_fraction) && remove_fraction >= 0.0 && remove_fraction < 1.0,
          where + "remove_fraction", "out of range (got ", remove_fraction,
          ", need 0 <= remove_fraction < 1)");
}

void NanowireOptions::validate() const {
  const std::string where = "NanowireOptions.";
  require(num_wires >= 1 && num_wires < kMaxNodes, where + "num_wires", "out of range (got ",
          num_wires, ", need 1 <= num_wires < 2^31)");
  require_network_memory(where + "num_wires", static_cast<double>(num_wires),
                         static_cast<double>(num_wires));
  require(std::isfinite(stick_length) && stick_length > 0.0, where + "stick_length",
          "must be finite and > 0 (got ", stick_length, ")");
}

// ---- simple generators ------------------------------------------------------------------------

Network erdos_renyi(const ErdosRenyiOptions& options) {
  options.validate();
  const Index n = options.num_nodes;
  detail::Rng rng(options.seed);
  const Matrix positions = detail::uniform_points(rng, n);
  const double p = options.mean_degree / static_cast<double>(n - 1);
  std::vector<Edge> edges;
  if (p >= 1.0) {
    for (Index v = 1; v < n; ++v)
      for (Index w = 0; w < v; ++w) edges.push_back({w, v});
  } else if (p > 0.0) {
    // Batagelj & Brandes, PRE 71, 036113 (2005): geometric skips over the pairs (w < v) in
    // row-major order, O(N + E) instead of one draw per pair.
    const double log_q = std::log1p(-p);
    const double num_pairs = 0.5 * static_cast<double>(n) * static_cast<double>(n - 1);
    Index v = 1, w = -1;
    while (v < n) {
      // 1 - uniform is in (0, 1], so the log is finite; the skip is capped before the cast.
      const double skip = std::floor(std::log(1.0 - detail::uniform(rng)) / log_q);
      w += 1 + static_cast<Index>(std::min(skip, num_pairs));
      while (w >= v && v < n) {
        w -= v;
        ++v;
      }
      if (v < n) edges.push_back({w, v});
    }
  }
  return largest_component(Network(n, std::move(edges), Vector(), std::move(positions)));
}

Network lattice(const LatticeOptions& options) {
  options.validate();
  const Index rows = options.rows, cols = options.cols;
  const bool triangular = options.kind == LatticeOptions::Kind::kTriangular;
  auto id = [cols](Index r, Index c) { return r * cols + c; };
  // Square: node (r, c) at (c, r). Triangular: odd rows shifted right by 1/2 and rows sqrt(3)/2
  // apart, so every bond below (horizontal, down, one diagonal) has unit length and each
  // interior node has the six neighbours of a triangular lattice.
  const double row_height = triangular ? std::sqrt(3.0) / 2.0 : 1.0;
  Matrix positions(rows * cols, 2);
  std::vector<Edge> edges;
  for (Index r = 0; r < rows; ++r) {
    const bool odd = r % 2 == 1;
    for (Index c = 0; c < cols; ++c) {
      positions(id(r, c), 0) = static_cast<double>(c) + (triangular && odd ? 0.5 : 0.0);
      positions(id(r, c), 1) = static_cast<double>(r) * row_height;
      if (c + 1 < cols) edges.push_back({id(r, c), id(r, c + 1)});
      if (r + 1 < rows) edges.push_back({id(r, c), id(r + 1, c)});
      if (!triangular || r + 1 >= rows) continue;
      // The diagonal at distance 1: left-below from an even row, right-below from an odd one.
      if (!odd && c >= 1) edges.push_back({id(r, c), id(r + 1, c - 1)});
      if (odd && c + 1 < cols) edges.push_back({id(r, c), id(r + 1, c + 1)});
    }
  }
  return Network(rows * cols, std::move(edges), Vector(), std::move(positions));
}

Network fully_connected(Index num_nodes) {
  // 2^16 nodes already make 2^31 edges; beyond that the edge list alone would not fit.
  require(num_nodes >= 1 && num_nodes <= (Index{1} << 16), "fully_connected: num_nodes",
          "out of range (got ", num_nodes, ", need 1 <= num_nodes <= 65536)");
  const auto n = static_cast<double>(num_nodes);
  require_network_memory("fully_connected: num_nodes", n, 0.5 * n * (n - 1.0));
  Matrix positions(num_nodes, 2);
  std::vector<Edge> edges;
  edges.reserve(static_cast<std::size_t>(num_nodes * (num_nodes - 1) / 2));
  for (Index i = 0; i < num_nodes; ++i) {
    const double angle =
        2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(num_nodes);
    positions(i, 0) = std::cos(angle);
    positions(i, 1) = std::sin(angle);
    for (Index j = i + 1; j < num_nodes; ++j) edges.push_back({i, j});
  }
  return Network(num_nodes, std::move(edges), Vector(), std::move(positions));
}

// ---- spanning trees and input/output edges ----------------------------------------------------

std::vector<Index> minimum_spanning_tree(const Network& net) {
  const Vector& k = net.conductances();
  std::vector<double> weight(static_cast<std::size_t>(net.num_edges()));
  for (Index e = 0; e < net.num_edges(); ++e) weight[static_cast<std::size_t>(e)] = 1.0 / k[e];
  std::vector<Index> order(weight.size());
  std::iota(order.begin(), order.end(), Index{0});
  // A stable sort on the weight alone breaks ties by edge index.
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
    return weight[static_cast<std::size_t>(a)] < weight[static_cast<std::size_t>(b)];
  });
  DisjointSets sets(net.num_nodes());
  std::vector<Index> tree;
  for (Index e : order)
    if (sets.unite(net.edge(e).a, net.edge(e).b)) tree.push_back(e);
  std::sort(tree.begin(), tree.end());
  return tree;
}

EdgeChoice choose_io_edges(const Network& net, Index num_inputs, Index num_outputs,
                           std::uint64_t seed) {
  require(num_inputs >= 0, "choose_io_edges: num_inputs", "must be >= 0 (got ", num_inputs, ")");
  require(num_outputs >= 0, "choose_io_edges: num_outputs", "must be >= 0 (got ", num_outputs, ")");
  // The complement of the MST: every one of these edges closes its own fundamental cycle.
  const std::vector<Index> tree = minimum_spanning_tree(net);
  std::vector<char> in_tree(static_cast<std::size_t>(net.num_edges()), 0);
  for (Index e : tree) in_tree[static_cast<std::size_t>(e)] = 1;
  std::vector<Index> complement;
  std::vector<Edge> complement_edges;
  for (Index e = 0; e < net.num_edges(); ++e) {
    if (in_tree[static_cast<std::size_t>(e)]) continue;
    complement.push_back(e);
    complement_edges.push_back(net.edge(e));
  }
  // 004 App. K draws from the largest connected component (most nodes; ties: the one holding
  // the smallest node index) of the graph formed by the complement edges.
  const Components comps = connected_components(net.num_nodes(), complement_edges);
  std::vector<Index> size(static_cast<std::size_t>(comps.count), 0);
  for (Index l : comps.label) ++size[static_cast<std::size_t>(l)];
  const Index largest = std::max_element(size.begin(), size.end()) - size.begin();
  std::vector<Index> candidates;
  for (Index e : complement)
    if (comps.label[static_cast<std::size_t>(net.edge(e).a)] == largest) candidates.push_back(e);
  const Index needed = num_inputs + num_outputs;
  require(static_cast<Index>(candidates.size()) >= needed, "choose_io_edges",
          "the largest connected component of the minimum-spanning-tree complement has too few "
          "edges (got ",
          candidates.size(), ", need num_inputs + num_outputs = ", needed, ")");
  detail::Rng rng(seed);
  detail::shuffle(candidates, rng);
  EdgeChoice choice;
  choice.inputs.assign(candidates.begin(), candidates.begin() + num_inputs);
  choice.outputs.assign(candidates.begin() + num_inputs, candidates.begin() + needed);
  return choice;
}

}  // namespace plnet::graph
