// The reproduction framework: configs with [reproduce]/[quick], seed replacement, check
// tables and their files, the registry.
#include <plnet/io/hdf5.hpp>
#include <plnet/reproduce/reproduce.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using namespace plnet::reproduce;

const char* kConfig = R"([network]
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
inputs = [{node = 1}]
outputs = [{node = 20}]

[data]
kind = "linear"
map = [[0.3]]
samples = 10

[rule]
kind = "coupled"

[protocol]
learning_rate = 0.1
steps = 500
batch = "full"

[reproduce]
seed = 5
modes = 4
label = "full"

[quick.protocol]
steps = 20

[quick.reproduce]
modes = 2
)";

class ReproduceFramework : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("plnet_reproduce_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(ReproduceFramework, QuickOverlaysExperimentAndReproduceKeys) {
  const std::string path = write("c.toml", kConfig);
  const Config full(path, false);
  const Config quick(path, true);
  EXPECT_EQ(full.experiment(1).protocol.steps, 500);
  EXPECT_EQ(quick.experiment(1).protocol.steps, 20);
  EXPECT_EQ(full.integer("modes", 0), 4);
  EXPECT_EQ(quick.integer("modes", 0), 2);
  EXPECT_EQ(quick.text("label", ""), "full");  // not overlaid: the full value stays
  EXPECT_EQ(full.integer("absent", 9), 9);
  EXPECT_EQ(full.seed(), 5U);
  EXPECT_THROW(full.text("modes", ""), std::invalid_argument);  // wrong type names the key
}

TEST_F(ReproduceFramework, SetOverridesComeAfterQuick) {
  const std::string path = write("c.toml", kConfig);
  const Config c(path, true,
                 {"protocol.steps=7", "reproduce.modes=9", "protocol.batch=\"single\""});
  EXPECT_EQ(c.experiment(1).protocol.steps, 7);  // [quick] said 20: --set wins
  EXPECT_EQ(c.experiment(1).protocol.batch_mode, plnet::learning::BatchMode::kSingle);
  EXPECT_EQ(c.integer("modes", 0), 9);
  EXPECT_NE(c.text().find("[set.protocol]"), std::string::npos);  // recorded with the config
  EXPECT_THROW(Config(path, false, {"protocolsteps=3"}), std::invalid_argument);
  EXPECT_THROW(Config(path, false, {"protocol.steps"}), std::invalid_argument);
  EXPECT_THROW(Config(path, false, {"protocol.st eps=3"}), std::invalid_argument);
  // A key the experiment does not know is still rejected by the experiment parser.
  const Config bad(path, false, {"protocol.stepz=3"});
  EXPECT_THROW((void)bad.experiment(1), std::invalid_argument);
}

