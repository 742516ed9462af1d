// plnet train / inspect end to end: results, exact resume, and bad experiment files.
#include <plnet/io/hdf5.hpp>
#include "support/cli_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

const char* kExperiment = R"(# a small 000-style regression
[network]
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

[rule]
kind = "coupled"
nudge = 0.01

[protocol]
learning_rate = 0.5
steps = 400
batch = 10
noise_sd = 1e-5
update_fraction = 0.8
seed = 7

[logging]
every = 10
parameters_every = 100
checkpoint_every = 50
)";

using Result = plnet::testing::CliResult;

class TrainCli : public plnet::testing::CliTest {
 protected:
  // Replaces the first occurrence of `from` in the base experiment.
  std::string variant(const std::string& from, const std::string& to) const {
    std::string text = kExperiment;
    const auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return text.replace(pos, from.size(), to);
  }
  void expect_clean_failure(const std::string& toml, const std::string& needle) {
    write("bad.toml", toml);
    const Result r = run("train " + path("bad.toml") + " -q -o " + path("bad.h5"));
    EXPECT_NE(r.status, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("bad.h5")));
  }
};

TEST_F(TrainCli, TrainsWritesRunAndSummary) {
  write("exp.toml", kExperiment);
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_LT(summary["final_train_cost"].get<double>(),
            0.1 * summary["initial_train_cost"].get<double>());
  EXPECT_TRUE(fs::exists(path("run.json")));
  const plnet::io::H5Reader h5(path("run.h5"));
  EXPECT_EQ(h5.read_attribute_string("/", "plnet_format"), "run");
  EXPECT_EQ(h5.read_string("/config"), kExperiment);
  EXPECT_EQ(h5.read_vector("/log/train_cost").size(), 41);  // steps 0, 10, ..., 400
  EXPECT_EQ(h5.read_matrix("/parameters/snapshots").rows(), 5);
}

