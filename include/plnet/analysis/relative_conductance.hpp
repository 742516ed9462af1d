#pragma once
/// Relative conductance k_i / <k_j>_{j ~ i} (paper 000 Sec. VII, Figs. 8 and 10): each edge's
/// conductance divided by the mean conductance of the edges that share a node with it (the
/// edge itself excluded, each adjacent edge counted once). 000 finds that highly susceptible
/// edges have k_i / <k_i> < 1: they block current.

#include <plnet/core/types.hpp>
#include <plnet/graph/network.hpp>

namespace plnet::analysis {

/// Length num_edges; NaN for an edge with no adjacent edge (an isolated two-node component).
/// `conductances` must have one finite entry > 0 per edge (any parameters w of the network:
/// conductances, stiffnesses).
Vector relative_conductance(const graph::Network& net, const Vector& conductances);

}  // namespace plnet::analysis
