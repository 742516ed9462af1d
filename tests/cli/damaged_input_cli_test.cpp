// Bad experiment values, damaged checkpoints, a full disk and reproducible run files, end to
// end through the plnet executable: one line and a non-zero exit, never a crash, and nothing
// replaced when an input is bad.
#include <plnet/core/types.hpp>
#include <plnet/io/hdf5.hpp>
#include "support/cli_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using plnet::Index;
using plnet::Matrix;
using plnet::Vector;
using Result = plnet::testing::CliResult;

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
train_fraction = 0.75
[rule]
kind = "coupled"
nudge = 0.01
[protocol]
learning_rate = 0.5
steps = 60
batch = 5
seed = 7
[logging]
every = 10
parameters_every = 20
checkpoint_every = 20
)";

std::string file_bytes(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

class DamagedInputCli : public plnet::testing::CliTest {
 protected:
  std::string text_with(const std::string& from, const std::string& to) const {
    return replaced(kExperiment, from, to);
  }

  /// Runs `plnet <args>` with writes limited to `kib` KiB per file (SIGXFSZ ignored, so a
  /// write past the limit fails with EFBIG as it would with ENOSPC on a full disk).
  Result run_with_file_limit(const std::string& args, int kib) const {
    const fs::path err_file = dir_ / "stderr.txt";
    // bash counts -f in 1024-byte blocks.
    const std::string cmd = "bash -c \"trap '' XFSZ; ulimit -f " + std::to_string(kib) + "; " +
                            PLNET_CLI_PATH + " " + args + "\" 2>" + err_file.string();
    Result r;
    FILE* pipe = popen(cmd.c_str(), "r");
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) r.out += buffer.data();
    const int raw = pclose(pipe);
    // bash reports a child killed by signal s as exit status 128 + s.
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.err = file_bytes(err_file.string());
    return r;
  }

  /// Rewrites the checkpoint `file` with dataset `name` replaced by what `write` writes.
  void replace_dataset(const std::string& file, const std::string& name,
                       const std::function<void(plnet::io::H5Writer&)>& write) const {
    const plnet::io::H5Reader r(file);
    const std::string copy = path("copy.h5");
    {
      plnet::io::H5Writer w(copy);
      plnet::io::write_format(w, "checkpoint", 1);
      for (const std::string& member : r.list()) {
        const std::string at = "/" + member;
        if (at == name) continue;
        if (at == "/inputs") {  // the SHA-256 of each input file, with its path
          w.create_group(at);
          for (const std::string& entry : r.list(at)) {
            const std::string hash = at + "/" + entry;
            w.write(hash, r.read_string(hash));
            w.write_attribute(hash, "path", r.read_attribute_string(hash, "path"));
          }
          continue;
        }
        const std::vector<Index> shape = r.shape(at);
        if (at == "/config" || at == "/rng")
          w.write(at, r.read_string(at));
        else if (at == "/step" || at == "/stopped_on_cost")
          w.write(at, r.read_index(at));
        else if (at == "/frozen" || at == "/snapshot_steps")
          w.write(at, r.read_indices(at));
        else if (shape.size() == 1)
          w.write(at, r.read_vector(at));
        else
          w.write(at, r.read_matrix(at));
      }
      if (r.has_attribute("/", "run_id"))
        w.write_attribute("/", "run_id", r.read_attribute_string("/", "run_id"));
      write(w);
      w.commit();
    }
    fs::rename(copy, file);
  }
};

// A number where data.targets_columns takes a list of column names crashed every subcommand
// that reads the experiment (a null array dereferenced).
TEST_F(DamagedInputCli, WrongTypeForTargetsColumnsIsOneLineInEverySubcommand) {
  write("d.csv", "x1,x2,y1,y2\n0.1,0.2,0.3,0.4\n0.5,0.6,0.7,0.8\n0.2,0.1,0.4,0.3\n");
  const std::string text = text_with("kind = \"linear\"\nmap = \"000_eq1\"\nsamples = 20\n",
                                     "kind = \"csv\"\nfile = \"d.csv\"\ntargets_columns = 2\n");
  write("bad.toml", text);
  const std::string needle = path("bad.toml") +
                             ": line 17: data.targets_columns: must be an array of strings (got an "
                             "integer 2)";
  for (const std::string& command :
       {"inspect " + path("bad.toml"), "train -q " + path("bad.toml") + " -o " + path("bad.h5"),
        "analyze " + path("bad.toml") + " --what cost-hessian -o " + path("bad.analysis.h5")}) {
    const Result r = run(command);
    EXPECT_EQ(r.status, 1) << command << "\n" << r.err;
    EXPECT_EQ(r.err, "plnet: error: " + needle + "\n") << command;
  }
  EXPECT_FALSE(fs::exists(path("bad.h5")));
  EXPECT_FALSE(fs::exists(path("bad.analysis.h5")));
}

