// Up-looking LDL^T (after Davis's LDL package) and the Takahashi recurrences, both in dual
// numbers so that A^-2 comes with A^-1 (see the header).
#include <plnet/analysis/selected_inversion.hpp>
#include <plnet/core/error.hpp>

#include <Eigen/OrderingMethods>

#include <algorithm>

namespace plnet::analysis {
namespace {

// a + b eps with eps^2 = 0: b carries the derivative with respect to the diagonal shift.
struct Dual {
  double a = 0.0;
  double b = 0.0;
};
Dual operator+(Dual x, Dual y) {
  return {x.a + y.a, x.b + y.b};
}
Dual operator-(Dual x, Dual y) {
  return {x.a - y.a, x.b - y.b};
}
Dual operator*(Dual x, Dual y) {
  return {x.a * y.a, x.a * y.b + x.b * y.a};
}
Dual operator/(Dual x, Dual y) {
  return {x.a / y.a, (x.b * y.a - x.a * y.b) / (y.a * y.a)};
}

}  // namespace

SelectedInverse::SelectedInverse(const SparseMatrix& a) {
  require(a.rows() == a.cols(), "SelectedInverse", "matrix must be square (got ", a.rows(), " x ",
          a.cols(), ")");
  const Index n = a.rows();
  // Fill-reducing order, as Eigen's simplicial Cholesky chooses it.
  Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> amd;
  Eigen::AMDOrdering<int> ordering;
  ordering(a, amd);
  const Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> p = amd.inverse();
  perm_.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) perm_[static_cast<std::size_t>(i)] = p.indices()[i];

  // Upper triangle of the permuted matrix by columns (each unordered pair once, from the
  // lower triangle of a).
  std::vector<Eigen::Triplet<double, int>> trip;
  for (int c = 0; c < a.outerSize(); ++c)
    for (SparseMatrix::InnerIterator it(a, c); it; ++it) {
      if (it.row() < c) continue;
      const int pi = static_cast<int>(perm_[static_cast<std::size_t>(it.row())]);
      const int pj = static_cast<int>(perm_[static_cast<std::size_t>(c)]);
      trip.emplace_back(std::min(pi, pj), std::max(pi, pj), it.value());
    }
  SparseMatrix up(n, n);
  up.setFromTriplets(trip.begin(), trip.end());
  up.makeCompressed();
  const int* ap = up.outerIndexPtr();
  const int* ai = up.innerIndexPtr();
  const double* ax = up.valuePtr();

  const auto un = static_cast<std::size_t>(n);
  // Symbolic: elimination tree and column counts.
  std::vector<Index> parent(un, -1), flag(un, -1), lnz(un, 0);
  for (Index k = 0; k < n; ++k) {
    flag[static_cast<std::size_t>(k)] = k;
    for (int q = ap[k]; q < ap[k + 1]; ++q) {
      Index i = ai[q];
      for (; i < k && flag[static_cast<std::size_t>(i)] != k;
           i = parent[static_cast<std::size_t>(i)]) {
        if (parent[static_cast<std::size_t>(i)] == -1) parent[static_cast<std::size_t>(i)] = k;
        ++lnz[static_cast<std::size_t>(i)];
        flag[static_cast<std::size_t>(i)] = k;
      }
    }
  }
  lp_.assign(un + 1, 0);
  for (std::size_t k = 0; k < un; ++k) lp_[k + 1] = lp_[k] + lnz[k];
  li_.resize(static_cast<std::size_t>(lp_[un]));
  std::vector<Dual> lx(li_.size()), d(un), y(un);
  std::vector<Index> pattern(un);

