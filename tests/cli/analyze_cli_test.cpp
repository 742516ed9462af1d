// plnet analyze end to end: the JSON numbers equal the library functions called directly on
// the same inputs, the HDF5 file holds the same numbers, a run file of `plnet train` is
// analysed at its final parameters (and at a snapshot), and every kind of bad input fails
// with one line, a non-zero exit and no output file.
#include <plnet/analysis/circuits.hpp>
#include <plnet/analysis/cost_hessian.hpp>
#include <plnet/analysis/dimension.hpp>
#include <plnet/analysis/effective.hpp>
#include <plnet/analysis/landscape.hpp>
#include <plnet/analysis/relative_conductance.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/analysis/statistics.hpp>
#include <plnet/analysis/susceptibility.hpp>
#include <plnet/analysis/topology.hpp>
#include <plnet/io/hdf5.hpp>
#include <plnet/learning/experiment.hpp>
#include <plnet/learning/responses.hpp>
#include <plnet/learning/run_file.hpp>
#include "support/cli_fixture.hpp"

#include <gtest/gtest.h>
#include <Eigen/Eigenvalues>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using namespace plnet;

// A 000-style regression on a small resistor network, with a fixed +1 source so that the
// free state has structure, and snapshots for the landscape.
const char* kResistor = R"([network]
generator = "erdos-renyi"
nodes = 30
degree = 4
seed = 3

[parameters]
init = "uniform"
low = 0.5
high = 1.5
seed = 2

[task]
ground = [0]
fixed = [{node = 5, value = 1.0}]
inputs = [{node = 1}, {node = 2}]
outputs = [{node = 20}, {node = 25}]

[data]
kind = "linear"
map = "000_eq1"
samples = 12
seed = 3

[loss]
kind = "mse"
reduction = "mean"

[rule]
kind = "exact"

[protocol]
learning_rate = 0.5
steps = 60
batch = "full"
seed = 7

[logging]
every = 10
parameters_every = 10
)";

// A 004 edge-source circuit (inputs are sources in series with edges, outputs edge drops).
const char* kCircuit = R"([network]
generator = "erdos-renyi"
nodes = 16
degree = 4
seed = 5

[parameters]
init = "uniform"
low = 0.5
high = 1.5
seed = 2

[task]
ground = [0]
inputs = [{kind = "edge_source", edge = 0}, {kind = "edge_source", edge = 3}]
outputs = [{edge = 10}, {edge = 12}]

[data]
kind = "linear"
map = "000_eq1"
samples = 8
seed = 3

[rule]
kind = "exact"

[protocol]
batch = "full"
learn = "resistance"
)";

// A fully connected node network (003).
const char* kNode = R"([network]
generator = "complete"
nodes = 8
model = "node"
[parameters]
init = "random_symmetric"
seed = 5
[data]
kind = "constraints_003"
tasks = 3
seed = 6
[loss]
reduction = "mean"
[rule]
kind = "equilibrium"
nudge = 1e-3
[protocol]
batch = "full"
bounds = [-1e6, 1e6]
)";

using Result = plnet::testing::CliResult;

// Numbers that went through JSON come back bit for bit (nlohmann prints the shortest
// round-trip form); the CLI and these tests call the same functions on the same inputs, so the
// only differences allowed are round-off from evaluation order: 1e-12 relative to the scale.
constexpr double kRoundOff = 1e-12;

void expect_vector(const nlohmann::json& j, const Vector& v, const std::string& what) {
  ASSERT_TRUE(j.is_array()) << what;
  ASSERT_EQ(static_cast<Index>(j.size()), v.size()) << what;
  const double scale = std::max(1.0, v.cwiseAbs().maxCoeff());
  for (Index i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      EXPECT_TRUE(j[static_cast<std::size_t>(i)].is_null()) << what << "[" << i << "]";
      continue;
    }
    EXPECT_NEAR(j[static_cast<std::size_t>(i)].get<double>(), v[i], kRoundOff * scale)
        << what << "[" << i << "]";
  }
}

void expect_matrix(const nlohmann::json& j, const Matrix& m, const std::string& what) {
  ASSERT_EQ(static_cast<Index>(j.size()), m.rows()) << what;
  for (Index r = 0; r < m.rows(); ++r)
    expect_vector(j[static_cast<std::size_t>(r)], m.row(r).transpose(),
                  what + " row " + std::to_string(r));
}

