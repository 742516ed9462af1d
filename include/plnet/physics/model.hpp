#pragma once
/// The one linear-response engine (docs/physics.md section 2):
///
///     E(x; w) = 1/2 x^T H(w) x - F^T x,      H(w) = sum_i w_i S_i,
///
/// where every learning parameter w_i owns a small symmetric "stamp" S_i acting on a handful
/// of degrees of freedom (dofs). Resistor/flow and central-force spring networks are
/// "difference networks": S_i = b_i b_i^T is rank one, with b_i the i-th row of the incidence
/// operator Delta (resistors, 1 dof per node) or of the compatibility operator C (springs, d
/// dofs per node). Fully connected node networks have S_ab = E_ab + E_ba (a != b) and
/// S_aa = E_aa, so that H = W. The three network kinds are adapters that build stamps; all
/// solvers, learning rules and analyses work on LinearModel only.
///
/// Convention (docs/conventions.md): the physically exact energy E = 1/2 V^T L V - I^T V, so
/// Kirchhoff's law is L V = I and the dissipated power is V^T L V (papers 000/002 use H = 2L).

#include <plnet/core/types.hpp>
#include <plnet/graph/network.hpp>

#include <span>
#include <string>
#include <vector>

namespace plnet::physics {

enum class ModelKind { kResistor, kSpring, kNode };

/// Name used in files and on the command line: "resistor", "spring", "node".
std::string to_string(ModelKind kind);

class LinearModel {
 public:
  LinearModel() = default;

  ModelKind kind() const { return kind_; }
  Index num_dofs() const { return num_dofs_; }
  Index num_parameters() const { return static_cast<Index>(offsets_.size()) - 1; }
  /// 1 for resistor and node networks, d for d-dimensional spring networks.
  int dofs_per_node() const { return dofs_per_node_; }
  Index num_nodes() const { return num_dofs_ / dofs_per_node_; }
  /// True when every stamp is b_i b_i^T (difference networks); then stamp_vector() is defined.
  bool rank_one() const { return rank_one_; }

  /// The dofs stamp i acts on (length k_i).
  std::span<const Index> stamp_dofs(Index i) const {
    return {dofs_.data() + offsets_[i], static_cast<std::size_t>(offsets_[i + 1] - offsets_[i])};
  }
  /// Row-major k_i x k_i symmetric stamp matrix S_i restricted to stamp_dofs(i).
  std::span<const double> stamp_matrix(Index i) const {
    const auto k = static_cast<std::size_t>(offsets_[i + 1] - offsets_[i]);
    return {matrices_.data() + matrix_offsets_[i], k * k};
  }
  /// b_i restricted to stamp_dofs(i) (rank-one models only).
  std::span<const double> stamp_vector(Index i) const {
    return {vectors_.data() + offsets_[i], static_cast<std::size_t>(offsets_[i + 1] - offsets_[i])};
  }

  /// The node a dof belongs to and its Cartesian component.
  Index node_of(Index dof) const { return dof / dofs_per_node_; }

  /// H(w), num_dofs x num_dofs, symmetric (both triangles stored).
  SparseMatrix hessian(const Vector& w) const;

  /// B (num_parameters x num_dofs) with rows b_i: the incidence operator Delta for resistors,
  /// the compatibility operator C for springs. Rank-one models only.
  SparseMatrix difference_operator() const;

  /// out_i = x^T S_i y for every parameter i; with x = y this is 2 dE/dw_i. For rank-one models
  /// out_i = (b_i . x)(b_i . y).
  void stamp_products(const Vector& x, const Vector& y, Vector& out) const;

  /// (b_i . x) for every parameter (the edge drop, or the bond extension). Rank-one only.
  void drops(const Vector& x, Vector& out) const;

  /// Throws std::invalid_argument unless w has one finite, > 0 entry per parameter
  /// (node models allow any finite value; positivity of H is then checked by factorisation).
  void check_parameters(const Vector& w, const std::string& where) const;

  /// Builder used by the adapters; `matrices` holds the row-major stamps, `vectors` the b_i
  /// when `rank_one`.
  static LinearModel from_stamps(ModelKind kind, Index num_dofs, int dofs_per_node,
                                 std::vector<Index> offsets, std::vector<Index> dofs,
                                 std::vector<double> matrices, std::vector<double> vectors);

 private:
  ModelKind kind_ = ModelKind::kResistor;
  Index num_dofs_ = 0;
  int dofs_per_node_ = 1;
  bool rank_one_ = false;
  std::vector<Index> offsets_{0};         // num_parameters + 1
  std::vector<Index> dofs_;               // concatenated stamp dofs
  std::vector<Index> matrix_offsets_{0};  // num_parameters + 1
  std::vector<double> matrices_;          // concatenated row-major stamps
  std::vector<double> vectors_;           // concatenated b_i (rank-one models)
};

/// Resistor or flow network: one dof (voltage, pressure) per node, b_i = e_a - e_b for edge
/// i = (a, b): drop = V_a - V_b.
LinearModel resistor_model(const graph::Network& net);

/// Central-force spring network in the dimension of the node positions (2 or 3): d dofs per
/// node (displacement u_{n,c} at dof n*d + c), b_i = (u_hat, -u_hat) on nodes (a, b) with
/// u_hat the unit bond vector from b to a: extension = u_hat . (u_a - u_b). In a periodic
/// network the bond vector is the minimum image (graph::bond_vector), so a bond that crosses
/// the box points to the nearest image of its other node.
/// Throws if the network has no positions or two nodes of an edge coincide.
LinearModel spring_model(const graph::Network& net);

/// Fully connected node network on N nodes: parameters W_ab for a <= b in row-major upper
/// triangle order (index of (a, b) given by node_parameter_index), H = W.
LinearModel node_model(Index num_nodes);
Index node_parameter_index(Index num_nodes, Index a, Index b);

/// Node-network parameters from a symmetric matrix (upper triangle read) and back.
Vector node_parameters(const Matrix& w);
Matrix node_weight_matrix(Index num_nodes, const Vector& w);

}  // namespace plnet::physics
