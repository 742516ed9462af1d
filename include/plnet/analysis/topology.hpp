#pragma once
/// Persistent-homology sectors of a node field on the network graph (physics.md section 6;
/// 000 Fig. 6 and App. B, after Rocks, Liu and Katifori 2020).
///
/// Filtrations of the graph by a node field f (the voltage response, say), physics.md s. 6:
///   kSublevel   lower star: node v enters at f(v), edge (a, b) at max(f(a), f(b));
///   kSuperlevel upper star: the same for -f (node v at f(v) going down, edge at min);
///   kEdgeDrop   every node at 0, edge (a, b) at |f(a) - f(b)| (000's "edges enter in order of
///               increasing |voltage drop|"): components are regions of nearly equal f, and
///               the sectors above a threshold t are exactly the connected components of the
///               graph without the edges whose drop exceeds t.
/// 0-dimensional persistence tracks connected components: each component is born at its
/// first node; when an edge joins two components the younger one (later birth; ties by node
/// index: elder rule) dies. persistence = |death - birth|; one component per connected part
/// of the graph never dies (death = +inf; -inf for kSuperlevel).
///
/// Sectors: the components whose persistence exceeds `threshold` (and the essential ones).
/// Nodes are assigned to non-overlapping sectors by cutting the merge tree at the death edges
/// of persistent components: a non-persistent component joins the sector of the node its
/// death edge touches, a persistent one keeps its own label. Boundary edges join two nodes of
/// different sectors; the death edges of persistent components are a subset of them.
/// The diagram is computed with GUDHI (Simplex_tree + Persistent_cohomology over Z/2); the
/// sector bookkeeping is a union-find over the same filtration, and the tests check that both
/// give the same diagram.

#include <plnet/core/types.hpp>
#include <plnet/graph/network.hpp>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace plnet::analysis {

enum class Filtration { kSublevel, kSuperlevel, kEdgeDrop };

/// One 0-dimensional persistence pair, in the units of the field.
struct PersistencePair {
  double birth = 0.0;     ///< f at the component's extremum
  double death = 0.0;     ///< f at which it merged into an elder one (+-inf: never)
  Index birth_node = -1;  ///< the extremum
  Index death_edge = -1;  ///< the merging edge (-1: essential)
  double persistence() const { return std::abs(death - birth); }
};

/// GUDHI's 0-dimensional diagram of the filtration: (birth, death) pairs in field
/// units with positive persistence (zero-length pairs of non-extremal nodes dropped), sorted by
/// decreasing persistence, essential pairs (death +-inf) first.
std::vector<std::pair<double, double>> persistence_diagram(const graph::Network& net,
                                                           const Vector& field,
                                                           Filtration filtration);

struct PersistentSectors {
  /// Every pair from the union-find, one per node (zero persistence for non-extremal nodes),
  /// sorted by decreasing persistence.
  std::vector<PersistencePair> pairs;
  std::vector<Index> sector;             ///< per node, 0 .. count - 1
  Index count = 0;                       ///< number of sectors
  std::vector<Index> sector_birth_node;  ///< per sector: its extremum
  std::vector<Index> death_edges;        ///< death edges of the persistent components
  std::vector<Index> boundary_edges;     ///< edges between different sectors, ascending
};

/// Sectors of `field` (length num_nodes, finite) with persistence > threshold (>= 0).
PersistentSectors persistent_sectors(const graph::Network& net, const Vector& field,
                                     Filtration filtration, double threshold);

struct EdgeSetOverlap {
  Index top = 0;             ///< size of the top-q set of edges by score
  Index boundary = 0;        ///< number of boundary edges
  Index overlap = 0;         ///< |top-q ∩ boundary|
  double fraction = 0.0;     ///< overlap / top (precision of "susceptible -> boundary")
  double expected = 0.0;     ///< top * boundary / E: the mean overlap of a random edge set
  double p_value = 1.0;      ///< P(overlap >= observed) for a random set (hypergeometric, exact)
  double random_mean = 0.0;  ///< Monte Carlo baseline: mean overlap of random edge sets
  double random_sd = 0.0;    ///< and its standard deviation
};

/// Overlap between the `top` edges with the largest `scores` (e.g. ||s_i||^2, ties broken by
/// lower index) and `boundary_edges`, with a random-edge-set baseline: `random_sets` uniformly
/// random sets of `top` distinct edges (deterministic given `seed`) and the exact
/// hypergeometric tail.
EdgeSetOverlap boundary_overlap(const std::vector<Index>& boundary_edges, const Vector& scores,
                                Index top, Index random_sets = 1000, std::uint64_t seed = 1);

}  // namespace plnet::analysis
