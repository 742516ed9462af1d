// plnet reproduce: run a named reproduction of a published result (docs/reproduce.md), write
// results.h5, check.json, check.md and its figures, and exit with 3 if a check fails.
#include "common.hpp"

#include <plnet/io/atomic_file.hpp>
#include <plnet/reproduce/reproduce.hpp>

#include <iomanip>
#include <iostream>

namespace plnet::cli {
namespace {

struct ReproduceCommand {
  std::string id;
  bool list = false;
  bool quick = false;
  bool no_figures = false;
  int threads = 0;
  std::string output;
  std::string config;
  std::uint64_t seed = 1;
  bool seed_given = false;
  std::vector<std::string> overrides;
};

void list_reproductions() {
  for (const auto& r : reproduce::reproductions())
    std::cout << std::left << std::setw(5) << r.id << " " << r.paper << " " << std::setw(14)
              << r.figure << " " << r.title << "\n";
}

void run(const ReproduceCommand& cmd) {
  if (cmd.list) {
    list_reproductions();
    return;
  }
  if (cmd.id.empty()) throw CLI::RequiredError("id (or --list)");
  const auto& reproduction = reproduce::find_reproduction(cmd.id);
  reproduce::RunOptions options;
  options.quick = cmd.quick;
  options.threads = cmd.threads;
  options.output_dir = cmd.output.empty() ? "results/" + reproduction.id : cmd.output;
  options.config = cmd.config;
  options.seed_given = cmd.seed_given;
  options.seed = cmd.seed;
  options.log = &std::cerr;
  options.overrides = cmd.overrides;
  options.banner = "plnet: reproducing " + reproduction.id + " (" + reproduction.paper + ", " +
                   reproduction.figure + "): " + reproduction.title + (cmd.quick ? " [quick]" : "");
  const auto result = reproduce::run_reproduction(reproduction, options);
  std::cout << io::read_text_file(result.markdown_path);
  if (!cmd.no_figures) {
    const std::string problem = reproduce::make_figures(reproduction, options.output_dir);
    if (problem.empty())
      std::cerr << "plnet: figures written to " << options.output_dir << "/" << reproduction.id
                << ".{png,svg}\n";
    else
      std::cerr << "plnet: " << problem << "\n";
  } else {
    std::cerr << "plnet: figures skipped (--no-figures)\n";
  }
  const auto& table = result.table;
  std::cerr << "plnet: results in " << options.output_dir << " ("
            << (table.passed() ? "all checks passed"
                : table.unexpected_failures() > 0
                    ? "SOME CHECKS FAILED"
                    : std::to_string(table.deviations()) + " known deviation(s) from the paper")
            << ")\n";
  if (table.unexpected_failures() > 0) exit_status() = 3;
}

}  // namespace

void register_reproduce(CLI::App& app) {
  auto cmd = std::make_shared<ReproduceCommand>();
  auto* sub = app.add_subcommand("reproduce",
                                 "Reproduce a published result with its check table and figures "
                                 "(docs/reproduce.md); exit code 3 if a check fails");
  sub->add_option("id", cmd->id, "Reproduction id (R1, R7, ...; see --list)");
  sub->add_flag("--list", cmd->list, "List the reproductions");
  sub->add_flag("--quick", cmd->quick, "The quick size of the config ([quick], for CI)");
  sub->add_option("--threads", cmd->threads, "Threads for ensembles (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("-o,--output", cmd->output, "Output directory (default: results/<id>)");
  sub->add_option("--config", cmd->config,
                  "Config file (default: the shipped experiments/<id>.toml)")
      ->check(CLI::ExistingFile);
  sub->add_option("--set", cmd->overrides,
                  "Override a config value after [quick]: section.key=value (TOML value), e.g. "
                  "--set protocol.steps=300000; repeatable")
      ->allow_extra_args(false);  // one value per --set: never the positional argument
  sub->add_flag("--no-figures", cmd->no_figures, "Do not run the figure script");
  auto* seed = sub->add_option("--seed", cmd->seed, "Base seed (default: [reproduce] seed)");
  sub->callback([cmd, seed] {
    cmd->seed_given = seed->count() > 0;
    run(*cmd);
  });
}

}  // namespace plnet::cli
