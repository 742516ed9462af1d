// R11: 003 Fig. 5 and Sec. IV. Networks trained for n_T = 5 simultaneous tasks: fully connected
// node networks (N = 20, random linear constraints, 003 App. A eq. A1) and flow networks
// (Erdos-Renyi, N = 40, Z = 3, five allosteric source/target pairs, 003 App. A), averaged over
// realisations as 003 does (300). 003's claims (Sec. IV):
//   node: "three eigenvalues are significantly reduced while two eigenvalues are increased";
//         "five eigenmodes align (by dot product) with the five input forces, the bottom three
//         and top two";
//   flow: "all eigenvalues are decreased, with larger effects at the bottom of the spectrum";
//         "the bottom eigenmodes tend to align with the input forces".
//
// Per realisation, eigenvalues of the reduced Hessian (task holds) before and after training,
// matched by rank, and each mode's alignment |P v_k|^2 with the span of the n_T input forces
// (analysis::task_alignment; a random direction scores n_T / n). Profiles are means over
// realisations per rank, counted from the bottom and from the top (random graphs differ in
// size). A mode "aligns" when its mean alignment exceeds `aligned_excess` x the random n_T / n.
#include "common.hpp"

#include <plnet/analysis/effective.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>
#include <plnet/reproduce/ensemble.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace plnet::reproduce {
namespace {

using detail::median;
using detail::text;

struct Realisation {
  Vector values_before, values_after;    // ascending
  Vector overlap_before, overlap_after;  // |P v_k|^2 per mode, ascending eigenvalue order
  Vector output_overlap_after;           // the same with the span of the output forces
  // The same with the span of the responses H^-1 F_r (003 Sec. III D: "the lowest eigenmodes
  // should have a large overlap with the response of the network to the input force").
  Vector response_overlap_before, response_overlap_after;
  double cost_ratio = 0.0;       // final / initial cost
  double relative_change = 0.0;  // ||w_after - w_before|| / ||w_before||
  Index tasks = 0;
};

// Mean over realisations of f(r, k) for ranks k = 0..K-1 from the bottom (from_top: rank k from
// the top), K = the smallest network's number of modes.
template <typename F>
Vector profile(const std::vector<Realisation>& rs, bool from_top, F&& f) {
  Index modes = std::numeric_limits<Index>::max();
  for (const Realisation& r : rs) modes = std::min(modes, r.values_after.size());
  Vector out = Vector::Zero(modes);
  for (const Realisation& r : rs)
    for (Index k = 0; k < modes; ++k) out[k] += f(r, from_top ? r.values_after.size() - 1 - k : k);
  return out / static_cast<double>(rs.size());
}

std::string list(const Vector& v, Index count) {
  std::ostringstream s;
  for (Index k = 0; k < std::min(count, v.size()); ++k) s << (k ? ", " : "") << text(v[k]);
  return s.str();
}

CheckTable run(Context& context) {
  const Config& config = context.config;
  const Index n = config.integer("realisations", 300);
  const double excess = config.number("aligned_excess", 1.25);
  const std::vector<std::string> variants = config.variants();
  require(n >= 1, config.path(), "reproduce.realisations: must be >= 1 (got ", n, ")");
  require(excess > 0.0, config.path(), "reproduce.aligned_excess: must be > 0 (got ", excess, ")");
  require(!variants.empty(), config.path(), "reproduce.variants is empty");

  CheckTable table;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const std::string& variant = variants[v];
    const std::vector<Realisation> results = run_ensemble(
        n, random::derive_seed(context.seed, 1100 + v), context.threads,
        [&](Index i, std::uint64_t seed) {
          // A random graph whose largest component is smaller than the task's node indices
          // cannot host the task: redrawn (deterministically).
          const learning::Experiment e =
              detail::redrawn_experiment(config, seed, variant, "node out of range");
          const detail::TrainedRun t =
              detail::train(e, context, "R11 " + variant + " " + std::to_string(i));
          const physics::BoundaryConditions structure =
              e.task.conditions(Vector::Zero(e.task.num_inputs()));
          Realisation r;
          r.tasks = e.task.num_inputs();
          auto measure = [&](const Vector& w, Vector& values, Vector& overlap, Vector* outputs,
                             Vector& responses) {
            const analysis::PhysicalSpectrum s =
                analysis::physical_spectrum(*e.model, w, structure);
            values = s.reduced_values;
            const Matrix forces = analysis::task_forces(*e.model, w, e.task);
            overlap = analysis::task_alignment(s.reduced_modes, forces.leftCols(r.tasks))
                          .subspace_overlap;
            // H_r^-1 F = V diag(1 / lambda) V^T F in the reduced coordinates.
            const Matrix response = s.reduced_modes * s.reduced_values.cwiseInverse().asDiagonal() *
                                    (s.reduced_modes.transpose() * forces.leftCols(r.tasks));
            responses = analysis::task_alignment(s.reduced_modes, response).subspace_overlap;
            if (outputs != nullptr)
              *outputs = analysis::task_alignment(s.reduced_modes,
                                                  forces.rightCols(forces.cols() - r.tasks))
                             .subspace_overlap;
          };
          measure(t.initial, r.values_before, r.overlap_before, nullptr, r.response_overlap_before);
          measure(t.final, r.values_after, r.overlap_after, &r.output_overlap_after,
                  r.response_overlap_after);
          r.cost_ratio = t.log.back().train_cost / t.log.front().train_cost;
          r.relative_change = (t.final - t.initial).norm() / t.initial.norm();
          return r;
        });

    // Per-rank profiles (means over realisations), from the bottom and from the top.
    auto shift = [](const Realisation& r, Index k) {
      return std::log(r.values_after[k] / r.values_before[k]);
    };
    auto after = [](const Realisation& r, Index k) { return r.overlap_after[k]; };
    auto before = [](const Realisation& r, Index k) { return r.overlap_before[k]; };
    const Vector shift_bottom = profile(results, false, shift);
    const Vector shift_top = profile(results, true, shift);
    const Vector align_bottom = profile(results, false, after);
    const Vector align_top = profile(results, true, after);
    const Vector align_bottom_before = profile(results, false, before);
    const Vector response_bottom = profile(
        results, false, [](const Realisation& r, Index k) { return r.response_overlap_after[k]; });
    const Vector response_bottom_before = profile(
        results, false, [](const Realisation& r, Index k) { return r.response_overlap_before[k]; });
    const Vector output_align_bottom = profile(
        results, false, [](const Realisation& r, Index k) { return r.output_overlap_after[k]; });
    std::vector<double> random_overlaps, ratios, changes;
    for (const Realisation& r : results) {
      random_overlaps.push_back(static_cast<double>(r.tasks) /
                                static_cast<double>(r.values_after.size()));
      ratios.push_back(r.cost_ratio);
      changes.push_back(r.relative_change);
    }
    const double random_overlap = median(random_overlaps);
    const Index tasks = results.front().tasks;
    const Index modes = shift_bottom.size();
    const std::string g = "analysis/" + variant + "/";
    context.results.write(
        g + "log_shift_from_bottom", shift_bottom,
        {"Mean over realisations of log(lambda_after / lambda_before) of the k-th softest mode.",
         "1 (natural log)", "mode from bottom"});
    context.results.write(
        g + "log_shift_from_top", shift_top,
        {"Mean over realisations of log(lambda_after / lambda_before) of the k-th stiffest mode.",
         "1 (natural log)", "mode from top"});
    context.results.write(
        g + "alignment_from_bottom", align_bottom,
        {"Mean overlap of the k-th softest mode with the span of the task forces, after training.",
         "1", "mode from bottom"});
    context.results.write(
        g + "alignment_from_top", align_top,
        {"Mean overlap of the k-th stiffest mode with the span of the task forces, after training.",
         "1", "mode from top"});
    context.results.write(
        g + "alignment_from_bottom_before", align_bottom_before,
        {"Mean overlap of the k-th softest mode with the task forces, before training.", "1",
         "mode from bottom"});
    context.results.write(
        g + "output_alignment_from_bottom", output_align_bottom,
        {"Mean overlap of the k-th softest mode with the output readouts, after training.", "1",
         "mode from bottom"});
    context.results.write(
        g + "response_alignment_from_bottom", response_bottom,
        {"Mean overlap of the k-th softest mode with the task responses, after training.", "1",
         "mode from bottom"});
    context.results.write(
        g + "response_alignment_from_bottom_before", response_bottom_before,
        {"Mean overlap of the k-th softest mode with the task responses, before training.", "1",
         "mode from bottom"});
    context.results.write(
        g + "random_alignment", random_overlap,
        {"Median expected overlap of a random direction (tasks / modes).", "1", ""});
    Matrix first(results.front().values_after.size(), 4);  // realisation 0, for the figure
    first << results.front().values_before, results.front().values_after,
        results.front().overlap_before, results.front().overlap_after;
    context.results.write(g + "realisation0", first,
                          {"Realisation 0 per mode (ascending): eigenvalue before, eigenvalue "
                           "after, task-force overlap before, after.",
                           "as the parameters (stiffness or conductance); as the parameters "
                           "(stiffness or conductance); 1; 1",
                           "mode, column"});

    const std::string who =
        variant + " (" + std::to_string(n) + " realisations, " + std::to_string(tasks) + " tasks)";
    const double aligned_level = excess * random_overlap;
    Index aligned_modes = 0;  // ranks (from the bottom) whose mean alignment is above the level
    for (Index k = 0; k < modes; ++k) aligned_modes += align_bottom[k] > aligned_level ? 1 : 0;
    const std::string profiles =
        "mean log(lambda_after / lambda_before) by rank, lowest: " + list(shift_bottom, 5) +
        "; highest: " + list(shift_top, 5) +
        "; parameters moved ||dw|| / ||w|| = " + text(median(changes)) + " (median)";
    const std::string alignments =
        "mean alignment by rank, lowest: " + list(align_bottom, 5) +
        " (before training: " + list(align_bottom_before, 5) + "); highest: " + list(align_top, 5) +
        "; random n_T / n = " + text(random_overlap) + "; 'aligns' read as > " + text(excess) +
        " x random; modes above it: " + std::to_string(aligned_modes) + " of " +
        std::to_string(modes) +
        "; alignment of the lowest modes with the output (target) "
        "forces: " +
        list(output_align_bottom, 5) +
        "; with the responses H^-1 F_r (003 Sec. III D): " + list(response_bottom, 5) +
        " (before training: " + list(response_bottom_before, 5) + ")";
    table.checks.push_back(check_at_most(who + ": median final / initial cost", median(ratios),
                                         1e-2,
                                         "the tasks are learned: 'vanishing error' (003 "
                                         "Sec. IV)",
                                         "'learned' read as the cost down 2 decades"));
    if (variant == "node") {
      // "three eigenvalues are significantly reduced while two eigenvalues are increased":
      // the lowest three mean shifts negative and the highest two positive, each larger than
      // the median |mean shift| over all ranks.
      const Vector magnitudes = shift_bottom.cwiseAbs();
      const double typical =
          median(std::vector<double>(magnitudes.data(), magnitudes.data() + modes));
      Index as_stated = 0;
      for (Index k = 0; k < 3 && k < modes; ++k)
        as_stated += shift_bottom[k] < 0.0 && std::abs(shift_bottom[k]) > typical ? 1 : 0;
      for (Index k = 0; k < 2 && k < modes; ++k)
        as_stated += shift_top[k] > 0.0 && std::abs(shift_top[k]) > typical ? 1 : 0;
      table.checks.push_back(check_between(
          who + ": of the lowest 3 and highest 2 eigenvalues, those moved as 003 states",
          static_cast<double>(as_stated), 5.0, 5.0,
          "three eigenvalues significantly reduced, two increased (003 Fig. 5a)",
          "lowest 3 down, highest 2 up, each by more than the median |shift| over ranks (" +
              text(typical) + "); " + profiles));
      Index ends_aligned = 0;
      for (Index k = 0; k < 3 && k < modes; ++k) ends_aligned += align_bottom[k] > aligned_level;
      for (Index k = 0; k < 2 && k < modes; ++k) ends_aligned += align_top[k] > aligned_level;
      // Measured with seed 1 (300 and 50 realisations): the third-lowest mode sits at 1.24 x
      // random (docs/reproduce.md, R11).
      table.checks.push_back(known_deviation(
          check_between(
              who + ": of the lowest 3 and highest 2 modes, those aligned with the task inputs",
              static_cast<double>(ends_aligned), 5.0, 5.0,
              "five eigenmodes align with the five input forces, the bottom three and top two (003 "
              "Fig. 5b)",
              alignments),
          "the third-lowest mode is aligned (mean " +
              text(align_bottom[std::min<Index>(2, modes - 1)]) + " against " +
              text(random_overlap) +
              " for a random direction and before training) but below the 1.25 x line fixed "
              "before measuring; the two lowest and two highest modes are clearly aligned, and "
              "the lowest mode lies almost entirely in the span of the responses H^-1 F_r "
              "(" +
              text(response_bottom[0]) + ", against " + text(response_bottom_before[0]) +
              " before training)"));
    } else {
      Index decreased = 0;
      for (Index k = 0; k < modes; ++k) decreased += shift_bottom[k] < 0.0 ? 1 : 0;
      table.checks.push_back(
          check_at_least(who + ": fraction of ranks whose mean eigenvalue decreased",
                         static_cast<double>(decreased) / static_cast<double>(modes), 0.9,
                         "all eigenvalues are decreased (003 Fig. 5c)",
                         "'all' read as >= 90% of the ranks; " + profiles));
      const double bottom = shift_bottom.head(std::min(tasks, modes)).mean();
      const double rest = shift_bottom.tail(modes - std::min(tasks, modes)).mean();
      table.checks.push_back(check_at_least(
          who + ": mean shift of the lowest n_T eigenvalues / of the rest", bottom / rest, 2.0,
          "larger effects at the bottom of the spectrum (003 Fig. 5c)",
          "'larger' read as at least twice; lowest n_T " + text(bottom) + ", rest " + text(rest)));
      table.checks.push_back(known_deviation(
          check_at_least(
              who + ": mean alignment of the lowest n_T modes with the task inputs / random",
              align_bottom.head(std::min(tasks, modes)).mean() / random_overlap, excess,
              "the bottom eigenmodes tend to align with the input forces (003 Fig. 5d)",
              alignments),
          "the lowest eigenvalues fall (rows above) but their modes carry no more weight on the "
          "five source nodes than a random direction, before or after training, nor on the "
          "target nodes; the lowest mode already spans the responses H^-1 F_r before training (" +
              text(response_bottom_before[0]) +
              ": in a grounded sparse graph it dominates every response). 003 does not define "
              "its dot product for point forces on difference networks; not resolved"));
    }
  }
  return table;
}

}  // namespace

Reproduction r11_reproduction() {
  return {"R11", "003", "Fig. 5",
          "five simultaneous tasks: the spectrum's ends shift and align with the task inputs", run};
}

}  // namespace plnet::reproduce
