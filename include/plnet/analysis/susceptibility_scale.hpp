#pragma once
/// Susceptibility norms ||s_i||^2 (paper 000 eq. 18) for large networks, on ONE sparse Cholesky
/// factorisation (BorderedInverse), in plnet's convention (docs/conventions.md: H = L, so 000's
/// s_i is ours with the physical entries halved).
///
/// Exact, blocked. s_i = K^-1 [b_i; 0] (length n_ext, susceptibility.hpp). K is symmetric, so
///     s_i,a = [b_i; 0]^T K^-1 e_a = b_i . x^(a),     x^(a) = physical part of K^-1 e_a,
/// the drop across edge i in the response to a unit current at dof a (a < num_dofs; zero for a
/// held dof, whose current flows straight into its source) or to a unit value of Lagrange row q
/// (a = num_dofs + q: source q at 1 V, every other source at 0, no currents). The multiplier
/// part of s_i is therefore the drop of edge i under each unit source, which equals (Maxwell-
/// Betti reciprocity) minus the reaction at that source when edge i is driven by b_i:
///     mu_i = (Q Q^T)^-1 Q (b_i - H G b_i)   (= -reaction at each held dof for plain holds).
/// So one factorisation and n_active = (free dofs) + (Lagrange rows) solves, in blocks of
/// `block_size` columns, give every ||s_i||^2 = sum_a (b_i . x^(a))^2 with O(n block_size)
/// memory; no M x n_ext matrix is formed. That is fewer solves than one per edge (M ~ 3 N on a
/// planar network) and no indefinite factorisation. For the norms alone,
/// susceptibility_norms_selected (selected_inversion.hpp) needs no per-node solves at all and
/// is 10-20x faster on planar networks; this blocked path is its independent check and the
/// route to the vectors themselves.
///
/// Randomised (Johnson-Lindenstrauss / Hutchinson sketch). With k Gaussian extended forces z_j
/// (n_ext x k, iid N(0, 1) entries), s_i . z_j = b_i . x(z_j) ~ N(0, ||s_i||^2), so
///     est_i = (1/k) sum_j (b_i . x(z_j))^2,     E est_i = ||s_i||^2,
///     est_i / ||s_i||^2 ~ chi^2_k / k,           relative standard error sqrt(2 / k) exactly,
/// for every edge, independent of the network: k solves instead of n_active.

#include <plnet/analysis/bordered_inverse.hpp>
#include <plnet/core/random.hpp>

#include <cstdint>
#include <span>

namespace plnet::analysis {

/// Exact ||s_i||^2 for every edge (length M) by blocked unit solves on `inverse` (update(w)
/// called). block_size >= 1 columns per solve (memory 2 num_dofs block_size doubles plus the
/// M x block_size drops). Difference networks only.
Vector susceptibility_norms(const BorderedInverse& inverse, Index block_size = 256);

/// Full susceptibility vectors s_i (rows, k x n_ext) of the chosen edges: physical part
/// x_i = G b_i by one blocked solve, multiplier part from the force balance (the reaction at
/// every held dof with the sign flipped). For analysing a few edges at scale and for tests.
Matrix susceptibility_vectors(const BorderedInverse& inverse, std::span<const Index> edges);

struct SketchOptions {
  Index probes = 200;      ///< k >= 1 Gaussian probe vectors; relative error sqrt(2 / k)
  std::uint64_t seed = 1;  ///< probes are drawn column by column: independent of block_size
  Index block_size = 64;   ///< probes solved together
  void validate() const;
};

struct SusceptibilityEstimate {
  Vector norms;                          ///< length M: unbiased estimates of ||s_i||^2
  Index probes = 0;                      ///< k
  double relative_standard_error = 0.0;  ///< sqrt(2 / k), the same for every edge
};

/// Randomised estimate of every ||s_i||^2 with k = options.probes solves on `inverse`.
SusceptibilityEstimate susceptibility_norms_sketch(const BorderedInverse& inverse,
                                                   const SketchOptions& options = {});

/// n_ext x k standard-normal extended forces, column by column from `engine`, zero on the
/// entries whose unit force has no response (held dofs): they contribute nothing to b_i . x.
Matrix gaussian_probes(const BorderedInverse& inverse, Index k, random::Engine& engine);

}  // namespace plnet::analysis
