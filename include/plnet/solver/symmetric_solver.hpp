#pragma once
/// Sparse symmetric positive-definite solvers behind one small interface. The symbolic
/// analysis (fill-reducing ordering, elimination tree) is done once per sparsity pattern;
/// factorize() only recomputes the numbers, so a training loop that changes parameters but
/// not topology pays for the analysis once. Backends are chosen by name through a registry:
///
///   "cholmod-simplicial"  CHOLMOD LDL^T, simplicial
///   "cholmod-supernodal"  CHOLMOD LL^T, supernodal with BLAS (fastest for large systems)
///   "cholmod"             CHOLMOD's own choice from the analysed fill
///   "plnet-ldlt"          plnet's own up-looking LDL^T with every symbolic step done once in
///                         analyze(): AMD, or with OrderingEffort::kThorough the better of
///                         CHOLMOD's AMD and NESDIS orderings (below), a gather
///                         map from A's values into P A P^T, the row and column patterns of L;
///                         factorize() and solve_in_place() only run over stored index lists
///                         and allocate nothing once the block width is stable. Solves all
///                         right-hand sides in one pass over L. Measured on the reduced system of
///                         a 300-node 2D jammed network (N = 297): 361k instructions per
///                         factorisation against Eigen's 551k, 209k per 5-column solve against
///                         283k; N = 2990: 13.8M against 19.4M (docs/benchmarks.md, "plnet-ldlt").
///                         The thorough analysis costs ~4x AMD alone, paid once per pattern.
///   "eigen-ldlt"          Eigen::SimplicialLDLT with AMD ordering
///   "dense"               Eigen dense LLT (small systems and tests)
///   "auto"                plnet-ldlt below kAutoSupernodalThreshold unknowns, else
///                         cholmod-supernodal

#include <plnet/core/types.hpp>

#include <memory>
#include <string>
#include <vector>

namespace plnet::solver {

enum class FactorStatus {
  kOk,
  kNotPositiveDefinite,  ///< a pivot was <= 0 or negligible: singular or indefinite matrix
  kFailed,               ///< out of memory or another library failure; see message
};

/// Outcome of a numeric factorisation. `failed_column` is the column (unknown) at which a
/// non-positive or negligible pivot appeared, -1 if none.
struct FactorResult {
  FactorStatus status = FactorStatus::kOk;
  Index failed_column = -1;
  double min_pivot_ratio = 1.0;  ///< min_j pivot_j / A_jj: near 0 means nearly singular
  std::string message;
  bool ok() const { return status == FactorStatus::kOk; }
};

/// Unknowns above which "auto" switches from simplicial to supernodal factorisation. Measured
/// on random planar networks, one thread (docs/benchmarks.md, BM_BackendFactor): Eigen's LDL^T
/// factorises N = 3e4 in ~60% of the supernodal time, supernodal N = 3e5 in ~70% and N = 1e6 in
/// ~50% of Eigen's.
inline constexpr Index kAutoSupernodalThreshold = 100000;

/// A pivot d_j with d_j <= kNegligiblePivot * A_jj counts as zero: the matrix has a (near)
/// null vector there. 1e-13 is about a thousand times double round-off on the diagonal, and
/// far below the 1e-12 pivot ratios that conductances spread over 1e-6..1e6 can legitimately
/// produce only in pathological chains.
inline constexpr double kNegligiblePivot = 1e-13;

class SymmetricSolver {
 public:
  virtual ~SymmetricSolver() = default;
  virtual std::string name() const = 0;
  /// Symbolic analysis. `a` is square, symmetric, both triangles stored, compressed.
  virtual void analyze(const SparseMatrix& a) = 0;
  /// Numeric factorisation of a matrix with the analysed pattern.
  virtual FactorResult factorize(const SparseMatrix& a) = 0;
  /// Overwrites each column of `b` with A^-1 b (many right-hand sides at once).
  virtual void solve_in_place(Matrix& b) = 0;
  bool analyzed() const { return analyzed_size_ >= 0; }
  Index analyzed_size() const { return analyzed_size_; }

 protected:
  Index analyzed_size_ = -1;
};

/// The registered backend names, in the order documented above.
std::vector<std::string> solver_backends();

/// How much analyze() may spend on the fill-reducing ordering. kFast: AMD alone, for one-shot
/// solves where the analysis is a large part of the cost. kThorough: the best of AMD and nested
/// dissection (CHOLMOD's NESDIS), ~4x the analysis time for up to ~27% fewer flops per
/// factorisation; for patterns refactorised many times (training). Backends that do not choose
/// their own ordering between several methods ignore it.
enum class OrderingEffort { kFast, kThorough };

/// A solver by name; `size` is the number of unknowns (used by "auto").
/// Throws std::invalid_argument for an unknown name, listing the known ones.
std::unique_ptr<SymmetricSolver> make_solver(const std::string& backend, Index size,
                                             OrderingEffort effort = OrderingEffort::kFast);

/// Options for solve_refined.
struct RefinementOptions {
  int max_steps = 4;
  /// Stop when the normwise backward error ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf)
  /// falls below this. 1e-15 is ~5 eps: what a backward-stable solve of a well-conditioned
  /// system already reaches, so refinement costs nothing there and acts where it is needed.
  double tolerance = 1e-15;
  /// When > 0, skip the residual check altogether if the factorisation's smallest pivot ratio
  /// (FactorResult::min_pivot_ratio) is above this: LDL^T of a symmetric positive-definite
  /// matrix is backward stable, and the check (a residual per column) costs as much as a third
  /// of a small solve. The decision depends only on the matrix, so runs stay reproducible.
  double skip_check_above_pivot_ratio = 0.0;
  void validate() const;
};

/// Residual report of a refined solve (worst column). solve_refined() fills the first two
/// fields for the system it was given; physics::LinearResponse::solve() and
/// physics::solve_bordered() fill all three for the network's original equations
/// (docs/conventions.md, "Accuracy of a solve").
struct SolveReport {
  int refinement_steps = 0;
  double backward_error = 0.0;  ///< -1: not measured
  /// Estimated relative error of the returned solution (the relative size of the next
  /// refinement correction); -1: not estimated.
  double error_estimate = -1.0;
};

/// Solves A X = B with an already factorised solver, then iteratively refines with the
/// residual computed from `a` in double precision. Keeps states accurate to round-off when
/// conductances span 1e-6..1e6.
SolveReport solve_refined(const SparseMatrix& a, SymmetricSolver& solver, const Matrix& b,
                          Matrix& x, const RefinementOptions& options = {});

}  // namespace plnet::solver
