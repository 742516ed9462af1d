#include <plnet/analysis/spectrum.hpp>
#include <plnet/core/error.hpp>
#include <plnet/physics/linear_response.hpp>

#include <Spectra/SymEigsShiftSolver.h>
#include <Eigen/Dense>
#include <Eigen/SparseCholesky>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace plnet::analysis {
namespace {

SparseMatrix reduced_hessian(const physics::LinearModel& model, const Vector& w,
                             const std::string& where, physics::ReducedSystem& reduced) {
  model.check_parameters(w, where);
  reduced.assemble(w);
  return reduced.matrix();
}

// Shift-invert operator for Spectra: y = (A - sigma I)^-1 x by sparse LDL^T (A symmetric, both
// triangles stored; LDL^T needs no definiteness, only non-zero pivots).
class ShiftInvert {
 public:
  using Scalar = double;
  explicit ShiftInvert(const SparseMatrix& a) : a_(a) {}
  Index rows() const { return a_.rows(); }
  Index cols() const { return a_.cols(); }
  void set_shift(double sigma) {
    SparseMatrix identity(a_.rows(), a_.cols());
    identity.setIdentity();
    const SparseMatrix shifted = a_ - sigma * identity;
    ldlt_.compute(shifted);
    require(ldlt_.info() == Eigen::Success, "lowest_physical_modes",
            "factorisation of the shifted Hessian failed (shift ", sigma,
            " is an eigenvalue or the reduced Hessian is singular)");
  }
  void perform_op(const double* x_in, double* y_out) const {
    Eigen::Map<const Vector> x(x_in, a_.rows());
    Eigen::Map<Vector> y(y_out, a_.rows());
    y.noalias() = ldlt_.solve(x);
  }

 private:
  const SparseMatrix& a_;
  Eigen::SimplicialLDLT<SparseMatrix, Eigen::Lower, Eigen::AMDOrdering<int>> ldlt_;
};

}  // namespace

BorderedSpectrum bordered_spectrum(const physics::LinearModel& model, const Vector& w,
                                   const physics::BoundaryConditions& bc, double hessian_factor) {
  require(std::isfinite(hessian_factor) && hessian_factor > 0.0, "bordered_spectrum",
          "hessian_factor must be finite and > 0 (got ", hessian_factor, ")");
  physics::validate(model, bc);
  model.check_parameters(w, "bordered_spectrum");
  Matrix k = Matrix(physics::bordered_matrix(model, w, bc));
  const Index n = model.num_dofs();
  k.topLeftCorner(n, n) *= hessian_factor;  // [[c H, Q^T], [Q, 0]]
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(k);
  const Vector& values = eig.eigenvalues();
  std::vector<Index> order(static_cast<std::size_t>(values.size()));
  std::iota(order.begin(), order.end(), Index{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](Index p, Index q) { return std::abs(values[p]) < std::abs(values[q]); });
  BorderedSpectrum out;
  out.values.resize(values.size());
  out.modes.resize(values.size(), values.size());
  for (std::size_t c = 0; c < order.size(); ++c) {
    out.values[static_cast<Index>(c)] = values[order[c]];
    out.modes.col(static_cast<Index>(c)) = eig.eigenvectors().col(order[c]);
  }
  return out;
}

PhysicalSpectrum physical_spectrum(const physics::LinearModel& model, const Vector& w,
                                   const physics::BoundaryConditions& bc) {
  physics::validate(model, bc);
  physics::ReducedSystem reduced(model, bc);
  const Matrix a = Matrix(reduced_hessian(model, w, "physical_spectrum", reduced));
  PhysicalSpectrum out;
  const Eigen::SelfAdjointEigenSolver<Matrix> reduced_eig(a);
  out.reduced_values = reduced_eig.eigenvalues();  // ascending
  out.reduced_modes = reduced_eig.eigenvectors();
  out.reduced_modes_full.resize(model.num_dofs(), a.cols());
  const Vector zero = Vector::Zero(model.num_dofs());
  for (Index c = 0; c < a.cols(); ++c)
    reduced.expand_into(out.reduced_modes.col(c), zero, out.reduced_modes_full.col(c));

  BorderedSpectrum bordered = bordered_spectrum(model, w, bc, 1.0);
  out.bordered_values = std::move(bordered.values);
  out.bordered_modes = std::move(bordered.modes);
  return out;
}

LowestModes lowest_physical_modes(const physics::LinearModel& model, const Vector& w,
                                  const physics::BoundaryConditions& bc, Index k, double shift) {
  physics::validate(model, bc);
  physics::ReducedSystem reduced(model, bc);
  const SparseMatrix a = reduced_hessian(model, w, "lowest_physical_modes", reduced);
  const Index n = a.rows();
  require(k >= 1 && k < n, "lowest_physical_modes", "k must be in [1, n_free - 1] (got ", k,
          ", n_free = ", n, ")");
  require(std::isfinite(shift), "lowest_physical_modes", "shift must be finite (got ", shift, ")");
  ShiftInvert op(a);
  // ncv = 2k + 1 Lanczos vectors (Spectra's recommendation), at least 20, at most n.
  const Index ncv = std::min(n, std::max<Index>(2 * k + 1, 20));
  Spectra::SymEigsShiftSolver<ShiftInvert> eigs(op, k, ncv, shift);
  LowestModes out;
  eigs.init();
  eigs.compute(Spectra::SortRule::LargestMagn, 1000, 1e-12, Spectra::SortRule::SmallestAlge);
  out.converged = eigs.info() == Spectra::CompInfo::Successful;
  out.iterations = eigs.num_iterations();
  out.values = eigs.eigenvalues();
  out.modes = eigs.eigenvectors();
  return out;
}

}  // namespace plnet::analysis
