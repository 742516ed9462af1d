// plnet: command-line entry point. Each subcommand lives in its own file; every error from
// bad input becomes one line on stderr and a non-zero exit code (1 input, 2 usage, 3 a
// reproduction whose checks failed, 4 a training run that lost positive definiteness).
#include "common.hpp"

#include <exception>
#include <iostream>

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
  } catch (const std::exception& e) {
    std::cerr << "plnet: error: " << e.what() << "\n";
    return 1;
  }
  return plnet::cli::exit_status();
}
