#pragma once
/// Effective conductance, effective response dimension and mode-task alignment of the grounded
/// (reduced) physical Hessian K = T^T H T (spectrum.hpp), paper 003 section III and App. C,
/// in plnet's convention H = L (003 uses the same; 000/002's eigenvalues are twice ours, which
/// halves g_bar and leaves D_eff unchanged).
///
/// Spectral forms, lambda_a the n eigenvalues of K:
///     g_bar = sqrt(sum_a lambda_a^-2)                                   (003 eq. 28)
///     D_eff = (sum_a lambda_a^-2)^2 / (3 sum_a lambda_a^-4)             (003 eqs. 31, C7)
/// (one dominant soft mode gives D_eff -> 1/3, n equal eigenvalues give n/3).
///
/// Random-force forms (003 eqs. 26, 30): responses delta_m = K^-1 F_m to M random forces on
/// the n free dofs, projections P_am = v_a . delta_m on the eigenmodes, a_m = sum_a P_am^2 =
/// |delta_m|^2, b_m = sum_a P_am^4. Normalisations (physics.md section 3), exact in
/// expectation for any n (003's derivation is large-n):
///   unit-norm forces, uniform on the sphere: E a = g_bar^2 / n, so g_bar^2 ~ n <a>, and
///     E b = 3 sum lambda^-4 / (n (n + 2)), so D_eff ~ n/(n+2) <a>^2 / <b>;
///   Gaussian forces, i.i.d. N(0, 1) components (not normalised): E a = g_bar^2 and
///     E b = 3 sum lambda^-4, so g_bar^2 ~ <a> and D_eff ~ <a>^2 / <b>.
/// The literal eq. (26), <|delta| / |F|>, is reported as mean_amplitude: it is biased low
/// (Jensen) and carries 1/sqrt(n) (E |delta|^2/|F|^2 = g_bar^2 / n for both distributions).

#include <plnet/core/random.hpp>
#include <plnet/learning/task.hpp>
#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>

#include <vector>

