// plnet reproduce end to end: --list, unknown ids, output files and the exit code of a failed
// check (a small R7 config: untrained, so L:S differs from the full Hessian by H_dyn).
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

const char* kSmallR7 = R"([network]
generator = "erdos-renyi"
nodes = 24
degree = 4

[parameters]
init = "uniform"
low = 0.5
high = 1.0

[task]
ground = [0]
inputs = [{node = 1}, {node = 2}]
outputs = [{node = 10}, {node = 15}]

[data]
kind = "linear"
map = "000_eq1"
samples = 12

[loss]
kind = "mse"

[rule]
kind = "exact"

[protocol]
learning_rate = 0.05
steps = 0
batch = "full"

[reproduce]
seed = 3
fd_directions = 2
)";

using Result = plnet::testing::CliResult;

class ReproduceCli : public plnet::testing::CliTest {};

TEST_F(ReproduceCli, ListsReproductions) {
  const Result r = run("reproduce --list");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("R1    000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("R7"), std::string::npos) << r.out;
}

TEST_F(ReproduceCli, UnknownIdIsOneLineError) {
  const Result r = run("reproduce R99");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("unknown reproduction 'R99' (have R1"), std::string::npos) << r.err;
}

TEST_F(ReproduceCli, FailedCheckGivesExitCodeThreeAndFiles) {
  std::ofstream(path("r7.toml")) << kSmallR7;
  const Result r =
      run("reproduce R7 --no-figures --config " + path("r7.toml") + " -o " + path("out"));
  EXPECT_EQ(r.status, 3) << r.err;
  const auto j = nlohmann::json::parse(std::ifstream(path("out/check.json")));
  EXPECT_FALSE(j["passed"].get<bool>());
  // The identity L:S = H_sat holds untrained too; only the full-Hessian row fails.
  EXPECT_TRUE(j["checks"][0]["passed"].get<bool>()) << j.dump(2);
  EXPECT_FALSE(j["checks"][1]["passed"].get<bool>()) << j.dump(2);
  EXPECT_TRUE(j["checks"][2]["passed"].get<bool>()) << j.dump(2);
  EXPECT_NE(r.out.find("| FAIL |"), std::string::npos) << r.out;  // check.md on stdout
  const plnet::io::H5Reader h5(path("out/results.h5"));
  EXPECT_EQ(h5.read_attribute_string("/", "plnet_format"), "reproduction");
  EXPECT_EQ(h5.read_index("reproduce/seed"), 3);
  EXPECT_NE(r.err.find("figures skipped (--no-figures)"), std::string::npos) << r.err;
}

TEST_F(ReproduceCli, SeedOptionReplacesTheConfigSeed) {
  std::ofstream(path("r7.toml")) << kSmallR7;
  const Result r =
      run("reproduce R7 --no-figures --seed 9 --config " + path("r7.toml") + " -o " + path("out"));
  ASSERT_NE(r.status, 1) << r.err;
  const plnet::io::H5Reader h5(path("out/results.h5"));
  EXPECT_EQ(h5.read_index("reproduce/seed"), 9);
}

TEST_F(ReproduceCli, ResultsExplainThemselves) {
  // R3 at its quick size writes a trained network (write_training) and the regression analysis
  // shared with R1 and R2: every dataset carries description, units and axes, indices and steps
  // are integers. (Every reproduction checks this before it writes: ctest -L reproduce.)
  const Result r = run("reproduce R3 --quick --no-figures -o " + path("out"));
  ASSERT_NE(r.status, 1) << r.err;
  const plnet::io::H5Reader h5(path("out/results.h5"));
  EXPECT_EQ(h5.read_attribute_index("/", "plnet_format_version"), 2);
  EXPECT_GT(h5.datasets().size(), 30U);
  EXPECT_EQ(plnet::io::undescribed_datasets(h5), std::vector<std::string>{});
  const plnet::io::IndexMatrix edges = h5.read_index_matrix("/run/network/edges");
  EXPECT_EQ(edges.cols(), 2);
  EXPECT_EQ(edges.rows(), h5.read_vector("/run/parameters/final").size());
  EXPECT_EQ(h5.read_indices("/run/log/step").front(), 0);
  EXPECT_EQ(h5.read_attribute_string("/run/train/outputs", "axes"), "sample, output");
}

}  // namespace
