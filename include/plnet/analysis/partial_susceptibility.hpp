#pragma once
/// Partial susceptibility over the n softest modes of the bordered Hessian (paper 000 eq. 24,
/// Fig. 7), in 000's convention: its physical Hessian is H_000 = 2 L (2 C^T diag(k) C for a
/// spring network), so its bordered matrix (eq. 2) is
///     K_c = [[c H, Q^T], [Q, 0]],     c = hessian_factor = kPaperHessianFactor = 2,
/// with H plnet's Hessian (docs/conventions.md). The factor matters here, unlike for rankings:
/// K_c = D K_1 D with D = diag(sqrt(c) I, I / sqrt(c)) is congruent to plnet's K_1, not similar,
/// so the modes differ and the partial sums of K_2 and K_1 differ (the ratio partial / full is
/// NOT convention-free; tests/analysis/partial_susceptibility_test.cpp shows it). Only this
/// measure uses c: every other susceptibility in plnet stays in plnet's convention (c = 1).
///
/// K_c is symmetric and indefinite, with orthonormal eigenvectors W_alpha and eigenvalues
/// nu_alpha ordered by |nu| ascending ("softest" by magnitude). With b~_i = [b_i; 0],
///     s_i^(n) = sum_{alpha <= n} (b~_i . W_alpha) / nu_alpha  W_alpha             (000 eq. 24)
///     ||s_i^(n)||^2 = sum_{alpha <= n} (b~_i . W_alpha)^2 / nu_alpha^2             (eq. 20)
/// and n = n_ext recovers the full norm in the same convention,
///     ||s_i||_c^2 = ||K_c^-1 b~_i||^2 = ||x_i||^2 / c^2 + ||mu_i||^2,
/// where [x_i; mu_i] = K_1^-1 b~_i is plnet's s_i (susceptibility.hpp): 000's s_i has plnet's
/// physical entries divided by c = 2 and its multiplier entries unchanged. With a single
/// ground (000's case) mu_i = 0 and ||s_i||_2^2 = ||s_i||^2 / 4. 000 Fig. 7 plots the ratio
/// partial / full, which is 1 at n = n_ext.

#include <plnet/analysis/bordered_inverse.hpp>
#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>

namespace plnet::analysis {

/// 000's physical Hessian over plnet's (000 eq. 2: H = 2 Delta K Delta^T).
inline constexpr double kPaperHessianFactor = 2.0;

struct PartialSusceptibility {
  double hessian_factor = kPaperHessianFactor;  ///< c of K_c = [[c H, Q^T], [Q, 0]]
  Vector mode_values;    ///< eigenvalues nu_alpha of K_c, |nu| ascending (length n)
  Matrix partial_norms;  ///< M x n: column n-1 holds ||s_i^(n)||^2 (convention c)
  /// ||s_i||_c^2 = ||x_i||^2 / c^2 + ||mu_i||^2 (length M), computed by solves, independently
  /// of the modes.
  Vector full_norms;
  /// Per number of modes n (length n): sum_i ||s_i^(n)||^2 / sum_i ||s_i||_c^2.
  Vector total_ratio;
  /// Per number of modes n: the mean over edges of ||s_i^(n)||^2 / ||s_i||_c^2 (000 Fig. 7).
  Vector mean_ratio;
  bool converged = true;  ///< Lanczos status (always true for the dense path)
};

/// Dense: full eigen-decomposition of K_c (analysis::bordered_spectrum), n_modes modes
/// (0 = all n_ext). full_norms from the dense-LU susceptibility vectors (susceptibility.hpp).
/// Small networks. hessian_factor > 0 (1 gives plnet's K, for comparisons only).
PartialSusceptibility partial_susceptibility(const physics::LinearModel& model, const Vector& w,
                                             const physics::BoundaryConditions& bc,
                                             Index n_modes = 0,
                                             double hessian_factor = kPaperHessianFactor);

/// Large networks: the n_modes eigenpairs of K_c of smallest |nu| as the largest-magnitude
/// eigenpairs of K_c^-1 (Lanczos, Spectra::SymEigsSolver). With K_1^-1 = [[A, B], [B^T, C]],
/// K_c^-1 = [[A / c, B], [B^T, c C]], so each product is one solve on the eliminated factor:
/// y = K_1^-1 [u / c; v], then the multiplier part of y times c. full_norms by exact blocked
/// unit solves (as susceptibility_scale.hpp), physical columns weighted 1 / c^2.
/// 1 <= n_modes < n_ext.
PartialSusceptibility partial_susceptibility(const BorderedInverse& inverse, Index n_modes,
                                             Index block_size = 256,
                                             double hessian_factor = kPaperHessianFactor);

}  // namespace plnet::analysis
