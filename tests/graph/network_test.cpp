// The Network value type's periodic box: validation at construction, minimum-image bond
// vectors, and every derived network keeping the box.
#include <plnet/graph/network.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

namespace plnet::graph {
namespace {

/// The what() of the std::invalid_argument thrown by f ("" when nothing is thrown).
std::string invalid_argument_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

/// Four nodes in a 10 x 4 box: edge 0 inside the box, edge 1 crossing x, edge 2 crossing y,
/// edge 3 crossing both; node 4 is isolated (dropped by largest_component).
Network periodic_square() {
  Matrix pos(5, 2);
  pos << 1.0, 1.0,  //
      2.0, 1.5,     //
      9.5, 1.0,     //
      1.0, 3.5,     //
      5.0, 2.0;
  return Network(5, {{0, 1}, {0, 2}, {0, 3}, {2, 3}}, Vector::LinSpaced(4, 1.0, 4.0), pos,
                 Eigen::Vector2d(10.0, 4.0));
}

TEST(NetworkBox, BondVectorsAreMinimumImages) {
  const Network net = periodic_square();
  ASSERT_TRUE(net.is_periodic());
  // By hand: x_a - x_b, shifted by a box side where |component| > L/2.
  EXPECT_EQ(bond_vector(net, 0), Eigen::Vector2d(-1.0, -0.5));
  EXPECT_EQ(bond_vector(net, 1), Eigen::Vector2d(1.0 - 9.5 + 10.0, 0.0));
  EXPECT_EQ(bond_vector(net, 2), Eigen::Vector2d(0.0, 1.0 - 3.5 + 4.0));
  EXPECT_EQ(bond_vector(net, 3), Eigen::Vector2d(9.5 - 1.0 - 10.0, 1.0 - 3.5 + 4.0));
  // Positions outside the box (several periods away) give the same bond.
  Matrix far = net.positions();
  far.row(2) += Eigen::RowVector2d(-30.0, 8.0);
  const Network moved(5, net.edges(), net.conductances(), far, net.box());
  for (Index i = 0; i < 4; ++i)
    EXPECT_NEAR((bond_vector(moved, i) - bond_vector(net, i)).norm(), 0.0, 1e-13);
}

TEST(NetworkBox, NonPeriodicNetworksUseTheRawDifference) {
  const Network p = periodic_square();
  const Network open(5, p.edges(), p.conductances(), p.positions());
  EXPECT_FALSE(open.is_periodic());
  EXPECT_EQ(open.box().size(), 0);
  EXPECT_EQ(bond_vector(open, 1), Eigen::Vector2d(1.0 - 9.5, 0.0));
  EXPECT_EQ(minimum_image(Eigen::Vector2d(7.0, -7.0), Vector()), Eigen::Vector2d(7.0, -7.0));
}

TEST(NetworkBox, DerivedNetworksKeepTheBox) {
  const Network net = periodic_square();
  EXPECT_EQ(net.with_conductances(Vector::Constant(4, 2.0)).box(), net.box());
  const Network big = largest_component(net);
  ASSERT_EQ(big.num_nodes(), 4);
  EXPECT_EQ(big.box(), net.box());
  for (Index i = 0; i < 4; ++i) EXPECT_EQ(bond_vector(big, i), bond_vector(net, i));
}

TEST(NetworkSourceNodes, LargestComponentRecordsAndComposesTheIndexMap) {
  // Node 4 is isolated: the kept nodes 0..3 keep their order and say where they came from.
  const Network big = largest_component(periodic_square());
  EXPECT_EQ(big.source_nodes(), (std::vector<Index>{0, 1, 2, 3}));
  // A second drop composes with the first: indices are those before any drop.
  const Network earlier =
      Network(5, {{0, 1}, {1, 2}, {3, 4}}).with_source_nodes(std::vector<Index>{2, 5, 7, 8, 9});
  const Network kept = largest_component(earlier);
  EXPECT_EQ(kept.num_nodes(), 3);
  EXPECT_EQ(kept.source_nodes(), (std::vector<Index>{2, 5, 7}));
  // Nothing dropped: no map; derived networks keep the map.
  EXPECT_TRUE(largest_component(Network(3, {{0, 1}, {1, 2}})).source_nodes().empty());
  EXPECT_EQ(kept.with_conductances(Vector::Constant(2, 3.0)).source_nodes(), kept.source_nodes());
  EXPECT_EQ(invalid_argument_message([] {
              Network(2, {{0, 1}}).with_source_nodes(std::vector<Index>{1, 1});
            }),
            "network: source_nodes[1]: must be >= 0 and larger than the previous entry (got 1)");
}

TEST(NetworkBox, InvalidBoxesAreRejectedWithOneLine) {
  const Network p = periodic_square();
  auto with_box = [&](Vector box) {
    return invalid_argument_message(
        [&] { Network(5, p.edges(), p.conductances(), p.positions(), std::move(box)); });
  };
  EXPECT_EQ(with_box(Eigen::Vector3d(1.0, 2.0, 3.0)),
            "network: box: wrong length (got 3, need 2, one side per position coordinate)");
  EXPECT_EQ(with_box(Eigen::Vector2d(10.0, -4.0)),
            "network: box[1]: must be finite and > 0 (got -4)");
  EXPECT_EQ(with_box(Eigen::Vector2d(0.0, 4.0)), "network: box[0]: must be finite and > 0 (got 0)");
  EXPECT_NE(with_box(Eigen::Vector2d(10.0, std::nan(""))).find("box[1]: must be finite"),
            std::string::npos);
  EXPECT_NE(with_box(Eigen::Vector2d(INFINITY, 1.0)).find("box[0]: must be finite"),
            std::string::npos);
  const std::string no_positions = invalid_argument_message(
      [&] { Network(5, p.edges(), p.conductances(), Matrix(), Eigen::Vector2d(1.0, 1.0)); });
  EXPECT_NE(no_positions.find("box: a periodic box needs node positions"), std::string::npos)
      << no_positions;
}

}  // namespace
}  // namespace plnet::graph
