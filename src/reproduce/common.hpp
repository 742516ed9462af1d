#pragma once
// Pieces shared by the reproductions (internal to src/reproduce): training an experiment with
// progress, writing a trained network to results.h5 in the layout the figure module reads
// (docs/reproduce.md, "results.h5"), and rank statistics.

#include <plnet/learning/experiment.hpp>
#include <plnet/learning/trainer.hpp>
#include <plnet/reproduce/reproduce.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace plnet::reproduce::detail {

struct TrainedRun {
  Vector initial;  ///< w before training
  Vector final;    ///< w after training
  std::vector<learning::LogRow> log;
  double seconds = 0.0;
  Index steps = 0;
};

/// Trains `e` to the end of its protocol, logging progress about every 10% to the context.
TrainedRun train(const learning::Experiment& e, const Context& context, const std::string& name);
/// The TrainedRun of a trainer that has run to the end of its protocol from `initial`: its
/// final parameters and log, plus a last row at the final parameters (the trainer logs the
/// cost before each step's update).
TrainedRun finished_run(learning::Trainer& trainer, Vector initial, double seconds);

/// Writes under `group`, every dataset described (io::Describe): network/{positions (N x d),
/// box (d, periodic networks only), edges (M x 2, int64)},
/// task/{inputs, outputs, held} (node indices; for difference outputs both nodes),
/// parameters/{initial, final}, log/{step (int64), train_cost, train_accuracy, test_cost,
/// test_accuracy}, and the training data train/{inputs, targets, outputs} at the final
/// parameters.
void write_training(io::H5Writer& out, const std::string& group, const learning::Experiment& e,
                    const TrainedRun& run);

/// Mean over samples and outputs of (y - t)^2: the plain MSE, computed from the outputs
/// directly (independent of the Loss object's sum/mean and its factor 1/2).
double plain_mse(const Matrix& outputs, const Matrix& targets);

/// Fraction of samples whose largest output is at the index of the largest target
/// (winner-take-all accuracy).
double winner_take_all_accuracy(const Matrix& outputs, const Matrix& targets);

/// config.experiment(seed[, variant]), redrawn with the next derived seed (deterministically,
/// at most 20 times) while the error message contains `reason`: for random networks that
/// cannot host the task (a largest component smaller than the task's node indices, R11).
learning::Experiment redrawn_experiment(const Config& config, std::uint64_t seed,
                                        const std::string& variant, const std::string& reason);

/// config.experiment(seed[, variant]) for configs that draw 004 App. K's input/output edges
/// ([task] edge_inputs): a random network whose spanning-tree complement cannot host them is
/// redrawn with the next derived seed (004 keeps only trainable topologies), deterministically;
/// at most 20 redraws.
learning::Experiment experiment_with_io_edges(const Config& config, std::uint64_t seed,
                                              const std::string& variant = {});

/// The numbers of a [reproduce] key written as a space-separated string ("0 0.1 0.2"),
/// `fallback` if absent; a word that is not a finite number is an error naming the key.
std::vector<double> number_list(const Config& config, const std::string& key,
                                const std::string& fallback);

/// Medians over the realisations of one part of a learning-trends run.
struct LearningTrendSummary {
  double final_error = 0.0;  ///< median error after training
  double error_ratio = 0.0;  ///< median final / initial error
};

/// 003's single-config learning trends (R10, R14): for each [reproduce] variant, an ensemble
/// of trainings with the error, lowest eigenvalue, g_bar and D_eff before and after (four
/// check rows per variant, written under analysis/<variant>/). `summary` (optional) receives
/// the medians per variant. Defined in r10.cpp.
CheckTable learning_trends(Context& context, const std::string& id,
                           std::map<std::string, LearningTrendSummary>* summary);

/// Another shipped config, `file` relative to the directory of `config` (R5 and R6 reuse the
/// tasks of R1-R4), with the same --quick and the run's --set overrides of experiment sections
/// ([reproduce] overrides belong to the calling reproduction), then `extra` overrides.
std::unique_ptr<Config> sibling_config(const Config& config, const RunOptions& options,
                                       const std::string& file,
                                       const std::vector<std::string>& extra = {});

/// Eigenvalues (descending) and eigenvectors (matching columns) of a symmetric matrix.
struct Spectrum {
  Vector values;
  Matrix vectors;
};
/// Dense symmetric eigen-decomposition (cost Hessians), largest first; `where` names the
/// caller in the error if the eigensolver fails.
Spectrum descending_spectrum(const Matrix& h, const std::string& where);
/// log10(mu_k / mu_{k+1}) of a descending spectrum (0-based k). Eigenvalues are floored at
/// 1e-300: round-off makes the tail of a rank-deficient spectrum sign-indefinite near 1e-16 of
/// the top.
double log_gap(const Vector& descending, Index k);
/// The number of eigenvalues above the largest log_gap among the first `window` eigenvalues
/// (gaps after eigenvalues 1 .. window - 1; the first gap wins ties). 000's "stiff modes".
Index count_above_largest_gap(const Vector& descending, Index window);

/// Median (mean of the two middle values for an even count); NaN for an empty vector.
double median(std::vector<double> values);
/// `x` with 3 significant digits, for check-table notes.
std::string text(double x);

/// Least-squares slope of log y against log x over the entries with y > 0 (NaN for fewer
/// than two).
double log_log_slope(const Vector& x, const Vector& y);

/// Pearson correlation of two equally long vectors (NaN if either is constant).
double pearson(const Vector& a, const Vector& b);
/// Spearman rank correlation (Pearson of average ranks; ties share their mean rank).
double spearman(const Vector& a, const Vector& b);

}  // namespace plnet::reproduce::detail
