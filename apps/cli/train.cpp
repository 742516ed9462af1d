// plnet train: run an experiment file, with checkpoints, exact resume and progress.
#include "common.hpp"
#include "progress.hpp"

#include <plnet/core/error.hpp>
#include <plnet/io/output_paths.hpp>
#include <plnet/learning/run_file.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace plnet::cli {
namespace {

struct TrainCommand {
  std::string experiment;
  std::string output;
  std::string checkpoint;
  bool resume = false;
  bool quiet = false;
  double log_every = 60.0;  // seconds between log lines when stderr is not a terminal
  Index stop_after = 0;     // stop after this many steps of this invocation (0: run to the end)
  std::vector<std::string> overrides;  // --set section.key=value
};

// A word as the shell reads it back: quoted unless it is plain.
std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-+=.,/:@%") == std::string::npos;
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The command that continues this run from its checkpoint.
std::string resume_command(const TrainCommand& cmd) {
  std::string line = "plnet train " + shell_word(cmd.experiment) + " --resume";
  for (const auto& o : cmd.overrides) line += " --set " + shell_word(o);
  if (!cmd.output.empty()) line += " -o " + shell_word(cmd.output);
  if (!cmd.checkpoint.empty()) line += " --checkpoint " + shell_word(cmd.checkpoint);
  return line;
}

std::string default_output(const std::string& experiment) {
  return std::filesystem::path(experiment).replace_extension(".h5").string();
}

std::string summary_path(const std::string& output) {
  return std::filesystem::path(output).replace_extension(".json").string();
}

// Every file the run may write, checked before the first step: the run file, the checkpoint
// (also written on an interrupt) and the JSON summary next to the run file.
void check_train_outputs(const TrainCommand& cmd, const learning::Experiment& e,
                         const std::string& output, const std::string& checkpoint) {
  std::vector<io::InputFile> inputs{{cmd.experiment, "experiment"}};
  for (const auto& f : e.input_files) inputs.push_back({f, "input file"});
  std::vector<io::OutputFile> outputs;
  if (cmd.output.empty())
    outputs.push_back({output, "the default run file (-o)", "run"});
  else
    outputs.push_back({output, "-o", ""});
  if (cmd.checkpoint.empty())
    outputs.push_back({checkpoint, "the default checkpoint (--checkpoint)", "checkpoint"});
  else
    outputs.push_back({checkpoint, "--checkpoint", "checkpoint"});
  outputs.push_back({summary_path(output), "the run summary next to -o", "run_summary"});
  io::check_outputs(inputs, outputs);
}

// The state to resume `e` from. The experiment may differ from the one that wrote the
// checkpoint only in protocol.steps, and only upwards: the run is then extended, which one line
// says. logging.every defaults to protocol.steps / 1000; when only that default moves, the
// checkpoint's value is kept (added to `e` as an override, so the run file records it) and
// the extended run is the run of the new length from the start, log included.
learning::TrainerState resumed_state(const TrainCommand& cmd, const std::string& checkpoint,
                                     learning::Experiment& e) {
  require(std::filesystem::exists(checkpoint), "--resume", "no checkpoint at ", checkpoint,
          " (a run that finished leaves one only with logging.checkpoint_every > 0)");
  const std::string recorded_text = learning::checkpoint_config(checkpoint);
  if (recorded_text == e.config_text) return learning::read_checkpoint(checkpoint, e);
  const std::string origin = checkpoint + ": /config";
  const auto changes = learning::changed_keys(recorded_text, origin, e.config_text, e.path);
  bool every_set = false;  // the experiment now sets logging.every itself, differently
  for (const auto& c : changes) {
    require(c.key == "protocol.steps" || c.key == "logging.every", checkpoint,
            "checkpoint of another configuration: ", c.key, " was ", c.old_value, ", now ",
            c.new_value, " (--resume continues the same run; only protocol.steps may grow)");
    every_set = every_set || (c.key == "logging.every" && c.new_value != "unset");
  }
  const auto dir = std::filesystem::path(cmd.experiment).parent_path().string();
  const learning::Experiment recorded =
      learning::parse_experiment(recorded_text, origin, dir.empty() ? "." : dir);
  const Index from = recorded.protocol.steps;
  std::string note;
  if (e.logging.every != recorded.logging.every) {
    require(!every_set, checkpoint, "checkpoint of another configuration: logging.every was ",
            recorded.logging.every, ", now ", e.logging.every,
            " (--resume continues the same run; only protocol.steps may grow)");
    auto overrides = cmd.overrides;
    overrides.push_back("logging.every=" + std::to_string(recorded.logging.every));
    e = learning::load_experiment(cmd.experiment, overrides);
    note = " (logging.every stays " + std::to_string(recorded.logging.every) +
           ", as in the checkpoint's run)";
  }
  learning::TrainerState state = learning::read_checkpoint(checkpoint, recorded);
  if (e.protocol.steps == from) return state;
  require(e.protocol.steps > from, checkpoint,
          "checkpoint of another configuration: protocol.steps was ", from, ", now ",
          e.protocol.steps, " (--resume can extend a run, not shorten it)");
  std::cerr << "plnet: extending the run from " << from << " to " << e.protocol.steps << " steps"
            << note << "\n";
  return learning::extended_state(std::move(state), recorded.protocol);
}

double last_cost(const learning::Trainer& t) {
  return t.state().log.empty() ? 0.0 : t.state().log.back().train_cost;
}

void run(const TrainCommand& cmd) {
  learning::Experiment e = learning::load_experiment(cmd.experiment, cmd.overrides);
  for (const std::string& warning : e.warnings) std::cerr << "plnet: warning: " << warning << "\n";
  const std::string output = cmd.output.empty() ? default_output(cmd.experiment) : cmd.output;
  const std::string checkpoint = cmd.checkpoint.empty() ? output + ".ckpt" : cmd.checkpoint;
  check_train_outputs(cmd, e, output, checkpoint);
  install_interrupt_handlers();
  std::optional<learning::TrainerState> resumed;
  if (cmd.resume) resumed = resumed_state(cmd, checkpoint, e);
  learning::Trainer trainer(*e.model, e.task, e.train, e.test, e.loss, e.rule, e.protocol,
                            e.initial_parameters, e.solve);
  if (resumed) trainer.restore(std::move(*resumed));
  const Index first = trainer.state().step;
  Progress progress(progress_mode(cmd.quiet), e.protocol.steps, first, cmd.log_every);
  const auto start = std::chrono::steady_clock::now();
  const Index every = e.logging.checkpoint_every;
  while (trainer.step()) {
    progress.update(trainer.state().step, last_cost(trainer));
    if (every > 0 && trainer.state().step % every == 0)
      learning::write_checkpoint(checkpoint, e, trainer.checkpoint());
    if (const int signal = interrupt_signal(); signal != 0) {
      progress.finish(trainer.state().step, last_cost(trainer));
      learning::write_checkpoint(checkpoint, e, trainer.checkpoint());
      std::cerr << "plnet: interrupted (" << (signal == SIGINT ? "SIGINT" : "SIGTERM")
                << ") at step " << trainer.state().step << "; checkpoint " << checkpoint
                << "; continue with: " << resume_command(cmd) << "\n";
      exit_status() = 128 + signal;
      return;
    }
    if (cmd.stop_after > 0 && trainer.state().step - first >= cmd.stop_after) {
      progress.finish(trainer.state().step, last_cost(trainer));
      learning::write_checkpoint(checkpoint, e, trainer.checkpoint());
      std::cerr << "plnet: stopped after " << cmd.stop_after << " steps at step "
                << trainer.state().step << "; checkpoint " << checkpoint
                << "; continue with: " << resume_command(cmd) << "\n";
      return;
    }
  }
  progress.finish(trainer.state().step, last_cost(trainer));
  if (trainer.status() == learning::TrainStatus::kNotPositiveDefinite) {
    // An expected numerical outcome, not bad input: keep the last good state for inspection
    // or a resume, write no run file, say it in one line and exit with its own code.
    learning::write_checkpoint(checkpoint, e, trainer.checkpoint());
    std::cerr << "plnet: training stopped: " << trainer.status_message() << "; checkpoint "
              << checkpoint << "\n";
    exit_status() = kExitNotPositiveDefinite;
    return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  learning::write_run(output, e, trainer);
  if (every > 0) learning::write_checkpoint(checkpoint, e, trainer.checkpoint());
  auto summary = learning::run_summary(e, trainer, seconds, trainer.state().step - first);
  summary["output"] = output;
  const std::string text = summary.dump(2) + "\n";
  write_output(summary_path(output), text);
  std::cout << text;
}

}  // namespace

void register_train(CLI::App& app) {
  auto cmd = std::make_shared<TrainCommand>();
  auto* sub =
      app.add_subcommand("train", "Train a network from an experiment file (docs/experiment.md)");
  sub->add_option("experiment", cmd->experiment, "Experiment TOML file")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("-o,--output", cmd->output, "Run file (HDF5; default: experiment name with .h5)");
  sub->add_option("--checkpoint", cmd->checkpoint, "Checkpoint file (default: <output>.ckpt)");
  sub->add_option("--set", cmd->overrides,
                  "Override a key of the experiment: section.key=value (TOML value), e.g. "
                  "--set protocol.steps=300000; repeatable; recorded in the run file's /config")
      ->allow_extra_args(false);  // one value per --set: never the positional argument
  sub->add_flag("--resume", cmd->resume,
                "Continue from the checkpoint; ends bit-identical to an uninterrupted run. With "
                "more protocol.steps than the checkpoint's run (--set or an edited file), "
                "extends the run; any other change is refused");
  sub->add_flag("-q,--quiet", cmd->quiet,
                "No progress (the JSON summary is still printed on standard output)");
  sub->add_option("--log-every", cmd->log_every,
                  "When stderr is not a terminal (nohup, Slurm), a progress line at every tenth "
                  "of the run and at least every SECONDS")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option(
         "--stop-after", cmd->stop_after,
         "Stop after N steps of this invocation, writing a checkpoint (for time-limited jobs)")
      ->check(CLI::NonNegativeNumber);
  sub->footer(
      "Defaults of experiment keys that change results (docs/experiment.md, \"Defaults\"):\n"
      "  loss.kind = \"mse\", loss.reduction = \"sum\" (cost and update summed over the "
      "batch;\n    \"mean\" divides by the batch size)\n"
      "  rule.kind = \"coupled\", rule.nudge = 0.01\n"
      "  protocol.learning_rate = 1e-4, protocol.steps = 1000, protocol.batch = 30 (minibatch "
      "without\n    replacement), protocol.learn = \"conductance\"\n"
      "  protocol.bounds = [1e-6, 1e6] for conductances, stiffnesses and resistances; none for "
      "node\n    networks\n"
      "  logging.every = protocol.steps / 1000 (at least 1); logging.checkpoint_every = 0 (no\n"
      "    checkpoint: a finished run can then not be extended with --resume)");
  sub->callback([cmd] { run(*cmd); });
}

}  // namespace plnet::cli
