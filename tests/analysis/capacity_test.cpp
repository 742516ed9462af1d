// Capacity sweeps (003 Fig. 6): per-n_T summaries against a brute-force loop, determinism over
// thread counts, quartiles against numpy's values, and the capacity of a problem whose capacity
// is known in closed form.
#include <plnet/analysis/capacity.hpp>

#include <gtest/gtest.h>
#include <Eigen/QR>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

namespace {

using plnet::Index;
using plnet::Matrix;
using plnet::Vector;
namespace analysis = plnet::analysis;
namespace random = plnet::random;

constexpr Index kUnknowns = 4;

// A learning problem with capacity exactly kUnknowns: fit n_T random linear equations
// a_r . w = b_r (entries N(0, 1)) with w in R^4 by least squares. Up to 4 equations are solved
// exactly (residual at round-off); with 5 or more the generic residual is O(1). The two other
// fields are |w| and the residual's dimension-like ratio, deterministic functions of the seed.
analysis::CapacityTrial least_squares_trial(Index tasks, std::uint64_t seed) {
  random::Engine engine(seed);
  Matrix a(tasks, kUnknowns);
  Vector b(tasks);
  for (Index r = 0; r < tasks; ++r) {
    for (Index j = 0; j < kUnknowns; ++j) a(r, j) = random::normal(engine);
    b(r) = random::normal(engine);
  }
  const Vector w = a.completeOrthogonalDecomposition().solve(b);
  const Vector residual = a * w - b;
  analysis::CapacityTrial t;
  t.error = 0.5 * residual.squaredNorm() / static_cast<double>(tasks);
  t.effective_conductance = w.norm();
  t.effective_dimension = w.lpNorm<1>() / (1.0 + w.norm());
  t.initial_effective_conductance = b.norm();
  t.initial_effective_dimension = a.norm();
  return t;
}

analysis::CapacityOptions options(int threads) {
  analysis::CapacityOptions o;
  o.min_tasks = 2;
  o.max_tasks = 8;
  o.realisations = 5;  // odd: the type-7 quartiles are the order statistics 1, 2, 3 (0-based)
  o.error_threshold = 1e-20;  // round-off residuals are ~1e-31; generic ones O(1e-2..1)
  o.seed = 42;
  o.threads = threads;
  return o;
}

TEST(Capacity, QuartilesMatchNumpy) {
  // numpy.percentile([4, 1, 3, 2], [25, 50, 75]) = [1.75, 2.5, 3.25] (linear interpolation).
  const analysis::Quartiles q = analysis::quartiles((Vector(4) << 4.0, 1.0, 3.0, 2.0).finished());
  EXPECT_DOUBLE_EQ(q.lower, 1.75);
  EXPECT_DOUBLE_EQ(q.median, 2.5);
  EXPECT_DOUBLE_EQ(q.upper, 3.25);
  const analysis::Quartiles one = analysis::quartiles(Vector::Constant(1, 7.0));
  EXPECT_EQ(one.lower, 7.0);
  EXPECT_EQ(one.upper, 7.0);
  EXPECT_THROW(analysis::quartiles(Vector(0)), std::invalid_argument);
  // +inf entries: numpy.percentile([1, 2, 3, 4, inf], [25, 50, 75]) = [2, 3, 4].
  const double inf = std::numeric_limits<double>::infinity();
  const analysis::Quartiles q_inf =
      analysis::quartiles((Vector(5) << inf, 1.0, 3.0, 2.0, 4.0).finished());
  EXPECT_EQ(q_inf.lower, 2.0);
  EXPECT_EQ(q_inf.median, 3.0);
  EXPECT_EQ(q_inf.upper, 4.0);
  const analysis::Quartiles all_inf = analysis::quartiles(Vector::Constant(4, inf));
  EXPECT_EQ(all_inf.median, inf);
}

TEST(Capacity, SweepMatchesBruteForceLoop) {
  const analysis::CapacityOptions o = options(1);
  const analysis::CapacitySweep sweep = analysis::capacity_sweep(o, least_squares_trial);
  ASSERT_EQ(sweep.points.size(), 7u);
  for (Index n = o.min_tasks; n <= o.max_tasks; ++n) {
    std::vector<double> errors, conductances, dimensions, initial;
    Index ok = 0;
    for (Index i = 0; i < o.realisations; ++i) {
      const std::uint64_t seed =
          random::derive_seed(random::derive_seed(o.seed, static_cast<std::uint64_t>(n)),
                              static_cast<std::uint64_t>(i));
      const analysis::CapacityTrial t = least_squares_trial(n, seed);
      errors.push_back(t.error);
      conductances.push_back(t.effective_conductance);
      dimensions.push_back(t.effective_dimension);
      initial.push_back(t.initial_effective_conductance);
      if (t.error <= o.error_threshold) ++ok;
      // Stored by (n_T, realisation), bit for bit (same arithmetic, same seed).
      EXPECT_EQ(sweep.error(n - o.min_tasks, i), t.error);
      EXPECT_EQ(sweep.effective_conductance(n - o.min_tasks, i), t.effective_conductance);
    }
    for (auto* v : {&errors, &conductances, &dimensions, &initial}) std::sort(v->begin(), v->end());
    const analysis::CapacityPoint& p = sweep.points[static_cast<std::size_t>(n - o.min_tasks)];
    EXPECT_EQ(p.tasks, n);
    EXPECT_EQ(p.success_fraction, static_cast<double>(ok) / 5.0);
    // Five values: quartiles are sorted[1], sorted[2], sorted[3] exactly.
    EXPECT_EQ(p.error.lower, errors[1]);
    EXPECT_EQ(p.error.median, errors[2]);
    EXPECT_EQ(p.error.upper, errors[3]);
    EXPECT_EQ(p.effective_conductance.median, conductances[2]);
    EXPECT_EQ(p.effective_dimension.lower, dimensions[1]);
    EXPECT_EQ(p.effective_dimension.upper, dimensions[3]);
    EXPECT_EQ(p.initial_effective_conductance.median, initial[2]);
  }
}

TEST(Capacity, KnownCapacityOfLeastSquares) {
  const analysis::CapacitySweep sweep = analysis::capacity_sweep(options(2), least_squares_trial);
  for (const analysis::CapacityPoint& p : sweep.points)
    EXPECT_EQ(p.success_fraction, p.tasks <= kUnknowns ? 1.0 : 0.0) << "n_T = " << p.tasks;
  EXPECT_EQ(analysis::capacity(sweep, 1.0), kUnknowns);
  EXPECT_EQ(analysis::capacity(sweep, 0.5), kUnknowns);
  EXPECT_THROW(analysis::capacity(sweep, 0.0), std::invalid_argument);
  EXPECT_THROW(analysis::capacity(sweep, 1.5), std::invalid_argument);
}

TEST(Capacity, CapacityNeedsEveryFractionUpToIt) {
  // Fractions 1, 0.4, 1 (a lucky n_T above a failing one does not count), threshold 1e-3.
  analysis::CapacityOptions o;
  o.min_tasks = 3;
  o.max_tasks = 5;
  o.realisations = 5;
  o.error_threshold = 1e-3;
  std::vector<analysis::CapacityTrial> trials(15);  // error 0: success
  for (Index i = 0; i < 3; ++i) trials[5 + static_cast<std::size_t>(i)].error = 1.0;
  const analysis::CapacitySweep s = analysis::summarise_capacity(o, trials);
  EXPECT_DOUBLE_EQ(s.points[1].success_fraction, 0.4);
  EXPECT_EQ(analysis::capacity(s, 0.5), 3);
  EXPECT_EQ(analysis::capacity(s, 0.4), 5);
  for (std::size_t i = 0; i < 5; ++i) trials[i].error = 1.0;
  const analysis::CapacitySweep none = analysis::summarise_capacity(o, trials);
  EXPECT_EQ(analysis::capacity(none, 0.5), 2);  // min_tasks - 1: not even n_T = 3
  trials.pop_back();
  EXPECT_THROW(analysis::summarise_capacity(o, trials), std::invalid_argument);
}

TEST(Capacity, BitIdenticalForAnyThreadCount) {
  const analysis::CapacitySweep one = analysis::capacity_sweep(options(1), least_squares_trial);
  for (int threads : {2, 3, 8}) {
    const analysis::CapacitySweep many =
        analysis::capacity_sweep(options(threads), least_squares_trial);
    EXPECT_EQ(many.error, one.error) << threads;
    EXPECT_EQ(many.effective_conductance, one.effective_conductance) << threads;
    EXPECT_EQ(many.effective_dimension, one.effective_dimension) << threads;
    EXPECT_EQ(many.initial_effective_conductance, one.initial_effective_conductance) << threads;
  }
}

TEST(Capacity, RejectsBadOptions) {
  analysis::CapacityOptions o = options(1);
  o.max_tasks = 1;
  EXPECT_THROW(o.validate(), std::invalid_argument);
  o = options(1);
  o.realisations = 0;
  EXPECT_THROW(o.validate(), std::invalid_argument);
  o = options(1);
  o.error_threshold = 0.0;
  EXPECT_THROW(o.validate(), std::invalid_argument);
}

}  // namespace
