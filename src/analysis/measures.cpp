// The measure registry of `plnet analyze`: each entry calls the library functions of
// include/plnet/analysis/ on the shared context and names what it returns.
#include <plnet/analysis/bordered_inverse.hpp>
#include <plnet/analysis/circuits.hpp>
#include <plnet/analysis/cost_hessian_operator.hpp>
#include <plnet/analysis/dimension.hpp>
#include <plnet/analysis/effective.hpp>
#include <plnet/analysis/landscape.hpp>
#include <plnet/analysis/measured_susceptibility.hpp>
#include <plnet/analysis/measures.hpp>
#include <plnet/analysis/partial_susceptibility.hpp>
#include <plnet/analysis/relative_conductance.hpp>
#include <plnet/analysis/saturation.hpp>
#include <plnet/analysis/selected_inversion.hpp>
#include <plnet/analysis/statistics.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/analysis/susceptibility_scale.hpp>
#include <plnet/analysis/topology.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>
#include <plnet/learning/responses.hpp>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace plnet::analysis {

void AnalysisOptions::validate() const {
  require(modes >= 1, "AnalysisOptions::modes", "must be >= 1 (got ", modes, ")");
  require(stiff >= 0, "AnalysisOptions::stiff", "must be >= 0 (got ", stiff, ")");
  require(forces >= 3, "AnalysisOptions::forces", "must be >= 3 (got ", forces, ")");
  require(neighbours >= 3, "AnalysisOptions::neighbours", "must be >= 3 (got ", neighbours, ")");
  require(std::isfinite(sector_threshold) && sector_threshold >= 0 && sector_threshold <= 1,
          "AnalysisOptions::sector_threshold",
          "must be a fraction of the field range, in [0, 1] (got ", sector_threshold, ")");
  // Every grid point is a solve: 1001^2 is already a million of them.
  require(landscape_grid >= 3 && landscape_grid <= kMaxLandscapeGrid && landscape_grid % 2 == 1,
          "AnalysisOptions::landscape_grid", "must be odd and in [3, ", kMaxLandscapeGrid,
          "] (got ", landscape_grid, ")");
  require(std::isfinite(landscape_extent) && landscape_extent > 0,
          "AnalysisOptions::landscape_extent", "must be finite and > 0 (got ", landscape_extent,
          ")");
  require(!probe_noise.empty(), "AnalysisOptions::probe_noise", "needs at least one level");
  for (double noise : probe_noise)
    require(std::isfinite(noise) && noise >= 0, "AnalysisOptions::probe_noise",
            "levels must be finite and >= 0 (got ", noise, ")");
  for (Index r : probe_counts)
    require(r >= 1, "AnalysisOptions::probe_counts", "must be >= 1 (got ", r, ")");
  require(sketch_probes >= 1, "AnalysisOptions::sketch_probes", "must be >= 1 (got ", sketch_probes,
          ")");
}

struct AnalysisContext::Cache {
  std::optional<learning::Responses> responses;
  std::optional<CostHessian> hessian;
  std::optional<Vector> hessian_values;
  std::optional<Matrix> hessian_modes;
  std::optional<PhysicalSpectrum> spectrum;
  std::optional<Vector> norms;
  std::optional<Matrix> forces;
  std::optional<Matrix> force_responses;
};

AnalysisContext::AnalysisContext(const learning::Experiment& experiment, Vector w,
                                 AnalysisOptions options, std::vector<Vector> snapshots,
                                 std::vector<Index> snapshot_steps)
    : experiment_(&experiment),
      w_(std::move(w)),
      options_(options),
      snapshots_(std::move(snapshots)),
      snapshot_steps_(std::move(snapshot_steps)),
      cache_(std::make_unique<Cache>()) {
  options_.validate();
  require(w_.size() == model().num_parameters(), "analysis", "wrong number of parameters (got ",
          w_.size(), ", need ", model().num_parameters(), ")");
  model().check_parameters(w_, "analysis parameters");
  for (std::size_t k = 0; k < snapshots_.size(); ++k)
    require(snapshots_[k].size() == w_.size(), "analysis", "snapshot ", k, " has ",
            snapshots_[k].size(), " parameters (need ", w_.size(), ")");
  structure_ = experiment.task.conditions(Vector::Zero(experiment.task.num_inputs()));
}

AnalysisContext::~AnalysisContext() = default;

const learning::Responses& AnalysisContext::responses() {
  if (!cache_->responses) {
    cache_->responses.emplace(model(), experiment_->task, experiment_->solve);
    cache_->responses->update(w_);
  }
  return *cache_->responses;
}

const CostHessian& AnalysisContext::cost_hessian() {
  if (!cache_->hessian)
    cache_->hessian = analysis::cost_hessian(responses(), experiment_->train, experiment_->loss);
  return *cache_->hessian;
}

const Vector& AnalysisContext::cost_hessian_values() {
  if (!cache_->hessian_values) {
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(cost_hessian().total);
    const Index m = eig.eigenvalues().size();
    Vector values = eig.eigenvalues().reverse();
    Matrix modes = eig.eigenvectors().rowwise().reverse();
    for (Index k = 0; k < m; ++k) {
      Index top = 0;
      modes.col(k).cwiseAbs().maxCoeff(&top);
      if (modes(top, k) < 0) modes.col(k) *= -1.0;  // a sign fixed by the data, not the solver
    }
    cache_->hessian_values = std::move(values);
    cache_->hessian_modes = std::move(modes);
  }
  return *cache_->hessian_values;
}

