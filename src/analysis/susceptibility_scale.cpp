#include <plnet/analysis/susceptibility_scale.hpp>
#include <plnet/core/error.hpp>

#include <algorithm>
#include <cmath>

namespace plnet::analysis {
namespace {

void require_difference(const BorderedInverse& inverse, const std::string& where) {
  require(inverse.model().rank_one(), where,
          "needs a difference (rank-one) network (got a node network)");
  require(inverse.parameters().size() == inverse.model().num_parameters(), where,
          "no parameters yet (call update(w) first)");
}

}  // namespace

void SketchOptions::validate() const {
  require(probes >= 1, "SketchOptions::probes", "must be >= 1 (got ", probes, ")");
  require(block_size >= 1, "SketchOptions::block_size", "must be >= 1 (got ", block_size, ")");
}

Vector susceptibility_norms(const BorderedInverse& inverse, Index block_size) {
  require_difference(inverse, "susceptibility_norms");
  require(block_size >= 1, "susceptibility_norms", "block_size must be >= 1 (got ", block_size,
          ")");
  const SparseMatrix b = inverse.model().difference_operator();
  const auto& active = inverse.active_indices();
  const auto total = static_cast<Index>(active.size());
  Vector norms = Vector::Zero(b.rows());
  Matrix x;
  Matrix drops;
  for (Index first = 0; first < total; first += block_size) {
    const Index count = std::min(block_size, total - first);
    inverse.unit_states(std::span<const Index>(active).subspan(static_cast<std::size_t>(first),
                                                               static_cast<std::size_t>(count)),
                        x);
    drops.noalias() = b * x;  // M x count: s_i,a for this block of a
    norms += drops.rowwise().squaredNorm();
  }
  return norms;
}

Matrix susceptibility_vectors(const BorderedInverse& inverse, std::span<const Index> edges) {
  require_difference(inverse, "susceptibility_vectors");
  const auto& model = inverse.model();
  const Index n = model.num_dofs();
  const auto k = static_cast<Index>(edges.size());
  Matrix f = Matrix::Zero(n, k);
  for (Index j = 0; j < k; ++j) {
    const Index e = edges[static_cast<std::size_t>(j)];
    require(e >= 0 && e < model.num_parameters(), "susceptibility_vectors", "edge ", e,
            " out of range (need 0 <= e < ", model.num_parameters(), ")");
    const auto dofs = model.stamp_dofs(e);
    const auto bv = model.stamp_vector(e);
    for (std::size_t q = 0; q < dofs.size(); ++q) f(dofs[q], j) += bv[q];
  }
  Matrix ext = Matrix::Zero(inverse.size(), k);
  ext.topRows(n) = f;
  return inverse.solve(ext).transpose();
}

Matrix gaussian_probes(const BorderedInverse& inverse, Index k, random::Engine& engine) {
  Matrix z = Matrix::Zero(inverse.size(), k);
  for (Index j = 0; j < k; ++j)
    for (const Index a : inverse.active_indices()) z(a, j) = random::normal(engine);
  return z;
}

SusceptibilityEstimate susceptibility_norms_sketch(const BorderedInverse& inverse,
                                                   const SketchOptions& options) {
  require_difference(inverse, "susceptibility_norms_sketch");
  options.validate();
  const SparseMatrix b = inverse.model().difference_operator();
  random::Engine engine(options.seed);
  SusceptibilityEstimate out;
  out.norms = Vector::Zero(b.rows());
  Matrix x;
  Matrix drops;
  for (Index first = 0; first < options.probes; first += options.block_size) {
    const Index count = std::min(options.block_size, options.probes - first);
    const Matrix z = gaussian_probes(inverse, count, engine);
    inverse.states(z, x);
    drops.noalias() = b * x;  // M x count: s_i . z_j
    out.norms += drops.rowwise().squaredNorm();
  }
  out.norms /= static_cast<double>(options.probes);
  out.probes = options.probes;
  out.relative_standard_error = std::sqrt(2.0 / static_cast<double>(options.probes));
  return out;
}

}  // namespace plnet::analysis
