// Experiment files: every key the parser accepts, fed a value of every TOML type. None may
// crash; each wrong type is one line naming the file, the key and the expected type.
#include <plnet/graph/generators.hpp>
#include <plnet/io/network_io.hpp>
#include <plnet/learning/experiment.hpp>
#include <plnet/learning/experiment_schema.hpp>

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace plnet::learning {
namespace {

namespace fs = std::filesystem;

// Valid experiments that between them take every branch of the schema: each generator, each
// initialisation, each input and output kind, each data kind, both batch forms. A key is only
// looked up on the branch that uses it, so the union of their schemas is the whole schema.
std::vector<std::string> base_experiments() {
  const std::string tail = R"(
[loss]
kind = "mse"
reduction = "mean"
margin = 1.0
[rule]
kind = "coupled"
nudge = 0.1
order = 1
nudge_kind = "force"
[protocol]
learning_rate = 0.1
steps = 3
batch = 2
learn = "conductance"
bounds = [1e-6, 1e6]
noise_sd = 0.0
update_fraction = 1.0
freeze_probability = 0.0
stop_cost = 0.0
seed = 1
[logging]
every = 1
parameters_every = 1
checkpoint_every = 0
[solver]
backend = "auto"
)";
  return {
      // erdos-renyi, uniform, hold/current inputs, node/difference outputs, fixed, linear map
      R"([experiment]
description = "schema walk"
[network]
model = "resistor"
generator = "erdos-renyi"
nodes = 12
degree = 4
seed = 2
[parameters]
init = "uniform"
low = 0.5
high = 1.0
seed = 3
[task]
ground = [0]
fixed = [{node = 11, value = 0.5}]
inputs = [{kind = "hold", node = 1, name = "a"}, {kind = "current", node = 2, direction = [1.0]}]
outputs = [{kind = "node", node = 5, component = 0, name = "o"}, {kind = "difference", nodes = [6, 7]}]
input_gain = 1.0
[data]
kind = "linear"
map = [[0.1, 0.2], [0.3, 0.4]]
samples = 10
low = 0.0
high = 1.0
seed = 4
train_fraction = 0.8
split_seed = 5
encoding = "none"
)" + tail,
      // square lattice, loguniform, edge sources and readouts, named normal_linear map
      R"([network]
generator = "square"
rows = 3
cols = 3
[parameters]
init = "loguniform"
low = 0.5
high = 2.0
[task]
ground = [0]
inputs = [{kind = "edge_source", edge = 0}]
outputs = [{kind = "edge", edge = 1}]
edge_inputs = 1
edge_outputs = 1
edge_seed = 3
[data]
kind = "normal_linear"
map = [[1.0, 0.5], [0.2, 0.1]]
samples = 10
sd = 1.0
)" + tail,
      // triangular spring lattice, constant, force input, noisy_linear
      R"([network]
model = "spring"
generator = "triangular"
rows = 3
cols = 3
[parameters]
init = "constant"
value = 1.0
[task]
ground = [0, 1]
inputs = [{kind = "force", node = 4, direction = [1.0, 0.0]}]
outputs = [{node = 7, component = 1}]
[data]
kind = "noisy_linear"
outputs = 1
inputs = 1
samples = 6
noise_sd = 0.5
)" + tail,
      // complete node network, random_symmetric, constraints_003, full batch
      R"([network]
model = "node"
generator = "complete"
nodes = 5
[parameters]
init = "random_symmetric"
diagonal_shift = 8.0
[task]
ground = [0]
[data]
kind = "constraints_003"
tasks = 2
[loss]
kind = "mse"
[protocol]
steps = 2
batch = "full"
bounds = [-1e6, 1e6]
)",
      // planar, network conductances, listed samples with an unconstrained (nan) target
      R"([network]
generator = "planar"
nodes = 20
remove_fraction = 0.1
[parameters]
init = "network"
[task]
ground = [0]
inputs = [{node = 1}]
outputs = [{node = 2}, {node = 3}]
[data]
kind = "samples"
inputs = [[1.0], [0.5]]
targets = [[0.5, nan], [nan, 0.2]]
[protocol]
steps = 2
batch = "full"
)",
      // nanowires, clusters_000 (one-hot targets, PCA, per-class split)
      R"([network]
generator = "nanowires"
wires = 40
stick_length = 0.3
[parameters]
init = "constant"
value = 1.0
[task]
ground = [0]
inputs = [{node = 1}, {node = 2}]
outputs = [{node = 3}, {node = 4}, {node = 5}]
[data]
kind = "clusters_000"
per_class = 10
train_per_class = 5
pca = 2
standardize = "yes"
[protocol]
steps = 2
batch = "single"
)",
      // jammed packing, iris with the doubled-inverted encoding
      R"([network]
