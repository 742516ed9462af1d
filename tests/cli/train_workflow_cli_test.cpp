// plnet train in a researcher's daily loop: --set, extending a finished run with --resume,
// the rate after a resume, and progress as log lines when stderr is not a terminal.
#include <plnet/io/hdf5.hpp>
#include "support/cli_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Result = plnet::testing::CliResult;

// 205 steps: not a multiple of logging.every or parameters_every, so the run's last step adds a
// log row and a snapshot that a longer run does not have. checkpoint_every larger than the run:
// only the final checkpoint is written. Minibatches, noise and desynchronised updates draw
// from the random generator, which an extension must continue exactly.
const char* kExperiment = R"([network]
generator = "erdos-renyi"
nodes = 40
degree = 4
seed = 3

[parameters]
init = "uniform"
low = 0.5
high = 1.0
seed = 2

[task]
ground = [0]
inputs = [{node = 1}, {node = 2}]
outputs = [{node = 20}, {node = 30}]

[data]
kind = "linear"
map = "000_eq1"
samples = 40
seed = 3
train_fraction = 0.75

[loss]
kind = "mse"
reduction = "mean"

[protocol]
learning_rate = 0.5
steps = 205
batch = 10
noise_sd = 1e-5
update_fraction = 0.8
seed = 7

[logging]
every = 10
parameters_every = 50
checkpoint_every = 100000
)";

class TrainWorkflowCli : public plnet::testing::CliTest {
 protected:
  std::string train(const std::string& args) const {
    return "train " + path("exp.toml") + " " + args;
  }
  std::string experiment_with(const std::string& from, const std::string& to) const {
    std::string text = kExperiment;
    const auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return text.replace(pos, from.size(), to);
  }
  // The two run files hold the same numbers, bit for bit, and the same configuration.
  void expect_identical_runs(const std::string& a_path, const std::string& b_path) const {
    const plnet::io::H5Reader a(a_path), b(b_path);
    for (const char* name :
         {"/parameters/final", "/log/step", "/log/train_cost", "/log/test_cost"}) {
      const auto va = a.read_vector(name), vb = b.read_vector(name);
      ASSERT_EQ(va.size(), vb.size()) << name;
      EXPECT_EQ(
          std::memcmp(va.data(), vb.data(), sizeof(double) * static_cast<std::size_t>(va.size())),
          0)
          << name;
    }
    EXPECT_EQ(a.read_indices("/parameters/snapshot_steps"),
              b.read_indices("/parameters/snapshot_steps"));
    EXPECT_EQ(a.read_matrix("/parameters/snapshots"), b.read_matrix("/parameters/snapshots"));
    EXPECT_EQ(a.read_string("/config"), b.read_string("/config"));
    EXPECT_EQ(a.read_attribute_string("/", "run_id"), b.read_attribute_string("/", "run_id"));
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(TrainWorkflowCli, ProgressIsLogLinesWhenStderrIsNotATerminal) {
  write("exp.toml", kExperiment);
  // The fixture sends stderr to a file: one line at every tenth of the run, the last one with
  // the time of the run.
  const Result r = run(train("-o " + path("r.h5")));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 10U) << r.err;
  const std::regex line(
      R"(plnet: step (\d+)/205 \((\d+)%\), cost \d\.\d\de[-+]\d+, \d+ steps/s, (ETA .+|.+ in this run))");
  const std::vector<int> tenths = {20, 41, 61, 82, 102, 123, 143, 164, 184, 205};
  for (std::size_t k = 0; k < lines.size(); ++k) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[k], m, line)) << lines[k];
    EXPECT_EQ(std::stoi(m[1]), tenths[k]) << lines[k];
    EXPECT_EQ(std::stoi(m[2]), 100 * tenths[k] / 205) << lines[k];
    EXPECT_EQ(m[3].str().find("ETA") == 0, k + 1 < lines.size()) << lines[k];
  }
  // --log-every: a line whenever that many seconds passed, here after nearly every step.
  const Result often = run(train("--log-every 1e-9 -o " + path("r.h5")));
  ASSERT_EQ(often.status, 0) << often.err;
  EXPECT_GT(lines_of(often.err).size(), 100U);
  // --quiet: nothing on stderr, the summary still on stdout.
  const Result quiet = run(train("-q -o " + path("r.h5")));
  ASSERT_EQ(quiet.status, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(nlohmann::json::parse(quiet.out)["steps"].get<int>(), 205);
}

}  // namespace
