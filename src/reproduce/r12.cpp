// R12: 003 Fig. 6 and App. D. Fully connected node networks with N = 10 nodes trained by
// coupled learning on n_T simultaneous random linear constraint tasks (003 App. A eq. A1),
// n_T = 1..30, 100 realisations per n_T (a fresh network and fresh tasks for every n_T and
// realisation: analysis::capacity_sweep). 003's claims: the error stays at zero up to a capacity
// n_T ~ 13 (Fig. 6a); the effective conductance g_bar = sqrt(sum lambda^-2) (003 eq. 28) is
// largest at capacity and falls beyond it, where trained networks end stiffer than they started
// (Fig. 6d); the effective dimension D_eff (003 eq. 31) stays low for every n_T (Fig. 6e).
// Eigenvalues are those of H = W (plnet's convention; 003's node networks use the same H, and
// the g_bar and D_eff comparisons below are ratios, independent of a factor 2 anyway).
#include "common.hpp"

#include <plnet/analysis/capacity.hpp>
#include <plnet/analysis/effective.hpp>
#include <plnet/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace plnet::reproduce {
namespace {

using detail::text;

double median_of(const Matrix& m) {
  analysis::Quartiles q = analysis::quartiles(m.reshaped());
  return q.median;
}

CheckTable run(Context& context) {
  const Config& config = context.config;
  analysis::CapacityOptions options;
  options.min_tasks = config.integer("min_tasks", 1);
  options.max_tasks = config.integer("max_tasks", 30);
  options.realisations = config.integer("realisations", 100);
  options.error_threshold = config.number("error_threshold", 1e-6);
  options.seed = context.seed;
  options.threads = context.threads;
  options.validate();

  // One config per n_T: the run's config with [data] tasks = n_T appended as an override. 003
  // eq. (19) sums the single-task updates over the tasks, so the config's loss must sum too
  // (its gradient is that sum); the error reported is 003 eq. (4), the mean, i.e. the summed
  // cost / n_T, and a trial stops once that mean is <= the success threshold.
  require(config.experiment(options.seed).loss.reduction == learning::Reduction::kSum, "R12",
          "[loss] reduction must be \"sum\": 003 eq. (19) sums the updates over the tasks");
  std::vector<Config> configs;
  for (Index n = options.min_tasks; n <= options.max_tasks; ++n) {
    std::vector<std::string> overrides = context.options.overrides;
    overrides.push_back("data.tasks=" + std::to_string(n));
    std::ostringstream stop;
    stop << std::setprecision(17) << static_cast<double>(n) * options.error_threshold;
    overrides.push_back("protocol.stop_cost=" + stop.str());
    configs.emplace_back(config.path(), config.quick(), overrides);
  }

  const analysis::CapacitySweep sweep =
      analysis::capacity_sweep(options, [&](Index tasks, std::uint64_t seed) {
        const Config& c = configs[static_cast<std::size_t>(tasks - options.min_tasks)];
        const learning::Experiment e = c.experiment(seed);
        require(e.train.size() == tasks, "R12", "the data must hold one sample per task (got ",
                e.train.size(), " for n_T = ", tasks, ")");
        const physics::BoundaryConditions structure =
            e.task.conditions(Vector::Zero(e.task.num_inputs()));
        analysis::CapacityTrial trial;
        const analysis::SpectralTrajectory s0 =
            analysis::spectral_trajectory(*e.model, {e.initial_parameters}, structure, 1);
        trial.initial_effective_conductance = s0.effective_conductance[0];
        trial.initial_effective_dimension = s0.effective_dimension[0];
        detail::TrainedRun t;
        try {
          t = detail::train(e, context, "R12 n_T=" + std::to_string(tasks));
        } catch (const std::invalid_argument& error) {
          // A step that takes H = W through zero (an eigenvalue crossing zero: the network
          // loses stability) ends the trial as a failure, recorded in the limit of an
          // eigenvalue -> 0: g_bar -> inf, D_eff -> 1/3 (003 App. C), error inf.
          if (std::string(error.what()).find("not positive definite") == std::string::npos) throw;
          trial.error = std::numeric_limits<double>::infinity();
          trial.effective_conductance = std::numeric_limits<double>::infinity();
          trial.effective_dimension = 1.0 / 3.0;
          return trial;
        }
        const analysis::SpectralTrajectory s =
            analysis::spectral_trajectory(*e.model, {t.final}, structure, 1);
        // 003 eq. (4), C = (1/2) n_T^-1 sum_r f_r^2, at the final parameters: the summed cost
        // divided by n_T.
        trial.error = t.log.back().train_cost / static_cast<double>(tasks);
        trial.effective_conductance = s.effective_conductance[0];
        trial.effective_dimension = s.effective_dimension[0];
        return trial;
      });

  // results.h5 (after the sweep: HDF5 is not thread-safe).
  const Index rows = static_cast<Index>(sweep.points.size());
  Vector tasks(rows), fraction(rows);
  Matrix error_q(rows, 3), gbar_q(rows, 3), deff_q(rows, 3), gbar0_q(rows, 3), deff0_q(rows, 3);
  auto put = [](Matrix& m, Index k, const analysis::Quartiles& q) {
    m.row(k) << q.lower, q.median, q.upper;
  };
  for (Index k = 0; k < rows; ++k) {
    const analysis::CapacityPoint& p = sweep.points[static_cast<std::size_t>(k)];
    tasks[k] = static_cast<double>(p.tasks);
    fraction[k] = p.success_fraction;
    put(error_q, k, p.error);
    put(gbar_q, k, p.effective_conductance);
    put(deff_q, k, p.effective_dimension);
    put(gbar0_q, k, p.initial_effective_conductance);
    put(deff0_q, k, p.initial_effective_dimension);
  }
  const Index unstable = (sweep.error.array() == std::numeric_limits<double>::infinity()).count();
  const Index cap_half = analysis::capacity(sweep, 0.5);
  const Index cap_all = analysis::capacity(sweep, 1.0);
  auto& out = context.results;
  out.write("analysis/tasks", tasks,
            {"Number of tasks n_T of each point of the sweep.", "1", "point"});
  out.write("analysis/success_fraction", fraction,
            {"Fraction of realisations that learned the tasks, per point.", "1", "point"});
  out.write("analysis/error", sweep.error,
            {"Final cost C (003 eq. 4) of each realisation (inf: lost positive definiteness).",
             "1 (cost C of 003 eq. 4)", "point, realisation"});  // n_T x realisations
  out.write("analysis/gbar", sweep.effective_conductance,
            {"Effective conductance g_bar after training.", "1 / stiffness", "point, realisation"});
  out.write("analysis/deff", sweep.effective_dimension,
            {"Effective dimension D_eff after training.", "1", "point, realisation"});
  out.write(
      "analysis/gbar_initial", sweep.initial_effective_conductance,
      {"Effective conductance g_bar before training.", "1 / stiffness", "point, realisation"});
  out.write("analysis/deff_initial", sweep.initial_effective_dimension,
            {"Effective dimension D_eff before training.", "1", "point, realisation"});
  out.write(
      "analysis/error_quartiles", error_q,
      {"Lower quartile, median and upper quartile of the error per point.",
       "1 (cost C of 003 eq. 4)", "point, quartile"});  // columns: lower quartile, median, upper
  out.write("analysis/gbar_quartiles", gbar_q,
            {"Quartiles of g_bar after training per point.", "1 / stiffness", "point, quartile"});
  out.write("analysis/deff_quartiles", deff_q,
            {"Quartiles of D_eff after training per point.", "1", "point, quartile"});
  out.write("analysis/gbar_initial_quartiles", gbar0_q,
            {"Quartiles of g_bar before training per point.", "1 / stiffness", "point, quartile"});
  out.write("analysis/deff_initial_quartiles", deff0_q,
            {"Quartiles of D_eff before training per point.", "1", "point, quartile"});
  out.write(
      "analysis/capacity", Vector::Constant(1, static_cast<double>(cap_half)),
      {"Capacity: the largest n_T learned by at least half of the realisations.", "1", "value"});
  out.write("analysis/capacity_all", Vector::Constant(1, static_cast<double>(cap_all)),
            {"The largest n_T learned by every realisation.", "1", "value"});
  out.write("analysis/error_threshold", Vector::Constant(1, options.error_threshold),
            {"Error below which a realisation counts as having learned.", "1 (cost C of 003 eq. 4)",
             "value"});

  std::ostringstream fractions;
  for (Index k = 0; k < rows; ++k)
    fractions << (k ? ", " : "") << static_cast<Index>(tasks[k]) << ":" << text(fraction[k]);
  const std::string size = std::to_string(options.realisations) + " realisations per n_T, n_T " +
                           std::to_string(options.min_tasks) + ".." +
                           std::to_string(options.max_tasks);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const bool cap_in_range = cap_half >= options.min_tasks && cap_half < options.max_tasks;
  CheckTable table;
  // The capacity and the two g_bar rows are known not to reproduce within a fixed step budget
  // (docs/reproduce.md, R12: measured at 2e4 and 1e5 steps); the D_eff row does.
  const std::string budget =
      "003 states neither alpha nor the number of steps, and the trials beyond capacity have not "
      "reached a plateau: the capacity measured is that of the learning rate and step budget "
      "(quick ranges, 2e4 steps: 11 with 003's summed update at alpha 0.05; 9 with the mean "
      "update at alpha 0.3, and about 15 with the mean at 1e5 steps)";
  table.checks.push_back(known_deviation(
      check_between(
          "capacity: largest n_T up to which >= 1/2 of the trials reach C <= " +
              text(options.error_threshold) + " (" + size + ")",
          static_cast<double>(cap_half), 10.0, 16.0, "n_T ~ 13 (003 Fig. 6a, App. D)",
          "'~13' read as 13 +- 3. 003 defines capacity as where some networks start to fail "
          "(success "
          "fraction < 1); that literal reading gives " +
              std::to_string(cap_all) + " here. C = 003 eq. (4) at the final parameters; " +
              std::to_string(unstable) +
              " trials lost stability (H = W indefinite) and count as failures. Success fraction "
              "by "
              "n_T: " +
              fractions.str() +
              (cap_in_range ? std::string()
                            : std::string("; the capacity is at an end of the swept range, so the "
                                          "rows below cannot be evaluated"))),
      budget));
  const std::string softening =
      "the unconverged trials beyond capacity keep softening (median g_bar at n_T = 18 about 8x "
      "the untrained value with the summed update at 2e4 steps, 10x with the mean at 2e4 and "
      "1e5 steps): "
      "003's stiffening of frustrated tasks (eq. 36) is the end state of a converged run, not "
      "reached within this budget";

  const Index last = rows - 1;
  const double gbar_cap = cap_in_range ? gbar_q(cap_half - options.min_tasks, 1) : nan;
  table.checks.push_back(known_deviation(
      check_at_most(
          "median g_bar at n_T = " + std::to_string(options.max_tasks) +
              " / median g_bar at the capacity",
          cap_in_range ? gbar_q(last, 1) / gbar_cap : nan, 1.0 - 1e-12,
          "g_bar is largest at capacity and declines beyond it (003 Fig. 6d, App. D)",
          "'declines' read as < 1; median g_bar after training by n_T (lower quartile..upper): at "
          "n_T = " +
              std::to_string(options.min_tasks) + ": " + text(gbar_q(0, 1)) + ", at capacity " +
              text(gbar_cap) + ", at n_T = " + std::to_string(options.max_tasks) + ": " +
              text(gbar_q(last, 1)) + " (" + text(gbar_q(last, 0)) + ".." + text(gbar_q(last, 2)) +
              "); max over n_T of the median: " + text(gbar_q.col(1).maxCoeff())),
      softening));

  Vector ratio(options.realisations);
  for (Index i = 0; i < options.realisations; ++i)
    ratio[i] = sweep.effective_conductance(last, i) / sweep.initial_effective_conductance(last, i);
  table.checks.push_back(known_deviation(
      check_at_most(
          "median over realisations of g_bar after / before training at n_T = " +
              std::to_string(options.max_tasks),
          analysis::quartiles(ratio).median, 1.0 - 1e-12,
          "systems trained beyond capacity become less conductive (stiffer) (003 Fig. 6d, Sec. V)",
          "'less conductive' read as the median ratio < 1; fraction of realisations below 1: " +
              text(static_cast<double>((ratio.array() < 1.0).count()) /
                   static_cast<double>(options.realisations))),
      softening));

  const double deff_initial = median_of(sweep.initial_effective_dimension);
  Index worst = 0;
  for (Index k = 1; k < rows; ++k)
    if (deff_q(k, 1) > deff_q(worst, 1)) worst = k;
  table.checks.push_back(check_at_most(
      "max over n_T of median D_eff after training / median D_eff of the untrained networks",
      deff_q(worst, 1) / deff_initial, 1.0 - 1e-12,
      "the effective dimension remains low regardless of the number of tasks (003 Fig. 6e)",
      "'low' read as below the untrained networks' D_eff (median " + text(deff_initial) +
          ") at every n_T; the "
          "largest median after training is " +
          text(deff_q(worst, 1)) + " at n_T = " + std::to_string(static_cast<Index>(tasks[worst])) +
          ", the smallest " + text(deff_q.col(1).minCoeff())));
  return table;
}

}  // namespace

Reproduction r12_reproduction() {
  return {"R12", "003", "Fig. 6",
          "capacity for simultaneous tasks; g_bar falls beyond it, D_eff stays low", run};
}

}  // namespace plnet::reproduce
