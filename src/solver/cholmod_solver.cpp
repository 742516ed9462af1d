// CHOLMOD backend. CHOLMOD headers stay in this file (style.md: library headers only in src/).
#include "solver/backends.hpp"

#include <plnet/core/error.hpp>

#include <cholmod.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace plnet::solver {
namespace {

std::string cholmod_status_message(int status) {
  switch (status) {
    case CHOLMOD_OK:
      return "ok";
    case CHOLMOD_NOT_INSTALLED:
      return "CHOLMOD: method not installed";
    case CHOLMOD_OUT_OF_MEMORY:
      return "CHOLMOD: out of memory";
    case CHOLMOD_TOO_LARGE:
      return "CHOLMOD: integer overflow (problem too large)";
    case CHOLMOD_INVALID:
      return "CHOLMOD: invalid input";
    case CHOLMOD_GPU_PROBLEM:
      return "CHOLMOD: GPU problem";
    case CHOLMOD_NOT_POSDEF:
      return "CHOLMOD: matrix not positive definite";
    case CHOLMOD_DSMALL:
      return "CHOLMOD: diagonal entry below threshold";
    default:
      return concat("CHOLMOD: status ", status);
  }
}

class CholmodSolver final : public SymmetricSolver {
 public:
  explicit CholmodSolver(int mode) : mode_(mode) {
    cholmod_start(&common_);
    common_.print = 0;  // statuses are mapped to messages here; nothing goes to stderr
    common_.supernodal = mode;
    common_.final_ll = (mode == CHOLMOD_SUPERNODAL) ? 1 : 0;
    // Larger relaxed supernodes than CHOLMOD's defaults (nrelax 4/16/48, zrelax 0.8/0.1/0.05).
    // Debian's CHOLMOD opens an OpenMP parallel region per supernode even on one thread, which
    // costs ~1 us each; on planar networks (N = 3e4 .. 3e5) merging supernodes with a few more
    // explicit zeros halved the numeric factorisation time (docs/benchmarks.md).
    common_.nrelax[0] = 16;
    common_.nrelax[1] = 64;
    common_.nrelax[2] = 256;
    common_.zrelax[0] = 0.8;
    common_.zrelax[1] = 0.2;
    common_.zrelax[2] = 0.1;
  }
  ~CholmodSolver() override {
    if (factor_ != nullptr) cholmod_free_factor(&factor_, &common_);
    if (x_ != nullptr) cholmod_free_dense(&x_, &common_);
    if (y_ != nullptr) cholmod_free_dense(&y_, &common_);
    if (e_ != nullptr) cholmod_free_dense(&e_, &common_);
    cholmod_finish(&common_);
  }
  CholmodSolver(const CholmodSolver&) = delete;
  CholmodSolver& operator=(const CholmodSolver&) = delete;

  std::string name() const override {
    switch (mode_) {
      case CHOLMOD_SIMPLICIAL:
        return "cholmod-simplicial";
      case CHOLMOD_SUPERNODAL:
        return "cholmod-supernodal";
      default:
        return "cholmod";
    }
  }

  void analyze(const SparseMatrix& a) override {
    cholmod_sparse view = upper_view(a);
    if (factor_ != nullptr) cholmod_free_factor(&factor_, &common_);
    factor_ = cholmod_analyze(&view, &common_);
    if (factor_ == nullptr || common_.status < CHOLMOD_OK)
      throw std::runtime_error("CHOLMOD analysis failed: " +
                               cholmod_status_message(common_.status));
    analyzed_size_ = a.rows();
  }

  FactorResult factorize(const SparseMatrix& a) override {
    assert(factor_ != nullptr && a.rows() == analyzed_size_ && "factorize before analyze");
    cholmod_sparse view = upper_view(a);
    cholmod_factorize(&view, factor_, &common_);
    FactorResult result;
    if (common_.status == CHOLMOD_NOT_POSDEF) {
      result.status = FactorStatus::kNotPositiveDefinite;
      const auto* perm = static_cast<const int*>(factor_->Perm);
      const auto minor = static_cast<Index>(factor_->minor);
      result.failed_column = (perm != nullptr && minor < a.rows()) ? perm[minor] : minor;
      result.min_pivot_ratio = 0.0;
      result.message = cholmod_status_message(common_.status);
      return result;
    }
    if (common_.status < CHOLMOD_OK) {
      result.status = FactorStatus::kFailed;
      result.message = cholmod_status_message(common_.status);
      return result;
    }
    check_pivots(a, result);
    return result;
  }

