#pragma once
/// The network value type: nodes (with optional 2D or 3D positions, optionally in a periodic
/// box), undirected edges with an arbitrary stored orientation, and one positive parameter per
/// edge (a conductance for resistor and flow networks, a stiffness for spring networks).

#include <plnet/core/types.hpp>

#include <optional>
#include <string>
#include <vector>

namespace plnet::graph {

/// Estimated working memory, in bytes, of a network of `nodes` nodes and `edges` edges: what
/// storing, assembling and factorising it takes at the least (256 bytes a node and an edge;
/// a solve of a 2D lattice measures about 1.7 kB a node). Sizes are doubles so that no
/// product overflows.
double network_memory_bytes(double nodes, double edges);

/// "2000000000 nodes and 1 edge" / "... and about 4000000000 edges" for memory messages.
std::string network_size_text(double nodes, double edges, bool edges_estimated);

/// An edge from node `a` to node `b`. The orientation only fixes the sign of edge currents and
/// drops (drop = x_a - x_b); nothing physical depends on it.
struct Edge {
  Index a = 0;
  Index b = 0;
  friend bool operator==(const Edge&, const Edge&) = default;
};

/// A network. Invariants, checked once at construction (std::invalid_argument otherwise):
/// every edge index is in [0, num_nodes); no self-loops; no duplicate edges in either
/// orientation; conductances (one per edge) finite and > 0; positions, when present, are a
/// num_nodes x d matrix of finite numbers with d = 2 or 3; a periodic box, when present, has
/// one side length per position coordinate (so it needs positions), each finite and > 0.
///
/// Periodic networks (jammed packings) live in the box [0, L_x) x [0, L_y) (x [0, L_z)): a
/// bond's vector is the minimum image of the position difference (bond_vector below), so a bond
/// that crosses the box is as short as its neighbours. Positions need not lie inside the box.
class Network {
 public:
  Network() = default;

  /// `conductances` empty means all ones. `positions` empty (0 x 0) means no geometry. `box`
  /// empty means not periodic; otherwise its length is the dimension of `positions`.
  Network(Index num_nodes, std::vector<Edge> edges, Vector conductances = Vector(),
          Matrix positions = Matrix(), Vector box = Vector());

  Index num_nodes() const { return num_nodes_; }
  Index num_edges() const { return static_cast<Index>(edges_.size()); }
  const std::vector<Edge>& edges() const { return edges_; }
  const Edge& edge(Index i) const { return edges_[static_cast<std::size_t>(i)]; }

  /// Edge parameters, length num_edges().
  const Vector& conductances() const { return conductances_; }

  /// Spatial dimension of the positions: 0 (none), 2 or 3.
  int dimension() const { return static_cast<int>(positions_.cols()); }
  bool has_positions() const { return positions_.size() > 0; }
  /// num_nodes x dimension() positions (empty when there is no geometry).
  const Matrix& positions() const { return positions_; }

  /// Whether the network lives in a periodic box.
  bool is_periodic() const { return box_.size() > 0; }
  /// Side lengths of the periodic box, length dimension() (empty when not periodic).
  const Vector& box() const { return box_; }

  /// The same topology, geometry, box and source nodes with other edge parameters (validated).
  Network with_conductances(Vector conductances) const;

  /// Where each node came from when a generator dropped nodes (rattlers, nodes outside the
  /// largest connected component): source_nodes()[n] is node n's index before the drop,
  /// strictly increasing. Empty when no node was dropped (node n is the generator's node n).
  const std::vector<Index>& source_nodes() const { return source_nodes_; }
  /// The same network recording `source_nodes` (empty, or num_nodes() strictly increasing
  /// indices >= 0; std::invalid_argument otherwise).
  Network with_source_nodes(std::vector<Index> source_nodes) const;

  /// Sorted neighbour lists.
  std::vector<std::vector<Index>> adjacency() const;

 private:
  Index num_nodes_ = 0;
  std::vector<Edge> edges_;
  Vector conductances_;
  Matrix positions_;
  Vector box_;
  std::vector<Index> source_nodes_;
};

/// The minimum image of a displacement `v` (length d) in a periodic box of sides `box` (length
/// d): each component shifted by a multiple of the side into [-L/2, L/2]. An empty `box`
/// (not periodic) returns `v` unchanged.
Vector minimum_image(Vector v, const Vector& box);

/// The vector of edge `i`, x_a - x_b (length dimension()), as the minimum image when the
/// network is periodic. Every bond vector, bond length and bond direction in plnet (spring
/// stamps, figures, geometric measures) comes from here. Needs positions.
Vector bond_vector(const Network& net, Index i);

/// Connected components: a label in [0, count) for every node.
struct Components {
  std::vector<Index> label;
  Index count = 0;
};
Components connected_components(Index num_nodes, const std::vector<Edge>& edges);

/// The subnetwork induced on the largest connected component (ties: the one with the smallest
/// node index), nodes renumbered in increasing order of their old index. When nodes are
/// dropped, source_nodes() maps the kept nodes to their indices in `net` (composed with
/// net.source_nodes() if `net` already records a drop); otherwise `net` is returned as is.
Network largest_component(const Network& net);

}  // namespace plnet::graph
