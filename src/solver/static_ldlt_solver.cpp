// "plnet-ldlt": an up-looking sparse LDL^T whose symbolic work is all done in analyze().
//
// Eigen's SimplicialLDLT and CHOLMOD's simplicial LDL^T redo part of the symbolic work on every
// numeric factorisation: Eigen permutes A (permute_symm_to_symm) and walks the elimination tree
// for the pattern of every row of L; both visit the pattern through marks and stacks. For the
// small systems of a training loop (N = 300 .. 3e4 unknowns, refactorised a million times with
// the same pattern) that bookkeeping costs as much as the arithmetic. Here analyze() stores
//   - the fill-reducing ordering with the least fill among CHOLMOD's AMD and NESDIS
//     (cholmod_analyze with two methods, etree-postordered),
//   - a gather map from A's value array to the strictly upper triangle of P A P^T (column k
//     holds A(perm[i], perm[k]) for i < k) and to its diagonal,
//   - the pattern of L by columns (rows ascending) and by rows (columns ascending), each row
//     entry with the position of L(k, j) in column j,
// so factorize() is three nested loops over precomputed index lists, and solve_in_place() one
// forward and one backward pass over L for all right-hand sides at once (a row-major work block,
// the column loop inside the entry loop, specialised for 1..8 columns).
//
// Numerics: row k of L solves L(0:k,0:k) D l = P A P^T(0:k, k) by the up-looking recurrence
// (Davis, "Direct Methods for Sparse Linear Systems", sec. 4.4 and LDL); l_kj = y_j / d_j uses
// the stored reciprocal of d_j. No pivoting: A must be symmetric positive definite. The first
// pivot with d_k <= kNegligiblePivot * |A_kk| (A's diagonal in the original numbering) stops the
// factorisation with kNotPositiveDefinite at unknown perm[k]. Every loop runs in a fixed order,
// so results are bit-for-bit the same run to run.
#include "solver/backends.hpp"

#include <plnet/core/error.hpp>

#include <cholmod.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace plnet::solver {
namespace {

// Fill-reducing ordering of the pattern of `a` (full symmetric): the one with the least nnz(L)
// among the methods CHOLMOD tries, with its elimination-tree postorder. perm[k] = original
// unknown eliminated k-th.
std::vector<int> fill_reducing_ordering(const SparseMatrix& a, OrderingEffort effort) {
  cholmod_common common{};
  cholmod_start(&common);
  common.print = 0;
  common.supernodal = CHOLMOD_SIMPLICIAL;
  common.postorder = 1;
  // AMD and NESDIS; CHOLMOD keeps the one with the smallest nnz(L). On the reduced systems of
  // 2D jammed networks NESDIS wins: N = 297, nnz(L) 3599 / 67.9k flops against AMD's 3664 /
  // 74.0k; N = 2990, 56.7k / 2.70M against 61.9k / 3.71M (plain METIS lies in between, so it is
  // not tried). The analysis costs ~4x AMD alone (5 M instructions at N = 297, 70 M at 2990),
  // paid once per pattern.
  common.nmethods = effort == OrderingEffort::kThorough ? 2 : 1;
  common.method[0].ordering = CHOLMOD_AMD;
  common.method[1].ordering = CHOLMOD_NESDIS;
  cholmod_sparse view{};
  view.nrow = static_cast<std::size_t>(a.rows());
  view.ncol = static_cast<std::size_t>(a.cols());
  view.nzmax = static_cast<std::size_t>(a.nonZeros());
  view.p = const_cast<int*>(a.outerIndexPtr());
  view.i = const_cast<int*>(a.innerIndexPtr());
  view.x = nullptr;
  view.stype = 1;
  view.itype = CHOLMOD_INT;
  view.xtype = CHOLMOD_PATTERN;
  view.dtype = CHOLMOD_DOUBLE;
  view.sorted = 1;
  view.packed = 1;
  cholmod_factor* factor = cholmod_analyze(&view, &common);
  if (factor == nullptr || common.status < CHOLMOD_OK) {
    // NESDIS needs CHOLMOD's Partition module (METIS), absent from some builds: AMD alone then.
    if (factor != nullptr) cholmod_free_factor(&factor, &common);
    common.nmethods = 1;  // with one method CHOLMOD runs AMD (or COLAMD for unsymmetric)
    common.status = CHOLMOD_OK;
    factor = cholmod_analyze(&view, &common);
  }
  if (factor == nullptr || common.status < CHOLMOD_OK) {
    const int status = common.status;
    if (factor != nullptr) cholmod_free_factor(&factor, &common);
    cholmod_finish(&common);
    throw std::runtime_error(concat("plnet-ldlt: CHOLMOD ordering failed (status ", status, ")"));
  }
  const auto* perm = static_cast<const int*>(factor->Perm);
  std::vector<int> result(perm, perm + a.rows());
  cholmod_free_factor(&factor, &common);
  cholmod_finish(&common);
  return result;
}

class StaticLdltSolver final : public SymmetricSolver {
 public:
  explicit StaticLdltSolver(OrderingEffort effort) : effort_(effort) {}
  std::string name() const override { return "plnet-ldlt"; }

