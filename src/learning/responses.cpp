#include <plnet/core/error.hpp>
#include <plnet/learning/responses.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace plnet::learning {
namespace {
void rows_times(const Eigen::SparseMatrix<double, Eigen::RowMajor, int>& a, const int* head,
                const int* tail, const Matrix& x, const Matrix* minus, Matrix& out);
}  // namespace

Responses::Responses(const physics::LinearModel& model, const Task& task,
                     physics::SolveOptions options)
    : model_(&model), task_(&task) {
  task.validate(model);
  // A training step solves thousands of times on well-conditioned matrices: check residuals
  // only when the pivots say the matrix is near singular (1e-8: conductances spread over
  // ~8 decades along one elimination path).
  if (options.refinement.skip_check_above_pivot_ratio == 0.0)
    options.refinement.skip_check_above_pivot_ratio = 1e-8;
  // ... and refactorises one pattern thousands of times: the best ordering pays for itself.
  options.thorough_ordering = true;
  response_ = std::make_unique<physics::LinearResponse>(
      model, task.conditions(Vector::Zero(task.num_inputs())), std::move(options));
  if (model.rank_one()) {
    b_ = model.difference_operator();
    // Resistor and flow networks: every row of B is +1 at one node and -1 at another.
    bool incidence = b_.isCompressed();
    const int* outer = b_.outerIndexPtr();
    const int* inner = b_.innerIndexPtr();
    const double* val = b_.valuePtr();
    for (Index i = 0; incidence && i < b_.rows(); ++i)
      incidence = outer[i + 1] - outer[i] == 2 && std::abs(val[outer[i]]) == 1.0 &&
                  val[outer[i]] + val[outer[i] + 1] == 0.0;
    if (incidence) {
      b_head_.resize(static_cast<std::size_t>(b_.rows()));
      b_tail_.resize(static_cast<std::size_t>(b_.rows()));
      for (Index i = 0; i < b_.rows(); ++i) {
        const bool first_is_head = val[outer[i]] == 1.0;
        b_head_[static_cast<std::size_t>(i)] = inner[outer[i] + (first_is_head ? 0 : 1)];
        b_tail_[static_cast<std::size_t>(i)] = inner[outer[i] + (first_is_head ? 1 : 0)];
      }
    }
  }
  std::vector<Eigen::Triplet<double, int>> triplets;
  for (Index o = 0; o < task.num_outputs(); ++o) {
    const auto& r = task.outputs[static_cast<std::size_t>(o)];
    for (std::size_t j = 0; j < r.dofs.size(); ++j)
      triplets.emplace_back(static_cast<int>(o), static_cast<int>(r.dofs[j]), r.coefficients[j]);
  }
  p_.resize(task.num_outputs(), model.num_dofs());
  p_.setFromTriplets(triplets.begin(), triplets.end());
  // Input edge sources shift the resistor drops of their edges: v = B x - s, with the source
  // gamma u for input value u (the channel's gain, Task::conditions).
  const Index na = task.num_inputs() + 1;
  source_drops_ = Matrix::Zero(model.num_parameters(), na);
  for (Index j = 0; j < task.num_inputs(); ++j) {
    const auto& in = task.inputs[static_cast<std::size_t>(j)];
    if (in.kind == InputKind::kEdgeSource)
      source_drops_(in.targets[0], j) += in.coefficients.empty() ? 1.0 : in.coefficients[0];
  }
  for (const auto& s : task.fixed.edge_sources) source_drops_(s.edge, na - 1) += s.value;
  build_rhs_templates();
}

void Responses::build_rhs_templates() {
  // Column j of the unit responses solves T^T H T z = T^T (F_j + B^T W s_j - H t_j) with t_j
  // the held values of channel j. Per stamp i the w-dependent part is w_i T^T (s_ji b_i - S_i t_j),
  // non-zero only for stamps touching a held dof or carrying a source.
  const auto& reduced = response_->reduced();
  const Index na = task_->num_inputs() + 1;
  const Index n = model_->num_dofs();
  rhs_x_constant_ = Matrix::Zero(reduced.size(), na);
  offsets_.assign(static_cast<std::size_t>(na), Vector());
  for (Index j = 0; j < na; ++j) {
    Vector values = Vector::Zero(task_->num_inputs());
    if (j < na - 1) values[j] = 1.0;
    const auto bc = task_->conditions(values, j == na - 1);
    const Vector t = reduced.offset(bc);
    offsets_[static_cast<std::size_t>(j)] = t;
    Vector force = Vector::Zero(n);
    for (const auto& inj : bc.injections) force[inj.dof] += inj.amount;
    for (Index dof = 0; dof < n; ++dof)
      for (const auto& term : reduced.row(dof))
        rhs_x_constant_(term.free, j) += term.coefficient * force[dof];
    std::vector<double> source(static_cast<std::size_t>(model_->num_parameters()), 0.0);
    for (const auto& src : bc.edge_sources) source[static_cast<std::size_t>(src.edge)] += src.value;
    for (Index i = 0; i < model_->num_parameters(); ++i) {
      const auto d = model_->stamp_dofs(i);
      const auto sm = model_->stamp_matrix(i);
      const std::size_t k = d.size();
      const double s_i = source[static_cast<std::size_t>(i)];
      for (std::size_t r = 0; r < k; ++r) {
        double local = s_i != 0.0 ? s_i * model_->stamp_vector(i)[r] : 0.0;
        for (std::size_t c = 0; c < k; ++c) local -= sm[r * k + c] * t[d[c]];
        if (local == 0.0) continue;
        for (const auto& term : reduced.row(d[r]))
          rhs_x_terms_.push_back({i, term.free, j, term.coefficient * local});
      }
    }
  }
  // Adjoint columns: T^T p_o, independent of w.
  rhs_l_constant_ = Matrix::Zero(reduced.size(), task_->num_outputs());
  for (Index o = 0; o < task_->num_outputs(); ++o) {
    const auto& r = task_->outputs[static_cast<std::size_t>(o)];
    for (std::size_t q = 0; q < r.dofs.size(); ++q)
      for (const auto& term : reduced.row(r.dofs[q]))
        rhs_l_constant_(term.free, o) += term.coefficient * r.coefficients[q];
  }
  zero_offset_ = Vector::Zero(n);
}

