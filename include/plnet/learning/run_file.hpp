#pragma once
/// Training results and checkpoints in HDF5 (layout: docs/file_formats.md, "Run files").
///
/// A run file ("plnet_format" = "run", version 2) holds the experiment's TOML text, the
/// network, initial and final parameters, the cost/accuracy log, parameter snapshots and the
/// final free states and outputs of the training samples. A checkpoint ("checkpoint",
/// version 1) holds the complete TrainerState plus the TOML text, so that --resume can refuse
/// a checkpoint of another configuration. Both are written atomically.

#include <plnet/io/hdf5.hpp>
#include <plnet/learning/experiment.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace plnet::learning {

/// Version 2: every dataset described (io::Describe), /network/edges and /log/step as int64,
/// /final/train_states samples x dofs, the task's inputs, outputs and ground as datasets.
/// read_run reads versions 1 and 2 (the datasets it reads are the same in both).
inline constexpr Index kRunFormatVersion = 2;
inline constexpr Index kCheckpointFormatVersion = 1;

void write_checkpoint(const std::string& path, const Experiment& experiment,
                      const TrainerState& state);
/// Reads a checkpoint and checks it belongs to `experiment` (same TOML text); throws one line
/// otherwise ("ckpt.h5: checkpoint of another configuration (exp.toml changed)"). The state must
/// fit that experiment: 0 <= step <= its protocol.steps, log and snapshot steps <= step, ...
TrainerState read_checkpoint(const std::string& path, const Experiment& experiment);
/// The experiment text a checkpoint was written with (its /config), after checking the format.
std::string checkpoint_config(const std::string& path);

/// What ties the outputs of one run together (the run file's root attribute `run_id` and the
/// summary's "run_id"): the first 16 hex digits of the SHA-256 of the experiment text, the step
/// and the final parameters' bytes. The same run gives the same id (so two same-seed runs
/// compare equal byte for byte); a summary left over from another run does not match.
std::string run_id(const Experiment& experiment, const TrainerState& state);

/// Refuses (one line naming the file) a run file or checkpoint whose recorded input files
/// (network, parameter and data files; their SHA-256 under /inputs) differ from the files
/// `experiment` read now: resuming or analysing it would answer another problem.
void check_input_hashes(const io::H5Reader& reader, const Experiment& experiment);

/// Writes the run file. Nothing in it depends on the clock or the machine's load, so two runs
/// of the same experiment give identical bytes (the wall-clock time is in run_summary only).
void write_run(const std::string& path, const Experiment& experiment, Trainer& trainer);

/// Writes `network` under `group` (num_nodes, edges as int64 (M x 2), positions and box when
/// it has them), every dataset described.
void write_network(io::H5Writer& writer, const std::string& group, const graph::Network& network);
/// Writes the task of `experiment` under `group`: num_dofs, fixed_dofs/fixed_values (holds),
/// ground, fixed_injection_dofs/amounts, inputs/{kind, targets, channel, coefficients} and
/// outputs/{dofs, channel, coefficients, edge} (docs/file_formats.md, "Run files").
void write_task(io::H5Writer& writer, const std::string& group, const Experiment& experiment);

/// What a run file holds for later use (analysis, export): its experiment, rebuilt from the
/// stored TOML text (relative paths resolve against the run file's folder), and the parameters.
struct RunContents {
  Experiment experiment;
  Vector final_parameters;
  std::vector<Vector> snapshots;      ///< parameter snapshots, in training order
  std::vector<Index> snapshot_steps;  ///< the training step of each snapshot
};

/// Reads a run file of `plnet train` and checks every size in it against the network its
/// /config builds and that its input files are unchanged (check_input_hashes). Each error is
/// one line naming the file and the dataset.
RunContents read_run(const std::string& path);

/// The one-screen summary printed at the end of `plnet train`. `seconds` is the wall-clock time
/// of the `steps_run` steps this process ran (fewer than the run's steps after a resume):
/// "steps_per_second" is their ratio.
nlohmann::json run_summary(const Experiment& experiment, const Trainer& trainer, double seconds,
                           Index steps_run);

}  // namespace plnet::learning
