// Spring networks in a periodic box: bonds that cross the box must use the minimum image. A
// periodic triangular lattice under affine strain against its closed form (energy, forces,
// stress), and jammed packings against a dense Hessian assembled here with plain loops.
#include <plnet/graph/generators.hpp>
#include <plnet/physics/model.hpp>

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <random>

namespace plnet::physics {
namespace {

// Sums of a few hundred O(1) terms: round-off is ~1e-15 relative; 1e-12 leaves a wide margin
// while a single wrong bond direction changes the results at O(1e-2) or more.
constexpr double kRoundOff = 1e-12;

/// A periodic triangular lattice of unit spacing: `rows` rows (even, so the stacking closes
/// across the box) of `cols` nodes, odd rows shifted by 1/2, box (cols, rows sqrt(3)/2). Each
/// node has three bonds of its own (right, up-right, up-left), those of the last column and
/// the last row crossing the box. `bond[i]` is the true bond vector x_a - x_b of edge i, known
/// from the construction; `direction[i]` its orientation class (0: 0 deg, 1: 60 deg, 2: 120 deg).
/// Edge orientations are random (nothing physical may depend on them).
struct Lattice {
  graph::Network net;
  std::vector<Eigen::Vector2d> bond;
  std::vector<int> direction;
  double cell_area = 0.0;
};

Lattice triangular_lattice(Index rows, Index cols, const std::array<double, 3>& k,
                           std::mt19937_64& rng) {
  const double h = std::sqrt(3.0) / 2.0;
  auto id = [&](Index r, Index c) { return ((r + rows) % rows) * cols + (c + cols) % cols; };
  Matrix pos(rows * cols, 2);
  for (Index r = 0; r < rows; ++r)
    for (Index c = 0; c < cols; ++c)
      pos.row(id(r, c)) << static_cast<double>(c) + 0.5 * static_cast<double>(r % 2),
          static_cast<double>(r) * h;
  Lattice lat;
  std::vector<graph::Edge> edges;
  std::vector<double> stiffness;
  std::bernoulli_distribution flip(0.5);
  auto add = [&](Index a, Index b, Eigen::Vector2d from_a_to_b, int direction) {
    if (flip(rng)) {
      std::swap(a, b);
      from_a_to_b = -from_a_to_b;
    }
    edges.push_back({a, b});
    lat.bond.push_back(-from_a_to_b);  // x_a - x_b
    lat.direction.push_back(direction);
    stiffness.push_back(k[static_cast<std::size_t>(direction)]);
  };
  for (Index r = 0; r < rows; ++r)
    for (Index c = 0; c < cols; ++c) {
      // The upper neighbours of an even row sit at columns c (right) and c - 1 (left); of an
      // odd row at c + 1 and c.
      const Index right_up = r % 2 == 0 ? c : c + 1;
      add(id(r, c), id(r, c + 1), {1.0, 0.0}, 0);
      add(id(r, c), id(r + 1, right_up), {0.5, h}, 1);
      add(id(r, c), id(r + 1, right_up - 1), {-0.5, h}, 2);
    }
  const Vector box = Eigen::Vector2d(static_cast<double>(cols), static_cast<double>(rows) * h);
  lat.net =
      graph::Network(rows * cols, std::move(edges),
                     Eigen::Map<Vector>(stiffness.data(), static_cast<Index>(stiffness.size())),
                     std::move(pos), box);
  lat.cell_area = h;
  return lat;
}

/// The affine strain of the periodic lattice (box and nodes deformed by I + eps) through plnet's
/// spring model: node displacements u_n = eps x_n, and a bond whose true vector differs from
/// x_a - x_b by a box image s_i = (x_a - x_b) - t_i is stretched by the box's deformation too:
/// extension_i = b_i . u - u_hat_i . (eps s_i) (linear in eps). Returns the extensions.
Vector affine_extensions(const LinearModel& model, const Lattice& lat, const Eigen::Matrix2d& eps) {
  const auto& net = lat.net;
  Vector u(2 * net.num_nodes());
  for (Index n = 0; n < net.num_nodes(); ++n)
    u.segment<2>(2 * n) = eps * net.positions().row(n).transpose();
  const Vector cu = model.difference_operator() * u;
  Vector e(net.num_edges());
  for (Index i = 0; i < net.num_edges(); ++i) {
    const auto b = model.stamp_vector(i);  // (u_hat, -u_hat) on (node a, node b)
    const Eigen::Vector2d u_hat(b[0], b[1]);
    const auto& edge = net.edge(i);
    const Eigen::Vector2d raw =
        (net.positions().row(edge.a) - net.positions().row(edge.b)).transpose();
    const Eigen::Vector2d image = raw - lat.bond[static_cast<std::size_t>(i)];
    e[i] = cu[i] - u_hat.dot(eps * image);
  }
  return e;
}

TEST(PeriodicSprings, TriangularLatticeUnderAffineStrainMatchesClosedForm) {
  std::mt19937_64 rng(3);
  const Index rows = 6, cols = 5;
  const std::array<double, 3> k = {1.3, 0.7, 2.1};  // one stiffness per bond direction
  const Lattice lat = triangular_lattice(rows, cols, k, rng);
  const LinearModel model = spring_model(lat.net);
  const Eigen::Matrix2d eps{{0.013, -0.004}, {-0.004, 0.021}};
  const Vector e = affine_extensions(model, lat, eps);
  const Vector& kv = lat.net.conductances();

  // Every bond's extension is u_hat . (eps t) with t its true (unit) vector.
  for (Index i = 0; i < e.size(); ++i) {
    const Eigen::Vector2d t = lat.bond[static_cast<std::size_t>(i)];
    EXPECT_NEAR(e[i], t.dot(eps * t), kRoundOff * eps.norm()) << "bond " << i;
  }

  // Energy: every node owns one bond of each direction n_j = (cos, sin)(0, 60, 120 deg), so
  // E = N * 1/2 sum_j k_j (n_j . eps n_j)^2, with the directions written out by hand.
  const double h = std::sqrt(3.0) / 2.0;
  const std::array<Eigen::Vector2d, 3> n = {Eigen::Vector2d(1.0, 0.0), Eigen::Vector2d(0.5, h),
                                            Eigen::Vector2d(-0.5, h)};
  double cell = 0.0;
  for (std::size_t j = 0; j < 3; ++j) cell += 0.5 * k[j] * std::pow(n[j].dot(eps * n[j]), 2);
  const double energy = 0.5 * e.dot(kv.cwiseProduct(e));
  EXPECT_NEAR(energy, static_cast<double>(rows * cols) * cell, kRoundOff * energy);

  // Forces: every node is a centre of inversion, so the affine state is in equilibrium:
  // f = -C^T K e = 0 (no non-affine relaxation).
  const Vector f = model.difference_operator().transpose() * kv.cwiseProduct(e);
  EXPECT_LT(f.cwiseAbs().maxCoeff(), kRoundOff * kv.maxCoeff() * eps.norm());
}

TEST(PeriodicSprings, TriangularLatticeStressIsIsotropicLame) {
  // Equal stiffnesses k: the triangular lattice is isotropic with Lame coefficients
  // lambda = mu = sqrt(3) k / 4, so sigma = lambda tr(eps) I + 2 mu eps and the energy density
  // is 1/2 (lambda tr(eps)^2 + 2 mu eps:eps). The stress is the virial
  // sigma = (1/A) sum_i k_i e_i u_hat_i t_i^T with u_hat from plnet's stamps.
  std::mt19937_64 rng(4);
  const double k = 1.7;
  const Lattice lat = triangular_lattice(4, 7, {k, k, k}, rng);
  const LinearModel model = spring_model(lat.net);
  const double area = lat.net.box().prod();
  const double lambda = std::sqrt(3.0) * k / 4.0, mu = lambda;
  for (const Eigen::Matrix2d& eps :
       {Eigen::Matrix2d{{0.01, 0.0}, {0.0, 0.0}}, Eigen::Matrix2d{{0.0, 0.02}, {0.02, 0.0}},
        Eigen::Matrix2d{{-0.03, 0.01}, {0.01, 0.02}}}) {
    const Vector e = affine_extensions(model, lat, eps);
    Eigen::Matrix2d sigma = Eigen::Matrix2d::Zero();
    for (Index i = 0; i < e.size(); ++i) {
      const auto b = model.stamp_vector(i);
      sigma += lat.net.conductances()[i] * e[i] * Eigen::Vector2d(b[0], b[1]) *
               lat.bond[static_cast<std::size_t>(i)].transpose();
    }
    sigma /= area;
    const Eigen::Matrix2d expected =
        lambda * eps.trace() * Eigen::Matrix2d::Identity() + 2.0 * mu * eps;
    EXPECT_LT((sigma - expected).norm(), kRoundOff * expected.norm()) << sigma;
    const double density = 0.5 * e.dot(lat.net.conductances().cwiseProduct(e)) / area;
    const double closed =
        0.5 * (lambda * eps.trace() * eps.trace() + 2.0 * mu * (eps.array() * eps.array()).sum());
    EXPECT_NEAR(density, closed, kRoundOff * closed);
  }
}

/// The spring Hessian assembled densely with plain loops and a minimum image of its own
/// (round to the nearest box multiple), sharing no code with plnet's stamps.
Matrix dense_spring_hessian(const graph::Network& net, const Vector& k) {
  const int d = net.dimension();
  Matrix h = Matrix::Zero(d * net.num_nodes(), d * net.num_nodes());
  for (Index i = 0; i < net.num_edges(); ++i) {
    const Index a = net.edge(i).a, b = net.edge(i).b;
    std::array<double, 3> r{};
    double length2 = 0.0;
    for (int c = 0; c < d; ++c) {
      const double side = net.box()[c];
      double v = net.positions()(a, c) - net.positions()(b, c);
      v -= side * std::round(v / side);
      r[static_cast<std::size_t>(c)] = v;
      length2 += v * v;
    }
    for (int p = 0; p < d; ++p)
      for (int q = 0; q < d; ++q) {
        const double s =
            k[i] * r[static_cast<std::size_t>(p)] * r[static_cast<std::size_t>(q)] / length2;
        h(a * d + p, a * d + q) += s;
        h(b * d + p, b * d + q) += s;
        h(a * d + p, b * d + q) -= s;
        h(b * d + p, a * d + q) -= s;
      }
  }
  return h;
}

/// How many bonds cross the box (raw difference != minimum image in some component).
Index crossing_bonds(const graph::Network& net) {
  Index count = 0;
  for (const auto& e : net.edges())
    for (int c = 0; c < net.dimension(); ++c)
      if (std::abs(net.positions()(e.a, c) - net.positions()(e.b, c)) > 0.5 * net.box()[c]) {
        ++count;
        break;
      }
  return count;
}

TEST(PeriodicSprings, JammedHessianMatchesDenseMinimumImageAssembly) {
  for (int dimension : {2, 3}) {
    graph::JammedOptions options;
    options.num_particles = dimension == 2 ? 120 : 150;
    options.dimension = dimension;
    options.seed = 5;
    const graph::Network net = graph::jammed_packing(options);
    ASSERT_TRUE(net.is_periodic());
    // The test is only meaningful if some bonds cross the box.
    EXPECT_GT(crossing_bonds(net), 0) << "dimension " << dimension;
    std::mt19937_64 rng(6);
    std::uniform_real_distribution<double> u(0.1, 2.0);
    Vector k(net.num_edges());
    for (Index i = 0; i < k.size(); ++i) k[i] = u(rng);
    const Matrix reference = dense_spring_hessian(net, k);
    const Matrix h = Matrix(spring_model(net).hessian(k));
    EXPECT_LT((h - reference).cwiseAbs().maxCoeff(), kRoundOff * reference.cwiseAbs().maxCoeff())
        << "dimension " << dimension << ", " << crossing_bonds(net) << " of " << net.num_edges()
        << " bonds cross the box";
  }
}

TEST(PeriodicSprings, HessianDoesNotDependOnWhereTheBoxIsCut) {
  // Translating every particle by the same vector and wrapping back into the box changes
  // which bonds cross the box but not the physics: H must be the same.
  graph::JammedOptions options;
  options.num_particles = 100;
  const graph::Network net = graph::jammed_packing(options);
  Matrix shifted = net.positions();
  const Eigen::RowVector2d shift(0.37 * net.box()[0], 0.61 * net.box()[1]);
  for (Index n = 0; n < shifted.rows(); ++n)
    for (int c = 0; c < 2; ++c) {
      shifted(n, c) += shift[c];
      shifted(n, c) -= net.box()[c] * std::floor(shifted(n, c) / net.box()[c]);
    }
  const graph::Network moved(net.num_nodes(), net.edges(), net.conductances(), shifted, net.box());
  const Matrix a = Matrix(spring_model(net).hessian(net.conductances()));
  const Matrix b = Matrix(spring_model(moved).hessian(net.conductances()));
  // Wrapped positions differ from the shifted ones by ~1e-15 L, and so do the bond vectors.
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), kRoundOff * a.cwiseAbs().maxCoeff());
}

}  // namespace
}  // namespace plnet::physics
