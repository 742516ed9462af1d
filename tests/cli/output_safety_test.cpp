// No output replaces an input or a file plnet did not write; every output location is checked
// before the work; a full standard output is an error; Ctrl-C during training leaves a
// checkpoint that resumes to the same bits; killed writers' temporaries are cleaned up.
#include <plnet/io/hdf5.hpp>
#include "support/cli_fixture.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using Result = plnet::testing::CliResult;

std::string experiment(long steps) {
  return R"([network]
generator = "erdos-renyi"
nodes = 30
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
outputs = [{node = 20}, {node = 25}]

[data]
kind = "linear"
map = "000_eq1"
samples = 20
seed = 3

[loss]
kind = "mse"

[rule]
kind = "coupled"
nudge = 0.01

[protocol]
learning_rate = 0.1
batch = 5
seed = 7
steps = )" +
         std::to_string(steps) + "\n";
}

const char* kGenerated = "generator = \"erdos-renyi\"\nnodes = 30\ndegree = 4\nseed = 3";

const char* kNetwork = R"({"nodes": 3, "edges": [[0, 1], [1, 2]], "conductances": [1.0, 2.0]})";

std::string contents(const std::string& path) {
  std::stringstream ss;
  ss << std::ifstream(path, std::ios::binary).rdbuf();
  return ss.str();
}

class OutputSafety : public plnet::testing::CliTest {
 protected:
  // Starts `cmd` in the background, sends it SIG<signal> after 1.5 s; returns what it printed
  // on standard error followed by "status=<exit code>", as `out`.
  Result interrupted(const std::string& cmd, const std::string& signal) const {
    Result r = run_shell("(" + cmd + " & pid=$!; sleep 1.5; kill -" + signal +
                         " $pid; wait $pid; echo status=$?)");
    r.out = r.err + r.out;
    return r;
  }
};

TEST_F(OutputSafety, SummaryNeverReplacesTheUsersNetworkFile) {
  // The experiment reads big.json; `-o big.h5` would put the run summary at big.json.
  write("big.json", kNetwork);
  std::string toml = replaced(experiment(20), kGenerated, "file = \"big.json\"");
  toml = replaced(toml, "inputs = [{node = 1}, {node = 2}]", "inputs = [{node = 1}]");
  toml = replaced(toml, "outputs = [{node = 20}, {node = 25}]", "outputs = [{node = 2}]");
  toml = replaced(toml, "map = \"000_eq1\"", "map = [[0.5]]");
  write("exp.toml", toml);
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("big.h5"));
  expect_clean_failure(r, "big.json", path("big.h5"));
  EXPECT_NE(r.err.find("never replaces an input"), std::string::npos) << r.err;
  EXPECT_EQ(contents(path("big.json")), kNetwork);
}

TEST_F(OutputSafety, RunFileNeverReplacesTheExperiment) {
  write("exp.toml", experiment(20));
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("exp.toml"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("experiment"), std::string::npos) << r.err;
  EXPECT_EQ(contents(path("exp.toml")), experiment(20));
  // Through another spelling of the same path, and through a hard link.
  fs::create_directories(path("sub"));
  const Result dotted = run("train " + path("exp.toml") + " -q -o " + path("sub") + "/../exp.toml");
  EXPECT_NE(dotted.status, 0);
  fs::create_hard_link(path("exp.toml"), path("link.h5"));
  const Result linked = run("train " + path("exp.toml") + " -q -o " + path("link.h5"));
  EXPECT_NE(linked.status, 0);
  EXPECT_NE(linked.err.find("never replaces an input"), std::string::npos) << linked.err;
  EXPECT_EQ(contents(path("exp.toml")), experiment(20));
}

TEST_F(OutputSafety, CheckpointAndRunFileMustDiffer) {
  write("exp.toml", experiment(20));
  const Result r = run("train " + path("exp.toml") + " -q --checkpoint " + path("run.h5") + " -o " +
                       path("run.h5"));
  expect_clean_failure(r, "--checkpoint", path("run.h5"));
}

