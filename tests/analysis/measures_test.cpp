// The measure registry and its results container: names, serialisation and applicability.
#include <plnet/analysis/effective.hpp>
#include <plnet/analysis/measures.hpp>
#include <plnet/analysis/partial_susceptibility.hpp>
#include <plnet/analysis/spectrum.hpp>
#include <plnet/learning/experiment.hpp>
#include <plnet/learning/responses.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

namespace plnet::analysis {
namespace {

TEST(AnalysisMeasures, RegistryNamesAreUniqueAndFindable) {
  std::set<std::string> names;
  for (const auto& m : measures()) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    EXPECT_FALSE(m.description.empty()) << m.name;
    EXPECT_TRUE(m.not_applicable && m.compute) << m.name;
    EXPECT_EQ(find_measure(m.name), &m);
  }
  EXPECT_EQ(find_measure("no-such-measure"), nullptr);
  for (const char* required : {"physical-spectrum", "cost-hessian", "susceptibility", "ls-identity",
                               "correlation", "relative-conductance", "effective", "dimension",
                               "alignment", "sectors", "realisable-rank", "landscape"})
    EXPECT_TRUE(names.count(required)) << required;
}

TEST(AnalysisMeasures, ResultsSerialiseRowsAndNonFiniteAsNull) {
  MeasureResults r;
  r.set("x", 2.5);
  r.set("n", Index{3});
  r.set("v", Vector{{1.0, std::numeric_limits<double>::quiet_NaN()}});
  Matrix m(2, 3);
  m << 1, 2, 3, 4, 5, std::numeric_limits<double>::infinity();
  r.set("m", m);
  r.set("i", std::vector<Index>{4, 1});
  r.set("s", std::string("text"));
  const auto j = r.to_json();
  EXPECT_EQ(j["x"].get<double>(), 2.5);
  EXPECT_EQ(j["n"].get<Index>(), 3);
  EXPECT_EQ(j["v"][0].get<double>(), 1.0);
  EXPECT_TRUE(j["v"][1].is_null());
  // rows of the matrix: m[i][j] = m(i, j)
  EXPECT_EQ(j["m"].size(), 2U);
  EXPECT_EQ(j["m"][0][2].get<double>(), 3.0);
  EXPECT_EQ(j["m"][1][0].get<double>(), 4.0);
  EXPECT_TRUE(j["m"][1][2].is_null());
  EXPECT_EQ(j["i"].get<std::vector<Index>>(), (std::vector<Index>{4, 1}));
  EXPECT_EQ(j["s"], "text");
  EXPECT_EQ(r.number("n"), 3.0);
  EXPECT_THROW(r.number("v"), std::invalid_argument);
  EXPECT_THROW(r.at("missing"), std::invalid_argument);
  EXPECT_THROW(r.set("x", 1.0), std::invalid_argument);         // set twice
  EXPECT_THROW(r.set("Bad-Name", 1.0), std::invalid_argument);  // HDF5/JSON-safe names only
}

TEST(AnalysisMeasures, OptionsNameTheFieldAndValue) {
  AnalysisOptions o;
  o.landscape_grid = 4;
  try {
    o.validate();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("landscape_grid: must be odd and in [3, 1001] (got 4)"),
              std::string::npos);
  }
}

// A small 000-style regression: ground, a fixed source, two inputs, two outputs.
const char* kRegression = R"([network]
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
batch = "full"
)";

Vector vector_of(const MeasureResults& r, const std::string& name) {
  return std::get<Vector>(r.at(name));
}

MeasureResults run_measure(AnalysisContext& context, const std::string& name) {
  MeasureResults out;
  const Measure* m = find_measure(name);
  EXPECT_NE(m, nullptr) << name;
  EXPECT_EQ(m->not_applicable(context), "") << name;
  m->compute(context, out);
  return out;
}

