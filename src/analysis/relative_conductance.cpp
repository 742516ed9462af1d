#include <plnet/analysis/relative_conductance.hpp>
#include <plnet/core/error.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace plnet::analysis {

Vector relative_conductance(const graph::Network& net, const Vector& conductances) {
  const std::string where = "relative_conductance";
  require(conductances.size() == net.num_edges(), where, "need one conductance per edge (got ",
          conductances.size(), ", need ", net.num_edges(), ")");
  for (Index e = 0; e < conductances.size(); ++e)
    require(std::isfinite(conductances[e]) && conductances[e] > 0.0, where, "conductance ", e,
            " must be finite and > 0 (got ", conductances[e], ")");
  // Incident edges per node. Summing the neighbours explicitly (rather than node sums minus
  // k_e) avoids cancellation when k_e dwarfs its neighbours (000 allows k in [1e-6, 1e6]).
  std::vector<std::vector<Index>> incident(static_cast<std::size_t>(net.num_nodes()));
  for (Index e = 0; e < net.num_edges(); ++e) {
    incident[static_cast<std::size_t>(net.edge(e).a)].push_back(e);
    incident[static_cast<std::size_t>(net.edge(e).b)].push_back(e);
  }
  Vector out(net.num_edges());
  for (Index e = 0; e < net.num_edges(); ++e) {
    double neighbours = 0.0;
    Index count = 0;
    // In a simple graph no other edge is incident to both ends, so nothing is counted twice.
    for (const Index v : {net.edge(e).a, net.edge(e).b}) {
      for (const Index j : incident[static_cast<std::size_t>(v)]) {
        if (j == e) continue;
        neighbours += conductances[j];
        ++count;
      }
    }
    out[e] = count > 0 ? conductances[e] / (neighbours / static_cast<double>(count))
                       : std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

}  // namespace plnet::analysis
