#pragma once
/// Matrix-free cost-Hessian-vector products for large M (never an M x M matrix), and the
/// stiffest cost-Hessian modes by Lanczos (Spectra::SymEigsSolver with this operator).
///
/// Same Hessian as cost_hessian.hpp (002 eq. 6, 000 eqs. 7-9; plnet's convention H = L without
/// 000/002's factor 2). With the unit drops DX (M x n_a), adjoint drops DL (M x n_out),
/// a_s = [u_s; 1], g_s = scale dc/dy_s, c''_s = scale d2c/dy2_s and G the eliminated Green's
/// function (held dofs at 0), cost_hessian.cpp derives
///     H_sat_ij = sum_s v_i(s) v_j(s) DL_i^T c''_s DL_j,     v(s) = DX a_s,
///     H_dyn_ij = (b_i^T G b_j) (R_ij + R_ji),               R = DL Q DX^T, Q = sum_s g_s a_s^T.
/// Products (derivation in docs/analysis.md):
///     (H_sat u)_i = DX_i^T W DL_i,   W = sum_s a_s (c''_s P_u a_s)^T,   P_u = DL^T diag(u) DX,
/// a few dense products of cost O(M n_a n_out), no solve and independent of the batch size
/// apart from n_b small matrix-vector products; and
///     (H_dyn u)_i = sum_op DL_io Q_op Y1_ip + sum_op Y2_io Q_op DX_ip,
///     [Y1, Y2] = B G B^T [diag(u) DX, diag(u) DL],
/// n_a + n_out solves on the responses' one factorisation (the adjoint method).
/// Difference (rank-one) networks only.

#include <plnet/learning/loss.hpp>
#include <plnet/learning/responses.hpp>
#include <plnet/learning/rules.hpp>

#include <cstdint>
#include <vector>

namespace plnet::analysis {

enum class CostHessianPart { kSaturated, kDynamic, kTotal };

/// y = H u for the cost Hessian of `batch` at the responses' current parameters. Keeps
/// references to `responses` (which must outlive it and not be updated meanwhile). Also a
/// Spectra operator (rows, cols, perform_op).
class CostHessianOperator {
 public:
  using Scalar = double;
  CostHessianOperator(const learning::Responses& responses, const learning::Batch& batch,
                      const learning::Loss& loss, CostHessianPart part = CostHessianPart::kTotal);

  Index rows() const { return m_; }
  Index cols() const { return m_; }
  /// y = H_part x, both of length M (Spectra's interface).
  void perform_op(const double* x_in, double* y_out) const;

  Vector saturated_product(const Vector& u) const;  ///< H_sat u
  Vector dynamic_product(const Vector& u) const;    ///< H_dyn u (n_a + n_out solves)
  Vector product(const Vector& u) const;            ///< H_part u
  /// Number of products computed so far (Lanczos cost accounting).
  Index num_products() const { return products_; }

 private:
  const learning::Responses* responses_;
  CostHessianPart part_;
  Index m_;
  Matrix a_;                // n_a x n_b: a_s = [u_s; 1]
  std::vector<Matrix> c2_;  // n_b matrices n_out x n_out: scale d2c/dy2
  Matrix q_;                // n_out x n_a: sum_s g_s a_s^T
  SparseMatrix tbt_;        // T^T B^T: n_free x M
  mutable Index products_ = 0;
};

struct StiffModes {
  Vector values;           ///< k largest (algebraic) eigenvalues, descending
  Matrix modes;            ///< M x k, orthonormal columns
  bool converged = false;  ///< Lanczos converged to `tolerance`
  Index iterations = 0;    ///< restarts
  Index products = 0;      ///< Hessian-vector products used
};

/// The k stiffest (largest) eigenpairs of the cost Hessian part by implicitly restarted
/// Lanczos (Spectra::SymEigsSolver) on `op`. 1 <= k < M; ncv Lanczos vectors (0: max(2k+1,
/// 20), at most M); relative tolerance on the Ritz values. The start vector is fixed (all
/// ones plus a seeded perturbation) so results are reproducible.
StiffModes stiffest_cost_modes(const CostHessianOperator& op, Index k, Index ncv = 0,
                               double tolerance = 1e-10, Index max_iterations = 1000);

}  // namespace plnet::analysis
