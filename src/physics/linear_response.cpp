#include <plnet/core/error.hpp>
#include <plnet/physics/linear_response.hpp>

#include "physics/original_equations.hpp"

#include <Eigen/Dense>
#include <Eigen/OrderingMethods>
#include <Eigen/SparseLU>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace plnet::physics {
namespace {

constexpr Index kHeld = -1;
constexpr Index kSlave = -2;

// y = H(w) x, stamp by stamp (no matrix formed).
void apply_hessian(const LinearModel& model, const Vector& w, const Vector& x, Vector& y) {
  y.setZero(model.num_dofs());
  if (model.rank_one()) {  // S_i = b_i b_i^T: one dot product and one update per stamp
    for (Index i = 0; i < model.num_parameters(); ++i) {
      const auto d = model.stamp_dofs(i);
      const auto b = model.stamp_vector(i);
      double drop = 0.0;
      for (std::size_t r = 0; r < d.size(); ++r) drop += b[r] * x[d[r]];
      const double current = w[i] * drop;
      for (std::size_t r = 0; r < d.size(); ++r) y[d[r]] += current * b[r];
    }
    return;
  }
  for (Index i = 0; i < model.num_parameters(); ++i) {
    const auto d = model.stamp_dofs(i);
    const auto s = model.stamp_matrix(i);
    const std::size_t k = d.size();
    for (std::size_t r = 0; r < k; ++r) {
      double acc = 0.0;
      for (std::size_t c = 0; c < k; ++c) acc += s[r * k + c] * x[d[c]];
      y[d[r]] += w[i] * acc;
    }
  }
}

double max_abs(const Vector& v) {
  return v.size() == 0 ? 0.0 : v.lpNorm<Eigen::Infinity>();
}

double ratio(double numerator, double denominator) {
  if (numerator == 0.0) return 0.0;
  return denominator > 0.0 ? numerator / denominator : std::numeric_limits<double>::infinity();
}

// Progress of refinement on the original equations, per step: the relative correction of x,
// ||dx|| / ||x||, and the error estimate (which also weighs the currents). Refinement goes on
// while either at least halves per step and is above double round-off: below round-off a
// correction no longer changes the result, and slower progress means the factorisation's own
// error (cond * eps) dominates. Both are needed: the estimate can stall at the resolution of the
// voltages while x still converges (a weak link's current), and the converse. An iterate that
// improves on neither is dropped.
struct Progress {
  double correction = std::numeric_limits<double>::infinity();
  double estimate = std::numeric_limits<double>::infinity();
  bool improves(double c, double e) const { return c <= correction || e <= estimate; }
  bool converging(double c, double e) const {
    constexpr double eps = std::numeric_limits<double>::epsilon();
    return (c > eps && c <= 0.5 * correction) || (e > eps && e <= 0.5 * estimate);
  }
};

Vector held_entries(const BoundaryConditions& bc, const Vector& v, double sign) {
  Vector out(static_cast<Index>(bc.holds.size()));
  for (std::size_t k = 0; k < bc.holds.size(); ++k)
    out[static_cast<Index>(k)] = sign * v[bc.holds[k].dof];
  return out;
}

// The state from x with the reactions of the extended-precision residual, checked for overflow.
State checked_state(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
                    Vector x, Vector reactions, const solver::SolveReport& report) {
  State st = state_from_solution(model, w, bc, std::move(x));
  st.reactions = std::move(reactions);
  st.report = report;
  detail::require_finite(model, w, bc, st.x, st.currents, st.power, st.reactions);
  return st;
}

}  // namespace

std::string accuracy_warning(const State& state) {
  const auto& r = state.report;
  if (!(r.error_estimate > kErrorEstimateWarning)) return "";
  std::ostringstream out;
  out << std::setprecision(2) << "warning: the state may be inaccurate: estimated relative error "
      << r.error_estimate << " of the state, currents and reactions (backward error "
      << r.backward_error << " after " << r.refinement_steps
      << " refinement step(s)); the system is ill-conditioned: look for parts joined only by very "
         "weak edges, or parameters spanning many decades";
  return out.str();
}

