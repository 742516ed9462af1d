// plnet export spice: a SPICE netlist of a resistor network and its sources, for ngspice.
#include "common.hpp"

#include <plnet/core/error.hpp>
#include <plnet/io/network_io.hpp>
#include <plnet/io/spice.hpp>

namespace plnet::cli {
namespace {

struct ExportCommand {
  std::string network_path;
  ConditionOptions conditions;
  std::string output;
};

}  // namespace

void register_export(CLI::App& app) {
  auto* exp = app.add_subcommand("export", "Export a network to another format");
  exp->require_subcommand(1);
  auto cmd = std::make_shared<ExportCommand>();
  auto* spice = exp->add_subcommand("spice", "SPICE netlist (resistors and sources) for ngspice");
  spice->add_option("network", cmd->network_path, "Network file")
      ->required()
      ->check(CLI::ExistingFile);
  add_condition_options(*spice, cmd->conditions);
  spice->add_option("-o,--output", cmd->output, "Netlist file (default: standard output)");
  spice->callback([cmd] {
    check_output(cmd->output, {{cmd->network_path, "network file"}});
    const graph::Network net = io::read_network(cmd->network_path);
    require(cmd->conditions.model != "spring", "--model",
            "SPICE export needs a resistor network (got spring)");
    const auto model = make_model(net, cmd->conditions.model, cmd->network_path);
    const auto bc = to_boundary_conditions(cmd->conditions, model);
    physics::validate(model, bc);
    write_output(cmd->output, io::spice_netlist(net, bc, "plnet export of " + cmd->network_path));
  });
}

}  // namespace plnet::cli
