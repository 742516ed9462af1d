#include <plnet/analysis/topology.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>

#include <iostream>  // GUDHI 3.7 uses std::cout without including it

#include <gudhi/Persistent_cohomology.h>
#include <gudhi/Simplex_tree.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace plnet::analysis {
namespace {

void check_field(const graph::Network& net, const Vector& field, const std::string& where) {
  require(field.size() == net.num_nodes(), where, "field needs one value per node (got ",
          field.size(), ", need ", net.num_nodes(), ")");
  require(field.allFinite(), where, "field has a non-finite entry");
}

/// Node and edge filtration values (edge value >= both node values); everything below works
/// on these and converts back to field units with to_field.
struct Values {
  Vector node;
  Vector edge;
};

Values filtration_values(const graph::Network& net, const Vector& field, Filtration filtration) {
  Values v;
  v.node = filtration == Filtration::kSublevel     ? field
           : filtration == Filtration::kSuperlevel ? Vector(-field)
                                                   : Vector(Vector::Zero(field.size()));
  v.edge.resize(net.num_edges());
  for (Index e = 0; e < net.num_edges(); ++e) {
    const Index a = net.edge(e).a, b = net.edge(e).b;
    v.edge[e] = filtration == Filtration::kEdgeDrop ? std::abs(field[a] - field[b])
                                                    : std::max(v.node[a], v.node[b]);
  }
  return v;
}

double to_field(double g, Filtration filtration) {
  return filtration == Filtration::kSuperlevel ? -g : g;
}

}  // namespace

std::vector<std::pair<double, double>> persistence_diagram(const graph::Network& net,
                                                           const Vector& field,
                                                           Filtration filtration) {
  check_field(net, field, "persistence_diagram");
  const Values g = filtration_values(net, field, filtration);
  using Tree = Gudhi::Simplex_tree<>;
  Tree tree;
  for (Index v = 0; v < net.num_nodes(); ++v) tree.insert_simplex({static_cast<int>(v)}, g.node[v]);
  for (Index e = 0; e < net.num_edges(); ++e)
    tree.insert_simplex({static_cast<int>(net.edge(e).a), static_cast<int>(net.edge(e).b)},
                        g.edge[e]);
  Gudhi::persistent_cohomology::Persistent_cohomology<Tree, Gudhi::persistent_cohomology::Field_Zp>
      pcoh(tree);
  pcoh.init_coefficients(2);
  pcoh.compute_persistent_cohomology(0.0);  // drops intervals of length <= 0
  std::vector<std::pair<double, double>> out;
  for (const auto& [b, d] : pcoh.intervals_in_dimension(0))
    out.emplace_back(to_field(b, filtration),
                     std::isinf(d) ? to_field(std::numeric_limits<double>::infinity(), filtration)
                                   : to_field(d, filtration));
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return std::abs(x.second - x.first) > std::abs(y.second - y.first);
  });
  return out;
}

PersistentSectors persistent_sectors(const graph::Network& net, const Vector& field,
                                     Filtration filtration, double threshold) {
  const std::string where = "persistent_sectors";
  check_field(net, field, where);
  require(std::isfinite(threshold) && threshold >= 0.0, where,
          "threshold must be finite and >= 0 (got ", threshold, ")");
  const Values values = filtration_values(net, field, filtration);
  const Vector& g = values.node;
  const Vector& ge = values.edge;
  const Index n = net.num_nodes();
  // Node order (by g, then index) fixes ties; edges by value, then by their later endpoint.
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  std::sort(order.begin(), order.end(),
            [&](Index a, Index b) { return g[a] < g[b] || (g[a] == g[b] && a < b); });
  std::vector<Index> rank(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i)
    rank[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = i;
  const auto later = [&](const graph::Edge& e) {
    return std::max(rank[static_cast<std::size_t>(e.a)], rank[static_cast<std::size_t>(e.b)]);
  };
  std::vector<Index> edges(static_cast<std::size_t>(net.num_edges()));
  std::iota(edges.begin(), edges.end(), Index{0});
  std::sort(edges.begin(), edges.end(), [&](Index x, Index y) {
    if (ge[x] != ge[y]) return ge[x] < ge[y];
    const Index lx = later(net.edge(x)), ly = later(net.edge(y));
    return lx < ly || (lx == ly && x < y);
  });

  // Union-find; each root remembers its birth node (the elder extremum) and its members.
  std::vector<Index> parent(static_cast<std::size_t>(n)), birth(static_cast<std::size_t>(n));
  std::vector<std::vector<Index>> members(static_cast<std::size_t>(n));
  std::vector<Index> label(static_cast<std::size_t>(n));
  for (Index v = 0; v < n; ++v) {
    parent[static_cast<std::size_t>(v)] = v;
    birth[static_cast<std::size_t>(v)] = v;
    members[static_cast<std::size_t>(v)] = {v};
    label[static_cast<std::size_t>(v)] = v;
  }
  const auto find = [&](Index v) {
    while (parent[static_cast<std::size_t>(v)] != v) {
      parent[static_cast<std::size_t>(v)] =
          parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(v)])];
      v = parent[static_cast<std::size_t>(v)];
    }
    return v;
  };

  PersistentSectors out;
  for (const Index e : edges) {
    const Index a = net.edge(e).a, b = net.edge(e).b;
    Index ra = find(a), rb = find(b);
    if (ra == rb) continue;
    // Elder rule: the root whose birth node comes later in the filtration dies.
    if (rank[static_cast<std::size_t>(birth[static_cast<std::size_t>(ra)])] >
        rank[static_cast<std::size_t>(birth[static_cast<std::size_t>(rb)])])
      std::swap(ra, rb);
    const Index young = rb, old = ra;
    const Index born = birth[static_cast<std::size_t>(young)];
    const double death = ge[e];
    PersistencePair p{to_field(g[born], filtration), to_field(death, filtration), born, e};
    const bool persistent = p.persistence() > threshold;
    if (persistent) {
      out.death_edges.push_back(e);
    } else {
      // Cut the merge tree only at persistent deaths: this component (which holds no
      // persistent sub-component, their persistence would bound its own) joins the sector
      // of the node its death edge touches.
      const Index touch = find(a) == old ? a : b;
      const Index l = label[static_cast<std::size_t>(touch)];
      for (const Index v : members[static_cast<std::size_t>(young)])
        label[static_cast<std::size_t>(v)] = l;
    }
    out.pairs.push_back(p);
    auto& big = members[static_cast<std::size_t>(old)];
    auto& small = members[static_cast<std::size_t>(young)];
    big.insert(big.end(), small.begin(), small.end());
    small.clear();
    small.shrink_to_fit();
    parent[static_cast<std::size_t>(young)] = old;
  }
  for (Index v = 0; v < n; ++v) {
    if (find(v) != v) continue;
    const Index born = birth[static_cast<std::size_t>(v)];
    out.pairs.push_back({to_field(g[born], filtration),
                         to_field(std::numeric_limits<double>::infinity(), filtration), born, -1});
  }
  std::stable_sort(out.pairs.begin(), out.pairs.end(),
                   [](const auto& x, const auto& y) { return x.persistence() > y.persistence(); });
  // Sector ids in order of the labels' (birth nodes') filtration rank.
  std::vector<Index> id(static_cast<std::size_t>(n), -1);
  for (Index i = 0; i < n; ++i) {
    const Index v = order[static_cast<std::size_t>(i)];
    if (label[static_cast<std::size_t>(v)] == v) {
      id[static_cast<std::size_t>(v)] = out.count++;
      out.sector_birth_node.push_back(v);
    }
  }
  out.sector.resize(static_cast<std::size_t>(n));
  for (Index v = 0; v < n; ++v)
    out.sector[static_cast<std::size_t>(v)] =
        id[static_cast<std::size_t>(label[static_cast<std::size_t>(v)])];
  for (Index e = 0; e < net.num_edges(); ++e)
    if (out.sector[static_cast<std::size_t>(net.edge(e).a)] !=
        out.sector[static_cast<std::size_t>(net.edge(e).b)])
      out.boundary_edges.push_back(e);
  std::sort(out.death_edges.begin(), out.death_edges.end());
  return out;
}

