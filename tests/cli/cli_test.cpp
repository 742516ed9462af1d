// End-to-end tests of the plnet program: outputs, --help, and bad input (one line on stderr,
// non-zero exit, no output file left behind).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include "support/cli_fixture.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

using plnet::testing::CliResult;

class Cli : public plnet::testing::CliTest {};

TEST_F(Cli, GenerateSolveJsonHasVoltagesCurrentsPower) {
  ASSERT_EQ(run("generate square --rows 4 --cols 5 -o " + path("lat.json")).status, 0);
  const CliResult r = run("solve " + path("lat.json") + " --ground 0 --source 19=2 --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["voltages"].size(), 20U);
  ASSERT_EQ(j["currents"].size(), 31U);  // 4*(5-1) + 5*(4-1)
  EXPECT_DOUBLE_EQ(j["voltages"][19].get<double>(), 2.0);
  // Power = V I of the only source (unit conductances).
  const double injected = j["held"][1]["injected"].get<double>();
  EXPECT_NEAR(j["power"].get<double>(), 2.0 * injected, 1e-12);
}

TEST_F(Cli, OutputFileAndFormats) {
  ASSERT_EQ(run("generate triangular --rows 3 --cols 3 -o " + path("t.json")).status, 0);
  for (const char* format : {"json", "text", "summary"}) {
    const std::string out = path(std::string("out.") + format);
    const CliResult r = run("solve " + path("t.json") + " --ground 0 --current 8=1 --format " +
                            format + " -o " + out);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(fs::exists(out));
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(Cli, BorderedFormMatchesElimination) {
  ASSERT_EQ(run("generate erdos-renyi --nodes 30 --degree 4 --seed 3 --conductances "
                "loguniform:0.01:100 -o " +
                path("er.json"))
                .status,
            0);
  const std::string args =
      " --ground 0 --source 5=1 --difference 7:9=0.25 --edge-source 3=0.5 --format json";
  const auto a = nlohmann::json::parse(run("solve " + path("er.json") + args).out);
  const auto b =
      nlohmann::json::parse(run("solve " + path("er.json") + args + " --form bordered").out);
  ASSERT_EQ(a["voltages"].size(), b["voltages"].size());
  for (std::size_t i = 0; i < a["voltages"].size(); ++i)  // conductance spread 1e4: cond*eps
    EXPECT_NEAR(a["voltages"][i].get<double>(), b["voltages"][i].get<double>(), 1e-10);
}

TEST_F(Cli, HelpOnEverySubcommand) {
  for (const char* sub : {"", "generate", "generate jammed", "generate planar", "solve", "export",
                          "export spice", "export network"}) {
    const CliResult r = run(std::string(sub) + " --help");
    EXPECT_EQ(r.status, 0) << sub;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub;
  }
}

TEST_F(Cli, ExportSpiceHelpOffersOnlyWhatSpiceCanExport) {
  // SPICE netlists are resistor circuits: no spring model, forces or displacements.
  const CliResult help = run("export spice --help");
  ASSERT_EQ(help.status, 0);
  for (const char* absent : {"--force", "--displacement", "spring"})
    EXPECT_EQ(help.out.find(absent), std::string::npos) << absent << " in\n" << help.out;
  for (const char* present : {"--ground", "--source", "--current", "--edge-source"})
    EXPECT_NE(help.out.find(present), std::string::npos) << present;
  const CliResult solve_help = run("solve --help");
  EXPECT_NE(solve_help.out.find("--force"), std::string::npos);  // solve keeps them
  write("c.json", R"({"nodes": [[0, 0], [1, 0]], "edges": [[0, 1]]})");
  const CliResult r =
      run("export spice " + path("c.json") + " --ground 0 --model spring -o " + path("o.cir"));
  EXPECT_NE(r.status, 0);
  EXPECT_FALSE(fs::exists(path("o.cir")));
}

TEST_F(Cli, GeneratorThatDropsNodesSaysSoAndRecordsTheMap) {
  const CliResult r = run("generate erdos-renyi --nodes 200 --degree 1.5 -o " + path("er.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("nodes dropped (outside the largest connected component)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\"source_nodes\" in " + path("er.json")), std::string::npos) << r.err;
  std::ifstream in(path("er.json"));
  const auto net = nlohmann::json::parse(in);
  ASSERT_TRUE(net.contains("source_nodes"));
  EXPECT_EQ(net["source_nodes"].size(), net["nodes"].size());
  const CliResult list = run("generate erdos-renyi --nodes 200 --degree 1.5 -o " + path("er.txt"));
  ASSERT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.err.find("an edge list cannot record the map"), std::string::npos) << list.err;
  // A generator that keeps every node says nothing of the kind.
  const CliResult lattice = run("generate square --rows 3 --cols 3 -o " + path("sq.json"));
  ASSERT_EQ(lattice.status, 0) << lattice.err;
  EXPECT_EQ(lattice.err.find("dropped"), std::string::npos) << lattice.err;
}

TEST_F(Cli, MalformedJson) {
  write("bad.json", "{\"nodes\": 3, \"edges\": [[0, 1], [1, 2]");
  expect_clean_failure(run("solve " + path("bad.json") + " --ground 0 -o " + path("o.json")),
                       "bad.json", path("o.json"));
}

TEST_F(Cli, NodeIndexOutOfRange) {
  write("n.json", R"({"nodes": 3, "edges": [[0, 1], [1, 7]]})");
  expect_clean_failure(run("solve " + path("n.json") + " --ground 0 -o " + path("o.json")),
                       "edges[1]", path("o.json"));
}

TEST_F(Cli, BadConductance) {
  write("k.json", R"({"nodes": 3, "edges": [[0, 1], [1, 2]], "conductances": [1, -2]})");
  expect_clean_failure(run("solve " + path("k.json") + " --ground 0 -o " + path("o.json")),
                       "conductances[1]", path("o.json"));
}

TEST_F(Cli, FloatingComponentNamed) {
  write("f.json", R"({"nodes": 5, "edges": [[0, 1], [1, 2], [3, 4]]})");
  expect_clean_failure(
      run("solve " + path("f.json") + " --ground 0 --source 2=1 -o " + path("o.json")), "{3, 4}",
      path("o.json"));
}

TEST_F(Cli, HeldAndDrivenAndConflictingSources) {
  write("c.json", R"({"nodes": 3, "edges": [[0, 1], [1, 2]]})");
  expect_clean_failure(run("solve " + path("c.json") +
                           " --ground 0 --source 2=1 --current 2=1 -o " + path("o.json")),
                       "both held", path("o.json"));
  expect_clean_failure(
      run("solve " + path("c.json") + " --ground 0 --source 2=1 --source 2=3 -o " + path("o.json")),
      "held twice", path("o.json"));
}

TEST_F(Cli, FloppySpringNetwork) {
  write(
      "s.json",
      R"({"nodes": [[0, 0], [1, 0], [1, 1], [0, 1]], "edges": [[0, 1], [1, 2], [2, 3], [3, 0]]})");
  expect_clean_failure(run("solve " + path("s.json") +
                           " --model spring --ground 0 --force 2=1,0 -o " + path("o.json")),
                       "floppy modes", path("o.json"));
}

TEST_F(Cli, SpringSolveReportsElasticEnergyByItsName) {
  // A triangle pinned at two nodes, a force on the third: the elastic energy 1/2 sum k ext^2 is
  // positive; E = elastic - work = -elastic at equilibrium (the work is twice the elastic
  // energy); power = sum k ext^2 (docs/conventions.md).
  write("t.json", R"({"nodes": [[0, 0], [1, 0], [0, 1]], "edges": [[0, 1], [1, 2], [2, 0]],
                      "conductances": [1, 2, 3]})");
  const std::string args =
      "solve " + path("t.json") + " --model spring --ground 0 --ground 1 --force 2=1,0.5";
  const CliResult r = run(args + " --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const double elastic = j["elastic_energy"].get<double>();
  double sum = 0.0;
  for (std::size_t e = 0; e < 3; ++e)
    sum += 0.5 * std::array<double, 3>{1, 2, 3}[e] * std::pow(j["extensions"][e].get<double>(), 2);
  EXPECT_GT(elastic, 0.0);
  EXPECT_NEAR(elastic, sum, 1e-12 * sum);
  EXPECT_NEAR(j["energy"].get<double>(), -elastic, 1e-12 * elastic);
  EXPECT_NEAR(j["power"].get<double>(), 2.0 * elastic, 1e-12 * elastic);
  const CliResult summary = run(args + " --format summary");
  ASSERT_EQ(summary.status, 0) << summary.err;
  const auto line = summary.out.find("elastic energy");
  ASSERT_NE(line, std::string::npos) << summary.out;
  EXPECT_GT(std::stod(summary.out.substr(line + std::string("elastic energy").size())), 0.0)
      << summary.out;
  EXPECT_NE(summary.out.find("(elastic energy - work of the forces)"), std::string::npos)
      << summary.out;
}

TEST_F(Cli, BorderedFormRefusesABackendItWouldIgnore) {
  write("c.json", R"({"nodes": 3, "edges": [[0, 1], [1, 2]]})");
  expect_clean_failure(
      run("solve " + path("c.json") +
          " --ground 0 --source 2=1 --form bordered --backend cholmod -o " + path("o.json")),
      "--backend: not used by --form bordered", path("o.json"));
  // Without --backend the bordered form solves as before.
  const CliResult r = run("solve " + path("c.json") + " --ground 0 --source 2=1 --form bordered");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["solver"]["backend"], "bordered-lu");
}

TEST_F(Cli, UnknownOptionValuesAndMalformedAssignments) {
  write("c.json", R"({"nodes": 3, "edges": [[0, 1], [1, 2]]})");
  expect_clean_failure(
      run("solve " + path("c.json") + " --ground 0 --format xml -o " + path("o.json")), "xml",
      path("o.json"));
  expect_clean_failure(
      run("solve " + path("c.json") + " --ground 0 --backend magic -o " + path("o.json")), "magic",
      path("o.json"));
  expect_clean_failure(
      run("solve " + path("c.json") + " --ground 0 --source 2=abc -o " + path("o.json")),
      "--source", path("o.json"));
  expect_clean_failure(run("solve " + path("c.json") + " --ground 9 -o " + path("o.json")),
                       "out of range", path("o.json"));
  expect_clean_failure(run("generate planar --conductances uniform:1 -o " + path("p.json")),
                       "--conductances", path("p.json"));
}

// Two triangles joined by a 1e-12 S edge with 0.5 A forced across it: the first triangle sits
// near 5e11 V, where double resolves voltages to ~6e-5 V, so its currents of ~0.5 A are known
// to ~1e-4: a warning (one line), the result still written.
TEST_F(Cli, WeakBridgeWarnsInOneLine) {
  write("w.json", R"({"nodes": 6, "edges": [[0, 1], [1, 2], [0, 2], [2, 3], [3, 4], [4, 5],
                      [3, 5]], "conductances": [1, 2, 1.5, 1e-12, 1, 2, 1.5]})");
  const CliResult r = run("solve " + path("w.json") + " --ground 5 --current 0=0.5");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("warning: the state may be inaccurate"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["solver"]["error_estimate"].get<double>(), 1e-8);
  // The bridge and ground currents are exact to round-off (Kirchhoff on the cut).
  EXPECT_NEAR(j["currents"][3].get<double>(), 0.5, 1e-9);
  EXPECT_NEAR(j["held"][0]["injected"].get<double>(), -0.5, 1e-9);
}

