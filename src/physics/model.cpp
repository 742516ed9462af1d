#include <plnet/core/error.hpp>
#include <plnet/physics/model.hpp>

#include <cassert>
#include <cmath>

namespace plnet::physics {

std::string to_string(ModelKind kind) {
  switch (kind) {
    case ModelKind::kResistor:
      return "resistor";
    case ModelKind::kSpring:
      return "spring";
    case ModelKind::kNode:
      return "node";
  }
  return "unknown";
}

LinearModel LinearModel::from_stamps(ModelKind kind, Index num_dofs, int dofs_per_node,
                                     std::vector<Index> offsets, std::vector<Index> dofs,
                                     std::vector<double> matrices, std::vector<double> vectors) {
  LinearModel m;
  m.kind_ = kind;
  m.num_dofs_ = num_dofs;
  m.dofs_per_node_ = dofs_per_node;
  m.offsets_ = std::move(offsets);
  m.dofs_ = std::move(dofs);
  m.matrices_ = std::move(matrices);
  m.vectors_ = std::move(vectors);
  m.rank_one_ = !m.vectors_.empty() || m.num_parameters() == 0;
  m.matrix_offsets_.assign(m.offsets_.size(), 0);
  for (std::size_t i = 0; i + 1 < m.offsets_.size(); ++i) {
    const Index k = m.offsets_[i + 1] - m.offsets_[i];
    m.matrix_offsets_[i + 1] = m.matrix_offsets_[i] + k * k;
  }
  assert(static_cast<std::size_t>(m.matrix_offsets_.back()) == m.matrices_.size() &&
         "stamp matrices do not match the dof lists");
  return m;
}

SparseMatrix LinearModel::hessian(const Vector& w) const {
  std::vector<Eigen::Triplet<double, int>> triplets;
  triplets.reserve(matrices_.size());
  for (Index i = 0; i < num_parameters(); ++i) {
    const auto d = stamp_dofs(i);
    const auto s = stamp_matrix(i);
    const std::size_t k = d.size();
    for (std::size_t r = 0; r < k; ++r)
      for (std::size_t c = 0; c < k; ++c)
        if (s[r * k + c] != 0.0)
          triplets.emplace_back(static_cast<int>(d[r]), static_cast<int>(d[c]),
                                w[i] * s[r * k + c]);
  }
  SparseMatrix h(num_dofs_, num_dofs_);
  h.setFromTriplets(triplets.begin(), triplets.end());
  return h;
}

SparseMatrix LinearModel::difference_operator() const {
  require(rank_one_, "LinearModel::difference_operator",
          "defined for difference networks only (got ", to_string(kind_), ")");
  std::vector<Eigen::Triplet<double, int>> triplets;
  triplets.reserve(dofs_.size());
  for (Index i = 0; i < num_parameters(); ++i) {
    const auto d = stamp_dofs(i);
    const auto b = stamp_vector(i);
    for (std::size_t r = 0; r < d.size(); ++r)
      if (b[r] != 0.0) triplets.emplace_back(static_cast<int>(i), static_cast<int>(d[r]), b[r]);
  }
  SparseMatrix op(num_parameters(), num_dofs_);
  op.setFromTriplets(triplets.begin(), triplets.end());
  return op;
}

void LinearModel::stamp_products(const Vector& x, const Vector& y, Vector& out) const {
  out.resize(num_parameters());
  if (rank_one_) {
    for (Index i = 0; i < num_parameters(); ++i) {
      const auto d = stamp_dofs(i);
      const auto b = stamp_vector(i);
      double bx = 0.0, by = 0.0;
      for (std::size_t r = 0; r < d.size(); ++r) {
        bx += b[r] * x[d[r]];
        by += b[r] * y[d[r]];
      }
      out[i] = bx * by;
    }
    return;
  }
  for (Index i = 0; i < num_parameters(); ++i) {
    const auto d = stamp_dofs(i);
    const auto s = stamp_matrix(i);
    const std::size_t k = d.size();
    double acc = 0.0;
    for (std::size_t r = 0; r < k; ++r)
      for (std::size_t c = 0; c < k; ++c) acc += x[d[r]] * s[r * k + c] * y[d[c]];
    out[i] = acc;
  }
}

void LinearModel::drops(const Vector& x, Vector& out) const {
  require(rank_one_, "LinearModel::drops", "defined for difference networks only (got ",
          to_string(kind_), ")");
  out.resize(num_parameters());
  for (Index i = 0; i < num_parameters(); ++i) {
    const auto d = stamp_dofs(i);
    const auto b = stamp_vector(i);
    double bx = 0.0;
    for (std::size_t r = 0; r < d.size(); ++r) bx += b[r] * x[d[r]];
    out[i] = bx;
  }
}

void LinearModel::check_parameters(const Vector& w, const std::string& where) const {
  require(w.size() == num_parameters(), where, "wrong number of parameters (got ", w.size(),
          ", need ", num_parameters(), ")");
  const bool need_positive = kind_ != ModelKind::kNode;
  for (Index i = 0; i < w.size(); ++i) {
    require(std::isfinite(w[i]), where, "parameter ", i, " must be finite (got ", w[i], ")");
    require(!need_positive || w[i] > 0.0, where, "parameter ", i, " must be > 0 (got ", w[i], ")");
  }
}

LinearModel resistor_model(const graph::Network& net) {
  const Index m = net.num_edges();
  std::vector<Index> offsets(static_cast<std::size_t>(m) + 1);
  std::vector<Index> dofs;
  std::vector<double> matrices, vectors;
  dofs.reserve(2 * static_cast<std::size_t>(m));
  matrices.reserve(4 * static_cast<std::size_t>(m));
  vectors.reserve(2 * static_cast<std::size_t>(m));
  for (Index i = 0; i < m; ++i) {
    const auto& e = net.edge(i);
    dofs.insert(dofs.end(), {e.a, e.b});
    vectors.insert(vectors.end(), {1.0, -1.0});
    matrices.insert(matrices.end(), {1.0, -1.0, -1.0, 1.0});
    offsets[static_cast<std::size_t>(i) + 1] = 2 * (i + 1);
  }
  return LinearModel::from_stamps(ModelKind::kResistor, net.num_nodes(), 1, std::move(offsets),
                                  std::move(dofs), std::move(matrices), std::move(vectors));
}

LinearModel spring_model(const graph::Network& net) {
  require(net.has_positions(), "spring_model", "the network has no node positions");
  const int d = net.dimension();
  const Index m = net.num_edges();
  const auto k = static_cast<std::size_t>(2 * d);
  std::vector<Index> offsets(static_cast<std::size_t>(m) + 1);
  std::vector<Index> dofs;
  std::vector<double> matrices, vectors;
  dofs.reserve(k * static_cast<std::size_t>(m));
  vectors.reserve(k * static_cast<std::size_t>(m));
  matrices.reserve(k * k * static_cast<std::size_t>(m));
  std::vector<double> b(k);
  for (Index i = 0; i < m; ++i) {
    const auto& e = net.edge(i);
    const Vector bond = graph::bond_vector(net, i);  // minimum image in a periodic box
    const double length = bond.norm();
    require(length > 0.0, "spring_model", "edges[", i, "]: nodes ", e.a, " and ", e.b,
            " are at the same position (bond length 0)");
    for (int c = 0; c < d; ++c) {
      b[static_cast<std::size_t>(c)] = bond[c] / length;
      b[static_cast<std::size_t>(c + d)] = -bond[c] / length;
      dofs.push_back(e.a * d + c);
    }
    for (int c = 0; c < d; ++c) dofs.push_back(e.b * d + c);
    vectors.insert(vectors.end(), b.begin(), b.end());
    for (std::size_t r = 0; r < k; ++r)
      for (std::size_t c = 0; c < k; ++c) matrices.push_back(b[r] * b[c]);
    offsets[static_cast<std::size_t>(i) + 1] = static_cast<Index>(k) * (i + 1);
  }
  return LinearModel::from_stamps(ModelKind::kSpring, net.num_nodes() * d, d, std::move(offsets),
                                  std::move(dofs), std::move(matrices), std::move(vectors));
}

Index node_parameter_index(Index num_nodes, Index a, Index b) {
  if (a > b) std::swap(a, b);
  // Row a of the upper triangle starts after sum_{r<a} (N - r) entries.
  return a * num_nodes - a * (a - 1) / 2 + (b - a);
}

LinearModel node_model(Index num_nodes) {
  require(num_nodes >= 1, "node_model", "num_nodes must be positive (got ", num_nodes, ")");
  std::vector<Index> offsets{0}, dofs;
  std::vector<double> matrices;
  for (Index a = 0; a < num_nodes; ++a) {
    for (Index b = a; b < num_nodes; ++b) {
      if (a == b) {
        dofs.push_back(a);
        matrices.push_back(1.0);
      } else {
        dofs.insert(dofs.end(), {a, b});
        matrices.insert(matrices.end(), {0.0, 1.0, 1.0, 0.0});
      }
      offsets.push_back(static_cast<Index>(dofs.size()));
    }
  }
  return LinearModel::from_stamps(ModelKind::kNode, num_nodes, 1, std::move(offsets),
                                  std::move(dofs), std::move(matrices), {});
}

Vector node_parameters(const Matrix& w) {
  require(w.rows() == w.cols(), "node_parameters", "matrix must be square (got ", w.rows(), " x ",
          w.cols(), ")");
  const Index n = w.rows();
  Vector p(n * (n + 1) / 2);
  for (Index a = 0; a < n; ++a)
    for (Index b = a; b < n; ++b) p[node_parameter_index(n, a, b)] = w(a, b);
  return p;
}

Matrix node_weight_matrix(Index num_nodes, const Vector& w) {
  Matrix out(num_nodes, num_nodes);
  for (Index a = 0; a < num_nodes; ++a)
    for (Index b = a; b < num_nodes; ++b)
      out(a, b) = out(b, a) = w[node_parameter_index(num_nodes, a, b)];
  return out;
}

}  // namespace plnet::physics
