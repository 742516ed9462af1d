// Susceptibility norms and stiff cost-Hessian modes at scale (docs/analysis.md, "Scale").
//
// Network: graph::random_planar (remove_fraction 0.2, seed 1), conductances log-uniform in
// [0.01, 1] from std::mt19937_64(seed 2) (the networks of solve_bench.cpp). Conditions: node 0
// grounded, node n-1 held at 1 V (two Lagrange rows), as in solve_bench.cpp.
//
// Families (wall-clock real_time; one thread: solve_bench.cpp's static initialiser pins OpenMP
// and OpenBLAS to one thread for the whole binary, and compare_susceptibility.py also sets
// OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = OMP_THREAD_LIMIT = 1 before starting it):
//   BM_SusceptibilityExact/<method>/N   everything from the network to all M norms ||s_i||^2:
//       BorderedInverse (pattern, symbolic analysis) + update (numeric factorisation), then
//       "selected": susceptibility_norms_selected (dual-number selected inversion of H_r plus
//       one solve per Lagrange row), or <backend>: blocked unit solves (block 256) on that
//       solver backend. N from PLNET_SUSC_EXACT_SIZES (default 3000).
//   BM_SusceptibilitySketch/N   the randomised estimate with k = PLNET_SUSC_PROBES (default
//       200) probes, factorisation included. N from PLNET_SUSC_SKETCH_SIZES (default 100000).
//       Counters: the predicted relative error sqrt(2/k) and the measured RMS relative error on
//       200 random edges whose exact norms come from susceptibility_vectors, and over all edges
//       against susceptibility_norms_selected (neither timed).
//   BM_StiffCostModes/N   the 10 stiffest eigenpairs of the total cost Hessian (Lanczos, matrix
//       free) of a 2-input / 2-output task with a 10-sample batch, Responses::update included.
//       N from PLNET_COST_MODES_SIZES (default 42000 nodes, ~1e5 edges).
//   BM_MeasuredSusceptibility/<kind>/N/noise_exp/probes   simulated probe experiments
//       (measured_susceptibility.hpp) on the N = 300 network, noise = 10^-noise_exp volts per
//       unit probe (0: no noise), unit probes (all active) or R random probes. Counters: the
//       estimation errors against the exact S (vectors, norms, median per-edge norm error).
// Buffer policy: glibc's default malloc; blocks are reused within a call.
//
// Export hook: with PLNET_BENCH_EXPORT_DIR set, BM_SusceptibilityExact writes
// $DIR/susc_<N>.txt (header lines "# key value", then "a b k" per edge, %.17g) and
// $DIR/susc_<N>_norms.txt (one ||s_i||^2 per edge) for compare_susceptibility.py.

#include <plnet/analysis/bordered_inverse.hpp>
#include <plnet/analysis/cost_hessian_operator.hpp>
#include <plnet/analysis/measured_susceptibility.hpp>
#include <plnet/analysis/selected_inversion.hpp>
#include <plnet/analysis/susceptibility_scale.hpp>
#include <plnet/core/random.hpp>
#include <plnet/graph/generators.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/learning/responses.hpp>
#include <plnet/physics/model.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using plnet::Index;
using plnet::Matrix;
using plnet::Vector;
namespace analysis = plnet::analysis;
namespace graph = plnet::graph;
namespace learning = plnet::learning;
namespace physics = plnet::physics;

std::vector<Index> sizes_from(const char* name, std::vector<Index> defaults) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return defaults;
  std::vector<Index> out;
  std::string list(env);
  std::size_t start = 0;
  while (start < list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    const long long v = std::atoll(list.substr(start, end - start).c_str());
    if (v >= 10) out.push_back(static_cast<Index>(v));
    start = end + 1;
  }
  return out;
}

Index env_index(const char* name, Index fallback) {
  const char* env = std::getenv(name);
  return env == nullptr || *env == '\0' ? fallback : static_cast<Index>(std::atoll(env));
}

struct Case {
  graph::Network net;
  physics::LinearModel model;
  physics::BoundaryConditions bc;
};

const Case& planar_case(Index size) {
  static std::map<Index, std::unique_ptr<Case>> cache;
  auto& slot = cache[size];
  if (slot) return *slot;
  graph::PlanarOptions options;
  options.num_nodes = size;
  options.remove_fraction = 0.2;
  options.seed = 1;
  const graph::Network planar = graph::random_planar(options);
  std::mt19937_64 rng(2);
  Vector k(planar.num_edges());
  for (Index e = 0; e < k.size(); ++e)
    k[e] = std::pow(10.0, -2.0 + 2.0 * static_cast<double>(rng() >> 11U) * 0x1.0p-53);
  auto c = std::make_unique<Case>();
  c->net = planar.with_conductances(k);
  c->model = physics::resistor_model(c->net);
  c->bc.hold(0, 0.0).hold(c->net.num_nodes() - 1, 1.0);
  slot = std::move(c);
  return *slot;
}