void SolveOptions::validate() const {
  const auto names = solver::solver_backends();
  if (std::find(names.begin(), names.end(), backend) == names.end())
    (void)solver::make_solver(backend, 0);  // throws the message listing the known names
  refinement.validate();
}

Vector total_force(const LinearModel& model, const Vector& w, const BoundaryConditions& bc) {
  Vector f = Vector::Zero(model.num_dofs());
  for (const auto& inj : bc.injections) f[inj.dof] += inj.amount;
  for (const auto& src : bc.edge_sources) {
    const auto d = model.stamp_dofs(src.edge);
    const auto b = model.stamp_vector(src.edge);
    for (std::size_t r = 0; r < d.size(); ++r) f[d[r]] += w[src.edge] * src.value * b[r];
  }
  return f;
}

State state_from_solution(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
                          Vector x) {
  State st;
  st.x = std::move(x);
  const Vector force = total_force(model, w, bc);
  Vector hx;
  apply_hessian(model, w, st.x, hx);
  double source_energy = 0.0;  // 1/2 sum w s^2: E with sources = 1/2 sum w v^2 - F^T x
  if (model.rank_one()) {
    model.drops(st.x, st.drops);
    for (const auto& src : bc.edge_sources) {
      st.drops[src.edge] -= src.value;
      source_energy += 0.5 * w[src.edge] * src.value * src.value;
    }
    st.currents = w.cwiseProduct(st.drops);
    st.power = st.currents.dot(st.drops);
  } else {
    st.power = st.x.dot(hx);
  }
  st.energy = 0.5 * st.x.dot(hx) - force.dot(st.x) + source_energy;
  st.reactions.resize(static_cast<Index>(bc.holds.size()));
  for (std::size_t k = 0; k < bc.holds.size(); ++k) {
    const Index dof = bc.holds[k].dof;
    st.reactions[static_cast<Index>(k)] = hx[dof] - force[dof];
  }
  return st;
}

