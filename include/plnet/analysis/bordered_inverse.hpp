#pragma once
/// The inverse of the bordered (Lagrange) matrix K = [[H, Q^T], [Q, 0]] (physics::bordered_matrix,
/// paper 000 eq. 2) applied to blocks of extended forces through ONE sparse Cholesky
/// factorisation of the eliminated form, never an LU of the indefinite K.
///
/// Derivation (docs/analysis.md, "Bordered inverse"). Write the eliminated form x = T z + t(c),
/// where T (num_dofs x n_free) maps the reduced unknowns to the dofs and t(c) = T_c c is the
/// offset for Lagrange-row values c (T_c: num_dofs x m, column q = the offset with row q's value
/// at 1 and every other value 0). For an extended force E = [f; c] (n_ext = num_dofs + m rows):
///     x  = T H_r^-1 T^T (f - H T_c c) + T_c c,          H_r = T^T H T,
///     mu = (Q Q^T)^-1 Q (f - H x),
/// because K [x; mu] = E means H x + Q^T mu = f and Q x = c; the first line is the eliminated
/// solve, the second reads the multipliers off the force balance (f - H x lies in the range of
/// Q^T). For holds only Q Q^T = I and mu_h = (f - H x)_dof = -reaction at the held dof.
///
/// Units: f in the model's force units (amperes for a resistor network), c in dof units
/// (volts). Symmetric: K^-1 = K^-T, which is what makes s_i,a = [b_i; 0]^T K^-1 e_a readable
/// as the drop across edge i in the response to the unit extended force e_a (000 eq. 17).

#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/linear_response.hpp>
#include <plnet/physics/model.hpp>

#include <Eigen/SparseCholesky>

#include <memory>
#include <span>
#include <vector>

namespace plnet::analysis {

class BorderedInverse {
 public:
  /// The structure of `structure` (which dofs are held, which constraints exist) fixes Q;
  /// its values are ignored. Throws std::invalid_argument on invalid conditions.
  /// Residual checks are skipped while the factor's pivots are healthy (as in training).
  BorderedInverse(const physics::LinearModel& model, const physics::BoundaryConditions& structure,
                  physics::SolveOptions options = {});

  /// Factorises the eliminated form at parameters w (length num_parameters, all > 0).
  void update(const Vector& w);

  Index num_dofs() const { return model_->num_dofs(); }
  Index num_rows() const { return q_.rows(); }  ///< m Lagrange rows: holds, then constraints
  Index size() const { return num_dofs() + num_rows(); }  ///< n_ext
  const physics::LinearModel& model() const { return *model_; }
  const physics::LinearResponse& response() const { return *response_; }
  const Vector& parameters() const { return w_; }

  /// Physical parts x (num_dofs x k) of K^-1 E for extended forces E (n_ext x k).
  void states(const Eigen::Ref<const Matrix>& ext, Matrix& x) const;
  /// Physical parts of K^-1 e_a for the unit extended forces a = indices[0..] (num_dofs x k).
  void unit_states(std::span<const Index> indices, Matrix& x) const;
  /// The whole solution [x; mu] (n_ext x k) of K Y = E.
  Matrix solve(const Eigen::Ref<const Matrix>& ext) const;
  /// Multipliers mu (m x k) from the physical forces f (num_dofs x k) and states x.
  Matrix multipliers(const Eigen::Ref<const Matrix>& f, const Matrix& x) const;

  /// The extended indices whose unit force has a non-zero response: every dof that is not
  /// held (a unit force on a held dof is absorbed by its source), then every Lagrange row.
  const std::vector<Index>& active_indices() const { return active_; }

 private:
  const physics::LinearModel* model_;
  std::unique_ptr<physics::LinearResponse> response_;
  SparseMatrix t_;                           // T, num_dofs x n_free
  SparseMatrix tt_;                          // T^T
  SparseMatrix offsets_;                     // T_c, num_dofs x m
  SparseMatrix q_;                           // Q, m x num_dofs
  SparseMatrix h_;                           // H(w), num_dofs x num_dofs
  SparseMatrix h_offsets_;                   // H T_c
  Eigen::SimplicialLDLT<SparseMatrix> qqt_;  // Q Q^T (m x m), SPD for independent rows
  std::vector<Index> active_;
  Vector w_;
};

}  // namespace plnet::analysis
