#pragma once
/// The exact cost Hessian d2C/dw_i dw_j of a batch (paper 000 eqs. 7-9, paper 002 eq. 6) and
/// its split into a saturated (Gauss-Newton) part and a dynamic part:
///
///     H = H_sat + H_dyn,
///     H_sat_ij = scale sum_s (dy_s/dw_i)^T (d2c/dy2)_s (dy_s/dw_j)     (002's H_sat, 000's eq. 9)
///     H_dyn_ij = scale sum_s (dc/dy)_s . d2y_s/dw_i dw_j               (002's H_dyn)
///
/// H_dyn vanishes when every sample sits at a stationary point of its cost (dc/dy = 0, e.g. a
/// perfectly trained mse task); then H = H_sat = L : S (susceptibility.hpp).
///
/// Conventions (docs/conventions.md): w are conductances (stiffnesses), H(w) = sum_i w_i b_i b_i^T
/// without 000/002's factor 2, the batch cost carries the loss's reduction (sum or mean).
/// Difference (rank-one) networks only: resistor, flow and spring networks.

#include <plnet/learning/loss.hpp>
#include <plnet/learning/responses.hpp>
#include <plnet/learning/rules.hpp>

namespace plnet::analysis {

struct CostHessian {
  Matrix saturated;  ///< H_sat, M x M, symmetric positive semi-definite for convex c
  Matrix dynamic;    ///< H_dyn, M x M, symmetric
  Matrix total;      ///< H = H_sat + H_dyn
};

/// The exact M x M cost Hessian of `batch` at the responses' current parameters (call
/// responses.update(w) first). Holds, injections, linear constraints and edge-source inputs are
/// all supported. Forms the dense M x M Green's matrix B G B^T (one blocked solve with M
/// right-hand sides), so it is meant for M up to a few thousand.
/// Throws std::invalid_argument for node (non-rank-one) models or a malformed batch.
CostHessian cost_hessian(const learning::Responses& responses, const learning::Batch& batch,
                         const learning::Loss& loss);

/// B G B^T (M x M): entry (i, j) = b_i^T G b_j, where G = T (T^T H T)^-1 T^T is the Green's
/// function with every held dof at 0 and every constraint imposed (the eliminated form).
/// b_i^T G b_j is the drop across edge i per unit current injected across edge j.
Matrix edge_green_matrix(const learning::Responses& responses);

}  // namespace plnet::analysis