TEST_F(OutputSafety, DerivedNamesReplaceOnlyPlnetsOwnFiles) {
  write("exp.toml", experiment(20));
  // A JSON file of the user's where the summary would go.
  write("run.json", "{\"mine\": true}\n");
  const Result refused = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  expect_clean_failure(refused, "run.json", path("run.h5"));
  EXPECT_EQ(contents(path("run.json")), "{\"mine\": true}\n");
  // plnet's own summary from a previous run is replaced without complaint.
  fs::remove(path("run.json"));
  ASSERT_EQ(run("train " + path("exp.toml") + " -q -o " + path("run.h5")).status, 0);
  const Result again = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  EXPECT_EQ(again.status, 0) << again.err;
  const auto summary = nlohmann::json::parse(contents(path("run.json")));
  EXPECT_EQ(summary["plnet_format"], "run_summary");
  // The summary and the run file carry the same run id; another run's summary would not.
  {
    const plnet::io::H5Reader h5(path("run.h5"));
    EXPECT_EQ(summary["run_id"].get<std::string>(), h5.read_attribute_string("/", "run_id"));
  }
  write("longer.toml", experiment(21));
  ASSERT_EQ(run("train " + path("longer.toml") + " -q -o " + path("longer.h5")).status, 0);
  EXPECT_NE(nlohmann::json::parse(contents(path("longer.json")))["run_id"], summary["run_id"]);
  // The default run file (exp.h5 next to exp.toml) is a derived name too.
  write("exp.h5", "not plnet's");
  const Result default_refused = run("train " + path("exp.toml") + " -q");
  EXPECT_NE(default_refused.status, 0);
  EXPECT_EQ(contents(path("exp.h5")), "not plnet's");
}

TEST_F(OutputSafety, MissingDirectoryFailsBeforeTraining) {
  // A run long enough that failing only at its end would take minutes.
  write("exp.toml", experiment(100000000));
  const auto start = std::chrono::steady_clock::now();
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("nodir") + "/run.h5");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  expect_clean_failure(r, "does not exist", path("nodir/run.h5"));
  EXPECT_LT(seconds, 30.0) << "the output location must be checked before the first step";
  const Result solve = run("solve " + path("exp.toml") + " -o " + path("nodir") + "/s.json");
  EXPECT_NE(solve.status, 0);
}

TEST_F(OutputSafety, ReadOnlyOutputIsNeverReplaced) {
  write("net.json", kNetwork);
  write("ro.json", "keep me");
  fs::permissions(path("ro.json"),
                  fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);  // 0444
  const Result r =
      run("solve " + path("net.json") + " --ground 0 --source 2=1 -o " + path("ro.json"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("read-only"), std::string::npos) << r.err;
  EXPECT_EQ(contents(path("ro.json")), "keep me");
}

TEST_F(OutputSafety, NulInDescriptionIsRefusedBeforeTraining) {
  write("exp.toml", "[experiment]\ndescription = \"a\\u0000b\"\n" + experiment(20));
  const Result r = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  expect_clean_failure(r, "description", path("run.h5"));
  EXPECT_NE(r.err.find("NUL"), std::string::npos) << r.err;
}

TEST_F(OutputSafety, FullStandardOutputIsAnError) {
  write("net.json", kNetwork);
  const Result r = run("solve " + path("net.json") + " --ground 0 --source 2=1 > /dev/full");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("standard output"), std::string::npos) << r.err;
}

TEST_F(OutputSafety, UnknownSubcommandIsNamed) {
  const Result r = run("frobnicate");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown subcommand 'frobnicate'"), std::string::npos) << r.err;
}

TEST_F(OutputSafety, StaleTemporariesOfDeadWritersAreRemoved) {
  write("net.json", kNetwork);
  // A pid that cannot exist (above Linux's maximum, 2^22) stands for a writer killed long ago.
  write("out.json.tmp.99999999", "half-written");
  const std::string live = "out.json.tmp." + std::to_string(::getpid());  // a live process
  write(live, "in progress");
  ASSERT_EQ(
      run("solve " + path("net.json") + " --ground 0 --source 2=1 -o " + path("out.json")).status,
      0);
  EXPECT_FALSE(fs::exists(path("out.json.tmp.99999999")));
  EXPECT_TRUE(fs::exists(path(live)));
}