  void solve_in_place(Matrix& b) override {
    cholmod_dense rhs{};
    rhs.nrow = static_cast<std::size_t>(b.rows());
    rhs.ncol = static_cast<std::size_t>(b.cols());
    rhs.nzmax = rhs.nrow * rhs.ncol;
    rhs.d = rhs.nrow;
    rhs.x = b.data();
    rhs.xtype = CHOLMOD_REAL;
    rhs.dtype = CHOLMOD_DOUBLE;
    // solve2 reuses x_, y_, e_ between calls: no allocation once the shapes are stable.
    cholmod_solve2(CHOLMOD_A, factor_, &rhs, nullptr, &x_, nullptr, &y_, &e_, &common_);
    if (x_ == nullptr || common_.status < CHOLMOD_OK)
      throw std::runtime_error("CHOLMOD solve failed: " + cholmod_status_message(common_.status));
    std::memcpy(b.data(), x_->x, sizeof(double) * rhs.nzmax);
  }

 private:
  // CHOLMOD reads only the upper triangle of a matrix with stype > 0, so the full symmetric
  // Eigen matrix can be handed over without copying.
  static cholmod_sparse upper_view(const SparseMatrix& a) {
    assert(a.isCompressed() && "CHOLMOD needs a compressed matrix");
    cholmod_sparse view{};
    view.nrow = static_cast<std::size_t>(a.rows());
    view.ncol = static_cast<std::size_t>(a.cols());
    view.nzmax = static_cast<std::size_t>(a.nonZeros());
    view.p = const_cast<int*>(a.outerIndexPtr());
    view.i = const_cast<int*>(a.innerIndexPtr());
    view.x = const_cast<double*>(a.valuePtr());
    view.stype = 1;
    view.itype = CHOLMOD_INT;
    view.xtype = CHOLMOD_REAL;
    view.dtype = CHOLMOD_DOUBLE;
    view.sorted = 1;
    view.packed = 1;
    return view;
  }

  void check_pivots(const SparseMatrix& a, FactorResult& result) const {
    const auto* perm = static_cast<const int*>(factor_->Perm);
    const auto* x = static_cast<const double*>(factor_->x);
    const Vector diag = a.diagonal();
    auto record = [&](Index j, double pivot) {
      const Index original = perm != nullptr ? perm[j] : j;
      // |A_jj|: a negative pivot over a negative diagonal must not look positive.
      const double ratio = pivot / std::abs(diag[original]);
      if (ratio < result.min_pivot_ratio) {
        result.min_pivot_ratio = ratio;
        if (!(ratio > kNegligiblePivot)) result.failed_column = original;
      }
    };
    if (factor_->is_super) {
      const auto* super = static_cast<const int*>(factor_->super);
      const auto* pi = static_cast<const int*>(factor_->pi);
      const auto* px = static_cast<const int*>(factor_->px);
      for (std::size_t s = 0; s < factor_->nsuper; ++s) {
        const Index nsrow = pi[s + 1] - pi[s];
        for (Index jj = 0; jj < super[s + 1] - super[s]; ++jj) {
          const double l = x[px[s] + jj + jj * nsrow];
          record(super[s] + jj, l * l);
        }
      }
    } else {
      const auto* p = static_cast<const int*>(factor_->p);
      for (Index j = 0; j < static_cast<Index>(factor_->n); ++j) {
        const double d = x[p[j]];  // the diagonal leads each column
        record(j, factor_->is_ll ? d * d : d);
      }
    }
    if (result.failed_column >= 0) {
      result.status = FactorStatus::kNotPositiveDefinite;
      result.message = concat("negligible pivot (ratio ", result.min_pivot_ratio,
                              " to the diagonal) at unknown ", result.failed_column);
    }
  }

  int mode_;
  cholmod_common common_{};
  cholmod_factor* factor_ = nullptr;
  cholmod_dense* x_ = nullptr;
  cholmod_dense* y_ = nullptr;
  cholmod_dense* e_ = nullptr;
};

}  // namespace

std::unique_ptr<SymmetricSolver> make_cholmod_solver(CholmodMode mode) {
  switch (mode) {
    case CholmodMode::kSimplicial:
      return std::make_unique<CholmodSolver>(CHOLMOD_SIMPLICIAL);
    case CholmodMode::kSupernodal:
      return std::make_unique<CholmodSolver>(CHOLMOD_SUPERNODAL);
    case CholmodMode::kAuto:
      return std::make_unique<CholmodSolver>(CHOLMOD_AUTO);
  }
  return nullptr;
}

}  // namespace plnet::solver
