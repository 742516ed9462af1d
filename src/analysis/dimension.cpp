#include <plnet/analysis/dimension.hpp>
#include <plnet/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace plnet::analysis {
namespace {

/// Squared pair distances (N x N) from the Gram matrix, clamped at 0 against round-off.
Matrix squared_distances(const Matrix& points, const std::string& where) {
  require(points.allFinite(), where, "points have a non-finite entry");
  const Vector norms = points.colwise().squaredNorm().transpose();
  Matrix d2 = -2.0 * points.transpose() * points;
  d2.colwise() += norms;
  d2.rowwise() += norms.transpose();
  d2 = d2.cwiseMax(0.0);
  d2.diagonal().setZero();
  return d2;
}

/// The k smallest distances from point i to the others, ascending.
std::vector<double> nearest(const Matrix& d2, Index i, Index k, std::vector<double>& work) {
  work.clear();
  for (Index j = 0; j < d2.rows(); ++j)
    if (j != i) work.push_back(d2(j, i));
  std::partial_sort(work.begin(), work.begin() + k, work.end());
  std::vector<double> out(static_cast<std::size_t>(k));
  for (Index j = 0; j < k; ++j)
    out[static_cast<std::size_t>(j)] = std::sqrt(work[static_cast<std::size_t>(j)]);
  return out;
}

}  // namespace

TwoNNEstimate twonn_dimension(const Matrix& points, double discard_fraction) {
  const std::string where = "twonn_dimension";
  const Index n = points.cols();
  require(n >= 3, where, "need at least 3 points (got ", n, ")");
  require(discard_fraction >= 0.0 && discard_fraction < 1.0, where,
          "discard_fraction must be in [0, 1) (got ", discard_fraction, ")");
  const Matrix d2 = squared_distances(points, where);
  std::vector<double> work, mu(static_cast<std::size_t>(n));
  double log_sum = 0.0;
  for (Index i = 0; i < n; ++i) {
    const std::vector<double> r = nearest(d2, i, 2, work);
    require(r[0] > 0.0, where, "point ", i, " has a duplicate (zero nearest distance)");
    mu[static_cast<std::size_t>(i)] = r[1] / r[0];
    log_sum += std::log(r[1] / r[0]);
  }
  std::sort(mu.begin(), mu.end());
  const auto used =
      static_cast<Index>(std::floor(static_cast<double>(n) * (1.0 - discard_fraction)));
  double sxy = 0.0, sxx = 0.0;
  for (Index i = 0; i < used; ++i) {
    // F_emp(mu_(i)) = (i + 1) / N; the last point (F = 1) is always excluded since used < n
    // or, with no discard, skipped here to keep log(1 - F) finite.
    if (i + 1 >= n) break;
    const double x = std::log(mu[static_cast<std::size_t>(i)]);
    const double y = -std::log(1.0 - static_cast<double>(i + 1) / static_cast<double>(n));
    sxy += x * y;
    sxx += x * x;
  }
  require(sxx > 0.0, where, "every ratio r2/r1 is 1 (points on a regular lattice)");
  TwoNNEstimate out;
  out.dimension = sxy / sxx;
  out.maximum_likelihood = static_cast<double>(n - 1) / log_sum;
  out.points_used = std::min(used, n - 1);
  return out;
}

LevinaBickelEstimate levina_bickel_dimension(const Matrix& points, Index k) {
  const std::string where = "levina_bickel_dimension";
  const Index n = points.cols();
  require(k >= 3 && k < n, where, "need 3 <= k < number of points (got k = ", k, ", ", n,
          " points)");
  const Matrix d2 = squared_distances(points, where);
  std::vector<double> work;
  double sum = 0.0, sum_inverse = 0.0;
  for (Index i = 0; i < n; ++i) {
    const std::vector<double> t = nearest(d2, i, k, work);
    require(t[0] > 0.0, where, "point ", i, " has a duplicate (zero nearest distance)");
    double s = 0.0;
    for (Index j = 0; j + 1 < k; ++j)
      s += std::log(t[static_cast<std::size_t>(k - 1)] / t[static_cast<std::size_t>(j)]);
    require(s > 0.0, where, "point ", i, " has ", k, " equidistant neighbours");
    // s / (k - 1) is 1 / m_k(x) (Levina-Bickel eq. 8); its mean is unbiased for 1/d, while the
    // mean of the inverses needs (k - 2) / s, because E[(k - 1)/s] = d (k - 1)/(k - 2).
    sum += static_cast<double>(k - 2) / s;
    sum_inverse += s / static_cast<double>(k - 1);
  }
  LevinaBickelEstimate out;
  out.dimension = sum / static_cast<double>(n);
  out.inverse_averaged = static_cast<double>(n) / sum_inverse;
  return out;
}

void CorrelationDimensionOptions::validate() const {
  const std::string where = "CorrelationDimensionOptions";
  require(low_quantile > 0.0 && low_quantile < high_quantile && high_quantile <= 1.0, where,
          "need 0 < low_quantile < high_quantile <= 1 (got ", low_quantile, ", ", high_quantile,
          ")");
  require(radii >= 2, where, "radii must be >= 2 (got ", radii, ")");
}

CorrelationDimensionEstimate correlation_dimension(const Matrix& points,
                                                   const CorrelationDimensionOptions& options) {
  const std::string where = "correlation_dimension";
  options.validate();
  const Index n = points.cols();
  require(n >= 3, where, "need at least 3 points (got ", n, ")");
  const Matrix d2 = squared_distances(points, where);
  std::vector<double> pairs;
  pairs.reserve(static_cast<std::size_t>(n * (n - 1) / 2));
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < j; ++i) pairs.push_back(std::sqrt(d2(i, j)));
  std::sort(pairs.begin(), pairs.end());
  const auto quantile = [&](double q) {
    const auto idx = static_cast<std::size_t>(q * static_cast<double>(pairs.size() - 1));
    return pairs[idx];
  };
  const double r0 = quantile(options.low_quantile);
  const double r1 = quantile(options.high_quantile);
  require(r0 > 0.0 && r1 > r0, where, "the radius range is empty (", r0, " .. ", r1,
          "): too many coincident points");
  CorrelationDimensionEstimate out;
  out.radii.resize(options.radii);
  out.correlation_sum.resize(options.radii);
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (Index m = 0; m < options.radii; ++m) {
    const double t = static_cast<double>(m) / static_cast<double>(options.radii - 1);
    const double r = r0 * std::pow(r1 / r0, t);
    const auto below = std::lower_bound(pairs.begin(), pairs.end(), r) - pairs.begin();
    const double c = static_cast<double>(below) / static_cast<double>(pairs.size());
    out.radii[m] = r;
    out.correlation_sum[m] = c;
    require(c > 0.0, where, "no pair closer than r = ", r);
    const double x = std::log(r), y = std::log(c);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double mm = static_cast<double>(options.radii);
  out.dimension = (mm * sxy - sx * sy) / (mm * sxx - sx * sx);
  return out;
}

}  // namespace plnet::analysis
