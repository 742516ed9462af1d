#pragma once
/// The linear responses one training step needs, from ONE numeric factorisation of H(w):
///
///   X       n_dofs x (n_in + 1)   unit responses: column j is the state with input channel j
///                                  at 1 and everything else 0; the last column is the state
///                                  under the fixed conditions alone. x_s = X a_s, a_s = [u_s; 1].
///   Lambda  n_dofs x n_out        adjoint responses H_r^-1 p_o (held dofs at 0): the response
///                                  to a unit force along each readout p_o.
///   Y = P X  n_out x (n_in + 1)   outputs y_s = Y a_s.
///   S = P Lambda  n_out x n_out   the output-output Schur complement (Kron reduction onto the
///                                  outputs): clamping the outputs by delta moves the state by
///                                  Lambda S^-1 delta (docs/physics.md section 5).
///   DX = B X - source map, DL = B Lambda (difference networks): the edge drops of each column.
///
/// Every learning rule is then a sum over samples of stamp bilinear forms
/// sum_s (U alpha_s)^T S_i (V beta_s) = tr(S_i V Q U^T), Q = sum_s beta_s alpha_s^T, computed by
/// stamp_bilinear() at a cost independent of the batch size.

#include <plnet/learning/task.hpp>
#include <plnet/physics/linear_response.hpp>

#include <memory>

namespace plnet::learning {

class Responses {
 public:
  Responses(const physics::LinearModel& model, const Task& task,
            physics::SolveOptions options = {});

  /// Factorises H(w) and recomputes every response. Throws std::invalid_argument (one line)
  /// if w is invalid or the constrained system is singular.
  void update(const Vector& w);
  /// The same, but returns the factorisation's status instead of throwing when H(w) is
  /// singular or indefinite on the free dofs (kNotPositiveDefinite: the responses are then
  /// invalid until the next successful update).
  solver::FactorResult try_update(const Vector& w);

  const physics::LinearModel& model() const { return *model_; }
  const Task& task() const { return *task_; }
  const Vector& parameters() const { return w_; }
  Index num_augmented_inputs() const { return task_->num_inputs() + 1; }

  const Matrix& unit_states() const { return x_; }          ///< X
  const Matrix& adjoint_states() const { return lambda_; }  ///< Lambda
  const Matrix& output_map() const { return y_; }           ///< Y = P X
  const Matrix& schur() const { return s_; }                ///< S = P Lambda
  /// B X with the input edge sources subtracted (resistor drops), difference networks only.
  const Matrix& unit_drops() const { return dx_; }
  /// B Lambda, difference networks only.
  const Matrix& adjoint_drops() const { return dl_; }

  /// Outputs of every sample: rows of `inputs` (samples x n_in) -> samples x n_out.
  Matrix outputs(const Matrix& inputs) const;
  /// States of every sample as columns (n_dofs x samples).
  Matrix states(const Matrix& inputs) const;

  /// out_i = tr(S_i V Q U^T) for every parameter i, with U = X or Lambda etc. given by the
  /// caller through their drop matrices (difference networks) or full states (node networks):
  ///   u_states/v_states: n_dofs x p and n_dofs x q, q_moment: q x p.
  /// For difference networks pass u_drops = B U and v_drops = B V instead (faster).
  void stamp_bilinear(const Matrix& u_states, const Matrix& v_states, const Matrix& q_moment,
                      Vector& out) const;
  void drop_bilinear(const Matrix& u_drops, const Matrix& v_drops, const Matrix& q_moment,
                     Vector& out) const;

  /// The readout rows as a sparse n_out x n_dofs matrix P.
  const SparseMatrix& readout_matrix() const { return p_; }
  const physics::LinearResponse& response() const { return *response_; }

 private:
  void build_rhs_templates();
  /// Every response for the factorised H(w).
  void solve_all(const Vector& w);

  const physics::LinearModel* model_;
  const Task* task_;
  std::unique_ptr<physics::LinearResponse> response_;
  // Difference operator (rank-one models), in compressed rows for the products in update().
  Eigen::SparseMatrix<double, Eigen::RowMajor, int> b_;
  std::vector<int> b_head_, b_tail_;  // rows of B as e_head - e_tail, when B is an incidence
  SparseMatrix p_;                    // readouts
  Matrix source_drops_;  // M x (n_in + 1): input edge sources per column (subtracted from B X)
  // Right-hand sides are affine in w: rhs_j(w) = constant_j + sum_k w[param_k] * value_k at
  // (free_k, j). Built once from the constraint structure, so update() neither rebuilds
  // boundary conditions nor loops over every stamp.
  struct RhsTerm {
    Index parameter;
    Index free;
    Index column;
    double value;
  };
  Matrix rhs_x_constant_, rhs_l_constant_;
  std::vector<RhsTerm> rhs_x_terms_;
  std::vector<Vector> offsets_;  // t_j per augmented column
  Vector zero_offset_;
  Vector w_;
  Matrix x_, lambda_, y_, s_, dx_, dl_;
  Matrix rhs_x_, rhs_l_;  // workspaces
};

}  // namespace plnet::learning
