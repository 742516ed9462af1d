// plnet export spice: a SPICE netlist of a resistor network and its sources, for ngspice.
// plnet export network: a network file (JSON or edge list), e.g. the trained network of a run.
#include "common.hpp"

#include <plnet/core/error.hpp>
#include <plnet/io/network_io.hpp>
#include <plnet/io/spice.hpp>

#include <iostream>

namespace plnet::cli {
namespace {

struct ExportCommand {
  std::string network_path;
  Index snapshot = -1;
  ConditionOptions conditions;
  std::string output;
};

const char* const kInputHelp =
    "Network file (.json or edge list), or a run file of plnet train (.h5: its network at the "
    "final parameters)";

}  // namespace

void register_export(CLI::App& app) {
  auto* exp = app.add_subcommand("export", "Export a network to another format");
  exp->require_subcommand(1);
  auto cmd = std::make_shared<ExportCommand>();
  auto* spice = exp->add_subcommand("spice", "SPICE netlist (resistors and sources) for ngspice");
  spice->add_option("network", cmd->network_path, kInputHelp)->required()->check(CLI::ExistingFile);
  add_snapshot_option(*spice, cmd->snapshot);
  add_condition_options(*spice, cmd->conditions, /*resistor_only=*/true);
  spice->add_option("-o,--output", cmd->output, "Netlist file (default: standard output)");
  spice->callback([cmd] {
    check_output(cmd->output, {{cmd->network_path, "network file"}});
    const NetworkInput input = read_network_input(cmd->network_path, cmd->snapshot);
    const graph::Network& net = input.network;
    const std::string model_name = chosen_model(cmd->conditions, input);
    require(model_name != "spring", input.model.empty() ? "--model" : cmd->network_path,
            "SPICE export needs a resistor network (got spring)");
    const auto model = make_model(net, model_name, cmd->network_path);
    const auto bc = to_boundary_conditions(cmd->conditions, model);
    physics::validate(model, bc);
    write_output(cmd->output, io::spice_netlist(net, bc, "plnet export of " + cmd->network_path));
  });

  auto network = std::make_shared<ExportCommand>();
  auto* net_cmd = exp->add_subcommand(
      "network", "A network file (JSON or edge list), e.g. the trained network of a run file");
  net_cmd->add_option("input", network->network_path, kInputHelp)
      ->required()
      ->check(CLI::ExistingFile);
  add_snapshot_option(*net_cmd, network->snapshot);
  net_cmd
      ->add_option("-o,--output", network->output,
                   "Network file: .json (positions, box and conductances kept) or an edge list "
                   "(.txt, .edges, .el: a b k per line)")
      ->required();
  net_cmd->callback([network] {
    check_output(network->output, {{network->network_path, "input file"}});
    const NetworkInput input = read_network_input(network->network_path, network->snapshot);
    io::write_network(input.network, network->output);
    std::cout << "wrote " << network->output << ": " << input.network.num_nodes() << " nodes, "
              << input.network.num_edges() << " edges, parameters: " << input.source << "\n";
  });
}

}  // namespace plnet::cli