// A damaged checkpoint is refused with one line naming it and the dataset, before anything
// is written: run.h5, run.json and the checkpoint itself stay as they were.
TEST_F(DamagedInputCli, DamagedCheckpointIsRefusedBeforeAnythingIsReplaced) {
  write("exp.toml", kExperiment);
  const std::string ckpt = path("run.h5.ckpt");
  ASSERT_EQ(run("train -q " + path("exp.toml") + " -o " + path("run.h5")).status, 0);
  // A checkpoint from half way (step 20) to resume from.
  ASSERT_EQ(run("train -q " + path("exp.toml") + " --stop-after 20 --checkpoint " +
                path("half.ckpt") + " -o " + path("half.h5"))
                .status,
            0);
  const std::string good = file_bytes(path("half.ckpt"));
  const std::string run_h5 = file_bytes(path("run.h5")), run_json = file_bytes(path("run.json"));

  struct Case {
    const char* what;
    std::string name;
    std::function<void(plnet::io::H5Writer&)> write;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"frozen index 10^9", "/frozen",
       [](auto& w) { w.write("/frozen", std::vector<Index>{1000000000}); },
       "/frozen: parameter index 1000000000 out of range"},
      {"frozen index -5", "/frozen", [](auto& w) { w.write("/frozen", std::vector<Index>{-5}); },
       "/frozen: parameter index -5 out of range"},
      {"log with 3 columns", "/log", [](auto& w) { w.write("/log", Matrix::Zero(3, 3)); },
       "/log: 3 columns (need 5"},
      {"negative step", "/step", [](auto& w) { w.write("/step", Index{-5}); },
       "/step: out of range (got -5"},
      {"step past the end", "/step", [](auto& w) { w.write("/step", Index{61}); },
       "/step: out of range (got 61"},
      {"parameters of another size", "/w", [](auto& w) { w.write("/w", Vector::Ones(3)); },
       "/w: 3 parameters"},
      {"snapshots without steps", "/snapshot_steps",
       [](auto& w) { w.write("/snapshot_steps", std::vector<Index>{}); }, "/snapshots: shape"},
      {"unreadable generator state", "/rng", [](auto& w) { w.write("/rng", "not a state"); },
       "/rng: not a random generator state"},
  };
  for (const Case& c : cases) {
    { std::ofstream(path("run.h5.ckpt"), std::ios::binary) << good; }
    replace_dataset(ckpt, c.name, c.write);
    const std::string damaged = file_bytes(ckpt);
    const Result r = run("train -q " + path("exp.toml") + " --resume -o " + path("run.h5"));
    EXPECT_EQ(r.status, 1) << c.what << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.what << ": " << r.err;
    EXPECT_NE(r.err.find("plnet: error: " + ckpt + ": " + c.needle), std::string::npos)
        << c.what << ": " << r.err;
    EXPECT_EQ(file_bytes(path("run.h5")), run_h5) << c.what;
    EXPECT_EQ(file_bytes(path("run.json")), run_json) << c.what;
    EXPECT_EQ(file_bytes(ckpt), damaged) << c.what;
  }
  // Extending the run does not widen what a checkpoint may hold: its step is checked against
  // the steps of the run that wrote it (60), not against the longer run asked for.
  { std::ofstream(path("run.h5.ckpt"), std::ios::binary) << good; }
  replace_dataset(ckpt, "/step", [](auto& w) { w.write("/step", Index{61}); });
  const Result extended = run("train -q " + path("exp.toml") +
                              " --resume --set protocol.steps=1000 -o " + path("run.h5"));
  EXPECT_EQ(extended.status, 1) << extended.err;
  EXPECT_EQ(extended.err, "plnet: error: " + ckpt +
                              ": /step: out of range (got 61, need 0 <= step <= protocol.steps = "
                              "60)\n");
  EXPECT_EQ(file_bytes(path("run.h5")), run_h5);
  // The undamaged checkpoint still resumes.
  std::ofstream(path("run.h5.ckpt"), std::ios::binary) << good;
  EXPECT_EQ(run("train -q " + path("exp.toml") + " --resume -o " + path("run.h5")).status, 0);
}

// Disk full while writing the checkpoint, the run file or an analysis: one line with the
// reason, exit 1, no temporary left. libhdf5 used to fail in H5Fclose and crash at exit.
TEST_F(DamagedInputCli, FullDiskIsOneLineAndNoCrash) {
  write("exp.toml", kExperiment);
  write("nockpt.toml", text_with("checkpoint_every = 20", "checkpoint_every = 0"));
  ASSERT_EQ(run("train -q " + path("nockpt.toml") + " -o " + path("good.h5")).status, 0);
  struct Case {
    std::string args;
    std::string file;
  };
  const std::vector<Case> cases = {
      {"train -q " + path("exp.toml") + " -o " + path("a.h5"), path("a.h5.ckpt")},
      {"train -q " + path("nockpt.toml") + " -o " + path("b.h5"), path("b.h5")},
      {"analyze " + path("good.h5") + " --what cost-hessian -o " + path("c.h5"), path("c.h5")},
  };
  for (const Case& c : cases) {
    const Result r = run_with_file_limit(c.args, 4);
    EXPECT_EQ(r.status, 1) << c.args << "\n" << r.err;
    EXPECT_EQ(r.err, "plnet: error: " + c.file + ": cannot write file (File too large)\n")
        << c.args;
    EXPECT_FALSE(fs::exists(c.file));
    for (const auto& entry : fs::directory_iterator(dir_))
      EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

// Two runs of the same experiment give the same bytes (docs/file_formats.md: compare with
// cmp), and h5diff finds no difference. A wall-clock attribute used to differ.
TEST_F(DamagedInputCli, SameSeedRunsAreIdenticalForCmpAndH5diff) {
  write("exp.toml", kExperiment);
  for (const char* name : {"one.h5", "two.h5"})
    ASSERT_EQ(run("train -q " + path("exp.toml") + " -o " + path(name)).status, 0);
  EXPECT_TRUE(file_bytes(path("one.h5")) == file_bytes(path("two.h5")));
  EXPECT_TRUE(file_bytes(path("one.h5.ckpt")) == file_bytes(path("two.h5.ckpt")));
  const std::string h5diff =
      "h5diff " + path("one.h5") + " " + path("two.h5") + " > " + path("h5diff.txt") + " 2>&1";
  const int status = std::system(h5diff.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "h5diff (Debian hdf5-tools, scripts/setup.sh) reported:\n"
                                    << file_bytes(path("h5diff.txt"));
}

}  // namespace