  // Numeric LDL^T of A - eps I, row by row (up-looking).
  std::fill(flag.begin(), flag.end(), -1);
  std::fill(lnz.begin(), lnz.end(), 0);
  for (Index k = 0; k < n; ++k) {
    const auto uk = static_cast<std::size_t>(k);
    y[uk] = Dual{0.0, -1.0};  // the shift: d/dsigma of (A - sigma I)_kk
    Index top = n;
    flag[uk] = k;
    for (int q = ap[k]; q < ap[k + 1]; ++q) {
      Index i = ai[q];
      y[static_cast<std::size_t>(i)].a += ax[q];
      Index len = 0;
      for (; flag[static_cast<std::size_t>(i)] != k; i = parent[static_cast<std::size_t>(i)]) {
        pattern[static_cast<std::size_t>(len++)] = i;
        flag[static_cast<std::size_t>(i)] = k;
      }
      while (len > 0)
        pattern[static_cast<std::size_t>(--top)] = pattern[static_cast<std::size_t>(--len)];
    }
    d[uk] = y[uk];
    y[uk] = Dual{};
    for (; top < n; ++top) {
      const auto i = static_cast<std::size_t>(pattern[static_cast<std::size_t>(top)]);
      const Dual yi = y[i];
      y[i] = Dual{};
      const auto end = static_cast<std::size_t>(lp_[i] + lnz[i]);
      for (auto q = static_cast<std::size_t>(lp_[i]); q < end; ++q)
        y[static_cast<std::size_t>(li_[q])] = y[static_cast<std::size_t>(li_[q])] - lx[q] * yi;
      const Dual lki = yi / d[i];
      d[uk] = d[uk] - lki * yi;
      li_[end] = k;
      lx[end] = lki;
      ++lnz[i];
    }
    require(d[uk].a > 0.0, "SelectedInverse", "matrix is not positive definite (pivot ", d[uk].a,
            " at factor column ", k, ")");
  }

  // Takahashi: Z_ij = -sum_{k in L_j} Z_ik L_kj (i in L_j), Z_jj = 1/d_j - sum_k L_kj Z_kj,
  // columns from last to first. Z_ik for i, k in the pattern of column j lies on the pattern
  // (the pattern of a column is a clique of the filled graph).
  std::vector<Dual> zx(li_.size()), zd(un), acc(un);
  std::vector<Index> mark(un, -1), where(un, 0);
  for (Index j = n - 1; j >= 0; --j) {
    const auto uj = static_cast<std::size_t>(j);
    const auto begin = static_cast<std::size_t>(lp_[uj]);
    const auto end = static_cast<std::size_t>(lp_[uj + 1]);
    for (std::size_t q = begin; q < end; ++q) {
      const auto r = static_cast<std::size_t>(li_[q]);
      mark[r] = j;
      where[r] = static_cast<Index>(q);
      acc[r] = Dual{};
    }
    for (std::size_t q = begin; q < end; ++q) {
      const auto k = static_cast<std::size_t>(li_[q]);
      const Dual lkj = lx[q];
      acc[k] = acc[k] + zd[k] * lkj;
      for (auto t = static_cast<std::size_t>(lp_[k]); t < static_cast<std::size_t>(lp_[k + 1]);
           ++t) {
        const auto r = static_cast<std::size_t>(li_[t]);
        if (mark[r] != j) continue;
        acc[r] = acc[r] + zx[t] * lkj;
        acc[k] = acc[k] + zx[t] * lx[static_cast<std::size_t>(where[r])];
      }
    }
    Dual diag = Dual{1.0, 0.0} / d[uj];
    for (std::size_t q = begin; q < end; ++q) {
      zx[q] = Dual{} - acc[static_cast<std::size_t>(li_[q])];
      diag = diag - lx[q] * zx[q];
    }
    zd[uj] = diag;
  }
  d_.resize(un);
  zd_.resize(un);
  zd2_.resize(un);
  for (std::size_t k = 0; k < un; ++k) {
    d_[k] = d[k].a;
    zd_[k] = zd[k].a;
    zd2_[k] = zd[k].b;
  }
  z_.resize(zx.size());
  z2_.resize(zx.size());
  for (std::size_t q = 0; q < zx.size(); ++q) {
    z_[q] = zx[q].a;
    z2_[q] = zx[q].b;
  }
}

