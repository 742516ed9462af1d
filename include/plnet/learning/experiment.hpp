#pragma once
/// An experiment file (TOML, docs/experiment.md) turned into everything a training run needs:
/// network, model, task, data split, loss, rule, protocol and initial parameters. Every error
/// names the file, the line and the key: "exp.toml: line 12: protocol.steps: must be >= 0
/// (got -5)". Unknown keys are errors (a typo must not silently fall back to a default).

#include <plnet/graph/network.hpp>
#include <plnet/learning/trainer.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plnet::learning {

struct LoggingOptions {
  Index every = 100;           ///< costs every this many steps
  Index parameters_every = 0;  ///< parameter snapshots (0: only first and last)
  Index checkpoint_every = 0;  ///< checkpoints (0: none)
};

struct Experiment {
  std::string path;         ///< the TOML file
  std::string config_text;  ///< its exact contents (stored in results; checked on resume)
  graph::Network network;
  std::unique_ptr<physics::LinearModel> model;  ///< stable address: Responses keep a pointer
  Task task;
  Batch train;
  Batch test;
  Loss loss;
  RuleOptions rule;
  ProtocolOptions protocol;
  LoggingOptions logging;
  physics::SolveOptions solve;
  Vector initial_parameters;
  std::string description;  ///< [experiment] description, free text
};

/// How a file that embeds an experiment (a reproduction config, docs/reproduce.md) is read.
struct ParseOptions {
  /// Top-level tables left to the caller: neither parsed nor rejected as unknown sections.
  std::vector<std::string> extra_sections;
  /// Top-level tables (also extra sections) that overlay the experiment key by key before
  /// parsing, in order: with overlays = {"quick"}, `[quick.protocol] steps = 100` replaces
  /// protocol.steps. Keys keep their own line numbers, so messages still point at the file.
  /// An overlay table naming an extra section is left to the caller; one naming neither an
  /// experiment section nor an extra section is an error. Absent overlay tables are skipped.
  std::vector<std::string> overlays;
  /// If set, every seed of the experiment (network.seed, parameters.seed, data.seed,
  /// data.split_seed, protocol.seed, task.edge_seed) is replaced by a distinct value derived from
  /// this one (splitmix64 of seed and the key's position in that list), so one number fixes a whole
  /// realisation of an ensemble.
  std::optional<std::uint64_t> seed;
  /// If set, [parameters] seed and [protocol] seed are then replaced by values derived from
  /// this one: another initial condition (and minibatch order) on the same network, task and
  /// data (000 Fig. 7: "50 different initial conditions" per task).
  std::optional<std::uint64_t> initial_seed;
};

/// Reads and validates an experiment file. Relative paths inside it are relative to its folder.
Experiment load_experiment(const std::string& path);
/// The same from a string (`origin` names it in messages; relative paths use `base_dir`).
Experiment parse_experiment(const std::string& text, const std::string& origin,
                            const std::string& base_dir, const ParseOptions& options = {});

}  // namespace plnet::learning
