#include <plnet/analysis/partial_susceptibility.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/core/error.hpp>

#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <cmath>
#include <span>

namespace plnet::analysis {
namespace {

// Cumulative partial norms and ratios from the projections P = B~ W (M x n) and values nu.
PartialSusceptibility assemble(const Matrix& projections, const Vector& values, Vector full,
                               double hessian_factor) {
  PartialSusceptibility out;
  out.hessian_factor = hessian_factor;
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

void require_factor(double hessian_factor) {
  require(std::isfinite(hessian_factor) && hessian_factor > 0.0, "partial_susceptibility",
          "hessian_factor must be finite and > 0 (got ", hessian_factor, ")");
}

// y = K_c^-1 x through the eliminated factor of K_1 (Spectra operator): with
// K_1^-1 = [[A, B], [B^T, C]], K_c^-1 = D^-1 K_1^-1 D^-1 = [[A / c, B], [B^T, c C]].
class BorderedInverseOp {
 public:
  using Scalar = double;
  BorderedInverseOp(const BorderedInverse& inverse, double hessian_factor)
      : inverse_(inverse), factor_(hessian_factor) {}
  Index rows() const { return inverse_.size(); }
  Index cols() const { return inverse_.size(); }
  void perform_op(const double* x_in, double* y_out) const {
    const Index n = inverse_.num_dofs();
    Matrix x = Eigen::Map<const Matrix>(x_in, rows(), 1);
    x.topRows(n) /= factor_;
    Eigen::Map<Matrix> y(y_out, rows(), 1);
    y = inverse_.solve(x);
    y.bottomRows(rows() - n) *= factor_;
  }

 private:
  const BorderedInverse& inverse_;
  double factor_;
};

// ||s_i||_c^2 = sum_a w_a (b_i . x^(a))^2 over the active extended indices a, with w_a = 1/c^2
// on physical dofs and 1 on Lagrange rows: ||K_c^-1 b~_i||^2 (header). Blocked unit solves.
Vector full_norms(const BorderedInverse& inverse, Index block_size, double hessian_factor) {
  require(block_size >= 1, "partial_susceptibility", "block_size must be >= 1 (got ", block_size,
          ")");
  const SparseMatrix b = inverse.model().difference_operator();
  const auto& active = inverse.active_indices();
  const auto total = static_cast<Index>(active.size());
  const double physical_weight = 1.0 / (hessian_factor * hessian_factor);
  Vector norms = Vector::Zero(b.rows());
  Matrix x;
  Matrix drops;
  for (Index first = 0; first < total; first += block_size) {
    const Index count = std::min(block_size, total - first);
    const auto block = std::span<const Index>(active).subspan(static_cast<std::size_t>(first),
                                                              static_cast<std::size_t>(count));
    inverse.unit_states(block, x);
    drops.noalias() = b * x;  // M x count: plnet's s_i,a for this block of a
    for (Index j = 0; j < count; ++j)
      norms += (block[static_cast<std::size_t>(j)] < inverse.num_dofs() ? physical_weight : 1.0) *
               drops.col(j).cwiseAbs2();
  }
  return norms;
}

}  // namespace

PartialSusceptibility partial_susceptibility(const physics::LinearModel& model, const Vector& w,
                                             const physics::BoundaryConditions& bc, Index n_modes,
                                             double hessian_factor) {
  require(model.rank_one(), "partial_susceptibility",
          "needs a difference (rank-one) network (got a node network)");
  require_factor(hessian_factor);
  const BorderedSpectrum spectrum = bordered_spectrum(model, w, bc, hessian_factor);
  const Index n_ext = spectrum.values.size();
  if (n_modes == 0) n_modes = n_ext;
  require(n_modes >= 1 && n_modes <= n_ext, "partial_susceptibility", "n_modes must be in [1, ",
          n_ext, "] (got ", n_modes, ")");
  const Index n = model.num_dofs();
  const SparseMatrix b = model.difference_operator();
  const Matrix projections = b * spectrum.modes.topLeftCorner(n, n_modes);  // B~ W
  // ||s_i||_c^2 from plnet's s_i = [x_i; mu_i] (dense LU): ||x_i||^2 / c^2 + ||mu_i||^2.
  const Matrix s = susceptibility_vectors(model, w, bc);
  const Vector full = s.leftCols(n).rowwise().squaredNorm() / (hessian_factor * hessian_factor) +
                      s.rightCols(n_ext - n).rowwise().squaredNorm();
  return assemble(projections, spectrum.values.head(n_modes), full, hessian_factor);
}

PartialSusceptibility partial_susceptibility(const BorderedInverse& inverse, Index n_modes,
                                             Index block_size, double hessian_factor) {
  require(inverse.model().rank_one(), "partial_susceptibility",
          "needs a difference (rank-one) network (got a node network)");
  require_factor(hessian_factor);
  const Index n_ext = inverse.size();
  require(n_modes >= 1 && n_modes < n_ext, "partial_susceptibility",
          "n_modes must be in [1, n_ext - 1] (got ", n_modes, ", n_ext = ", n_ext, ")");
  BorderedInverseOp op(inverse, hessian_factor);
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
      assemble(projections, theta.cwiseInverse(), full_norms(inverse, block_size, hessian_factor),
               hessian_factor);
  out.converged = eigs.info() == Spectra::CompInfo::Successful;
  return out;
}

}  // namespace plnet::analysis
