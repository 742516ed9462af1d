// plnet: command-line entry point. Each subcommand lives in its own file; every error from
// bad input becomes one line on stderr and a non-zero exit code (1 input, 2 usage, 3 a
// reproduction whose checks failed, 4 a training run that lost positive definiteness).
#include "common.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <string>

namespace {

// Output that never reached its file (a full disk behind `> out.txt`, a closed pipe) is an
// error, not a success: flush standard output and check it before choosing the exit code.
int finish_stdout(int status) {
  errno = 0;
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (!failed) return status;
  const int error = errno;
  std::cerr << "plnet: error: standard output: write failed"
            << (error != 0 ? std::string(" (") + std::strerror(error) + ")" : std::string())
            << "\n";
  return status != 0 ? status : 1;
}

// "plnet frobnicate", "plnet generate hexagonal" and "plnet --bogus" name the word the user
// typed, not "A subcommand is required": every level that takes a subcommand (plnet, generate,
// export) checks the next word before CLI11 parses.
bool unknown_subcommand(const CLI::App& root, int argc, char** argv) {
  const CLI::App* app = &root;
  std::string where;  // "" for plnet itself, "generate: " below it
  for (int i = 1;; ++i) {
    const auto subs = app->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty() || app->get_require_subcommand_min() == 0) return false;
    std::string known;
    for (const auto* sub : subs) known += (known.empty() ? "" : ", ") + sub->get_name();
    if (i >= argc) {
      if (where.empty()) return false;  // plnet alone: CLI11's usage message
      std::cerr << "plnet: error: " << where << "a subcommand is required (need one of " << known
                << ")\n";
      return true;
    }
    const std::string word = argv[i];
    if (word == "-h" || word == "--help" || word == "--help-all" || word == "--version")
      return false;
    const CLI::App* next = nullptr;
    for (const auto* sub : subs)
      if (sub->check_name(word)) next = sub;
    if (next == nullptr) {
      const bool option = word.rfind('-', 0) == 0;
      std::cerr << "plnet: error: " << where << "unknown " << (option ? "option '" : "subcommand '")
                << word << (option ? "' (need a subcommand first, one of " : "' (need one of ")
                << known << ")\n";
      return true;
    }
    app = next;
    where += word + ": ";
  }
}

// The options CLI11 did not recognise in the subcommands that were parsed ("--no-such-flag"),
// reported before a missing argument: the typo is the cause.
std::string unrecognised(const CLI::App& app) {
  for (const auto* sub : app.get_subcommands()) {
    for (const std::string& arg : sub->remaining())
      if (arg.rfind('-', 0) == 0) return arg;
    if (std::string inner = unrecognised(*sub); !inner.empty()) return inner;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"plnet: simulate, train and analyse physical learning networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "plnet 0.1.0");
  plnet::cli::register_generate(app);
  plnet::cli::register_solve(app);
  plnet::cli::register_export(app);
  plnet::cli::register_train(app);
  plnet::cli::register_inspect(app);
  plnet::cli::register_analyze(app);
  plnet::cli::register_reproduce(app);
  if (unknown_subcommand(app, argc, argv)) return 2;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const std::string arg = unrecognised(app); !arg.empty())
      std::cerr << "plnet: error: unknown option '" << arg << "'\n";
    else
      std::cerr << "plnet: error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "plnet: error: out of memory (the requested size does not fit in this "
                 "machine's memory)\n";
    return finish_stdout(1);
  } catch (const std::exception& e) {
    std::cerr << "plnet: error: " << e.what() << "\n";
    return finish_stdout(1);
  }
  return finish_stdout(plnet::cli::exit_status());
}