TEST_F(TrainCli, RunFileExplainsItself) {
  // A reader with h5py and no plnet: every dataset says what it is, its units and its axes;
  // indices and steps are integers; per-sample arrays are samples first; the task's nodes are
  // datasets, not only TOML text.
  write("exp.toml", kExperiment);
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  const plnet::io::H5Reader h5(path("run.h5"));
  EXPECT_EQ(h5.read_attribute_index("/", "plnet_format_version"), 2);
  EXPECT_EQ(plnet::io::undescribed_datasets(h5), std::vector<std::string>{});
  EXPECT_EQ(h5.read_attribute_string("/final/train_states", "axes"), "sample, dof");
  EXPECT_EQ(h5.read_attribute_string("/final/train_inputs", "units"), "V (or pressure)");
  const plnet::io::IndexMatrix edges = h5.read_index_matrix("/network/edges");
  EXPECT_EQ(edges.rows(), h5.read_vector("/parameters/final").size());
  EXPECT_EQ(edges.cols(), 2);
  const std::vector<plnet::Index> steps = h5.read_indices("/log/step");
  EXPECT_EQ(steps.front(), 0);
  EXPECT_EQ(steps.back(), 400);
  // 30 training samples (0.75 of 40) x 40 node voltages; the states agree with the outputs,
  // which read nodes 20 and 30.
  const plnet::Matrix states = h5.read_matrix("/final/train_states");
  const plnet::Matrix outputs = h5.read_matrix("/final/train_outputs");
  ASSERT_EQ(states.rows(), 30);
  ASSERT_EQ(states.cols(), 40);
  ASSERT_EQ(outputs.rows(), 30);
  EXPECT_NEAR((states.col(20) - outputs.col(0)).norm(), 0.0, 1e-12 * outputs.norm());
  EXPECT_NEAR((states.col(30) - outputs.col(1)).norm(), 0.0, 1e-12 * outputs.norm());
  // Inputs held at nodes 1 and 2 (holds, kind 0), outputs read at 20 and 30, node 0 grounded.
  using Indices = std::vector<plnet::Index>;
  EXPECT_EQ(h5.read_indices("/task/inputs/kind"), (Indices{0, 0}));
  EXPECT_EQ(h5.read_indices("/task/inputs/targets"), (Indices{1, 2}));
  EXPECT_EQ(h5.read_indices("/task/inputs/channel"), (Indices{0, 1}));
  EXPECT_EQ(h5.read_indices("/task/outputs/dofs"), (Indices{20, 30}));
  EXPECT_EQ(h5.read_indices("/task/outputs/edge"), (Indices{-1, -1}));
  EXPECT_EQ(h5.read_indices("/task/ground"), (Indices{0}));
  EXPECT_EQ(h5.read_index("/task/num_dofs"), 40);
  // States at the held nodes are the held values: ground 0, inputs the samples' inputs.
  const plnet::Matrix inputs = h5.read_matrix("/final/train_inputs");
  EXPECT_EQ(states.col(0).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_NEAR((states.col(1) - inputs.col(0)).norm(), 0.0, 1e-12 * inputs.norm());
}

TEST_F(TrainCli, RunFileRecordsTheNodesAGeneratorDropped) {
  ASSERT_EQ(run("generate erdos-renyi --nodes 200 --degree 1.5 -o " + path("er.json")).status, 0);
  std::ifstream in(path("er.json"));
  const auto net = nlohmann::json::parse(in);
  ASSERT_GT(net["nodes"].size(), 30U);  // the task uses nodes up to 30
  write("exp.toml", variant("generator = \"erdos-renyi\"\nnodes = 40\ndegree = 4\nseed = 3",
                            "file = \"er.json\""));
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  const plnet::io::H5Reader h5(path("run.h5"));
  EXPECT_EQ(h5.read_indices("/network/source_nodes"),
            net["source_nodes"].get<std::vector<plnet::Index>>());
}

TEST_F(TrainCli, InputWithoutEffectOnAnyTargetIsAWarning) {
  // Column 1 of the map is zero: input 1 (node 2) cannot matter to any target.
  write("exp.toml", variant("map = \"000_eq1\"", "map = [[1.0, 0.0], [0.5, 0.0]]"));
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("plnet: warning: data.map: column 1 is zero, so input 1 has no effect on "
                       "any target"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("column 0"), std::string::npos) << r.err;
  // The shipped map uses every input: no warning.
  write("good.toml", kExperiment);
  const Result good = run("train " + path("good.toml") + " -q -o " + path("good.h5"));
  ASSERT_EQ(good.status, 0) << good.err;
  EXPECT_EQ(good.err.find("warning"), std::string::npos) << good.err;
}

TEST_F(TrainCli, PeriodicBoxReachesTheNetworkFileAndTheRunFile) {
  // A jammed packing is periodic: its box must be in the generated network file, read back
  // from it and stored next to the positions in run.h5 (the figures need it).
  ASSERT_EQ(run("generate jammed --nodes 60 --seed 4 -o " + path("net.json")).status, 0);
  std::ifstream in(path("net.json"));
  const auto net = nlohmann::json::parse(in);
  ASSERT_TRUE(net.contains("box"));
  ASSERT_EQ(net["box"].size(), 2U);
  write("exp.toml", variant("generator = \"erdos-renyi\"\nnodes = 40\ndegree = 4\nseed = 3",
                            "file = \"net.json\""));
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  const plnet::io::H5Reader h5(path("run.h5"));
  const plnet::Vector box = h5.read_vector("/network/box");
  ASSERT_EQ(box.size(), 2);
  EXPECT_EQ(box[0], net["box"][0].get<double>());
  EXPECT_EQ(box[1], net["box"][1].get<double>());
  EXPECT_EQ(h5.read_matrix("/network/positions").cols(), 2);
}

TEST_F(TrainCli, InterruptedAndResumedRunIsBitIdentical) {
  write("exp.toml", kExperiment);
  ASSERT_EQ(run("train " + path("exp.toml") + " -q -o " + path("full.h5")).status, 0);
  const Result first =
      run("train " + path("exp.toml") + " -q --stop-after 137 -o " + path("split.h5"));
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_FALSE(fs::exists(path("split.h5")));
  const Result second = run("train " + path("exp.toml") + " -q --resume -o " + path("split.h5"));
  ASSERT_EQ(second.status, 0) << second.err;
  const plnet::io::H5Reader a(path("full.h5")), b(path("split.h5"));
  for (const char* name : {"/parameters/final", "/log/train_cost", "/log/test_cost"}) {
    const auto va = a.read_vector(name), vb = b.read_vector(name);
    ASSERT_EQ(va.size(), vb.size()) << name;
    EXPECT_EQ(
        std::memcmp(va.data(), vb.data(), sizeof(double) * static_cast<std::size_t>(va.size())), 0)
        << name;
  }
  EXPECT_EQ(a.read_matrix("/parameters/snapshots"), b.read_matrix("/parameters/snapshots"));
}

TEST_F(TrainCli, ResumeRefusesCheckpointOfAnotherConfig) {
  write("exp.toml", kExperiment);
  ASSERT_EQ(run("train " + path("exp.toml") + " -q --stop-after 60 -o " + path("r.h5")).status, 0);
  write("exp.toml", variant("learning_rate = 0.5", "learning_rate = 0.4"));
  const Result r = run("train " + path("exp.toml") + " -q --resume -o " + path("r.h5"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("checkpoint of another configuration"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(path("r.h5")));
}

TEST_F(TrainCli, InspectGivesStatesGradientAndUpdate) {
  write("exp.toml", kExperiment);
  const Result r = run("inspect " + path("exp.toml") + " --samples 0,2");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["samples"].get<int>(), 2);
  EXPECT_EQ(j["free_states"].size(), 2U);
  EXPECT_EQ(j["clamped_states"].size(), 2U);
  // update = -alpha * estimate for conductances (before noise, masks and clipping).
  const auto& est = j["estimate"];
  const auto& upd = j["update"];
  ASSERT_EQ(est.size(), upd.size());
  for (std::size_t i = 0; i < est.size(); ++i)
    EXPECT_DOUBLE_EQ(upd[i].get<double>(), -0.5 * est[i].get<double>());
  // The clamped state moves each output by eta of its error: y_C = y_F + 0.01 (t - y_F).
  // (node 20 is dof 20 for a resistor network)
  const double yf = j["free_states"][0][20].get<double>();
  const double yc = j["clamped_states"][0][20].get<double>();
  EXPECT_NE(yf, yc);
}

TEST_F(TrainCli, NodeNetworkLearnsSeveralRandomConstraintTasks) {
  // 003 Figs. 2 and 5: a fully connected node network, five simultaneous tasks A_r.x = -B_r,
  // local (EP) rule; the error falls by many orders of magnitude.
  write("c.toml", R"([network]
generator = "complete"
nodes = 10
model = "node"
[parameters]
init = "random_symmetric"
seed = 5
[data]
kind = "constraints_003"
tasks = 5
seed = 6
[loss]
reduction = "mean"
[rule]
kind = "equilibrium"
nudge = 1e-3
[protocol]
learning_rate = 5
steps = 5000
batch = "full"
bounds = [-1e6, 1e6]
)");
  const Result r = run("train " + path("c.toml") + " -q -o " + path("c.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_LT(j["final_train_cost"].get<double>(), 1e-8 * j["initial_train_cost"].get<double>());
}

// A 4-node network (003, H = W) with weak positive couplings, node 3 grounded, a unit force at
// node 0 and a far target for x_1: the exact gradient pulls W_01 negative, and alpha = 0.3
// overshoots it past -1, where the free block of W stops being positive definite
// (tests/learning/trainer_test.cpp replays the same run with dense algebra).
const char* kNodeBreakdown = R"([network]
generator = "complete"
nodes = 4
model = "node"
[parameters]
init = "file"
file = "w0.txt"
[task]
ground = [3]
inputs = [{kind = "force", node = 0}]
outputs = [{node = 1}]
[data]
kind = "samples"
inputs = [[1.0]]
targets = [[2.0]]
[loss]
reduction = "mean"
[rule]
kind = "exact"
[protocol]
learning_rate = 0.3
steps = 50
batch = "full"
[logging]
every = 1
)";

TEST_F(TrainCli, NodeNetworkThatLosesPositiveDefinitenessStopsWithOneLine) {
  // W = I + 0.05 (ones - I), upper triangle row by row.
  write("w0.txt", "1\n0.05\n0.05\n0.05\n1\n0.05\n0.05\n1\n0.05\n1\n");
  write("n.toml", kNodeBreakdown);
  const Result r = run("train " + path("n.toml") + " -q -o " + path("n.h5"));
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  for (const char* needle : {"plnet: training stopped: step ", " of 50: ", "not positive definite",
                             "3 free dofs", "smallest eigenvalue -", "checkpoint "})
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << " in " << r.err;
  EXPECT_FALSE(fs::exists(path("n.h5")));  // no run file for a run that did not finish
  ASSERT_TRUE(fs::exists(path("n.h5.ckpt")));
  // The checkpoint holds the last positive-definite state: step = the failing step - 1.
  const auto at = r.err.find("step ") + 5;
  const long failing = std::stol(r.err.substr(at));
  const plnet::io::H5Reader ckpt(path("n.h5.ckpt"));
  EXPECT_EQ(ckpt.read_attribute_string("/", "plnet_format"), "checkpoint");
  EXPECT_EQ(ckpt.read_index("/step"), failing - 1);
  // Resumed unchanged, the run meets the same step again: the same line, bit for bit.
  const Result again = run("train " + path("n.toml") + " -q --resume -o " + path("n.h5"));
  EXPECT_EQ(again.status, 4) << again.err;
  EXPECT_EQ(again.err, r.err);
  // With a smaller learning rate the same network learns without losing stability.
  std::string gentle = kNodeBreakdown;
  gentle.replace(gentle.find("learning_rate = 0.3"), 19, "learning_rate = 0.02");
  write("g.toml", gentle);
  const Result ok = run("train " + path("g.toml") + " -q -o " + path("g.h5"));
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_TRUE(fs::exists(path("g.h5")));
}

TEST_F(TrainCli, BadExperimentFiles) {
  expect_clean_failure(variant("learning_rate = 0.5", "learning_rat = 0.5"),
                       "line 35: protocol.learning_rat: unknown key");
  expect_clean_failure(variant("steps = 400", "steps = -4"),
                       "protocol.steps: must be >= 0 (got -4)");
  expect_clean_failure(variant("kind = \"coupled\"", "kind = \"magic\""), "rule.kind");
  expect_clean_failure(
      variant("outputs = [{node = 20}, {node = 30}]", "outputs = [{node = 20}, {node = 2}]"),
      "a target that is also a source");
  expect_clean_failure(variant("inputs = [{node = 1}, {node = 2}]", "inputs = [{node = 1}]"),
                       "the data have 2 input columns but task.inputs has 1");
  expect_clean_failure(variant("nodes = 40", "nodes = \"forty\""),
                       "network.nodes: must be an integer");
  expect_clean_failure(variant("[loss]", "[loss\n"), "malformed TOML");
  expect_clean_failure(variant("batch = 10", "batch = 1000"),
                       "protocol.batch: larger than the training set");
}

}  // namespace
