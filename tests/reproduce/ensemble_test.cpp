// Ensembles: one seed per realisation, results by index, bit-identical for any thread count.
#include <plnet/reproduce/ensemble.hpp>

#include <gtest/gtest.h>
#include <Eigen/Cholesky>

#include <set>
#include <stdexcept>

namespace {

using plnet::Index;
using plnet::Vector;
namespace random = plnet::random;

// A realisation with real floating-point work whose result depends on every draw: a sum of
// normals and a dense solve on a random SPD matrix.
Vector realisation(Index i, std::uint64_t seed) {
  random::Engine engine(seed);
  const Index n = 8 + i % 5;  // realisations of unequal cost
  plnet::Matrix a(n, n);
  for (Index k = 0; k < a.size(); ++k) a.data()[k] = random::normal(engine);
  const plnet::Matrix spd = a * a.transpose() + plnet::Matrix::Identity(n, n);
  Vector b(n);
  for (Index k = 0; k < n; ++k) b(k) = random::uniform(engine);
  return spd.llt().solve(b);
}

TEST(Ensemble, SeedsAreDerivedFromBaseAndIndex) {
  const auto seeds =
      plnet::reproduce::run_ensemble(50, 7, 3, [](Index, std::uint64_t seed) { return seed; });
  std::set<std::uint64_t> distinct;
  for (Index i = 0; i < 50; ++i) {
    EXPECT_EQ(seeds[static_cast<std::size_t>(i)],
              random::derive_seed(7, static_cast<std::uint64_t>(i)));
    EXPECT_LT(seeds[static_cast<std::size_t>(i)], std::uint64_t{1} << 62U);  // fits a TOML integer
    distinct.insert(seeds[static_cast<std::size_t>(i)]);
  }
  EXPECT_EQ(distinct.size(), 50U);
  EXPECT_NE(random::derive_seed(8, 0), random::derive_seed(7, 0));
  EXPECT_NE(random::derive_seed(7, 1), random::derive_seed(8, 0));
}

TEST(Ensemble, BitIdenticalForAnyThreadCount) {
  // Reference: a plain sequential loop, independent of the helper.
  std::vector<Vector> reference;
  for (Index i = 0; i < 40; ++i)
    reference.push_back(realisation(i, random::derive_seed(11, static_cast<std::uint64_t>(i))));
  for (int threads : {1, 2, 3, 8}) {
    const auto results = plnet::reproduce::run_ensemble(40, 11, threads, realisation);
    ASSERT_EQ(results.size(), reference.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      ASSERT_EQ(results[i].size(), reference[i].size());
      for (Index k = 0; k < results[i].size(); ++k)
        EXPECT_EQ(results[i](k), reference[i](k)) << "threads " << threads << " item " << i;
    }
  }
}

TEST(Ensemble, RethrowsTheFailureAndHandlesEmpty) {
  EXPECT_TRUE(plnet::reproduce::run_ensemble(0, 1, 4, realisation).empty());
  EXPECT_THROW(plnet::reproduce::run_ensemble(10, 1, 2,
                                              [](Index i, std::uint64_t) -> double {
                                                if (i == 6) throw std::invalid_argument("six");
                                                return 1.0;
                                              }),
               std::invalid_argument);
  EXPECT_THROW(plnet::reproduce::run_ensemble(-1, 1, 1, realisation), std::invalid_argument);
}

}  // namespace