ReducedSystem::ReducedSystem(const LinearModel& model, const BoundaryConditions& structure)
    : model_(&model) {
  validate(model, structure);
  const Index n = model.num_dofs();
  free_index_.assign(static_cast<std::size_t>(n), 0);
  for (const auto& h : structure.holds) free_index_[static_cast<std::size_t>(h.dof)] = kHeld;

  // Each constraint eliminates one "slave" dof that no other constraint touches, so that the
  // substitution x_slave = (c - sum_j q_j x_j) / q_slave never chains.
  std::vector<int> uses(static_cast<std::size_t>(n), 0);
  for (const auto& c : structure.constraints)
    for (std::size_t j = 0; j < c.dofs.size(); ++j)
      if (c.coefficients[j] != 0.0) ++uses[static_cast<std::size_t>(c.dofs[j])];
  for (std::size_t k = 0; k < structure.constraints.size(); ++k) {
    const auto& c = structure.constraints[k];
    Index best = -1;
    double best_abs = 0.0;
    for (std::size_t j = 0; j < c.dofs.size(); ++j) {
      const Index dof = c.dofs[j];
      if (free_index_[static_cast<std::size_t>(dof)] < 0 ||
          uses[static_cast<std::size_t>(dof)] != 1)
        continue;
      if (std::abs(c.coefficients[j]) > best_abs) {
        best_abs = std::abs(c.coefficients[j]);
        best = static_cast<Index>(j);
      }
    }
    require(best >= 0, "boundary conditions", "constraints[", k,
            "]: cannot be eliminated (each of its dofs is held or shared with another "
            "constraint); use the bordered form");
    slave_dof_.push_back(c.dofs[static_cast<std::size_t>(best)]);
    slave_coefficient_.push_back(c.coefficients[static_cast<std::size_t>(best)]);
    free_index_[static_cast<std::size_t>(slave_dof_.back())] = kSlave;
  }
  // Number the remaining (free) dofs in increasing order; held and slave marks are negative.
  for (auto& f : free_index_)
    if (f == 0) f = num_free_++;

  // Rows of T in compressed form: one unit term per free dof, the substitution terms per slave.
  row_offsets_.assign(static_cast<std::size_t>(n) + 1, 0);
  for (Index dof = 0; dof < n; ++dof)
    if (free_index_[static_cast<std::size_t>(dof)] >= 0)
      row_offsets_[static_cast<std::size_t>(dof) + 1] = 1;
  for (std::size_t k = 0; k < structure.constraints.size(); ++k) {
    const auto& c = structure.constraints[k];
    auto& count = row_offsets_[static_cast<std::size_t>(slave_dof_[k]) + 1];
    for (std::size_t j = 0; j < c.dofs.size(); ++j)
      if (c.dofs[j] != slave_dof_[k] && free_index_[static_cast<std::size_t>(c.dofs[j])] >= 0 &&
          c.coefficients[j] != 0.0)
        ++count;
  }
  for (Index dof = 0; dof < n; ++dof)
    row_offsets_[static_cast<std::size_t>(dof) + 1] += row_offsets_[static_cast<std::size_t>(dof)];
  terms_.resize(static_cast<std::size_t>(row_offsets_.back()));
  for (Index dof = 0; dof < n; ++dof)
    if (const Index f = free_index_[static_cast<std::size_t>(dof)]; f >= 0)
      terms_[static_cast<std::size_t>(row_offsets_[static_cast<std::size_t>(dof)])] = {f, 1.0};
  for (std::size_t k = 0; k < structure.constraints.size(); ++k) {
    const auto& c = structure.constraints[k];
    auto next = static_cast<std::size_t>(row_offsets_[static_cast<std::size_t>(slave_dof_[k])]);
    for (std::size_t j = 0; j < c.dofs.size(); ++j) {
      const Index f = free_index_[static_cast<std::size_t>(c.dofs[j])];
      if (c.dofs[j] == slave_dof_[k] || f < 0 || c.coefficients[j] == 0.0) continue;
      terms_[next++] = {f, -c.coefficients[j] / slave_coefficient_[k]};
    }
  }
  build_pattern(model);
}

