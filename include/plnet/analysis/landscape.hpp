#pragma once
/// Training diagnostics of paper 004: the loss landscape on the two principal directions of a
/// parameter trajectory (App. N, after Li et al. 2018) and the bias of the two-phase gradient
/// estimate against the nudge beta, with and without label noise (App. F and L).

#include <plnet/learning/loss.hpp>
#include <plnet/learning/rules.hpp>
#include <plnet/learning/task.hpp>
#include <plnet/learning/trainer.hpp>

#include <cstdint>
#include <vector>

namespace plnet::analysis {

enum class LandscapeCenter {
  kInitial,  ///< theta_0, as 004 App. N (eq. 161: offsets r_t - r_0)
  kFinal,    ///< theta_T, as Li et al. (the trained minimum at the centre)
};

struct LandscapeOptions {
  LandscapeCenter center = LandscapeCenter::kFinal;
  Index grid = 21;      ///< grid points per axis (odd, >= 3, so that q = 0 is a grid point)
  double extent = 1.5;  ///< each axis spans [-extent, extent] * max_t |q_t| on that axis
  /// The parametrisation the trajectory is in (w = theta, or w = 1/theta for resistances).
  learning::Parametrization parametrization = learning::Parametrization::kConductance;
  void validate() const;
};

struct Landscape {
  Vector center;              ///< theta_c (M)
  Matrix directions;          ///< M x 2, orthonormal: the top two principal directions
  Vector explained_variance;  ///< fraction of the offsets' variance along each direction
  Matrix coordinates;         ///< T x 2: q_t = directions^T (theta_t - theta_c)
  Vector axis1, axis2;        ///< grid coordinates (q1, q2), symmetric about 0
  /// cost(i, j) = C(theta_c + axis1[i] d_1 + axis2[j] d_2) with the loss's reduction; NaN
  /// where the parameters are not all > 0 or the network is singular.
  Matrix cost;
};

/// PCA of the offsets theta_t - theta_c (centred by their mean; SVD), then the batch cost on a
/// grid in the plane of the top two directions through theta_c (004 eqs. 161-163). Each
/// direction's sign is fixed so that its largest-magnitude entry is positive. Needs >= 2
/// snapshots, each of length num_parameters. Evaluations: grid^2 factorisations.
Landscape trajectory_landscape(const physics::LinearModel& model, const learning::Task& task,
                               const learning::Batch& batch, const learning::Loss& loss,
                               const std::vector<Vector>& trajectory,
                               const LandscapeOptions& options = {});

struct NudgeBiasOptions {
  std::vector<double> betas{1e-3, 1e-2, 1e-1};  ///< > 0
  double noise_sd = 0.0;    ///< sd of the additive Gaussian label noise (0: noiseless only)
  Index noise_draws = 200;  ///< Monte Carlo draws of the noisy targets (with noise_sd > 0)
  std::uint64_t seed = 1;
  void validate() const;
};

/// The two-phase rule (004 Alg. 1, learning::RuleKind::kTwoPhase, in conductance space dC/dw)
/// against the nudge. The estimate is exactly affine in beta, T(beta) = T_0 + beta T_1
/// (currents are linear in the nudge), so its beta -> 0 limit T_0 (004 eq. 16) is extrapolated
/// exactly from two nudges. All errors are relative 2-norms over the parameters.
struct NudgeBias {
  Vector betas;
  Vector limit;               ///< T_0 = lim_{beta->0} T(beta) (004 eq. 16 in dC/dw units)
  Vector exact;               ///< the exact gradient (adjoint = 004's projector gradient)
  Vector finite_nudge_error;  ///< |T(beta) - T_0| / |T_0|: O(beta), 004 App. F
  Vector error_to_exact;      ///< |T(beta) - exact| / |exact| (includes |T_0 - exact|)
  /// With label noise (targets + N(0, noise_sd^2) per output and sample), 004 App. L:
  Vector noise_bias;              ///< |<T(beta; t + eps)> - T(beta; t)| / |T_0|, Monte Carlo
  Vector noise_bias_error;        ///< its standard error (norm of the per-entry standard errors)
  Vector predicted_noise_bias;    ///< the same in closed form: T is quadratic in the targets, so
                                  ///< E T(t + eps) - T(t) = (sd^2/2) sum_so [T(t + e_so) +
                                  ///< T(t - e_so) - 2 T(t)] = O(beta) (App. L eq. 144)
  double exact_noise_bias = 0.0;  ///< |<exact(t + eps)> - exact(t)| / |exact|: 0 up to MC error
  double exact_noise_bias_error = 0.0;  ///< its standard error
};

/// Needs the mse loss (the closed form relies on c being quadratic), edge-source inputs or any
/// inputs with every output an edge readout (two_phase's requirement). Parameters w
/// (conductances) at which to evaluate.
NudgeBias two_phase_bias(const physics::LinearModel& model, const learning::Task& task,
                         const learning::Batch& batch, const learning::Loss& loss, const Vector& w,
                         const NudgeBiasOptions& options = {});

}  // namespace plnet::analysis
