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
  /// Every file the experiment read besides itself (network, parameter and data files), as
  /// resolved paths: outputs are checked against them (io::check_outputs).
  std::vector<std::string> input_files;
  /// Legal settings that are probably not meant, one line each without a prefix (e.g. an input
  /// whose column of the data map is zero, so it has no effect on any target); `plnet train`
  /// prints them on standard error.
  std::vector<std::string> warnings;
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
  /// The command-line overrides (kOverrideTable) always come last and need not be listed.
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

/// The top-level table that holds command-line overrides in an experiment's text: each key of
/// [set.<section>] replaces <section>.<key> after every other overlay. `plnet train --set` and
/// `plnet reproduce --set` append it to the text they record (override_text), so the /config of
/// a run file reproduces the run and `--resume` and `plnet analyze` read it the same way.
/// Errors about an overridden key name it as typed: "exp.toml: --set protocol.steps: must be
/// >= 0 (got -5)".
inline constexpr const char* kOverrideTable = "set";

/// Command-line overrides "section.key=value" (value in TOML syntax: 300000, 0.5, "full",
/// [1e-3, 10]) as text to append to an experiment: a comment naming `command` ("plnet train
/// --set") and one [set.<section>] table per section, keys in the order given. Empty for no
/// overrides. Throws std::invalid_argument naming the override as typed when it is not
/// section.key=value with plain names, its value is not one TOML value, or a key is set twice.
std::string override_text(const std::vector<std::string>& overrides, const std::string& command);

/// Reads and validates an experiment file, with `overrides` (override_text) appended to its text.
/// Relative paths inside it are relative to its folder.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides = {},
                           const std::string& command = "plnet train --set");
/// The same from a string (`origin` names it in messages; relative paths use `base_dir`).
Experiment parse_experiment(const std::string& text, const std::string& origin,
                            const std::string& base_dir, const ParseOptions& options = {});

/// One key whose value differs between two experiment texts.
struct KeyChange {
  std::string key;        ///< dotted name: "protocol.learning_rate"
  std::string old_value;  ///< the value as TOML ("0.5", "\"full\""), "unset" when absent
  std::string new_value;
};

/// The keys whose values differ between two experiment texts, each read with its [set]
/// overrides applied, sorted by name. A key's value is compared as written (an array or a table
/// of tables as one value): a key set to its default in one text and absent in the other
/// differs; comments, spacing and the order of keys do not count. Throws std::invalid_argument
/// (naming `old_origin` or `new_origin`) for malformed TOML.
std::vector<KeyChange> changed_keys(const std::string& old_text, const std::string& old_origin,
                                    const std::string& new_text, const std::string& new_origin);

}  // namespace plnet::learning
