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
};

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

double last_cost(const learning::Trainer& t) {
  return t.state().log.empty() ? 0.0 : t.state().log.back().train_cost;
}

void run(const TrainCommand& cmd) {
  learning::Experiment e = learning::load_experiment(cmd.experiment);
  const std::string output = cmd.output.empty() ? default_output(cmd.experiment) : cmd.output;
  const std::string checkpoint = cmd.checkpoint.empty() ? output + ".ckpt" : cmd.checkpoint;
  check_train_outputs(cmd, e, output, checkpoint);
  install_interrupt_handlers();
  learning::Trainer trainer(*e.model, e.task, e.train, e.test, e.loss, e.rule, e.protocol,
                            e.initial_parameters, e.solve);
  if (cmd.resume) {
    require(std::filesystem::exists(checkpoint), "--resume", "no checkpoint at ", checkpoint);
    trainer.restore(learning::read_checkpoint(checkpoint, e));
  }
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
                << "; continue with: plnet train " << cmd.experiment << " --resume"
                << (cmd.output.empty() ? "" : " -o " + cmd.output)
                << (cmd.checkpoint.empty() ? "" : " --checkpoint " + cmd.checkpoint) << "\n";
      exit_status() = 128 + signal;
      return;
    }
    if (cmd.stop_after > 0 && trainer.state().step - first >= cmd.stop_after) {
      progress.finish(trainer.state().step, last_cost(trainer));
      learning::write_checkpoint(checkpoint, e, trainer.checkpoint());
      std::cerr << "plnet: stopped after " << cmd.stop_after << " steps at step "
                << trainer.state().step << "; continue with --resume (checkpoint " << checkpoint
                << ")\n";
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
  auto summary = learning::run_summary(e, trainer, seconds);
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
  sub->add_flag("--resume", cmd->resume,
                "Continue from the checkpoint; ends bit-identical to an uninterrupted run");
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
  sub->callback([cmd] { run(*cmd); });
}

}  // namespace plnet::cli