void expect_number(const nlohmann::json& j, double v, const std::string& what) {
  ASSERT_TRUE(j.is_number()) << what << ": " << j;
  EXPECT_NEAR(j.get<double>(), v, kRoundOff * std::max(1.0, std::abs(v))) << what;
}

// Eigenvectors are defined up to sign: compare |entries|.
void expect_columns_up_to_sign(const nlohmann::json& j, const Matrix& m, const std::string& what) {
  ASSERT_EQ(static_cast<Index>(j.size()), m.rows()) << what;
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c)
      EXPECT_NEAR(
          std::abs(j[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)].get<double>()),
          std::abs(m(r, c)), 1e-9)  // eigenvectors of a well-separated spectrum: ~1e-13
          << what << "(" << r << ", " << c << ")";
}

Vector descending(const Vector& v) {
  return v.reverse();
}

class AnalyzeCli : public plnet::testing::CliTest {
 protected:
  nlohmann::json analyze_json(const std::string& args) const {
    const Result r = run("analyze " + args + " --format json");
    EXPECT_EQ(r.status, 0) << r.err;
    return r.status == 0 ? nlohmann::json::parse(r.out) : nlohmann::json{};
  }
  void expect_clean_failure(const std::string& args, const std::string& needle,
                            const std::string& output) {
    const Result r = run("analyze " + args + " -o " + output);
    EXPECT_NE(r.status, 0) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "expected '" << needle << "' in " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(fs::exists(output)) << output;
  }
};