// The scalable measures against their dense counterparts on the same context: the selected
// inversion and the blocked/dense susceptibility are independent algorithms, Lanczos on the
// matrix-free Hessian against a dense eigendecomposition of the formed Hessian. Tolerances:
// 1e-9 relative covers the round-off of two different factorisations at conductances within
// one decade; Lanczos converges to 1e-10 relative by construction.
TEST(AnalysisMeasures, ScalableMeasuresAgreeWithTheDenseOnes) {
  const auto e = learning::parse_experiment(kRegression, "test.toml", ".");
  AnalysisOptions options;
  options.modes = 3;
  AnalysisContext context(e, e.initial_parameters, options);

  const Vector dense = vector_of(run_measure(context, "susceptibility"), "norms");
  const Vector selected = vector_of(run_measure(context, "susceptibility-selected"), "norms");
  EXPECT_LT((selected - dense).cwiseAbs().maxCoeff() / dense.cwiseAbs().maxCoeff(), 1e-9);

  const Vector all = vector_of(run_measure(context, "cost-hessian"), "eigenvalues");
  const Vector stiff = vector_of(run_measure(context, "cost-hessian-modes"), "eigenvalues");
  ASSERT_EQ(stiff.size(), 3);
  for (Index k = 0; k < 3; ++k) EXPECT_NEAR(stiff[k], all[k], 1e-8 * all[0]) << k;

  const auto partial = run_measure(context, "partial-susceptibility");
  const PartialSusceptibility reference =
      partial_susceptibility(context.model(), context.parameters(), context.structure(), 3);
  const Vector mean_ratio = vector_of(partial, "mean_ratio");
  ASSERT_EQ(mean_ratio.size(), 3);
  for (Index n = 0; n < 3; ++n) EXPECT_NEAR(mean_ratio[n], reference.mean_ratio[n], 1e-8) << n;
}

// The trajectory measure at each snapshot equals the spectral formulas evaluated directly at
// that snapshot's parameters (same dense eigensolver: 1e-12 relative).
TEST(AnalysisMeasures, SpectralTrajectoryMatchesPerSnapshotSpectra) {
  const auto e = learning::parse_experiment(kRegression, "test.toml", ".");
  AnalysisOptions options;
  options.modes = 2;
  std::vector<Vector> snapshots{e.initial_parameters, 2.0 * e.initial_parameters,
                                e.initial_parameters.cwiseSqrt()};
  AnalysisContext context(e, snapshots.back(), options, snapshots, {0, 10, 20});
  const auto r = run_measure(context, "spectral-trajectory");
  const Vector g = vector_of(r, "effective_conductance");
  const Vector d = vector_of(r, "effective_dimension");
  const Matrix lowest = std::get<Matrix>(r.at("lowest"));
  ASSERT_EQ(g.size(), 3);
  for (Index s = 0; s < 3; ++s) {
    const PhysicalSpectrum spectrum =
        physical_spectrum(*e.model, snapshots[static_cast<std::size_t>(s)], context.structure());
    EXPECT_NEAR(g[s], effective_conductance(spectrum.reduced_values), 1e-12 * std::abs(g[s]));
    EXPECT_NEAR(d[s], effective_dimension(spectrum.reduced_values), 1e-12);
    for (Index k = 0; k < 2; ++k)
      EXPECT_NEAR(lowest(s, k), spectrum.reduced_values[k], 1e-12 * spectrum.reduced_values[k]);
  }
  // Doubling every conductance doubles every eigenvalue: g_bar = sqrt(sum lambda^-2) halves and
  // the scale-free D_eff is unchanged.
  EXPECT_NEAR(g[1], 0.5 * g[0], 1e-12 * g[0]);
  EXPECT_NEAR(d[1], d[0], 1e-12);
}

