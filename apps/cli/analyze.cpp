// plnet analyze: named measures of a network at given parameters (docs/analysis-cli.md).
// Input is an experiment file (analysed at its initial parameters) or a run file of
// `plnet train` (at its final parameters, or a stored snapshot). Every measure is computed
// before anything is written, so a failure leaves no output behind.
#include "common.hpp"

#include <plnet/io/output_paths.hpp>

#include <plnet/analysis/measures.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/field_names.hpp>
#include <plnet/core/memory.hpp>
#include <plnet/io/hdf5.hpp>
#include <plnet/learning/run_file.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace plnet::cli {
namespace {

inline constexpr Index kAnalysisFormatVersion = 1;

struct AnalyzeCommand {
  std::string input;
  std::string what;
  std::string output;
  std::string format = "h5";
  Index snapshot = -1;
  bool list = false;
  analysis::AnalysisOptions options;
};

// What the input file provides.
struct Input {
  std::string kind;  // "experiment" or "run"
  learning::Experiment experiment;
  Vector parameters;
  std::string parameters_source;  // "initial", "final", "snapshot"
  Index step = -1;                // training step of the parameters (-1: not from a run)
  std::vector<Vector> snapshots;
  std::vector<Index> snapshot_steps;
};

std::string extension(const std::string& path) {
  return std::filesystem::path(path).extension().string();
}

Input read_input(const AnalyzeCommand& cmd) {
  require(std::filesystem::is_regular_file(cmd.input), cmd.input, "no such file");
  const std::string ext = extension(cmd.input);
  Input in;
  if (ext == ".toml") {
    require(cmd.snapshot < 0, "--snapshot", "needs a run file (got the experiment file ", cmd.input,
            ")");
    in.kind = "experiment";
    in.experiment = learning::load_experiment(cmd.input);
    in.parameters = in.experiment.initial_parameters;
    in.parameters_source = "initial";
    return in;
  }
  require(ext == ".h5" || ext == ".hdf5", cmd.input,
          "expected a run file (.h5) or an experiment file (.toml) (got extension '", ext, "')");
  learning::RunContents run = learning::read_run(cmd.input);
  in.kind = "run";
  in.experiment = std::move(run.experiment);
  in.snapshots = std::move(run.snapshots);
  in.snapshot_steps = std::move(run.snapshot_steps);
  if (cmd.snapshot >= 0) {
    const auto count = static_cast<Index>(in.snapshots.size());
    require(cmd.snapshot < count, "--snapshot", "out of range (got ", cmd.snapshot,
            ", need 0 <= K < ", count, ", the snapshots stored in ", cmd.input, ")");
    in.parameters = in.snapshots[static_cast<std::size_t>(cmd.snapshot)];
    in.parameters_source = "snapshot";
    in.step = in.snapshot_steps[static_cast<std::size_t>(cmd.snapshot)];
  } else {
    in.parameters = std::move(run.final_parameters);
    in.parameters_source = "final";
  }
  return in;
}

// The measures named in --what; `all` is set when the list contains "all".
std::vector<const analysis::Measure*> selected_measures(const std::string& what, bool& all) {
  std::vector<const analysis::Measure*> out;
  all = false;
  std::stringstream in(what);
  for (std::string name; std::getline(in, name, ',');) {
    if (name.empty()) continue;
    if (name == "all") {
      all = true;
      for (const auto& m : analysis::measures()) out.push_back(&m);
      continue;
    }
    const analysis::Measure* m = analysis::find_measure(name);
    if (m == nullptr) {
      std::string known;
      for (const auto& k : analysis::measures()) known += (known.empty() ? "" : ", ") + k.name;
      throw std::invalid_argument("--what: unknown measure '" + name + "' (known: " + known +
                                  ", all)");
    }
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  }
  require(!out.empty(), "--what", "no measure named (got '", what, "')");
  return out;
}

std::string default_output(const std::string& input) {
  return std::filesystem::path(input).replace_extension(".analysis.h5").string();
}

nlohmann::json options_json(const analysis::AnalysisOptions& o) {
  return {{"modes", o.modes},
          {"stiff", o.stiff},
          {"forces", o.forces},
          {"seed", o.seed},
          {"neighbours", o.neighbours},
          {"sector_threshold", o.sector_threshold},
          {"landscape_grid", o.landscape_grid},
          {"landscape_extent", o.landscape_extent}};
}

void write_h5(const std::string& path, const AnalyzeCommand& cmd, const Input& in,
              const std::vector<std::pair<std::string, analysis::MeasureResults>>& results) {
  io::H5Writer w(path);
  io::write_format(w, "analysis", kAnalysisFormatVersion);
  w.write("/input/path", cmd.input, {"The run or experiment file analysed.", "", ""});
  w.write("/input/kind", in.kind, {"What the input is: experiment or run.", "", ""});
  w.write(
      "/input/parameters_source", in.parameters_source,
      {"Which parameters were analysed: initial (experiment), final or snapshot (run).", "", ""});
  w.write("/input/snapshot", cmd.snapshot,
          {"The run's parameter snapshot analysed (--snapshot), -1 when not used.",
           "index (snapshot)", ""});
  w.write("/input/config", in.experiment.config_text,
          {"The experiment TOML text of the input.", "", ""});
  w.write(
      "/parameters", in.parameters,
      {"The learning parameters analysed (conductances, stiffnesses or node weights).",
       "S (conductance), force / length (stiffness) or 1 (node weight), by model", "parameter"});
  const auto& o = cmd.options;
  w.write("/options/modes", o.modes, {"Modes reported (--modes).", "1", ""});
  w.write("/options/stiff", o.stiff,
          {"k of the cost-Hessian gap (--stiff; 0: the task's rank bound).", "1", ""});
  w.write("/options/forces", o.forces, {"Random unit-norm forces (--forces).", "1", ""});
  w.write("/options/seed", static_cast<Index>(o.seed),
          {"Seed of the random forces and baselines (--seed).", "1", ""});
  w.write("/options/neighbours", o.neighbours, {"Levina-Bickel k (--neighbours).", "1", ""});
  w.write("/options/sector_threshold", o.sector_threshold,
          {"Sector persistence threshold (--sector-threshold).", "1 (fraction of the field range)",
           ""});
  w.write("/options/landscape_grid", o.landscape_grid,
          {"Landscape grid points per axis (--grid).", "1", ""});
  w.write("/options/landscape_extent", o.landscape_extent,
          {"Landscape extent (--extent).", "1 (multiples of the largest trajectory offset)", ""});
  w.create_group("/measures");
  for (const auto& [name, r] : results) r.write(w, "/measures/" + name);
  io::require_described(w);
  w.commit();
}

void list_measures() {
  for (const auto& m : analysis::measures())
    std::cout << m.name << std::string(m.name.size() < 22 ? 22 - m.name.size() : 1, ' ')
              << m.description << "\n";
}

// The random forces (one state each) and the probes (one parameter vector each) are held
// together: refused before any work when they cannot fit in memory.
void require_option_memory(const analysis::AnalysisOptions& o, const physics::LinearModel& model) {
  const auto dofs = static_cast<double>(model.num_dofs());
  const auto m = static_cast<double>(model.num_parameters());
  require_memory(2.0 * 8.0 * static_cast<double>(o.forces) * dofs, "--forces",
                 concat(o.forces, " forces x ", model.num_dofs(), " degrees of freedom"));
  require_memory(2.0 * 8.0 * static_cast<double>(o.sketch_probes) * m, "--sketch-probes",
                 concat(o.sketch_probes, " probes x ", model.num_parameters(), " parameters"));
  for (Index r : o.probe_counts)
    require_memory(2.0 * 8.0 * static_cast<double>(r) * m, "--probes",
                   concat(r, " probes x ", model.num_parameters(), " parameters"));
}

void run(const AnalyzeCommand& cmd) {
  if (cmd.list) {
    list_measures();
    return;
  }
  // Missing arguments are usage errors (exit 2, like CLI11's own).
  if (cmd.input.empty())
    throw CLI::ValidationError("analyze", "an input file (run.h5 or experiment.toml) is required");
  if (cmd.what.empty())
    throw CLI::ValidationError("--what", "name the measures to compute (plnet analyze --list)");
  validate_with_names([&] { cmd.options.validate(); },
                      {{"AnalysisOptions::modes", "--modes"},
                       {"AnalysisOptions::stiff", "--stiff"},
                       {"AnalysisOptions::forces", "--forces"},
                       {"AnalysisOptions::neighbours", "--neighbours"},
                       {"AnalysisOptions::sector_threshold", "--sector-threshold"},
                       {"AnalysisOptions::landscape_grid", "--grid"},
                       {"AnalysisOptions::landscape_extent", "--extent"},
                       {"AnalysisOptions::probe_noise", "--probe-noise"},
                       {"AnalysisOptions::probe_counts", "--probes"},
                       {"AnalysisOptions::sketch_probes", "--sketch-probes"}});
  bool all = false;
  const auto chosen = selected_measures(cmd.what, all);
  const std::string output = cmd.output.empty() ? default_output(cmd.input) : cmd.output;
  Input in = read_input(cmd);
  {
    std::vector<io::InputFile> inputs{{cmd.input, "input file"}};
    for (const auto& f : in.experiment.input_files) inputs.push_back({f, "input file"});
    io::check_outputs(inputs, {{output, cmd.output.empty() ? "the default output (-o)" : "-o",
                                cmd.output.empty() ? "analysis" : ""}});
  }
  require_option_memory(cmd.options, *in.experiment.model);
  analysis::AnalysisContext context(in.experiment, in.parameters, cmd.options, in.snapshots,
                                    in.snapshot_steps);
  // Every applicability check first: a measure that does not apply stops the run before any
  // work (with --what all, inapplicable measures are skipped and listed instead).
  nlohmann::json skipped = nlohmann::json::object();
  std::vector<const analysis::Measure*> todo;
  for (const auto* m : chosen) {
    const std::string why = m->not_applicable(context);
    if (why.empty())
      todo.push_back(m);
    else if (all)
      skipped[m->name] = why;
    else
      throw std::invalid_argument("--what: " + m->name + ": " + why + " (" + cmd.input + ")");
  }
  std::vector<std::pair<std::string, analysis::MeasureResults>> results;
  for (const auto* m : todo) {
    analysis::MeasureResults r;
    m->compute(context, r);
    results.emplace_back(m->name, std::move(r));
  }
  write_h5(output, cmd, in, results);

  nlohmann::json j;
  j["input"] = cmd.input;
  j["kind"] = in.kind;
  j["model"] = physics::to_string(in.experiment.model->kind());
  j["parameters_source"] = in.parameters_source;
  if (cmd.snapshot >= 0) {
    j["snapshot"] = cmd.snapshot;
    j["step"] = in.step;
  }
  j["num_parameters"] = in.parameters.size();
  j["output"] = output;
  j["options"] = options_json(cmd.options);
  if (!skipped.empty()) j["skipped"] = skipped;
  j["measures"] = nlohmann::json::object();
  for (const auto& [name, r] : results) j["measures"][name] = r.to_json();
  if (cmd.format == "json") {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "wrote " << output << ":";
    for (const auto& [name, r] : results) std::cout << " " << name;
    std::cout << "\n";
  }
}

}  // namespace

