#pragma once
// 000's regression reproductions (R1: 2 targets, eq. (1); R2: 5 targets, eq. (22)) share one
// pipeline: train, then the cost Hessian before/after, its stiff modes and the susceptibility
// norms, with the checks of physics.md section 7.

#include <plnet/learning/experiment.hpp>
#include <plnet/reproduce/reproduce.hpp>

#include <string>

namespace plnet::reproduce::detail {

struct TrainedRun;

/// The stiff-mode analysis of 000 Figs. 4 and 5 at the trained parameters, written to
/// results.h5 under analysis/: cost-Hessian spectra before/after (whole training set),
/// the `stiff` stiffest modes, ||s_i||^2 (000 eq. 18), their Spearman correlations, the
/// largest spectral gap among the top 4 * stiff eigenvalues, and one sample's voltage field.
struct StiffAnalysis {
  Vector before, after;  ///< cost-Hessian eigenvalues, descending
  Matrix stiff_modes;    ///< M x stiff
  Vector susceptibility_norms, stiff_weight, spearman_per_mode;
  double spearman = 0.0;        ///< Spearman(||s_i||^2, sum_rho Psi_rho,i^2)
  double gap_decades = 0.0;     ///< log10(mu_stiff / mu_stiff+1)
  Index largest_gap_after = 0;  ///< number of eigenvalues above the largest gap
  Index scanned = 0;            ///< eigenvalues scanned for the largest gap
};
StiffAnalysis analyse_stiff_modes(const Context& context, const learning::Experiment& e,
                                  const TrainedRun& run, Index stiff);

/// Config [reproduce] keys: stiff_modes (the expected number n_in x n_out: 4 for R1, 10 for
/// R2), gap_decades (the paper's gap, 2), mse_paper (the paper's final cost, text),
/// mse_note (text appended to the MSE row's note: what is known about a discrepancy), seed.
CheckTable run_regression(Context& context, const std::string& name);

}  // namespace plnet::reproduce::detail
