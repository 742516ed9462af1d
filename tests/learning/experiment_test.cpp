// Experiment files: the [task] edge_inputs / edge_outputs keys (004 App. K edge choice) and
// samples listed in the file ([data] kind = "samples", 000's allostery).
#include <plnet/graph/generators.hpp>
#include <plnet/learning/experiment.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace plnet::learning {
namespace {

std::string nanowire_experiment(const std::string& task_keys) {
  return R"(
[network]
generator = "nanowires"
wires = 100
stick_length = 0.2
seed = 4
model = "resistor"
[parameters]
init = "constant"
value = 1.0
[task]
ground = [0]
)" + task_keys +
         R"(
[data]
kind = "noisy_linear"
outputs = 2
inputs = 2
samples = 5
noise_sd = 0.0
[loss]
kind = "mse"
[rule]
kind = "two_phase"
[protocol]
steps = 1
batch = "full"
)";
}

// The keys give exactly the edges graph::choose_io_edges draws with the same seed (an
// independent call), as edge sources and edge readouts; an ensemble seed sets task.edge_seed.
TEST(ExperimentFile, EdgeInputsAndOutputsAreTheSpanningTreeComplementChoice) {
  const auto e = parse_experiment(
      nanowire_experiment("edge_inputs = 2\nedge_outputs = 2\nedge_seed = 7\n"), "t.toml", ".");
  const auto choice = graph::choose_io_edges(e.network, 2, 2, 7);
  ASSERT_EQ(e.task.num_inputs(), 2);
  ASSERT_EQ(e.task.num_outputs(), 2);
  std::set<Index> used;
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(e.task.inputs[k].kind, InputKind::kEdgeSource);
    EXPECT_EQ(e.task.inputs[k].targets, std::vector<Index>{choice.inputs[k]});
    EXPECT_EQ(e.task.outputs[k].edge, choice.outputs[k]);
    used.insert(choice.inputs[k]);
    used.insert(choice.outputs[k]);
  }
  EXPECT_EQ(used.size(), 4U);  // four distinct edges

  ParseOptions options;
  options.seed = 11;
  const auto other = parse_experiment(nanowire_experiment("edge_inputs = 2\nedge_outputs = 2\n"),
                                      "t.toml", ".", options);
  EXPECT_EQ(other.task.num_inputs(), 2);  // the derived edge_seed is accepted
}

// toml++ quotes the offending text in its message, line break included; the error must stay
// one line (found by the experiment fuzzer).
TEST(ExperimentFile, MalformedTomlIsOneLineWhateverTheParserQuotes) {
  try {
    (void)parse_experiment("[protocol]\nlearning_rate = in\n", "t.toml", ".");
    FAIL() << "malformed TOML accepted";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find("t.toml: line 2: malformed TOML"), std::string::npos) << message;
  }
}

TEST(ExperimentFile, EdgeInputsRejectedWithFieldAndValue) {
  try {
    (void)parse_experiment(nanowire_experiment("edge_inputs = -1\n"), "t.toml", ".");
    FAIL() << "negative edge_inputs accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("task.edge_inputs"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("-1"), std::string::npos) << e.what();
  }
  try {
    (void)parse_experiment(nanowire_experiment("edge_inputs = 400\n"), "t.toml", ".");
    FAIL() << "more edges than the complement holds accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("task.edge_inputs"), std::string::npos) << e.what();
  }
}

std::string listed_samples(const std::string& data_keys) {
  return R"(
[network]
generator = "square"
rows = 4
cols = 4
model = "resistor"
[parameters]
init = "constant"
value = 1.0
[task]
ground = [0]
inputs = [{node = 15}]
outputs = [{edge = 3}, {kind = "difference", nodes = [5, 10]}]
[data]
kind = "samples"
)" + data_keys +
         R"(
[loss]
kind = "mse"
[rule]
kind = "coupled"
[protocol]
steps = 1
batch = "full"
)";
}

TEST(ExperimentFile, SamplesListedInTheFileAreTheTrainingSet) {
  const auto e = parse_experiment(
      listed_samples("inputs = [[1.0], [0.25]]\ntargets = [[0.5, 0.1], [0.125, 0.025]]\n"),
      "t.toml", ".");
  ASSERT_EQ(e.train.inputs.rows(), 2);
  EXPECT_EQ(e.train.inputs(1, 0), 0.25);
  EXPECT_EQ(e.train.targets(0, 0), 0.5);
  EXPECT_EQ(e.train.targets(1, 1), 0.025);
  EXPECT_EQ(e.test.inputs.rows(), 0);
}

// nan leaves an output unconstrained for that sample (003's simultaneous allosteric tasks).
TEST(ExperimentFile, ListedSamplesWithNanTargetsAreUnconstrainedOutputs) {
  const auto e = parse_experiment(
      listed_samples("inputs = [[1.0], [0.5]]\ntargets = [[0.5, nan], [nan, 0.2]]\n"), "t.toml",
      ".");
  ASSERT_EQ(e.train.targets.rows(), 2);
  EXPECT_TRUE(std::isnan(e.train.targets(0, 1)));
  EXPECT_EQ(e.train.targets(1, 1), 0.2);
  EXPECT_EQ(e.test.inputs.rows(), 0);
  EXPECT_THROW((void)parse_experiment(listed_samples("inputs = [[1.0]]\ntargets = [[0.5, nan]]\n"
                                                     "train_fraction = 0.5\n"),
                                      "t.toml", "."),
               std::invalid_argument);
  EXPECT_THROW((void)parse_experiment(listed_samples("inputs = [[nan]]\ntargets = [[0.5, 0.1]]\n"),
                                      "t.toml", "."),
               std::invalid_argument);
}

TEST(ExperimentFile, ListedSamplesRejectedWithFieldAndValue) {
  auto message = [](const std::string& keys) {
    try {
      (void)parse_experiment(listed_samples(keys), "t.toml", ".");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // One target row per input row.
  EXPECT_NE(message("inputs = [[1.0]]\ntargets = [[0.5, 0.1], [0.2, 0.2]]\n").find("data.targets"),
            std::string::npos);
  // Ragged rows and non-numbers name the row or entry.
  EXPECT_NE(message("inputs = [[1.0]]\ntargets = [[0.5, \"x\"]]\n").find("entry [0][1]"),
            std::string::npos);
  EXPECT_NE(message("inputs = [[1.0], [1.0, 2.0]]\ntargets = [[0.5, 0.1], [0.5, 0.1]]\n")
                .find("row 1 has 2 entries"),
            std::string::npos);
  // Two target columns for two outputs: three are a dimension error.
  EXPECT_NE(message("inputs = [[1.0]]\ntargets = [[0.5, 0.1, 0.2]]\n"), "accepted");
  EXPECT_NE(message("targets = [[0.5, 0.1]]\n").find("data.inputs"), std::string::npos);
}

}  // namespace
}  // namespace plnet::learning