TEST_F(AnalyzeCli, ExperimentMeasuresEqualTheLibraryAtInitialParameters) {
  write("exp.toml", kResistor);
  const auto j = analyze_json(path("exp.toml") +
                              " --what physical-spectrum,cost-hessian,susceptibility,ls-identity,"
                              "correlation,relative-conductance,effective,dimension,alignment,"
                              "sectors --forces 200 --modes 2");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["parameters_source"], "initial");
  EXPECT_EQ(j["output"], path("exp.analysis.h5"));  // next to the input by default
  EXPECT_TRUE(fs::exists(path("exp.analysis.h5")));
  const auto& m = j["measures"];

  const learning::Experiment e = learning::load_experiment(path("exp.toml"));
  const Vector& w = e.initial_parameters;
  const auto bc = e.task.conditions(Vector::Zero(e.task.num_inputs()));
  const physics::LinearModel& model = *e.model;

  // physical-spectrum
  const analysis::PhysicalSpectrum s = analysis::physical_spectrum(model, w, bc);
  expect_vector(m["physical-spectrum"]["reduced_values"], s.reduced_values, "reduced_values");
  expect_vector(m["physical-spectrum"]["bordered_values"], s.bordered_values, "bordered_values");
  expect_columns_up_to_sign(m["physical-spectrum"]["lowest_modes"],
                            s.reduced_modes_full.leftCols(2), "lowest_modes");
  expect_number(m["physical-spectrum"]["lowest_mode_participation"][1],
                analysis::participation_ratio(s.reduced_modes_full.col(1)), "participation");

  // cost-hessian: eigenvalues of the library's H, H_sat, norms and the gap
  learning::Responses r(model, e.task, e.solve);
  r.update(w);
  const analysis::CostHessian h = analysis::cost_hessian(r, e.train, e.loss);
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(h.total);
  const Vector values = descending(eig.eigenvalues());
  const Vector sat = descending(Eigen::SelfAdjointEigenSolver<Matrix>(h.saturated).eigenvalues());
  const auto& ch = m["cost-hessian"];
  expect_vector(ch["eigenvalues"], values, "eigenvalues");
  expect_vector(ch["saturated_eigenvalues"], sat, "saturated_eigenvalues");
  expect_number(ch["saturated_norm"], h.saturated.norm(), "saturated_norm");
  expect_number(ch["dynamic_norm"], h.dynamic.norm(), "dynamic_norm");
  expect_number(ch["total_norm"], h.total.norm(), "total_norm");
  // Default k = n_out * (n_in + 1) = 2 * 3: each output is linear in a_s = [u_s; 1].
  EXPECT_EQ(ch["stiff_count"].get<Index>(), 6);
  expect_number(ch["gap_decades"], std::log10(std::abs(values[5]) / std::abs(values[6])), "gap");
  // Independent property: H_sat has rank <= 6, so its 7th eigenvalue is round-off and the gap
  // of H_sat spans many decades (double precision leaves ~1e-16 of lambda_1).
  EXPECT_GT(ch["saturated_gap_decades"].get<double>(), 8.0);
  expect_columns_up_to_sign(ch["stiff_modes"], eig.eigenvectors().rowwise().reverse().leftCols(2),
                            "stiff_modes");

  // susceptibility
  const Vector norms = analysis::susceptibility_norms(model, w, bc);
  expect_vector(m["susceptibility"]["norms"], norms, "norms");
  const auto ranking = m["susceptibility"]["ranking"].get<std::vector<Index>>();
  Index top = 0;
  norms.maxCoeff(&top);
  EXPECT_EQ(ranking.front(), top);

  // ls-identity: the identity H_sat = L:S holds (000 App. A), so the relative difference is
  // round-off of the dense solves (~1e-14 for this well-conditioned network).
  EXPECT_LT(m["ls-identity"]["relative_difference"].get<double>(), 1e-10);
  const analysis::TrainingTensor tt = analysis::training_tensor(model, w, e.task, e.train, e.loss);
  const Matrix ls = analysis::double_dot(tt, analysis::susceptibility_vectors(model, w, bc));
  expect_number(m["ls-identity"]["max_abs_difference"], (h.saturated - ls).cwiseAbs().maxCoeff(),
                "max_abs_difference");

  // correlation of ||s_i||^2 with the stiffest mode's squared entries
  const Vector v0 = eig.eigenvectors().col(eig.eigenvalues().size() - 1).cwiseAbs2();
  const analysis::Correlation pe = analysis::pearson_correlation(norms, v0);
  const analysis::Correlation sp = analysis::spearman_correlation(norms, v0);
  expect_number(m["correlation"]["pearson"][0], pe.coefficient, "pearson");
  expect_number(m["correlation"]["pearson_p"][0], pe.p_value, "pearson_p");
  expect_number(m["correlation"]["spearman"][0], sp.coefficient, "spearman");
  expect_number(m["correlation"]["spearman_p"][0], sp.p_value, "spearman_p");

  // relative-conductance (NaN -> null is handled by expect_vector)
  expect_vector(m["relative-conductance"]["values"], analysis::relative_conductance(e.network, w),
                "relative_conductance");

  // effective: spectral and sampled with the same forces
  expect_number(m["effective"]["conductance"], analysis::effective_conductance(s.reduced_values),
                "g_bar");
  expect_number(m["effective"]["dimension"], analysis::effective_dimension(s.reduced_values),
                "D_eff");
  analysis::RandomForceOptions fo;
  fo.samples = 200;
  fo.seed = 1;
  const Matrix forces = analysis::random_forces(s.reduced_values.size(), fo);
  const Matrix responses = analysis::random_force_responses(model, w, bc, forces);
  const analysis::RandomForceMeasures rf = analysis::random_force_measures(
      forces, responses, s.reduced_modes, analysis::ForceDistribution::kUnitSphere);
  expect_number(m["effective"]["conductance_sampled"], rf.effective_conductance, "g sampled");
  expect_number(m["effective"]["dimension_sampled"], rf.effective_dimension, "D sampled");
  expect_number(m["effective"]["dimension_sampled_error"], rf.effective_dimension_error, "D se");
  // Independent check: the sampled g_bar agrees with the spectral one within 4 standard errors.
  EXPECT_NEAR(rf.effective_conductance, analysis::effective_conductance(s.reduced_values),
              4 * rf.effective_conductance_error);

  // dimension
  expect_number(m["dimension"]["twonn"], analysis::twonn_dimension(responses).dimension, "twonn");
  expect_number(m["dimension"]["levina_bickel"],
                analysis::levina_bickel_dimension(responses, 10).dimension, "levina_bickel");
  expect_number(m["dimension"]["correlation_dimension"],
                analysis::correlation_dimension(responses).dimension, "correlation_dimension");

  // alignment
  const Matrix tf = analysis::task_forces(model, w, e.task);
  const analysis::TaskAlignment ta = analysis::task_alignment(s.reduced_modes, tf);
  expect_vector(m["alignment"]["subspace_overlap"], ta.subspace_overlap, "subspace_overlap");
  EXPECT_EQ(m["alignment"]["rank"].get<Index>(), ta.rank);
  expect_number(m["alignment"]["aligned_modes"], ta.aligned_modes, "aligned_modes");

  // sectors of sample 0's free voltages
  const Vector field = r.states(e.train.inputs.topRows(1)).col(0);
  expect_vector(m["sectors"]["field"], field, "field");
  const double threshold = 0.1 * (field.maxCoeff() - field.minCoeff());
  const analysis::PersistentSectors ps =
      analysis::persistent_sectors(e.network, field, analysis::Filtration::kEdgeDrop, threshold);
  EXPECT_EQ(m["sectors"]["count"].get<Index>(), ps.count);
  EXPECT_EQ(m["sectors"]["sector"].get<std::vector<Index>>(), ps.sector);
  EXPECT_EQ(m["sectors"]["boundary_edges"].get<std::vector<Index>>(), ps.boundary_edges);
  const auto diagram =
      analysis::persistence_diagram(e.network, field, analysis::Filtration::kEdgeDrop);
  ASSERT_EQ(m["sectors"]["diagram"].size(), diagram.size());
  expect_number(m["sectors"]["diagram"][1][1], diagram[1].second, "diagram death");
}