generator = "jammed"
nodes = 24
dimension = 2
phi = 0.9
[parameters]
init = "constant"
value = 1.0
[task]
ground = [0]
inputs = [{node = 1}, {node = 2}, {node = 3}, {node = 4}]
outputs = [{node = 5}, {node = 6}, {node = 7}]
[data]
kind = "iris"
pca = 1
encoding = "doubled_inverted"
[loss]
kind = "xent"
[protocol]
steps = 2
batch = "full"
)",
      // network and parameters from files, csv data with named target columns
      R"([network]
file = "net.json"
[parameters]
init = "file"
file = "w.csv"
[task]
ground = [0]
inputs = [{node = 1}]
outputs = [{node = 2}]
[data]
kind = "csv"
file = "d.csv"
label = ""
targets_columns = ["y"]
[protocol]
steps = 2
batch = "full"
)",
      // csv with a class column (one-hot targets)
      R"([network]
generator = "complete"
nodes = 5
[parameters]
init = "constant"
value = 1.0
[task]
ground = [0]
inputs = [{node = 1}]
outputs = [{node = 2}, {node = 3}]
[data]
kind = "csv"
file = "c.csv"
label = "c"
[protocol]
steps = 2
batch = "full"
)",
      // breast cancer
      R"([network]
generator = "complete"
nodes = 6
[parameters]
init = "constant"
value = 1.0
[task]
ground = [0]
inputs = [{node = 1}]
outputs = [{node = 2}, {node = 3}]
[data]
kind = "breast_cancer"
pca = 1
[protocol]
steps = 2
batch = "full"
)",
  };
}

class ExperimentSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / "plnet_ExperimentSchema";
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    graph::LatticeOptions o;
    o.rows = 2;
    o.cols = 3;
    const graph::Network net = graph::lattice(o);
    io::write_network(net, (dir_ / "net.json").string());
    std::ofstream w(dir_ / "w.csv");
    for (Index i = 0; i < net.num_edges(); ++i) w << 1.0 << "\n";
    std::ofstream(dir_ / "d.csv") << "x,y\n0.1,0.2\n0.3,0.4\n0.5,0.6\n";
    std::ofstream(dir_ / "c.csv") << "x,c\n0.1,a\n0.2,b\n0.3,a\n0.4,b\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Experiment parse(const std::string& text, bool with_seed = false) const {
    ParseOptions options;
    if (with_seed) options.seed = 11;
    return parse_experiment(text, "walk.toml", dir_.string(), options);
  }
  std::map<std::string, SchemaKey> schema_of(const std::string& text) const {
    return experiment_schema(text, "walk.toml", dir_.string());
  }

  fs::path dir_;
};