  void analyze(const SparseMatrix& a) override {
    assert(a.isCompressed() && a.rows() == a.cols() &&
           "plnet-ldlt needs a compressed square matrix");
    const int n = static_cast<int>(a.rows());
    factored_ = false;
    perm_ = n > 0 ? fill_reducing_ordering(a, effort_) : std::vector<int>{};
    std::vector<int> pinv(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k)
      pinv[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])] = k;
    const int* ap = a.outerIndexPtr();
    const int* ai = a.innerIndexPtr();

    // Strictly upper triangle of C = P A P^T by columns, as positions in A's value array.
    cp_.assign(static_cast<std::size_t>(n) + 1, 0);
    ci_.clear();
    c_source_.clear();
    diag_source_.assign(static_cast<std::size_t>(n), -1);
    for (int k = 0; k < n; ++k) {
      const int c = perm_[static_cast<std::size_t>(k)];
      for (int p = ap[c]; p < ap[c + 1]; ++p) {
        const int i = pinv[static_cast<std::size_t>(ai[p])];
        if (i < k) {
          ci_.push_back(i);
          c_source_.push_back(p);
        } else if (i == k) {
          diag_source_[static_cast<std::size_t>(k)] = p;
        }
      }
      cp_[static_cast<std::size_t>(k) + 1] = static_cast<int>(ci_.size());
    }
    for (int k = 0; k < n; ++k)
      require(diag_source_[static_cast<std::size_t>(k)] >= 0, "plnet-ldlt analyze",
              "the pattern has no diagonal entry at unknown ", perm_[static_cast<std::size_t>(k)],
              " (got a structurally singular matrix, need every diagonal stored)");

    // Elimination tree of C (Liu's algorithm with path compression).
    std::vector<int> parent(static_cast<std::size_t>(n), -1);
    std::vector<int> ancestor(static_cast<std::size_t>(n), -1);
    for (int k = 0; k < n; ++k)
      for (int p = cp_[static_cast<std::size_t>(k)]; p < cp_[static_cast<std::size_t>(k) + 1]; ++p)
        for (int i = ci_[static_cast<std::size_t>(p)]; i != -1 && i < k;) {
          const int next = ancestor[static_cast<std::size_t>(i)];
          ancestor[static_cast<std::size_t>(i)] = k;
          if (next == -1) parent[static_cast<std::size_t>(i)] = k;
          i = next;
        }

    // Row patterns of L: row k = the nodes reached from C(:,k) up the tree, stopping at k. The
    // walk yields each row unordered; the rows are put in ascending column order below by a
    // transpose through the columns (linear time: sorting every row cost 60% of the analysis).
    rp_.assign(static_cast<std::size_t>(n) + 1, 0);
    std::vector<int> unordered;
    std::vector<int> mark(static_cast<std::size_t>(n), -1);
    std::vector<int> column_count(static_cast<std::size_t>(n), 0);
    for (int k = 0; k < n; ++k) {
      mark[static_cast<std::size_t>(k)] = k;
      for (int p = cp_[static_cast<std::size_t>(k)]; p < cp_[static_cast<std::size_t>(k) + 1]; ++p)
        for (int i = ci_[static_cast<std::size_t>(p)]; mark[static_cast<std::size_t>(i)] != k;
             i = parent[static_cast<std::size_t>(i)]) {
          mark[static_cast<std::size_t>(i)] = k;
          unordered.push_back(i);
          ++column_count[static_cast<std::size_t>(i)];
        }
      rp_[static_cast<std::size_t>(k) + 1] = static_cast<int>(unordered.size());
    }