TEST_F(OutputSafety, InterruptWritesACheckpointAndResumesToTheSameBits) {
  write("exp.toml", experiment(3000000));
  const std::string cmd =
      std::string(PLNET_CLI_PATH) + " train " + path("exp.toml") + " -q -o " + path("run.h5");
  const Result r = interrupted(cmd, "INT");
  EXPECT_NE(r.out.find("status=130"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("interrupted (SIGINT)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--resume"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(path("run.h5.ckpt")));
  EXPECT_FALSE(fs::exists(path("run.h5")));
  const plnet::io::H5Reader checkpoint(path("run.h5.ckpt"));
  const auto stopped_at = checkpoint.read_index("/step");
  EXPECT_GT(stopped_at, 0);

  // The checkpoint holds exactly the state of an uninterrupted run at the same step
  // (--stop-after writes the same checkpoint), so resuming from it continues exactly (resume
  // itself is tested bit for bit in train_cli_test.cpp).
  const Result reference = run("train " + path("exp.toml") + " -q --stop-after " +
                               std::to_string(stopped_at) + " -o " + path("ref.h5"));
  ASSERT_EQ(reference.status, 0) << reference.err;
  const plnet::io::H5Reader ref(path("ref.h5.ckpt"));
  const auto a = checkpoint.read_vector("/w");
  const auto b = ref.read_vector("/w");
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())),
            0);
  EXPECT_EQ(checkpoint.read_string("/rng"), ref.read_string("/rng"));

  // SIGTERM: exit 143.
  const Result term = interrupted(cmd, "TERM");
  EXPECT_NE(term.out.find("status=143"), std::string::npos) << term.out;
}

TEST_F(OutputSafety, ResumeAndAnalyzeRefuseChangedInputFiles) {
  // A network file the experiment reads: a 4 x 4 square grid written out as JSON.
  std::string edges;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) {
      const int n = 4 * r + c;
      if (c < 3)
        edges += (edges.empty() ? "" : ", ") + std::string("[") + std::to_string(n) + ", " +
                 std::to_string(n + 1) + "]";
      if (r < 3) edges += ", [" + std::to_string(n) + ", " + std::to_string(n + 4) + "]";
    }
  const std::string network = "{\"nodes\": 16, \"edges\": [" + edges + "]}";
  write("grid.json", network);
  std::string toml = replaced(experiment(200), kGenerated, "file = \"grid.json\"");
  toml = replaced(toml, "outputs = [{node = 20}, {node = 25}]",
                  "outputs = [{node = 15}, {node = 12}]");
  write("exp.toml", toml + "\n[logging]\ncheckpoint_every = 50\n");
  ASSERT_EQ(run("train " + path("exp.toml") + " -q --stop-after 60 -o " + path("run.h5")).status,
            0);
  ASSERT_EQ(run("train " + path("exp.toml") + " -q -o " + path("done.h5")).status, 0);

  // Rewire one edge: same file name, another network.
  std::string rewired = network;
  rewired.replace(rewired.find("[0, 1]"), 6, "[0, 5]");
  write("grid.json", rewired);
  const Result resume = run("train " + path("exp.toml") + " -q --resume -o " + path("run.h5"));
  EXPECT_NE(resume.status, 0);
  EXPECT_NE(resume.err.find("grid.json has changed"), std::string::npos) << resume.err;
  EXPECT_FALSE(fs::exists(path("run.h5")));
  const Result analyze = run("analyze " + path("done.h5") + " --what effective -o " + path("a.h5"));
  EXPECT_NE(analyze.status, 0);
  EXPECT_NE(analyze.err.find("grid.json has changed"), std::string::npos) << analyze.err;
  EXPECT_FALSE(fs::exists(path("a.h5")));

  // The original file back: both work again.
  write("grid.json", network);
  EXPECT_EQ(run("train " + path("exp.toml") + " -q --resume -o " + path("run.h5")).status, 0);
  EXPECT_EQ(run("analyze " + path("done.h5") + " --what effective -o " + path("a.h5")).status, 0);
}

}  // namespace
