#include "common.hpp"

#include <plnet/core/error.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/io/network_io.hpp>
#include <plnet/io/output_paths.hpp>
#include <plnet/learning/run_file.hpp>

#include <charconv>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>

namespace plnet::cli {
namespace {

double parse_number(const std::string& option, const std::string& text, const std::string& part) {
  double value = 0.0;
  const char* begin = part.data();
  const char* end = part.data() + part.size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  require(ec == std::errc() && ptr == end && std::isfinite(value), option, "'", text, "': '", part,
          "' is not a finite number");
  return value;
}

Index parse_index(const std::string& option, const std::string& text, const std::string& part,
                  Index limit, const char* what) {
  Index value = 0;
  const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
  require(ec == std::errc() && ptr == part.data() + part.size(), option, "'", text, "': '", part,
          "' is not a ", what, " index");
  require(value >= 0 && value < limit, option, "'", text, "': ", what, " out of range (got ", value,
          ", need 0 <= ", what, " < ", limit, ")");
  return value;
}

std::pair<std::string, std::string> split_once(const std::string& option, const std::string& text,
                                               char separator) {
  const auto pos = text.find(separator);
  require(pos != std::string::npos && pos > 0 && pos + 1 < text.size(), option, "'", text,
          "': expected the form LEFT", separator, "RIGHT");
  return {text.substr(0, pos), text.substr(pos + 1)};
}

std::vector<double> parse_vector(const std::string& option, const std::string& text,
                                 const std::string& part, int dimension) {
  std::vector<double> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = part.find(',', start);
    out.push_back(parse_number(option, text, part.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  require(static_cast<int>(out.size()) == dimension, option, "'", text, "': need ", dimension,
          " comma-separated components (got ", out.size(), ")");
  return out;
}

}  // namespace

void add_condition_options(CLI::App& app, ConditionOptions& o, bool resistor_only) {
  const std::vector<std::string> models =
      resistor_only ? std::vector<std::string>{"resistor", "flow"}
                    : std::vector<std::string>{"resistor", "flow", "spring"};
  o.model_option = app.add_option("--model", o.model,
                                  "Physics of the network (default for a run file: its model)")
                       ->check(CLI::IsMember(models))
                       ->capture_default_str();
  app.add_option("--ground", o.ground,
                 resistor_only ? "Node held at 0; repeatable"
                               : "Node held at 0 (all components for springs); repeatable");
  app.add_option("--source", o.sources, "Voltage (pressure) source A=V: node A held at V");
  app.add_option("--current", o.currents, "Current injected into node A: A=I");
  if (!resistor_only) {
    app.add_option("--force", o.currents, "Force on a spring node: A=fx,fy[,fz]");
    app.add_option("--displacement", o.displacements, "Spring node held at A=ux,uy[,uz]");
  }
  app.add_option("--edge-source", o.edge_sources,
                 "Ideal source S in series with edge E: E=S (resistor drop = V_a - V_b - S)");
  app.add_option("--difference", o.differences, "Imposed difference x_A - x_B = V: A:B=V");
  app.add_option("--edge-drop", o.edge_drops,
                 resistor_only ? "Imposed drop on edge E: E=V"
                               : "Imposed drop (resistor) or extension (spring) on edge E: E=V");
}

NetworkInput read_network_input(const std::string& path, Index snapshot) {
  const std::string ext = std::filesystem::path(path).extension().string();
  NetworkInput in;
  if (ext != ".h5" && ext != ".hdf5") {
    require(snapshot < 0, "--snapshot", "needs a run file (got the network file ", path, ")");
    in.network = io::read_network(path);
    in.source = "network file";
    return in;
  }
  learning::RunContents run = learning::read_run(path);
  const physics::ModelKind kind = run.experiment.model->kind();
  require(kind != physics::ModelKind::kNode, path,
          "a node network's parameters are entries of W, not edge conductances (need a run of a "
          "resistor, flow or spring network)");
  Vector parameters = std::move(run.final_parameters);
  in.source = "final";
  if (snapshot >= 0) {
    const auto count = static_cast<Index>(run.snapshots.size());
    require(snapshot < count, "--snapshot", "out of range (got ", snapshot, ", need 0 <= K < ",
            count, ", the snapshots stored in ", path, ")");
    parameters = run.snapshots[static_cast<std::size_t>(snapshot)];
    in.source = concat("snapshot ", snapshot, " (step ",
                       run.snapshot_steps[static_cast<std::size_t>(snapshot)], ")");
  }
  in.network = run.experiment.network.with_conductances(std::move(parameters));
  in.model = physics::to_string(kind);
  return in;
}

void add_snapshot_option(CLI::App& app, Index& snapshot) {
  app.add_option("--snapshot", snapshot,
                 "With a run file: use its K-th stored parameter snapshot (0-based) instead of "
                 "the final parameters")
      ->check(CLI::NonNegativeNumber);
}

std::string chosen_model(const ConditionOptions& o, const NetworkInput& in) {
  const bool given = o.model_option != nullptr && o.model_option->count() > 0;
  if (in.model.empty()) return o.model;
  if (given) {
    const std::string asked = o.model == "flow" ? "resistor" : o.model;
    require(asked == in.model, "--model", "the run file trained a ", in.model,
            " network (got --model ", o.model, ")");
    return o.model;
  }
  return in.model;
}

physics::LinearModel make_model(const graph::Network& net, const std::string& name,
                                const std::string& path) {
  if (name != "spring") return physics::resistor_model(net);
  try {
    return physics::spring_model(net);
  } catch (const std::invalid_argument& e) {
    // "spring_model: the network has no node positions": say which option asked for it.
    const std::string what = e.what();
    const auto colon = what.find(": ");
    throw std::invalid_argument("--model spring: " + path + ": " +
                                (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
}

physics::BoundaryConditions to_boundary_conditions(const ConditionOptions& o,
                                                   const physics::LinearModel& model) {
  physics::BoundaryConditions bc;
  const Index nodes = model.num_nodes();
  const Index edges = model.num_parameters();
  const int d = model.dofs_per_node();
  const bool spring = model.kind() == physics::ModelKind::kSpring;
  for (const auto& text : o.ground)
    physics::hold_node(model, bc, parse_index("--ground", text, text, nodes, "node"), 0.0);
  for (const auto& text : o.sources) {
    require(!spring, "--source", "'", text, "': spring networks take --displacement");
    const auto [a, v] = split_once("--source", text, '=');
    bc.hold(parse_index("--source", text, a, nodes, "node"), parse_number("--source", text, v));
  }
  for (const auto& text : o.displacements) {
    require(spring, "--displacement", "'", text, "': only for --model spring");
    const auto [a, v] = split_once("--displacement", text, '=');
    const Index node = parse_index("--displacement", text, a, nodes, "node");
    const auto u = parse_vector("--displacement", text, v, d);
    for (int c = 0; c < d; ++c) bc.hold(node * d + c, u[static_cast<std::size_t>(c)]);
  }
  for (const auto& text : o.currents) {
    const char* option = spring ? "--force" : "--current";
    const auto [a, v] = split_once(option, text, '=');
    const Index node = parse_index(option, text, a, nodes, "node");
    const auto f = parse_vector(option, text, v, d);
    for (int c = 0; c < d; ++c) bc.inject(node * d + c, f[static_cast<std::size_t>(c)]);
  }
  for (const auto& text : o.edge_sources) {
    const auto [e, v] = split_once("--edge-source", text, '=');
    bc.edge_source(parse_index("--edge-source", text, e, edges, "edge"),
                   parse_number("--edge-source", text, v));
  }
  for (const auto& text : o.differences) {
    require(!spring, "--difference", "'", text, "': use --edge-drop for spring networks");
    const auto [pair, v] = split_once("--difference", text, '=');
    const auto [a, b] = split_once("--difference", pair, ':');
    const Index na = parse_index("--difference", text, a, nodes, "node");
    const Index nb = parse_index("--difference", text, b, nodes, "node");
    require(na != nb, "--difference", "'", text, "': the two nodes must differ");
    bc.impose_difference(na, nb, parse_number("--difference", text, v));
  }
  for (const auto& text : o.edge_drops) {
    const auto [e, v] = split_once("--edge-drop", text, '=');
    bc.constraints.push_back(
        physics::edge_constraint(model, parse_index("--edge-drop", text, e, edges, "edge"),
                                 parse_number("--edge-drop", text, v)));
  }
  return bc;
}

void check_output(const std::string& output, const std::vector<io::InputFile>& inputs) {
  io::check_outputs(inputs, {{output, "-o", ""}});
}

void write_output(const std::string& path, const std::string& content) {
  if (path.empty() || path == "-") {
    std::cout << content;
    return;
  }
  io::write_atomically(path, [&](std::ostream& out) { out << content; });
}

namespace {
volatile std::sig_atomic_t g_interrupt_signal = 0;
void record_interrupt(int signal) {
  g_interrupt_signal = signal;
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = record_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

int interrupt_signal() {
  return static_cast<int>(g_interrupt_signal);
}

int& exit_status() {
  static int status = 0;
  return status;
}

}  // namespace plnet::cli
