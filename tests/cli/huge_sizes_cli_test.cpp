// Sizes that cannot fit in memory are refused before anything is allocated: one line naming the
// key or flag, the value and the estimate, exit 1, within a second. They used to end in a bare
// std::bad_alloc or run on for minutes (1e9 samples, a node count of 2e9 in a network file).
#include "support/cli_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace {

const char* kExperiment = R"([network]
generator = "erdos-renyi"
nodes = 30
degree = 4
seed = 3
[task]
ground = [0]
inputs = [{node = 1}, {node = 2}]
outputs = [{node = 20}, {node = 25}]
[data]
kind = "linear"
map = "000_eq1"
samples = 20
[protocol]
steps = 60
batch = 5
[logging]
every = 10
)";

class HugeSizesCli : public plnet::testing::CliTest {
 protected:
  std::string text_with(const std::string& from, const std::string& to) const {
    return replaced(kExperiment, from, to);
  }
  /// One line "plnet: error: <prefix>...<needles>... more than this machine's ... memory",
  /// exit 1, fast.
  void expect_refused(const std::string& args, const std::string& prefix,
                      const std::vector<std::string>& needles) const {
    const auto start = std::chrono::steady_clock::now();
    const auto r = run(args);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.status, 1) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("plnet: error: " + prefix, 0), 0u) << args << "\n" << r.err;
    for (const auto& needle : needles) EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("more than this machine's"), std::string::npos) << r.err;
    EXPECT_LT(seconds, 10.0) << args;
  }
};

TEST_F(HugeSizesCli, GeneratorNodeCountsBeyondMemoryNameTheFlag) {
  const std::string out = " -o " + path("net.json");
  expect_refused("generate erdos-renyi --nodes 2000000000" + out, "--nodes: 2000000000 nodes",
                 {"TB"});
  expect_refused("generate jammed --nodes 2000000000" + out, "--nodes: 2000000000 nodes", {});
  expect_refused("generate planar --nodes 2000000000" + out, "--nodes: 2000000000 nodes", {});
  expect_refused("generate nanowires --wires 2000000000" + out, "--wires: 2000000000", {});
  expect_refused("generate square --rows 40000 --cols 40000" + out, "--rows: 1600000000 nodes", {});
  expect_refused("generate complete --nodes 60000" + out, "--nodes: 60000 nodes", {});
  EXPECT_FALSE(std::filesystem::exists(path("net.json")));
}

TEST_F(HugeSizesCli, NetworkFileNodeCountBeyondMemoryNamesTheFile) {
  write("big.json", R"({"format": "plnet-network", "nodes": 2000000000, "edges": [[0, 1]]})");
  write("big.txt", "# nodes 2000000000\n0 1\n");
  for (const char* name : {"big.json", "big.txt"})
    expect_refused("solve " + path(name) + " --source 0=1 --ground 1",
                   path(name) + ": 2000000000 nodes and 1 edge need", {});
}

TEST_F(HugeSizesCli, ExperimentSizesBeyondMemoryNameTheKey) {
  struct Case {
    std::string text, needle;
  };
  const std::vector<Case> cases = {
      {text_with("samples = 20", "samples = 100000000000"), "data.samples: 100000000000 samples"},
      {text_with("samples = 20", "samples = 1e11"), "data.samples: 100000000000 samples"},
      {text_with("nodes = 30", "nodes = 2000000000"), "network: nodes: 2000000000 nodes"},
      {text_with("steps = 60", "steps = 1000000000000"), "logging.every: 100000000001 log rows"},
      {text_with("every = 10", "every = 1000000000\nparameters_every = 1"), ""},
      {text_with("nodes = 30", "nodes = 1000000\nmodel = \"node\""),
       "network.nodes: a node network on"},
  };
  for (Case c : cases) {
    if (c.needle.empty()) {  // parameter snapshots at every one of 1e12 steps
      c.text = c.text.replace(c.text.find("steps = 60"), 10, "steps = 1000000000000");
      c.needle = "logging.parameters_every: 1000000000001 snapshots";
    }
    write("huge.toml", c.text);
    for (const std::string& command :
         {"inspect " + path("huge.toml"), "train -q " + path("huge.toml") + " -o " + path("r.h5")})
      expect_refused(command, path("huge.toml") + ": line ", {c.needle});
    EXPECT_FALSE(std::filesystem::exists(path("r.h5")));
  }
}

}  // namespace