void export_exact(Index size, const Case& c, const Vector& norms) {
  const char* dir = std::getenv("PLNET_BENCH_EXPORT_DIR");
  if (dir == nullptr || *dir == '\0') return;
  const std::string stem = std::string(dir) + "/susc_" + std::to_string(size);
  plnet::io::write_atomically(stem + ".txt", [&](std::ostream& out) {
    out << "# nodes " << c.net.num_nodes() << "\n# edges " << c.net.num_edges()
        << "\n# ground 0\n# source " << c.net.num_nodes() - 1 << "\n";
    std::array<char, 96> line{};
    for (Index e = 0; e < c.net.num_edges(); ++e) {
      const auto& edge = c.net.edge(e);
      const int len = std::snprintf(line.data(), line.size(), "%lld %lld %.17g\n",
                                    static_cast<long long>(edge.a), static_cast<long long>(edge.b),
                                    c.net.conductances()[e]);
      out.write(line.data(), len);
    }
  });
  plnet::io::write_atomically(stem + "_norms.txt", [&](std::ostream& out) {
    std::array<char, 40> line{};
    for (Index i = 0; i < norms.size(); ++i) {
      const int len = std::snprintf(line.data(), line.size(), "%.17g\n", norms[i]);
      out.write(line.data(), len);
    }
  });
}

void BM_SusceptibilityExact(benchmark::State& state, const std::string& backend) {
  const Index size = state.range(0);
  const Case& c = planar_case(size);
  Vector norms;
  for (auto _ : state) {
    const bool selected = backend == "selected";
    analysis::BorderedInverse inverse(
        c.model, c.bc, physics::SolveOptions::with_backend(selected ? "auto" : backend));
    inverse.update(c.net.conductances());
    norms = selected ? analysis::susceptibility_norms_selected(inverse)
                     : analysis::susceptibility_norms(inverse, 256);
    benchmark::DoNotOptimize(norms.data());
  }
  state.counters["N"] = static_cast<double>(c.net.num_nodes());
  state.counters["edges"] = static_cast<double>(c.net.num_edges());
  if (backend == "selected") export_exact(size, c, norms);
}

void BM_SusceptibilitySketch(benchmark::State& state) {
  const Case& c = planar_case(state.range(0));
  analysis::SketchOptions options;
  options.probes = env_index("PLNET_SUSC_PROBES", 200);
  analysis::SusceptibilityEstimate est;
  for (auto _ : state) {
    analysis::BorderedInverse inverse(c.model, c.bc);
    inverse.update(c.net.conductances());
    est = analysis::susceptibility_norms_sketch(inverse, options);
    benchmark::DoNotOptimize(est.norms.data());
  }
  // Measured error on 200 random edges (exact norms from two blocked solves; not timed).
  analysis::BorderedInverse inverse(c.model, c.bc);
  inverse.update(c.net.conductances());
  plnet::random::Engine engine(7);
  std::vector<Index> edges;
  for (int j = 0; j < 200; ++j)
    edges.push_back(plnet::random::uniform_index(engine, c.net.num_edges()));
  const Matrix s = analysis::susceptibility_vectors(inverse, edges);
  double sq = 0.0;
  for (std::size_t j = 0; j < edges.size(); ++j) {
    const double exact = s.row(static_cast<Index>(j)).squaredNorm();
    sq += std::pow(est.norms[edges[j]] / exact - 1.0, 2);
  }
  state.counters["N"] = static_cast<double>(c.net.num_nodes());
  state.counters["edges"] = static_cast<double>(c.net.num_edges());
  state.counters["probes"] = static_cast<double>(options.probes);
  state.counters["predicted_rel_err"] = est.relative_standard_error;
  state.counters["measured_rms_rel_err"] = std::sqrt(sq / static_cast<double>(edges.size()));
  // Over every edge, against the exact selected-inversion norms (themselves checked against
  // the solves on the sampled edges).
  const Vector exact_all = analysis::susceptibility_norms_selected(inverse);
  double worst = 0.0;
  for (std::size_t j = 0; j < edges.size(); ++j)
    worst = std::max(
        worst, std::abs(exact_all[edges[j]] / s.row(static_cast<Index>(j)).squaredNorm() - 1.0));
  state.counters["selected_vs_solves_max_rel"] = worst;
  state.counters["all_edges_rms_rel_err"] =
      std::sqrt((est.norms.cwiseQuotient(exact_all).array() - 1.0).square().mean());
}