// Pattern of T^T H T and the scatter map from stamp entries into it, without triplets. The
// contributions S_i(r, c) T(d_r, p) T(d_c, q) -> entry (p, q) are enumerated twice in parameter
// order (the order assemble() sums them in): once to count them per column, once to bucket them
// by column; each column's distinct rows are then found with a marker array. O(contributions +
// nnz log(column length)); every array is allocated once at its final size, because on the
// machines we measured fresh pages, not arithmetic, were the cost of a cold solve.
void ReducedSystem::build_pattern(const LinearModel& model) {
  const auto nf = static_cast<std::size_t>(num_free_);
  // Most rows of T are a single unit term (a free dof) or empty (a held dof): resolve those
  // without walking the term lists. kGeneral marks constraint slaves.
  constexpr Index kEmpty = -1;
  constexpr Index kGeneral = -2;
  std::vector<Index> unit_free(static_cast<std::size_t>(model.num_dofs()));
  for (Index dof = 0; dof < model.num_dofs(); ++dof) {
    const auto terms = row(dof);
    unit_free[static_cast<std::size_t>(dof)] = terms.empty() ? kEmpty
                                               : (terms.size() == 1 && terms[0].coefficient == 1.0)
                                                   ? terms[0].free
                                                   : kGeneral;
  }
  auto for_each_contribution = [&](auto&& visit) {
    for (Index i = 0; i < model.num_parameters(); ++i) {
      const auto d = model.stamp_dofs(i);
      const auto s = model.stamp_matrix(i);
      const std::size_t k = d.size();
      for (std::size_t r = 0; r < k; ++r) {
        const Index fr = unit_free[static_cast<std::size_t>(d[r])];
        if (fr == kEmpty) continue;
        for (std::size_t c = 0; c < k; ++c) {
          const double value = s[r * k + c];
          const Index fc = unit_free[static_cast<std::size_t>(d[c])];
          if (value == 0.0 || fc == kEmpty) continue;
          if (fr >= 0 && fc >= 0) {
            visit(static_cast<std::size_t>(fr), static_cast<std::size_t>(fc), i, value);
            continue;
          }
          for (const Term& tp : row(d[r]))
            for (const Term& tq : row(d[c]))
              visit(static_cast<std::size_t>(tp.free), static_cast<std::size_t>(tq.free), i,
                    value * tp.coefficient * tq.coefficient);
        }
      }
    }
  };

  std::vector<std::size_t> bucket_start(nf + 1, 0);
  for_each_contribution(
      [&](std::size_t, std::size_t col, Index, double) { ++bucket_start[col + 1]; });
  for (std::size_t j = 0; j < nf; ++j) bucket_start[j + 1] += bucket_start[j];
  const std::size_t count = bucket_start[nf];
  require(count < static_cast<std::size_t>(std::numeric_limits<int>::max()), "reduced system",
          "too many stamp contributions (", count, ") for 32-bit sparse indices");

  scatter_parameter_.resize(count);
  scatter_coefficient_.resize(count);
  scatter_position_.resize(count);
  std::vector<int> bucket_row(count);
  std::vector<int> bucket_id(count);
  {
    std::vector<std::size_t> fill(bucket_start.begin(), bucket_start.end() - 1);
    std::size_t e = 0;
    for_each_contribution([&](std::size_t row_index, std::size_t col, Index i, double value) {
      scatter_parameter_[e] = static_cast<int>(i);
      scatter_coefficient_[e] = value;
      const std::size_t slot = fill[col]++;
      bucket_row[slot] = static_cast<int>(row_index);
      bucket_id[slot] = static_cast<int>(e);
      ++e;
    });
  }

  // Distinct rows of each column (plus the diagonal, kept even where every stamp vanishes so
  // that the pattern does not depend on the values), sorted; positions via a marker array.
  std::vector<int> outer(nf + 1, 0);
  std::vector<int> inner;
  inner.reserve(std::min(count, count / 2 + nf));
  std::vector<std::size_t> marker(nf, std::numeric_limits<std::size_t>::max());
  std::vector<int> position(nf, 0);
  for (std::size_t j = 0; j < nf; ++j) {
    const std::size_t first = inner.size();
    marker[j] = j;
    inner.push_back(static_cast<int>(j));
    for (std::size_t b = bucket_start[j]; b < bucket_start[j + 1]; ++b) {
      const auto r = static_cast<std::size_t>(bucket_row[b]);
      if (marker[r] != j) {
        marker[r] = j;
        inner.push_back(bucket_row[b]);
      }
    }
    std::sort(inner.begin() + static_cast<std::ptrdiff_t>(first), inner.end());
    for (std::size_t p = first; p < inner.size(); ++p)
      position[static_cast<std::size_t>(inner[p])] = static_cast<int>(p);
    for (std::size_t b = bucket_start[j]; b < bucket_start[j + 1]; ++b)
      scatter_position_[static_cast<std::size_t>(bucket_id[b])] =
          position[static_cast<std::size_t>(bucket_row[b])];
    outer[j + 1] = static_cast<int>(inner.size());
  }

  matrix_.resize(num_free_, num_free_);
  matrix_.resizeNonZeros(static_cast<Index>(inner.size()));
  std::copy(outer.begin(), outer.end(), matrix_.outerIndexPtr());
  std::copy(inner.begin(), inner.end(), matrix_.innerIndexPtr());
  std::fill(matrix_.valuePtr(), matrix_.valuePtr() + inner.size(), 0.0);
}

