// R5: 000 Fig. 7. The partial susceptibility ||s_i^(n)||^2 over the n softest modes of 000's
// bordered Hessian K_2 = [[2L, Q^T], [Q, 0]] (000 eqs. 2, 24; its H is twice plnet's L, and the
// ratio depends on that factor: partial_susceptibility.hpp) relative to the full ||s_i||^2 in
// the same convention, for the four tasks of 000 (regression of Fig. 1, regression of Fig. 5a,
// classification of Fig. 5e, allostery of Fig. 6), each trained from many initial conditions. 000's
// claim: the ratio saturates by n = 2..10 modes
// ("most of the physical information is encoded in a few soft modes").
//
// The four tasks are the shipped configs of R1, R2, R3 and R4 (part fig6), read from the same
// directory as this config, with their own [quick] sizes. An initial condition redraws only the
// initial conductances and the minibatch order on one network and data set
// (Config::initial_condition; R3's conductances start all at 1, so there it is the order only).
//
// The ratio per network is sum_i ||s_i^(n)||^2 / sum_i ||s_i||^2 (the susceptibility tensor's
// squared norm captured by n modes); the mean over edges of the per-edge ratio is reported too.
#include "common.hpp"

#include <plnet/analysis/partial_susceptibility.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>
#include <plnet/reproduce/ensemble.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>

