#pragma once
/// The smallest (most negative) eigenvalue of a sparse symmetric matrix: how far a matrix whose
/// factorisation broke down is from positive definite (a training step that took H(w) through
/// zero reports it; learning::Breakdown).

#include <plnet/core/types.hpp>

namespace plnet::solver {

/// Systems up to this many unknowns use a dense symmetric eigensolver (O(n^3): under a second
/// at n = 1000), larger ones Lanczos (Spectra::SymEigsSolver, smallest algebraic).
inline constexpr Index kDenseEigenLimit = 1000;

/// Smallest algebraic eigenvalue of `a` (square, symmetric, both triangles stored). NaN if `a`
/// is empty or Lanczos does not converge. `dense_limit` as kDenseEigenLimit (tests lower it to
/// exercise the iterative path).
double smallest_eigenvalue(const SparseMatrix& a, Index dense_limit = kDenseEigenLimit);

}  // namespace plnet::solver