void BM_StiffCostModes(benchmark::State& state) {
  const Case& c = planar_case(state.range(0));
  const Index n = c.net.num_nodes();
  learning::Task task;
  task.fixed.hold(0, 0.0);
  task.inputs = {learning::injection_input({n / 3}, {1.0}), learning::hold_input(n - 1)};
  task.outputs = {learning::node_readout(n / 2), learning::difference_readout(n / 4, 2 * n / 3)};
  learning::Batch batch;
  plnet::random::Engine engine(3);
  batch.inputs.resize(10, 2);
  batch.targets.resize(10, 2);
  for (Index s = 0; s < 10; ++s)
    for (Index j = 0; j < 2; ++j) {
      batch.inputs(s, j) = plnet::random::uniform(engine, -1.0, 1.0);
      batch.targets(s, j) = plnet::random::uniform(engine, -0.1, 0.1);
    }
  analysis::StiffModes modes;
  for (auto _ : state) {
    learning::Responses responses(c.model, task);
    responses.update(c.net.conductances());
    const analysis::CostHessianOperator op(responses, batch, learning::Loss{});
    modes = analysis::stiffest_cost_modes(op, 10, 0, 1e-8);
    benchmark::DoNotOptimize(modes.values.data());
  }
  state.counters["N"] = static_cast<double>(n);
  state.counters["edges"] = static_cast<double>(c.net.num_edges());
  state.counters["products"] = static_cast<double>(modes.products);
  state.counters["converged"] = modes.converged ? 1.0 : 0.0;
  state.counters["top_eigenvalue"] = modes.values[0];
  state.counters["tenth_eigenvalue"] = modes.values[9];
}

void BM_MeasuredSusceptibility(benchmark::State& state, analysis::ProbeKind kind) {
  const Case& c = planar_case(state.range(0));
  analysis::BorderedInverse inverse(c.model, c.bc);
  inverse.update(c.net.conductances());
  std::vector<Index> all(static_cast<std::size_t>(c.net.num_edges()));
  for (Index e = 0; e < c.net.num_edges(); ++e) all[static_cast<std::size_t>(e)] = e;
  const Matrix exact = analysis::susceptibility_vectors(inverse, all);
  const Vector norms = exact.rowwise().squaredNorm();
  analysis::ProbeExperiment experiment;
  experiment.kind = kind;
  experiment.noise =
      state.range(1) == 0 ? 0.0 : std::pow(10.0, -static_cast<double>(state.range(1)));
  experiment.probes = state.range(2);
  analysis::MeasuredSusceptibility m;
  for (auto _ : state) {
    m = analysis::measured_susceptibility(inverse, experiment);
    benchmark::DoNotOptimize(m.norms.data());
  }
  const auto err = analysis::estimation_error(m, exact, norms);
  state.counters["noise"] = experiment.noise;
  state.counters["probes"] = static_cast<double>(m.probes);
  state.counters["n_active"] = static_cast<double>(inverse.active_indices().size());
  state.counters["vector_rel_err"] = err.vectors;
  state.counters["norm_rel_err"] = err.norms;
  state.counters["median_norm_rel_err"] = err.median_norm;
}

const bool kRegistered = [] {
  for (const Index noise : {0, 6, 4, 3, 2}) {
    benchmark::RegisterBenchmark("BM_MeasuredSusceptibility/unit", BM_MeasuredSusceptibility,
                                 analysis::ProbeKind::kUnit)
        ->Args({300, noise, 0})
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
    for (const Index probes : {50, 300, 1200})
      benchmark::RegisterBenchmark("BM_MeasuredSusceptibility/random", BM_MeasuredSusceptibility,
                                   analysis::ProbeKind::kRandom)
          ->Args({300, noise, probes})
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
  }
  for (const char* backend :
       {"selected", "auto", "cholmod-supernodal", "cholmod-simplicial", "eigen-ldlt"})
    for (const Index n : sizes_from("PLNET_SUSC_EXACT_SIZES", {3000}))
      benchmark::RegisterBenchmark((std::string("BM_SusceptibilityExact/") + backend).c_str(),
                                   BM_SusceptibilityExact, std::string(backend))
          ->Arg(n)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(1.0);
  for (const Index n : sizes_from("PLNET_SUSC_SKETCH_SIZES", {100000}))
    benchmark::RegisterBenchmark("BM_SusceptibilitySketch", BM_SusceptibilitySketch)
        ->Arg(n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
  for (const Index n : sizes_from("PLNET_COST_MODES_SIZES", {42000}))
    benchmark::RegisterBenchmark("BM_StiffCostModes", BM_StiffCostModes)
        ->Arg(n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
  return true;
}();

}  // namespace