    // Columns of L: rows ascending, because rows are visited in increasing k.
    lp_.assign(static_cast<std::size_t>(n) + 1, 0);
    for (int j = 0; j < n; ++j)
      lp_[static_cast<std::size_t>(j) + 1] =
          lp_[static_cast<std::size_t>(j)] + column_count[static_cast<std::size_t>(j)];
    li_.assign(static_cast<std::size_t>(lp_.back()), 0);
    {
      std::vector<int> next(lp_.begin(), lp_.end() - 1);
      for (int k = 0; k < n; ++k)
        for (int q = rp_[static_cast<std::size_t>(k)]; q < rp_[static_cast<std::size_t>(k) + 1];
             ++q)
          li_[static_cast<std::size_t>(next[static_cast<std::size_t>(unordered[q])]++)] = k;
    }
    // Rows of L with columns ascending (a topological order of each row's dependencies: every
    // update of y_j comes from a column j' < j), each entry with its position in its column.
    rj_.assign(unordered.size(), 0);
    rpos_.assign(unordered.size(), 0);
    {
      std::vector<int> next(rp_.begin(), rp_.end() - 1);
      for (int j = 0; j < n; ++j)
        for (int pos = lp_[static_cast<std::size_t>(j)]; pos < lp_[static_cast<std::size_t>(j) + 1];
             ++pos) {
          const int q = next[static_cast<std::size_t>(li_[static_cast<std::size_t>(pos)])]++;
          rj_[static_cast<std::size_t>(q)] = j;
          rpos_[static_cast<std::size_t>(q)] = pos;
        }
    }
    lx_.assign(li_.size(), 0.0);
    d_.assign(static_cast<std::size_t>(n), 0.0);
    dinv_.assign(static_cast<std::size_t>(n), 0.0);
    y_.assign(static_cast<std::size_t>(n), 0.0);
    analyzed_size_ = n;
  }

  FactorResult factorize(const SparseMatrix& a) override {
    assert(analyzed_size_ >= 0 && a.rows() == analyzed_size_ && "factorize before analyze");
    assert(a.nonZeros() > 0 || analyzed_size_ == 0);
    const int n = static_cast<int>(analyzed_size_);
    const double* ax = a.valuePtr();
    const int* cp = cp_.data();
    const int* ci = ci_.data();
    const int* cs = c_source_.data();
    const int* rp = rp_.data();
    const int* rj = rj_.data();
    const int* rpos = rpos_.data();
    const int* lp = lp_.data();
    const int* li = li_.data();
    double* lx = lx_.data();
    double* y = y_.data();
    FactorResult result;
    factored_ = false;
    for (int k = 0; k < n; ++k) {
      for (int p = cp[k]; p < cp[k + 1]; ++p) y[ci[p]] = ax[cs[p]];
      const double akk = ax[diag_source_[static_cast<std::size_t>(k)]];
      double dk = akk;
      for (int q = rp[k]; q < rp[k + 1]; ++q) {
        const int j = rj[q];
        const double yj = y[j];
        y[j] = 0.0;
        const int end = rpos[q];
        // Unrolling this loop by four left the instruction count unchanged (the average run is
        // ~10 entries at N = 297), so it stays plain.
        for (int p = lp[j]; p < end; ++p) y[li[p]] -= lx[p] * yj;
        const double lkj = yj * dinv_[static_cast<std::size_t>(j)];
        dk -= lkj * yj;
        lx[end] = lkj;
      }
      d_[static_cast<std::size_t>(k)] = dk;
      // min_pivot_ratio needs a division only when the ratio may be a new minimum.
      const double scale = std::abs(akk);
      if (!(dk > result.min_pivot_ratio * scale)) {
        const double ratio = dk / scale;
        if (ratio < result.min_pivot_ratio || std::isnan(ratio)) result.min_pivot_ratio = ratio;
        if (!(ratio > kNegligiblePivot)) {
          // Clear the scatter buffer for the next factorisation and stop: later rows would
          // divide by this pivot.
          std::fill(y_.begin(), y_.end(), 0.0);
          result.status = FactorStatus::kNotPositiveDefinite;
          result.failed_column = perm_[static_cast<std::size_t>(k)];
          result.message = concat("negligible or negative pivot (ratio ", ratio,
                                  " to the diagonal) at unknown ", result.failed_column);
          return result;
        }
      }
      dinv_[static_cast<std::size_t>(k)] = 1.0 / dk;
    }
    factored_ = true;
    return result;
  }

  void solve_in_place(Matrix& b) override {
    assert(factored_ && b.rows() == analyzed_size_ && "solve before a successful factorize");
    switch (b.cols()) {
      case 0:
        return;
      case 1:
        solve_block<1>(b);
        return;
      case 2:
        solve_block<2>(b);
        return;
      case 3:
        solve_block<3>(b);
        return;
      case 4:
        solve_block<4>(b);
        return;
      case 5:
        solve_block<5>(b);
        return;
      case 6:
        solve_block<6>(b);
        return;
      case 7:
        solve_block<7>(b);
        return;
      case 8:
        solve_block<8>(b);
        return;
      default:
        // Wider blocks: eight columns at a time keep the work block in cache.
        for (Index c0 = 0; c0 < b.cols(); c0 += 8) {
          const Index width = std::min<Index>(8, b.cols() - c0);
          Matrix part = b.middleCols(c0, width);
          solve_in_place(part);
          b.middleCols(c0, width) = part;
        }
    }
  }

 private:
  // Forward substitution with unit L, scaling by D^-1, backward substitution with L^T, on a
  // row-major n x M block (unknown k's M values contiguous).
  // y[c] -= l * x[c] for c < M: the solve's only kernel. GCC 12 leaves the column loop scalar
  // (31 instructions per L entry for M = 5), so pairs of columns go through SSE2, which every
  // x86-64 machine has. Each lane does the same multiply and subtract as the scalar loop, so
  // results are bit-for-bit those of the scalar code and of a one-column solve.
  template <int M>
  static inline void axpy_row(double* y, double l, const double* x) {
    int c = 0;
#if defined(__SSE2__)
    const __m128d lv = _mm_set1_pd(l);
    for (; c + 2 <= M; c += 2)
      _mm_storeu_pd(y + c, _mm_sub_pd(_mm_loadu_pd(y + c), _mm_mul_pd(lv, _mm_loadu_pd(x + c))));
#endif
    for (; c < M; ++c) y[c] -= l * x[c];
  }

  template <int M>
  void solve_block(Matrix& b) {
    const int n = static_cast<int>(analyzed_size_);
    const std::size_t size = static_cast<std::size_t>(n) * M;
    if (work_.size() < size) work_.resize(size);
    double* w = work_.data();
    const int* lp = lp_.data();
    const int* li = li_.data();
    const double* lx = lx_.data();
    const int* perm = perm_.data();
    const Index ld = b.rows();
    double* bx = b.data();
    for (int k = 0; k < n; ++k)
      for (int c = 0; c < M; ++c) w[k * M + c] = bx[perm[k] + c * ld];
    for (int j = 0; j < n; ++j) {
      double xj[M];
      for (int c = 0; c < M; ++c) xj[c] = w[j * M + c];
      for (int p = lp[j]; p < lp[j + 1]; ++p)
        axpy_row<M>(w + static_cast<std::ptrdiff_t>(li[p]) * M, lx[p], xj);
    }
    for (int j = 0; j < n; ++j) {
      const double s = dinv_[static_cast<std::size_t>(j)];
      for (int c = 0; c < M; ++c) w[j * M + c] *= s;
    }
    for (int j = n - 1; j >= 0; --j) {
      double acc[M];
      for (int c = 0; c < M; ++c) acc[c] = w[j * M + c];
      for (int p = lp[j]; p < lp[j + 1]; ++p)
        axpy_row<M>(acc, lx[p], w + static_cast<std::ptrdiff_t>(li[p]) * M);
      for (int c = 0; c < M; ++c) w[j * M + c] = acc[c];
    }
    for (int k = 0; k < n; ++k)
      for (int c = 0; c < M; ++c) bx[perm[k] + c * ld] = w[k * M + c];
  }

  bool factored_ = false;
  std::vector<int> perm_;         // perm_[k]: original unknown eliminated k-th
  std::vector<int> cp_, ci_;      // strictly upper triangle of P A P^T by columns
  std::vector<int> c_source_;     // position in A's value array of each entry of ci_
  std::vector<int> diag_source_;  // position in A's value array of A(perm[k], perm[k])
  std::vector<int> rp_, rj_;      // row patterns of L (strictly lower), columns ascending
  std::vector<int> rpos_;         // position of L(k, rj_[q]) in li_ / lx_
  std::vector<int> lp_, li_;      // columns of L (strictly lower, unit diagonal implied)
  std::vector<double> lx_, d_, dinv_, y_, work_;
  OrderingEffort effort_;
};

}  // namespace

std::unique_ptr<SymmetricSolver> make_static_ldlt_solver(OrderingEffort effort) {
  return std::make_unique<StaticLdltSolver>(effort);
}

}  // namespace plnet::solver
