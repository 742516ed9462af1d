#include <plnet/core/error.hpp>
#include <plnet/io/checksum.hpp>
#include <plnet/io/hdf5.hpp>
#include <plnet/learning/run_file.hpp>

#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

namespace plnet::learning {
namespace {

Matrix log_matrix(const std::vector<LogRow>& log) {
  Matrix m(static_cast<Index>(log.size()), 5);
  for (std::size_t k = 0; k < log.size(); ++k)
    m.row(static_cast<Index>(k)) << static_cast<double>(log[k].step), log[k].train_cost,
        log[k].train_accuracy, log[k].test_cost, log[k].test_accuracy;
  return m;
}

// The rows of a stored log (path: the file, for messages), each step in [0, last_step].
std::vector<LogRow> log_rows(const std::string& path, const Matrix& m, Index last_step) {
  require(m.cols() == 5 || m.rows() == 0, path, "/log: ", m.cols(),
          " columns (need 5: step, train cost, train accuracy, test cost, test accuracy)");
  std::vector<LogRow> log;
  for (Index r = 0; r < m.rows(); ++r) {
    const double step = m(r, 0);
    require(step >= 0 && step <= static_cast<double>(last_step) && std::trunc(step) == step, path,
            "/log: row ", r, ": step out of range (got ", step, ", need an integer in 0 to ",
            last_step, ")");
    log.push_back({static_cast<Index>(step), m(r, 1), m(r, 2), m(r, 3), m(r, 4)});
  }
  return log;
}

Matrix stack(const std::vector<Vector>& rows, Index cols) {
  Matrix m(static_cast<Index>(rows.size()), cols);
  for (std::size_t k = 0; k < rows.size(); ++k) m.row(static_cast<Index>(k)) = rows[k].transpose();
  return m;
}

// "/inputs/file_<k>": the SHA-256 of the experiment's k-th input file (network, parameters,
// data), with the path it was read from as attribute "path".
void write_input_hashes(io::H5Writer& w, const Experiment& e) {
  w.create_group("/inputs");
  for (std::size_t k = 0; k < e.input_files.size(); ++k) {
    const std::string name = "/inputs/file_" + std::to_string(k);
    w.write(name, io::sha256_of_file(e.input_files[k]),
            {"SHA-256 of an input file the experiment read (its path: attribute 'path').", "", ""});
    w.write_attribute(name, "path", e.input_files[k]);
  }
}

}  // namespace

std::string run_id(const Experiment& e, const TrainerState& st) {
  std::string bytes = e.config_text;
  bytes += "\nstep " + std::to_string(st.step) + "\n";
  bytes.append(reinterpret_cast<const char*>(st.w.data()),
               sizeof(double) * static_cast<std::size_t>(st.w.size()));
  return io::sha256_of_bytes(bytes).substr(0, 16);
}

void check_input_hashes(const io::H5Reader& r, const Experiment& e) {
  if (!r.has("/inputs")) return;  // written before plnet recorded its inputs
  std::size_t stored = 0;
  while (r.has("/inputs/file_" + std::to_string(stored))) ++stored;
  require(stored == e.input_files.size(), r.path(), "/inputs: ", stored,
          " input files recorded, but the experiment now reads ", e.input_files.size());
  for (std::size_t k = 0; k < stored; ++k) {
    const std::string name = "/inputs/file_" + std::to_string(k);
    require(r.read_string(name) == io::sha256_of_file(e.input_files[k]), r.path(), e.input_files[k],
            " has changed since this file was written (its SHA-256 differs from ", name,
            "); results would belong to another problem");
  }
}

void write_checkpoint(const std::string& path, const Experiment& experiment,
                      const TrainerState& state) {
  io::H5Writer w(path);
  io::write_format(w, "checkpoint", kCheckpointFormatVersion);
  w.write("/config", experiment.config_text,
          {"The experiment TOML text of the run; --resume refuses another.", "", ""});
  write_input_hashes(w, experiment);
  w.write("/w", state.w,
          {"Learning parameters at /step.", "as /parameters/final of the run file", "parameter"});
  w.write("/step", state.step, {"Training steps done.", "step", ""});
  w.write("/rng", state.rng_state,
          {"State of the minibatch random generator (std::mt19937_64 text form).", "", ""});
  std::vector<Index> frozen;
  for (std::size_t i = 0; i < state.frozen.size(); ++i)
    if (state.frozen[i]) frozen.push_back(static_cast<Index>(i));
  w.write("/frozen", frozen, {"Parameters that no longer learn.", "index (parameter)", "frozen"});
  w.write("/log", log_matrix(state.log),
          {"The cost log so far; columns step, train cost, train accuracy, test cost, test "
           "accuracy (-1: not measured).",
           "step; loss; 1; loss; 1", "row, column"});
  w.write("/snapshot_steps", state.snapshot_steps,
          {"Training step of each parameter snapshot.", "step", "snapshot"});
  w.write("/snapshots", stack(state.snapshots, state.w.size()),
          {"Learning parameters at each snapshot step.", "as /w", "snapshot, parameter"});
  w.write("/stopped_on_cost", static_cast<Index>(state.stopped_on_cost),
          {"1 if training stopped because the cost reached protocol.stop_cost, else 0.", "1", ""});
  io::require_described(w);
  w.commit();
}

std::string checkpoint_config(const std::string& path) {
  const io::H5Reader r(path);
  io::check_format(r, "checkpoint", kCheckpointFormatVersion);
  return r.read_string("/config");
}

TrainerState read_checkpoint(const std::string& path, const Experiment& experiment) {
  const io::H5Reader r(path);
  io::check_format(r, "checkpoint", kCheckpointFormatVersion);
  require(r.read_string("/config") == experiment.config_text, path,
          "checkpoint of another configuration (", experiment.path,
          " differs from the experiment that wrote it)");
  check_input_hashes(r, experiment);
  // Every size, index and count is checked against the experiment before it is used.
  const Index m = experiment.model->num_parameters();
  TrainerState s;
  s.w = r.read_vector("/w");
  require(s.w.size() == m, path, "/w: ", s.w.size(), " parameters (need ", m,
          ", the parameters of ", experiment.path, ")");
  s.step = r.read_index("/step");
  require(s.step >= 0 && s.step <= experiment.protocol.steps, path, "/step: out of range (got ",
          s.step, ", need 0 <= step <= protocol.steps = ", experiment.protocol.steps, ")");
  s.rng_state = r.read_string("/rng");
  {
    std::mt19937_64 rng;
    std::istringstream in(s.rng_state);
    in >> rng;
    require(!in.fail(), path, "/rng: not a random generator state");
  }
  s.frozen.assign(static_cast<std::size_t>(m), false);
  Index previous = -1;
  for (Index i : r.read_indices("/frozen")) {
    require(i >= 0 && i < m && i > previous, path, "/frozen: parameter index ", i,
            i >= 0 && i < m ? " not in increasing order" : " out of range",
            " (need increasing indices in 0 <= i < ", m, ")");
    s.frozen[static_cast<std::size_t>(i)] = true;
    previous = i;
  }
  s.log = log_rows(path, r.read_matrix("/log"), s.step);
  s.snapshot_steps = r.read_indices("/snapshot_steps");
  const Matrix snaps = r.read_matrix("/snapshots");
  require(snaps.rows() == static_cast<Index>(s.snapshot_steps.size()) &&
              (snaps.rows() == 0 || snaps.cols() == m),
          path, "/snapshots: shape (", snaps.rows(), ", ", snaps.cols(), ") (need (",
          s.snapshot_steps.size(), ", ", m, "): one row of parameters per /snapshot_steps entry)");
  for (Index step : s.snapshot_steps)
    require(step >= 0 && step <= s.step, path, "/snapshot_steps: step out of range (got ", step,
            ", need 0 <= step <= /step = ", s.step, ")");
  for (Index k = 0; k < snaps.rows(); ++k) s.snapshots.push_back(snaps.row(k).transpose());
  const Index stopped = r.read_index("/stopped_on_cost");
  require(stopped == 0 || stopped == 1, path, "/stopped_on_cost: must be 0 or 1 (got ", stopped,
          ")");
  s.stopped_on_cost = stopped != 0;
  return s;
}

RunContents read_run(const std::string& path) {
  const io::H5Reader r(path);
  io::check_format(r, "run", kRunFormatVersion);
  RunContents run;
  // Relative paths inside the stored TOML resolve against the run file's folder (the default
  // `plnet train` output sits next to its experiment file).
  const std::string dir = std::filesystem::path(path).parent_path().string();
  run.experiment =
      parse_experiment(r.read_string("/config"), path + ": /config", dir.empty() ? "." : dir);
  check_input_hashes(r, run.experiment);
  const Index m = run.experiment.model->num_parameters();
  run.final_parameters = r.read_vector("/parameters/final");
  require(run.final_parameters.size() == m, path,
          "/parameters/final: ", run.final_parameters.size(),
          " parameters, but its /config builds a network with ", m);
  const Matrix snaps = r.read_matrix("/parameters/snapshots");
  run.snapshot_steps = r.read_indices("/parameters/snapshot_steps");
  require(static_cast<Index>(run.snapshot_steps.size()) == snaps.rows(), path,
          "/parameters/snapshot_steps: ", run.snapshot_steps.size(), " steps for ", snaps.rows(),
          " snapshots");
  require(snaps.rows() == 0 || snaps.cols() == m, path, "/parameters/snapshots: ", snaps.cols(),
          " parameters per snapshot, but its /config builds a network with ", m);
  for (Index step : run.snapshot_steps)
    require(step >= 0, path, "/parameters/snapshot_steps: negative step (got ", step, ")");
  for (Index k = 0; k < snaps.rows(); ++k) run.snapshots.push_back(snaps.row(k).transpose());
  return run;
}

void write_network(io::H5Writer& w, const std::string& group, const graph::Network& net) {
  w.write(group + "/num_nodes", net.num_nodes(), {"Number of nodes of the network.", "1", ""});
  io::IndexMatrix edges(net.num_edges(), 2);
  for (Index i = 0; i < net.num_edges(); ++i) edges.row(i) << net.edge(i).a, net.edge(i).b;
  w.write(group + "/edges", edges,
          {"The two end nodes (a, b) of each edge; edge i carries parameter i of a resistor or "
           "spring network.",
           "index (node)", "edge, end"});
  if (net.has_positions())
    w.write(group + "/positions", net.positions(),
            {"Position of each node.", "length (the network file's units)", "node, coordinate"});
  if (!net.source_nodes().empty())
    w.write(group + "/source_nodes", net.source_nodes(),
            {"Index of each node before the generator dropped nodes (rattlers, nodes outside the "
             "largest connected component).",
             "index (node before the drop)", "node"});
  if (net.is_periodic())
    w.write(group + "/box", net.box(),
            {"Side lengths of the periodic box; bonds are minimum images.",
             "length (the network file's units)", "coordinate"});
}

namespace {

// Units of the physical quantities of each model (docs/conventions.md).
struct ModelUnits {
  std::string state, injection, parameter;
};
ModelUnits model_units(physics::ModelKind kind) {
  switch (kind) {
    case physics::ModelKind::kResistor:
      return {"V (or pressure)", "A (or flow)", "S (conductance)"};
    case physics::ModelKind::kSpring:
      return {"length (displacement)", "force", "force / length (stiffness)"};
    case physics::ModelKind::kNode:
      return {"1 (node value)", "1 (node force)", "1 (entry of W)"};
  }
  return {};
}

// The units of a sample's input values: those of what each channel drives.
std::string input_units(const Task& task, const ModelUnits& u) {
  std::string out;
  for (const auto& c : task.inputs) {
    const std::string unit = c.kind == InputKind::kInjection ? u.injection : u.state;
    if (out.find(unit) == std::string::npos) out += (out.empty() ? "" : "; ") + unit;
  }
  return out.empty() ? "1" : out;
}

}  // namespace

void write_task(io::H5Writer& w, const std::string& group, const Experiment& e) {
  const Task& task = e.task;
  const ModelUnits u = model_units(e.model->kind());
  w.write(group + "/num_dofs", e.model->num_dofs(),
          {"Degrees of freedom of the model: a node of a resistor or node network, node * d + "
           "component of a d-dimensional spring network.",
           "1", ""});
  std::vector<Index> held, ground;
  Vector held_values(static_cast<Index>(task.fixed.holds.size()));
  for (std::size_t k = 0; k < task.fixed.holds.size(); ++k) {
    held.push_back(task.fixed.holds[k].dof);
    held_values(static_cast<Index>(k)) = task.fixed.holds[k].value;
    if (task.fixed.holds[k].value == 0.0) ground.push_back(task.fixed.holds[k].dof);
  }
  w.write(group + "/fixed_dofs", held,
          {"Dofs held at the same value for every sample (ground and constant sources).",
           "index (dof)", "hold"});
  w.write(group + "/fixed_values", held_values,
          {"Value at which each of fixed_dofs is held.", u.state, "hold"});
  w.write(group + "/ground", ground,
          {"The fixed dofs held at 0 (ground).", "index (dof)", "ground dof"});
  std::vector<Index> injected;
  Vector amounts(static_cast<Index>(task.fixed.injections.size()));
  for (std::size_t k = 0; k < task.fixed.injections.size(); ++k) {
    injected.push_back(task.fixed.injections[k].dof);
    amounts(static_cast<Index>(k)) = task.fixed.injections[k].amount;
  }
  w.write(group + "/fixed_injection_dofs", injected,
          {"Dofs receiving a constant injection (current or force) in every sample.", "index (dof)",
           "injection"});
  w.write(group + "/fixed_injection_amounts", amounts,
          {"Amount injected at each of fixed_injection_dofs.", u.injection, "injection"});
  // Input channels and output readouts have one or more targets each: stored flat, with the
  // channel of each entry, so that targets[channel == k] are channel k's.
  std::vector<Index> kinds, targets, channel;
  std::vector<double> coefficients;
  for (std::size_t k = 0; k < task.inputs.size(); ++k) {
    const InputChannel& c = task.inputs[k];
    kinds.push_back(static_cast<Index>(c.kind));
    for (std::size_t j = 0; j < c.targets.size(); ++j) {
      targets.push_back(c.targets[j]);
      channel.push_back(static_cast<Index>(k));
      coefficients.push_back(j < c.coefficients.size() ? c.coefficients[j] : 1.0);
    }
  }
  const auto vec = [](const std::vector<double>& v) {
    return Vector(Eigen::Map<const Vector>(v.data(), static_cast<Index>(v.size())));
  };
  w.write(group + "/inputs/kind", kinds,
          {"Kind of each input channel: 0 = hold (the sample value holds targets[0], a voltage "
           "source), 1 = injection (the value scales coefficients at the target dofs), 2 = edge "
           "source (a source in series with edge targets[0]).",
           "1 (code)", "input"});
  w.write(group + "/inputs/targets", targets,
          {"Target of each entry of the input channels: a dof (hold, injection) or an edge "
           "(edge source).",
           "index (dof or edge)", "entry"});
  w.write(
      group + "/inputs/channel", channel,
      {"Input channel of each entry (column of the samples' inputs).", "index (input)", "entry"});
  w.write(group + "/inputs/coefficients", vec(coefficients),
          {"Gain or injection coefficient of each entry: the channel's value times it is held, "
           "injected or sourced.",
           "1", "entry"});
  std::vector<Index> dofs, readout, edge;
  coefficients.clear();
  for (std::size_t k = 0; k < task.outputs.size(); ++k) {
    const Readout& o = task.outputs[k];
    edge.push_back(o.edge);
    for (std::size_t j = 0; j < o.dofs.size(); ++j) {
      dofs.push_back(o.dofs[j]);
      readout.push_back(static_cast<Index>(k));
      coefficients.push_back(o.coefficients[j]);
    }
  }
  w.write(group + "/outputs/dofs", dofs,
          {"Dof read by each entry of the outputs: output k is the sum of coefficients * state "
           "over its entries (a node value, or a difference across two dofs).",
           "index (dof)", "entry"});
  w.write(group + "/outputs/channel", readout,
          {"Output of each entry (column of the samples' outputs).", "index (output)", "entry"});
  w.write(group + "/outputs/coefficients", vec(coefficients),
          {"Coefficient of each entry in its output.", "1", "entry"});
  w.write(group + "/outputs/edge", edge,
          {"The edge whose drop or extension each output reads, -1 for a node readout.",
           "index (edge)", "output"});
}

void write_run(const std::string& path, const Experiment& e, Trainer& trainer) {
  io::H5Writer w(path);
  io::write_format(w, "run", kRunFormatVersion);
  const auto& st = trainer.state();
  const ModelUnits u = model_units(e.model->kind());
  w.write("/config", e.config_text,
          {"The experiment TOML text the run was trained with (any --set overrides appended).", "",
           ""});
  write_input_hashes(w, e);
  w.write_attribute("/", "run_id", run_id(e, st));
  w.write_attribute("/", "description", e.description);
  w.write_attribute("/", "model", physics::to_string(e.model->kind()));
  w.write_attribute("/", "rule", to_string(e.rule.kind));
  w.write_attribute("/", "loss", to_string(e.loss.kind));
  w.write_attribute("/", "reduction", to_string(e.loss.reduction));
  w.write_attribute("/", "learn", to_string(e.protocol.learn));
  write_network(w, "/network", e.network);
  write_task(w, "/task", e);
  // parameters and log
  w.write("/parameters/initial", e.initial_parameters,
          {"Learning parameters before training (edge conductances or stiffnesses, node weights).",
           u.parameter, "parameter"});
  w.write("/parameters/final", st.w,
          {"Learning parameters after the last training step.", u.parameter, "parameter"});
  w.write("/parameters/snapshot_steps", st.snapshot_steps,
          {"Training step at which each snapshot was taken.", "step", "snapshot"});
  w.write("/parameters/snapshots", stack(st.snapshots, st.w.size()),
          {"Learning parameters at each snapshot step.", u.parameter, "snapshot, parameter"});
  std::vector<Index> frozen;
  for (std::size_t i = 0; i < st.frozen.size(); ++i)
    if (st.frozen[i]) frozen.push_back(static_cast<Index>(i));
  w.write("/parameters/frozen", frozen,
          {"Parameters that no longer learn (frozen at a bound).", "index (parameter)", "frozen"});
  std::vector<Index> steps;
  for (const auto& row : st.log) steps.push_back(row.step);
  const Matrix log = log_matrix(st.log);
  w.write(
      "/log/step", steps,
      {"Training step of each log row; costs are taken before that step's update.", "step", "row"});
  w.write("/log/train_cost", Vector(log.col(1)),
          {"Loss over the training samples.", "1 (loss, squared output units for mse)", "row"});
  w.write("/log/train_accuracy", Vector(log.col(2)),
          {"Fraction of training samples classified right; -1 without labels.", "1", "row"});
  w.write("/log/test_cost", Vector(log.col(3)),
          {"Loss over the test samples; -1 without a test set.",
           "1 (loss, squared output units for mse)", "row"});
  w.write(
      "/log/test_accuracy", Vector(log.col(4)),
      {"Fraction of test samples classified right; -1 without labels or test set.", "1", "row"});
  // final state of the training samples, samples first in every array
  trainer.evaluate();  // makes the responses current for the final parameters
  const Responses& r = trainer.responses();
  const std::string in_units = input_units(e.task, u);
  w.write("/final/train_inputs", e.train.inputs,
          {"Input values of each training sample (columns: /task/inputs channels).", in_units,
           "sample, input"});
  w.write("/final/train_targets", e.train.targets,
          {"Desired outputs of each training sample.", u.state, "sample, output"});
  w.write("/final/train_outputs", r.outputs(e.train.inputs),
          {"Outputs of the trained network for each training sample.", u.state, "sample, output"});
  w.write("/final/train_states", Matrix(r.states(e.train.inputs).transpose()),
          {"Free state (every dof) of the trained network for each training sample.", u.state,
           "sample, dof"});
  if (!e.train.labels.empty())
    w.write("/final/train_labels", e.train.labels,
            {"Class label of each training sample.", "index (class)", "sample"});
  if (e.test.size() > 0) {
    w.write("/final/test_inputs", e.test.inputs,
            {"Input values of each test sample.", in_units, "sample, input"});
    w.write("/final/test_targets", e.test.targets,
            {"Desired outputs of each test sample.", u.state, "sample, output"});
    w.write("/final/test_outputs", r.outputs(e.test.inputs),
            {"Outputs of the trained network for each test sample.", u.state, "sample, output"});
    if (!e.test.labels.empty())
      w.write("/final/test_labels", e.test.labels,
              {"Class label of each test sample.", "index (class)", "sample"});
  }
  io::require_described(w);
  w.commit();
}

nlohmann::json run_summary(const Experiment& e, const Trainer& trainer, double seconds,
                           Index steps_run) {
  const auto& st = trainer.state();
  nlohmann::json j;
  // The marker that lets a later run replace this summary, and nothing else (io::check_outputs).
  j["plnet_format"] = "run_summary";
  j["run_id"] = run_id(e, st);
  j["experiment"] = e.path;
  j["model"] = physics::to_string(e.model->kind());
  j["nodes"] = e.network.num_nodes();
  j["parameters"] = e.model->num_parameters();
  j["rule"] = to_string(e.rule.kind);
  j["loss"] = to_string(e.loss.kind) + " (" + to_string(e.loss.reduction) + ")";
  j["steps"] = st.step;
  j["stopped_on_cost"] = st.stopped_on_cost;
  j["steps_run"] = steps_run;
  j["seconds"] = seconds;
  j["steps_per_second"] = seconds > 0 ? static_cast<double>(steps_run) / seconds : 0.0;
  if (!st.log.empty()) {
    j["initial_train_cost"] = st.log.front().train_cost;
    j["final_train_cost"] = st.log.back().train_cost;
    if (st.log.back().train_accuracy >= 0) j["final_train_accuracy"] = st.log.back().train_accuracy;
    if (st.log.back().test_cost >= 0) j["final_test_cost"] = st.log.back().test_cost;
    if (st.log.back().test_accuracy >= 0) j["final_test_accuracy"] = st.log.back().test_accuracy;
  }
  return j;
}

}  // namespace plnet::learning
