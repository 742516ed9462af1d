// Command-line overrides ([set] tables) and the key-by-key comparison --resume makes.
#include <plnet/learning/experiment.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace plnet::learning {
namespace {

TEST(ExperimentOverrides, TextGroupsKeysBySectionInTheOrderGiven) {
  EXPECT_EQ(override_text({}, "plnet train --set"), "");
  EXPECT_EQ(override_text({"protocol.steps=10", "logging.every=2", "protocol.batch=\"full\""},
                          "plnet train --set"),
            "\n# overrides (plnet train --set)\n[set.logging]\nevery = 2\n[set.protocol]\n"
            "steps = 10\nbatch = \"full\"\n");
  // A value is one TOML value: a newline cannot add a table of its own.
  EXPECT_THROW(override_text({"protocol.steps=1\n[network]"}, "x"), std::invalid_argument);
  EXPECT_THROW(override_text({"protocol.steps=1", "protocol.steps=2"}, "x"), std::invalid_argument);
}

TEST(ExperimentOverrides, ChangedKeysIgnoreLayoutAndApplyOverrides) {
  const std::string a =
      "[protocol]\nsteps = 10\nlearning_rate = 0.5 # alpha\n[loss]\nkind = 'mse'\n";
  const std::string b = "[loss]\nkind = \"mse\"\n\n[protocol]\nlearning_rate = 0.5\nsteps = 10\n";
  EXPECT_TRUE(changed_keys(a, "a", b, "b").empty());
  const auto changes =
      changed_keys(a, "a", b + override_text({"protocol.steps=20", "rule.nudge=0.1"}, "x"), "b");
  ASSERT_EQ(changes.size(), 2U);
  EXPECT_EQ(changes[0].key, "protocol.steps");
  EXPECT_EQ(changes[0].old_value, "10");
  EXPECT_EQ(changes[0].new_value, "20");
  EXPECT_EQ(changes[1].key, "rule.nudge");
  EXPECT_EQ(changes[1].old_value, "unset");
  EXPECT_EQ(changes[1].new_value, "0.1");
}

}  // namespace
}  // namespace plnet::learning
