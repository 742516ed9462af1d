#pragma once
/// Spectra of the physical Hessian (physics.md section 6; 000 eqs. 19-24, 002 eqs. 8-15,
/// 003 Figs. 2-5), in plnet's convention H = L (000/002's eigenvalues are twice these).
///
///  * Reduced (grounded) Hessian T^T H T of the eliminated form (physics::ReducedSystem): for
///    conditions made of holds only, T selects the free dofs and this is H with the held rows
///    and columns removed, symmetric positive definite for a connected, grounded network.
///  * Bordered matrix K = [[H, Q^T], [Q, 0]] (physics::bordered_matrix): symmetric but
///    indefinite (n positive and m negative eigenvalues for m independent Lagrange rows), so
///    its "softest" modes are ordered by |eigenvalue| (000 eq. 24, docs/conventions.md).

#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>

namespace plnet::analysis {

struct PhysicalSpectrum {
  /// Eigenvalues of T^T H T, ascending (length n_free).
  Vector reduced_values;
  /// Matching orthonormal eigenvectors z (n_free x n_free, columns), in reduced coordinates.
  Matrix reduced_modes;
  /// The same modes as full states x = T z (num_dofs x n_free), held dofs at 0. With holds
  /// only T is a selection, so these columns are orthonormal too.
  Matrix reduced_modes_full;
  /// Eigenvalues of the bordered matrix ordered by |value| ascending (length n_ext).
  Vector bordered_values;
  /// Matching orthonormal eigenvectors [x; mu] (n_ext x n_ext, columns).
  Matrix bordered_modes;
};

/// Eigenpairs of the bordered matrix with its physical block scaled by c = hessian_factor,
///     K_c = [[c H, Q^T], [Q, 0]],
/// ordered by |value| ascending, orthonormal eigenvectors [x; mu] as columns. c = 1 is plnet's
/// K (PhysicalSpectrum::bordered_*); c = 2 is 000's eq. (2) (its H = 2L). K_c and K_1 are
/// congruent (K_c = D K_1 D, D = diag(sqrt(c) I, I / sqrt(c))), not similar: their eigenvectors
/// differ and no rescaling maps one set of modes onto the other. Dense, O(n_ext^3).
struct BorderedSpectrum {
  Vector values;  ///< length n_ext, |value| ascending
  Matrix modes;   ///< n_ext x n_ext
};
BorderedSpectrum bordered_spectrum(const physics::LinearModel& model, const Vector& w,
                                   const physics::BoundaryConditions& bc,
                                   double hessian_factor = 1.0);

/// Dense eigen-decompositions of both forms for the structure of `bc` (values ignored).
/// O(n^3): small and moderate networks. Throws std::invalid_argument on invalid parameters
/// or conditions.
PhysicalSpectrum physical_spectrum(const physics::LinearModel& model, const Vector& w,
                                   const physics::BoundaryConditions& bc);

/// The k lowest eigenpairs of T^T H T (ascending; vectors n_free x k in reduced coordinates)
/// by shift-invert Lanczos (Spectra::SymEigsShiftSolver) around `shift` with a sparse LDL^T
/// factorisation of T^T H T - shift I: only sparse factorisations, for large networks.
struct LowestModes {
  Vector values;
  Matrix modes;
  bool converged = false;  ///< false: Lanczos did not converge (values may be partial)
  Index iterations = 0;
};
/// Requires 1 <= k < n_free. `shift` must not be an eigenvalue; the default 0 is below every
/// eigenvalue of a positive-definite reduced Hessian, so the nearest are the lowest.
LowestModes lowest_physical_modes(const physics::LinearModel& model, const Vector& w,
                                  const physics::BoundaryConditions& bc, Index k,
                                  double shift = 0.0);

}  // namespace plnet::analysis