namespace plnet::reproduce {
namespace {

using detail::text;

struct TaskConfig {
  std::string label;    // "R1"
  std::string variant;  // part of a multi-part config ("fig6"), or empty
  std::unique_ptr<Config> config;
};

// "R1.toml R4.toml:fig6" -> the configs, relative to the directory of `config`.
std::vector<TaskConfig> task_configs(const Config& config, const RunOptions& options) {
  std::istringstream words(config.text("tasks", "R1.toml R2.toml R3.toml R4.toml:fig6"));
  std::vector<TaskConfig> tasks;
  for (std::string word; words >> word;) {
    TaskConfig t;
    const auto colon = word.find(':');
    const std::string file = word.substr(0, colon);
    if (colon != std::string::npos) t.variant = word.substr(colon + 1);
    t.label =
        std::filesystem::path(file).stem().string() + (t.variant.empty() ? "" : ":" + t.variant);
    t.config = detail::sibling_config(config, options, file);
    tasks.push_back(std::move(t));
  }
  require(!tasks.empty(), config.path(), "reproduce.tasks: no task configs named");
  return tasks;
}

struct Curves {
  Vector total;  // per n: sum_i ||s_i^(n)||^2 / sum_i ||s_i||^2
  Vector mean;   // per n: mean_i ||s_i^(n)||^2 / ||s_i||^2
  double cost = 0.0;
  double before = 0.0;      // total ratio at saturation_modes for the initial conductances
  double soft = 0.0;        // modes of K with |nu| < 1e-3 x the median |nu|
  double at_bound = 0.0;    // edges at the lower conductance bound
  Vector final;             // trained conductances (for the independent check, scripts/check_r5.py)
  io::IndexMatrix edges;    // M x 2 node pairs (a, b)
  std::vector<Index> held;  // the held dofs of K's Lagrange rows (the grounds)
  Index nodes = 0;
};

CheckTable run(Context& context) {
  const Config& config = context.config;
  const Index n = config.integer("initial_conditions", 50);
  const Index modes = config.integer("modes", 30);
  const Index saturation_modes = config.integer("saturation_modes", 10);
  const double saturated = config.number("saturated", 0.9);
  require(n >= 1, config.path(), "reproduce.initial_conditions: must be >= 1 (got ", n, ")");
  require(modes >= saturation_modes && saturation_modes >= 1, config.path(),
          "reproduce.modes must be >= reproduce.saturation_modes >= 1 (got ", modes, ", ",
          saturation_modes, ")");
  const std::vector<TaskConfig> tasks = task_configs(config, context.options);
  const auto num_tasks = static_cast<Index>(tasks.size());

  // Every (task, initial condition) pair in one ensemble: each task keeps one network seed.
  // Initial condition i of a task has a seed of its own (not of its place in the ensemble),
  // so a run with fewer initial conditions (--quick) runs the first ones of a larger run.
  const std::vector<Curves> curves = run_ensemble(
      num_tasks * n, random::derive_seed(context.seed, 5), context.threads,
      [&](Index k, std::uint64_t) {
        const TaskConfig& t = tasks[static_cast<std::size_t>(k / n)];
        const std::uint64_t network_seed =
            random::derive_seed(context.seed, 50 + static_cast<std::uint64_t>(k / n));
        const std::uint64_t initial_seed =
            random::derive_seed(network_seed, static_cast<std::uint64_t>(k % n));
        const learning::Experiment e =
            t.config->initial_condition(network_seed, t.variant, initial_seed);
        const detail::TrainedRun run =
            detail::train(e, context, "R5 " + t.label + " " + std::to_string(k % n));
        // 000 eq. (2): the Laplacian bordered by the grounds only (N + 1 modes for one ground);
        // the sources are not Lagrange rows of 000's K.
        const analysis::PartialSusceptibility p = analysis::partial_susceptibility(
            *e.model, run.final, e.task.fixed, 0, analysis::kPaperHessianFactor);
        Curves c;
        c.total = p.total_ratio.head(modes);
        c.mean = p.mean_ratio.head(modes);
        c.cost = run.log.back().train_cost;
        const Vector magnitudes = p.mode_values.cwiseAbs();
        const double middle = detail::median(
            std::vector<double>(magnitudes.data(), magnitudes.data() + magnitudes.size()));
        c.soft = static_cast<double>((magnitudes.array() < 1e-3 * middle).count());
        c.before = analysis::partial_susceptibility(*e.model, run.initial, e.task.fixed, 0,
                                                    analysis::kPaperHessianFactor)
                       .total_ratio[saturation_modes - 1];
        c.at_bound = static_cast<double>(
            (run.final.array() <=
             learning::resolved_bounds(e.protocol, e.model->kind()).lower * (1.0 + 1e-12))
                .count());
        require(e.task.fixed.constraints.empty(), config.path(),
                "R5 expects K bordered by held dofs only (task ", t.label, " has constraints)");
        c.final = run.final;
        c.edges.resize(e.network.num_edges(), 2);
        for (Index i = 0; i < e.network.num_edges(); ++i) {
          c.edges(i, 0) = e.network.edge(i).a;
          c.edges(i, 1) = e.network.edge(i).b;
        }
        for (const auto& h : e.task.fixed.holds) c.held.push_back(h.dof);
        c.nodes = e.network.num_nodes();
        return c;
      });

  CheckTable table;
  Vector mode_count(modes);
  for (Index m = 0; m < modes; ++m) mode_count[m] = static_cast<double>(m + 1);
  context.results.write(
      "analysis/modes", mode_count,
      {"Number n of softest bordered-Hessian modes used (the x axis of the ratios).", "1", "n"});
  for (Index t = 0; t < num_tasks; ++t) {
    const TaskConfig& task = tasks[static_cast<std::size_t>(t)];
    Matrix total(n, modes), mean(n, modes);
    Vector costs(n), soft(n), at_bound(n), before(n);
    const Curves& first = curves[static_cast<std::size_t>(t * n)];
    Matrix finals(n, first.final.size());
    for (Index i = 0; i < n; ++i) {
      const Curves& c = curves[static_cast<std::size_t>(t * n + i)];
      finals.row(i) = c.final.transpose();
      total.row(i) = c.total.transpose();
      mean.row(i) = c.mean.transpose();
      costs[i] = c.cost;
      soft[i] = c.soft;
      at_bound[i] = c.at_bound;
      before[i] = c.before;
    }
    const std::string g = "analysis/" + task.label.substr(0, task.label.find(':')) + "/";
    context.results.write(g + "total_ratio", total,
                          {"Sum over edges of the partial susceptibility from the n softest modes "
                           "over the full one, per initial condition.",
                           "1", "initial condition, n"});  // initial conditions x modes
    context.results.write(
        g + "mean_ratio", mean,
        {"Mean over edges of the partial over the full susceptibility, per initial condition.", "1",
         "initial condition, n"});
    context.results.write(g + "final_cost", costs,
                          {"Training cost after training, per initial condition.", "1 (loss, V^2)",
                           "initial condition"});
    context.results.write(g + "soft_modes", soft,
                          {"Number of soft modes of K (|nu| below 1e-3 times the median |nu|), per "
                           "initial condition.",
                           "1", "initial condition"});
    context.results.write(g + "total_ratio_before", before,
                          {"The total ratio of the untrained network at the saturation mode count, "
                           "per initial condition.",
                           "1", "initial condition"});
    context.results.write(g + "edges_at_lower_bound", at_bound,
                          {"Number of edges whose trained conductance sits at the lower bound, per "
                           "initial condition.",
                           "1", "initial condition"});
    // One network per task: its edges and grounds, and the trained conductances per initial
    // condition, so that the ratios can be recomputed independently of plnet.
    context.results.write(g + "network/edges", first.edges,
                          {"The two end nodes (a, b) of each edge of the task's network.",
                           "index (node)", "edge, end"});
    context.results.write(
        g + "network/held", first.held,
        {"Dofs held by the task (the Lagrange rows bordering K).", "index (node)", "held node"});
    context.results.write(g + "network/nodes", first.nodes,
                          {"Number of nodes of the task's network.", "1", ""});
    context.results.write(
        g + "final_conductances", finals,
        {"Trained conductances of each initial condition.", "S", "initial condition, edge"});
    const Vector average = total.colwise().mean().transpose();
    const Vector edge_average = mean.colwise().mean().transpose();
    Index reached = modes + 1;
    for (Index m = 0; m < modes && reached > modes; ++m)
      if (average[m] >= saturated) reached = m + 1;
    double sd = 0.0;
    for (Index i = 0; i < n; ++i)
      sd += std::pow(total(i, saturation_modes - 1) - average[saturation_modes - 1], 2);
    sd = n > 1 ? std::sqrt(sd / static_cast<double>(n - 1)) : 0.0;
    Check check = check_at_least(
        task.label +
            ": mean partial / full susceptibility at n = " + std::to_string(saturation_modes) +
            " modes (" + std::to_string(n) + " initial conditions)",
        average[saturation_modes - 1], saturated, "saturates by n = 2..10 modes (000 Fig. 7)",
        "'saturates' read as >= " + text(saturated) + " of sum_i ||s_i||^2; reached at n = " +
            (reached <= modes ? std::to_string(reached) : "> " + std::to_string(modes)) +
            "; before training " + text(before.mean()) + "; sd over initial conditions " +
            text(sd) + "; n = 1, 2, 5: " + text(average[0]) + ", " +
            text(average[std::min<Index>(1, modes - 1)]) + ", " +
            text(average[std::min<Index>(4, modes - 1)]) +
            "; mean over edges of the per-edge ratio at n = " + std::to_string(saturation_modes) +
            ": " + text(edge_average[saturation_modes - 1]) + "; median final cost " +
            text(detail::median(std::vector<double>(costs.data(), costs.data() + n))) +
            "; median number of modes with |nu| < 1e-3 x the median |nu|: " +
            text(detail::median(std::vector<double>(soft.data(), soft.data() + n))) +
            "; median edges at the lower conductance bound: " +
            text(detail::median(std::vector<double>(at_bound.data(), at_bound.data() + n))));
    // Measured with seed 1 (docs/reproduce.md, R5): R2 and R3 saturate by n = 10 at the quick
    // sizes (0.94, 0.92), R1 and R4 reach 0.76 and 0.85; scripts/check_r5.py recomputes the
    // ratios independently from the stored networks (same numbers to 1e-11).
    if (task.label == "R1" || task.label == "R3" || task.label == "R4:fig6")
      check = known_deviation(
          std::move(check),
          "the untrained networks already hold " + text(before.mean()) +
              " of sum_i ||s_i||^2 in the 10 softest modes of 000's [[2L, Q^T], [Q, 0]], the "
              "rest spread over the bulk; training concentrates it in soft modes only as far as "
              "it reshapes the conductances: R2's protocol (k0 ~ 1e-4, alpha = 1e-2) saturates "
              "by n = 7, this task's ends at " +
              text(average[saturation_modes - 1]) +
              ". An independent computation of 000's eq. 24 on the stored networks "
              "(scripts/check_r5.py) gives the same ratios; 000 does not give its "
              "normalisation or final states");
    table.checks.push_back(std::move(check));
  }
  return table;
}

}  // namespace

Reproduction r5_reproduction() {
  return {"R5", "000", "Fig. 7",
          "partial susceptibility vs number of modes for the four tasks, over initial conditions",
          run};
}

}  // namespace plnet::reproduce
