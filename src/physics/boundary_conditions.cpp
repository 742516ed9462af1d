#include <plnet/core/error.hpp>
#include <plnet/graph/network.hpp>
#include <plnet/physics/boundary_conditions.hpp>

#include <cmath>
#include <map>

namespace plnet::physics {

void hold_node(const LinearModel& model, BoundaryConditions& bc, Index node, double value) {
  require(node >= 0 && node < model.num_nodes(), "hold_node", "node out of range (got ", node,
          ", need 0 <= node < ", model.num_nodes(), ")");
  for (int c = 0; c < model.dofs_per_node(); ++c) bc.hold(node * model.dofs_per_node() + c, value);
}

LinearConstraint edge_constraint(const LinearModel& model, Index edge, double value) {
  require(model.rank_one(), "edge_constraint", "needs a difference network (got ",
          to_string(model.kind()), ")");
  require(edge >= 0 && edge < model.num_parameters(), "edge_constraint", "edge out of range (got ",
          edge, ", need 0 <= edge < ", model.num_parameters(), ")");
  const auto d = model.stamp_dofs(edge);
  const auto b = model.stamp_vector(edge);
  return {std::vector<Index>(d.begin(), d.end()), std::vector<double>(b.begin(), b.end()), value};
}

std::string dof_name(const LinearModel& model, Index dof) {
  if (model.dofs_per_node() == 1) return concat("node ", dof);
  static constexpr const char* kAxes = "xyz";
  return concat("node ", model.node_of(dof), " component ", kAxes[dof % model.dofs_per_node()]);
}

void validate(const LinearModel& model, const BoundaryConditions& bc) {
  const std::string where = "boundary conditions";
  const Index n = model.num_dofs();
  auto check_dof = [&](Index dof, const char* what, std::size_t k) {
    require(dof >= 0 && dof < n, where, what, "[", k, "]: index out of range (got ", dof,
            ", need 0 <= index < ", n, ")");
  };
  std::map<Index, double> held;
  for (std::size_t k = 0; k < bc.holds.size(); ++k) {
    const auto& h = bc.holds[k];
    check_dof(h.dof, "holds", k);
    require(std::isfinite(h.value), where, dof_name(model, h.dof),
            ": held value must be finite (got ", h.value, ")");
    const auto [it, inserted] = held.emplace(h.dof, h.value);
    require(inserted, where, dof_name(model, h.dof), " is held twice (values ", it->second, " and ",
            h.value, "): conflicting sources");
  }
  for (std::size_t k = 0; k < bc.injections.size(); ++k) {
    const auto& inj = bc.injections[k];
    check_dof(inj.dof, "injections", k);
    require(std::isfinite(inj.amount), where, dof_name(model, inj.dof),
            ": injected amount must be finite (got ", inj.amount, ")");
    require(!held.contains(inj.dof), where, dof_name(model, inj.dof),
            " is both held (source or ground) and driven (injection)");
  }
  for (std::size_t k = 0; k < bc.constraints.size(); ++k) {
    const auto& c = bc.constraints[k];
    require(c.dofs.size() == c.coefficients.size() && !c.dofs.empty(), where, "constraints[", k,
            "]: needs as many coefficients as dofs, at least one (got ", c.dofs.size(), " dofs, ",
            c.coefficients.size(), " coefficients)");
    bool any = false;
    bool all_held = true;
    for (std::size_t j = 0; j < c.dofs.size(); ++j) {
      check_dof(c.dofs[j], "constraints", k);
      require(std::isfinite(c.coefficients[j]), where, "constraints[", k,
              "]: coefficient must be finite (got ", c.coefficients[j], ")");
      if (c.coefficients[j] != 0.0) {
        any = true;
        all_held = all_held && held.contains(c.dofs[j]);
      }
    }
    require(any, where, "constraints[", k, "]: all coefficients are zero");
    require(std::isfinite(c.value), where, "constraints[", k, "]: value must be finite (got ",
            c.value, ")");
    require(!all_held, where, "constraints[", k, "]: involves only held dofs: conflicting sources");
  }
  for (std::size_t k = 0; k < bc.edge_sources.size(); ++k) {
    const auto& s = bc.edge_sources[k];
    require(model.rank_one(), where, "edge sources need a difference network (got ",
            to_string(model.kind()), ")");
    require(s.edge >= 0 && s.edge < model.num_parameters(), where, "edge_sources[", k,
            "]: edge out of range (got ", s.edge, ", need 0 <= edge < ", model.num_parameters(),
            ")");
    require(std::isfinite(s.value), where, "edge_sources[", k, "]: value must be finite (got ",
            s.value, ")");
  }
  if (!model.rank_one()) return;  // node networks need no ground: H = W may be definite alone

  // Every connected component (stamps and constraints connect dofs; for springs the d
  // components of a node are one unit) must contain a held dof, or it floats.
  std::vector<graph::Edge> links;
  const int per = model.dofs_per_node();
  for (Index i = 0; i < model.num_parameters(); ++i) {
    const auto d = model.stamp_dofs(i);
    for (std::size_t r = 1; r < d.size(); ++r) links.push_back({d[0] / per, d[r] / per});
  }
  for (const auto& c : bc.constraints)
    for (std::size_t r = 1; r < c.dofs.size(); ++r)
      links.push_back({c.dofs[0] / per, c.dofs[r] / per});
  const auto comps = graph::connected_components(model.num_nodes(), links);
  std::vector<bool> grounded(static_cast<std::size_t>(comps.count), false);
  for (const auto& h : bc.holds)
    grounded[static_cast<std::size_t>(comps.label[static_cast<std::size_t>(h.dof / per)])] = true;
  for (Index label = 0; label < comps.count; ++label) {
    if (grounded[static_cast<std::size_t>(label)]) continue;
    std::string nodes;
    Index count = 0;
    for (Index node = 0; node < model.num_nodes(); ++node) {
      if (comps.label[static_cast<std::size_t>(node)] != label) continue;
      if (count < 8) nodes += (count ? ", " : "") + std::to_string(node);
      ++count;
    }
    if (count > 8) nodes += ", ...";
    throw std::invalid_argument(
        concat(where, ": floating component with no ground or held node: ", count,
               count == 1 ? " node {" : " nodes {", nodes, "}; ground one of them"));
  }
}

}  // namespace plnet::physics
