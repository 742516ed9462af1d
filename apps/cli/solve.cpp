// plnet solve: the state of a network under sources, injections and constraints.
#include "common.hpp"

#include <plnet/core/error.hpp>
#include <plnet/io/network_io.hpp>
#include <plnet/physics/linear_response.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace plnet::cli {
namespace {

// Error estimate above which not even the first digit of the state is right.
constexpr double kNoCorrectDigit = 0.1;

struct SolveCommand {
  std::string network_path;
  Index snapshot = -1;
  ConditionOptions conditions;
  std::string backend = "auto";
  CLI::Option* backend_option = nullptr;  // to tell an explicit --backend from the default
  std::string form = "elimination";
  std::string format = "json";
  std::string output;
};

std::vector<double> to_std(const Vector& v) {
  return {v.data(), v.data() + v.size()};
}

nlohmann::json state_json(const graph::Network& net, const physics::LinearModel& model,
                          const physics::BoundaryConditions& bc, const physics::State& st,
                          const std::string& backend) {
  nlohmann::json out;
  out["model"] = physics::to_string(model.kind());
  out["num_nodes"] = net.num_nodes();
  out["num_edges"] = net.num_edges();
  if (model.kind() == physics::ModelKind::kSpring) {
    const int d = model.dofs_per_node();
    nlohmann::json disp = nlohmann::json::array();
    for (Index n = 0; n < model.num_nodes(); ++n)
      disp.push_back(std::vector<double>(st.x.data() + n * d, st.x.data() + (n + 1) * d));
    out["displacements"] = disp;
    out["extensions"] = to_std(st.drops);
    out["tensions"] = to_std(st.currents);
    // docs/conventions.md: the elastic energy 1/2 sum k ext^2 >= 0, the energy E = elastic
    // energy - work of the applied forces (what the solve minimises), and power = 2 x elastic.
    out["elastic_energy"] = 0.5 * st.power;
    out["energy"] = st.energy;
    out["power"] = st.power;
  } else {
    out["voltages"] = to_std(st.x);
    out["drops"] = to_std(st.drops);
    out["currents"] = to_std(st.currents);
    out["power"] = st.power;
  }
  nlohmann::json reactions = nlohmann::json::array();
  for (std::size_t h = 0; h < bc.holds.size(); ++h)
    reactions.push_back({{"dof", bc.holds[h].dof},
                         {"node", model.node_of(bc.holds[h].dof)},
                         {"value", bc.holds[h].value},
                         {"injected", st.reactions[static_cast<Index>(h)]}});
  out["held"] = reactions;
  out["solver"] = {{"backend", backend},
                   {"refinement_steps", st.report.refinement_steps},
                   {"backward_error", st.report.backward_error},
                   {"error_estimate", st.report.error_estimate}};
  return out;
}

std::string state_text(const graph::Network& net, const physics::LinearModel& model,
                       const physics::State& st, const std::string& backend) {
  std::ostringstream out;
  out.precision(10);
  const bool spring = model.kind() == physics::ModelKind::kSpring;
  out << physics::to_string(model.kind()) << " network: " << net.num_nodes() << " nodes, "
      << net.num_edges() << " edges; solver " << backend << ", backward error "
      << st.report.backward_error << ", error estimate " << st.report.error_estimate << "\n";
  if (spring)
    out << "elastic energy " << 0.5 * st.power << "\nenergy (elastic - work of forces) "
        << st.energy << "\n";
  else
    out << "dissipated power " << st.power << "\n";
  out << (spring ? "# node  displacement\n" : "# node  voltage\n");
  const int d = model.dofs_per_node();
  for (Index n = 0; n < model.num_nodes(); ++n) {
    out << n;
    for (int c = 0; c < d; ++c) out << "  " << st.x[n * d + c];
    out << "\n";
  }
  out << (spring ? "# edge  a  b  extension  tension\n" : "# edge  a  b  drop  current\n");
  for (Index e = 0; e < net.num_edges(); ++e)
    out << e << "  " << net.edge(e).a << "  " << net.edge(e).b << "  " << st.drops[e] << "  "
        << st.currents[e] << "\n";
  return out.str();
}

std::string state_summary(const graph::Network& net, const physics::LinearModel& model,
                          const physics::BoundaryConditions& bc, const physics::State& st,
                          const std::string& backend) {
  std::ostringstream out;
  out.precision(6);
  const bool spring = model.kind() == physics::ModelKind::kSpring;
  out << physics::to_string(model.kind()) << " network: " << net.num_nodes() << " nodes, "
      << net.num_edges() << " edges, mean degree "
      << 2.0 * static_cast<double>(net.num_edges()) / static_cast<double>(net.num_nodes()) << "\n";
  out << "  state range      [" << st.x.minCoeff() << ", " << st.x.maxCoeff() << "]\n";
  if (spring)
    out << "  elastic energy   " << 0.5 * st.power << "\n"
        << "  energy E         " << st.energy << " (elastic energy - work of the forces)\n";
  else
    out << "  dissipated power " << st.power << "\n";
  out << "  largest |" << (spring ? "tension" : "current") << "|  "
      << st.currents.cwiseAbs().maxCoeff() << "\n";
  for (std::size_t h = 0; h < bc.holds.size(); ++h)
    out << "  " << physics::dof_name(model, bc.holds[h].dof) << " held at " << bc.holds[h].value
        << ", injects " << st.reactions[static_cast<Index>(h)] << "\n";
  out << "  solver " << backend << ", backward error " << st.report.backward_error
      << ", error estimate " << st.report.error_estimate << " after " << st.report.refinement_steps
      << " refinement step(s)\n";
  return out.str();
}

void run(const SolveCommand& cmd) {
  check_output(cmd.output, {{cmd.network_path, "network file"}});
  const NetworkInput input = read_network_input(cmd.network_path, cmd.snapshot);
  const graph::Network& net = input.network;
  const auto model = make_model(net, chosen_model(cmd.conditions, input), cmd.network_path);
  const auto bc = to_boundary_conditions(cmd.conditions, model);
  physics::State st;
  std::string backend = cmd.backend;
  // The bordered form has one solver of its own: an explicit --backend would be silently
  // ignored, which is worse than an error.
  if (cmd.form == "bordered" && cmd.backend_option->count() > 0)
    throw std::invalid_argument(
        "--backend: not used by --form bordered, which has its own LU solver (bordered-lu: "
        "dense below 2000 unknowns, sparse above); drop --backend or use --form elimination");
  if (cmd.form == "bordered") {
    st = physics::solve_bordered(model, net.conductances(), bc);
    backend = "bordered-lu";
  } else {
    physics::LinearResponse response(model, bc, physics::SolveOptions::with_backend(cmd.backend));
    response.set_parameters(net.conductances());
    st = response.solve(bc);
    backend = response.backend_name();
  }
  // A state without a single correct digit (currents from drops below the resolution of their
  // voltages, e.g. a conductance of 1e308 next to ones of order 1) is not a result.
  if (st.report.error_estimate > kNoCorrectDigit) {
    const Vector& w = net.conductances();
    double held = 0.0;
    for (const auto& h : bc.holds) held = std::max(held, std::abs(h.value));
    throw std::invalid_argument(
        concat("solve: the state has no correct digit (estimated relative error ",
               st.report.error_estimate, "): parameters in [", w.minCoeff(), ", ", w.maxCoeff(),
               "] and held values up to ", held,
               " are beyond what double precision (16 digits) resolves; rescale or bound them"));
  }
  if (const std::string warning = physics::accuracy_warning(st); !warning.empty())
    std::cerr << "plnet: " << warning << "\n";
  std::string text;
  if (cmd.format == "json")
    text = state_json(net, model, bc, st, backend).dump(2) + "\n";
  else if (cmd.format == "text")
    text = state_text(net, model, st, backend);
  else
    text = state_summary(net, model, bc, st, backend);
  write_output(cmd.output, text);
}

}  // namespace

void register_solve(CLI::App& app) {
  auto cmd = std::make_shared<SolveCommand>();
  auto* sub = app.add_subcommand("solve", "Solve for the state of a network");
  sub->add_option("network", cmd->network_path,
                  "Network file (.json or edge list), or a run file of plnet train (.h5: its "
                  "network at the final parameters)")
      ->required()
      ->check(CLI::ExistingFile);
  add_snapshot_option(*sub, cmd->snapshot);
  add_condition_options(*sub, cmd->conditions);
  cmd->backend_option =
      sub->add_option("--backend", cmd->backend, "Sparse solver (--form elimination only)")
          ->check(CLI::IsMember(solver::solver_backends()))
          ->capture_default_str();
  sub->add_option("--form", cmd->form, "Eliminated (Dirichlet) or bordered (Lagrange) form")
      ->check(CLI::IsMember({"elimination", "bordered"}))
      ->capture_default_str();
  sub->add_option("--format", cmd->format, "Output format")
      ->check(CLI::IsMember({"json", "text", "summary"}))
      ->capture_default_str();
  sub->add_option("-o,--output", cmd->output, "Output file (default: standard output)");
  sub->callback([cmd] { run(*cmd); });
}

}  // namespace plnet::cli