TEST_F(ReproduceFramework, VariantsOverlayBeforeQuick) {
  // Two parts in one file (R10): [a.*] and [b.*] complete the experiment; [quick_b] only b.
  std::string text = kConfig;
  text.replace(text.find("[reproduce]\n"), 12, "[reproduce]\nvariants = \"a b\"\n");
  text +=
      "\n[a.protocol]\nlearning_rate = 0.5\n[b.network]\nnodes = 25\n"
      "[quick_b.protocol]\nsteps = 3\n";
  const std::string path = write("c.toml", text);
  const Config full(path, false);
  const Config quick(path, true);
  EXPECT_EQ(full.variants(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(full.experiment(1, "a").protocol.learning_rate, 0.5);
  EXPECT_EQ(full.experiment(1, "a").network.num_nodes(), 30);
  EXPECT_EQ(full.experiment(1, "b").protocol.learning_rate, 0.1);
  EXPECT_EQ(full.experiment(1, "b").network.num_nodes(), 25);
  EXPECT_EQ(quick.experiment(1, "a").protocol.steps, 20);  // [quick] applies to every part
  EXPECT_EQ(quick.experiment(1, "b").protocol.steps, 3);   // then [quick_b]
  EXPECT_EQ(full.experiment(1, "b").protocol.steps, 500);
  EXPECT_THROW((void)full.experiment(1, "c"), std::invalid_argument);
  // Without the part the extra tables are unknown sections.
  EXPECT_THROW((void)full.experiment(1), std::invalid_argument);
}

TEST_F(ReproduceFramework, OneSeedReplacesEverySeedKey) {
  const Config c(write("c.toml", kConfig), false);
  const auto a = c.experiment(1);
  const auto b = c.experiment(1);
  const auto d = c.experiment(2);
  // Same seed: same network, parameters and data; another seed: all three differ.
  EXPECT_EQ(a.network.edges(), b.network.edges());
  EXPECT_EQ(a.initial_parameters, b.initial_parameters);
  EXPECT_EQ(a.train.inputs, b.train.inputs);
  EXPECT_FALSE(a.network.edges() == d.network.edges());
  EXPECT_FALSE(a.train.inputs == d.train.inputs);
  EXPECT_NE(a.protocol.seed, d.protocol.seed);
}

TEST_F(ReproduceFramework, InitialConditionKeepsNetworkTaskAndData) {
  // 000 Fig. 7's ensembles: other initial conductances on the same network and data.
  const Config c(write("c.toml", kConfig), false);
  const auto a = c.initial_condition(1, "", 10);
  const auto b = c.initial_condition(1, "", 11);
  const auto again = c.initial_condition(1, "", 10);
  EXPECT_EQ(a.network.edges(), b.network.edges());
  EXPECT_EQ(a.train.inputs, b.train.inputs);
  EXPECT_EQ(a.train.targets, b.train.targets);
  EXPECT_FALSE(a.initial_parameters == b.initial_parameters);
  EXPECT_NE(a.protocol.seed, b.protocol.seed);
  EXPECT_EQ(a.initial_parameters, again.initial_parameters);
  EXPECT_EQ(a.network.edges(), c.experiment(1).network.edges());
}

TEST_F(ReproduceFramework, BadOverlayIsAnErrorWithTheLine) {
  std::string text = kConfig;
  text += "\n[quick.protocl]\nsteps = 3\n";
  const Config c(write("c.toml", text), true);
  try {
    (void)c.experiment(1);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("quick.protocl: not an experiment section"),
              std::string::npos)
        << e.what();
  }
}

TEST(CheckTable, RulesAndNaN) {
  EXPECT_TRUE(check_at_most("a", 1.0, 1.0, "p").passed);
  EXPECT_FALSE(check_at_most("a", 1.5, 1.0, "p").passed);
  EXPECT_TRUE(check_at_least("a", 2.0, 1.0, "p").passed);
  EXPECT_FALSE(check_at_least("a", 0.5, 1.0, "p").passed);
  EXPECT_TRUE(check_between("a", 4.0, 4.0, 4.0, "p").passed);
  EXPECT_FALSE(check_between("a", 5.0, 4.0, 4.0, "p").passed);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(check_at_least("a", nan, 1.0, "p").passed);  // no number is no pass
  CheckTable t;
  EXPECT_FALSE(t.passed());  // an empty table proves nothing
  t.checks.push_back(check_at_most("a", 0.0, 1.0, "p"));
  EXPECT_TRUE(t.passed());
  t.checks.push_back(check_at_most("b", nan, 1.0, "p", "n"));
  EXPECT_FALSE(t.passed());
  const Reproduction r{"RX", "000", "Fig. 0", "test", {}};
  RunOptions o;
  const auto j = check_json(r, o, 3, t, 1.5);
  EXPECT_FALSE(j["passed"].get<bool>());
  EXPECT_TRUE(j["checks"][1]["measured"].is_null());
  EXPECT_EQ(j["checks"][0]["criterion"], "<= 1");
  const std::string md = check_markdown(r, o, 3, t, 1.5);
  EXPECT_NE(md.find("| b | n/a | p | <= 1 | FAIL | n |"), std::string::npos) << md;
}

TEST(CheckTable, KnownDeviationIsStillAFailureButNotAnUnexpectedOne) {
  CheckTable t;
  t.checks.push_back(check_at_most("a", 0.0, 1.0, "p"));
  EXPECT_EQ(t.unexpected_failures(), 0);
  // Declaring a deviation changes neither the number, the bound nor `passed`.
  const Check d = known_deviation(check_at_least("b", 0.5, 1.0, "p", "n"), "too few steps");
  EXPECT_FALSE(d.passed);
  EXPECT_EQ(d.criterion, ">= 1");
  EXPECT_EQ(d.status(), "DEVIATES");
  t.checks.push_back(d);
  EXPECT_FALSE(t.passed());
  EXPECT_EQ(t.unexpected_failures(), 0);
  EXPECT_EQ(t.deviations(), 1);
  // A declared deviation that does not occur is a plain PASS.
  EXPECT_EQ(known_deviation(check_at_least("c", 2.0, 1.0, "p"), "r").status(), "PASS");
  t.checks.push_back(check_at_least("e", 0.0, 1.0, "p"));
  EXPECT_EQ(t.unexpected_failures(), 1);
  EXPECT_THROW(known_deviation(check_at_least("f", 0.0, 1.0, "p"), ""), std::invalid_argument);
  EXPECT_EQ(CheckTable{}.unexpected_failures(), 1);  // an empty table proves nothing
  const Reproduction r{"RX", "000", "Fig. 0", "test", {}};
  const auto j = check_json(r, RunOptions{}, 3, t, 1.5);
  EXPECT_EQ(j["checks"][1]["status"], "DEVIATES");
  EXPECT_EQ(j["checks"][1]["known_deviation"], "too few steps");
  EXPECT_EQ(j["unexpected_failures"].get<plnet::Index>(), 1);
  const std::string md = check_markdown(r, RunOptions{}, 3, t, 1.5);
  EXPECT_NE(md.find("| b | 0.5 | p | >= 1 | DEVIATES | n Known deviation: too few steps |"),
            std::string::npos)
      << md;
}

TEST_F(ReproduceFramework, RunWritesResultsAndChecksAtomically) {
  const std::string config = write("c.toml", kConfig);
  const Reproduction r{
      "RX", "000", "Fig. 0", "test", [](Context& c) {
        const auto e = c.config.experiment(c.seed);
        c.results.write("analysis/steps", e.protocol.steps, {"Training steps.", "step", ""});
        CheckTable t;
        t.checks.push_back(
            check_at_most("steps", static_cast<double>(e.protocol.steps), 100.0, "p"));
        return t;
      }};
  RunOptions o;
  o.quick = true;
  o.config = config;
  o.output_dir = (dir_ / "out").string();
  const auto result = run_reproduction(r, o);
  EXPECT_TRUE(result.table.passed());
  const plnet::io::H5Reader h5(result.results_path);
  EXPECT_EQ(h5.read_attribute_string("/", "plnet_format"), "reproduction");
  EXPECT_EQ(h5.read_index("analysis/steps"), 20);
  EXPECT_EQ(h5.read_index("reproduce/seed"), 5);
  const auto j = nlohmann::json::parse(std::ifstream(result.json_path));
  EXPECT_TRUE(j["passed"].get<bool>());
  EXPECT_EQ(j["checks"][0]["measured"].get<double>(), 20.0);
  EXPECT_TRUE(fs::exists(result.markdown_path));
  // Full size fails the same check: a failing table is reported, not hidden.
  o.quick = false;
  o.output_dir = (dir_ / "full").string();
  EXPECT_FALSE(run_reproduction(r, o).table.passed());
}

TEST_F(ReproduceFramework, DatasetWithoutDescriptionFailsTheRunAndWritesNothing) {
  // results.h5 must explain itself: a reproduction that writes a dataset without description,
  // units and axes is an error, and no half-described file is left behind.
  const std::string config = write("c.toml", kConfig);
  const Reproduction r{"RX", "000", "Fig. 0", "test", [](Context& c) {
                         c.results.write("analysis/described", 1.0, {"One.", "1", ""});
                         c.results.write("analysis/bare", 2.0);
                         return CheckTable{};
                       }};
  RunOptions o;
  o.quick = true;
  o.config = config;
  o.output_dir = (dir_ / "out").string();
  try {
    run_reproduction(r, o);
    FAIL() << "an undescribed dataset was accepted";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "datasets without description, units and axes (io::Describe): /analysis/bare"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "out" / "results.h5"));
}