void Responses::update(const Vector& w) {
  response_->set_parameters(w);
  solve_all(w);
}

solver::FactorResult Responses::try_update(const Vector& w) {
  const auto result = response_->try_set_parameters(w);
  if (result.ok()) solve_all(w);
  return result;
}

void Responses::solve_all(const Vector& w) {
  w_ = w;
  const auto& reduced = response_->reduced();
  const Index na = task_->num_inputs() + 1;
  // One blocked solve for the unit and adjoint columns together.
  const Index no = task_->num_outputs();
  rhs_x_.resize(reduced.size(), na + no);
  rhs_x_.leftCols(na) = rhs_x_constant_;
  rhs_x_.rightCols(no) = rhs_l_constant_;
  for (const auto& t : rhs_x_terms_) rhs_x_(t.free, t.column) += w[t.parameter] * t.value;
  response_->solve_reduced(rhs_x_);
  // Expand all columns in one pass over the dof rows (x = t_j + T z_j, Lambda = T z_o): each
  // row's terms are read once for every column; per entry the sums run in the order of
  // ReducedSystem::expand_into.
  const Index n = model_->num_dofs();
  x_.resize(n, na);
  for (Index j = 0; j < na; ++j) x_.col(j) = offsets_[static_cast<std::size_t>(j)];
  lambda_.setZero(n, no);
  const Index nr = rhs_x_.rows();
  const double* z = rhs_x_.data();
  for (Index dof = 0; dof < n; ++dof)
    for (const auto& term : reduced.row(dof)) {
      for (Index j = 0; j < na; ++j) x_(dof, j) += term.coefficient * z[term.free + j * nr];
      for (Index o = 0; o < no; ++o)
        lambda_(dof, o) += term.coefficient * z[term.free + (na + o) * nr];
    }
  // Y = P X and S = P Lambda from the readout rows in the task's order (bit-equal to the sparse
  // products for readouts of one or two dofs, whose sums do not depend on the order).
  y_.setZero(no, na);
  s_.setZero(no, no);
  for (Index o = 0; o < no; ++o) {
    const auto& r = task_->outputs[static_cast<std::size_t>(o)];
    for (std::size_t q = 0; q < r.dofs.size(); ++q) {
      const double c = r.coefficients[q];
      for (Index j = 0; j < na; ++j) y_(o, j) += c * x_(r.dofs[q], j);
      for (Index k = 0; k < no; ++k) s_(o, k) += c * lambda_(r.dofs[q], k);
    }
  }
  if (model_->rank_one()) {
    const int* head = b_head_.empty() ? nullptr : b_head_.data();
    const int* tail = b_tail_.empty() ? nullptr : b_tail_.data();
    rows_times(b_, head, tail, x_, &source_drops_, dx_);
    rows_times(b_, head, tail, lambda_, nullptr, dl_);
  }
}

