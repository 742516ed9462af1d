#include <plnet/core/error.hpp>
#include <plnet/learning/task.hpp>

#include <cmath>
#include <set>

namespace plnet::learning {

InputChannel hold_input(Index dof, std::string name) {
  return {InputKind::kHold, {dof}, {1.0}, std::move(name)};
}
InputChannel injection_input(std::vector<Index> dofs, std::vector<double> coefficients,
                             std::string name) {
  return {InputKind::kInjection, std::move(dofs), std::move(coefficients), std::move(name)};
}
InputChannel edge_source_input(Index edge, std::string name) {
  return {InputKind::kEdgeSource, {edge}, {1.0}, std::move(name)};
}
Readout node_readout(Index dof, std::string name) {
  return {{dof}, {1.0}, std::move(name), -1};
}
Readout difference_readout(Index dof_a, Index dof_b, std::string name) {
  return {{dof_a, dof_b}, {1.0, -1.0}, std::move(name), -1};
}
Readout edge_readout(const physics::LinearModel& model, Index edge, std::string name) {
  const auto c = physics::edge_constraint(model, edge, 0.0);
  return {c.dofs, c.coefficients, std::move(name), edge};
}

void Task::validate(const physics::LinearModel& model) const {
  const std::string where = "task";
  const Index n = model.num_dofs();
  std::set<Index> held;
  for (const auto& h : fixed.holds) held.insert(h.dof);
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const auto& in = inputs[k];
    const std::string label =
        concat("inputs[", k, "]", in.name.empty() ? "" : " ('" + in.name + "')");
    require(!in.targets.empty(), where, label, ": has no target");
    for (double c : in.coefficients)
      require(std::isfinite(c), where, label, ": coefficients must be finite (got ", c, ")");
    switch (in.kind) {
      case InputKind::kHold: {
        require(in.targets.size() == 1, where, label, ": a held input has exactly one dof");
        require(in.coefficients.size() <= 1, where, label,
                ": a held input has at most one coefficient, its gain");
        const Index dof = in.targets[0];
        require(dof >= 0 && dof < n, where, label, ": dof out of range (got ", dof, ", need < ", n,
                ")");
        require(held.insert(dof).second, where, label, ": ", physics::dof_name(model, dof),
                " is already held by another input or a fixed condition");
        break;
      }
      case InputKind::kInjection:
        require(in.coefficients.size() == in.targets.size(), where, label,
                ": needs one coefficient per dof (got ", in.coefficients.size(), " for ",
                in.targets.size(), ")");
        for (Index dof : in.targets)
          require(dof >= 0 && dof < n, where, label, ": dof out of range (got ", dof, ", need < ",
                  n, ")");
        break;
      case InputKind::kEdgeSource:
        require(model.rank_one(), where, label, ": edge sources need a difference network");
        require(in.coefficients.size() <= 1, where, label,
                ": an edge source has at most one coefficient, its gain");
        require(
            in.targets.size() == 1 && in.targets[0] >= 0 && in.targets[0] < model.num_parameters(),
            where, label, ": edge out of range (got ", in.targets[0], ", need < ",
            model.num_parameters(), ")");
        break;
    }
  }
  std::set<Index> source_edges;
  for (const auto& in : inputs)
    if (in.kind == InputKind::kEdgeSource) source_edges.insert(in.targets[0]);
  require(!outputs.empty(), where, "no outputs");
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const auto& out = outputs[k];
    const std::string label =
        concat("outputs[", k, "]", out.name.empty() ? "" : " ('" + out.name + "')");
    require(!out.dofs.empty() && out.dofs.size() == out.coefficients.size(), where, label,
            ": needs as many coefficients as dofs, at least one");
    bool reads_free = false;
    for (std::size_t j = 0; j < out.dofs.size(); ++j) {
      require(out.dofs[j] >= 0 && out.dofs[j] < n, where, label, ": dof out of range (got ",
              out.dofs[j], ", need < ", n, ")");
      reads_free = reads_free || (out.coefficients[j] != 0.0 && !held.contains(out.dofs[j]));
    }
    require(reads_free, where, label, ": reads only held dofs (",
            physics::dof_name(model, out.dofs[0]), "): a target that is also a source");
    require(out.edge < 0 || !source_edges.contains(out.edge), where, label, ": edge ", out.edge,
            " is both an output and an input source: a target that is also a source");
  }
  physics::validate(model, conditions(Vector::Zero(num_inputs())));
}

physics::BoundaryConditions Task::conditions(const Vector& values, bool include_fixed) const {
  physics::BoundaryConditions bc = fixed;
  if (!include_fixed) {
    for (auto& h : bc.holds) h.value = 0.0;
    for (auto& i : bc.injections) i.amount = 0.0;
    for (auto& c : bc.constraints) c.value = 0.0;
    for (auto& s : bc.edge_sources) s.value = 0.0;
  }
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const auto& in = inputs[k];
    // Holds and edge sources: the channel's one coefficient is its gain (004's gamma).
    const double gain = in.coefficients.empty() ? 1.0 : in.coefficients[0];
    const double v = values[static_cast<Index>(k)];
    switch (in.kind) {
      case InputKind::kHold:
        bc.hold(in.targets[0], gain * v);
        break;
      case InputKind::kInjection:
        for (std::size_t j = 0; j < in.targets.size(); ++j)
          bc.inject(in.targets[j], in.coefficients[j] * v);
        break;
      case InputKind::kEdgeSource:
        bc.edge_source(in.targets[0], gain * v);
        break;
    }
  }
  return bc;
}

}  // namespace plnet::learning
