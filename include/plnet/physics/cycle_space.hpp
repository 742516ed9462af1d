#pragma once
/// Cycle-space description of edge-source circuits (paper 004, section II B).
///
/// Each edge e carries a resistor r_e = 1/k_e in series with an ideal source s_e. With a cycle
/// matrix A (C x E, C = E - N + #components fundamental cycles), Kirchhoff's laws give the
/// resistor drops v = -Omega s and currents i = R^-1 v with the oblique projector
///
///     Omega = R A^T (A R A^T)^-1 A,        Omega^2 = Omega,   Omega^T = R^-1 Omega R.
///
/// Forming Omega is O(E^2) memory: for small circuits and tests only. The nodal solve (an edge
/// source is the injection B^T W s, see boundary_conditions.hpp) gives the same numbers with a
/// sparse factorisation and is what the engine uses.

#include <plnet/core/types.hpp>
#include <plnet/graph/network.hpp>

#include <vector>

namespace plnet::physics {

/// Fundamental cycles of a breadth-first spanning forest (roots: the smallest node of each
/// component): one row per non-tree edge e = (a, b), +1 on e itself (traversed a -> b) and
/// +-1 on the tree edges of the path from b back to a (+1 when traversed along the edge's
/// orientation). A * Delta = 0 for the incidence operator Delta.
SparseMatrix cycle_matrix(const graph::Network& net);

/// Omega = R A^T (A R A^T)^-1 A for the given cycle matrix and conductances (E x E, dense).
Matrix cycle_projector(const SparseMatrix& cycles, const Vector& conductances);

/// Edges of the breadth-first spanning forest used by cycle_matrix (in order of discovery).
std::vector<Index> spanning_forest_edges(const graph::Network& net);

}  // namespace plnet::physics
