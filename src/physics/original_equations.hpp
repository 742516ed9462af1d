#pragma once
// The original (unreduced) equations of a solve, H x = F + B^T W s with every hold and
// constraint, evaluated for a candidate state: the residual in extended precision, the backward
// error, and the relative size of a correction. Used by the accuracy check of
// LinearResponse::solve and solve_bordered (docs/conventions.md, "Accuracy of a solve").

#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>

#include <vector>

namespace plnet::physics::detail {

class OriginalEquations {
 public:
  OriginalEquations(const LinearModel& model, const Vector& w, const BoundaryConditions& bc);

  /// r = F - H x at every dof (the Kirchhoff or force-balance residual; at a held dof it is
  /// minus the source's reaction), accumulated in long double from the edge form: each edge's
  /// drop b . x - s first, then its current, so that the error of r is relative to the currents
  /// and not to |H| |x| (which grows with the voltages' common offset). Also the throughput of
  /// every dof: the sum of the magnitudes of the terms of its equation.
  void evaluate(const Vector& x);
  const Vector& residual() const { return residual_; }
  /// The largest throughput over all dofs: for a resistor network the largest total current
  /// through a node.
  double scale() const { return scale_; }
  /// The largest relative violation of a constraint, |c - q . x| / (|q| |x| + |c|).
  double constraint_error(const Vector& x) const;
  /// Current (force) per edge, w_e (b_e . x - s_e), for rank-one models; empty otherwise.
  Vector currents(const Vector& x) const;
  /// Relative size of a correction: the largest of ||dx|| / ||x|| and, with the reactions,
  /// ||[w .* (B dx); dreactions]|| / ||[currents; reactions]|| (rank-one models), in the max
  /// norm; 0/0 counts as 0.
  double relative_change(const Vector& x, const Vector& reactions, const Vector& dx,
                         const Vector& dreactions) const;

 private:
  const LinearModel* model_;
  const Vector* w_;
  const BoundaryConditions* bc_;
  Vector sources_;  // per edge (empty when there are none)
  std::vector<long double> sum_;
  std::vector<long double> magnitude_;
  Vector residual_;
  double scale_ = 0.0;
};

/// Throws std::invalid_argument naming the cause when the state, its currents, its power or its
/// reactions are not finite (values and parameters whose products exceed double precision).
void require_finite(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
                    const Vector& x, const Vector& currents, double power, const Vector& reactions);

}  // namespace plnet::physics::detail
