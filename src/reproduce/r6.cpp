// R6: 000 Figs. 8 and 10 (Sec. VII). The regression task of 000 Fig. 1 (R1's config) trained
// from four families of initial conductances: uniform in [1e-2, 1] and sharp distributions
// peaked at 1e-6, 1e-3 and 1e-1 (written as U[p, 1.1 p], the width 000 App. D uses for Fig. 5a's
// "peaked" start). 000's claims: the families end in qualitatively different networks that
// perform the same task, conductance is generically not correlated with susceptibility, and in
// every case the high-susceptibility edges have a low relative conductance k_i / <k_j>_{j ~ i}
// < 1 (they block current).
//
// ||s_i||^2 uses 000's K (eq. 2): the Laplacian bordered by the grounds only, as in R5.
#include "common.hpp"

#include <plnet/analysis/relative_conductance.hpp>
#include <plnet/analysis/statistics.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>
#include <plnet/reproduce/ensemble.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace plnet::reproduce {
namespace {

using detail::median;
using detail::text;

struct Family {
  std::string name;                    // "peaked:1e-3"
  std::vector<std::string> overrides;  // the [parameters] it sets
};

// "uniform:0.01:1 peaked:1e-6" -> the families and their [parameters] overrides.
std::vector<Family> families(const Config& config) {
  std::istringstream words(
      config.text("families", "uniform:0.01:1 peaked:1e-6 peaked:1e-3 peaked:1e-1"));
  std::vector<Family> out;
  for (std::string word; words >> word;) {
    std::vector<std::string> parts;
    std::istringstream fields(word);
    for (std::string f; std::getline(fields, f, ':');) parts.push_back(f);
    double low = 0.0, high = 0.0;
    try {
      if (parts.size() == 3 && parts[0] == "uniform") {
        low = std::stod(parts[1]);
        high = std::stod(parts[2]);
      } else if (parts.size() == 2 && parts[0] == "peaked") {
        low = std::stod(parts[1]);
        high = 1.1 * low;
      }
    } catch (const std::exception&) {
      low = high = 0.0;
    }
    require(low > 0.0 && high >= low && std::isfinite(high), config.path(), "reproduce.families: '",
            word, "' is not uniform:LOW:HIGH or peaked:P with 0 < LOW <= HIGH");
    std::ostringstream lo, hi;
    lo.precision(17);
    hi.precision(17);
    lo << low;
    hi << high;
    out.push_back({word,
                   {"parameters.init=\"uniform\"", "parameters.low=" + lo.str(),
                    "parameters.high=" + hi.str()}});
  }
  require(!out.empty(), config.path(), "reproduce.families is empty");
  return out;
}

struct Trained {
  detail::TrainedRun run;
  Vector initial, final, susceptibility, relative;
  double cost = 0.0;
  double top_below = 0.0;        // fraction of the top edges by ||s_i||^2 with k_i / <k_j> < 1
  double all_below = 0.0;        // the same over every edge
  double conductance_rho = 0.0;  // Spearman(k_i, ||s_i||^2)
};

CheckTable run(Context& context) {
  const Config& config = context.config;
  const Index n = config.integer("realisations", 3);
  const double top_fraction = config.number("top_fraction", 0.05);
  const double below_needed = config.number("below_fraction", 0.8);
  require(n >= 1, config.path(), "reproduce.realisations: must be >= 1 (got ", n, ")");
  require(top_fraction > 0.0 && top_fraction <= 1.0, config.path(),
          "reproduce.top_fraction: must be in (0, 1] (got ", top_fraction, ")");
  const std::vector<Family> family = families(config);
  std::vector<std::unique_ptr<Config>> configs;
  const std::string task = config.text("task", "R1.toml");
  for (const Family& f : family)
    configs.push_back(detail::sibling_config(config, context.options, task, f.overrides));
  const auto per = static_cast<Index>(family.size());

  // Realisation r: one network and data set (seed_r) trained from every family, so that the
  // families differ only in their initial conductances (000 Fig. 8: the same task).
  const std::uint64_t base = random::derive_seed(context.seed, 6);
  const std::vector<Trained> runs =
      run_ensemble(n * per, base, context.threads, [&](Index k, std::uint64_t) {
        const Index r = k / per, f = k % per;
        const std::uint64_t seed = random::derive_seed(base, static_cast<std::uint64_t>(r));
        const learning::Experiment e = configs[static_cast<std::size_t>(f)]->initial_condition(
            seed, "", random::derive_seed(seed, 100 + static_cast<std::uint64_t>(f)));
        const detail::TrainedRun t = detail::train(
            e, context, "R6 " + family[static_cast<std::size_t>(f)].name + " " + std::to_string(r));
        Trained out;
        out.run = t;
        out.initial = t.initial;
        out.final = t.final;
        out.cost = t.log.back().train_cost;
        out.susceptibility = analysis::susceptibility_norms(*e.model, t.final, e.task.fixed);
        out.relative = analysis::relative_conductance(e.network, t.final);
        const Index m = t.final.size();
        std::vector<Index> order(static_cast<std::size_t>(m));
        std::iota(order.begin(), order.end(), Index{0});
        std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
          return out.susceptibility[a] > out.susceptibility[b];
        });
        const Index top = std::max<Index>(
            1, static_cast<Index>(std::lround(top_fraction * static_cast<double>(m))));
        Index below = 0;
        for (Index j = 0; j < top; ++j)
          below += out.relative[order[static_cast<std::size_t>(j)]] < 1.0;
        out.top_below = static_cast<double>(below) / static_cast<double>(top);
        out.all_below =
            static_cast<double>((out.relative.array() < 1.0).count()) / static_cast<double>(m);
        out.conductance_rho = detail::spearman(t.final, out.susceptibility);
        return out;
      });

  CheckTable table;
  auto& out = context.results;
  for (Index f = 0; f < per; ++f) {
    const Family& fam = family[static_cast<std::size_t>(f)];
    const std::string g = "analysis/family" + std::to_string(f) + "/";
    out.write(g + "name", fam.name, {"Name of the family of initial conductances.", "", ""});
    const Trained& shown = runs[static_cast<std::size_t>(f)];  // realisation 0, for Fig. 8
    out.write(g + "initial", shown.initial,
              {"Initial conductances of realisation 0 of the family.", "S", "edge"});
    out.write(g + "final", shown.final,
              {"Trained conductances of realisation 0 of the family.", "S", "edge"});
    out.write(g + "susceptibility_norms", shown.susceptibility,
              {"Susceptibility ||s_i||^2 of each edge of realisation 0 after training.",
               "V^2 / S^2 (per unit input)", "edge"});
    out.write(g + "relative_conductance", shown.relative,
              {"k_i over the mean conductance of the edges sharing a node with i, realisation 0.",
               "1", "edge"});
    std::vector<double> top, all, rho, cost;
    for (Index r = 0; r < n; ++r) {
      const Trained& t = runs[static_cast<std::size_t>(r * per + f)];
      top.push_back(t.top_below);
      all.push_back(t.all_below);
      rho.push_back(t.conductance_rho);
      cost.push_back(t.cost);
    }
    out.write(g + "top_below", Vector(Eigen::Map<const Vector>(top.data(), n)),
              {"Fraction of the most susceptible edges with relative conductance below 1, per "
               "realisation.",
               "1", "realisation"});
    out.write(g + "final_cost", Vector(Eigen::Map<const Vector>(cost.data(), n)),
              {"Training cost after training, per realisation.", "1 (loss, V^2)", "realisation"});
    table.checks.push_back(check_at_least(
        fam.name + ": fraction of the top " + text(100.0 * top_fraction) +
            "% ||s_i||^2 edges with k_i / <k_j> < 1 (median of " + std::to_string(n) + ")",
        median(top), below_needed,
        "high-susceptibility edges have k_i / <k_i> < 1, for every initial condition (000 "
        "Figs. 8, 10)",
        "'have' read as >= " + text(below_needed) +
            " of them; over all edges: " + text(median(all)) + "; Spearman(k_i, ||s_i||^2) " +
            text(median(rho)) + " (000: generically uncorrelated); median final cost " +
            text(median(cost)) + " (summed, R1's protocol)"));
  }
  out.write("analysis/families", per,
            {"Number of families of initial conductances (groups analysis/family<k>).", "1", ""});
  // The network of realisation 0 (the first family's run) for the figure.
  const std::uint64_t seed0 = random::derive_seed(base, 0);
  detail::write_training(
      out, "run", configs.front()->initial_condition(seed0, "", random::derive_seed(seed0, 100)),
      runs.front().run);
  return table;
}

}  // namespace

Reproduction r6_reproduction() {
  return {"R6", "000", "Figs. 8, 10",
          "four initial-condition families: susceptible edges have low relative conductance", run};
}

}  // namespace plnet::reproduce
