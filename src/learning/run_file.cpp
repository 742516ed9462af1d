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
    w.write(name, io::sha256_of_file(e.input_files[k]));
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
  w.write("/config", experiment.config_text);
  write_input_hashes(w, experiment);
  w.write("/w", state.w);
  w.write("/step", state.step);
  w.write("/rng", state.rng_state);
  std::vector<Index> frozen;
  for (std::size_t i = 0; i < state.frozen.size(); ++i)
    if (state.frozen[i]) frozen.push_back(static_cast<Index>(i));
  w.write("/frozen", frozen);
  w.write("/log", log_matrix(state.log));
  w.write("/snapshot_steps", state.snapshot_steps);
  w.write("/snapshots", stack(state.snapshots, state.w.size()));
  w.write("/stopped_on_cost", static_cast<Index>(state.stopped_on_cost));
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

void write_run(const std::string& path, const Experiment& e, Trainer& trainer) {
  io::H5Writer w(path);
  io::write_format(w, "run", kRunFormatVersion);
  const auto& st = trainer.state();
  w.write("/config", e.config_text);
  write_input_hashes(w, e);
  w.write_attribute("/", "run_id", run_id(e, st));
  w.write_attribute("/", "description", e.description);
  w.write_attribute("/", "model", physics::to_string(e.model->kind()));
  w.write_attribute("/", "rule", to_string(e.rule.kind));
  w.write_attribute("/", "loss", to_string(e.loss.kind));
  w.write_attribute("/", "reduction", to_string(e.loss.reduction));
  w.write_attribute("/", "learn", to_string(e.protocol.learn));
  // network
  Matrix edges(e.network.num_edges(), 2);
  for (Index i = 0; i < e.network.num_edges(); ++i)
    edges.row(i) << static_cast<double>(e.network.edge(i).a),
        static_cast<double>(e.network.edge(i).b);
  w.write("/network/num_nodes", e.network.num_nodes());
  w.write("/network/edges", edges);
  if (e.network.has_positions()) w.write("/network/positions", e.network.positions());
  if (e.network.is_periodic()) w.write("/network/box", e.network.box());
  // task
  std::vector<Index> held;
  for (const auto& h : e.task.fixed.holds) held.push_back(h.dof);
  w.write("/task/fixed_dofs", held);
  Matrix fixed_values(static_cast<Index>(e.task.fixed.holds.size()), 1);
  for (std::size_t k = 0; k < e.task.fixed.holds.size(); ++k)
    fixed_values(static_cast<Index>(k), 0) = e.task.fixed.holds[k].value;
  w.write("/task/fixed_values", Vector(fixed_values.col(0)));
  // parameters and log
  w.write("/parameters/initial", e.initial_parameters);
  w.write("/parameters/final", st.w);
  w.write("/parameters/snapshot_steps", st.snapshot_steps);
  w.write("/parameters/snapshots", stack(st.snapshots, st.w.size()));
  std::vector<Index> frozen;
  for (std::size_t i = 0; i < st.frozen.size(); ++i)
    if (st.frozen[i]) frozen.push_back(static_cast<Index>(i));
  w.write("/parameters/frozen", frozen);
  const Matrix log = log_matrix(st.log);
  w.write("/log/step", Vector(log.col(0)));
  w.write("/log/train_cost", Vector(log.col(1)));
  w.write("/log/train_accuracy", Vector(log.col(2)));
  w.write("/log/test_cost", Vector(log.col(3)));
  w.write("/log/test_accuracy", Vector(log.col(4)));
  // final state of the training samples
  trainer.evaluate();  // makes the responses current for the final parameters
  const Responses& r = trainer.responses();
  w.write("/final/train_inputs", e.train.inputs);
  w.write("/final/train_targets", e.train.targets);
  w.write("/final/train_outputs", r.outputs(e.train.inputs));
  w.write("/final/train_states", r.states(e.train.inputs));
  if (!e.train.labels.empty()) w.write("/final/train_labels", e.train.labels);
  if (e.test.size() > 0) {
    w.write("/final/test_inputs", e.test.inputs);
    w.write("/final/test_targets", e.test.targets);
    w.write("/final/test_outputs", r.outputs(e.test.inputs));
    if (!e.test.labels.empty()) w.write("/final/test_labels", e.test.labels);
  }
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
