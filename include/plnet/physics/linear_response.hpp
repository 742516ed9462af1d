#pragma once
/// Solving for the physical state: minimise E(x) = 1/2 x^T H(w) x - F^T x subject to the
/// holds and linear constraints of a BoundaryConditions.
///
/// Two equivalent forms (docs/physics.md section 2):
///  * Elimination (default, used for speed): x = T z + t, where held dofs are fixed in t and
///    each linear constraint eliminates one of its dofs ("slave") that appears in no other
///    constraint; the reduced system T^T H T z = T^T (F - H t) is symmetric positive definite
///    and solved by sparse Cholesky. Its pattern and the map from stamps to matrix entries are
///    computed once, so a change of parameters costs one scatter and one numeric factorisation.
///  * Bordered (Lagrange) form: [[H, Q^T], [Q, 0]] [x; mu] = [F; c] with one row of Q per held
///    dof and per constraint. Symmetric but indefinite; solved by sparse LU (or dense for
///    small systems). Its inverse defines the susceptibilities of paper 000.

#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>
#include <plnet/solver/symmetric_solver.hpp>

#include <memory>
#include <span>
#include <string>

namespace plnet::physics {

/// The solved state of a network.
struct State {
  Vector x;             ///< num_dofs: node voltages / pressures, or displacements (node-major)
  Vector drops;         ///< num_parameters (difference networks): v_e = b_e . x - s_e
  Vector currents;      ///< num_parameters (difference networks): i_e = w_e v_e (force for springs)
  double power = 0.0;   ///< dissipated power sum_e w_e v_e^2 (= 2 x elastic energy for springs)
  double energy = 0.0;  ///< E = 1/2 x^T H x - F^T x at the solution (edge sources included)
  /// Reaction at every held dof, (H x - F_total)_dof, in the order of bc.holds: the current a
  /// voltage source injects into the network (or the force a pin exerts).
  Vector reactions;
  /// How far the state can be trusted. From solve() and solve_bordered() (with
  /// SolveOptions::check_accuracy): backward_error is the largest Kirchhoff (force-balance)
  /// residual of the original equations, holds and constraints included, relative to the largest
  /// current (force) through a dof; error_estimate the estimated relative error of x, the currents
  /// and the reactions; refinement_steps the corrections applied on the original residual
  /// (docs/conventions.md, "Accuracy of a solve").
  solver::SolveReport report;
};

/// error_estimate above which a state is flagged as inaccurate (accuracy_warning()).
inline constexpr double kErrorEstimateWarning = 1e-8;

struct SolveOptions {
  std::string backend = "auto";  ///< a name from solver::solver_backends()
  solver::RefinementOptions refinement;
  /// Spend more on the fill-reducing ordering (solver::OrderingEffort::kThorough): set when the
  /// same pattern is refactorised many times, as in training (learning::Responses does).
  bool thorough_ordering = false;
  /// solve() only (solve_reduced() never does this, so training does not pay for it): measure
  /// the backward error on the original equations, refine on their residual computed in extended
  /// precision, and estimate the error of the result (State::report). Costs one residual and one
  /// solve per step, at least one step; `refinement.max_steps` bounds the corrections.
  bool check_accuracy = true;
  void validate() const;
  static SolveOptions with_backend(std::string name) {
    SolveOptions options;
    options.backend = std::move(name);
    return options;
  }
};

/// One line saying that a state may be inaccurate and by how much, or "" when its error
/// estimate is at most kErrorEstimateWarning or was not measured.
std::string accuracy_warning(const State& state);

/// The total external force F + B^T W s (edge sources folded in), length num_dofs.
Vector total_force(const LinearModel& model, const Vector& w, const BoundaryConditions& bc);

/// Completes a state from x: drops, currents, power, energy and reactions.
State state_from_solution(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
                          Vector x);

/// The eliminated (Dirichlet / master-slave) form x = T z + t. Built from the *structure* of
/// the conditions (which dofs are held, which constraints exist); the values (hold values,
/// injections, sources) can change between solves without rebuilding.
class ReducedSystem {
 public:
  ReducedSystem(const LinearModel& model, const BoundaryConditions& structure);

  Index size() const { return num_free_; }
  /// T^T H T with the pattern fixed at construction; values set by assemble().
  const SparseMatrix& matrix() const { return matrix_; }
  /// Writes T^T H(w) T into matrix() without allocating.
  void assemble(const Vector& w);
  /// The affine part t (num_dofs) for the values in `bc` (same structure as at construction).
  Vector offset(const BoundaryConditions& bc) const;
  /// T^T (force - H t) for a full-length force vector and offset.
  Vector reduced_rhs(const Vector& w, const Vector& force, const Vector& offset) const;
  /// T^T v for a full-length v (num_dofs): the reduced form of a residual or force.
  Vector reduce(const Vector& v) const;
  /// x = T z + t.
  Vector expand(const Vector& z, const Vector& offset) const;
  /// x = T z + t into existing storage (no allocation).
  void expand_into(const Eigen::Ref<const Vector>& z, const Vector& offset,
                   Eigen::Ref<Vector> x) const;

