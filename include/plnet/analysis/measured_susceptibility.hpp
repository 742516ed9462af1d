#pragma once
/// Susceptibilities from simulated probe experiments (issue 4 item 7; paper 000 eq. 17 says
/// s_i,a is the drop across edge i per unit extended force a, so it is measurable).
///
/// Experiment. Apply an extended probe force z (currents at free nodes, values of the sources /
/// Lagrange rows), measure every edge drop with additive Gaussian noise of standard deviation
/// `noise` (the model's dof units per unit probe, volts per ampere for a resistor network):
///     d = S z + eps,   S = [s_1 ... s_M]^T (M x n_ext),   eps ~ N(0, noise^2 I_M).
/// Two protocols:
///  * unit probes: z = e_a for every active extended index a (each free node driven by 1 A,
///    then each source set to 1 V with the others at 0): s^_i,a = d_i,a, unbiased with
///    per-entry error `noise`; norms ||s^_i||^2 - n_probes noise^2 (bias removed).
///  * random probes: R Gaussian probes Z (active entries iid N(0, 1)), D = S Z + E.
///    Vectors by least squares S^ = D Z^+ (exact at zero noise once R >= n_active; error
///    noise^2 tr((Z Z^T)^-1) per row). Norms: for R >= n_active ||s^_i||^2 - noise^2
///    tr((Z Z^T)^-1) (exact at zero noise); for R < n_active the sketch
///    (1/R) ||D_i||^2 - noise^2, unbiased, relative standard error sqrt(2/R) at zero noise
///    (susceptibility_scale.hpp).

#include <plnet/analysis/bordered_inverse.hpp>

#include <cstdint>

namespace plnet::analysis {

enum class ProbeKind { kUnit, kRandom };

struct ProbeExperiment {
  ProbeKind kind = ProbeKind::kUnit;
  Index probes = 0;        ///< random probes R >= 1 (ignored for unit probes: all active)
  double noise = 0.0;      ///< std of the additive noise on each measured drop, >= 0
  std::uint64_t seed = 1;  ///< probes, then noise, drawn from one engine in a fixed order
  void validate() const;
};

struct MeasuredSusceptibility {
  /// Estimated s_i as rows (M x n_ext; inactive columns 0). For random probes with
  /// R < n_active the minimum-norm least-squares estimate (projected, not unbiased).
  Matrix vectors;
  Vector norms;      ///< bias-corrected estimates of ||s_i||^2 (length M)
  Index probes = 0;  ///< number of experiments
};

/// Simulates the experiment on the network of `inverse` (update(w) called; the truth S comes
/// from its exact solves) and returns the estimates.
MeasuredSusceptibility measured_susceptibility(const BorderedInverse& inverse,
                                               const ProbeExperiment& experiment);

/// Errors of an estimate against exact vectors (M x n_ext) and norms (length M).
struct EstimationError {
  double vectors = 0.0;      ///< ||S^ - S||_F / ||S||_F
  double norms = 0.0;        ///< ||n^ - n||_2 / ||n||_2
  double median_norm = 0.0;  ///< median over edges of |n^_i - n_i| / n_i
};
EstimationError estimation_error(const MeasuredSusceptibility& estimate, const Matrix& vectors,
                                 const Vector& norms);

}  // namespace plnet::analysis
