#pragma once
// Shared pieces of the plnet subcommands: boundary-condition options, output, errors.
#include <plnet/graph/network.hpp>
#include <plnet/io/output_paths.hpp>
#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace plnet::cli {

/// The boundary-condition options shared by `solve` and `export spice`, as typed on the
/// command line (parsed against a network by to_boundary_conditions).
struct ConditionOptions {
  std::string model = "resistor";
  std::vector<std::string> ground;         // "A"
  std::vector<std::string> sources;        // "A=V"
  std::vector<std::string> currents;       // "A=I"  (resistor) / forces "A=fx,fy[,fz]" (spring)
  std::vector<std::string> displacements;  // "A=ux,uy[,uz]" (spring)
  std::vector<std::string> edge_sources;   // "E=S"
  std::vector<std::string> differences;    // "A:B=V"
  std::vector<std::string> edge_drops;     // "E=V"
  CLI::Option* model_option = nullptr;     // --model, to tell a default from a choice
};

/// A network to work on, read from a network file (JSON, edge list) or from a run file of
/// `plnet train` (.h5): its network with the final parameters as conductances (stiffnesses),
/// or those of the stored snapshot `snapshot` (>= 0; -1: final).
struct NetworkInput {
  graph::Network network;
  std::string model;   ///< the run's model ("resistor", "spring"); empty for a network file
  std::string source;  ///< what the parameters are: "network file", "final", "snapshot K (step S)"
};
/// Reads `path` as above. A run of a node network is refused (its parameters are not edge
/// conductances), as is --snapshot with a network file or out of range.
NetworkInput read_network_input(const std::string& path, Index snapshot);
/// Adds --snapshot K (a run file's K-th stored parameter snapshot) to a subcommand.
void add_snapshot_option(CLI::App& app, Index& snapshot);
/// The model to build: --model if given, else the run's model, else the default ("resistor").
/// A --model that contradicts the run's is an error.
std::string chosen_model(const ConditionOptions& options, const NetworkInput& input);

/// Adds --model, --ground, --source, --current, --force, --displacement, --edge-source,
/// --difference and --edge-drop to a subcommand. `resistor_only` (export spice) leaves out
/// the spring model and the spring-only --force and --displacement, so --help offers only what
/// the subcommand can use.
void add_condition_options(CLI::App& app, ConditionOptions& options, bool resistor_only = false);

/// The model named by options.model for this network ("resistor", "flow" = resistor,
/// "spring"); `path`, the network's file, is named when the network cannot take the model.
physics::LinearModel make_model(const graph::Network& net, const std::string& name,
                                const std::string& path);

/// Parses the options against the network; every error names the option and its text.
physics::BoundaryConditions to_boundary_conditions(const ConditionOptions& options,
                                                   const physics::LinearModel& model);

/// Checks the file named by -o (none: standard output) before any work: its directory exists
/// and is writable, it is not read-only and it is none of `inputs` (io::check_outputs).
void check_output(const std::string& output, const std::vector<io::InputFile>& inputs);

/// Writes `content` to `path` atomically, or to stdout when path is empty or "-".
void write_output(const std::string& path, const std::string& content);

/// SIGINT and SIGTERM set a flag instead of ending the process, so that a long command can
/// finish its current step, write a checkpoint and say how to continue (exit 128 + signal).
void install_interrupt_handlers();
/// The signal received since install_interrupt_handlers (SIGINT or SIGTERM), or 0.
int interrupt_signal();

/// The exit code main() returns after a successful parse (a subcommand sets it when its work
/// ran but its outcome is a failure, e.g. `reproduce` with a failed check: 3).
int& exit_status();
/// Exit code of `train` when an update took H(w) through zero (the run stopped with a
/// checkpoint of the last positive-definite state).
inline constexpr int kExitNotPositiveDefinite = 4;

void register_generate(CLI::App& app);
void register_solve(CLI::App& app);
void register_export(CLI::App& app);
void register_train(CLI::App& app);
void register_inspect(CLI::App& app);
void register_analyze(CLI::App& app);
void register_reproduce(CLI::App& app);

}  // namespace plnet::cli
