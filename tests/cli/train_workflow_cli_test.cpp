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
    for (const char* name : {"/parameters/final", "/log/train_cost", "/log/test_cost"}) {
      const auto va = a.read_vector(name), vb = b.read_vector(name);
      ASSERT_EQ(va.size(), vb.size()) << name;
      EXPECT_EQ(
          std::memcmp(va.data(), vb.data(), sizeof(double) * static_cast<std::size_t>(va.size())),
          0)
          << name;
    }
    EXPECT_EQ(a.read_indices("/log/step"), b.read_indices("/log/step"));
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

TEST_F(TrainWorkflowCli, SetOverridesKeysAndIsRecordedInTheRunFile) {
  write("exp.toml", kExperiment);
  const Result r =
      run(train("-q --set protocol.steps=120 --set protocol.learning_rate=0.25 "
                "--set 'protocol.batch=\"full\"' -o " +
                path("set.h5")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["steps"].get<int>(), 120);
  const plnet::io::H5Reader h5(path("set.h5"));
  EXPECT_EQ(h5.read_string("/config"), std::string(kExperiment) +
                                           "\n# overrides (plnet train --set)\n[set.protocol]\n"
                                           "steps = 120\nlearning_rate = 0.25\nbatch = \"full\"\n");
  // The same keys edited in the file train the same network, bit for bit.
  write("edited.toml", experiment_with("learning_rate = 0.5\nsteps = 205\nbatch = 10",
                                       "learning_rate = 0.25\nsteps = 120\nbatch = \"full\""));
  ASSERT_EQ(run("train -q " + path("edited.toml") + " -o " + path("edited.h5")).status, 0);
  const plnet::io::H5Reader edited(path("edited.h5"));
  EXPECT_EQ(h5.read_vector("/parameters/final"), edited.read_vector("/parameters/final"));
  // plnet analyze reads the recorded overrides back (an unknown [set] table would be an error).
  const Result a =
      run("analyze " + path("set.h5") + " --what cost-hessian -o " + path("set.analysis.h5"));
  EXPECT_EQ(a.status, 0) << a.err;
}

TEST_F(TrainWorkflowCli, BadOverridesAreOneLineNamingTheKeyAsTyped) {
  write("exp.toml", kExperiment);
  const std::string out = path("bad.h5");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"protocol.stepz=5", "exp.toml: --set protocol.stepz: unknown key"},
      {"protocol.steps=-5", "exp.toml: --set protocol.steps: must be >= 0 (got -5)"},
      {"protocol.steps=abc", "--set protocol.steps: 'abc' is not a TOML value"},
      {"protocol.batch=full", "--set protocol.batch: 'full' is not a TOML value"},
      {"network.nodes='\"forty\"'", "--set network.nodes: must be an integer"},
      {"foo.bar=1", "--set foo.*: not an experiment section"},
      {"steps=5", "--set: need section.key=value (got 'steps=5')"},
      {"protocol.steps=5 --set protocol.steps=6", "--set protocol.steps: given twice"},
  };
  for (const auto& [set, needle] : cases) {
    const Result r = run(train("-q --set " + set + " -o " + out));
    expect_clean_failure(r, needle, out);
  }
}

TEST_F(TrainWorkflowCli, ExtendedRunIsBitIdenticalToTheLongerRun) {
  write("exp.toml", kExperiment);
  ASSERT_EQ(run(train("-q --set protocol.steps=500 -o " + path("long.h5"))).status, 0);
  // A finished run of 205 steps, extended to 500.
  ASSERT_EQ(run(train("-q -o " + path("ext.h5"))).status, 0);
  const Result ext = run(train("-q --resume --set protocol.steps=500 -o " + path("ext.h5")));
  ASSERT_EQ(ext.status, 0) << ext.err;
  EXPECT_EQ(ext.err, "plnet: extending the run from 205 to 500 steps\n");
  expect_identical_runs(path("long.h5"), path("ext.h5"));
  // A run stopped half way and resumed with more steps ends the same.
  ASSERT_EQ(run(train("-q --stop-after 90 -o " + path("half.h5"))).status, 0);
  const Result half = run(train("-q --resume --set protocol.steps=500 -o " + path("half.h5")));
  ASSERT_EQ(half.status, 0) << half.err;
  EXPECT_EQ(half.err, "plnet: extending the run from 205 to 500 steps\n");
  expect_identical_runs(path("long.h5"), path("half.h5"));
}