// 002's g for one sample and readout is the gradient of that output: compare with central
// finite differences of the output over every 7th conductance. Relative step 1e-6: truncation
// O(h^2) ~ 1e-12, round-off ~ eps |y| / h ~ 1e-10 |y|; the tolerance 1e-7 max|g| leaves room
// for |y| up to 1e3 |g|. H_sat:H is a normalised double dot, so it must lie in [-1, 1].
TEST(AnalysisMeasures, SaturationGradientIsTheOutputDerivative) {
  const auto e = learning::parse_experiment(kRegression, "test.toml", ".");
  AnalysisContext context(e, e.initial_parameters);
  const auto r = run_measure(context, "saturation");
  const Vector g = vector_of(r, "g");
  const Matrix input = e.train.inputs.topRows(1);
  learning::Responses probe(*e.model, e.task, e.solve);
  for (Index i = 0; i < g.size(); i += 7) {
    Vector w = e.initial_parameters;
    const double h = 1e-6 * w[i];
    w[i] += h;
    probe.update(w);
    const double up = probe.outputs(input)(0, 0);
    w[i] -= 2 * h;
    probe.update(w);
    const double down = probe.outputs(input)(0, 0);
    EXPECT_NEAR(g[i], (up - down) / (2 * h), 1e-7 * g.cwiseAbs().maxCoeff() + 1e-9) << i;
  }
  const double hsat_h = std::get<double>(r.at("hsat_h"));
  EXPECT_GT(hsat_h, -1.0 - 1e-12);
  EXPECT_LT(hsat_h, 1.0 + 1e-12);
}

// Probe experiments and the sketch against the dense ||s_i||^2 of the "susceptibility" measure
// (dense bordered inverse: an independent computation of the same norms).
TEST(AnalysisMeasures, MeasuredSusceptibilityAndSketchAgainstTheDenseNorms) {
  const auto e = learning::parse_experiment(kRegression, "test.toml", ".");
  AnalysisOptions options;
  options.probe_noise = {0.0, 1e-2};
  options.sketch_probes = 800;
  AnalysisContext context(e, e.initial_parameters, options);
  const Vector dense = vector_of(run_measure(context, "susceptibility"), "norms");

  const auto measured = run_measure(context, "measured-susceptibility");
  const Vector exact = vector_of(measured, "exact_norms");
  EXPECT_LT((exact - dense).norm() / dense.norm(), 1e-10);  // two factorisations: round-off
  const Index n = std::get<Index>(measured.at("active_probes"));
  const auto counts = std::get<std::vector<Index>>(measured.at("probe_counts"));
  ASSERT_EQ(counts, (std::vector<Index>{std::max<Index>(1, n / 4), n, 4 * n}));
  const Vector unit = vector_of(measured, "unit_vector_error");
  const Matrix random = std::get<Matrix>(measured.at("random_vector_error"));
  // Noise-free unit probes read S exactly; so does least squares once R >= n (round-off of a
  // Gaussian least-squares fit with condition number ~1e2: 1e-9).
  EXPECT_LT(unit[0], 1e-12);
  EXPECT_LT(random(0, 1), 1e-9);
  EXPECT_LT(random(0, 2), 1e-9);
  EXPECT_GT(random(0, 0), 1e-3);  // R = n/4 < n probes cannot determine S: a projection error
  // With noise sigma per drop, unit probes err by sigma sqrt(M n) / ||S||_F in expectation
  // (M n independent entries); M n >= 1000 entries put the ratio within 10% of 1.
  const Index m = context.model().num_parameters();
  const double expected = 1e-2 * std::sqrt(static_cast<double>(m * n)) / std::sqrt(dense.sum());
  EXPECT_NEAR(unit[1] / expected, 1.0, 0.1);
  // More random probes average the noise down: 4n probes beat n probes.
  EXPECT_LT(random(1, 2), random(1, 1));

  const auto sketch = run_measure(context, "susceptibility-sketch");
  const double stated = std::get<double>(sketch.at("relative_standard_error"));
  EXPECT_DOUBLE_EQ(stated, std::sqrt(2.0 / 800.0));
  // Each estimate has relative standard deviation sqrt(2/k) = 0.05: the root mean square of
  // the relative errors over the edges is that, within 30% for these ~60 edges.
  const Vector relative = (vector_of(sketch, "norms") - dense).cwiseQuotient(dense);
  const double rms = std::sqrt(relative.squaredNorm() / static_cast<double>(relative.size()));
  EXPECT_NEAR(rms / stated, 1.0, 0.3);
}

}  // namespace
}  // namespace plnet::analysis
