#include <plnet/analysis/measured_susceptibility.hpp>
#include <plnet/analysis/susceptibility_scale.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <vector>

namespace plnet::analysis {

void ProbeExperiment::validate() const {
  require(std::isfinite(noise) && noise >= 0.0, "ProbeExperiment::noise",
          "must be finite and >= 0 (got ", noise, ")");
  if (kind == ProbeKind::kRandom)
    require(probes >= 1, "ProbeExperiment::probes", "must be >= 1 for random probes (got ", probes,
            ")");
}

MeasuredSusceptibility measured_susceptibility(const BorderedInverse& inverse,
                                               const ProbeExperiment& experiment) {
  experiment.validate();
  require(inverse.model().rank_one(), "measured_susceptibility",
          "needs a difference (rank-one) network (got a node network)");
  require(inverse.parameters().size() == inverse.model().num_parameters(),
          "measured_susceptibility", "no parameters yet (call update(w) first)");
  const SparseMatrix b = inverse.model().difference_operator();
  const Index m = b.rows();
  const auto& active = inverse.active_indices();
  const auto na = static_cast<Index>(active.size());
  random::Engine engine(experiment.seed);
  MeasuredSusceptibility out;
  out.vectors = Matrix::Zero(m, inverse.size());
  Matrix x;
  if (experiment.kind == ProbeKind::kUnit) {
    inverse.unit_states(active, x);
    Matrix d = b * x;  // M x n_active: exact s_i,a
    for (Index j = 0; j < na; ++j)
      for (Index i = 0; i < m; ++i) d(i, j) += experiment.noise * random::normal(engine);
    for (Index j = 0; j < na; ++j) out.vectors.col(active[static_cast<std::size_t>(j)]) = d.col(j);
    out.probes = na;
    out.norms = d.rowwise().squaredNorm().array() -
                static_cast<double>(na) * experiment.noise * experiment.noise;
    return out;
  }
  const Index r = experiment.probes;
  const Matrix z = gaussian_probes(inverse, r, engine);  // n_ext x R
  inverse.states(z, x);
  Matrix d = b * x;  // M x R
  for (Index j = 0; j < r; ++j)
    for (Index i = 0; i < m; ++i) d(i, j) += experiment.noise * random::normal(engine);
  out.probes = r;
  out.norms = d.rowwise().squaredNorm() / static_cast<double>(r);
  out.norms.array() -= experiment.noise * experiment.noise;
  // Least squares on the active entries: S_a^ Z_a = D  ->  S_a^ = D Z_a^+ (Z_a: n_active x R).
  Matrix za(na, r);
  for (Index k = 0; k < na; ++k) za.row(k) = z.row(active[static_cast<std::size_t>(k)]);
  const Eigen::CompleteOrthogonalDecomposition<Matrix> cod(za.transpose());  // R x n_active
  const Matrix sa = cod.solve(d.transpose()).transpose();                    // M x n_active
  for (Index k = 0; k < na; ++k) out.vectors.col(active[static_cast<std::size_t>(k)]) = sa.col(k);
  if (r >= na) {
    // A complete probe set determines S: use its norms, less the noise's contribution
    // E||eps Z^+||^2 = noise^2 tr((Z Z^T)^-1) per row, instead of the sketch.
    const Eigen::LLT<Matrix> gram(za * za.transpose());
    require(gram.info() == Eigen::Success, "measured_susceptibility",
            "the random probes are rank deficient (got ", r, " probes for ", na, " unknowns)");
    const double trace = gram.solve(Matrix::Identity(na, na)).trace();
    out.norms = sa.rowwise().squaredNorm();
    out.norms.array() -= experiment.noise * experiment.noise * trace;
  }
  return out;
}

EstimationError estimation_error(const MeasuredSusceptibility& estimate, const Matrix& vectors,
                                 const Vector& norms) {
  require(estimate.vectors.rows() == vectors.rows() && estimate.vectors.cols() == vectors.cols() &&
              estimate.norms.size() == norms.size(),
          "estimation_error", "shapes differ (estimate ", estimate.vectors.rows(), " x ",
          estimate.vectors.cols(), ", exact ", vectors.rows(), " x ", vectors.cols(), ")");
  EstimationError e;
  e.vectors = (estimate.vectors - vectors).norm() / vectors.norm();
  e.norms = (estimate.norms - norms).norm() / norms.norm();
  std::vector<double> rel(static_cast<std::size_t>(norms.size()));
  for (Index i = 0; i < norms.size(); ++i)
    rel[static_cast<std::size_t>(i)] = std::abs(estimate.norms[i] - norms[i]) / norms[i];
  auto mid = rel.begin() + static_cast<std::ptrdiff_t>(rel.size() / 2);
  std::nth_element(rel.begin(), mid, rel.end());
  e.median_norm = rel.empty() ? 0.0 : *mid;
  return e;
}

}  // namespace plnet::analysis