TEST_F(Cli, WellConditionedSolveIsQuiet) {
  ASSERT_EQ(run("generate square --rows 6 --cols 6 -o " + path("sq.json")).status, 0);
  const CliResult r = run("solve " + path("sq.json") + " --ground 0 --source 35=2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  // Unit conductances, condition ~1e2: the state is accurate to a few eps.
  EXPECT_LT(j["solver"]["error_estimate"].get<double>(), 1e-13);
  EXPECT_LT(j["solver"]["backward_error"].get<double>(), 1e-15);
}

TEST_F(Cli, OverflowIsAnErrorNamingTheCause) {
  write("c.json", R"({"nodes": 4, "edges": [[0, 1], [1, 3], [3, 2], [1, 2], [0, 3]]})");
  for (const char* form : {"elimination", "bordered"})
    expect_clean_failure(
        run("solve " + path("c.json") + " --ground 0 --source 1=1e308 --source 2=-1e308 --form " +
            form + " -o " + path("o.json")),
        "overflows double precision", path("o.json"));
  // A conductance of 1e308 next to ones of 1: its current is 1e308 times a drop below the
  // voltages' resolution, so no digit of the state is right.
  write("k.json", R"({"nodes": 3, "edges": [[0, 1], [1, 2]], "conductances": [1, 1e308]})");
  expect_clean_failure(
      run("solve " + path("k.json") + " --ground 0 --source 2=1 -o " + path("o.json")),
      "no correct digit", path("o.json"));
}

TEST_F(Cli, SpiceExportRunsInNgspice) {
  ASSERT_EQ(run("generate square --rows 3 --cols 3 -o " + path("sq.json")).status, 0);
  const CliResult r =
      run("export spice " + path("sq.json") + " --ground 0 --source 8=1 -o " + path("sq.cir"));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string cmd = "ngspice -b " + path("sq.cir") + " > " + path("ng.log") + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "ngspice must be installed (scripts/setup.sh)";
}

}  // namespace
