#pragma once
/// Partial susceptibility over the n softest modes of the bordered matrix (paper 000 eq. 24,
/// Fig. 7), in plnet's convention (docs/conventions.md: K uses H = L; 000's eigenvalues are
/// twice ours on the physical block, so its partial norms differ by the same factors as its
/// full norms and the ratio partial / full is convention-free).
///
/// K = [[H, Q^T], [Q, 0]] is symmetric and indefinite, with orthonormal eigenvectors W_alpha
/// and eigenvalues nu_alpha ordered by |nu| ascending ("softest" by magnitude). With
/// b~_i = [b_i; 0],
///     s_i^(n) = sum_{alpha <= n} (b~_i . W_alpha) / nu_alpha  W_alpha             (000 eq. 24)
///     ||s_i^(n)||^2 = sum_{alpha <= n} (b~_i . W_alpha)^2 / nu_alpha^2             (eq. 20)
/// and n = n_ext recovers ||s_i||^2 exactly. 000 Fig. 7 plots the ratio partial / full.

#include <plnet/analysis/bordered_inverse.hpp>
#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>

namespace plnet::analysis {

struct PartialSusceptibility {
  Vector mode_values;    ///< nu_alpha, |nu| ascending (length n)
  Matrix partial_norms;  ///< M x n: column n-1 holds ||s_i^(n)||^2
  Vector full_norms;     ///< ||s_i||^2 (length M), computed independently of the modes
  /// Per number of modes n (length n): sum_i ||s_i^(n)||^2 / sum_i ||s_i||^2.
  Vector total_ratio;
  /// Per number of modes n: the mean over edges of ||s_i^(n)||^2 / ||s_i||^2 (000 Fig. 7).
  Vector mean_ratio;
  bool converged = true;  ///< Lanczos status (always true for the dense path)
};

/// Dense: full eigen-decomposition of K (analysis::physical_spectrum), n_modes modes
/// (0 = all n_ext). full_norms from analysis::susceptibility_norms (dense LU). Small networks.
PartialSusceptibility partial_susceptibility(const physics::LinearModel& model, const Vector& w,
                                             const physics::BoundaryConditions& bc,
                                             Index n_modes = 0);

/// Large networks: the n_modes eigenpairs of K of smallest |nu| as the largest-magnitude
/// eigenpairs of K^-1 (Lanczos, Spectra::SymEigsSolver, each product one solve on the
/// eliminated factor), full_norms by the exact blocked solves (susceptibility_scale.hpp).
/// 1 <= n_modes < n_ext.
PartialSusceptibility partial_susceptibility(const BorderedInverse& inverse, Index n_modes,
                                             Index block_size = 256);

}  // namespace plnet::analysis
