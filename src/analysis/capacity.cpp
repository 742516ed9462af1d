#include <plnet/analysis/capacity.hpp>
#include <plnet/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace plnet::analysis {

void CapacityOptions::validate() const {
  require(min_tasks >= 1, "CapacityOptions", "min_tasks must be >= 1 (got ", min_tasks, ")");
  require(max_tasks >= min_tasks, "CapacityOptions", "max_tasks must be >= min_tasks = ", min_tasks,
          " (got ", max_tasks, ")");
  require(realisations >= 1, "CapacityOptions", "realisations must be >= 1 (got ", realisations,
          ")");
  require(error_threshold > 0.0, "CapacityOptions", "error_threshold must be > 0 (got ",
          error_threshold, ")");
}

Quartiles quartiles(const Vector& x) {
  require(x.size() >= 1, "quartiles", "x must not be empty");
  std::vector<double> v(x.data(), x.data() + x.size());
  for (double value : v) require(!std::isnan(value), "quartiles", "x contains NaN");
  std::sort(v.begin(), v.end());
  auto at = [&](double p) {
    const double h = p * static_cast<double>(v.size() - 1);
    const auto k = static_cast<std::size_t>(std::floor(h));
    if (k + 1 >= v.size()) return v.back();
    // Exact order statistics (and equal neighbours) without arithmetic: keeps +inf entries
    // (trials whose network lost stability) from turning into 0 * inf = NaN.
    if (h == static_cast<double>(k) || v[k] == v[k + 1]) return v[k];
    return v[k] + (h - static_cast<double>(k)) * (v[k + 1] - v[k]);
  };
  return {at(0.25), at(0.5), at(0.75)};
}

CapacitySweep summarise_capacity(const CapacityOptions& options,
                                 const std::vector<CapacityTrial>& trials) {
  options.validate();
  const Index rows = options.max_tasks - options.min_tasks + 1;
  const Index r = options.realisations;
  require(static_cast<Index>(trials.size()) == rows * r, "summarise_capacity",
          "trials must hold (max_tasks - min_tasks + 1) x realisations = ", rows * r,
          " entries (got ", trials.size(), ")");
  CapacitySweep sweep;
  sweep.options = options;
  auto fill = [&](Matrix& m, double CapacityTrial::*field) {
    m.resize(rows, r);
    for (Index k = 0; k < rows * r; ++k)
      m(k / r, k % r) = trials[static_cast<std::size_t>(k)].*field;
  };
  fill(sweep.error, &CapacityTrial::error);
  fill(sweep.effective_conductance, &CapacityTrial::effective_conductance);
  fill(sweep.effective_dimension, &CapacityTrial::effective_dimension);
  fill(sweep.initial_effective_conductance, &CapacityTrial::initial_effective_conductance);
  fill(sweep.initial_effective_dimension, &CapacityTrial::initial_effective_dimension);
  for (Index k = 0; k < rows; ++k) {
    CapacityPoint p;
    p.tasks = options.min_tasks + k;
    Index successes = 0;
    for (Index i = 0; i < r; ++i)
      if (sweep.error(k, i) <= options.error_threshold) ++successes;
    p.success_fraction = static_cast<double>(successes) / static_cast<double>(r);
    p.error = quartiles(sweep.error.row(k).transpose());
    p.effective_conductance = quartiles(sweep.effective_conductance.row(k).transpose());
    p.effective_dimension = quartiles(sweep.effective_dimension.row(k).transpose());
    p.initial_effective_conductance =
        quartiles(sweep.initial_effective_conductance.row(k).transpose());
    p.initial_effective_dimension = quartiles(sweep.initial_effective_dimension.row(k).transpose());
    sweep.points.push_back(p);
  }
  return sweep;
}

Index capacity(const CapacitySweep& sweep, double min_fraction) {
  require(min_fraction > 0.0 && min_fraction <= 1.0, "capacity",
          "min_fraction must be in (0, 1] (got ", min_fraction, ")");
  Index result = sweep.options.min_tasks - 1;
  for (const CapacityPoint& p : sweep.points) {
    if (p.success_fraction < min_fraction) break;
    result = p.tasks;
  }
  return result;
}

}  // namespace plnet::analysis
