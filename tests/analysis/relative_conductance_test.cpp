// Relative conductance against hand-computed values on a path and a triangle with a pendant,
// and against a brute-force O(E^2) adjacency scan on a random network.
#include <plnet/analysis/relative_conductance.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

#include <cmath>

namespace plnet::analysis {
namespace {

TEST(AnalysisRelativeConductance, PathByHand) {
  const graph::Network net(4, {{0, 1}, {1, 2}, {2, 3}});
  const Vector k = (Vector(3) << 1.0, 2.0, 4.0).finished();
  const Vector r = relative_conductance(net, k);
  EXPECT_DOUBLE_EQ(r[0], 1.0 / 2.0);          // neighbours {e1}
  EXPECT_DOUBLE_EQ(r[1], 2.0 / (5.0 / 2.0));  // neighbours {e0, e2}
  EXPECT_DOUBLE_EQ(r[2], 4.0 / 2.0);          // neighbours {e1}
}

TEST(AnalysisRelativeConductance, TriangleWithPendantAndIsolatedEdge) {
  // Triangle 0-1-2, pendant 2-3, and a separate edge 4-5 with no neighbours.
  const graph::Network net(6, {{0, 1}, {1, 2}, {2, 0}, {2, 3}, {4, 5}});
  const Vector k = (Vector(5) << 1.0, 2.0, 3.0, 6.0, 5.0).finished();
  const Vector r = relative_conductance(net, k);
  EXPECT_DOUBLE_EQ(r[0], 1.0 / ((2.0 + 3.0) / 2.0));
  EXPECT_DOUBLE_EQ(r[1], 2.0 / ((1.0 + 3.0 + 6.0) / 3.0));
  EXPECT_DOUBLE_EQ(r[2], 3.0 / ((1.0 + 2.0 + 6.0) / 3.0));
  EXPECT_DOUBLE_EQ(r[3], 6.0 / ((2.0 + 3.0) / 2.0));
  EXPECT_TRUE(std::isnan(r[4]));
}

TEST(AnalysisRelativeConductance, MatchesBruteForceAdjacency) {
  std::mt19937_64 rng(17);
  const graph::Network net = testing::random_connected_network(40, 60, 6.0, rng);
  const Vector& k = net.conductances();
  const Vector r = relative_conductance(net, k);
  for (Index i = 0; i < net.num_edges(); ++i) {
    double sum = 0.0;
    Index count = 0;
    for (Index j = 0; j < net.num_edges(); ++j) {
      if (j == i) continue;
      const auto& a = net.edge(i);
      const auto& b = net.edge(j);
      if (a.a == b.a || a.a == b.b || a.b == b.a || a.b == b.b) {
        sum += k[j];
        ++count;
      }
    }
    ASSERT_GT(count, 0);
    // Same sums in a different order: a few ulps.
    EXPECT_NEAR(r[i], k[i] / (sum / static_cast<double>(count)), 1e-13 * r[i]);
  }
  EXPECT_THROW(relative_conductance(net, Vector::Ones(3)), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::analysis
