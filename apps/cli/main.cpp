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

// "plnet frobnicate" names the word the user typed, not "A subcommand is required".
bool unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  const std::string word = argv[1];
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->check_name(word)) return false;
  std::string known;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    known += (known.empty() ? "" : ", ") + sub->get_name();
  std::cerr << "plnet: error: unknown subcommand '" << word << "' (need one of " << known << ")\n";
  return true;
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
