#pragma once
/// Expressivity of edge-source circuits (paper 004 App. I, Prop. IV.1): a resistor network with
/// ideal sources on E_i input edges and drops read on E_o output edges realises the linear map
///
///     W_R = -P_o Omega P_i^T,      Omega = R A^T (A R A^T)^-1 A      (004 eqs. 120-121, gamma = 1)
///
/// (v = -Omega s, cycle_space.hpp), whose rank is bounded by the cycle-space bottleneck
///     rank W_R <= min(E_i, E_o, C)                       (004 eq. 122, C = E - N + #components)
///     rank W_R <= min(rank A P_i^T, rank A P_o^T)        (004 eq. 123).
/// Dense: Omega is E x E (small circuits).

#include <plnet/core/types.hpp>
#include <plnet/graph/network.hpp>

#include <vector>

namespace plnet::analysis {

struct RealisableMap {
  Matrix map;                   ///< W_R, E_o x E_i: output drop per unit input source
  Vector singular_values;       ///< of W_R, descending
  Index rank = 0;               ///< singular values > tolerance * largest
  Index cycles = 0;             ///< C, the cycle-space dimension (rows of the cycle matrix)
  Index input_cycle_rank = 0;   ///< rank A P_i^T
  Index output_cycle_rank = 0;  ///< rank A P_o^T
  Index bound = 0;              ///< min(E_i, E_o, C)
};

/// W_R and its rank bounds for the given input and output edges (distinct indices within each
/// list; an edge may be both). `conductances` > 0, one per edge. `tolerance` is relative.
RealisableMap realisable_map(const graph::Network& net, const Vector& conductances,
                             const std::vector<Index>& input_edges,
                             const std::vector<Index>& output_edges, double tolerance = 1e-10);

}  // namespace plnet::analysis