namespace plnet::analysis {

/// sqrt(sum lambda^-2) (003 eq. 28). Throws unless every eigenvalue is finite and > 0.
double effective_conductance(const Vector& eigenvalues);

/// (sum lambda^-2)^2 / (3 sum lambda^-4) (003 eq. 31). Throws unless every eigenvalue > 0.
double effective_dimension(const Vector& eigenvalues);

enum class ForceDistribution { kUnitSphere, kGaussian };

struct RandomForceOptions {
  ForceDistribution distribution = ForceDistribution::kUnitSphere;
  Index samples = 500;  ///< M (003 App. C uses 500 normalised forces)
  std::uint64_t seed = 1;
  void validate() const;
};

/// n x M random forces as columns (random::normal draws, column by column; unit-sphere
/// columns are normalised Gaussians), deterministic given options.seed.
Matrix random_forces(Index n, const RandomForceOptions& options);

/// K^-1 F for every column of `forces` (n_free x M, reduced coordinates of the eliminated form
/// of `bc`'s structure; with holds only these are the free dofs in increasing order), by one
/// sparse factorisation and a blocked solve: the simulated experiment of 003 eq. (C1).
Matrix random_force_responses(const physics::LinearModel& model, const Vector& w,
                              const physics::BoundaryConditions& bc, const Matrix& forces);

struct RandomForceMeasures {
  double effective_conductance = 0.0;        ///< sampled g_bar (normalised as above)
  double effective_conductance_error = 0.0;  ///< standard error (delta method)
  double effective_dimension = 0.0;          ///< sampled D_eff (normalised as above)
  double effective_dimension_error = 0.0;    ///< standard error (delta method on <a>, <b>)
  double mean_amplitude = 0.0;               ///< 003 eq. (26) literally: <|delta| / |F|>
  double mean_participation = 0.0;           ///< <D_m> (003 eq. 29): the classic PR dimension
  Index samples = 0;
};

/// Sampled measures from forces (n x M), their responses (n x M) and the orthonormal
/// eigenmodes of K (n x n columns, spectrum.hpp's reduced_modes). Standard errors: with
/// A = <a>, B = <b> and sample (co)variances over the M draws,
///     se(g_bar) = s sd(a) / (2 g_bar sqrt(M))                  (s = n unit sphere, 1 Gaussian)
///     se(D)     = D sqrt((4 var a / A^2 + var b / B^2 - 4 cov(a, b) / (A B)) / M).
RandomForceMeasures random_force_measures(const Matrix& forces, const Matrix& responses,
                                          const Matrix& modes, ForceDistribution distribution);

/// The standard error of the sampled g_bar^2 predicted from the spectrum alone (exact second
/// moments, c_a = lambda_a^-2): Gaussian var(a) = 2 sum c^2; unit sphere
/// var(n a) = 2 (n sum c^2 - (sum c)^2) / (n + 2). Returned: sqrt(var / M).
double predicted_conductance_squared_error(const Vector& eigenvalues,
                                           ForceDistribution distribution, Index samples);

/// Overlaps (v_k . f_j)^2 / |f_j|^2 of every mode (columns of `modes`, orthonormal, n x K)
/// with every force (columns of `forces`, n x T): K x T, each column sums to <= 1 (= 1 for a
/// complete basis). 003 Fig. 5b, d.
Matrix mode_force_overlaps(const Matrix& modes, const Matrix& forces);

struct TaskAlignment {
  /// |P v_k|^2 per mode: the squared length of mode k's projection on span(forces), in [0, 1];
  /// sums to `rank` over a complete basis.
  Vector subspace_overlap;
  Index rank = 0;              ///< dimension of span(forces) (SVD, relative tolerance 1e-10)
  double random_overlap = 0.;  ///< rank / n: the expected overlap of a random direction
  /// (sum_k o_k)^2 / sum_k o_k^2: the effective number of modes that carry the task subspace;
  /// = rank when `rank` modes lie exactly in it, ~ n when it is spread evenly (no alignment).
  double aligned_modes = 0.0;
  /// Modes with overlap > threshold (see task_alignment).
  Index modes_above_threshold = 0;
};

/// Alignment of the modes with the span of n_T task forces (003 Fig. 5, "about n_T modes align
/// with n_T tasks"). `threshold` in (0, 1], default 0.5: a mode counts when more than half of
/// it lies in the task subspace.
TaskAlignment task_alignment(const Matrix& modes, const Matrix& forces, double threshold = 0.5);

/// The forces a task exerts in the reduced coordinates of task.conditions(...): column j < n_in
/// is T^T (F_j - H t_j) for input channel j at 1 and every fixed value at 0 (a voltage source's
/// force on the free nodes, an injection pattern, an edge source's w_e b_e); column n_in + o is
/// T^T p_o, readout o as a force (003's output force direction A_r). n_free x (n_in + n_out).
Matrix task_forces(const physics::LinearModel& model, const Vector& w, const learning::Task& task);

/// The imprint along a training run (003 Figs. 2-4: eigenvalue flow, g_bar and D_eff during
/// training): for each parameter snapshot (e.g. learning::TrainerState::snapshots, conductances)
/// the `lowest` smallest eigenvalues of the reduced Hessian and the spectral g_bar and D_eff.
/// Dense eigen-decomposition per snapshot (physical_spectrum): 003-sized networks.
struct SpectralTrajectory {
  Matrix lowest;                 ///< snapshots x lowest, ascending along each row
  Vector effective_conductance;  ///< per snapshot
  Vector effective_dimension;    ///< per snapshot
};

/// Requires 1 <= lowest <= n_free and at least one snapshot.
SpectralTrajectory spectral_trajectory(const physics::LinearModel& model,
                                       const std::vector<Vector>& snapshots,
                                       const physics::BoundaryConditions& bc, Index lowest);

}  // namespace plnet::analysis