EdgeSetOverlap boundary_overlap(const std::vector<Index>& boundary_edges, const Vector& scores,
                                Index top, Index random_sets, std::uint64_t seed) {
  const std::string where = "boundary_overlap";
  const Index m = scores.size();
  require(m >= 1, where, "scores is empty");
  require(!scores.hasNaN(), where, "scores has a NaN entry");
  require(top >= 1 && top <= m, where, "top must be in [1, ", m, "] (got ", top, ")");
  require(random_sets >= 0, where, "random_sets must be >= 0 (got ", random_sets, ")");
  std::vector<char> is_boundary(static_cast<std::size_t>(m), 0);
  for (const Index e : boundary_edges) {
    require(e >= 0 && e < m, where, "boundary edge ", e, " out of range [0, ", m, ")");
    require(!is_boundary[static_cast<std::size_t>(e)], where, "boundary edge ", e, " repeated");
    is_boundary[static_cast<std::size_t>(e)] = 1;
  }
  std::vector<Index> order(static_cast<std::size_t>(m));
  std::iota(order.begin(), order.end(), Index{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return scores[a] > scores[b]; });
  EdgeSetOverlap out;
  out.top = top;
  out.boundary = static_cast<Index>(boundary_edges.size());
  for (Index i = 0; i < top; ++i)
    out.overlap += is_boundary[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])];
  out.fraction = static_cast<double>(out.overlap) / static_cast<double>(top);
  out.expected =
      static_cast<double>(top) * static_cast<double>(out.boundary) / static_cast<double>(m);
  // Hypergeometric tail P(X >= overlap), X = boundary edges in a random top-set.
  const auto log_choose = [](Index nn, Index kk) {
    return std::lgamma(static_cast<double>(nn + 1)) - std::lgamma(static_cast<double>(kk + 1)) -
           std::lgamma(static_cast<double>(nn - kk + 1));
  };
  const Index b = out.boundary;
  double tail = 0.0;
  for (Index x = out.overlap; x <= std::min(top, b); ++x) {
    if (top - x > m - b) continue;
    tail += std::exp(log_choose(b, x) + log_choose(m - b, top - x) - log_choose(m, top));
  }
  out.p_value = std::min(1.0, tail);
  if (random_sets > 0) {
    random::Engine engine(seed);
    std::vector<Index> pool(static_cast<std::size_t>(m));
    double sum = 0.0, sum2 = 0.0;
    for (Index r = 0; r < random_sets; ++r) {
      std::iota(pool.begin(), pool.end(), Index{0});
      Index count = 0;
      // Partial Fisher-Yates: the first `top` entries are a uniform random subset.
      for (Index i = 0; i < top; ++i) {
        const Index j = i + random::uniform_index(engine, m - i);
        std::swap(pool[static_cast<std::size_t>(i)], pool[static_cast<std::size_t>(j)]);
        count += is_boundary[static_cast<std::size_t>(pool[static_cast<std::size_t>(i)])];
      }
      sum += static_cast<double>(count);
      sum2 += static_cast<double>(count) * static_cast<double>(count);
    }
    const double rs = static_cast<double>(random_sets);
    out.random_mean = sum / rs;
    out.random_sd =
        random_sets > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / rs) / (rs - 1.0))) : 0.0;
  }
  return out;
}

}  // namespace plnet::analysis