namespace {

// out = a x - minus (minus may be nullptr), a in compressed rows.
void rows_times(const Eigen::SparseMatrix<double, Eigen::RowMajor, int>& a, const int* head,
                const int* tail, const Matrix& x, const Matrix* minus, Matrix& out) {
  // out = a x - minus, row by row from the compressed rows: no zeroing pass and no scatter. Each
  // entry sums in ascending column order from 0, as Eigen's column-major sparse x dense product
  // does. With `head` and `tail` (a is an incidence operator, row i = e_head - e_tail) the rows
  // are plain differences, which differ from the sums only in the sign of a zero.
  out.resize(a.rows(), x.cols());
  const int* outer = a.outerIndexPtr();
  const int* inner = a.innerIndexPtr();
  const double* val = a.valuePtr();
  const Index nx = x.rows(), no = out.rows(), nc = x.cols(), m = a.rows();
  // Every row two entries (a difference operator): flat loops.
  bool edges = head == nullptr && a.isCompressed();
  for (Index i = 0; edges && i <= m; ++i) edges = outer[i] == 2 * i;
  for (Index j = 0; j < nc; ++j) {
    const double* xj = x.data() + j * nx;
    double* oj = out.data() + j * no;
    const double* mj = minus == nullptr ? nullptr : minus->data() + j * minus->rows();
    if (head != nullptr) {
      for (Index i = 0; i < m; ++i) oj[i] = xj[head[i]] - xj[tail[i]];
    } else if (edges) {
      for (Index i = 0; i < m; ++i) {
        double acc = 0.0;
        acc += val[2 * i] * xj[inner[2 * i]];
        acc += val[2 * i + 1] * xj[inner[2 * i + 1]];
        oj[i] = acc;
      }
    } else {
      for (Index i = 0; i < m; ++i) {
        double acc = 0.0;
        for (int p = outer[i]; p < outer[i + 1]; ++p) acc += val[p] * xj[inner[p]];
        oj[i] = acc;
      }
    }
    if (mj != nullptr)
      for (Index i = 0; i < m; ++i) oj[i] -= mj[i];
  }
}

}  // namespace

Matrix Responses::outputs(const Matrix& inputs) const {
  require(inputs.cols() == task_->num_inputs(), "outputs", "wrong number of input columns (got ",
          inputs.cols(), ", need ", task_->num_inputs(), ")");
  return (inputs * y_.leftCols(task_->num_inputs()).transpose()).rowwise() +
         y_.col(task_->num_inputs()).transpose();
}

Matrix Responses::states(const Matrix& inputs) const {
  return (x_.leftCols(task_->num_inputs()) * inputs.transpose()).colwise() +
         x_.col(task_->num_inputs());
}

void Responses::drop_bilinear(const Matrix& u_drops, const Matrix& v_drops, const Matrix& q_moment,
                              Vector& out) const {
  // out_i = sum_b (sum_a DV_ia Q_ab) DU_ib in one pass over the edges with the tiny moment
  // matrix: no M x p temporary, no GEMM set-up, no allocation. The sums run in the order of the
  // former lazyProduct (a ascending, the first term a product), so the results are unchanged.
  const Index m = u_drops.rows(), p = u_drops.cols(), q = v_drops.cols();
  require(v_drops.rows() == m && q_moment.rows() == q && q_moment.cols() == p, "drop_bilinear",
          "shapes differ (U ", m, " x ", p, ", V ", v_drops.rows(), " x ", q, ", Q ",
          q_moment.rows(), " x ", q_moment.cols(), ")");
  out.resize(m);
  if (q == 0) {
    out.setZero();
    return;
  }
  // Tiles of rows: the inner loops run over contiguous rows and vectorise; vq stays in a
  // stack buffer and the sums accumulate in `out`.
  constexpr Index kTile = 128;
  double vq[kTile];
  const double* u = u_drops.data();
  const double* v = v_drops.data();
  const double* qm = q_moment.data();
  for (Index i0 = 0; i0 < m; i0 += kTile) {
    const Index len = std::min(kTile, m - i0);
    double* acc = out.data() + i0;
    for (Index t = 0; t < len; ++t) acc[t] = 0.0;
    for (Index b = 0; b < p; ++b) {
      const double* qb = qm + b * q;
      const double* v0 = v + i0;
      for (Index t = 0; t < len; ++t) vq[t] = v0[t] * qb[0];
      for (Index a = 1; a < q; ++a) {
        const double* va = v + i0 + a * m;
        const double qab = qb[a];
        for (Index t = 0; t < len; ++t) vq[t] += va[t] * qab;
      }
      const double* ub = u + i0 + b * m;
      for (Index t = 0; t < len; ++t) acc[t] += vq[t] * ub[t];
    }
  }
}

void Responses::stamp_bilinear(const Matrix& u_states, const Matrix& v_states,
                               const Matrix& q_moment, Vector& out) const {
  if (model_->rank_one()) {
    drop_bilinear(b_ * u_states, b_ * v_states, q_moment, out);
    return;
  }
  // out_i = sum_{r,c} S_i[r,c] (V Q)[d_c,:] . U[d_r,:]
  const Matrix vq = v_states * q_moment;
  out.resize(model_->num_parameters());
  for (Index i = 0; i < model_->num_parameters(); ++i) {
    const auto d = model_->stamp_dofs(i);
    const auto s = model_->stamp_matrix(i);
    const std::size_t k = d.size();
    double acc = 0.0;
    for (std::size_t r = 0; r < k; ++r)
      for (std::size_t c = 0; c < k; ++c)
        if (s[r * k + c] != 0.0) acc += s[r * k + c] * vq.row(d[c]).dot(u_states.row(d[r]));
    out[i] = acc;
  }
}

}  // namespace plnet::learning
