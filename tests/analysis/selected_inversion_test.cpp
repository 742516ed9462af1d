// Selected inversion in dual numbers (selected_inversion.hpp) against dense inverses, and the
// all-edge norms it gives against the dense bordered LU and the blocked solves.
#include <plnet/analysis/selected_inversion.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/analysis/susceptibility_scale.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "support/reference.hpp"

namespace plnet::analysis {
namespace {

double rel(const Matrix& a, const Matrix& b) {
  return (a - b).norm() / b.norm();
}

TEST(AnalysisSelectedInversion, EntriesOfTheInverseAndItsSquareOnThePattern) {
  std::mt19937_64 rng(3);
  const graph::Network net = testing::random_connected_network(60, 90, 1.0, rng);
  const auto model = physics::resistor_model(net);
  physics::BoundaryConditions bc;
  bc.hold(0, 0.0);
  physics::ReducedSystem reduced(model, bc);
  reduced.assemble(net.conductances());
  const SparseMatrix& a = reduced.matrix();
  const SelectedInverse s(a);
  const Matrix inv = Matrix(a).inverse();
  const Matrix inv2 = inv * inv;
  // Every stored entry of A is on the factor's pattern. Dense inverse vs LDL^T + Takahashi:
  // condition ~1e4 (two decades of conductances): 1e-10 relative to the largest entry.
  const double scale = inv.cwiseAbs().maxCoeff(), scale2 = inv2.cwiseAbs().maxCoeff();
  for (int c = 0; c < a.outerSize(); ++c)
    for (SparseMatrix::InnerIterator it(a, c); it; ++it) {
      EXPECT_NEAR(s.inverse(it.row(), c), inv(it.row(), c), 1e-10 * scale);
      EXPECT_NEAR(s.inverse_squared(it.row(), c), inv2(it.row(), c), 1e-10 * scale2);
    }
  EXPECT_GE(s.factor_nonzeros(), (a.nonZeros() - a.rows()) / 2);
}

TEST(AnalysisSelectedInversion, NormsEqualTheDenseAndBlockedNorms) {
  // Ground, a source and an imposed difference (an eliminated slave dof); and a pinned spring
  // lattice (vector dofs).
  std::mt19937_64 rng(4);
  const graph::Network net = testing::random_connected_network(40, 60, 1.0, rng);
  const auto model = physics::resistor_model(net);
  physics::BoundaryConditions bc;
  bc.hold(0, 0.0).hold(3, 1.0).impose_difference(7, 11, 0.5);
  BorderedInverse inverse(model, bc);
  inverse.update(net.conductances());
  const Vector selected = susceptibility_norms_selected(inverse);
  EXPECT_LT(rel(selected, susceptibility_norms(model, net.conductances(), bc)), 1e-10);
  EXPECT_LT(rel(selected, susceptibility_norms(inverse, 64)), 1e-10);

  std::vector<graph::Edge> edges;
  Matrix pos(12, 2);
  for (Index r = 0; r < 3; ++r)
    for (Index col = 0; col < 4; ++col) {
      pos.row(r * 4 + col) << static_cast<double>(col) + 0.4 * static_cast<double>(r),
          0.8 * static_cast<double>(r);
      if (col + 1 < 4) edges.push_back({r * 4 + col, r * 4 + col + 1});
      if (r + 1 < 3) edges.push_back({r * 4 + col, (r + 1) * 4 + col});
      if (col + 1 < 4 && r + 1 < 3) edges.push_back({r * 4 + col, (r + 1) * 4 + col + 1});
    }
  const auto ne = static_cast<Index>(edges.size());
  const graph::Network springs(12, edges, Vector::LinSpaced(ne, 0.5, 2.0), pos);
  const auto spring_model = physics::spring_model(springs);
  physics::BoundaryConditions pins;
  physics::hold_node(spring_model, pins, 0);
  physics::hold_node(spring_model, pins, 3);
  BorderedInverse spring_inverse(spring_model, pins);
  spring_inverse.update(springs.conductances());
  EXPECT_LT(rel(susceptibility_norms_selected(spring_inverse),
                susceptibility_norms(spring_model, springs.conductances(), pins)),
            1e-10);
}

TEST(AnalysisSelectedInversion, BadInput) {
  SparseMatrix indefinite(2, 2);
  indefinite.insert(0, 0) = 1.0;
  indefinite.insert(1, 1) = -1.0;
  EXPECT_THROW(SelectedInverse{indefinite}, std::invalid_argument);
  SparseMatrix diag(3, 3);
  for (int i = 0; i < 3; ++i) diag.insert(i, i) = 2.0;
  const SelectedInverse s(diag);
  EXPECT_DOUBLE_EQ(s.inverse(1, 1), 0.5);
  EXPECT_DOUBLE_EQ(s.inverse_squared(1, 1), 0.25);
  EXPECT_THROW(s.inverse(0, 2), std::invalid_argument);  // not on the pattern
}

}  // namespace
}  // namespace plnet::analysis
