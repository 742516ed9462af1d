// R8: 002 Fig. 1. A resistor network trained so that the voltage drop across two output nodes
// equals the drop applied across two input nodes. 002's claims: the response splits into a
// high-voltage and a low-voltage sector separated by a crack of low-conductance edges (Fig.
// 1a, b); the stiff mode of the cost Hessian is localised on the crack (Fig. 1c); the lowest
// non-trivial mode v_1 of the physical Hessian reflects the response, and (Delta_i v_1)^2 is
// localised on the same edges as the stiff cost mode (Fig. 1d).
//
// The physical Hessian here is the weighted Laplacian H(w) = sum_i w_i b_i b_i^T of the whole
// network, without the task's holds ("lowest nontrivial eigenmode": the uniform zero mode is
// the trivial one), so v_1 is found without knowing the inputs or outputs, as 002 stresses.
// Its eigenvalues are plnet's (half of 002's); only eigenvectors and ratios are compared.
#include "common.hpp"

#include <plnet/analysis/cost_hessian.hpp>
#include <plnet/analysis/relative_conductance.hpp>
#include <plnet/analysis/statistics.hpp>
#include <plnet/analysis/topology.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace plnet::reproduce {
namespace {

using detail::text;

// Indices of `weights` sorted by decreasing value (ties by index).
std::vector<Index> by_decreasing(const Vector& weights) {
  std::vector<Index> order(static_cast<std::size_t>(weights.size()));
  std::iota(order.begin(), order.end(), Index{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return weights[a] > weights[b]; });
  return order;
}

// The smallest number of entries of a unit vector's squares that hold `fraction` of its weight
// (a localisation length in edges).
Index entries_holding(const Vector& squares, double fraction) {
  const std::vector<Index> order = by_decreasing(squares);
  const double total = squares.sum();
  double sum = 0.0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    sum += squares[order[k]];
    if (sum >= fraction * total) return static_cast<Index>(k + 1);
  }
  return static_cast<Index>(order.size());
}

// The top eigenvector of the cost Hessian (the stiffest mode) and the spectrum, descending.
struct StiffMode {
  Vector values;
  Vector mode;
};

StiffMode stiffest(const learning::Experiment& e, const Vector& w) {
  learning::Responses responses(*e.model, e.task, e.solve);
  responses.update(w);
  const detail::Spectrum s =
      detail::descending_spectrum(analysis::cost_hessian(responses, e.train, e.loss).total, "R8");
  return {s.values, s.vectors.col(0)};
}