TEST_F(AnalyzeCli, Hdf5HoldsTheSameNumbersAsJson) {
  write("exp.toml", kResistor);
  const auto j =
      analyze_json(path("exp.toml") + " --what cost-hessian,susceptibility,sectors,effective -o " +
                   path("a.h5") + " --forces 50");
  ASSERT_FALSE(j.is_null());
  const io::H5Reader h5(path("a.h5"));
  EXPECT_EQ(io::check_format(h5, "analysis", 1), 1);
  EXPECT_EQ(h5.read_string("/input/parameters_source"), "initial");
  const learning::Experiment e = learning::load_experiment(path("exp.toml"));
  EXPECT_EQ(h5.read_vector("/parameters"), e.initial_parameters);
  Index checked = 0;
  for (const auto& [measure, values] : j["measures"].items()) {
    for (const auto& [name, value] : values.items()) {
      const std::string p = "/measures/" + measure + "/" + name;
      ASSERT_TRUE(h5.has(p)) << p;
      const auto shape = h5.shape(p);
      if (value.is_number_integer()) {
        EXPECT_EQ(h5.read_index(p), value.get<Index>()) << p;
      } else if (value.is_number() || value.is_null()) {
        const double d = h5.read_double(p);
        if (value.is_null())
          EXPECT_FALSE(std::isfinite(d)) << p;
        else
          EXPECT_EQ(d, value.get<double>()) << p;  // bit for bit: both are the same double
      } else if (value.is_string()) {
        EXPECT_EQ(h5.read_string(p), value.get<std::string>()) << p;
      } else if (shape.size() == 1 && value.empty()) {
        EXPECT_EQ(shape[0], 0) << p;  // an empty list (e.g. no death edges)
      } else if (shape.size() == 1 && value[0].is_number_integer()) {
        EXPECT_EQ(h5.read_indices(p), value.get<std::vector<Index>>()) << p;
      } else if (shape.size() == 1) {
        const Vector v = h5.read_vector(p);
        ASSERT_EQ(static_cast<Index>(value.size()), v.size()) << p;
        for (Index i = 0; i < v.size(); ++i)
          if (value[static_cast<std::size_t>(i)].is_null())
            EXPECT_FALSE(std::isfinite(v[i]));
          else
            EXPECT_EQ(v[i], value[static_cast<std::size_t>(i)].get<double>()) << p;
      } else {
        const Matrix mat = h5.read_matrix(p);
        ASSERT_EQ(static_cast<Index>(value.size()), mat.rows()) << p;
        for (Index r = 0; r < mat.rows(); ++r)
          for (Index c = 0; c < mat.cols(); ++c) {
            const auto& x = value[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
            if (x.is_null())
              EXPECT_FALSE(std::isfinite(mat(r, c))) << p;  // an essential pair's death
            else
              EXPECT_EQ(mat(r, c), x.get<double>()) << p;
          }
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 25);
  // Descriptions travel as attributes for readers of the file alone.
  EXPECT_TRUE(h5.has_attribute("/measures/cost-hessian/gap_decades", "description"));
}

TEST_F(AnalyzeCli, RunFileIsAnalysedAtItsFinalParametersAndSnapshots) {
  write("exp.toml", kResistor);
  const Result t = run("train " + path("exp.toml") + " -q -o " + path("run.h5"));
  ASSERT_EQ(t.status, 0) << t.err;
  const io::H5Reader run_file(path("run.h5"));
  const Vector w_final = run_file.read_vector("/parameters/final");
  const Matrix snaps = run_file.read_matrix("/parameters/snapshots");
  ASSERT_GE(snaps.rows(), 3);
  const learning::Experiment e = learning::load_experiment(path("exp.toml"));
  ASSERT_GT((w_final - e.initial_parameters).norm(), 1e-6);  // training moved the parameters

  const auto j = analyze_json(path("run.h5") + " --what cost-hessian,landscape --grid 5");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["kind"], "run");
  EXPECT_EQ(j["parameters_source"], "final");
  EXPECT_EQ(j["output"], path("run.analysis.h5"));
  learning::Responses r(*e.model, e.task, e.solve);
  r.update(w_final);
  const analysis::CostHessian h = analysis::cost_hessian(r, e.train, e.loss);
  expect_vector(j["measures"]["cost-hessian"]["eigenvalues"],
                descending(Eigen::SelfAdjointEigenSolver<Matrix>(h.total).eigenvalues()),
                "final eigenvalues");
  // The landscape over the stored snapshots; its centre is the final cost the trainer logs
  // (independent: the trainer's own cost evaluation).
  std::vector<Vector> traj;
  for (Index k = 0; k < snaps.rows(); ++k) traj.push_back(snaps.row(k).transpose());
  analysis::LandscapeOptions lo;
  lo.grid = 5;
  const analysis::Landscape l =
      analysis::trajectory_landscape(*e.model, e.task, e.train, e.loss, traj, lo);
  expect_matrix(j["measures"]["landscape"]["cost"], l.cost, "landscape cost");
  expect_vector(j["measures"]["landscape"]["explained_variance"], l.explained_variance, "ev");
  expect_number(j["measures"]["landscape"]["cost"][2][2], learning::batch_cost(r, e.train, e.loss),
                "centre = final cost");

  // --snapshot K analyses the K-th stored parameters.
  const auto js =
      analyze_json(path("run.h5") + " --what susceptibility --snapshot 1 -o " + path("snap.h5"));
  ASSERT_FALSE(js.is_null());
  EXPECT_EQ(js["parameters_source"], "snapshot");
  EXPECT_EQ(js["step"].get<Index>(), run_file.read_indices("/parameters/snapshot_steps")[1]);
  const Vector w1 = snaps.row(1).transpose();
  expect_vector(js["measures"]["susceptibility"]["norms"],
                analysis::susceptibility_norms(*e.model, w1, e.task.conditions(Vector::Zero(2))),
                "snapshot norms");
  EXPECT_EQ(io::H5Reader(path("snap.h5")).read_vector("/parameters"), w1);
}

TEST_F(AnalyzeCli, AnalysisFileExplainsItself) {
  write("exp.toml", kResistor);
  ASSERT_EQ(run("train " + path("exp.toml") + " -q -o " + path("run.h5")).status, 0);
  const Result r =
      run("analyze " + path("run.h5") + " --what all --forces 50 --grid 5 -o " + path("a.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  const io::H5Reader h5(path("a.h5"));
  EXPECT_GT(h5.datasets("/measures").size(), 50U);
  EXPECT_EQ(io::undescribed_datasets(h5), std::vector<std::string>{});
  EXPECT_EQ(h5.read_attribute_string("/measures/cost-hessian/stiff_modes", "axes"),
            "parameter, mode");
}

TEST_F(AnalyzeCli, RunFileOfVersionOneIsStillRead) {
  // Version 1 run files (before every dataset was described, edges as doubles) hold the same
  // /config and /parameters that analysis reads.
  write("exp.toml", kResistor);
  const learning::Experiment e = learning::load_experiment(path("exp.toml"));
  const Index m = e.model->num_parameters();
  {
    io::H5Writer w(path("v1.h5"));
    io::write_format(w, "run", 1);
    w.write("/config", std::string(kResistor));
    w.write("/parameters/final", Vector(2.0 * e.initial_parameters));
    w.write("/parameters/snapshots", Matrix(0, m));
    w.write("/parameters/snapshot_steps", std::vector<Index>{});
    w.commit();
  }
  const auto j = analyze_json(path("v1.h5") + " --what relative-conductance");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["parameters_source"], "final");
  EXPECT_EQ(io::H5Reader(path("v1.analysis.h5")).read_vector("/parameters"),
            Vector(2.0 * e.initial_parameters));
}

TEST_F(AnalyzeCli, EdgeSourceCircuitRealisableRank) {
  write("c.toml", kCircuit);
  const auto j = analyze_json(path("c.toml") + " --what realisable-rank,susceptibility");
  ASSERT_FALSE(j.is_null());
  const learning::Experiment e = learning::load_experiment(path("c.toml"));
  const analysis::RealisableMap rm =
      analysis::realisable_map(e.network, e.initial_parameters, {0, 3}, {10, 12});
  const auto& m = j["measures"]["realisable-rank"];
  expect_matrix(m["map"], rm.map, "map");
  EXPECT_EQ(m["rank"].get<Index>(), rm.rank);
  EXPECT_EQ(m["cycles"].get<Index>(), e.network.num_edges() - e.network.num_nodes() + 1);
  EXPECT_EQ(m["bound"].get<Index>(), 2);  // min(E_i, E_o, C) with C >> 2
}

TEST_F(AnalyzeCli, AllSkipsWhatDoesNotApplyAndSaysWhy) {
  write("n.toml", kNode);
  const auto j = analyze_json(path("n.toml") + " --what all --forces 50");
  ASSERT_FALSE(j.is_null());
  EXPECT_TRUE(j["measures"].contains("physical-spectrum"));
  EXPECT_TRUE(j["measures"].contains("effective"));
  EXPECT_NE(j["skipped"]["susceptibility"].get<std::string>().find("node network"),
            std::string::npos);
  EXPECT_TRUE(j["skipped"].contains("landscape"));
}

TEST_F(AnalyzeCli, BadInputFailsWithOneLineAndNoOutput) {
  write("exp.toml", kResistor);
  write("n.toml", kNode);
  write("c.toml", kCircuit);
  const std::string out = path("out.h5");
  expect_clean_failure(path("exp.toml") + " --what susceptibility,magic",
                       "--what: unknown measure 'magic'", out);
  expect_clean_failure(path("missing.h5") + " --what susceptibility", "missing.h5: no such file",
                       out);
  expect_clean_failure(path("n.toml") + " --what susceptibility",
                       "susceptibility: needs a difference network (resistor, flow or spring); "
                       "got a node network",
                       out);
  expect_clean_failure(path("c.toml") + " --what ls-identity", "edge-source inputs", out);
  expect_clean_failure(path("exp.toml") + " --what landscape",
                       "landscape: needs a run file with >= 2 parameter snapshots", out);
  expect_clean_failure(path("exp.toml") + " --what effective --snapshot 1",
                       "--snapshot: needs a run file", out);
  expect_clean_failure(path("exp.toml") + " --what effective --modes 0",
                       "--modes: must be >= 1 (got 0)", out);
  write("notes.txt", "hello");
  expect_clean_failure(path("notes.txt") + " --what effective", "got extension '.txt'", out);
  write("fake.h5", "not hdf5");
  expect_clean_failure(path("fake.h5") + " --what effective", "fake.h5: not an HDF5 file", out);
  {
    // A run file of a future format version.
    io::H5Writer w(path("v2.h5"));
    io::write_format(w, "run", 3);
    w.write("/config", std::string(kResistor));
    w.commit();
  }
  expect_clean_failure(path("v2.h5") + " --what effective",
                       "v2.h5: expected a plnet run file version 1 to 2 (got 'run' version 3)",
                       out);
  // A trained run: a snapshot index out of range, and -o pointing at the run itself.
  ASSERT_EQ(run("train " + path("exp.toml") + " -q -o " + path("run.h5")).status, 0);
  expect_clean_failure(path("run.h5") + " --what effective --snapshot 99",
                       "--snapshot: out of range (got 99, need 0 <= K < ", out);
  const Result same = run("analyze " + path("run.h5") + " --what effective -o " + path("run.h5"));
  EXPECT_EQ(same.status, 1);
  EXPECT_NE(same.err.find("never replaces an input"), std::string::npos) << same.err;
  EXPECT_EQ(io::H5Reader(path("run.h5")).read_string("/config"), kResistor);  // untouched
  // Usage errors (CLI11) exit with 2.
  EXPECT_EQ(run("analyze " + path("exp.toml") + " --what effective --format xml").status, 2);
  EXPECT_EQ(run("analyze " + path("exp.toml")).status, 2);  // no --what
  EXPECT_FALSE(fs::exists(path("exp.analysis.h5")));
}

}  // namespace