void ReducedSystem::assemble(const Vector& w) {
  double* values = matrix_.valuePtr();
  std::fill(values, values + matrix_.nonZeros(), 0.0);
  const std::size_t count = scatter_position_.size();
  for (std::size_t k = 0; k < count; ++k)
    values[scatter_position_[k]] += w[scatter_parameter_[k]] * scatter_coefficient_[k];
}

Vector ReducedSystem::offset(const BoundaryConditions& bc) const {
  Vector t = Vector::Zero(model_->num_dofs());
  for (const auto& h : bc.holds) t[h.dof] = h.value;
  for (std::size_t k = 0; k < bc.constraints.size(); ++k) {
    const auto& c = bc.constraints[k];
    double rest = c.value;
    for (std::size_t j = 0; j < c.dofs.size(); ++j)
      if (c.dofs[j] != slave_dof_[k] && free_index_[static_cast<std::size_t>(c.dofs[j])] == kHeld)
        rest -= c.coefficients[j] * t[c.dofs[j]];
    t[slave_dof_[k]] = rest / slave_coefficient_[k];
  }
  return t;
}

Vector ReducedSystem::reduced_rhs(const Vector& w, const Vector& force,
                                  const Vector& offset) const {
  Vector ht;
  apply_hessian(*model_, w, offset, ht);
  const Vector r = force - ht;
  Vector b = Vector::Zero(num_free_);
  for (Index dof = 0; dof < model_->num_dofs(); ++dof)
    for (Index p = row_offsets_[static_cast<std::size_t>(dof)];
         p < row_offsets_[static_cast<std::size_t>(dof) + 1]; ++p)
      b[terms_[static_cast<std::size_t>(p)].free] +=
          terms_[static_cast<std::size_t>(p)].coefficient * r[dof];
  return b;
}

void ReducedSystem::expand_into(const Eigen::Ref<const Vector>& z, const Vector& offset,
                                Eigen::Ref<Vector> x) const {
  x = offset;
  for (Index dof = 0; dof < model_->num_dofs(); ++dof)
    for (const Term& t : row(dof)) x[dof] += t.coefficient * z[t.free];
}

Vector ReducedSystem::reduce(const Vector& v) const {
  Vector b = Vector::Zero(num_free_);
  for (Index dof = 0; dof < model_->num_dofs(); ++dof)
    for (const Term& t : row(dof)) b[t.free] += t.coefficient * v[dof];
  return b;
}

Vector ReducedSystem::expand(const Vector& z, const Vector& offset) const {
  Vector x = offset;
  for (Index dof = 0; dof < model_->num_dofs(); ++dof)
    for (Index p = row_offsets_[static_cast<std::size_t>(dof)];
         p < row_offsets_[static_cast<std::size_t>(dof) + 1]; ++p)
      x[dof] += terms_[static_cast<std::size_t>(p)].coefficient *
                z[terms_[static_cast<std::size_t>(p)].free];
  return x;
}

LinearResponse::LinearResponse(const LinearModel& model, const BoundaryConditions& structure,
                               SolveOptions options)
    : model_(&model), options_(std::move(options)), reduced_(model, structure) {
  options_.validate();
  solver_ = solver::make_solver(options_.backend, reduced_.size(),
                                options_.thorough_ordering ? solver::OrderingEffort::kThorough
                                                           : solver::OrderingEffort::kFast);
  solver_->analyze(reduced_.matrix());
}

void LinearResponse::set_parameters(const Vector& w) {
  const auto result = try_set_parameters(w);
  if (!result.ok()) throw_factor_failure(result);
}