  /// One entry of a row of T: x_dof contains coefficient * z_free.
  struct Term {
    Index free = 0;
    double coefficient = 0.0;
  };
  /// Row `dof` of T (empty for held dofs).
  std::span<const Term> row(Index dof) const {
    const auto begin = row_offsets_[static_cast<std::size_t>(dof)];
    const auto end = row_offsets_[static_cast<std::size_t>(dof) + 1];
    return {terms_.data() + begin, static_cast<std::size_t>(end - begin)};
  }
  /// The reduced unknown that carries a given dof, or -1 if the dof is held or eliminated.
  Index free_index(Index dof) const { return free_index_[static_cast<std::size_t>(dof)]; }

 private:
  void build_pattern(const LinearModel& model);

  const LinearModel* model_;
  Index num_free_ = 0;
  std::vector<Index> free_index_;   // dof -> reduced index or -1
  std::vector<Index> row_offsets_;  // dof -> range into terms_ (rows of T)
  std::vector<Term> terms_;
  std::vector<Index> slave_dof_;           // per constraint
  std::vector<double> slave_coefficient_;  // per constraint
  // Scatter map: matrix value position += w[parameter] * coefficient.
  std::vector<int> scatter_parameter_;  // 32-bit like the sparse indices: less memory to touch
  std::vector<double> scatter_coefficient_;
  std::vector<int> scatter_position_;
  SparseMatrix matrix_;
};

/// A reusable solver for one model and one constraint structure: the symbolic analysis happens
/// once; set_parameters() refactorises numerically; solve() takes new values every call.
class LinearResponse {
 public:
  LinearResponse(const LinearModel& model, const BoundaryConditions& structure,
                 SolveOptions options = {});

  /// Assembles and factorises H(w). Throws std::invalid_argument with one clear line if the
  /// parameters are invalid or the constrained system is singular (a floating part, or floppy
  /// modes of a spring network), naming the dof where the factorisation broke down.
  void set_parameters(const Vector& w);
  /// The same, but a factorisation that breaks down because H(w) is singular or indefinite on
  /// the free dofs is returned (status kNotPositiveDefinite; solves are then invalid) instead
  /// of thrown: a training step that takes H through zero is an expected outcome. Invalid
  /// parameters and other solver failures still throw.
  solver::FactorResult try_set_parameters(const Vector& w);
  /// Solves for the conditions `bc` (same structure as at construction). With
  /// SolveOptions::check_accuracy, refines on the original equations and reports their backward
  /// error and an error estimate in State::report. Throws std::invalid_argument naming the cause
  /// when the state, currents, power or reactions overflow double precision.
  State solve(const BoundaryConditions& bc) const;
  /// Solves the reduced system for many right-hand sides at once (columns), in place.
  solver::SolveReport solve_reduced(Matrix& rhs) const;

  const ReducedSystem& reduced() const { return reduced_; }
  const Vector& parameters() const { return w_; }
  /// Smallest pivot ratio of the current factorisation (near 0: nearly singular).
  double min_pivot_ratio() const { return min_pivot_ratio_; }
  std::string backend_name() const { return solver_->name(); }

 private:
  const LinearModel* model_;
  SolveOptions options_;
  ReducedSystem reduced_;
  std::unique_ptr<solver::SymmetricSolver> solver_;
  Vector w_;
  double min_pivot_ratio_ = 0.0;
  /// Throws the one-line message for a failed factorisation (names the dof where it broke).
  [[noreturn]] void throw_factor_failure(solver::FactorResult result) const;
};

/// One-shot solve in the eliminated form.
State solve(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
            const SolveOptions& options = {});

/// One-shot solve in the bordered form; `multipliers` (if given) receives mu, one per row of
/// Q (holds first, then constraints). Uses dense LU below 2000 unknowns, sparse LU above.
/// Refines on the original equations and fills State::report like solve().
State solve_bordered(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
                     Vector* multipliers = nullptr);

/// The bordered matrix [[H, Q^T], [Q, 0]] and the constraint rows Q (holds, then constraints).
SparseMatrix bordered_matrix(const LinearModel& model, const Vector& w,
                             const BoundaryConditions& bc);

}  // namespace plnet::physics
