#include "solver/backends.hpp"

#include <plnet/core/error.hpp>

#include <Eigen/Dense>
#include <Eigen/OrderingMethods>
#include <Eigen/SparseCholesky>

#include <cmath>

namespace plnet::solver {
namespace {

// Shared pivot bookkeeping for the Eigen backends: pivot j of the permuted factor belongs to
// unknown `original`.
void record_pivot(FactorResult& result, Index original, double pivot, double diagonal) {
  // Divide by |A_jj|: a negative pivot over a negative diagonal must not look positive.
  const double ratio = pivot / std::abs(diagonal);
  if (ratio < result.min_pivot_ratio) {
    result.min_pivot_ratio = ratio;
    if (!(ratio > kNegligiblePivot)) result.failed_column = original;
  }
}

void finish_pivot_check(FactorResult& result) {
  if (result.failed_column >= 0) {
    result.status = FactorStatus::kNotPositiveDefinite;
    result.message = concat("negligible or negative pivot (ratio ", result.min_pivot_ratio,
                            " to the diagonal) at unknown ", result.failed_column);
  }
}

class EigenLdltSolver final : public SymmetricSolver {
 public:
  std::string name() const override { return "eigen-ldlt"; }
  void analyze(const SparseMatrix& a) override {
    ldlt_.analyzePattern(a);
    analyzed_size_ = a.rows();
  }
  FactorResult factorize(const SparseMatrix& a) override {
    ldlt_.factorize(a);
    FactorResult result;
    if (ldlt_.info() != Eigen::Success) {
      result.status = FactorStatus::kNotPositiveDefinite;
      result.min_pivot_ratio = 0.0;
      result.message = "zero pivot in LDL^T";
      return result;
    }
    const auto& d = ldlt_.vectorD();
    const auto& pinv = ldlt_.permutationPinv().indices();
    for (Index j = 0; j < d.size(); ++j) {
      const Index original = pinv[j];
      record_pivot(result, original, d[j], a.coeff(original, original));
    }
    finish_pivot_check(result);
    return result;
  }
  void solve_in_place(Matrix& b) override { b = ldlt_.solve(b); }

 private:
  Eigen::SimplicialLDLT<SparseMatrix, Eigen::Upper, Eigen::AMDOrdering<int>> ldlt_;
};

class DenseSolver final : public SymmetricSolver {
 public:
  std::string name() const override { return "dense"; }
  void analyze(const SparseMatrix& a) override { analyzed_size_ = a.rows(); }
  FactorResult factorize(const SparseMatrix& a) override {
    const Matrix dense(a);
    llt_.compute(dense);
    FactorResult result;
    if (llt_.info() != Eigen::Success) {
      result.status = FactorStatus::kNotPositiveDefinite;
      result.min_pivot_ratio = 0.0;
      result.message = "dense Cholesky failed: matrix not positive definite";
      return result;
    }
    const Matrix& l = llt_.matrixLLT();
    for (Index j = 0; j < l.rows(); ++j) record_pivot(result, j, l(j, j) * l(j, j), dense(j, j));
    finish_pivot_check(result);
    return result;
  }
  void solve_in_place(Matrix& b) override { llt_.solveInPlace(b); }

 private:
  Eigen::LLT<Matrix> llt_;
};

}  // namespace

std::unique_ptr<SymmetricSolver> make_eigen_ldlt_solver() {
  return std::make_unique<EigenLdltSolver>();
}
std::unique_ptr<SymmetricSolver> make_dense_solver() {
  return std::make_unique<DenseSolver>();
}

std::vector<std::string> solver_backends() {
  return {"auto",       "cholmod", "cholmod-simplicial", "cholmod-supernodal", "plnet-ldlt",
          "eigen-ldlt", "dense"};
}

std::unique_ptr<SymmetricSolver> make_solver(const std::string& backend, Index size,
                                             OrderingEffort effort) {
  if (backend == "auto")
    return size < kAutoSupernodalThreshold ? make_static_ldlt_solver(effort)
                                           : make_cholmod_solver(CholmodMode::kSupernodal);
  if (backend == "cholmod") return make_cholmod_solver(CholmodMode::kAuto);
  if (backend == "cholmod-simplicial") return make_cholmod_solver(CholmodMode::kSimplicial);
  if (backend == "cholmod-supernodal") return make_cholmod_solver(CholmodMode::kSupernodal);
  if (backend == "plnet-ldlt") return make_static_ldlt_solver(effort);
  if (backend == "eigen-ldlt") return make_eigen_ldlt_solver();
  if (backend == "dense") return make_dense_solver();
  std::string known;
  for (const auto& name : solver_backends()) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument(
      concat("solver backend: unknown name (got '", backend, "', need one of ", known, ")"));
}

void RefinementOptions::validate() const {
  require(max_steps >= 0, "RefinementOptions.max_steps", "must be >= 0 (got ", max_steps, ")");
  require(tolerance >= 0.0, "RefinementOptions.tolerance", "must be >= 0 (got ", tolerance, ")");
}

SolveReport solve_refined(const SparseMatrix& a, SymmetricSolver& solver, const Matrix& b,
                          Matrix& x, const RefinementOptions& options) {
  x = b;
  solver.solve_in_place(x);
  SolveReport report;
  if (b.cols() == 0 || b.rows() == 0) return report;
  // ||A||_inf of the symmetric matrix = max column abs sum.
  double a_norm = 0.0;
  for (int c = 0; c < a.outerSize(); ++c) {
    double s = 0.0;
    for (SparseMatrix::InnerIterator it(a, c); it; ++it) s += std::abs(it.value());
    a_norm = std::max(a_norm, s);
  }
  Matrix residual(b.rows(), b.cols());
  auto backward_error = [&]() {
    residual.noalias() = b - a * x;
    double worst = 0.0;
    for (Index c = 0; c < b.cols(); ++c) {
      const double denom =
          a_norm * x.col(c).lpNorm<Eigen::Infinity>() + b.col(c).lpNorm<Eigen::Infinity>();
      const double r = residual.col(c).lpNorm<Eigen::Infinity>();
      worst = std::max(worst, denom > 0.0 ? r / denom : r);
    }
    return worst;
  };
  report.backward_error = backward_error();
  while (report.refinement_steps < options.max_steps && report.backward_error > options.tolerance) {
    solver.solve_in_place(residual);
    x += residual;
    ++report.refinement_steps;
    const double previous = report.backward_error;
    report.backward_error = backward_error();
    if (!(report.backward_error < 0.5 * previous)) break;  // stagnated: round-off floor reached
  }
  return report;
}

}  // namespace plnet::solver
