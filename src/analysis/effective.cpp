#include <plnet/analysis/effective.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/core/error.hpp>
#include <plnet/physics/linear_response.hpp>

#include <Eigen/Dense>

#include <cmath>

namespace plnet::analysis {
namespace {

void check_spectrum(const Vector& eigenvalues, const std::string& where) {
  require(eigenvalues.size() >= 1, where, "need at least one eigenvalue");
  for (Index a = 0; a < eigenvalues.size(); ++a)
    require(std::isfinite(eigenvalues[a]) && eigenvalues[a] > 0.0, where, "eigenvalue ", a,
            " must be finite and > 0 (got ", eigenvalues[a], ")");
}

}  // namespace

double effective_conductance(const Vector& eigenvalues) {
  check_spectrum(eigenvalues, "effective_conductance");
  return std::sqrt(eigenvalues.array().inverse().square().sum());
}

double effective_dimension(const Vector& eigenvalues) {
  check_spectrum(eigenvalues, "effective_dimension");
  const Eigen::ArrayXd c = eigenvalues.array().inverse().square();
  return c.sum() * c.sum() / (3.0 * c.square().sum());
}

void RandomForceOptions::validate() const {
  require(samples >= 2, "RandomForceOptions::samples", "need >= 2 (got ", samples, ")");
}

Matrix random_forces(Index n, const RandomForceOptions& options) {
  options.validate();
  require(n >= 1, "random_forces", "n must be >= 1 (got ", n, ")");
  random::Engine engine(options.seed);
  Matrix f(n, options.samples);
  for (Index m = 0; m < options.samples; ++m) {
    for (Index a = 0; a < n; ++a) f(a, m) = random::normal(engine);
    if (options.distribution == ForceDistribution::kUnitSphere) f.col(m).normalize();
  }
  return f;
}

Matrix random_force_responses(const physics::LinearModel& model, const Vector& w,
                              const physics::BoundaryConditions& bc, const Matrix& forces) {
  physics::LinearResponse response(model, bc);
  require(forces.rows() == response.reduced().size(), "random_force_responses",
          "forces must have one row per free dof (got ", forces.rows(), ", need ",
          response.reduced().size(), ")");
  response.set_parameters(w);
  Matrix x = forces;
  response.solve_reduced(x);
  return x;
}

RandomForceMeasures random_force_measures(const Matrix& forces, const Matrix& responses,
                                          const Matrix& modes, ForceDistribution distribution) {
  const std::string where = "random_force_measures";
  const Index n = forces.rows();
  const Index m = forces.cols();
  require(m >= 2, where, "need >= 2 samples (got ", m, ")");
  require(responses.rows() == n && responses.cols() == m, where,
          "responses must match forces (got ", responses.rows(), " x ", responses.cols(), ", need ",
          n, " x ", m, ")");
  require(modes.rows() == n && modes.cols() == n, where, "modes must be ", n, " x ", n, " (got ",
          modes.rows(), " x ", modes.cols(), ")");
  const Matrix p = modes.transpose() * responses;  // P_am
  const Eigen::ArrayXd a = p.array().square().colwise().sum().transpose();
  const Eigen::ArrayXd b = p.array().square().square().colwise().sum().transpose();
  const double mm = static_cast<double>(m);
  const double nn = static_cast<double>(n);
  const double mean_a = a.mean();
  const double mean_b = b.mean();
  const double var_a = (a - mean_a).square().sum() / (mm - 1.0);
  const double var_b = (b - mean_b).square().sum() / (mm - 1.0);
  const double cov_ab = ((a - mean_a) * (b - mean_b)).sum() / (mm - 1.0);
  const bool sphere = distribution == ForceDistribution::kUnitSphere;
  const double s = sphere ? nn : 1.0;
  const double f = sphere ? nn / (nn + 2.0) : 1.0;

  RandomForceMeasures out;
  out.samples = m;
  out.effective_conductance = std::sqrt(s * mean_a);
  out.effective_conductance_error = s * std::sqrt(var_a / mm) / (2.0 * out.effective_conductance);
  out.effective_dimension = f * mean_a * mean_a / mean_b;
  const double rel2 = 4.0 * var_a / (mean_a * mean_a) + var_b / (mean_b * mean_b) -
                      4.0 * cov_ab / (mean_a * mean_b);
  out.effective_dimension_error = out.effective_dimension * std::sqrt(std::max(rel2, 0.0) / mm);
  double amplitude = 0.0;
  for (Index k = 0; k < m; ++k) amplitude += responses.col(k).norm() / forces.col(k).norm();
  out.mean_amplitude = amplitude / mm;
  out.mean_participation = (a.square() / b).mean();
  return out;
}

double predicted_conductance_squared_error(const Vector& eigenvalues,
                                           ForceDistribution distribution, Index samples) {
  check_spectrum(eigenvalues, "predicted_conductance_squared_error");
  require(samples >= 1, "predicted_conductance_squared_error", "samples must be >= 1 (got ",
          samples, ")");
  const Eigen::ArrayXd c = eigenvalues.array().inverse().square();
  const double n = static_cast<double>(c.size());
  const double var = distribution == ForceDistribution::kGaussian
                         ? 2.0 * c.square().sum()
                         : 2.0 * (n * c.square().sum() - c.sum() * c.sum()) / (n + 2.0);
  return std::sqrt(std::max(var, 0.0) / static_cast<double>(samples));
}

Matrix mode_force_overlaps(const Matrix& modes, const Matrix& forces) {
  require(modes.rows() == forces.rows(), "mode_force_overlaps",
          "modes and forces need the same number of rows (got ", modes.rows(), " and ",
          forces.rows(), ")");
  Matrix o = (modes.transpose() * forces).array().square().matrix();
  for (Index j = 0; j < forces.cols(); ++j) {
    const double f2 = forces.col(j).squaredNorm();
    require(f2 > 0.0, "mode_force_overlaps", "force ", j, " is zero");
    o.col(j) /= f2;
  }
  return o;
}

TaskAlignment task_alignment(const Matrix& modes, const Matrix& forces, double threshold) {
  const std::string where = "task_alignment";
  require(modes.rows() == forces.rows(), where,
          "modes and forces need the same number of rows (got ", modes.rows(), " and ",
          forces.rows(), ")");
  require(forces.cols() >= 1, where, "need at least one force");
  require(threshold > 0.0 && threshold <= 1.0, where, "threshold must be in (0, 1] (got ",
          threshold, ")");
  const Eigen::JacobiSVD<Matrix> svd(forces, Eigen::ComputeThinU);
  const Vector& sv = svd.singularValues();
  require(sv.size() > 0 && sv[0] > 0.0, where, "every force is zero");
  Index rank = 0;
  while (rank < sv.size() && sv[rank] > 1e-10 * sv[0]) ++rank;
  const Matrix basis = svd.matrixU().leftCols(rank);
  TaskAlignment out;
  out.rank = rank;
  out.random_overlap = static_cast<double>(rank) / static_cast<double>(forces.rows());
  out.subspace_overlap = (basis.transpose() * modes).colwise().squaredNorm().transpose();
  const double s1 = out.subspace_overlap.sum();
  const double s2 = out.subspace_overlap.squaredNorm();
  out.aligned_modes = s2 > 0.0 ? s1 * s1 / s2 : 0.0;
  out.modes_above_threshold = (out.subspace_overlap.array() > threshold).count();
  return out;
}

Matrix task_forces(const physics::LinearModel& model, const Vector& w, const learning::Task& task) {
  task.validate(model);
  model.check_parameters(w, "task_forces");
  const Vector zeros = Vector::Zero(task.num_inputs());
  const physics::BoundaryConditions structure = task.conditions(zeros);
  const physics::ReducedSystem reduced(model, structure);
  const Index n = reduced.size();
  Matrix out = Matrix::Zero(n, task.num_inputs() + task.num_outputs());
  for (Index j = 0; j < task.num_inputs(); ++j) {
    const physics::BoundaryConditions bc = task.conditions(Vector::Unit(task.num_inputs(), j),
                                                           /*include_fixed=*/false);
    Vector force = Vector::Zero(model.num_dofs());
    for (const auto& inj : bc.injections) force[inj.dof] += inj.amount;
    // An edge source s in series with edge e injects B^T W s (boundary_conditions.hpp).
    for (const auto& src : bc.edge_sources) {
      const auto dofs = model.stamp_dofs(src.edge);
      const auto b = model.stamp_vector(src.edge);
      for (std::size_t k = 0; k < dofs.size(); ++k)
        force[dofs[k]] += w[src.edge] * b[k] * src.value;
    }
    out.col(j) = reduced.reduced_rhs(w, force, reduced.offset(bc));
  }
  for (Index o = 0; o < task.num_outputs(); ++o) {
    const learning::Readout& r = task.outputs[static_cast<std::size_t>(o)];
    for (std::size_t k = 0; k < r.dofs.size(); ++k)
      for (const auto& term : reduced.row(r.dofs[k]))
        out(term.free, task.num_inputs() + o) += r.coefficients[k] * term.coefficient;
  }
  return out;
}

SpectralTrajectory spectral_trajectory(const physics::LinearModel& model,
                                       const std::vector<Vector>& snapshots,
                                       const physics::BoundaryConditions& bc, Index lowest) {
  const std::string where = "spectral_trajectory";
  require(!snapshots.empty(), where, "no snapshots");
  const auto t = static_cast<Index>(snapshots.size());
  SpectralTrajectory out;
  out.effective_conductance.resize(t);
  out.effective_dimension.resize(t);
  for (Index s = 0; s < t; ++s) {
    const PhysicalSpectrum spec =
        physical_spectrum(model, snapshots[static_cast<std::size_t>(s)], bc);
    const Index n = spec.reduced_values.size();
    if (s == 0) {
      require(lowest >= 1 && lowest <= n, where, "lowest must be in [1, ", n, "] (got ", lowest,
              ")");
      out.lowest.resize(t, lowest);
    }
    out.lowest.row(s) = spec.reduced_values.head(lowest).transpose();
    out.effective_conductance[s] = effective_conductance(spec.reduced_values);
    out.effective_dimension[s] = effective_dimension(spec.reduced_values);
  }
  return out;
}

}  // namespace plnet::analysis
