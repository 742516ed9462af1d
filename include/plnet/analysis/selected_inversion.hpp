#pragma once
/// Selected inversion: entries of A^-1 and A^-2 on the pattern of the Cholesky factor of a
/// sparse symmetric positive-definite A, without forming a dense inverse (Takahashi, Fagan and
/// Chen 1973; Erisman and Tinney 1975), and the all-edge susceptibility norms it makes cheap.
///
/// A^-2 comes with it exactly: run the LDL^T factorisation and the Takahashi recurrences in
/// dual numbers a + b eps (eps^2 = 0) on A - eps I. Then every computed quantity carries its
/// derivative with respect to a diagonal shift, and d/dsigma (A - sigma I)^-1 = (A - sigma I)^-2,
/// so the dual parts of the selected inverse are the entries of A^-2 on the same pattern:
/// exact to round-off (forward-mode differentiation, no step size), at about three times the
/// cost of the real selected inversion, which is of the order of the factorisation itself.
///
/// Why it matters (docs/analysis.md): ||s_i||^2 = b^_i^T H_r^-2 b^_i + (constraint and source
/// terms), and b^_i (= T^T b_i) touches only the two end nodes of edge i, whose pair lies on the
/// pattern of H_r and hence of its factor. So every edge's norm is a handful of entries of
/// H_r^-2 on the pattern: no per-node solves.

#include <plnet/analysis/bordered_inverse.hpp>

#include <vector>

namespace plnet::analysis {

class SelectedInverse {
 public:
  /// `a`: symmetric positive definite, both triangles stored (n x n). Orders by AMD,
  /// factorises and inverts on the factor's pattern. Throws std::invalid_argument on a
  /// non-positive pivot (not positive definite).
  explicit SelectedInverse(const SparseMatrix& a);

  Index size() const { return static_cast<Index>(d_.size()); }
  /// (A^-1)_uv and (A^-2)_uv for (u, v) on the pattern of the factor of A (which contains
  /// every non-zero of A); throws std::invalid_argument otherwise.
  double inverse(Index u, Index v) const;
  double inverse_squared(Index u, Index v) const;
  /// Non-zeros of the factor L (strictly lower part).
  Index factor_nonzeros() const { return static_cast<Index>(li_.size()); }

 private:
  std::size_t position(Index u, Index v, bool& diagonal, Index& column) const;
  std::vector<Index> perm_;       // original index -> factor index
  std::vector<Index> lp_;         // column pointers of L (factor order)
  std::vector<Index> li_;         // row indices, ascending within each column
  std::vector<double> d_;         // pivots D (value part), kept to report the factor
  std::vector<double> z_, zd_;    // A^-1: off-diagonal on L's pattern, diagonal
  std::vector<double> z2_, zd2_;  // A^-2: same layout
};

/// Exact ||s_i||^2 for every edge from one selected inversion of the reduced Hessian of
/// `inverse` (update(w) called) plus one solve per eliminated (slave) dof and per Lagrange row:
///     ||s_i||^2 = b^_i^T H_r^-2 b^_i + sum_slaves (b^_i . H_r^-1 t_r)^2 + sum_q (b_i . x^(q))^2,
/// with b^_i = T^T b_i, t_r the slave rows of T, x^(q) the unit-source responses. Difference
/// networks only. Agrees with the blocked solves (susceptibility_scale.hpp) to round-off.
Vector susceptibility_norms_selected(const BorderedInverse& inverse);

}  // namespace plnet::analysis