TEST_F(TrainWorkflowCli, ExtensionKeepsTheDefaultLogSpacingOfTheCheckpointsRun) {
  // Without logging.every the log spacing is steps / 1000: 2 for 2100 steps, 3 for 3000. The
  // extension keeps 2 (recorded as an override), so it equals a 3000-step run logging every 2.
  std::string text = experiment_with("steps = 205", "steps = 2100");
  text.erase(text.find("every = 10\n"), 11);
  write("exp.toml", text);
  ASSERT_EQ(run(train("-q -o " + path("ext.h5"))).status, 0);
  const Result ext = run(train("-q --resume --set protocol.steps=3000 -o " + path("ext.h5")));
  ASSERT_EQ(ext.status, 0) << ext.err;
  EXPECT_EQ(ext.err,
            "plnet: extending the run from 2100 to 3000 steps (logging.every stays 2, as in the "
            "checkpoint's run)\n");
  ASSERT_EQ(
      run(train("-q --set protocol.steps=3000 --set logging.every=2 -o " + path("long.h5"))).status,
      0);
  expect_identical_runs(path("long.h5"), path("ext.h5"));
  // Extended again, the recorded spacing still holds.
  const Result again = run(train("-q --resume --set protocol.steps=3100 -o " + path("ext.h5")));
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("from 3000 to 3100 steps (logging.every stays 2"), std::string::npos)
      << again.err;
}

TEST_F(TrainWorkflowCli, ResumeRefusesAnyOtherChangeNamingTheKey) {
  write("exp.toml", kExperiment);
  ASSERT_EQ(run(train("-q -o " + path("r.h5"))).status, 0);
  const std::string ckpt = path("r.h5.ckpt");
  struct Case {
    std::string args;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"--set protocol.learning_rate=0.4",
       "checkpoint of another configuration: protocol.learning_rate was 0.5, now 0.4"},
      {"--set protocol.steps=500 --set protocol.seed=8",
       "checkpoint of another configuration: protocol.seed was 7, now 8"},
      {"--set protocol.steps=100",
       "checkpoint of another configuration: protocol.steps was 205, now 100 (--resume can "
       "extend a run, not shorten it)"},
      {"--set protocol.steps=500 --set logging.every=7",
       "checkpoint of another configuration: logging.every was 10, now 7"},
      {"--set 'loss.reduction=\"mean\"' --set 'rule.kind=\"coupled\"'",
       "checkpoint of another configuration: rule.kind was unset, now 'coupled'"},
  };
  for (const Case& c : cases) {
    const Result r = run(train("-q --resume " + c.args + " -o " + path("r.h5")));
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("plnet: error: " + ckpt + ": " + c.needle), std::string::npos)
        << c.args << ": " << r.err;
  }
  // An edited file with more steps extends the run like --set does.
  write("exp.toml", experiment_with("steps = 205", "steps = 300"));
  const Result edited = run(train("-q --resume -o " + path("r.h5")));
  EXPECT_EQ(edited.status, 0) << edited.err;
  EXPECT_EQ(edited.err, "plnet: extending the run from 205 to 300 steps\n");
}

TEST_F(TrainWorkflowCli, StepsPerSecondAfterAResumeCountsOnlyTheStepsRun) {
  write("exp.toml", kExperiment);
  const Result first =
      run(train("-q --stop-after 150 --set protocol.learning_rate=0.25 -o " + path("r.h5")));
  ASSERT_EQ(first.status, 0) << first.err;
  // The line says how to continue, overrides included.
  const std::string resume = "plnet train " + path("exp.toml") +
                             " --resume --set protocol.learning_rate=0.25 -o " + path("r.h5");
  EXPECT_NE(first.err.find("; continue with: " + resume + "\n"), std::string::npos) << first.err;
  const Result r = run(train("-q --resume --set protocol.learning_rate=0.25 -o " + path("r.h5")));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["steps"].get<int>(), 205);
  EXPECT_EQ(j["steps_run"].get<int>(), 55);
  const double seconds = j["seconds"].get<double>();
  ASSERT_GT(seconds, 0.0);
  // The summary's own two numbers, so only rounding of the JSON text separates them.
  EXPECT_NEAR(j["steps_per_second"].get<double>() * seconds, 55.0, 1e-9 * 55.0);
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

TEST_F(TrainWorkflowCli, HelpStatesTheDefaultsTheRunUses) {
  const Result help = run("train --help");
  ASSERT_EQ(help.status, 0) << help.err;
  for (const char* needle : {"loss.reduction = \"sum\"", "protocol.batch = 30",
                             "logging.every = protocol.steps / 1000", "--log-every FLOAT"})
    EXPECT_NE(help.out.find(needle), std::string::npos) << needle << " in " << help.out;
  // Without [loss] and [logging] the run sums its cost and logs every steps / 1000.
  std::string text = experiment_with("[loss]\nkind = \"mse\"\nreduction = \"mean\"\n", "");
  text.erase(text.find("[logging]"));
  write("exp.toml", text);
  ASSERT_EQ(run(train("-q --set protocol.steps=2000 -o " + path("d.h5"))).status, 0);
  const plnet::io::H5Reader h5(path("d.h5"));
  EXPECT_EQ(h5.read_attribute_string("/", "reduction"), "sum");
  EXPECT_EQ(h5.read_indices("/log/step").size(), 1001U);  // every 2 steps, 0 to 2000
}

}  // namespace