std::size_t SelectedInverse::position(Index u, Index v, bool& diagonal, Index& column) const {
  require(u >= 0 && u < size() && v >= 0 && v < size(), "SelectedInverse", "index (", u, ", ", v,
          ") out of range (size ", size(), ")");
  const Index pu = perm_[static_cast<std::size_t>(u)];
  const Index pv = perm_[static_cast<std::size_t>(v)];
  diagonal = pu == pv;
  column = std::min(pu, pv);
  if (diagonal) return static_cast<std::size_t>(pu);
  const Index row = std::max(pu, pv);
  const auto first = li_.begin() + lp_[static_cast<std::size_t>(column)];
  const auto last = li_.begin() + lp_[static_cast<std::size_t>(column) + 1];
  const auto it = std::lower_bound(first, last, row);
  require(it != last && *it == row, "SelectedInverse", "entry (", u, ", ", v,
          ") is not on the pattern of the factor");
  return static_cast<std::size_t>(it - li_.begin());
}

double SelectedInverse::inverse(Index u, Index v) const {
  bool diagonal = false;
  Index column = 0;
  const std::size_t p = position(u, v, diagonal, column);
  return diagonal ? zd_[p] : z_[p];
}

double SelectedInverse::inverse_squared(Index u, Index v) const {
  bool diagonal = false;
  Index column = 0;
  const std::size_t p = position(u, v, diagonal, column);
  return diagonal ? zd2_[p] : z2_[p];
}

Vector susceptibility_norms_selected(const BorderedInverse& inverse) {
  const auto& model = inverse.model();
  require(model.rank_one(), "susceptibility_norms_selected",
          "needs a difference (rank-one) network (got a node network)");
  require(inverse.parameters().size() == model.num_parameters(), "susceptibility_norms_selected",
          "no parameters yet (call update(w) first)");
  const auto& reduced = inverse.response().reduced();
  const SelectedInverse selected(reduced.matrix());
  const Index m = model.num_parameters();
  const Index n = model.num_dofs();

  // Rows of T that are not an identity row (eliminated dofs): one solve each.
  std::vector<Index> slaves;
  for (Index dof = 0; dof < n; ++dof)
    if (reduced.free_index(dof) < 0 && !reduced.row(dof).empty()) slaves.push_back(dof);
  Matrix slave_responses = Matrix::Zero(reduced.size(), static_cast<Index>(slaves.size()));
  for (std::size_t s = 0; s < slaves.size(); ++s)
    for (const auto& term : reduced.row(slaves[s]))
      slave_responses(term.free, static_cast<Index>(s)) += term.coefficient;
  if (!slaves.empty()) inverse.response().solve_reduced(slave_responses);

  // Unit-source responses x^(q): the multiplier part of every s_i.
  std::vector<Index> rows;
  for (Index q = 0; q < inverse.num_rows(); ++q) rows.push_back(n + q);
  Matrix sources;
  if (!rows.empty()) inverse.unit_states(rows, sources);
  const Matrix source_drops =
      rows.empty() ? Matrix(m, 0) : Matrix(model.difference_operator() * sources);

  Vector norms(m);
  std::vector<std::pair<Index, double>> bhat;  // T^T b_i as (free index, value)
  for (Index i = 0; i < m; ++i) {
    bhat.clear();
    const auto dofs = model.stamp_dofs(i);
    const auto b = model.stamp_vector(i);
    for (std::size_t k = 0; k < dofs.size(); ++k)
      for (const auto& term : reduced.row(dofs[k]))  // zero components (axis-aligned bonds)
        if (b[k] != 0.0) bhat.emplace_back(term.free, term.coefficient * b[k]);  // may be off it
    double value = 0.0;
    for (const auto& [u, bu] : bhat)
      for (const auto& [v, bv] : bhat) value += bu * bv * selected.inverse_squared(u, v);
    for (Index s = 0; s < slave_responses.cols(); ++s) {
      double dot = 0.0;
      for (const auto& [u, bu] : bhat) dot += bu * slave_responses(u, s);
      value += dot * dot;
    }
    norms[i] = value + source_drops.row(i).squaredNorm();
  }
  return norms;
}

}  // namespace plnet::analysis