solver::FactorResult LinearResponse::try_set_parameters(const Vector& w) {
  model_->check_parameters(w, "parameters");
  w_ = w;
  reduced_.assemble(w_);
  auto result = solver_->factorize(reduced_.matrix());
  min_pivot_ratio_ = result.min_pivot_ratio;
  if (result.ok()) return result;
  // Parameters so large that their sums overflow are the user's units, not a singular network.
  if (!std::all_of(reduced_.matrix().valuePtr(),
                   reduced_.matrix().valuePtr() + reduced_.matrix().nonZeros(),
                   [](double v) { return std::isfinite(v); }))
    throw std::invalid_argument(
        concat(to_string(model_->kind()), " network: parameters up to ", w.cwiseAbs().maxCoeff(),
               " overflow double precision when summed into the matrix (entries above ",
               std::numeric_limits<double>::max(), "): rescale the units"));
  if (result.status == solver::FactorStatus::kFailed) throw_factor_failure(result);
  return result;
}

void LinearResponse::throw_factor_failure(solver::FactorResult result) const {
  const Vector& w = w_;
  if (result.failed_column < 0) {
    // Some backends (Eigen's LDL^T) do not say where the factorisation broke down; CHOLMOD
    // does. Only on this error path, so its cost does not matter.
    auto locator = solver::make_solver("cholmod-simplicial", reduced_.size());
    locator->analyze(reduced_.matrix());
    const auto located = locator->factorize(reduced_.matrix());
    if (located.failed_column >= 0) result.failed_column = located.failed_column;
  }
  std::string at = "unknown position";
  if (result.failed_column >= 0)
    for (Index dof = 0; dof < model_->num_dofs(); ++dof)
      if (reduced_.free_index(dof) == result.failed_column) at = dof_name(*model_, dof);
  switch (model_->kind()) {
    case ModelKind::kSpring:
      throw std::invalid_argument(
          concat("spring network: floppy modes (the pinned stiffness matrix is singular near ", at,
                 "); pin more nodes or add bonds [", result.message, "]"));
    case ModelKind::kNode:
      throw std::invalid_argument(
          concat("node network: H = W is not positive definite on the "
                 "free dofs (breakdown near ",
                 at, ") [", result.message, "]"));
    case ModelKind::kResistor: {
      // Conductances more than 1/eps apart at one node vanish from its diagonal in rounding:
      // the matrix then looks singular though the network is not.
      const double spread = w.maxCoeff() / w.minCoeff();
      const std::string cause =
          spread > 1.0 / std::numeric_limits<double>::epsilon()
              ? concat("conductances span [", w.minCoeff(), ", ", w.maxCoeff(),
                       "], more than double precision's 16 digits resolve: rescale or bound them")
              : std::string("a part is not held through finite conductances");
      throw std::invalid_argument(concat("resistor network: singular system near ", at, " (", cause,
                                         ") [", result.message, "]"));
    }
  }
  throw std::logic_error("LinearResponse: unknown model kind");
}

solver::SolveReport LinearResponse::solve_reduced(Matrix& rhs) const {
  const double skip = options_.refinement.skip_check_above_pivot_ratio;
  if (skip > 0.0 && min_pivot_ratio_ > skip) {
    solver_->solve_in_place(rhs);
    return {0, -1.0};  // backward error not measured
  }
  Matrix x;
  const auto report =
      solver::solve_refined(reduced_.matrix(), *solver_, rhs, x, options_.refinement);
  rhs = std::move(x);
  return report;
}

