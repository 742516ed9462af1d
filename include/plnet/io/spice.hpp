#pragma once
/// Export of a resistor network and its boundary conditions as a SPICE netlist, so that an
/// independent circuit simulator (ngspice) can check plnet's solutions.
///
/// Mapping (values printed with %.17g):
///
///   plnet node n                      SPICE node  n<n>;  SPICE ground 0 is the reference of
///                                     every held value
///   edge i = (a, b), conductance k    R<i> n<a> n<b> 1/k
///   hold (node, v)                    Vh<j> n<node> 0 DC v            (x_node = v)
///   injection (node, I)               Ii<j> 0 n<node> DC I            (I flows INTO the node:
///                                     a SPICE current source drives its current from its
///                                     first terminal through itself to its second)
///   constraint c x_a - c x_b = value  Vc<j> n<a> n<b> DC value/c      (x_a - x_b = value/c)
///   edge source s on edge i = (a, b)  R<i> n<a> e<i> 1/k and Vs<i> e<i> n<b> DC s, so that
///                                     x_e = x_b + s and the resistor drop is x_a - x_b - s,
///                                     paper 004's convention (see boundary_conditions.hpp).
///                                     Several sources on one edge are summed.
///
/// Only constraints on exactly two nodes with opposite coefficients (c, -c) have a SPICE
/// counterpart (a voltage source); others throw std::invalid_argument.

#include <plnet/graph/network.hpp>
#include <plnet/physics/boundary_conditions.hpp>

#include <string>

namespace plnet::io {

/// The netlist of `net` (a resistor network, one dof per node) under `bc`, as a string that
/// starts with the title line and ends with ".end". It contains a ".op" analysis; when
/// `output_path` is not empty it also contains a ".control" block that runs the operating
/// point, prints every node voltage and source current to 17 or more significant digits to
/// `output_path` (lines "n<node> = <volts>"; a relative path is relative to ngspice's working
/// directory) and quits, so `ngspice -b file.cir` runs the analysis once.
///
/// Throws std::invalid_argument if `bc` is invalid for the network (physics::validate), if a
/// constraint is not a node-pair difference, or if `output_path` contains a double quote or a
/// line break.
std::string spice_netlist(const graph::Network& net, const physics::BoundaryConditions& bc,
                          const std::string& title, const std::string& output_path = "");

}  // namespace plnet::io
