#pragma once
/// Paper 002 ("Physical networks become what they learn"): the constraint gradient g_i, its
/// expansion over physical modes and one-soft-mode approximation, the lambda^-4 relation
/// between the stiff cost eigenvalue and the soft physical eigenvalue (002 eqs. 8-15), and the
/// normalised double-dot product A:B of 002 Fig. 2.
///
/// Convention (docs/conventions.md): plnet's H = L is half of 002's H = 2 L, and 002's
/// V^F = H^-1 I is half of the physical voltage L^-1 I. In plnet's units, for one sample with
/// reduced force r = T^T (F - H t), offset t and readout y = p . x (c = y - y*, 002 eq. 4):
///     g_i = dc/dw_i = -(b_i . G p)(b_i . x - s_i)                              (002 eq. 8)
/// with G = T H_r^-1 T^T; 002's eq. (8) carries -2 (1/2)(1/2) = -1/2 of the same product
/// because of its halved V. In the modes (lambda_mu, v_mu) of the reduced Hessian H_r,
/// i_mu = v_mu . r, o_mu = v_mu . T^T p, d_i,mu = (T^T b_i) . v_mu (the drop of edge i in mode mu):
///     g_i = -(sum_nu o_nu d_i,nu / lambda_nu)(sum_mu i_mu d_i,mu / lambda_mu + b_i . t - s_i)
///                                                                                 (002 eq. 12)
///     g_i^approx = -(i_1 o_1 / lambda_1^2) d_i,1^2                               (002 eq. 13)
/// (the one-mode form drops b_i . t - s_i, non-zero only on edges at a held source or carrying
/// an edge source: 002 drives by currents, where it vanishes). For one constraint H_sat = g g^T
/// (eq. 9), whose one non-zero eigenvalue is
///     lambda^L_1 = sum_i g_i^2 ~ (i_1 o_1)^2 / lambda_1^4 sum_i d_i,1^4              (eq. 15)
/// (002 writes 4 sum g_i^2 with its factor-2 Hessian).

#include <plnet/learning/responses.hpp>

namespace plnet::analysis {

/// g_i = dy_o/dw_i for every edge (length M) for one sample `input` (length n_in) and readout
/// `output`, from the responses' one factorisation: g = -DL_o .* (DX a), a = [input; 1].
/// Difference networks only.
Vector constraint_gradient(const learning::Responses& responses, const Vector& input, Index output);

/// The pieces of 002 eq. (12) for one sample and readout in a set of reduced modes.
struct ModeExpansion {
  Vector eigenvalues;         ///< lambda_mu (length n), as given
  Vector input_projections;   ///< i_mu = v_mu . r
  Vector output_projections;  ///< o_mu = v_mu . T^T p
  Matrix mode_drops;          ///< M x n: d_i,mu = (T^T b_i) . v_mu
  Vector offset_drops;        ///< M: b_i . t - s_i (held values and edge sources)
};

/// Expansion in the given reduced modes (values length n, modes n_free x n orthonormal
/// columns: e.g. analysis::physical_spectrum's reduced_values/reduced_modes, or
/// lowest_physical_modes for large networks). Uses the responses' parameters.
ModeExpansion mode_expansion(const learning::Responses& responses, const Vector& input,
                             Index output, const Vector& values, const Matrix& modes);

/// 002 eq. (12) truncated to the first n modes of the expansion (n = all: exactly g).
Vector gradient_from_modes(const ModeExpansion& expansion, Index n);
/// 002 eq. (13): -(i_1 o_1 / lambda_1^2) d_i,1^2 with mode 0 of the expansion.
Vector gradient_one_mode(const ModeExpansion& expansion);
/// 002 eq. (15): (i_1 o_1)^2 / lambda_1^4 sum_i d_i,1^4, the one-soft-mode estimate of the
/// stiff cost eigenvalue ||g||^2.
double stiff_eigenvalue_one_mode(const ModeExpansion& expansion);

/// A:B = sum_ij A_ij B_ij / (||A||_F ||B||_F) (002 Fig. 2: H_sat:H), in [-1, 1]. Same shapes,
/// neither all zero.
double normalized_double_dot(const Matrix& a, const Matrix& b);

/// |cos| of the angle between two vectors (e.g. g and the stiffest cost mode, 002 Fig. 2).
double alignment(const Vector& a, const Vector& b);

}  // namespace plnet::analysis
