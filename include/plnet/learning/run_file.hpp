#pragma once
/// Training results and checkpoints in HDF5 (layout: docs/file_formats.md, "Run files").
///
/// A run file ("plnet_format" = "run", version 1) holds the experiment's TOML text, the
/// network, initial and final parameters, the cost/accuracy log, parameter snapshots and the
/// final free states and outputs of the training samples. A checkpoint ("checkpoint",
/// version 1) holds the complete TrainerState plus the TOML text, so that --resume can refuse
/// a checkpoint of another configuration. Both are written atomically.

#include <plnet/learning/experiment.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace plnet::learning {

inline constexpr Index kRunFormatVersion = 1;
inline constexpr Index kCheckpointFormatVersion = 1;

void write_checkpoint(const std::string& path, const Experiment& experiment,
                      const TrainerState& state);
/// Reads a checkpoint and checks it belongs to `experiment` (same TOML text); throws one line
/// otherwise ("ckpt.h5: checkpoint of another configuration (exp.toml changed)").
TrainerState read_checkpoint(const std::string& path, const Experiment& experiment);

/// Writes the run file. Nothing in it depends on the clock or the machine's load, so two runs
/// of the same experiment give identical bytes (the wall-clock time is in run_summary only).
void write_run(const std::string& path, const Experiment& experiment, Trainer& trainer);

/// The one-screen summary printed at the end of `plnet train`.
nlohmann::json run_summary(const Experiment& experiment, const Trainer& trainer, double seconds);

}  // namespace plnet::learning