const Matrix& AnalysisContext::cost_hessian_modes() {
  cost_hessian_values();
  return *cache_->hessian_modes;
}

const PhysicalSpectrum& AnalysisContext::spectrum() {
  if (!cache_->spectrum) cache_->spectrum = physical_spectrum(model(), w_, structure_);
  return *cache_->spectrum;
}

const Vector& AnalysisContext::susceptibility_norms() {
  if (!cache_->norms) cache_->norms = analysis::susceptibility_norms(model(), w_, structure_);
  return *cache_->norms;
}

const Matrix& AnalysisContext::random_forces() {
  if (!cache_->forces) {
    RandomForceOptions o;
    o.distribution = ForceDistribution::kUnitSphere;
    o.samples = options_.forces;
    o.seed = options_.seed;
    cache_->forces = analysis::random_forces(spectrum().reduced_values.size(), o);
  }
  return *cache_->forces;
}

const Matrix& AnalysisContext::random_force_responses() {
  if (!cache_->force_responses)
    cache_->force_responses =
        analysis::random_force_responses(model(), w_, structure_, random_forces());
  return *cache_->force_responses;
}

namespace {

using Check = std::function<std::string(const AnalysisContext&)>;

std::string kind_name(const AnalysisContext& c) {
  return physics::to_string(c.model().kind());
}

std::string always(const AnalysisContext&) {
  return {};
}

std::string difference_network(const AnalysisContext& c) {
  if (c.model().rank_one()) return {};
  return "needs a difference network (resistor, flow or spring); got a " + kind_name(c) +
         " network";
}

std::string with_samples(const AnalysisContext& c) {
  if (std::string why = difference_network(c); !why.empty()) return why;
  if (c.experiment().train.size() == 0) return "needs training samples (the data set is empty)";
  return {};
}

bool has_edge_source_inputs(const learning::Task& task) {
  return std::any_of(task.inputs.begin(), task.inputs.end(), [](const learning::InputChannel& ch) {
    return ch.kind == learning::InputKind::kEdgeSource;
  });
}

std::string edge_parameters(const AnalysisContext& c) {
  if (c.model().rank_one() && c.model().num_parameters() == c.experiment().network.num_edges())
    return {};
  return "needs one parameter per network edge (resistor, flow or spring); got a " + kind_name(c) +
         " network";
}

std::string resistor_field(const AnalysisContext& c) {
  if (c.model().kind() != physics::ModelKind::kResistor)
    return "needs a resistor or flow network (a scalar node field); got a " + kind_name(c) +
           " network";
  if (c.experiment().train.size() == 0) return "needs a training sample (the data set is empty)";
  return {};
}

// The first `count` columns (all if fewer).
Matrix first_columns(const Matrix& m, Index count) {
  return m.leftCols(std::min(count, m.cols()));
}

// ---- measures ----

void physical_spectrum_measure(AnalysisContext& c, MeasureResults& out) {
  const PhysicalSpectrum& s = c.spectrum();
  const Matrix lowest = first_columns(s.reduced_modes_full, c.options().modes);
  Vector participation(lowest.cols());
  for (Index k = 0; k < lowest.cols(); ++k) participation[k] = participation_ratio(lowest.col(k));
  out.set("reduced_values", s.reduced_values,
          {"eigenvalues of the grounded Hessian T^T H T, ascending (H = L, no factor 2)",
           "as the parameters (S for a resistor network)", "mode"});
  out.set("bordered_values", s.bordered_values,
          {"eigenvalues of the bordered matrix [[H, Q^T], [Q, 0]], ascending |value|",
           "as the parameters (S for a resistor network)", "mode"});
  out.set(
      "lowest_modes", lowest,
      {"num_dofs x modes: the softest modes as full states, T z", "1 (unit vectors)", "dof, mode"});
  out.set("lowest_mode_participation", participation,
          {"participation ratio (sum v^2)^2 / sum v^4 of each lowest mode (003 eq. 29)", "1 (dofs)",
           "mode"});
}

Index stiff_count(AnalysisContext& c) {
  const auto& e = c.experiment();
  const Index m = c.model().num_parameters();
  if (c.options().stiff > 0) {
    require(c.options().stiff < m, "--stiff", "must be < the number of parameters (got ",
            c.options().stiff, ", need < ", m, ")");
    return c.options().stiff;
  }
  const Index rank =
      e.task.num_outputs() * std::min<Index>(e.task.num_inputs() + 1, e.train.size());
  return std::max<Index>(1, std::min(rank, m - 1));
}

double gap_decades(const Vector& descending, Index k) {
  // |lambda_k| / |lambda_{k+1}| (1-based): the total Hessian of an untrained network may have
  // negative eigenvalues, so magnitudes are compared; an exact zero gives +inf.
  return std::log10(std::abs(descending[k - 1]) / std::abs(descending[k]));
}

void cost_hessian_measure(AnalysisContext& c, MeasureResults& out) {
  require(c.model().num_parameters() >= 2, "cost-hessian", "needs >= 2 parameters");
  const CostHessian& h = c.cost_hessian();
  const Vector& values = c.cost_hessian_values();
  const Eigen::SelfAdjointEigenSolver<Matrix> sat(h.saturated, Eigen::EigenvaluesOnly);
  const Vector sat_values = sat.eigenvalues().reverse();
  const Index k = stiff_count(c);
  out.set("eigenvalues", values,
          {"eigenvalues of the cost Hessian H = H_sat + H_dyn, descending", "loss / parameter^2",
           "mode"});
  out.set("saturated_eigenvalues", sat_values,
          {"eigenvalues of H_sat, descending", "loss / parameter^2", "mode"});
  out.set("stiff_modes", first_columns(c.cost_hessian_modes(), c.options().modes),
          {"M x modes: unit eigenvectors of H for the largest eigenvalues, largest entry > 0",
           "1 (unit vectors)", "parameter, mode"});
  out.set("total_norm", h.total.norm(), {"Frobenius norm of H", "loss / parameter^2", ""});
  out.set("saturated_norm", h.saturated.norm(),
          {"Frobenius norm of H_sat", "loss / parameter^2", ""});
  out.set("dynamic_norm", h.dynamic.norm(), {"Frobenius norm of H_dyn", "loss / parameter^2", ""});
  out.set("dynamic_fraction", h.dynamic.norm() / h.saturated.norm(),
          {"|H_dyn|_F / |H_sat|_F", "1", ""});
  out.set("stiff_count", k, {"k of the gap (AnalysisOptions::stiff)", "1", ""});
  out.set("gap_decades", gap_decades(values, k),
          {"log10(|lambda_k| / |lambda_k+1|) of H", "decades (log10 of a ratio)", ""});
  out.set("saturated_gap_decades", gap_decades(sat_values, k),
          {"log10(|lambda_k| / |lambda_k+1|) of H_sat", "decades (log10 of a ratio)", ""});
}

void susceptibility_measure(AnalysisContext& c, MeasureResults& out) {
  const Vector& norms = c.susceptibility_norms();
  std::vector<Index> order(static_cast<std::size_t>(norms.size()));
  std::iota(order.begin(), order.end(), Index{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return norms[a] > norms[b]; });
  out.set("norms", norms,
          {"||s_i||^2 over the extended state, per parameter (000 eq. 18)",
           "(state / parameter)^2 (V^2/S^2 for a resistor network)", "parameter"});
  out.set("ranking", std::move(order),
          {"parameters by decreasing ||s_i||^2 (ties: lower index)", "index (parameter)", "rank"});
}

void ls_identity_measure(AnalysisContext& c, MeasureResults& out) {
  const auto& e = c.experiment();
  const TrainingTensor l = training_tensor(c.model(), c.parameters(), e.task, e.train, e.loss);
  const Matrix ls = double_dot(l, susceptibility_vectors(c.model(), c.parameters(), c.structure()));
  const Matrix& sat = c.cost_hessian().saturated;
  const double diff = (sat - ls).cwiseAbs().maxCoeff();
  out.set("max_abs_difference", diff, {"max_ij |H_sat - L:S|", "loss / parameter^2", ""});
  out.set("saturated_max_abs", sat.cwiseAbs().maxCoeff(),
          {"max_ij |H_sat|", "loss / parameter^2", ""});
  out.set("relative_difference", diff / sat.cwiseAbs().maxCoeff(),
          {"max |H_sat - L:S| / max |H_sat| (round-off when the identity holds)", "1", ""});
}

void correlation_measure(AnalysisContext& c, MeasureResults& out) {
  const Vector& x = c.susceptibility_norms();
  const Matrix modes = first_columns(c.cost_hessian_modes(), c.options().modes);
  const Index k = modes.cols();
  Vector pr(k), pp(k), sr(k), sp(k);
  for (Index m = 0; m < k; ++m) {
    const Vector y = modes.col(m).cwiseAbs2();
    const Correlation p = pearson_correlation(x, y);
    const Correlation s = spearman_correlation(x, y);
    pr[m] = p.coefficient;
    pp[m] = p.p_value;
    sr[m] = s.coefficient;
    sp[m] = s.p_value;
  }
  out.set("pearson", pr,
          {"per stiff mode m: Pearson r of ||s_i||^2 and (v_m)_i^2", "1", "stiff mode"});
  out.set("pearson_p", pp, {"two-sided p-values (Student t, n - 2 dof)", "1", "stiff mode"});
  out.set("spearman", sr, {"Spearman rho, average ranks for ties", "1", "stiff mode"});
  out.set("spearman_p", sp, {"two-sided p-values (t approximation)", "1", "stiff mode"});
  out.set("pairs", x.size(), {"number of parameters correlated", "1", ""});
}

void relative_conductance_measure(AnalysisContext& c, MeasureResults& out) {
  out.set("values", relative_conductance(c.experiment().network, c.parameters()),
          {"k_i / mean k of the edges sharing a node with i (000 Sec. VII); NaN: no neighbour", "1",
           "edge"});
}

void effective_measure(AnalysisContext& c, MeasureResults& out) {
  const Vector& lambda = c.spectrum().reduced_values;
  const RandomForceMeasures m =
      random_force_measures(c.random_forces(), c.random_force_responses(),
                            c.spectrum().reduced_modes, ForceDistribution::kUnitSphere);
  out.set("conductance", effective_conductance(lambda),
          {"g_bar = sqrt(sum lambda^-2) (003 eq. 28)",
           "1 / parameter units (ohm for a resistor network)", ""});
  out.set("dimension", effective_dimension(lambda),
          {"D_eff = (sum lambda^-2)^2 / (3 sum lambda^-4) (003 eq. 31)", "1", ""});
  out.set("conductance_sampled", m.effective_conductance,
          {"sqrt(n <|K^-1 F|^2>), unit-norm F", "1 / parameter units (ohm for a resistor network)",
           ""});
  out.set("conductance_sampled_error", m.effective_conductance_error,
          {"standard error", "1 / parameter units (ohm for a resistor network)", ""});
  out.set("dimension_sampled", m.effective_dimension,
          {"n/(n+2) <a>^2 / <b> (effective.hpp)", "1", ""});
  out.set("dimension_sampled_error", m.effective_dimension_error, {"standard error", "1", ""});
  out.set("mean_amplitude", m.mean_amplitude,
          {"003 eq. (26) literally: <|delta| / |F|>",
           "1 / parameter units (ohm for a resistor network)", ""});
  out.set("mean_participation", m.mean_participation, {"<D_m> (003 eq. 29)", "1", ""});
  out.set("forces", m.samples, {"number of random unit-norm forces", "1", ""});
}

void dimension_measure(AnalysisContext& c, MeasureResults& out) {
  const Matrix& points = c.random_force_responses();
  const TwoNNEstimate two = twonn_dimension(points);
  const LevinaBickelEstimate lb = levina_bickel_dimension(points, c.options().neighbours);
  const CorrelationDimensionEstimate cd = correlation_dimension(points);
  out.set("twonn", two.dimension, {"TwoNN (Facco et al. 2017), top 10% of mu discarded", "1", ""});
  out.set("twonn_mle", two.maximum_likelihood, {"(N - 1) / sum log mu", "1", ""});
  out.set("levina_bickel", lb.dimension, {"mean unbiased Levina-Bickel estimate", "1", ""});
  out.set("levina_bickel_inverse_averaged", lb.inverse_averaged, {"1 / mean(1 / m_k)", "1", ""});
  out.set("correlation_dimension", cd.dimension, {"Grassberger-Procaccia slope", "1", ""});
  out.set("correlation_radii", cd.radii,
          {"radii of the fit", "state units (V for a resistor network)", "radius"});
  out.set("correlation_sum", cd.correlation_sum, {"C(r) at those radii", "1", "radius"});
  out.set("points", points.cols(), {"responses K^-1 F to the random forces", "1", ""});
}

void alignment_measure(AnalysisContext& c, MeasureResults& out) {
  const Matrix forces = task_forces(c.model(), c.parameters(), c.experiment().task);
  const PhysicalSpectrum& s = c.spectrum();
  const TaskAlignment a = task_alignment(s.reduced_modes, forces);
  out.set("subspace_overlap", a.subspace_overlap,
          {"|P v_k|^2 per mode (ascending eigenvalue) on span of the task forces", "1", "mode"});
  out.set("rank", a.rank, {"dimension of the span of the task forces", "1", ""});
  out.set("random_overlap", a.random_overlap,
          {"rank / n: a random direction's expected overlap", "1", ""});
  out.set("aligned_modes", a.aligned_modes, {"(sum o)^2 / sum o^2", "1", ""});
  out.set("modes_above_threshold", a.modes_above_threshold, {"modes with overlap > 0.5", "1", ""});
  out.set("lowest_mode_overlaps",
          mode_force_overlaps(first_columns(s.reduced_modes, c.options().modes), forces),
          {"modes x forces: (v_k . f_j)^2 / |f_j|^2 for the lowest modes (003 Fig. 5)", "1",
           "mode, force"});
}

void sectors_measure(AnalysisContext& c, MeasureResults& out) {
  const auto& e = c.experiment();
  const Vector field = c.responses().states(e.train.inputs.topRows(1)).col(0);
  const double threshold = c.options().sector_threshold * (field.maxCoeff() - field.minCoeff());
  const auto diagram = persistence_diagram(e.network, field, Filtration::kEdgeDrop);
  Matrix pairs(static_cast<Index>(diagram.size()), 2);
  for (std::size_t k = 0; k < diagram.size(); ++k)
    pairs.row(static_cast<Index>(k)) << diagram[k].first, diagram[k].second;
  const PersistentSectors s =
      persistent_sectors(e.network, field, Filtration::kEdgeDrop, threshold);
  out.set("field", field,
          {"free state of training sample 0 (node voltages)", "V (or pressure)", "node"});
  out.set("diagram", pairs,
          {"pairs x 2 (birth, death) of the edge-drop filtration (GUDHI); death inf: essential",
           "V (or pressure)", "pair, birth or death"});
  out.set("threshold", threshold, {"persistence threshold in field units", "V (or pressure)", ""});
  out.set("count", s.count, {"number of sectors", "1", ""});
  out.set("sector", s.sector, {"sector of each node", "index (sector)", "node"});
  out.set("boundary_edges", s.boundary_edges,
          {"edges joining two sectors", "index (edge)", "boundary edge"});
  out.set("death_edges", s.death_edges,
          {"death edges of the persistent components", "index (edge)", "death edge"});
  if (!s.boundary_edges.empty()) {
    const auto top = static_cast<Index>(s.boundary_edges.size());
    const EdgeSetOverlap o =
        boundary_overlap(s.boundary_edges, c.susceptibility_norms(), top, 1000, c.options().seed);
    out.set("overlap_top", o.top, {"size of the top set of edges by ||s_i||^2", "1", ""});
    out.set("overlap", o.overlap, {"|top by ||s_i||^2  intersect  boundary|", "1", ""});
    out.set("overlap_fraction", o.fraction, {"overlap / top", "1", ""});
    out.set("overlap_expected", o.expected, {"top * boundary / E", "1", ""});
    out.set("overlap_p_value", o.p_value, {"hypergeometric P(X >= overlap)", "1", ""});
  }
}

std::string edge_source_circuit(const AnalysisContext& c) {
  const auto& t = c.experiment().task;
  if (c.model().kind() != physics::ModelKind::kResistor)
    return "needs a resistor network with edge-source inputs; got a " + kind_name(c) + " network";
  if (t.inputs.empty() || !std::all_of(t.inputs.begin(), t.inputs.end(), [](const auto& ch) {
        return ch.kind == learning::InputKind::kEdgeSource;
      }))
    return "needs every task input to be an edge source ({kind = \"edge_source\", edge = E})";
  if (t.outputs.empty() ||
      !std::all_of(t.outputs.begin(), t.outputs.end(), [](const auto& o) { return o.edge >= 0; }))
    return "needs every task output to be an edge readout ({edge = E})";
  return {};
}

void realisable_rank_measure(AnalysisContext& c, MeasureResults& out) {
  const auto& t = c.experiment().task;
  std::vector<Index> in, outputs;
  for (const auto& ch : t.inputs) in.push_back(ch.targets.front());
  for (const auto& o : t.outputs) outputs.push_back(o.edge);
  const RealisableMap m = realisable_map(c.experiment().network, c.parameters(), in, outputs);
  out.set(
      "map", m.map,
      {"W_R = -P_o Omega P_i^T, outputs x inputs (004 eq. 121)", "1 (V per V)", "output, input"});
  out.set("singular_values", m.singular_values,
          {"of W_R, descending", "1 (V per V)", "singular value"});
  out.set("rank", m.rank, {"numerical rank (relative tolerance 1e-10)", "1", ""});
  out.set("cycles", m.cycles, {"cycle-space dimension C", "1", ""});
  out.set("input_cycle_rank", m.input_cycle_rank, {"rank A P_i^T", "1", ""});
  out.set("output_cycle_rank", m.output_cycle_rank, {"rank A P_o^T", "1", ""});
  out.set("bound", m.bound, {"min(E_i, E_o, C) (004 eq. 122)", "1", ""});
}

std::string has_trajectory(const AnalysisContext& c) {
  if (c.snapshots().size() >= 2) return {};
  return concat("needs a run file with >= 2 parameter snapshots (got ", c.snapshots().size(),
                "; set [logging] parameters_every)");
}

void landscape_measure(AnalysisContext& c, MeasureResults& out) {
  const auto& e = c.experiment();
  LandscapeOptions o;
  o.grid = c.options().landscape_grid;
  o.extent = c.options().landscape_extent;
  o.parametrization = e.protocol.learn;
  std::vector<Vector> trajectory = c.snapshots();  // conductances, as the trainer stores them
  if (o.parametrization == learning::Parametrization::kResistance)
    for (auto& w : trajectory) w = w.cwiseInverse();
  const Landscape l = trajectory_landscape(c.model(), e.task, e.train, e.loss, trajectory, o);
  out.set("center", l.center,
          {"theta at the centre (the final snapshot)",
           "as theta (parameters, or resistances when learning resistances)", "parameter"});
  out.set(
      "directions", l.directions,
      {"M x 2 principal directions of the trajectory", "1 (unit vectors)", "parameter, direction"});
  out.set("explained_variance", l.explained_variance,
          {"variance fraction per direction", "1", "direction"});
  out.set("coordinates", l.coordinates,
          {"snapshots x 2: the trajectory in the plane", "as theta", "snapshot, direction"});
  out.set("axis1", l.axis1, {"grid coordinates on direction 1", "as theta", "grid point"});
  out.set("axis2", l.axis2, {"grid coordinates on direction 2", "as theta", "grid point"});
  out.set("cost", l.cost,
          {"grid x grid batch cost; NaN where a parameter is <= 0", "1 (loss)",
           "axis1 point, axis2 point"});
  out.set("snapshot_steps", c.snapshot_steps(),
          {"training step of each snapshot", "step", "snapshot"});
  out.set("parametrization", learning::to_string(o.parametrization), {"theta = w or 1/w", "", ""});
}

// Scalable paths (analysis/selected_inversion.hpp, cost_hessian_operator.hpp,
// partial_susceptibility.hpp): sparse factorisations only, no dense n x n or M x M matrix.
void susceptibility_selected_measure(AnalysisContext& c, MeasureResults& out) {
  BorderedInverse inverse(c.model(), c.structure(), c.experiment().solve);
  inverse.update(c.parameters());
  out.set("norms", susceptibility_norms_selected(inverse),
          {"||s_i||^2 per parameter by selected inversion (exact; large networks)",
           "(state / parameter)^2 (V^2/S^2 for a resistor network)", "parameter"});
}

void cost_hessian_modes_measure(AnalysisContext& c, MeasureResults& out) {
  const auto& e = c.experiment();
  const CostHessianOperator op(c.responses(), e.train, e.loss, CostHessianPart::kTotal);
  const Index k = std::min<Index>(c.options().modes, c.model().num_parameters() - 1);
  const StiffModes modes = stiffest_cost_modes(op, k);
  out.set("eigenvalues", modes.values,
          {"k stiffest cost-Hessian eigenvalues, descending", "loss / parameter^2", "mode"});
  out.set("modes", modes.modes, {"M x k orthonormal modes", "1 (unit vectors)", "parameter, mode"});
  out.set("converged", static_cast<Index>(modes.converged), {"1 if Lanczos converged", "1", ""});
  out.set("products", modes.products, {"Hessian-vector products used", "1", ""});
}

void partial_susceptibility_measure(AnalysisContext& c, MeasureResults& out) {
  BorderedInverse inverse(c.model(), c.structure(), c.experiment().solve);
  inverse.update(c.parameters());
  const Index n_ext = inverse.num_dofs() + inverse.num_rows();
  const Index n = std::min<Index>(std::max<Index>(c.options().modes, 1), n_ext - 1);
  const PartialSusceptibility p = partial_susceptibility(inverse, n);
  out.set("hessian_factor", p.hessian_factor,
          {"c of 000's bordered Hessian K_c = [[c H, Q^T], [Q, 0]] whose modes are used (000: 2)",
           "1", ""});
  out.set("mode_values", p.mode_values,
          {"eigenvalues of K_c of smallest |nu|, ascending in |nu|",
           "as the parameters (S for a resistor network)", "mode"});
  out.set("total_ratio", p.total_ratio,
          {"sum_i ||s_i^(n)||^2 / sum_i ||s_i||^2 per n, both in 000's convention (K_c)", "1",
           "modes used"});
  out.set("mean_ratio", p.mean_ratio,
          {"mean over edges of ||s_i^(n)||^2 / ||s_i||^2 in 000's convention (000 Fig. 7)", "1",
           "modes used"});
  out.set("converged", static_cast<Index>(p.converged), {"1 if Lanczos converged", "1", ""});
}

// Issue 4 item 7: s_i and ||s_i||^2 estimated from simulated probe experiments with noisy
// drop measurements, and the estimation error against the exact values (one blocked solve)
// for every noise level, with unit probes and with R random probes for each R.
void measured_susceptibility_measure(AnalysisContext& c, MeasureResults& out) {
  BorderedInverse inverse(c.model(), c.structure(), c.experiment().solve);
  inverse.update(c.parameters());
  std::vector<Index> all(static_cast<std::size_t>(c.model().num_parameters()));
  std::iota(all.begin(), all.end(), Index{0});
  const Matrix exact_vectors = susceptibility_vectors(inverse, all);
  const Vector exact_norms = exact_vectors.rowwise().squaredNorm();
  const Index active = static_cast<Index>(inverse.active_indices().size());
  std::vector<Index> counts = c.options().probe_counts;
  if (counts.empty()) counts = {std::max<Index>(1, active / 4), active, 4 * active};
  const auto& noise = c.options().probe_noise;
  const Index nn = static_cast<Index>(noise.size()), nc = static_cast<Index>(counts.size());
  Vector unit_vectors(nn), unit_norms(nn), unit_median(nn);
  Matrix random_vectors(nn, nc), random_norms(nn, nc), random_median(nn, nc);
  for (Index a = 0; a < nn; ++a) {
    ProbeExperiment experiment;
    experiment.noise = noise[static_cast<std::size_t>(a)];
    // One seed per cell, derived from --seed, so that a cell does not depend on the grid size.
    experiment.seed = random::derive_seed(c.options().seed, static_cast<std::uint64_t>(a));
    const EstimationError unit =
        estimation_error(measured_susceptibility(inverse, experiment), exact_vectors, exact_norms);
    unit_vectors[a] = unit.vectors;
    unit_norms[a] = unit.norms;
    unit_median[a] = unit.median_norm;
    experiment.kind = ProbeKind::kRandom;
    for (Index b = 0; b < nc; ++b) {
      experiment.probes = counts[static_cast<std::size_t>(b)];
      experiment.seed = random::derive_seed(
          random::derive_seed(c.options().seed, static_cast<std::uint64_t>(1000 + a)),
          static_cast<std::uint64_t>(b));
      const EstimationError e = estimation_error(measured_susceptibility(inverse, experiment),
                                                 exact_vectors, exact_norms);
      random_vectors(a, b) = e.vectors;
      random_norms(a, b) = e.norms;
      random_median(a, b) = e.median_norm;
    }
  }
  out.set("noise", Vector(Vector::Map(noise.data(), nn)),
          {"std of each measured drop per unit probe", "1 (per unit probe)", "noise level"});
  out.set("probe_counts", counts,
          {"numbers R of random probes (columns below)", "1", "probe count"});
  out.set("active_probes", active,
          {"unit probes in one unit-probe experiment (n_active)", "1", ""});
  out.set("exact_norms", Vector(exact_norms),
          {"||s_i||^2 from exact solves", "(state / parameter)^2 (V^2/S^2 for a resistor network)",
           "parameter"});
  out.set("unit_vector_error", std::move(unit_vectors),
          {"unit probes: ||S^ - S||_F / ||S||_F", "1", "noise level"});
  out.set("unit_norm_error", std::move(unit_norms),
          {"unit probes: ||n^ - n|| / ||n||", "1", "noise level"});
  out.set("unit_median_norm_error", std::move(unit_median),
          {"unit probes: median over edges of |n^_i - n_i| / n_i", "1", "noise level"});
  out.set("random_vector_error", std::move(random_vectors),
          {"noise x probe counts: ||S^ - S||_F / ||S||_F (least squares)", "1",
           "noise level, probe count"});
  out.set("random_norm_error", std::move(random_norms),
          {"noise x probe counts: ||n^ - n|| / ||n||", "1", "noise level, probe count"});
  out.set("random_median_norm_error", std::move(random_median),
          {"noise x probe counts: median over edges of |n^_i - n_i| / n_i", "1",
           "noise level, probe count"});
}

// Randomised ||s_i||^2 for networks too large for the exact blocked solves (000's s_i by
// Johnson-Lindenstrauss probes: each estimate has relative standard error sqrt(2/k)).
void susceptibility_sketch_measure(AnalysisContext& c, MeasureResults& out) {
  BorderedInverse inverse(c.model(), c.structure(), c.experiment().solve);
  inverse.update(c.parameters());
  SketchOptions options;
  options.probes = c.options().sketch_probes;
  options.seed = c.options().seed;
  const SusceptibilityEstimate estimate = susceptibility_norms_sketch(inverse, options);
  out.set("norms", Vector(estimate.norms),
          {"unbiased estimates of ||s_i||^2",
           "(state / parameter)^2 (V^2/S^2 for a resistor network)", "parameter"});
  out.set("probes", estimate.probes, {"Gaussian probes k", "1", ""});
  out.set("relative_standard_error", estimate.relative_standard_error,
          {"sqrt(2/k): relative standard error of every estimate", "1", ""});
}

// Paper 002 for the first training sample and the first readout: the constraint gradient g_i,
// its one-soft-mode approximation and the lambda^-4 estimate of the stiff cost eigenvalue, and
// H_sat:H over the whole batch (002 Fig. 2).
void saturation_measure(AnalysisContext& c, MeasureResults& out) {
  const auto& e = c.experiment();
  const Vector input = e.train.inputs.row(0).transpose();
  const Vector g = constraint_gradient(c.responses(), input, 0);
  const PhysicalSpectrum& spectrum = c.spectrum();
  const ModeExpansion expansion =
      mode_expansion(c.responses(), input, 0, spectrum.reduced_values, spectrum.reduced_modes);
  const Vector g_one = gradient_one_mode(expansion);
  out.set("g", g,
          {"002 eq. (8): dy_0/dw_i for training sample 0, readout 0",
           "output units / parameter units", "parameter"});
  out.set("g_one_mode", g_one,
          {"002 eq. (13): one-soft-mode approximation of g", "output units / parameter units",
           "parameter"});
  out.set("alignment_one_mode", alignment(g, g_one),
          {"|cos| between g and its approximation", "1", ""});
  out.set("softest_eigenvalue", spectrum.reduced_values[0],
          {"lambda_1 of the grounded Hessian", "as the parameters (S for a resistor network)", ""});
  out.set("stiff_eigenvalue", g.squaredNorm(),
          {"||g||^2: the non-zero eigenvalue of g g^T", "(output / parameter)^2", ""});
  out.set("stiff_eigenvalue_one_mode", stiff_eigenvalue_one_mode(expansion),
          {"002 eq. (15): (i_1 o_1)^2 / lambda_1^4 sum_i d_i,1^4", "(output / parameter)^2", ""});
  const CostHessian& h = c.cost_hessian();
  out.set("hsat_h", normalized_double_dot(h.saturated, h.total),
          {"H_sat:H over the batch (002 Fig. 2), 1 when H_dyn vanishes", "1", ""});
}

// Eigenvalue flow, g_bar and D_eff over the run's parameter snapshots (003 Figs. 2-4): the
// physical quantities recorded during training at the [logging] parameters_every cadence.
void spectral_trajectory_measure(AnalysisContext& c, MeasureResults& out) {
  const Index n_free = physics::ReducedSystem(c.model(), c.structure()).size();
  const Index lowest = std::min<Index>(std::max<Index>(c.options().modes, 1), n_free);
  const SpectralTrajectory t = spectral_trajectory(c.model(), c.snapshots(), c.structure(), lowest);
  out.set("steps", c.snapshot_steps(), {"training step of each snapshot", "step", "snapshot"});
  out.set("lowest", t.lowest,
          {"snapshots x --modes lowest grounded-Hessian eigenvalues",
           "as the parameters (S for a resistor network)", "snapshot, mode"});
  out.set(
      "effective_conductance", t.effective_conductance,
      {"g_bar per snapshot (003)", "1 / parameter units (ohm for a resistor network)", "snapshot"});
  out.set("effective_dimension", t.effective_dimension,
          {"D_eff per snapshot (003)", "1", "snapshot"});
}

std::vector<Measure> make_registry() {
  std::vector<Measure> m;
  m.push_back({"physical-spectrum", "eigenvalues of the grounded and bordered physical Hessian",
               always, physical_spectrum_measure});
  m.push_back({"cost-hessian",
               "cost-Hessian eigenvalues, H_sat/H_dyn norms, gap in decades at the k-th stiff "
               "eigenvalue",
               with_samples, cost_hessian_measure});
  m.push_back({"susceptibility", "||s_i||^2 per edge (000 eq. 18)", difference_network,
               susceptibility_measure});
  m.push_back({"ls-identity", "max |H_sat - L:S| / max |H_sat| (000 eqs. 10-18)",
               [](const AnalysisContext& c) -> std::string {
                 if (std::string why = with_samples(c); !why.empty()) return why;
                 if (has_edge_source_inputs(c.experiment().task))
                   return "does not apply to edge-source inputs (their force depends on w)";
                 return {};
               },
               ls_identity_measure});
  m.push_back({"correlation",
               "Pearson/Spearman of ||s_i||^2 with squared entries of the stiffest cost-Hessian "
               "modes",
               [](const AnalysisContext& c) -> std::string {
                 if (std::string why = with_samples(c); !why.empty()) return why;
                 if (c.model().num_parameters() < 3) return "needs >= 3 parameters";
                 return {};
               },
               correlation_measure});
  m.push_back({"relative-conductance", "k_i / <k_j> over adjacent edges (000 Sec. VII)",
               edge_parameters, relative_conductance_measure});
  m.push_back({"effective", "g_bar and D_eff, spectral and from random forces (003)", always,
               effective_measure});
  m.push_back({"dimension", "TwoNN, Levina-Bickel and correlation dimension of force responses",
               always, dimension_measure});
  m.push_back({"alignment", "overlap of the physical modes with the task forces (003 Fig. 5)",
               always, alignment_measure});
  m.push_back({"sectors", "persistent-homology sectors of sample 0's free voltages (000 Fig. 6)",
               resistor_field, sectors_measure});
  m.push_back({"realisable-rank", "rank of the realisable map of an edge-source circuit (004)",
               edge_source_circuit, realisable_rank_measure});
  m.push_back({"landscape", "cost on the two principal directions of the trajectory (004 App. N)",
               has_trajectory, landscape_measure});
  m.push_back({"susceptibility-selected",
               "||s_i||^2 per edge by selected inversion of the sparse factor (large networks)",
               difference_network, susceptibility_selected_measure});
  m.push_back({"cost-hessian-modes",
               "the --modes stiffest cost-Hessian eigenpairs, matrix-free Lanczos (large M)",
               [](const AnalysisContext& c) -> std::string {
                 if (std::string why = with_samples(c); !why.empty()) return why;
                 if (std::string why = difference_network(c); !why.empty()) return why;
                 if (c.model().num_parameters() < 2) return "needs >= 2 parameters";
                 return {};
               },
               cost_hessian_modes_measure});
  m.push_back({"spectral-trajectory",
               "eigenvalue flow, g_bar and D_eff over the run's parameter snapshots (003)",
               has_trajectory, spectral_trajectory_measure});
  m.push_back({"saturation",
               "002: constraint gradient g_i, one-soft-mode approximation, lambda^-4 "
               "estimate, H_sat:H",
               [](const AnalysisContext& c) -> std::string {
                 if (std::string why = with_samples(c); !why.empty()) return why;
                 return difference_network(c);
               },
               saturation_measure});
  m.push_back({"partial-susceptibility",
               "susceptibility over the --modes softest modes of 000's bordered Hessian "
               "[[2H, Q^T], [Q, 0]] (000 eq. 24, Fig. 7)",
               difference_network, partial_susceptibility_measure});
  m.push_back({"measured-susceptibility",
               "s_i from simulated noisy probe experiments: error vs --probe-noise and --probes",
               difference_network, measured_susceptibility_measure});
  m.push_back({"susceptibility-sketch",
               "||s_i||^2 by --sketch-probes random probes, relative error sqrt(2/k) (large)",
               difference_network, susceptibility_sketch_measure});
  return m;
}

}  // namespace

const std::vector<Measure>& measures() {
  static const std::vector<Measure> registry = make_registry();
  return registry;
}

const Measure* find_measure(const std::string& name) {
  for (const auto& m : measures())
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace plnet::analysis
