#pragma once
/// Intrinsic-dimension estimators of a point cloud, used on sampled physical responses
/// (003 App. C, Fig. 8: responses K^-1 F to 500 normalised random forces, effective.hpp).
/// Points are the COLUMNS of a D x N matrix (one response per column, as returned by
/// random_force_responses). Distances are Euclidean, by brute force (O(N^2 D)): N up to a few
/// thousand. Duplicate points (a zero nearest-neighbour distance) are rejected.
///
///   TwoNN (Facco, d'Errico, Rodriguez, Laio 2017): mu_i = r_2(i) / r_1(i) is Pareto
///     distributed, F(mu) = 1 - mu^-d. `dimension` is their estimator: the slope through the
///     origin of -log(1 - F_emp(mu)) against log mu, F_emp(mu_(i)) = i / N, after discarding
///     the largest `discard_fraction` of the mu (default 10%). `maximum_likelihood` is
///     (N - 1) / sum log mu_i (the unbiased Pareto MLE).
///   Levina-Bickel MLE (2004) with k neighbours: m_k(x) = [1/(k-1) sum_{j<k} log(T_k/T_j)]^-1
///     (their eq. 8). Its mean over points is biased up by (k-1)/(k-2) (9/8 at k = 10), so
///     `dimension` averages the unbiased per-point form (k-2) / sum_{j<k} log(T_k/T_j), and
///     `inverse_averaged` = 1 / mean of 1/m_k(x) (MacKay & Ghahramani's correction).
///   Correlation dimension (Grassberger & Procaccia 1983): C(r) = fraction of pairs closer
///     than r; the least-squares slope of log C against log r over `radii` log-spaced radii
///     between the `low_quantile` and `high_quantile` of the pair distances.

#include <plnet/core/types.hpp>

namespace plnet::analysis {

struct TwoNNEstimate {
  double dimension = 0.0;           ///< Facco et al.'s linear fit
  double maximum_likelihood = 0.0;  ///< (N - 1) / sum log mu
  Index points_used = 0;            ///< points in the fit after discarding
};

/// Requires N >= 3 points.
TwoNNEstimate twonn_dimension(const Matrix& points, double discard_fraction = 0.1);

struct LevinaBickelEstimate {
  double dimension = 0.0;         ///< mean of the unbiased per-point estimates
  double inverse_averaged = 0.0;  ///< 1 / mean(1 / m_k(x))
};

/// Requires 3 <= k < N.
LevinaBickelEstimate levina_bickel_dimension(const Matrix& points, Index k = 10);

struct CorrelationDimensionOptions {
  double low_quantile = 0.001;  ///< smallest radius: this quantile of the pair distances
  double high_quantile = 0.05;  ///< largest radius
  Index radii = 16;             ///< log-spaced radii in the fit (>= 2)
  void validate() const;
};

struct CorrelationDimensionEstimate {
  double dimension = 0.0;  ///< slope of log C(r) vs log r
  Vector radii;            ///< the radii used
  Vector correlation_sum;  ///< C(r) at those radii
};

CorrelationDimensionEstimate correlation_dimension(const Matrix& points,
                                                   const CorrelationDimensionOptions& options = {});

}  // namespace plnet::analysis
