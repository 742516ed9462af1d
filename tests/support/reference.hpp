#pragma once
// Test support: small random networks and an independent dense reference solver that shares
// no code with plnet's elimination/bordered machinery (it builds the Laplacian from the edge
// list itself and solves the Dirichlet block in long double).
#include <plnet/graph/network.hpp>
#include <plnet/physics/boundary_conditions.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <random>
#include <set>

namespace plnet::testing {

/// Connected random graph: a random spanning tree plus `extra` random edges, conductances
/// log-uniform in [10^-decades, 10^decades].
inline graph::Network random_connected_network(Index n, Index extra, double decades,
                                               std::mt19937_64& rng, int dimension = 0) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<graph::Edge> edges;
  std::set<std::pair<Index, Index>> seen;
  auto add = [&](Index a, Index b) {
    if (a == b || seen.count({std::min(a, b), std::max(a, b)})) return;
    seen.insert({std::min(a, b), std::max(a, b)});
    edges.push_back({a, b});
  };
  for (Index v = 1; v < n; ++v) add(static_cast<Index>(u(rng) * static_cast<double>(v)), v);
  for (Index k = 0; k < extra; ++k)
    add(static_cast<Index>(u(rng) * static_cast<double>(n)),
        static_cast<Index>(u(rng) * static_cast<double>(n)));
  Vector k(static_cast<Index>(edges.size()));
  for (Index i = 0; i < k.size(); ++i) k[i] = std::pow(10.0, decades * (2.0 * u(rng) - 1.0));
  Matrix pos;
  if (dimension > 0) {
    pos.resize(n, dimension);
    for (Index i = 0; i < n; ++i)
      for (int d = 0; d < dimension; ++d) pos(i, d) = u(rng);
  }
  return graph::Network(n, std::move(edges), std::move(k), std::move(pos));
}

/// A side x side grid with one diagonal per square (a triangulated, rigid spring network once two
/// nodes are pinned), x positions jittered by up to 0.1, stiffnesses 1 + 0.5 |U(-1, 1)| from
/// Eigen's Random.
inline graph::Network jittered_triangulated_grid(Index side, std::mt19937_64& rng) {
  Matrix pos(side * side, 2);
  std::vector<graph::Edge> edges;
  for (Index r = 0; r < side; ++r)
    for (Index c = 0; c < side; ++c) {
      pos.row(r * side + c) << static_cast<double>(c) +
                                   0.1 * (static_cast<double>(rng() % 100) / 100.0),
          static_cast<double>(r);
      if (c + 1 < side) edges.push_back({r * side + c, r * side + c + 1});
      if (r + 1 < side) edges.push_back({r * side + c, (r + 1) * side + c});
      if (c + 1 < side && r + 1 < side) edges.push_back({r * side + c, (r + 1) * side + c + 1});
    }
  const auto ne = static_cast<Index>(edges.size());
  const Vector k = Vector::Constant(ne, 1.0) + 0.5 * Vector::Random(ne).cwiseAbs();
  return graph::Network(side * side, std::move(edges), k, std::move(pos));
}

/// Dense Laplacian built straight from the edge list.
inline Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic> dense_laplacian(
    const graph::Network& net) {
  Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic> l =
      Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>::Zero(net.num_nodes(),
                                                                       net.num_nodes());
  for (Index e = 0; e < net.num_edges(); ++e) {
    const auto [a, b] = net.edge(e);
    const long double k = net.conductances()[e];
    l(a, a) += k;
    l(b, b) += k;
    l(a, b) -= k;
    l(b, a) -= k;
  }
  return l;
}

/// Node voltages of a resistor network with holds and injections only (no constraints or edge
/// sources), by dense Dirichlet elimination in long double.
inline Vector dense_reference_voltages(const graph::Network& net,
                                       const physics::BoundaryConditions& bc) {
  using LMatrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
  using LVector = Eigen::Matrix<long double, Eigen::Dynamic, 1>;
  const Index n = net.num_nodes();
  const LMatrix l = dense_laplacian(net);
  std::vector<bool> held(static_cast<std::size_t>(n), false);
  LVector x = LVector::Zero(n), f = LVector::Zero(n);
  for (const auto& h : bc.holds) {
    held[static_cast<std::size_t>(h.dof)] = true;
    x[h.dof] = h.value;
  }
  for (const auto& i : bc.injections) f[i.dof] += i.amount;
  std::vector<Index> free;
  for (Index v = 0; v < n; ++v)
    if (!held[static_cast<std::size_t>(v)]) free.push_back(v);
  const auto m = static_cast<Index>(free.size());
  LMatrix a(m, m);
  LVector rhs(m);
  for (Index r = 0; r < m; ++r) {
    rhs[r] = f[free[static_cast<std::size_t>(r)]];
    for (Index c = 0; c < n; ++c)
      if (held[static_cast<std::size_t>(c)])
        rhs[r] -= l(free[static_cast<std::size_t>(r)], c) * x[c];
    for (Index c = 0; c < m; ++c)
      a(r, c) = l(free[static_cast<std::size_t>(r)], free[static_cast<std::size_t>(c)]);
  }
  const LVector z = a.partialPivLu().solve(rhs);
  for (Index r = 0; r < m; ++r) x[free[static_cast<std::size_t>(r)]] = z[r];
  return x.cast<double>();
}

/// max |a - b| / max |b|: relative agreement normalised by the largest value.
inline double relative_error(const Vector& a, const Vector& b) {
  const double scale = std::max(b.lpNorm<Eigen::Infinity>(), 1e-300);
  return (a - b).lpNorm<Eigen::Infinity>() / scale;
}

/// Resistor drops v = B V - s of a circuit driven only by series sources s (one per edge),
/// node 0 grounded: L V = B^T K s on the other nodes, in long double from the edge list (shares
/// no code with plnet's solvers).
inline Vector dense_series_source_drops(const graph::Network& net, const Vector& k,
                                        const Vector& s) {
  using LMatrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
  using LVector = Eigen::Matrix<long double, Eigen::Dynamic, 1>;
  const graph::Network copy(net.num_nodes(), net.edges(), k);
  const LMatrix l = dense_laplacian(copy);
  const Index n = net.num_nodes();
  LVector rhs = LVector::Zero(n);
  for (Index e = 0; e < net.num_edges(); ++e) {
    const auto [a, b] = net.edge(e);
    rhs[a] += static_cast<long double>(k[e] * s[e]);
    rhs[b] -= static_cast<long double>(k[e] * s[e]);
  }
  LVector v = LVector::Zero(n);
  v.tail(n - 1) = l.bottomRightCorner(n - 1, n - 1).partialPivLu().solve(rhs.tail(n - 1));
  Vector drops(net.num_edges());
  for (Index e = 0; e < net.num_edges(); ++e) {
    const auto [a, b] = net.edge(e);
    drops[e] = static_cast<double>(v[a] - v[b]) - s[e];
  }
  return drops;
}

}  // namespace plnet::testing
