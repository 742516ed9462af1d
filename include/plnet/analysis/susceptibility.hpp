#pragma once
/// Susceptibility vectors, the training tensor and the identity cost Hessian = L : S
/// (paper 000 eqs. 10-18 and App. A), in plnet's convention (docs/conventions.md).
///
/// Bordered form. K = [[H, Q^T], [Q, 0]] (physics::bordered_matrix) with one Lagrange row per
/// held dof (ground, voltage sources, pinned nodes) and per linear constraint, in the order
/// holds then constraints; n_ext = num_dofs + rows of Q. A sample's extended force is
/// I = [F; c] (injections; hold and constraint values) and its extended state K^-1 I = [x; mu].
/// Because voltage sources are Lagrange rows, I does not depend on w, so
///     dK^-1/dw_i = -K^-1 E_i K^-1 = -s_i s_i^T,   E_i = [[b_i b_i^T, 0], [0, 0]],
///     s_i = K^-1 [b_i; 0]  (length n_ext; 000 eq. 14, s_i = Delta_i^T K^-1 with K symmetric).
///
/// Training tensor (000 eq. 10, App. A for general costs) and susceptibility tensor (eq. 11):
///     L_abcd = sum_r I_r,a (Q_o^T C_r Q_o)_bc I_r,d,     C_r = scale d2c/dy2 at sample r,
///     S_ij,abcd = (dK^-1/dw_i)_ab (dK^-1/dw_j)_cd = s_i,a s_i,b s_j,c s_j,d,
/// with Q_o the readouts extended by zeros on the multiplier rows (y = Q_o [x; mu]). Then
///     (L : S)_ij = sum_r (I_r . s_i)(I_r . s_j) (Q_o s_i)^T C_r (Q_o s_j) = H_sat_ij
/// exactly (cost_hessian.hpp), and = the full cost Hessian when every sample is at a
/// stationary point of its cost (000 assumes a trained network, c_r = 0 / dc/dy = 0).
/// For mse C_r = scale I and L reduces to 000's sum_r I_r (x) Q_r^T Q_r (x) I_r.
///
/// Factor 2 (000's H = 2L): 000's s_i equals diag(1/2 on the n physical entries, 1 on the
/// multiplier entries) times ours, and its S carries the explicit 4 of eq. (16) because its
/// dH/dk_i = 2 b_i b_i^T; our S_ij = s_i (x) s_i (x) s_j (x) s_j. L : S is the same number in
/// both conventions (it is the cost Hessian).

#include <plnet/learning/loss.hpp>
#include <plnet/learning/rules.hpp>
#include <plnet/learning/task.hpp>
#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>

#include <vector>

namespace plnet::analysis {

/// Susceptibility vectors s_i = K^-1 [b_i; 0] as rows: M x n_ext, columns 0..num_dofs-1 the
/// physical dofs, then one per Lagrange row of `bc` (holds, then constraints). Entry (i, a) is
/// the drop across edge i per unit extended force a (000 eq. 17). Dense LU of K: small and
/// moderate networks. Only the structure of `bc` matters (which dofs are held, which
/// constraints exist). Difference networks only.
Matrix susceptibility_vectors(const physics::LinearModel& model, const Vector& w,
                              const physics::BoundaryConditions& bc);

/// ||s_i||^2 over all n_ext entries (000 eq. 18), length M.
Vector susceptibility_norms(const physics::LinearModel& model, const Vector& w,
                            const physics::BoundaryConditions& bc);

/// The training tensor in factored form: L_abcd = sum_r inputs(a, r) (Q^T C_r Q)_bc inputs(d, r)
/// with Q = readout.
struct TrainingTensor {
  Matrix inputs;                ///< n_ext x R: extended forces I_r = [F_r; c_r] per sample
  Matrix readout;               ///< n_out x n_ext: readouts Q_o, zero on multiplier columns
  std::vector<Matrix> metrics;  ///< R matrices n_out x n_out: C_r = scale d2c/dy2 at sample r

  /// The dense 4th-rank tensor, index ((a * n + b) * n + c) * n + d; tiny networks and tests.
  std::vector<double> dense() const;
};

/// The training tensor of `batch` at parameters w (the outputs y_r, needed for C_r of a
/// non-quadratic loss, come from a dense bordered solve). The structure is
/// task.conditions(values) (fixed conditions plus input holds as Lagrange rows). Throws
/// std::invalid_argument if the task has edge sources (their force B^T W s depends on w, so
/// the identity does not apply) or for a node network.
TrainingTensor training_tensor(const physics::LinearModel& model, const Vector& w,
                               const learning::Task& task, const learning::Batch& batch,
                               const learning::Loss& loss);

/// (L : S)_ij = sum_abcd L_abcd s_i,a s_i,b s_j,c s_j,d for susceptibility vectors as rows of
/// `s` (M x n_ext), evaluated in factored form: M x M.
Matrix double_dot(const TrainingTensor& l, const Matrix& s);

}  // namespace plnet::analysis
