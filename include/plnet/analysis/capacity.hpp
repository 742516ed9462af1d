#pragma once
/// Capacity sweeps over the number of simultaneous tasks (003 Sec. V and App. D, Fig. 6):
/// for n_T = min_tasks..max_tasks and realisations i = 0..R-1 a fresh network is trained on n_T
/// fresh tasks by a caller-supplied trial, and the final errors, g_bar and D_eff are collected
/// per n_T as a success fraction, medians and quartiles.
///
/// Seeds: trial (n_T, i) gets capacity_seed(seed, n_T, i) = derive_seed(derive_seed(seed, n_T),
/// i), so a trial does not depend on the range swept, on the thread count or on which thread
/// ran it (run_ensemble over the flat n_T x R grid, results stored by index): the sweep is
/// bit-identical for any `threads`.
///
/// Success: final error <= error_threshold (the error is whatever the trial reports; R12 uses
/// 003 eq. (4), C = (1/2) n_T^-1 sum_r f_r^2, at the final parameters).
///
/// Capacity. 003 (Sec. V, Fig. 6a) defines it as "the threshold above which some of the
/// trained networks are unable to reduce the error to zero on all tasks", i.e. where the
/// success fraction first drops below 1. With a finite number of training steps a single slow
/// realisation moves that threshold, so capacity(sweep, f) takes the required fraction f:
///     capacity(sweep, f) = the largest n_T such that every swept n' <= n_T has success
///                          fraction >= f (min_tasks - 1 if even n_T = min_tasks fails).
/// f = 1 is 003's literal definition; f = 1/2 (the median realisation succeeds) is the robust
/// reading used by R12's check. "Every n' <= n_T" makes a lucky fraction above capacity not
/// count.
///
/// Quartiles: linear interpolation between order statistics (numpy's default, "type 7"):
/// q(p) = x_(k) + (h - k)(x_(k+1) - x_(k)), h = p (R - 1), k = floor(h), x sorted ascending.

#include <plnet/core/random.hpp>
#include <plnet/core/types.hpp>
#include <plnet/reproduce/ensemble.hpp>

#include <cstdint>
#include <vector>

namespace plnet::analysis {

/// What one trained network reports.
struct CapacityTrial {
  double error = 0.0;                          ///< final training error (>= 0)
  double effective_conductance = 0.0;          ///< g_bar after training (003 eq. 28)
  double effective_dimension = 0.0;            ///< D_eff after training (003 eq. 31)
  double initial_effective_conductance = 0.0;  ///< g_bar of the untrained network
  double initial_effective_dimension = 0.0;    ///< D_eff of the untrained network
};

struct CapacityOptions {
  Index min_tasks = 1;
  Index max_tasks = 30;
  Index realisations = 100;
  double error_threshold = 1e-6;  ///< success: error <= error_threshold
  std::uint64_t seed = 1;
  int threads = 0;  ///< 0: hardware concurrency; results do not depend on it
  /// Throws std::invalid_argument naming the field unless 1 <= min_tasks <= max_tasks,
  /// realisations >= 1 and error_threshold > 0.
  void validate() const;
};

struct Quartiles {
  double lower = 0.0;   ///< 25th percentile
  double median = 0.0;  ///< 50th
  double upper = 0.0;   ///< 75th
};

/// Type-7 quartiles of a non-empty vector (NaN rejected; +inf entries allowed).
Quartiles quartiles(const Vector& x);

struct CapacityPoint {
  Index tasks = 0;
  double success_fraction = 0.0;
  Quartiles error, effective_conductance, effective_dimension;
  Quartiles initial_effective_conductance, initial_effective_dimension;
};

struct CapacitySweep {
  CapacityOptions options;
  std::vector<CapacityPoint> points;  ///< one per n_T, increasing
  /// (max_tasks - min_tasks + 1) x realisations: row k is n_T = min_tasks + k.
  Matrix error, effective_conductance, effective_dimension;
  Matrix initial_effective_conductance, initial_effective_dimension;
};

/// The seed of trial (tasks, realisation).
inline std::uint64_t capacity_seed(std::uint64_t seed, Index tasks, Index realisation) {
  return random::derive_seed(random::derive_seed(seed, static_cast<std::uint64_t>(tasks)),
                             static_cast<std::uint64_t>(realisation));
}

/// Per-n_T summaries of the trials (one vector per n_T, realisations in index order).
CapacitySweep summarise_capacity(const CapacityOptions& options,
                                 const std::vector<CapacityTrial>& trials);

/// Runs trial(n_T, seed) -> CapacityTrial for every n_T and realisation (seeds as above) on
/// options.threads threads and summarises. The trial must not touch shared mutable state.
template <typename Trial>
CapacitySweep capacity_sweep(const CapacityOptions& options, Trial&& trial) {
  options.validate();
  const Index rows = options.max_tasks - options.min_tasks + 1;
  const Index r = options.realisations;
  const std::vector<CapacityTrial> all =
      reproduce::run_ensemble(rows * r, options.seed, options.threads, [&](Index k, std::uint64_t) {
        const Index tasks = options.min_tasks + k / r;
        return static_cast<CapacityTrial>(trial(tasks, capacity_seed(options.seed, tasks, k % r)));
      });
  return summarise_capacity(options, all);
}

/// The capacity defined above; throws unless 0 < min_fraction <= 1.
Index capacity(const CapacitySweep& sweep, double min_fraction);

}  // namespace plnet::analysis