// Splits "task.inputs[0].node" into {"task", "inputs", "[0]", "node"}.
std::vector<std::string> path_parts(const std::string& key) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : key) {
    if (c == '.' || c == '[') {
      if (!current.empty()) parts.push_back(current);
      current = c == '[' ? "[" : "";
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

// `text` with the value at dotted `key` replaced (or added) by `value`; "" if the parent of
// `key` is not in the file (the branch that reads it is another base experiment's).
std::string with_value(const std::string& text, const std::string& key, const toml::node& value) {
  toml::table root = toml::parse(text);
  const std::vector<std::string> parts = path_parts(key);
  toml::node* parent = &root;
  for (std::size_t k = 0; k + 1 < parts.size(); ++k) {
    const std::string& part = parts[k];
    toml::node* next = nullptr;
    if (part.front() == '[') {
      auto* array = parent->as_array();
      const std::size_t index = std::stoul(part.substr(1));
      if (array != nullptr && index < array->size()) next = array->get(index);
    } else if (auto* table = parent->as_table()) {
      if (!table->contains(part)) table->insert(part, toml::table{});
      next = table->get(part);
    }
    if (next == nullptr) return "";
    parent = next;
  }
  const std::string& last = parts.back();
  if (last.front() == '[') {
    auto* array = parent->as_array();
    const std::size_t index = std::stoul(last.substr(1));
    if (array == nullptr || index >= array->size()) return "";
    const auto at = array->cbegin() + static_cast<std::ptrdiff_t>(index);
    value.visit([&](const auto& v) { array->replace(at, v); });
  } else {
    auto* table = parent->as_table();
    if (table == nullptr) return "";
    value.visit([&](const auto& v) { table->insert_or_assign(last, v); });
  }
  std::ostringstream out;
  out << root;
  return out.str();
}

struct Probe {
  const char* label;
  unsigned type;  // TomlType of the value
  const char* toml;
};

// One value of each TOML type, plus arrays whose entries have each type (a list key).
const std::vector<Probe>& probes() {
  static const std::vector<Probe> kProbes = {
      {"string", kTomlString, "v = \"x\""},
      {"integer", kTomlInteger, "v = 7"},
      {"float", kTomlFloat, "v = 2.5"},
      {"boolean", kTomlBoolean, "v = true"},
      {"array", kTomlArray, "v = [1, 2]"},
      {"table", kTomlTable, "v = {a = 1}"},
      {"array of strings", kTomlArray, "v = [\"x\"]"},
      {"array of booleans", kTomlArray, "v = [true]"},
      {"array of tables", kTomlArray, "v = [{a = 1}]"},
      {"array of arrays", kTomlArray, "v = [[true]]"},
      {"empty array", kTomlArray, "v = []"},
  };
  return kProbes;
}

TEST_F(ExperimentSchema, BaseExperimentsParse) {
  for (const std::string& text : base_experiments()) EXPECT_NO_THROW((void)parse(text)) << text;
}

// The regression: a number where data.targets_columns takes a list dereferenced a null array.
TEST_F(ExperimentSchema, NumberForTargetsColumnsNamesKeyAndType) {
  std::string text = base_experiments()[7];
  text.replace(text.find("[\"y\"]"), 5, "2");
  try {
    (void)parse(text);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "walk.toml: line 14: data.targets_columns: must be an array of strings (got an "
                 "integer 2)");
  }
}

TEST_F(ExperimentSchema, EveryKeyEveryTypeIsOneLineNamingFileKeyAndType) {
  // Each key with each meaning it has (data.inputs is a count for noisy_linear and a matrix
  // for listed samples), with the first base experiment that reads it that way.
  struct Use {
    std::string key;
    SchemaKey entry;
    std::string home;
  };
  std::vector<Use> uses;
  std::map<std::string, SchemaKey> schema;
  for (const std::string& text : base_experiments()) {
    const std::map<std::string, SchemaKey> one = schema_of(text);
    for (const auto& item : one) {
      // Named copies, not a structured binding: clang 14 cannot capture bindings in a lambda.
      const std::string& key = item.first;
      const SchemaKey& entry = item.second;
      const bool seen = std::any_of(uses.begin(), uses.end(), [&](const Use& u) {
        return u.key == key && u.entry.expected == entry.expected;
      });
      if (!seen) uses.push_back({key, entry, text});
      schema.emplace(key, entry);
    }
  }
  // Spot-check that the walk reaches each part of the schema (a base experiment that stopped
  // early would silently shrink it).
  for (const char* key : {"experiment.description",
                          "network.phi",
                          "network.stick_length",
                          "network.file",
                          "parameters.diagonal_shift",
                          "parameters.file",
                          "task.inputs[0].direction",
                          "task.outputs[1].nodes",
                          "task.fixed[0].value",
                          "task.edge_seed",
                          "data.targets_columns",
                          "data.tasks",
                          "data.map",
                          "data.targets",
                          "data.encoding",
                          "data.data_dir",
                          "data.per_class",
                          "loss.margin",
                          "rule.nudge_kind",
                          "protocol.bounds",
                          "logging.checkpoint_every",
                          "solver.backend"})
    EXPECT_TRUE(schema.contains(key)) << key;
  EXPECT_GT(schema.size(), 90U);

  Index cases = 0;
  for (const auto& [key, entry, home] : uses) {
    for (const Probe& probe : probes()) {
      const toml::table holder = toml::parse(probe.toml);
      const std::string text = with_value(home, key, *holder.get("v"));
      ASSERT_FALSE(text.empty()) << key;
      // With a seed, every seed key is overwritten first: a section of the wrong type must
      // survive that too.
      for (bool with_seed : {false, true}) {
        ++cases;
        std::string message;
        try {
          (void)parse(text, with_seed);
        } catch (const std::invalid_argument& e) {
          message = e.what();
        } catch (const std::exception& e) {
          ADD_FAILURE() << key << " = " << probe.toml << ": not an input error: " << e.what();
          continue;
        }
        // ParseOptions::seed replaces every seed key's value before the types are read.
        const bool replaced = with_seed && key.ends_with("seed");
        const bool wrong_type = (entry.types & probe.type) == 0 && !replaced;
        if (wrong_type) {
          ASSERT_FALSE(message.empty()) << key << " accepted " << probe.label;
          EXPECT_NE(message.find("must be " + entry.expected), std::string::npos)
              << key << " = " << probe.toml << ": " << message;
          EXPECT_NE(message.find(key + ":"), std::string::npos) << message;
        }
        if (message.empty()) continue;  // an accepted value of an accepted type
        // Values of an accepted type may fail deeper down; those messages are checked for
        // being one line only (some, e.g. data.low > data.high, do not yet name the file).
        if (wrong_type) {
          EXPECT_EQ(message.rfind("walk.toml: ", 0), 0U) << message;
        }
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_LT(message.size(), 400U) << message;
      }
    }
  }
  EXPECT_GT(cases, 1500);
}

}  // namespace
}  // namespace plnet::learning
