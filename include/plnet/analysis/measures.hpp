#pragma once
/// The registry of named analysis measures behind `plnet analyze` (docs/analysis-cli.md).
///
/// A measure is one entry: a name ("cost-hessian"), a one-line description, an applicability
/// check (which network kinds and inputs it needs) and a compute function that writes named
/// values into a MeasureResults. MeasureResults serialise to HDF5 (one group per measure,
/// one dataset per value) and to JSON (one object per measure, one key per value) with the
/// same names and the same numbers, so a script can read either.
///
/// The compute functions share an AnalysisContext: the experiment, the parameters analysed
/// (conductances / stiffnesses / node weights w, whatever the trainer stores, even when the
/// run learned resistances) and lazily computed, cached intermediate results (responses, cost
/// Hessian, physical spectrum, susceptibility norms, random-force responses), each computed by
/// the same library function a caller would use directly. Conventions are the library's
/// (docs/conventions.md): H = L without 000/002's factor 2.
///
/// Adding a measure is one entry in the list returned by measures() (src/analysis/measures.cpp).

#include <plnet/analysis/cost_hessian.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/io/hdf5.hpp>
#include <plnet/learning/experiment.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace plnet::io {
class H5Writer;
}

namespace plnet::analysis {

/// Named values of one measure, in insertion order. Names are unique, non-empty and made of
/// [a-z0-9_]. Matrices are (rows x cols) in both forms: an HDF5 dataset of shape (rows, cols)
/// and a JSON array of `rows` arrays of `cols` numbers (m[i][j] = m(i, j)). Non-finite numbers
/// (NaN, +-inf) are stored as such in HDF5 and as null in JSON.
class MeasureResults {
 public:
  using Value = std::variant<double, Index, std::string, Vector, Matrix, std::vector<Index>>;

  void set(const std::string& name, double value, io::Describe describe = {});
  void set(const std::string& name, Index value, io::Describe describe = {});
  void set(const std::string& name, std::string value, io::Describe describe = {});
  void set(const std::string& name, Vector value, io::Describe describe = {});
  void set(const std::string& name, Matrix value, io::Describe describe = {});
  void set(const std::string& name, std::vector<Index> value, io::Describe describe = {});

  bool has(const std::string& name) const;
  /// Throws std::invalid_argument naming `name` if absent.
  const Value& at(const std::string& name) const;
  /// The scalar `name` as a double (an Index scalar converts); throws for other types.
  double number(const std::string& name) const;

  struct Entry {
    std::string name;
    Value value;
    io::Describe describe;  ///< the dataset's description, units and axes (io::Describe)
  };
  const std::vector<Entry>& entries() const { return entries_; }

  nlohmann::json to_json() const;
  /// Writes every value as a dataset `group`/<name> (the group is created even when empty).
  void write(io::H5Writer& writer, const std::string& group) const;

 private:
  void add(const std::string& name, Value value, io::Describe describe);
  std::vector<Entry> entries_;
};

/// The largest landscape grid: each of its grid^2 points is a solve (1001^2: a million).
inline constexpr Index kMaxLandscapeGrid = 1001;

/// Options shared by the measures (all validated once, with the field name in the message).
struct AnalysisOptions {
  Index modes = 3;  ///< modes reported: lowest physical modes, stiffest cost-Hessian modes
  /// k of the cost-Hessian gap log10(lambda_k / lambda_{k+1}) (stiff eigenvalues in descending
  /// order, 1-based); 0 = automatic: min(n_out * min(n_in + 1, samples), M - 1), the largest
  /// possible rank of H_sat for a linear task (each sample's outputs are Y a_s, a_s = [u_s; 1]).
  Index stiff = 0;
  Index forces = 500;      ///< random unit-norm forces for the sampled g_bar, D_eff and dimensions
  std::uint64_t seed = 1;  ///< random forces and Monte Carlo baselines
  Index neighbours = 10;   ///< Levina-Bickel k
  double sector_threshold = 0.1;  ///< persistence threshold as a fraction of the field's range
  Index landscape_grid = 21;      ///< LandscapeOptions::grid (odd, at most kMaxLandscapeGrid)
  double landscape_extent = 1.5;  ///< LandscapeOptions::extent
  /// measured-susceptibility: noise levels (std of each measured drop per unit probe, >= 0;
  /// the model's dof units, volts per ampere for resistors) ...
  std::vector<double> probe_noise = {0.0, 1e-3, 1e-2, 1e-1};
  /// ... and numbers of random probes (>= 1); empty: n_active / 4, n_active and 4 n_active.
  std::vector<Index> probe_counts;
  Index sketch_probes = 200;  ///< susceptibility-sketch: Gaussian probes k (error sqrt(2/k))
  void validate() const;
};

/// What is analysed, plus the caches the measures share. Holds a reference to the experiment,
/// which must outlive the context. Not thread-safe (the caches are filled on first use).
class AnalysisContext {
 public:
  /// `w`: the parameters to analyse (length model.num_parameters(), checked). `snapshots`: a
  /// parameter trajectory (run files), possibly empty.
  AnalysisContext(const learning::Experiment& experiment, Vector w, AnalysisOptions options = {},
                  std::vector<Vector> snapshots = {}, std::vector<Index> snapshot_steps = {});
  ~AnalysisContext();
  AnalysisContext(const AnalysisContext&) = delete;
  AnalysisContext& operator=(const AnalysisContext&) = delete;

  const learning::Experiment& experiment() const { return *experiment_; }
  const physics::LinearModel& model() const { return *experiment_->model; }
  const Vector& parameters() const { return w_; }
  const AnalysisOptions& options() const { return options_; }
  const std::vector<Vector>& snapshots() const { return snapshots_; }
  const std::vector<Index>& snapshot_steps() const { return snapshot_steps_; }

  /// task.conditions(0): the constraint structure (fixed conditions and input holds).
  const physics::BoundaryConditions& structure() const { return structure_; }
  /// Responses of the task at w.
  const learning::Responses& responses();
  /// cost_hessian(responses(), train, loss).
  const CostHessian& cost_hessian();
  /// Eigenvalues of cost_hessian().total in descending order and matching unit eigenvectors
  /// (columns, M x M), each signed so that its largest-magnitude entry is positive.
  const Vector& cost_hessian_values();
  const Matrix& cost_hessian_modes();
  /// physical_spectrum(model, w, structure()).
  const PhysicalSpectrum& spectrum();
  /// susceptibility_norms(model, w, structure()).
  const Vector& susceptibility_norms();
  /// random_forces(n_free, {unit sphere, options.forces, options.seed}) and their responses
  /// random_force_responses(model, w, structure(), forces).
  const Matrix& random_forces();
  const Matrix& random_force_responses();

 private:
  struct Cache;
  const learning::Experiment* experiment_;
  Vector w_;
  AnalysisOptions options_;
  std::vector<Vector> snapshots_;
  std::vector<Index> snapshot_steps_;
  physics::BoundaryConditions structure_;
  std::unique_ptr<Cache> cache_;
};

/// One registry entry.
struct Measure {
  std::string name;
  std::string description;
  /// Empty when the measure applies to this input; otherwise one line saying why not
  /// ("needs a difference network (resistor, flow or spring); got a node network").
  std::function<std::string(const AnalysisContext&)> not_applicable;
  std::function<void(AnalysisContext&, MeasureResults&)> compute;
};

/// Every measure, in the order `plnet analyze --list` prints them.
const std::vector<Measure>& measures();

/// The measure called `name`, or nullptr.
const Measure* find_measure(const std::string& name);

}  // namespace plnet::analysis