TEST(Registry, IdsAreUniqueAndConfigsShipped) {
  std::set<std::string> ids;
  for (const auto& r : reproductions()) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
    EXPECT_TRUE(fs::exists(fs::path(experiments_dir()) / (r.id + ".toml"))) << r.id;
    EXPECT_TRUE(fs::exists(fs::path(figures_dir()) / (r.id + ".py"))) << r.id;
    // The shipped config parses in both sizes.
    // Multi-part configs (R10) parse part by part.
    for (const bool quick : {false, true}) {
      const Config c((fs::path(experiments_dir()) / (r.id + ".toml")).string(), quick);
      // R5 and R6 hold only [reproduce] and name the shipped configs whose tasks they reuse
      // ("R1.toml R4.toml:fig6"): those parse, part by part.
      const std::string named = c.text("tasks", c.text("task", ""));
      if (!named.empty()) {
        std::istringstream words(named);
        for (std::string word; words >> word;) {
          const auto colon = word.find(':');
          const Config t((fs::path(experiments_dir()) / word.substr(0, colon)).string(), quick);
          if (colon == std::string::npos) {
            EXPECT_NO_THROW((void)t.experiment(1)) << r.id << " " << word;
          } else {
            EXPECT_NO_THROW((void)t.experiment(1, word.substr(colon + 1))) << r.id << " " << word;
          }
        }
      } else if (c.variants().empty()) {
        EXPECT_NO_THROW((void)c.experiment(1)) << r.id;
      } else {
        for (const auto& v : c.variants()) EXPECT_NO_THROW((void)c.experiment(1, v)) << r.id << v;
      }
    }
  }
  EXPECT_TRUE(ids.contains("R1"));
  EXPECT_THROW(find_reproduction("R99"), std::invalid_argument);
}

}  // namespace
