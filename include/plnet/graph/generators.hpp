#pragma once
/// Seeded, deterministic network generators. Every generator takes a typed Options struct with
/// in-class defaults; `validate()` throws std::invalid_argument naming the field and value.
/// The same options (including the seed) always give the same network, bit for bit.

#include <plnet/graph/network.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace plnet::graph {

/// Jammed packing of bidisperse soft disks (d = 2) or spheres (d = 3) in a periodic box,
/// half of the particles with radius 1 and half with radius 1.4, harmonic contact repulsion,
/// energy minimised with FIRE at the target packing fraction. The contact network (minimum
/// image), with rattlers (fewer than d + 1 contacts) removed iteratively and the largest
/// connected component kept, becomes the network; positions are the particle centres
/// (wrapped into [0, L)^d) and the network carries the box (L, ..., L). Contacts that cross the
/// periodic boundary are kept as edges; their bond vectors are minimum images (bond_vector).
struct JammedOptions {
  Index num_particles = 300;      ///< before rattler removal
  int dimension = 2;              ///< 2 or 3
  double packing_fraction = 0.9;  ///< target phi (above jamming: ~0.84 in 2D, ~0.64 in 3D)
  double radius_ratio = 1.4;
  double energy_tolerance = 1e-14;  ///< FIRE stops when max |force| falls below this
  int max_iterations = 200000;
  std::uint64_t seed = 1;
  void validate() const;
};
/// Throws std::runtime_error when FIRE does not converge or every particle is a rattler.
Network jammed_packing(const JammedOptions& options);

/// Erdos-Renyi G(N, p) with p = mean_degree / (N - 1); the largest component is returned.
/// Node positions are random points in the unit square (for drawing only).
struct ErdosRenyiOptions {
  Index num_nodes = 40;
  double mean_degree = 3.0;
  std::uint64_t seed = 1;
  void validate() const;
};
Network erdos_renyi(const ErdosRenyiOptions& options);

/// Square or triangular lattice of rows x cols nodes, open boundaries, unit spacing.
struct LatticeOptions {
  enum class Kind { kSquare, kTriangular };
  Kind kind = Kind::kSquare;
  Index rows = 10;
  Index cols = 10;
  void validate() const;
};
Network lattice(const LatticeOptions& options);

/// Complete graph on N nodes; positions on a circle.
Network fully_connected(Index num_nodes);

/// Random planar network: Delaunay triangulation of N uniform points in the unit square, then a
/// fraction of edges removed at random as long as the network stays connected.
struct PlanarOptions {
  Index num_nodes = 300;
  double remove_fraction = 0.2;  ///< in [0, 1): fraction of Delaunay edges to try removing
  std::uint64_t seed = 1;
  void validate() const;
};
Network random_planar(const PlanarOptions& options);

/// Random nanowire deposition (paper 004, App. K): sticks of length `stick_length` with uniform
/// centres in the unit square and uniform angles; two sticks that intersect form a junction,
/// which is a network edge between the two sticks (nodes); the largest component is kept.
/// Positions are the stick centres.
struct NanowireOptions {
  Index num_wires = 100;
  double stick_length = 0.2;
  std::uint64_t seed = 1;
  void validate() const;
};
Network random_nanowires(const NanowireOptions& options);

/// Edges of a minimum spanning tree (Kruskal on edge weight = resistance 1/k, ties by index).
std::vector<Index> minimum_spanning_tree(const Network& net);

/// 004 App. K: input and output edges are drawn (without replacement, seeded) from the
/// complement of a minimum spanning tree, so that each carries an independent cycle.
struct EdgeChoice {
  std::vector<Index> inputs;
  std::vector<Index> outputs;
};
EdgeChoice choose_io_edges(const Network& net, Index num_inputs, Index num_outputs,
                           std::uint64_t seed);

}  // namespace plnet::graph
