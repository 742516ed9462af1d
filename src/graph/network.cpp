#include <plnet/core/error.hpp>
#include <plnet/core/memory.hpp>
#include <plnet/graph/network.hpp>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <string>

namespace plnet::graph {

namespace {

std::uint64_t undirected_key(Index a, Index b) {
  const auto lo = static_cast<std::uint64_t>(std::min(a, b));
  const auto hi = static_cast<std::uint64_t>(std::max(a, b));
  return (hi << 32U) | lo;
}

// A count as an integer when it is one (memory messages; doubles print as 2e+09 otherwise).
std::string count_text(double count) {
  return count < 9e18 ? std::to_string(static_cast<long long>(count)) : concat(count);
}

}  // namespace

double network_memory_bytes(double nodes, double edges) {
  constexpr double kBytesPerNode = 256.0;
  constexpr double kBytesPerEdge = 256.0;
  return kBytesPerNode * nodes + kBytesPerEdge * edges;
}

std::string network_size_text(double nodes, double edges, bool edges_estimated) {
  return concat(count_text(nodes), nodes == 1 ? " node and " : " nodes and ",
                edges_estimated ? "about " : "", count_text(edges),
                edges == 1 ? " edge" : " edges");
}

Network::Network(Index num_nodes, std::vector<Edge> edges, Vector conductances, Matrix positions,
                 Vector box)
    : num_nodes_(num_nodes),
      edges_(std::move(edges)),
      conductances_(std::move(conductances)),
      positions_(std::move(positions)),
      box_(std::move(box)) {
  const std::string where = "network";
  require(num_nodes_ >= 1, where, "num_nodes must be positive (got ", num_nodes_, ")");
  require(num_nodes_ < (Index{1} << 31), where, "too many nodes (got ", num_nodes_, ")");
  const auto edge_count = static_cast<double>(edges_.size());
  require_memory(network_memory_bytes(static_cast<double>(num_nodes_), edge_count), where,
                 network_size_text(static_cast<double>(num_nodes_), edge_count, false));
  std::vector<std::pair<std::uint64_t, std::size_t>> keys;  // (undirected key, edge index)
  keys.reserve(edges_.size());
  for (std::size_t i = 0; i < edges_.size(); ++i) {
    const auto [a, b] = edges_[i];
    require(a >= 0 && a < num_nodes_ && b >= 0 && b < num_nodes_, where, "edges[", i,
            "]: node index out of range (got [", a, ", ", b, "], need 0 <= index < ", num_nodes_,
            ")");
    require(a != b, where, "edges[", i, "]: self-loop on node ", a);
    keys.emplace_back(undirected_key(a, b), i);
  }
  // Sorting finds duplicates several times faster than a hash set at millions of edges; the
  // later of two equal edges is the one reported.
  std::sort(keys.begin(), keys.end());
  for (std::size_t k = 1; k < keys.size(); ++k) {
    if (keys[k].first != keys[k - 1].first) continue;
    const auto& e = edges_[keys[k].second];
    require(false, where, "edges[", keys[k].second, "]: duplicate edge [", e.a, ", ", e.b, "]");
  }
  if (conductances_.size() == 0) conductances_ = Vector::Ones(num_edges());
  require(conductances_.size() == num_edges(), where, "conductances: wrong length (got ",
          conductances_.size(), ", need ", num_edges(), ")");
  for (Index i = 0; i < num_edges(); ++i) {
    const double k = conductances_[i];
    require(std::isfinite(k) && k > 0.0, where, "conductances[", i,
            "]: must be finite and > 0 (got ", k, ")");
  }
  if (positions_.size() > 0) {
    require(positions_.rows() == num_nodes_, where, "positions: wrong number of rows (got ",
            positions_.rows(), ", need ", num_nodes_, ")");
    require(positions_.cols() == 2 || positions_.cols() == 3, where,
            "positions: dimension must be 2 or 3 (got ", positions_.cols(), ")");
    for (Index n = 0; n < num_nodes_; ++n)
      for (Index d = 0; d < positions_.cols(); ++d)
        require(std::isfinite(positions_(n, d)), where, "positions[", n, "][", d,
                "]: must be finite (got ", positions_(n, d), ")");
  } else {
    positions_.resize(0, 0);
  }
  if (box_.size() > 0) {
    require(positions_.size() > 0, where, "box: a periodic box needs node positions (got a box of ",
            box_.size(), " sides and no positions)");
    require(box_.size() == positions_.cols(), where, "box: wrong length (got ", box_.size(),
            ", need ", positions_.cols(), ", one side per position coordinate)");
    for (Index d = 0; d < box_.size(); ++d)
      require(std::isfinite(box_[d]) && box_[d] > 0.0, where, "box[", d,
              "]: must be finite and > 0 (got ", box_[d], ")");
  }
}

Network Network::with_conductances(Vector conductances) const {
  return Network(num_nodes_, edges_, std::move(conductances), positions_, box_)
      .with_source_nodes(source_nodes_);
}

Network Network::with_source_nodes(std::vector<Index> source_nodes) const {
  const std::string where = "network";
  require(source_nodes.empty() || static_cast<Index>(source_nodes.size()) == num_nodes_, where,
          "source_nodes: wrong length (got ", source_nodes.size(), ", need ", num_nodes_,
          ", one per node)");
  for (std::size_t n = 0; n < source_nodes.size(); ++n)
    require(source_nodes[n] >= 0 && (n == 0 || source_nodes[n] > source_nodes[n - 1]), where,
            "source_nodes[", n, "]: must be >= 0 and larger than the previous entry (got ",
            source_nodes[n], ")");
  Network out = *this;
  out.source_nodes_ = std::move(source_nodes);
  return out;
}

Vector minimum_image(Vector v, const Vector& box) {
  if (box.size() == 0) return v;
  assert(v.size() == box.size() && "minimum_image: displacement and box differ in length");
  for (Index d = 0; d < v.size(); ++d) v[d] -= box[d] * std::nearbyint(v[d] / box[d]);
  return v;
}

Vector bond_vector(const Network& net, Index i) {
  assert(net.has_positions() && "bond_vector: the network has no positions");
  const Edge& e = net.edge(i);
  return minimum_image((net.positions().row(e.a) - net.positions().row(e.b)).transpose(),
                       net.box());
}

std::vector<std::vector<Index>> Network::adjacency() const {
  std::vector<std::vector<Index>> adj(static_cast<std::size_t>(num_nodes_));
  for (const auto& e : edges_) {
    adj[static_cast<std::size_t>(e.a)].push_back(e.b);
    adj[static_cast<std::size_t>(e.b)].push_back(e.a);
  }
  for (auto& list : adj) std::sort(list.begin(), list.end());
  return adj;
}

Components connected_components(Index num_nodes, const std::vector<Edge>& edges) {
  // Union-find with path halving; labels are then renumbered by first appearance.
  std::vector<Index> parent(static_cast<std::size_t>(num_nodes));
  std::iota(parent.begin(), parent.end(), Index{0});
  auto find = [&](Index x) {
    while (parent[static_cast<std::size_t>(x)] != x) {
      auto& p = parent[static_cast<std::size_t>(x)];
      p = parent[static_cast<std::size_t>(p)];
      x = p;
    }
    return x;
  };
  for (const auto& e : edges) {
    const Index ra = find(e.a), rb = find(e.b);
    if (ra != rb) parent[static_cast<std::size_t>(std::max(ra, rb))] = std::min(ra, rb);
  }
  Components c;
  c.label.assign(static_cast<std::size_t>(num_nodes), -1);
  std::vector<Index> root_label(static_cast<std::size_t>(num_nodes), -1);
  for (Index n = 0; n < num_nodes; ++n) {
    auto& rl = root_label[static_cast<std::size_t>(find(n))];
    if (rl < 0) rl = c.count++;
    c.label[static_cast<std::size_t>(n)] = rl;
  }
  return c;
}

Network largest_component(const Network& net) {
  const Components comps = connected_components(net.num_nodes(), net.edges());
  std::vector<Index> size(static_cast<std::size_t>(comps.count), 0);
  for (Index l : comps.label) ++size[static_cast<std::size_t>(l)];
  // Labels are numbered by smallest node, so max_element's first maximum is the tie-break.
  const Index keep = std::max_element(size.begin(), size.end()) - size.begin();
  std::vector<Index> new_index(static_cast<std::size_t>(net.num_nodes()), -1);
  Index count = 0;
  for (Index n = 0; n < net.num_nodes(); ++n)
    if (comps.label[static_cast<std::size_t>(n)] == keep)
      new_index[static_cast<std::size_t>(n)] = count++;
  std::vector<Edge> edges;
  std::vector<double> k;
  for (Index i = 0; i < net.num_edges(); ++i) {
    const auto& e = net.edge(i);
    if (new_index[static_cast<std::size_t>(e.a)] < 0) continue;
    edges.push_back(
        {new_index[static_cast<std::size_t>(e.a)], new_index[static_cast<std::size_t>(e.b)]});
    k.push_back(net.conductances()[i]);
  }
  Matrix pos;
  if (net.has_positions()) {
    pos.resize(count, net.dimension());
    for (Index n = 0; n < net.num_nodes(); ++n)
      if (new_index[static_cast<std::size_t>(n)] >= 0)
        pos.row(new_index[static_cast<std::size_t>(n)]) = net.positions().row(n);
  }
  if (count == net.num_nodes()) return net;
  std::vector<Index> source;
  for (Index n = 0; n < net.num_nodes(); ++n)
    if (new_index[static_cast<std::size_t>(n)] >= 0)
      source.push_back(
          net.source_nodes().empty() ? n : net.source_nodes()[static_cast<std::size_t>(n)]);
  return Network(count, std::move(edges),
                 Eigen::Map<Vector>(k.data(), static_cast<Index>(k.size())), std::move(pos),
                 net.box())
      .with_source_nodes(std::move(source));
}

}  // namespace plnet::graph
