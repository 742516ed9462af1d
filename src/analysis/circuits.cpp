#include <plnet/analysis/circuits.hpp>
#include <plnet/core/error.hpp>
#include <plnet/physics/cycle_space.hpp>

#include <Eigen/Dense>

#include <algorithm>

namespace plnet::analysis {
namespace {

Index numerical_rank(const Matrix& a, double tolerance, Vector* values = nullptr) {
  if (a.size() == 0) {
    if (values) values->resize(0);
    return 0;
  }
  const Eigen::JacobiSVD<Matrix> svd(a);
  const Vector& s = svd.singularValues();
  if (values) *values = s;
  if (s.size() == 0 || s[0] <= 0.0) return 0;
  return (s.array() > tolerance * s[0]).count();
}

void check_edges(const std::vector<Index>& edges, Index m, const std::string& what) {
  std::vector<Index> sorted = edges;
  std::sort(sorted.begin(), sorted.end());
  require(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(), "realisable_map", what,
          " edges must be distinct");
  for (const Index e : edges)
    require(e >= 0 && e < m, "realisable_map", what, " edge ", e, " out of range [0, ", m, ")");
}

}  // namespace

RealisableMap realisable_map(const graph::Network& net, const Vector& conductances,
                             const std::vector<Index>& input_edges,
                             const std::vector<Index>& output_edges, double tolerance) {
  const Index m = net.num_edges();
  require(conductances.size() == m, "realisable_map", "need one conductance per edge (got ",
          conductances.size(), ", need ", m, ")");
  require((conductances.array() > 0.0).all() && conductances.allFinite(), "realisable_map",
          "conductances must be finite and > 0");
  require(!input_edges.empty() && !output_edges.empty(), "realisable_map",
          "need at least one input and one output edge");
  require(tolerance > 0.0, "realisable_map", "tolerance must be > 0 (got ", tolerance, ")");
  check_edges(input_edges, m, "input");
  check_edges(output_edges, m, "output");
  const SparseMatrix a = physics::cycle_matrix(net);
  const Matrix dense_a(a);
  const auto ni = static_cast<Index>(input_edges.size());
  const auto no = static_cast<Index>(output_edges.size());
  RealisableMap out;
  out.cycles = a.rows();
  out.map = Matrix::Zero(no, ni);
  Matrix a_in(out.cycles, ni), a_out(out.cycles, no);
  for (Index j = 0; j < ni; ++j)
    a_in.col(j) = dense_a.col(input_edges[static_cast<std::size_t>(j)]);
  for (Index o = 0; o < no; ++o)
    a_out.col(o) = dense_a.col(output_edges[static_cast<std::size_t>(o)]);
  if (out.cycles > 0) {
    const Matrix omega = physics::cycle_projector(a, conductances);
    for (Index o = 0; o < no; ++o)
      for (Index j = 0; j < ni; ++j)
        out.map(o, j) = -omega(output_edges[static_cast<std::size_t>(o)],
                               input_edges[static_cast<std::size_t>(j)]);
  }
  out.rank = numerical_rank(out.map, tolerance, &out.singular_values);
  out.input_cycle_rank = numerical_rank(a_in, tolerance);
  out.output_cycle_rank = numerical_rank(a_out, tolerance);
  out.bound = std::min({ni, no, out.cycles});
  return out;
}

}  // namespace plnet::analysis
