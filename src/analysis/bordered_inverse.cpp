#include <plnet/analysis/bordered_inverse.hpp>
#include <plnet/core/error.hpp>

namespace plnet::analysis {
namespace {

using Triplet = Eigen::Triplet<double, int>;

// Conditions with the structure of `bc` and every value 0 except Lagrange row `row` at 1.
physics::BoundaryConditions unit_values(const physics::BoundaryConditions& bc, Index row) {
  physics::BoundaryConditions out;
  out.holds = bc.holds;
  out.constraints = bc.constraints;
  for (auto& h : out.holds) h.value = 0.0;
  for (auto& c : out.constraints) c.value = 0.0;
  const auto nh = static_cast<Index>(out.holds.size());
  if (row < nh)
    out.holds[static_cast<std::size_t>(row)].value = 1.0;
  else
    out.constraints[static_cast<std::size_t>(row - nh)].value = 1.0;
  return out;
}

}  // namespace

BorderedInverse::BorderedInverse(const physics::LinearModel& model,
                                 const physics::BoundaryConditions& structure,
                                 physics::SolveOptions options)
    : model_(&model) {
  physics::validate(model, structure);
  // Analyses solve thousands of right-hand sides on one factor: check residuals only when the
  // pivots say the matrix is near singular (the threshold learning::Responses uses).
  if (options.refinement.skip_check_above_pivot_ratio == 0.0)
    options.refinement.skip_check_above_pivot_ratio = 1e-8;
  physics::BoundaryConditions shape;
  shape.holds = structure.holds;
  shape.constraints = structure.constraints;
  response_ = std::make_unique<physics::LinearResponse>(model, shape, std::move(options));
  const auto& reduced = response_->reduced();
  const Index n = model.num_dofs();
  const auto m = static_cast<Index>(shape.holds.size() + shape.constraints.size());

  std::vector<Triplet> trip;
  for (Index dof = 0; dof < n; ++dof)
    for (const auto& term : reduced.row(dof))
      trip.emplace_back(static_cast<int>(dof), static_cast<int>(term.free), term.coefficient);
  t_.resize(n, reduced.size());
  t_.setFromTriplets(trip.begin(), trip.end());
  tt_ = t_.transpose();

  trip.clear();
  for (Index q = 0; q < m; ++q) {
    const Vector t = reduced.offset(unit_values(shape, q));
    for (Index dof = 0; dof < n; ++dof)
      if (t[dof] != 0.0) trip.emplace_back(static_cast<int>(dof), static_cast<int>(q), t[dof]);
  }
  offsets_.resize(n, m);
  offsets_.setFromTriplets(trip.begin(), trip.end());

  trip.clear();
  Index row = 0;
  for (const auto& h : shape.holds)
    trip.emplace_back(static_cast<int>(row++), static_cast<int>(h.dof), 1.0);
  for (const auto& c : shape.constraints) {
    for (std::size_t j = 0; j < c.dofs.size(); ++j)
      trip.emplace_back(static_cast<int>(row), static_cast<int>(c.dofs[j]), c.coefficients[j]);
    ++row;
  }
  q_.resize(m, n);
  q_.setFromTriplets(trip.begin(), trip.end());
  if (m > 0) {
    const SparseMatrix qqt = q_ * SparseMatrix(q_.transpose());
    qqt_.compute(qqt);
    require(qqt_.info() == Eigen::Success && (qqt_.vectorD().array() > 0.0).all(),
            "BorderedInverse", "the Lagrange rows are linearly dependent (got ", m, " rows)");
  }
  for (Index dof = 0; dof < n; ++dof)
    if (!reduced.row(dof).empty()) active_.push_back(dof);
  for (Index q = 0; q < m; ++q) active_.push_back(n + q);
}

void BorderedInverse::update(const Vector& w) {
  response_->set_parameters(w);
  w_ = w;
  h_ = model_->hessian(w);
  h_offsets_ = h_ * offsets_;
}

void BorderedInverse::states(const Eigen::Ref<const Matrix>& ext, Matrix& x) const {
  require(w_.size() == model_->num_parameters(), "BorderedInverse::states",
          "no parameters yet (call update(w) first)");
  require(ext.rows() == size(), "BorderedInverse::states", "extended forces have ", ext.rows(),
          " rows (need n_ext = ", size(), ")");
  const Index n = num_dofs();
  const auto f = ext.topRows(n);
  const auto c = ext.bottomRows(num_rows());
  Matrix z = tt_ * f;
  if (num_rows() > 0) z.noalias() -= tt_ * (h_offsets_ * c);
  response_->solve_reduced(z);
  x.noalias() = t_ * z;
  if (num_rows() > 0) x.noalias() += offsets_ * c;
}

void BorderedInverse::unit_states(std::span<const Index> indices, Matrix& x) const {
  require(w_.size() == model_->num_parameters(), "BorderedInverse::unit_states",
          "no parameters yet (call update(w) first)");
  const Index n = num_dofs();
  const auto k = static_cast<Index>(indices.size());
  // Unit right-hand sides straight from the rows of T and of H T_c (no n_ext x k block).
  Matrix z = Matrix::Zero(t_.cols(), k);
  SparseMatrix c_unit(num_rows(), k);
  std::vector<Triplet> trip;
  for (Index j = 0; j < k; ++j) {
    const Index a = indices[static_cast<std::size_t>(j)];
    require(a >= 0 && a < size(), "BorderedInverse::unit_states", "index ", a,
            " out of range (need 0 <= a < n_ext = ", size(), ")");
    if (a < n) {
      for (const auto& term : response_->reduced().row(a)) z(term.free, j) += term.coefficient;
    } else {
      trip.emplace_back(static_cast<int>(a - n), static_cast<int>(j), 1.0);
    }
  }
  if (!trip.empty()) {
    c_unit.setFromTriplets(trip.begin(), trip.end());
    z -= tt_ * Matrix(h_offsets_ * c_unit);
  }
  response_->solve_reduced(z);
  x.noalias() = t_ * z;
  if (!trip.empty()) x += Matrix(offsets_ * c_unit);
}

Matrix BorderedInverse::multipliers(const Eigen::Ref<const Matrix>& f, const Matrix& x) const {
  if (num_rows() == 0) return Matrix(0, x.cols());
  const Matrix r = q_ * (f - h_ * x);
  return qqt_.solve(r);
}

Matrix BorderedInverse::solve(const Eigen::Ref<const Matrix>& ext) const {
  Matrix x;
  states(ext, x);
  Matrix out(size(), ext.cols());
  out.topRows(num_dofs()) = x;
  out.bottomRows(num_rows()) = multipliers(ext.topRows(num_dofs()), x);
  return out;
}

}  // namespace plnet::analysis
