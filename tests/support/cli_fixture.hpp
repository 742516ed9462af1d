#pragma once
// A test fixture for running the plnet executable (PLNET_CLI_PATH) in a private temporary
// directory: one directory per test (removed afterwards), the command's stdout, stderr and exit
// status, and the check every bad-input test makes (one line, non-zero exit, no output file,
// no temporary left behind).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <plnet_test_paths.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace plnet::testing {

struct CliResult {
  int status = 0;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("plnet_") + info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// Runs `plnet <args>` (shell syntax), capturing stdout and stderr.
  CliResult run(const std::string& args) const {
    return run_shell(std::string(PLNET_CLI_PATH) + " " + args);
  }
  /// Runs a shell command line (sh syntax), capturing stdout and stderr.
  CliResult run_shell(const std::string& script) const {
    const std::filesystem::path err_file = dir_ / "stderr.txt";
    const std::string cmd = "{ " + script + "\n} 2>" + err_file.string();
    CliResult r;
    FILE* pipe = popen(cmd.c_str(), "r");
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) r.out += buffer.data();
    const int raw = pclose(pipe);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    std::stringstream ss;
    ss << std::ifstream(err_file).rdbuf();
    r.err = ss.str();
    return r;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  /// `text` with the first `from` replaced by `to` (a variant of a test's experiment); fails the
  /// test if `from` is not there, so a stale edit cannot pass silently.
  static std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos == std::string::npos) return text;
    return text.replace(pos, from.size(), to);
  }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ / name) << content;
  }
  /// Exactly one line on stderr containing `needle`, non-zero status, `output` absent and no
  /// temporary file (".tmp.") left in the directory.
  void expect_clean_failure(const CliResult& r, const std::string& needle,
                            const std::string& output) const {
    EXPECT_NE(r.status, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(output)) << output;
    for (const auto& entry : std::filesystem::directory_iterator(dir_))
      EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
  }

  std::filesystem::path dir_;
};

}  // namespace plnet::testing
