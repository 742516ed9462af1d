// solve and export work from a run file of plnet train: its network at the final parameters or
// at a stored snapshot, without rebuilding a network file by hand.
#include <plnet/io/hdf5.hpp>
#include <plnet/io/network_io.hpp>
#include <plnet/learning/experiment.hpp>
#include "support/cli_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using plnet::Index;
using plnet::Matrix;
using plnet::Vector;
using Result = plnet::testing::CliResult;

const char* kResistor = R"([network]
generator = "erdos-renyi"
nodes = 24
degree = 4
seed = 3
[parameters]
init = "uniform"
low = 0.5
high = 1.5
seed = 2
[task]
ground = [0]
inputs = [{node = 1}, {node = 2}]
outputs = [{node = 10}, {node = 15}]
[data]
kind = "linear"
map = "000_eq1"
samples = 12
seed = 3
[loss]
kind = "mse"
[rule]
kind = "exact"
[protocol]
learning_rate = 0.5
steps = 200
batch = "full"
seed = 7
[logging]
every = 50
parameters_every = 50
)";

class RunInputCli : public plnet::testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    write("exp.toml", kResistor);
    const Result t = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
    ASSERT_EQ(t.status, 0) << t.err;
  }
  std::string text_of(const std::string& name) const {
    std::stringstream ss;
    ss << std::ifstream(path(name)).rdbuf();
    return ss.str();
  }
  void expect_one_line_error(const std::string& args, const std::string& needle) const {
    const Result r = run(args);
    EXPECT_EQ(r.status, 1) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "expected '" << needle << "' in " << r.err;
  }
};

TEST_F(RunInputCli, ExportNetworkWritesTheTrainedNetwork) {
  const Result r = run("export network " + path("run.h5") + " -o " + path("trained.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("parameters: final"), std::string::npos) << r.out;
  const plnet::io::H5Reader h5(path("run.h5"));
  const plnet::graph::Network net = plnet::io::read_network(path("trained.json"));
  // Bit for bit: JSON writes the shortest exact form of every double.
  EXPECT_EQ(net.conductances(), h5.read_vector("/parameters/final"));
  const plnet::io::IndexMatrix edges = h5.read_index_matrix("/network/edges");
  ASSERT_EQ(net.num_edges(), edges.rows());
  for (Index i = 0; i < net.num_edges(); ++i) {
    EXPECT_EQ(net.edge(i).a, edges(i, 0));
    EXPECT_EQ(net.edge(i).b, edges(i, 1));
  }
  // The trained network differs from the untrained one.
  const plnet::learning::Experiment e = plnet::learning::load_experiment(path("exp.toml"));
  EXPECT_GT((net.conductances() - e.initial_parameters).norm(), 1e-6);

  // A stored snapshot, and an edge list.
  const Result s = run("export network " + path("run.h5") + " --snapshot 1 -o " + path("snap.txt"));
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_NE(s.out.find("parameters: snapshot 1 (step 50)"), std::string::npos) << s.out;
  const Matrix snapshots = h5.read_matrix("/parameters/snapshots");
  EXPECT_EQ(plnet::io::read_network(path("snap.txt")).conductances(),
            Vector(snapshots.row(1).transpose()));
}

TEST_F(RunInputCli, SolveAndSpiceOfARunEqualThoseOfItsExportedNetwork) {
  ASSERT_EQ(run("export network " + path("run.h5") + " -o " + path("trained.json")).status, 0);
  const std::string conditions = " --ground 0 --source 1=1 --source 2=0.5";
  const Result from_run = run("solve " + path("run.h5") + conditions);
  const Result from_net = run("solve " + path("trained.json") + conditions);
  ASSERT_EQ(from_run.status, 0) << from_run.err;
  ASSERT_EQ(from_net.status, 0) << from_net.err;
  EXPECT_EQ(from_run.out, from_net.out);
  const auto j = nlohmann::json::parse(from_run.out);
  EXPECT_EQ(j["model"], "resistor");
  EXPECT_EQ(j["voltages"][1].get<double>(), 1.0);

  // SPICE netlists differ only in their title line (the input's name).
  const Result spice_run = run("export spice " + path("run.h5") + conditions);
  const Result spice_net = run("export spice " + path("trained.json") + conditions);
  ASSERT_EQ(spice_run.status, 0) << spice_run.err;
  ASSERT_EQ(spice_net.status, 0) << spice_net.err;
  const auto body = [](const std::string& s) { return s.substr(s.find('\n')); };
  EXPECT_EQ(body(spice_run.out), body(spice_net.out));
  EXPECT_NE(spice_run.out.find(path("run.h5")), std::string::npos);
}

TEST_F(RunInputCli, BadUsesAreOneLineErrors) {
  ASSERT_EQ(run("export network " + path("run.h5") + " -o " + path("trained.json")).status, 0);
  expect_one_line_error("solve " + path("trained.json") + " --ground 0 --snapshot 1",
                        "--snapshot: needs a run file (got the network file");
  expect_one_line_error("solve " + path("run.h5") + " --ground 0 --snapshot 9",
                        "--snapshot: out of range (got 9, need 0 <= K < 5");
  expect_one_line_error("solve " + path("run.h5") + " --ground 0 --model spring",
                        "--model: the run file trained a resistor network (got --model spring)");
  expect_one_line_error("export network " + path("run.h5") + " -o " + path("run.h5"),
                        "never replaces an input");
  // A node network's parameters are W's entries, not edge conductances.
  write("node.toml", R"([network]
generator = "complete"
nodes = 5
model = "node"
[parameters]
init = "random_symmetric"
seed = 5
[data]
kind = "constraints_003"
tasks = 2
seed = 6
[rule]
kind = "equilibrium"
[protocol]
steps = 1
batch = "full"
)");
  const plnet::learning::Experiment node = plnet::learning::load_experiment(path("node.toml"));
  {
    plnet::io::H5Writer w(path("node.h5"));
    plnet::io::write_format(w, "run", 2);
    w.write("/config", text_of("node.toml"));
    w.write("/parameters/final", node.initial_parameters);
    w.write("/parameters/snapshots", Matrix(0, node.initial_parameters.size()));
    w.write("/parameters/snapshot_steps", std::vector<Index>{});
    w.commit();
  }
  expect_one_line_error("export network " + path("node.h5") + " -o " + path("n.json"),
                        "node.h5: a node network's parameters are entries of W");
  EXPECT_FALSE(fs::exists(path("n.json")));
}

}  // namespace