State LinearResponse::solve(const BoundaryConditions& bc) const {
  assert(w_.size() == model_->num_parameters() && "set_parameters before solve");
  const Vector force = total_force(*model_, w_, bc);
  const Vector t = reduced_.offset(bc);
  Matrix z = reduced_.reduced_rhs(w_, force, t);
  if (!options_.check_accuracy) {
    const auto report = solve_reduced(z);
    State st = state_from_solution(*model_, w_, bc, reduced_.expand(z.col(0), t));
    st.report = report;
    detail::require_finite(*model_, w_, bc, st.x, st.currents, st.power, st.reactions);
    return st;
  }
  solver_->solve_in_place(z);
  Vector x = reduced_.expand(z.col(0), t);
  detail::require_finite(*model_, w_, bc, x, Vector(), 0.0, Vector());

  // Refinement on the residual of the original equations, r = F - H x at every dof, computed in
  // extended precision from the edge currents: the reduced residual T^T r is what the reduced
  // system must still absorb (constraint multipliers absorb the slave rows, the reactions the
  // held rows), and its correction T (T^T H T)^-1 T^T r is the estimate of the error of x.
  detail::OriginalEquations equations(*model_, w_, bc);
  const Vector no_offset = Vector::Zero(model_->num_dofs());
  Matrix correction(z.rows(), 1);
  Vector best_z, best_reactions, hdx;
  solver::SolveReport best;
  Progress progress;
  for (int step = 0;; ++step) {
    equations.evaluate(x);
    Vector reactions = held_entries(bc, equations.residual(), -1.0);
    correction.col(0) = reduced_.reduce(equations.residual());
    const double backward_error = std::max(ratio(max_abs(correction.col(0)), equations.scale()),
                                           equations.constraint_error(x));
    solver_->solve_in_place(correction);
    const Vector dx = reduced_.expand(correction.col(0), no_offset);
    apply_hessian(*model_, w_, dx, hdx);
    const double estimate = equations.relative_change(x, reactions, dx, held_entries(bc, hdx, 1.0));
    const double change = ratio(max_abs(dx), max_abs(x));
    if (!progress.improves(change, estimate)) break;
    best = {step, backward_error, estimate};
    best_z = z.col(0);
    best_reactions = std::move(reactions);
    if (step >= options_.refinement.max_steps || !progress.converging(change, estimate)) break;
    progress = {change, estimate};
    z += correction;
    x = reduced_.expand(z.col(0), t);
  }
  return checked_state(*model_, w_, bc, reduced_.expand(best_z, t), std::move(best_reactions),
                       best);
}

State solve(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
            const SolveOptions& options) {
  LinearResponse response(model, bc, options);
  response.set_parameters(w);
  return response.solve(bc);
}

SparseMatrix bordered_matrix(const LinearModel& model, const Vector& w,
                             const BoundaryConditions& bc) {
  const Index n = model.num_dofs();
  const Index m = static_cast<Index>(bc.holds.size() + bc.constraints.size());
  const SparseMatrix h = model.hessian(w);
  std::vector<Eigen::Triplet<double, int>> triplets;
  triplets.reserve(static_cast<std::size_t>(h.nonZeros() + 2 * m +
                                            8 * static_cast<Index>(bc.constraints.size())));
  for (int c = 0; c < h.outerSize(); ++c)
    for (SparseMatrix::InnerIterator it(h, c); it; ++it)
      triplets.emplace_back(static_cast<int>(it.row()), c, it.value());
  Index row = n;
  auto add = [&](Index r, Index dof, double v) {
    triplets.emplace_back(static_cast<int>(r), static_cast<int>(dof), v);
    triplets.emplace_back(static_cast<int>(dof), static_cast<int>(r), v);
  };
  for (const auto& hold : bc.holds) add(row++, hold.dof, 1.0);
  for (const auto& c : bc.constraints) {
    for (std::size_t j = 0; j < c.dofs.size(); ++j) add(row, c.dofs[j], c.coefficients[j]);
    ++row;
  }
  SparseMatrix k(n + m, n + m);
  k.setFromTriplets(triplets.begin(), triplets.end());
  k.makeCompressed();
  return k;
}

