#pragma once
/// Inputs and constraints of a linear-response problem, in degrees of freedom (dofs) of a
/// LinearModel. For resistor and node networks a dof is a node; for a d-dimensional spring
/// network node n has dofs n*d .. n*d + d - 1.
///
///   holds        x_dof = value                         (ground, voltage sources, pinned nodes)
///   injections   external force/current F_dof += amount (current sources, applied forces)
///   constraints  sum_j c_j x_{dof_j} = value           (imposed difference across a node pair
///                                                        or an edge, any linear constraint)
///   edge sources ideal voltage source s_e in series with edge e (difference networks only).
///                Paper 004's convention: the resistor drop is v_e = b_e . x - s_e, the edge
///                current i_e = w_e v_e, so the nodal equations read H x = F + B^T W s and
///                v = -Omega s (004 eq. 10).

#include <plnet/core/types.hpp>
#include <plnet/physics/model.hpp>

#include <string>
#include <vector>

namespace plnet::physics {

struct LinearConstraint {
  std::vector<Index> dofs;
  std::vector<double> coefficients;
  double value = 0.0;
};

struct BoundaryConditions {
  struct Hold {
    Index dof = 0;
    double value = 0.0;
  };
  struct Injection {
    Index dof = 0;
    double amount = 0.0;
  };
  struct EdgeSource {
    Index edge = 0;
    double value = 0.0;
  };
  std::vector<Hold> holds;
  std::vector<Injection> injections;
  std::vector<LinearConstraint> constraints;
  std::vector<EdgeSource> edge_sources;

  BoundaryConditions& hold(Index dof, double value) {
    holds.push_back({dof, value});
    return *this;
  }
  BoundaryConditions& inject(Index dof, double amount) {
    injections.push_back({dof, amount});
    return *this;
  }
  /// x_a - x_b = value.
  BoundaryConditions& impose_difference(Index dof_a, Index dof_b, double value) {
    constraints.push_back({{dof_a, dof_b}, {1.0, -1.0}, value});
    return *this;
  }
  BoundaryConditions& edge_source(Index edge, double value) {
    edge_sources.push_back({edge, value});
    return *this;
  }
};

/// Holds every dof of `node` at value (ground a node, pin a spring node).
void hold_node(const LinearModel& model, BoundaryConditions& bc, Index node, double value = 0.0);

/// The constraint b_e . x = value on edge e: the drop x_a - x_b for a resistor, the bond
/// extension for a spring (difference networks only).
LinearConstraint edge_constraint(const LinearModel& model, Index edge, double value);

/// Human-readable name of a dof: "node 3" or "node 3 component y".
std::string dof_name(const LinearModel& model, Index dof);

/// Checks the conditions against the model and throws std::invalid_argument with one clear
/// line on: an index out of range, a dof held twice, a dof both held and driven, a constraint
/// with mismatched lengths or no non-zero coefficient, an edge source on a node network, and
/// (difference networks) a connected component with no held dof, which would float.
void validate(const LinearModel& model, const BoundaryConditions& bc);

}  // namespace plnet::physics
