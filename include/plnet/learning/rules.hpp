#pragma once
/// Learning rules as estimators of the cost gradient dC/dw in *conductance* space (w = k);
/// a trainer that learns resistances r = 1/k converts with dC/dr = -k^2 dC/dk. For a batch,
/// C = scale * sum_s c_s (Loss::reduction), and every estimate below carries the same scale.
///
///   exact        the adjoint gradient: dC/dw_i = -sum_s (b_i.lambda_s)(b_i.x_s - s_i) with
///                lambda_s = H^-1 P^T dc/dy (held dofs at 0); for node networks -lambda^T S_i x.
///                For edge-source circuits it equals 004's projector gradient (projector_gradient).
///   coupled      Coupled Learning (000 App. D, 003 eqs. 5-10): outputs nudged along the
///                loss gradient and clamped at y - eta dc/dy (per-sample cost, not divided by
///                the batch size; for mse y + eta (t - y)); estimate (1/eta) sum_s [(b.x^C)^2 -
///                (b.x^F)^2] times the loss's scale, so the update -alpha * estimate is 000's
///                (alpha/eta)[(b.x^F)^2 - (b.x^C)^2]. As eta -> 0 it tends to
///                2 sum_s J_s^T S^-1 dc/dy_s (J_s = dy_s/dw, S the output Schur complement, so
///                S^-1 = L_eff, the Kron reduction onto the outputs): twice the gradient of the
///                loss preconditioned by L_eff, parallel to it for a single output. Error O(eta).
///   equilibrium  Equilibrium Propagation and its generalisation of order k (004 App. B-C):
///                a nudge of strength beta^k, estimate (1/(2 beta^k)) sum_s [(b.x^b)^2 -
///                (b.x^F)^2]. nudge "force": x^b = x^F - beta^k Lambda dc/dy (the linearised nudge,
///                any loss); nudge "energy": x^b minimises E + beta^k C exactly (mse only). Error
///                O(beta^k).
///   two_phase    004 Alg. 1: the error eps = beta dc/dy re-injected as series sources on the
///                output edges; estimate of dC/dr = (1/(2 beta)) sum_s (i_C^2 - i_F^2), returned
///                in conductance space as -(that)/k^2. Its beta -> 0 limit is 004 eq. (16)
///                (tested), which differs from the exact gradient (docs/learning.md).

#include <plnet/learning/loss.hpp>
#include <plnet/learning/responses.hpp>

#include <string>
#include <vector>

namespace plnet::learning {

enum class RuleKind { kExact, kCoupled, kEquilibrium, kTwoPhase };
enum class NudgeKind { kForce, kEnergy };

struct RuleOptions {
  RuleKind kind = RuleKind::kCoupled;
  double nudge = 1e-2;  ///< eta (coupled) or beta (equilibrium, two_phase); > 0
  int order = 1;        ///< GEP order k (equilibrium): nudge beta^k, estimate / beta^k
  NudgeKind nudge_kind = NudgeKind::kForce;
  void validate(const Loss& loss) const;
};

/// "exact", "coupled" (also "cl"), "equilibrium" (also "ep", "gep"), "two_phase"; throws
/// listing the known names.
RuleKind rule_kind_from_string(const std::string& name);
std::string to_string(RuleKind kind);
NudgeKind nudge_kind_from_string(const std::string& name);

/// A batch: inputs (samples x n_in), targets (samples x n_out; NaN = unconstrained), labels
/// (one per sample for classification losses, else empty).
struct Batch {
  Matrix inputs;
  Matrix targets;
  std::vector<Index> labels;
  Index size() const { return inputs.rows(); }
};

/// Coupled Learning's clamp shift for one sample, x_T^C - x_T^F = -eta dc/dy (n_out): the
/// per-sample cost's gradient, unscaled by the batch reduction. For mse it is computed as
/// eta (t - y) (000 App. D). Entries on unconstrained (NaN-target) outputs are 0: those
/// outputs stay free.
Vector coupled_clamp_shift(const Loss& loss, const Vector& y, const Vector& target, Index label,
                           double eta);

/// Batch cost C (with the loss's reduction) at the responses' current parameters.
double batch_cost(const Responses& responses, const Batch& batch, const Loss& loss);

/// The rule's estimate of dC/dw for the batch, from the current responses. Cost independent of
/// the batch size apart from forming the outputs and the small moment matrices.
Vector gradient_estimate(const Responses& responses, const Batch& batch, const Loss& loss,
                         const RuleOptions& rule);

/// 004's projector gradient dC/dr = sum_s diag(i_s) (I - Omega^T) P_o^T dc/dy_s for a circuit
/// whose inputs are edge sources and whose outputs are edge drops (forms Omega densely: small
/// circuits and tests only). Returned in resistance space.
Vector projector_gradient(const graph::Network& net, const Vector& w, const Task& task,
                          const Batch& batch, const Loss& loss);

}  // namespace plnet::learning