State solve_bordered(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
                     Vector* multipliers) {
  validate(model, bc);
  model.check_parameters(w, "parameters");
  const Index n = model.num_dofs();
  const auto num_holds = static_cast<Index>(bc.holds.size());
  const SparseMatrix k = bordered_matrix(model, w, bc);
  Vector rhs(k.rows());
  rhs.head(n) = total_force(model, w, bc);
  Index row = n;
  for (const auto& hold : bc.holds) rhs[row++] = hold.value;
  for (const auto& c : bc.constraints) rhs[row++] = c.value;
  Eigen::PartialPivLU<Matrix> dense_lu;
  Eigen::SparseLU<SparseMatrix, Eigen::COLAMDOrdering<int>> sparse_lu;
  const bool dense = k.rows() < 2000;
  if (dense) {
    dense_lu.compute(Matrix(k));
  } else {
    sparse_lu.compute(k);
    require(sparse_lu.info() == Eigen::Success, "bordered solve",
            "the bordered matrix is singular (", sparse_lu.lastErrorMessage(), ")");
  }
  auto lu_solve = [&](const Vector& b) -> Vector {
    return dense ? Vector(dense_lu.solve(b)) : Vector(sparse_lu.solve(b));
  };
  Vector sol = lu_solve(rhs);
  if (!sol.allFinite()) {
    // Values beyond sqrt(max double) can overflow on their own; otherwise the matrix is singular.
    const double huge = std::sqrt(std::numeric_limits<double>::max());
    if (max_abs(rhs) > huge || (k.nonZeros() > 0 && k.coeffs().abs().maxCoeff() > huge))
      detail::require_finite(model, w, bc, sol.head(n), Vector(), 0.0, Vector());
    throw std::invalid_argument("bordered solve: the bordered matrix is singular");
  }

  // Refinement on the residual of the bordered (original) equations
  // [F - H x - Q^T mu; c - Q x], its top block from the extended-precision edge currents.
  detail::OriginalEquations equations(model, w, bc);
  Vector best_sol, best_reactions, residual(k.rows());
  solver::SolveReport best;
  Progress progress;
  for (int step = 0;; ++step) {
    const Vector x = sol.head(n);
    equations.evaluate(x);
    residual.head(n) = equations.residual();
    for (Index h = 0; h < num_holds; ++h) {
      const Index dof = bc.holds[static_cast<std::size_t>(h)].dof;
      residual[dof] -= sol[n + h];
      residual[n + h] = bc.holds[static_cast<std::size_t>(h)].value - x[dof];
    }
    // A held value is violated relative to the state's scale (a ground may be off by 1e-17).
    double hold_error = 0.0;
    for (Index h = 0; h < num_holds; ++h)
      hold_error = std::max(hold_error, ratio(std::abs(residual[n + h]), max_abs(x)));
    for (std::size_t c = 0; c < bc.constraints.size(); ++c) {
      const auto& con = bc.constraints[c];
      const Index r = n + num_holds + static_cast<Index>(c);
      long double value = con.value;
      for (std::size_t j = 0; j < con.dofs.size(); ++j) {
        residual[con.dofs[j]] -= con.coefficients[j] * sol[r];
        value -= static_cast<long double>(con.coefficients[j]) * x[con.dofs[j]];
      }
      residual[r] = static_cast<double>(value);
    }
    const double backward_error = std::max({ratio(max_abs(residual.head(n)), equations.scale()),
                                            equations.constraint_error(x), hold_error});
    Vector reactions = held_entries(bc, equations.residual(), -1.0);
    const Vector correction = lu_solve(residual);
    const double estimate = equations.relative_change(x, reactions, correction.head(n),
                                                      correction.segment(n, num_holds));
    const double change = ratio(max_abs(correction.head(n)), max_abs(x));
    if (!progress.improves(change, estimate)) break;
    best = {step, backward_error, estimate};
    best_sol = sol;
    best_reactions = std::move(reactions);
    if (step >= solver::RefinementOptions{}.max_steps || !progress.converging(change, estimate))
      break;
    progress = {change, estimate};
    sol += correction;
  }
  if (multipliers != nullptr) *multipliers = best_sol.tail(k.rows() - n);
  return checked_state(model, w, bc, best_sol.head(n), std::move(best_reactions), best);
}

}  // namespace plnet::physics
