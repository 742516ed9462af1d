#include <plnet/analysis/partial_susceptibility.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/analysis/susceptibility_scale.hpp>
#include <plnet/core/error.hpp>

#include <Spectra/SymEigsSolver.h>

#include <algorithm>

namespace plnet::analysis {
namespace {

// Cumulative partial norms and ratios from the projections P = B~ W (M x n) and values nu.
PartialSusceptibility assemble(const Matrix& projections, const Vector& values, Vector full) {
  PartialSusceptibility out;
  out.mode_values = values;
  const Index n = values.size();
  const Index m = projections.rows();
  out.partial_norms.resize(m, n);
  Vector running = Vector::Zero(m);
  for (Index a = 0; a < n; ++a) {
    running += projections.col(a).cwiseAbs2() / (values[a] * values[a]);
    out.partial_norms.col(a) = running;
  }
  out.full_norms = std::move(full);
  const double total = out.full_norms.sum();
  out.total_ratio = out.partial_norms.colwise().sum().transpose() / total;
  out.mean_ratio.resize(n);
  for (Index a = 0; a < n; ++a)
    out.mean_ratio[a] = (out.partial_norms.col(a).array() / out.full_norms.array()).mean();
  return out;
}

// y = K^-1 x through the eliminated factor (Spectra operator).
class BorderedInverseOp {
 public:
  using Scalar = double;
  explicit BorderedInverseOp(const BorderedInverse& inverse) : inverse_(inverse) {}
  Index rows() const { return inverse_.size(); }
  Index cols() const { return inverse_.size(); }
  void perform_op(const double* x_in, double* y_out) const {
    const Eigen::Map<const Matrix> x(x_in, rows(), 1);
    Eigen::Map<Matrix>(y_out, rows(), 1) = inverse_.solve(x);
  }

 private:
  const BorderedInverse& inverse_;
};

}  // namespace

PartialSusceptibility partial_susceptibility(const physics::LinearModel& model, const Vector& w,
                                             const physics::BoundaryConditions& bc, Index n_modes) {
  require(model.rank_one(), "partial_susceptibility",
          "needs a difference (rank-one) network (got a node network)");
  const PhysicalSpectrum spectrum = physical_spectrum(model, w, bc);
  const Index n_ext = spectrum.bordered_values.size();
  if (n_modes == 0) n_modes = n_ext;
  require(n_modes >= 1 && n_modes <= n_ext, "partial_susceptibility", "n_modes must be in [1, ",
          n_ext, "] (got ", n_modes, ")");
  const SparseMatrix b = model.difference_operator();
  const Matrix projections =
      b * spectrum.bordered_modes.topLeftCorner(model.num_dofs(), n_modes);  // B~ W
  return assemble(projections, spectrum.bordered_values.head(n_modes),
                  susceptibility_norms(model, w, bc));
}

PartialSusceptibility partial_susceptibility(const BorderedInverse& inverse, Index n_modes,
                                             Index block_size) {
  require(inverse.model().rank_one(), "partial_susceptibility",
          "needs a difference (rank-one) network (got a node network)");
  const Index n_ext = inverse.size();
  require(n_modes >= 1 && n_modes < n_ext, "partial_susceptibility",
          "n_modes must be in [1, n_ext - 1] (got ", n_modes, ", n_ext = ", n_ext, ")");
  BorderedInverseOp op(inverse);
  const Index ncv = std::min(n_ext, std::max<Index>(2 * n_modes + 1, 20));
  Spectra::SymEigsSolver<BorderedInverseOp> eigs(op, n_modes, ncv);
  // Start vector: all ones on the active entries (deterministic; a unit vector could miss
  // a mode by symmetry far less often than a constant on a disordered network, but both are
  // reproducible and the constant overlaps every non-trivial mode generically).
  Vector start = Vector::Zero(n_ext);
  for (const Index a : inverse.active_indices()) start[a] = 1.0 + 1e-3 * static_cast<double>(a % 7);
  eigs.init(start.data());
  eigs.compute(Spectra::SortRule::LargestMagn, 1000, 1e-12, Spectra::SortRule::LargestMagn);
  const Vector theta = eigs.eigenvalues();  // 1 / nu, |.| descending
  const Matrix modes = eigs.eigenvectors();
  const SparseMatrix b = inverse.model().difference_operator();
  const Matrix projections = b * modes.topRows(inverse.num_dofs());
  PartialSusceptibility out =
      assemble(projections, theta.cwiseInverse(), susceptibility_norms(inverse, block_size));
  out.converged = eigs.info() == Spectra::CompInfo::Successful;
  return out;
}

}  // namespace plnet::analysis