CheckTable run(Context& context) {
  const Config& config = context.config;
  const double localised_fraction = config.number("localised_fraction", 0.1);
  const double sector_tolerance = config.number("sector_tolerance", 0.05);

  const learning::Experiment e = config.experiment(random::derive_seed(context.seed, 0));
  require(e.task.num_inputs() == 1 && e.task.num_outputs() == 1, config.path(),
          "task: R8 needs one input drop and one output drop (got ", e.task.num_inputs(),
          " inputs, ", e.task.num_outputs(), " outputs)");
  context.log("R8: " + std::to_string(e.network.num_nodes()) + " nodes, " +
              std::to_string(e.network.num_edges()) + " edges, " +
              std::to_string(e.protocol.steps) + " steps");
  const detail::TrainedRun run = detail::train(e, context, "R8");
  detail::write_training(context.results, "run", e, run);
  const Index m = e.network.num_edges();

  // The task: relative error of the output drop against the input drop over the data.
  learning::Responses responses(*e.model, e.task, e.solve);
  responses.update(run.final);
  const Matrix outputs = responses.outputs(e.train.inputs);
  const double relative_error =
      (outputs - e.train.targets).norm() / std::max(e.train.targets.norm(), 1e-300);

  // The response to a unit input drop (the largest-input sample, rescaled).
  Index largest = 0;
  e.train.inputs.col(0).cwiseAbs().maxCoeff(&largest);
  const double drive = e.train.inputs(largest, 0);
  require(std::abs(drive) > 0.0, config.path(), "data: every input drop is zero");
  const Vector response = responses.states(e.train.inputs.row(largest)).col(0) / drive;

  // Two sectors of nearly uniform voltage: nodes within sector_tolerance (of the unit drop) of
  // the lowest or the highest node voltage.
  const double low = response.minCoeff(), high = response.maxCoeff();
  const double span = high - low;
  Index in_sectors = 0;
  for (Index v = 0; v < response.size(); ++v)
    if (response[v] - low <= sector_tolerance * span ||
        high - response[v] <= sector_tolerance * span)
      ++in_sectors;
  const double sector_fraction =
      static_cast<double>(in_sectors) / static_cast<double>(response.size());

  // Stiff cost mode before and after; its localisation (edges holding 90% of Psi_1^2).
  const StiffMode before = stiffest(e, run.initial);
  const StiffMode after = stiffest(e, run.final);
  const Vector psi2 = after.mode.array().square();
  const Index crack_size = entries_holding(psi2, 0.9);
  const Index crack_size_before = entries_holding(before.mode.array().square(), 0.9);
  const std::vector<Index> order = by_decreasing(psi2);
  std::vector<Index> crack(order.begin(), order.begin() + crack_size);
  std::sort(crack.begin(), crack.end());

  // The crack blocks current: relative conductance k_i / <k_j>_{j ~ i} of its edges.
  const Vector relative = analysis::relative_conductance(e.network, run.final);
  std::vector<double> crack_relative, crack_conductance, all_conductance;
  for (Index i : crack) {
    crack_relative.push_back(relative[i]);
    crack_conductance.push_back(run.final[i]);
  }
  for (Index i = 0; i < m; ++i) all_conductance.push_back(run.final[i]);
  const double crack_relative_median = detail::median(crack_relative);
  const double conductance_ratio =
      detail::median(crack_conductance) / detail::median(all_conductance);

  // Lowest non-trivial mode of the whole network's Laplacian and its squared drops.
  const Matrix laplacian = Matrix(e.model->hessian(run.final));
  Eigen::SelfAdjointEigenSolver<Matrix> physical(laplacian);
  require(physical.info() == Eigen::Success, "R8", "physical Hessian eigensolver failed");
  const Vector physical_values = physical.eigenvalues();
  const Vector soft = physical.eigenvectors().col(1);
  Vector soft_drops;
  e.model->drops(soft, soft_drops);
  const Vector soft_drops2 = soft_drops.array().square();
  // |cos| between v_1 and the response, both without their mean (the trivial mode).
  const Vector centred = response.array() - response.mean();
  const double response_alignment =
      std::abs(centred.dot(soft)) / std::max(centred.norm() * soft.norm(), 1e-300);

  const double rank_correlation = detail::spearman(soft_drops2, psi2);
  const double p_value = analysis::correlation_p_value(rank_correlation, m);
  const analysis::EdgeSetOverlap overlap =
      analysis::boundary_overlap(crack, soft_drops2, crack_size, 1000, context.seed);

  auto& out = context.results;
  out.write(
      "analysis/relative_error", relative_error,
      {"||outputs - targets|| / ||targets|| over the training samples after training.", "1", ""});
  out.write("analysis/response", response,
            {"Node voltages per unit input drop for the training sample of largest drive.",
             "1 (V per V)", "node"});
  out.write("analysis/cost_hessian_before", before.values,
            {"Eigenvalues of the cost Hessian before training, descending.",
             "loss / conductance^2 (1/S^2 for the summed squared-volt loss)", "mode"});
  out.write("analysis/cost_hessian_after", after.values,
            {"Eigenvalues of the cost Hessian after training, descending.",
             "loss / conductance^2 (1/S^2 for the summed squared-volt loss)", "mode"});
  out.write("analysis/stiff_mode", after.mode,
            {"The stiffest cost-Hessian mode after training (unit vector).", "1", "edge"});
  out.write("analysis/stiff_mode_before", before.mode,
            {"The stiffest cost-Hessian mode before training (unit vector).", "1", "edge"});
  out.write("analysis/physical_values", physical_values,
            {"Eigenvalues of the trained network's Laplacian, ascending.", "S", "mode"});
  out.write("analysis/soft_mode", soft,
            {"The lowest non-trivial Laplacian mode v_1 (unit vector).", "1", "node"});
  out.write("analysis/soft_mode_drops2", soft_drops2,
            {"Squared drop (Delta_i v_1)^2 of that mode across each edge.", "1", "edge"});
  out.write("analysis/relative_conductance", relative,
            {"k_i over the mean conductance of the edges sharing a node with i.", "1", "edge"});
  out.write(
      "analysis/crack_edges", crack,
      {"The edges of the crack: the lowest-conductance edges carrying most of the stiff mode.",
       "index (edge)", "crack edge"});
  out.write("analysis/spearman", rank_correlation,
            {"Spearman correlation of (Delta_i v_1)^2 with the stiff mode's Psi_i^2.", "1", ""});

  const std::string crack_def = "crack = the " + std::to_string(crack_size) +
                                " edges holding 90% of Psi_1^2 (of " + std::to_string(m) + ")";
  CheckTable table;
  table.checks.push_back(
      check_at_most("relative error |y - x| / |x| of the output drop", relative_error, 1e-2,
                    "output drop equals input drop (002 Fig. 1)",
                    "'equal' read as within 1%; after " + std::to_string(run.steps) +
                        " steps, cost " + text(run.log.back().train_cost)));
  table.checks.push_back(check_at_least(
      "fraction of nodes in two uniform-voltage sectors", sector_fraction, 0.8,
      "response partitioned into a high and a low uniform-voltage sector (002 Fig. 1a)",
      "a node is in a sector when its voltage is within " + text(sector_tolerance) +
          " of the response range from the lowest or the highest voltage"));
  table.checks.push_back(check_at_most(
      "fraction of edges holding 90% of the stiff cost mode's weight",
      static_cast<double>(crack_size) / static_cast<double>(m), localised_fraction,
      "the stiff mode is spatially localised (002 Fig. 1c)",
      "'localised' read as <= " + text(localised_fraction) +
          " of the edges; before training it takes " + std::to_string(crack_size_before) +
          " edges, near the input (one constraint: H = g g^T has one stiff mode, g/|g|, which "
          "is where the drops and the adjoint drops are both large), after training it is the "
          "crack; stiff eigenvalues after " +
          text(after.values[0]) + ", " + text(after.values[1])));
  table.checks.push_back(check_at_most(
      "median relative conductance k_i / <k_j> of the crack edges", crack_relative_median, 1.0,
      "the crack is made of low-conductance edges (002 Fig. 1b)",
      crack_def + "; their median conductance / the network's median: " + text(conductance_ratio)));
  table.checks.push_back(check_at_least(
      "|cos| between the soft physical mode v_1 and the response", response_alignment, 0.9,
      "the soft mode reflects the voltage response (002 Fig. 1d)",
      "v_1: lowest non-trivial eigenvector of the Laplacian (no holds); both centred; "
      "lambda_1 / lambda_2 = " +
          text(physical_values[1] / physical_values[2])));
  table.checks.push_back(check_at_least(
      "overlap of the top (Delta_i v_1)^2 edges with the crack", overlap.fraction, 0.5,
      "(Delta_i v_1)^2 localised on the crack picked by the stiff mode (002 Fig. 1c, d)",
      "top " + std::to_string(crack_size) + " edges by (Delta_i v_1)^2; random sets: " +
          text(overlap.expected / static_cast<double>(crack_size)) +
          "; hypergeometric p = " + text(overlap.p_value) + "; Spearman((Delta_i v_1)^2, " +
          "Psi_1,i^2) = " + text(rank_correlation) + " (p = " + text(p_value) + ")"));
  return table;
}

}  // namespace

Reproduction r8_reproduction() {
  return {"R8", "002", "Fig. 1",
          "input drop -> equal output drop: a crack, a localised stiff mode and the soft mode",
          run};
}

}  // namespace plnet::reproduce
