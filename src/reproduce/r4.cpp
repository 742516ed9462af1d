// R4: 000 Fig. 6 and Apps. B and E (Figs. 11, 12). Allostery: a 300-node jammed resistor
// network with source voltages 1 and 0 learns target drops across three edges (0.5 in Fig. 6;
// 0.3 and 0.1 in Fig. 11) or across one edge (0.001 .. 1 in Fig. 12). 000's claims: the trained
// network has one stiff cost mode per target edge; the susceptibility field ||s_i||^2 marks the
// boundaries of the persistent-homology sectors of the voltage response (Fig. 6b), less so as
// the drop decreases (App. B); and high-susceptibility edges are the stiff modes' edges (Figs.
// 6c, 11c, 12).
//
// Sectors (physics.md section 6): 0-dimensional persistence of the edge-drop filtration of the
// voltage response (edges enter by increasing |drop|), components persisting beyond
// `sector_threshold` x the response's range; boundary edges join two sectors.
#include "common.hpp"

#include <plnet/analysis/cost_hessian.hpp>
#include <plnet/analysis/statistics.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/analysis/topology.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>
#include <plnet/reproduce/ensemble.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <utility>

namespace plnet::reproduce {
namespace {

using detail::text;

struct Part {
  learning::Experiment experiment;
  detail::TrainedRun run;
  Vector before, after;  // cost Hessian eigenvalues, descending
  Matrix stiff_modes;    // M x targets
  Vector stiff_weight;   // sum over stiff modes of Psi_rho,i^2
  Vector susceptibility;
  Vector response;  // node voltages of the sample
  analysis::PersistentSectors sectors;
  analysis::EdgeSetOverlap overlap;        // top-|B| ||s_i||^2 edges vs boundary edges
  analysis::EdgeSetOverlap stiff_overlap;  // top-|B| stiff-weight edges vs boundary edges
  Index stiff_count = 0;                   // eigenvalues above the largest gap
  double gap_decades = 0.0;                // log10 mu_k / mu_{k+1} at k = targets
  double spearman = 0.0, p_value = 1.0;
  double cost = 0.0;
  double largest_drop_persistence = 0.0;  // the most persistent finite pair / response range
};

Part analyse(learning::Experiment experiment, detail::TrainedRun run, double threshold,
             std::uint64_t seed) {
  Part p;
  p.experiment = std::move(experiment);
  p.run = std::move(run);
  const learning::Experiment& e = p.experiment;
  const Index targets = e.task.num_outputs();
  learning::Responses responses(*e.model, e.task, e.solve);
  responses.update(p.run.initial);
  p.before =
      detail::descending_spectrum(analysis::cost_hessian(responses, e.train, e.loss).total, "R4")
          .values;
  responses.update(p.run.final);
  p.cost = learning::batch_cost(responses, e.train, e.loss);
  const detail::Spectrum spectrum =
      detail::descending_spectrum(analysis::cost_hessian(responses, e.train, e.loss).total, "R4");
  p.after = spectrum.values;
  const Matrix& modes = spectrum.vectors;
  p.gap_decades = detail::log_gap(p.after, targets - 1);
  // The first 4 t + 5 eigenvalues: with one target edge (Fig. 12) regression.cpp's 4 t would
  // leave only three gaps to compare.
  p.stiff_count = detail::count_above_largest_gap(p.after, 4 * targets + 5);
  p.stiff_modes = modes.leftCols(targets);
  p.stiff_weight = p.stiff_modes.array().square().rowwise().sum();

  const physics::BoundaryConditions structure =
      e.task.conditions(Vector::Zero(e.task.num_inputs()));
  p.susceptibility = analysis::susceptibility_norms(*e.model, p.run.final, structure);
  p.spearman = detail::spearman(p.susceptibility, p.stiff_weight);
  p.p_value = analysis::correlation_p_value(p.spearman, p.susceptibility.size());

  p.response = responses.states(e.train.inputs.topRows(1)).col(0);
  const double range = p.response.maxCoeff() - p.response.minCoeff();
  p.sectors = analysis::persistent_sectors(e.network, p.response, analysis::Filtration::kEdgeDrop,
                                           threshold * range);
  for (const auto& pair : p.sectors.pairs)
    if (std::isfinite(pair.death)) {
      p.largest_drop_persistence = pair.persistence() / range;
      break;
    }
  const auto boundary = static_cast<Index>(p.sectors.boundary_edges.size());
  if (boundary > 0) {
    p.overlap = analysis::boundary_overlap(p.sectors.boundary_edges, p.susceptibility, boundary,
                                           1000, seed);
    p.stiff_overlap =
        analysis::boundary_overlap(p.sectors.boundary_edges, p.stiff_weight, boundary, 1000, seed);
  }
  return p;
}

void write(io::H5Writer& out, const std::string& name, const Part& p) {
  detail::write_training(out, "run/" + name, p.experiment, p.run);
  const std::string g = "analysis/" + name + "/";
  out.write(g + "hessian_before", p.before,
            {"Eigenvalues of the cost Hessian at the initial conductances, descending.",
             "loss / conductance^2 (1/S^2 for the summed squared-volt loss)", "mode"});
  out.write(g + "hessian_after", p.after,
            {"Eigenvalues of the cost Hessian at the trained conductances, descending.",
             "loss / conductance^2 (1/S^2 for the summed squared-volt loss)", "mode"});
  out.write(g + "stiff_modes", p.stiff_modes,
            {"Unit eigenvectors of the trained cost Hessian for its largest eigenvalues.",
             "1 (unit vectors)", "edge, mode"});
  out.write(g + "stiff_weight", p.stiff_weight,
            {"Weight of each edge in the stiff subspace (sum over stiff modes of Psi_i^2).", "1",
             "edge"});
  out.write(g + "susceptibility_norms", p.susceptibility,
            {"Susceptibility ||s_i||^2 of each edge at the trained conductances.",
             "V^2 / S^2 (per unit input)", "edge"});
  out.write(g + "response", p.response,
            {"Node voltages of the trained network for its training sample.", "V", "node"});
  out.write(g + "sector", p.sectors.sector,
            {"Persistent sector of each node in the response (edge-drop filtration).",
             "index (sector)", "node"});
  out.write(g + "boundary_edges", p.sectors.boundary_edges,
            {"Edges joining two different sectors, ascending.", "index (edge)", "boundary edge"});
  out.write(g + "cost", p.cost,
            {"Training cost at the trained conductances.", "1 (loss, V^2)", ""});
  out.write(g + "spearman", p.spearman,
            {"Spearman correlation of ||s_i||^2 with the stiff weight.", "1", ""});
  out.write(g + "boundary_precision", p.overlap.fraction,
            {"Fraction of the most susceptible edges (as many as boundary edges) that are boundary "
             "edges.",
             "1", ""});
  out.write(g + "boundary_expected",
            p.overlap.expected / static_cast<double>(std::max<Index>(p.overlap.top, 1)),
            {"That fraction expected for a random set of edges.", "1", ""});
  out.write(g + "stiff_boundary_precision", p.stiff_overlap.fraction,
            {"Fraction of the edges of largest stiff weight that are boundary edges.", "1", ""});
}

// A fraction of the realisations, as text for notes ("7/10").
std::string count_text(Index k, Index n) {
  return std::to_string(k) + "/" + std::to_string(n);
}

CheckTable run(Context& context) {
  const Config& config = context.config;
  const Index n = config.integer("realisations", 10);
  const double threshold = config.number("sector_threshold", 0.1);
  const double trained_cost = config.number("trained_cost", 1e-4);
  const std::string main_part = config.text("main", "fig6");
  const std::string weakest_part = config.text("weakest", "fig11_0p1");
  const std::vector<std::string> variants = config.variants();
  require(n >= 1, config.path(), "reproduce.realisations: must be >= 1 (got ", n, ")");
  require(!variants.empty(), config.path(), "reproduce.variants is empty");
  const auto index_of = [&](const std::string& name) {
    const auto it = std::find(variants.begin(), variants.end(), name);
    require(it != variants.end(), config.path(),
            "reproduce.main and reproduce.weakest must name variants (got '", name, "')");
    return static_cast<std::size_t>(it - variants.begin());
  };
  const std::size_t main_index = index_of(main_part), weakest_index = index_of(weakest_part);
  const auto parts_per_realisation = static_cast<Index>(variants.size());

  // Realisation r is one network and initial condition (seed_r), trained for every part, as
  // 000 trains "the same circuit" for each drop.
  const std::uint64_t base = random::derive_seed(context.seed, 4);
  const std::vector<Part> parts =
      run_ensemble(n * parts_per_realisation, base, context.threads, [&](Index k, std::uint64_t) {
        const Index r = k / parts_per_realisation;
        const std::string& name = variants[static_cast<std::size_t>(k % parts_per_realisation)];
        const std::uint64_t seed = random::derive_seed(base, static_cast<std::uint64_t>(r));
        learning::Experiment e = config.experiment(seed, name);
        detail::TrainedRun trained =
            detail::train(e, context, "R4 " + name + " " + std::to_string(r));
        return analyse(std::move(e), std::move(trained), threshold, seed);
      });
  const auto part = [&](std::size_t v, Index r) -> const Part& {
    return parts[static_cast<std::size_t>(r * parts_per_realisation) + v];
  };

  // The network drawn in the figure: the trained realisation of the main part whose boundary
  // precision is closest to the median over trained ones (realisation 0 if none trained), with
  // every part of that same network.
  Index shown = 0;
  {
    std::vector<double> precisions;
    for (Index r = 0; r < n; ++r)
      if (part(main_index, r).cost <= trained_cost)
        precisions.push_back(part(main_index, r).overlap.fraction);
    const double middle = detail::median(precisions);
    double best = std::numeric_limits<double>::infinity();
    for (Index r = 0; r < n; ++r) {
      const Part& p = part(main_index, r);
      if (p.cost > trained_cost) continue;
      if (std::abs(p.overlap.fraction - middle) < best) {
        best = std::abs(p.overlap.fraction - middle);
        shown = r;
      }
    }
  }
  context.results.write(
      "analysis/shown_realisation", shown,
      {"The realisation whose network is stored under run/ and shown in the figure.",
       "index (realisation)", ""});

  CheckTable table;
  std::vector<double> median_precision(variants.size(), 0.0);
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const std::string& name = variants[v];
    write(context.results, name, part(v, shown));
    const Part& first = part(v, shown);
    const Index targets = first.experiment.task.num_outputs();
    Vector costs(n), stiff(n), rho(n), precision(n), sectors(n), persistence(n);
    Index trained = 0, stiff_ok = 0, correlated = 0;
    std::vector<double> trained_precision, gaps;
    for (Index r = 0; r < n; ++r) {
      const Part& p = part(v, r);
      costs[r] = p.cost;
      stiff[r] = static_cast<double>(p.stiff_count);
      rho[r] = p.spearman;
      precision[r] = p.overlap.fraction;
      sectors[r] = static_cast<double>(p.sectors.count);
      persistence[r] = p.largest_drop_persistence;
      if (p.cost > trained_cost) continue;
      ++trained;
      stiff_ok += p.stiff_count == targets ? 1 : 0;
      correlated += p.spearman > 0.0 && p.p_value < 1e-3 ? 1 : 0;
      trained_precision.push_back(p.overlap.fraction);
      gaps.push_back(p.gap_decades);
    }
    const std::string g = "analysis/" + name + "/realisations/";
    context.results.write(g + "cost", costs,
                          {"Training cost of each realisation.", "1 (loss, V^2)", "realisation"});
    context.results.write(
        g + "stiff_count", stiff,
        {"Number of stiff modes (eigenvalues above the largest gap) of each realisation.", "1",
         "realisation"});
    context.results.write(
        g + "spearman", rho,
        {"Spearman correlation of ||s_i||^2 with the stiff weight, per realisation.", "1",
         "realisation"});
    context.results.write(
        g + "boundary_precision", precision,
        {"Fraction of the most susceptible edges that are sector-boundary edges, per realisation.",
         "1", "realisation"});
    context.results.write(
        g + "sectors", sectors,
        {"Number of persistent sectors of each realisation's response.", "1", "realisation"});
    context.results.write(
        g + "largest_drop_persistence", persistence,
        {"Persistence of the most persistent finite pair over the response range, per realisation.",
         "1", "realisation"});
    median_precision[v] = detail::median(trained_precision);

    std::ostringstream drops;
    for (Index j = 0; j < first.experiment.train.targets.cols(); ++j)
      drops << (j ? ", " : "") << text(first.experiment.train.targets(0, j));
    const std::string who = name + " (" + std::to_string(targets) + " target edge" +
                            (targets > 1 ? "s" : "") + ", drop " + drops.str() + ")";
    const double trained_fraction = static_cast<double>(trained) / static_cast<double>(n);
    const double of_trained = std::max<double>(static_cast<double>(trained), 1.0);
    table.checks.push_back(check_at_least(
        who + ": fraction of " + std::to_string(n) +
            " networks trained to C <= " + text(trained_cost),
        trained_fraction, 0.8, "trained (000 App. D: C ~ 1e-5 at 0.5, 7e-10 at 0.3, 2e-8 at 0.1)",
        "'generically' read as >= 0.8; median final cost " +
            text(detail::median(std::vector<double>(costs.data(), costs.data() + n))) + " after " +
            std::to_string(first.run.steps) + " steps"));
    table.checks.push_back(check_at_least(
        who + ": fraction of the trained networks with " + std::to_string(targets) + " stiff mode" +
            (targets > 1 ? "s" : "") + " above the largest gap",
        static_cast<double>(stiff_ok) / of_trained, 0.8,
        std::to_string(targets) + " stiff mode" + (targets > 1 ? "s" : "") +
            " (000 Fig. 6c, Fig. 12: one per target edge)",
        count_text(stiff_ok, trained) + "; median gap after mode " + std::to_string(targets) +
            ": " + text(detail::median(gaps)) + " decades"));
    table.checks.push_back(check_at_least(
        who + ": fraction of the trained networks with Spearman(||s_i||^2, sum_rho Psi_rho,i^2) "
              "> 0 at p < 1e-3",
        static_cast<double>(correlated) / of_trained, 0.8,
        "high-susceptibility edges are the stiff modes' edges (000 Figs. 6c, 11c, 12)",
        count_text(correlated, trained) + "; median rho " +
            text(detail::median(std::vector<double>(rho.data(), rho.data() + n)))));
    if (v != main_index) continue;
    std::vector<double> counts(sectors.data(), sectors.data() + n),
        largest(persistence.data(), persistence.data() + n);
    Index one_sector = 0;
    for (double c : counts) one_sector += c <= 1.0 ? 1 : 0;
    const std::string sector_note =
        "sectors: components of the edge-drop filtration persisting beyond " + text(threshold) +
        " x the response range (median " + text(detail::median(counts)) + " sectors; " +
        count_text(one_sector, n) +
        " networks have one sector, no boundary; median largest finite persistence " +
        text(detail::median(largest)) +
        " x the range); precision of the top-|B| ||s_i||^2 "
        "edges against B, median over the trained networks; a random edge set scores |B|/M";
    table.checks.push_back(check_at_least(
        who + ": median fraction of the top-|B| ||s_i||^2 edges on the sector boundaries B",
        median_precision[v], 0.5,
        "the susceptibility field captures the boundaries between persistent sectors (000 Fig. "
        "6b)",
        "'captures' read as: at least half of the most susceptible edges are boundary edges; " +
            sector_note));
  }
  // App. B: the overlap with the sector boundaries shrinks as the drop decreases.
  table.checks.push_back(check_at_least(
      "median boundary precision at the main drop minus at the weakest (" + main_part + " - " +
          weakest_part + ")",
      median_precision[main_index] - median_precision[weakest_index], 0.0,
      "as the drop decreases the susceptible edges overlap less with the sector boundaries (000 "
      "App. B, Fig. 11)",
      text(median_precision[main_index]) + " vs " + text(median_precision[weakest_index])));
  return table;
}

}  // namespace

Reproduction r4_reproduction() {
  return {"R4", "000", "Figs. 6, 11, 12",
          "allostery: one stiff mode per target edge, susceptible edges on sector boundaries", run};
}

}  // namespace plnet::reproduce
