// Bad inputs found by scripts/bad_input_survey.py, each one line naming the file, the key or the
// flag the user typed (before: an internal name, no file, a banner line before the error, or
// exit 0).
#include "support/cli_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace {

const char* kExperiment = R"([network]
generator = "erdos-renyi"
nodes = 30
degree = 4
seed = 3
[parameters]
init = "uniform"
low = 0.5
high = 1.0
[task]
ground = [0]
inputs = [{node = 1}, {node = 2}]
outputs = [{node = 20}, {node = 25}]
[data]
kind = "linear"
map = "000_eq1"
samples = 20
[protocol]
steps = 20
batch = 5
[logging]
every = 10
)";

class BadInputMessages : public plnet::testing::CliTest {
 protected:
  std::string text_with(const std::string& from, const std::string& to) const {
    return replaced(kExperiment, from, to);
  }
  /// Exactly "plnet: error: <line>\n" with `line` starting with `prefix` and holding `needle`.
  void expect_line(const std::string& args, int status, const std::string& prefix,
                   const std::string& needle = "") const {
    const auto r = run(args);
    EXPECT_EQ(r.status, status) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("plnet: error: " + prefix, 0), 0u) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\n" << r.err;
  }
};

TEST_F(BadInputMessages, UnknownOptionsAndSubcommandsAreNamedAtEveryLevel) {
  expect_line("--bogus", 2, "unknown option '--bogus'");
  expect_line("generate hexagonal -o x.json", 2, "generate: unknown subcommand 'hexagonal'",
              "erdos-renyi");
  expect_line("generate --no-such-flag", 2, "generate: unknown option '--no-such-flag'");
  expect_line("export", 2, "export: a subcommand is required", "spice");
  // An unknown flag is the cause of the missing positional argument after it.
  expect_line("solve --no-such-flag", 2, "unknown option '--no-such-flag'");
  expect_line("train --nope", 2, "unknown option '--nope'");
}

TEST_F(BadInputMessages, ParameterFileValuesNameTheFile) {
  write("params.txt", "-0.75\n");
  write("file.toml", text_with("init = \"uniform\"\nlow = 0.5\nhigh = 1.0",
                               "init = \"file\"\nfile = \"params.txt\""));
  // The count is checked first: a file of the right length with one bad value.
  const auto r = run("inspect " + path("file.toml"));
  const std::string holds = " holds 1 numbers (need ";
  const auto at = r.err.find(holds);
  ASSERT_NE(at, std::string::npos) << r.err;
  const int m = std::stoi(r.err.substr(at + holds.size()));
  std::string values = "-0.75\n";
  for (int i = 1; i < m; ++i) values += "0.75\n";
  write("params.txt", values);
  expect_line("inspect " + path("file.toml"), 1, path("file.toml") + ": line ",
              "parameters.file: '" + path("params.txt") + "': parameter 0 must be > 0 (got -0.75)");
  // --parameters of inspect: the same values, named by their file.
  write("exp.toml", kExperiment);
  write("p.txt", values);
  expect_line("inspect " + path("exp.toml") + " --parameters " + path("p.txt"), 1,
              path("p.txt") + ": parameter 0 must be finite and > 0 (got -0.75)");
}

TEST_F(BadInputMessages, CsvWithoutTheTargetColumnNamesTheFile) {
  write("d.csv", "x1,x2,z1,z2\n1,2,3,4\n2,3,4,5\n");
  write("csv.toml",
        text_with("kind = \"linear\"\nmap = \"000_eq1\"\nsamples = 20",
                  "kind = \"csv\"\nfile = \"d.csv\"\ntargets_columns = [\"y1\", \"y2\"]"));
  expect_line("inspect " + path("csv.toml"), 1, path("csv.toml") + ": line ",
              "data.targets_columns: '" + path("d.csv") + "': no numeric column named 'y1'");
}

TEST_F(BadInputMessages, ExperimentValuesNameTheKeyTheUserWrote) {
  write("a.toml", text_with("every = 10", "every = 0"));
  expect_line("inspect " + path("a.toml"), 1, path("a.toml") + ": line ",
              "logging.every: must be >= 1 (got 0)");
  write("b.toml", text_with("low = 0.5", "low = -1"));
  expect_line("inspect " + path("b.toml"), 1, path("b.toml") + ": line ",
              "parameters.low: need 0 < low <= high");
  write("c.toml", text_with("samples = 20", "samples = 20\nlow = 5"));
  expect_line("inspect " + path("c.toml"), 1, path("c.toml") + ": line ",
              "data.low: need low < high (got 5, 1)");
}

TEST_F(BadInputMessages, AnalyzeOptionsNameTheirFlagsAndHugeOnesAreRefused) {
  write("exp.toml", kExperiment);
  const std::string analyze = "analyze " + path("exp.toml") + " -o " + path("a.h5") + " --what ";
  expect_line(analyze + "cost-hessian --modes -1", 1, "--modes: must be >= 1 (got -1)");
  expect_line(analyze + "landscape --grid 4", 1, "--grid: must be odd");
  // Each landscape point is a solve: 1e9^2 of them ran for ever.
  expect_line(analyze + "landscape --grid 1000000001", 1, "--grid: must be odd and in [3, 1001]");
  expect_line(analyze + "cost-hessian --sector-threshold 2", 1, "--sector-threshold: ", "[0, 1]");
  // Forces and probes beyond memory: std::bad_alloc or no end before.
  expect_line(analyze + "effective --forces 1000000000000", 1,
              "--forces: 1000000000000 forces x 30 degrees of freedom need", "memory");
  expect_line(analyze + "susceptibility-sketch --sketch-probes 1000000000000", 1,
              "--sketch-probes: 1000000000000 probes", "memory");
  EXPECT_FALSE(std::filesystem::exists(path("a.h5")));
}

TEST_F(BadInputMessages, SpringModelOfANetworkWithoutPositionsNamesTheFile) {
  write("net.txt", "0 1\n1 2\n");
  expect_line("solve " + path("net.txt") + " --model spring --ground 0", 1,
              "--model spring: " + path("net.txt") + ": the network has no node positions");
}

TEST_F(BadInputMessages, NegativeSeedIsRefused) {
  const auto r = run("generate square --seed -1 -o " + path("n.json"));
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--seed"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(path("n.json")));
}

TEST_F(BadInputMessages, ReproduceRefusesBeforeItsBannerAndNamesTheSetting) {
  expect_line("reproduce R8 --set protocol.steps=-1 -o " + path("out"), 1, "",
              "protocol.steps: must be >= 0 (got -1)");
  expect_line("reproduce R8 --set protocol.steps=[ -o " + path("out"), 1,
              "--set protocol.steps: '[' is not a TOML value");
  write("notes.txt", "mine\n");
  expect_line("reproduce R8 -o " + path("notes.txt"), 1,
              path("notes.txt") + ": cannot create the output directory");
}

}  // namespace
