#include <plnet/analysis/landscape.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>
#include <plnet/learning/responses.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <limits>

namespace plnet::analysis {

void LandscapeOptions::validate() const {
  require(grid >= 3 && grid % 2 == 1, "LandscapeOptions::grid", "must be odd and >= 3 (got ", grid,
          ")");
  require(std::isfinite(extent) && extent > 0.0, "LandscapeOptions::extent",
          "must be finite and > 0 (got ", extent, ")");
}

Landscape trajectory_landscape(const physics::LinearModel& model, const learning::Task& task,
                               const learning::Batch& batch, const learning::Loss& loss,
                               const std::vector<Vector>& trajectory,
                               const LandscapeOptions& options) {
  const std::string where = "trajectory_landscape";
  options.validate();
  const Index m = model.num_parameters();
  const auto t = static_cast<Index>(trajectory.size());
  require(t >= 2, where, "need at least 2 snapshots (got ", t, ")");
  for (Index s = 0; s < t; ++s)
    require(trajectory[static_cast<std::size_t>(s)].size() == m &&
                trajectory[static_cast<std::size_t>(s)].allFinite(),
            where, "snapshot ", s, " must have ", m, " finite entries");
  Landscape out;
  out.center = options.center == LandscapeCenter::kInitial ? trajectory.front() : trajectory.back();
  Matrix offsets(t, m);
  for (Index s = 0; s < t; ++s)
    offsets.row(s) = (trajectory[static_cast<std::size_t>(s)] - out.center).transpose();
  const Matrix centred = offsets.rowwise() - offsets.colwise().mean();
  const Eigen::BDCSVD<Matrix> svd(centred, Eigen::ComputeThinV);
  const Vector& sv = svd.singularValues();
  require(sv.size() >= 2 || m >= 2, where, "need at least 2 parameters");
  out.directions = Matrix::Zero(m, 2);
  const Index have = std::min<Index>(2, svd.matrixV().cols());
  out.directions.leftCols(have) = svd.matrixV().leftCols(have);
  if (have < 2) {
    // Two snapshots give one direction: complete with any orthonormal vector (Gram-Schmidt on
    // the coordinate axis least aligned with the first direction).
    Index axis = 0;
    out.directions.col(0).cwiseAbs().minCoeff(&axis);
    Vector e = Vector::Unit(m, axis);
    e -= out.directions.col(0).dot(e) * out.directions.col(0);
    out.directions.col(1) = e.normalized();
  }
  for (Index c = 0; c < 2; ++c) {
    Index big = 0;
    out.directions.col(c).cwiseAbs().maxCoeff(&big);
    if (out.directions(big, c) < 0.0) out.directions.col(c) *= -1.0;
  }
  const double total = sv.squaredNorm();
  out.explained_variance = Vector::Zero(2);
  for (Index c = 0; c < std::min<Index>(2, sv.size()); ++c)
    out.explained_variance[c] = total > 0.0 ? sv[c] * sv[c] / total : 0.0;
  out.coordinates = offsets * out.directions;

  const auto axis = [&](Index c) {
    double span = out.coordinates.col(c).cwiseAbs().maxCoeff();
    if (!(span > 0.0)) span = 1.0;
    const double half = options.extent * span;
    Vector a(options.grid);
    const Index mid = options.grid / 2;
    // Symmetric by construction, with an exact 0 at the centre.
    for (Index i = 0; i < options.grid; ++i)
      a[i] = half * static_cast<double>(i - mid) / static_cast<double>(mid);
    return a;
  };
  out.axis1 = axis(0);
  out.axis2 = axis(1);
  out.cost.resize(options.grid, options.grid);
  learning::Responses responses(model, task);
  const bool resistance = options.parametrization == learning::Parametrization::kResistance;
  for (Index i = 0; i < options.grid; ++i) {
    for (Index j = 0; j < options.grid; ++j) {
      const Vector theta =
          out.center + out.axis1[i] * out.directions.col(0) + out.axis2[j] * out.directions.col(1);
      double c = std::numeric_limits<double>::quiet_NaN();
      if ((theta.array() > 0.0).all() && theta.allFinite()) {
        try {
          responses.update(resistance ? Vector(theta.cwiseInverse()) : theta);
          c = learning::batch_cost(responses, batch, loss);
        } catch (const std::invalid_argument&) {
          // A singular network at this grid point: leave NaN.
        }
      }
      out.cost(i, j) = c;
    }
  }
  return out;
}

void NudgeBiasOptions::validate() const {
  require(!betas.empty(), "NudgeBiasOptions::betas", "is empty");
  for (const double b : betas)
    require(std::isfinite(b) && b > 0.0, "NudgeBiasOptions::betas",
            "every beta must be finite and > 0 (got ", b, ")");
  require(std::isfinite(noise_sd) && noise_sd >= 0.0, "NudgeBiasOptions::noise_sd",
          "must be finite and >= 0 (got ", noise_sd, ")");
  require(noise_sd == 0.0 || noise_draws >= 2, "NudgeBiasOptions::noise_draws",
          "must be >= 2 with label noise (got ", noise_draws, ")");
}

NudgeBias two_phase_bias(const physics::LinearModel& model, const learning::Task& task,
                         const learning::Batch& batch, const learning::Loss& loss, const Vector& w,
                         const NudgeBiasOptions& options) {
  const std::string where = "two_phase_bias";
  options.validate();
  require(loss.kind == learning::LossKind::kMse, where, "needs the mse loss (got ",
          learning::to_string(loss.kind), ")");
  learning::Responses responses(model, task);
  responses.update(w);
  const auto estimate = [&](const learning::Batch& b, learning::RuleKind kind, double beta) {
    learning::RuleOptions rule;
    rule.kind = kind;
    rule.nudge = beta;
    return learning::gradient_estimate(responses, b, loss, rule);
  };
  NudgeBias out;
  const auto nb = static_cast<Index>(options.betas.size());
  out.betas = Eigen::Map<const Vector>(options.betas.data(), nb);
  // T is affine in beta: two nudges give the intercept exactly (up to round-off).
  const double b1 = 1.0, b2 = 2.0;
  const Vector t1 = estimate(batch, learning::RuleKind::kTwoPhase, b1);
  const Vector t2 = estimate(batch, learning::RuleKind::kTwoPhase, b2);
  out.limit = (b2 * t1 - b1 * t2) / (b2 - b1);
  out.exact = estimate(batch, learning::RuleKind::kExact, 1.0);
  const double limit_norm = out.limit.norm();
  const double exact_norm = out.exact.norm();
  require(limit_norm > 0.0 && exact_norm > 0.0, where,
          "the gradient is zero at these parameters (a perfectly fitted batch)");
  out.finite_nudge_error.resize(nb);
  out.error_to_exact.resize(nb);
  std::vector<Vector> clean(static_cast<std::size_t>(nb));
  for (Index k = 0; k < nb; ++k) {
    clean[static_cast<std::size_t>(k)] =
        estimate(batch, learning::RuleKind::kTwoPhase, out.betas[k]);
    out.finite_nudge_error[k] =
        (clean[static_cast<std::size_t>(k)] - out.limit).norm() / limit_norm;
    out.error_to_exact[k] = (clean[static_cast<std::size_t>(k)] - out.exact).norm() / exact_norm;
  }
  out.noise_bias = Vector::Zero(nb);
  out.noise_bias_error = Vector::Zero(nb);
  out.predicted_noise_bias = Vector::Zero(nb);
  if (options.noise_sd == 0.0) return out;

  const double var = options.noise_sd * options.noise_sd;
  const Index m = model.num_parameters();
  // Closed form: half the noise variance times the second differences in each target.
  for (Index k = 0; k < nb; ++k) {
    Vector second = Vector::Zero(m);
    learning::Batch shifted = batch;
    for (Index s = 0; s < batch.size(); ++s) {
      for (Index o = 0; o < batch.targets.cols(); ++o) {
        if (std::isnan(batch.targets(s, o))) continue;
        shifted.targets(s, o) = batch.targets(s, o) + 1.0;
        second += estimate(shifted, learning::RuleKind::kTwoPhase, out.betas[k]);
        shifted.targets(s, o) = batch.targets(s, o) - 1.0;
        second += estimate(shifted, learning::RuleKind::kTwoPhase, out.betas[k]);
        shifted.targets(s, o) = batch.targets(s, o);
        second -= 2.0 * clean[static_cast<std::size_t>(k)];
      }
    }
    out.predicted_noise_bias[k] = 0.5 * var * second.norm() / limit_norm;
  }
  // Monte Carlo, with the same noise draws for every beta (common random numbers).
  random::Engine engine(options.seed);
  const Index d = options.noise_draws;
  std::vector<Vector> sum(static_cast<std::size_t>(nb), Vector::Zero(m));
  std::vector<Vector> sum2(static_cast<std::size_t>(nb), Vector::Zero(m));
  Vector esum = Vector::Zero(m), esum2 = Vector::Zero(m);
  learning::Batch noisy = batch;
  for (Index r = 0; r < d; ++r) {
    for (Index s = 0; s < batch.size(); ++s)
      for (Index o = 0; o < batch.targets.cols(); ++o)
        if (!std::isnan(batch.targets(s, o)))
          noisy.targets(s, o) = batch.targets(s, o) + options.noise_sd * random::normal(engine);
    for (Index k = 0; k < nb; ++k) {
      const Vector diff = estimate(noisy, learning::RuleKind::kTwoPhase, out.betas[k]) -
                          clean[static_cast<std::size_t>(k)];
      sum[static_cast<std::size_t>(k)] += diff;
      sum2[static_cast<std::size_t>(k)] += diff.cwiseAbs2();
    }
    const Vector ediff = estimate(noisy, learning::RuleKind::kExact, 1.0) - out.exact;
    esum += ediff;
    esum2 += ediff.cwiseAbs2();
  }
  const double dd = static_cast<double>(d);
  const auto mean_and_error = [&](const Vector& s1, const Vector& s2, double norm) {
    const Vector mean = s1 / dd;
    const Vector var_entry = ((s2 / dd - mean.cwiseAbs2()) * dd / (dd - 1.0)).cwiseMax(0.0);
    return std::pair<double, double>{mean.norm() / norm, std::sqrt(var_entry.sum() / dd) / norm};
  };
  for (Index k = 0; k < nb; ++k) {
    const auto [bias, error] = mean_and_error(sum[static_cast<std::size_t>(k)],
                                              sum2[static_cast<std::size_t>(k)], limit_norm);
    out.noise_bias[k] = bias;
    out.noise_bias_error[k] = error;
  }
  const auto [ebias, eerror] = mean_and_error(esum, esum2, exact_norm);
  out.exact_noise_bias = ebias;
  out.exact_noise_bias_error = eerror;
  return out;
}

}  // namespace plnet::analysis