void register_analyze(CLI::App& app) {
  auto cmd = std::make_shared<AnalyzeCommand>();
  auto* sub =
      app.add_subcommand("analyze",
                         "Named measures (cost Hessian, susceptibility, spectra, ...) of a run or "
                         "experiment, to HDF5 and JSON (docs/analysis-cli.md)");
  sub->add_option("input", cmd->input,
                  "run.h5 of plnet train (final parameters) or experiment.toml (initial)");
  sub->add_option("--what", cmd->what, "Comma-separated measures, or 'all' (see --list)");
  sub->add_option("-o,--output", cmd->output,
                  "Analysis file (HDF5; default: next to the input, <name>.analysis.h5)");
  sub->add_option("--format", cmd->format,
                  "h5: print the file written; json: also print the "
                  "results as JSON on standard output")
      ->check(CLI::IsMember({"h5", "json"}))
      ->capture_default_str();
  sub->add_option("--snapshot", cmd->snapshot,
                  "Analyse the K-th stored parameter snapshot of a run file (0-based)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--list", cmd->list, "List the measures and exit");
  auto& o = cmd->options;
  sub->add_option("--modes", o.modes, "Modes reported (lowest physical, stiffest cost-Hessian)")
      ->capture_default_str();
  sub->add_option("--stiff", o.stiff,
                  "k of the cost-Hessian gap lambda_k / lambda_k+1 (0: n_out * (n_in + 1))")
      ->capture_default_str();
  sub->add_option("--forces", o.forces, "Random unit-norm forces (effective, dimension)")
      ->capture_default_str();
  sub->add_option("--seed", o.seed, "Seed of the random forces and baselines")
      ->capture_default_str();
  sub->add_option("--neighbours", o.neighbours, "Levina-Bickel k")->capture_default_str();
  sub->add_option("--sector-threshold", o.sector_threshold,
                  "Persistence threshold of sectors, fraction of the field range")
      ->capture_default_str();
  sub->add_option("--grid", o.landscape_grid, "Landscape grid points per axis (odd)")
      ->capture_default_str();
  sub->add_option("--extent", o.landscape_extent, "Landscape extent (multiples of max |q_t|)")
      ->capture_default_str();
  sub->add_option("--probe-noise", o.probe_noise,
                  "measured-susceptibility: noise levels per unit probe (comma-separated)")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--probes", o.probe_counts,
                  "measured-susceptibility: random probe counts (comma-separated; default "
                  "n/4, n, 4n of the n unit probes)")
      ->delimiter(',');
  sub->add_option("--sketch-probes", o.sketch_probes,
                  "susceptibility-sketch: Gaussian probes k (relative error sqrt(2/k))")
      ->capture_default_str();
  sub->callback([cmd] { run(*cmd); });
}

}  // namespace plnet::cli
