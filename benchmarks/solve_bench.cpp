// One resistor solve on random planar networks, N = 300 .. 1e6 (docs/benchmarks.md).
//
// Network: graph::random_planar (remove_fraction 0.2, seed kNetworkSeed), conductances
// log-uniform in [0.01, 1] drawn from std::mt19937_64(kConductanceSeed). Conditions: node 0
// grounded, a 1 V source at node n-1, 1 A injected at node n/2 (n = nodes actually kept, which
// equals N unless thinning disconnected the network). Networks are generated once per N, outside
// every timed region, and kept for the whole run.
//
// Sizes: N = 300, 3e3, 3e4, 3e5, 1e6, or PLNET_BENCH_SIZES="300,3000" (compare_solve.py --sizes).
//
// Families (compare_solve.py reads the wall-clock real_time; one thread, see force_one_thread):
//   BM_SolveCold/N        what a one-shot user pays: resistor_model + physics::solve (validation,
//                         ReducedSystem pattern and scatter map, symbolic analysis, numeric
//                         factorisation, refined solve, state completion). Backend "auto".
//   BM_Refactor/N         per training step with LinearResponse built once: set_parameters
//                         (scatter + numeric factorisation) + solve(bc). Backend "auto".
//   BM_SolveAssembled/N   from an already assembled reduced matrix: make_solver + analyze +
//                         factorize + one solve (the like-for-like match of scipy's spsolve on a
//                         ready CSR matrix). Backend "auto".
//   BM_SolveColdBackend/<name>/N  BM_SolveCold with a fixed backend; sizes as BM_Backend.
//   BM_Backend/<name>/N   scatter + numeric factorisation + solve of 4 right-hand sides at the
//                         solver level (no refinement), symbolic analysis reused; N = 300 and
//                         3e3 (PLNET_BENCH_BACKEND_SIZES="300,3000,30000" to override).
//   BM_BackendFactor/<name>/N, BM_BackendSolve4/<name>/N: the two halves of BM_Backend.
// Buffer policy: glibc's default malloc; LinearResponse::solve and physics::solve allocate their
// result vectors every call (what the library's users pay); BM_Backend reuses one 4-column block.
//
// Export hook: when PLNET_BENCH_EXPORT_DIR is set, each network is written, when first generated,
// as $DIR/planar_<N>.txt ("# key value" header lines, then one "a b k" line per edge, "%.17g")
// and its solution (backend "auto") as $DIR/planar_<N>_voltages.txt (one voltage per node), each
// through a temporary file and a rename. benchmarks/compare_solve.py reads them to run scipy and
// ngspice on the same circuit and to check that all three agree.

#include <plnet/core/types.hpp>
#include <plnet/graph/generators.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/physics/linear_response.hpp>
#include <plnet/physics/model.hpp>
#include <plnet/solver/symmetric_solver.hpp>

#include "one_thread.hpp"

#include <benchmark/benchmark.h>
#include <dlfcn.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using plnet::Index;
using plnet::Matrix;
using plnet::Vector;
namespace graph = plnet::graph;
namespace physics = plnet::physics;
namespace solver = plnet::solver;

constexpr std::uint64_t kNetworkSeed = 1;
constexpr std::uint64_t kConductanceSeed = 2;
constexpr double kRemoveFraction = 0.2;
constexpr std::array<Index, 5> kDefaultSizes{300, 3000, 30000, 300000, 1000000};
constexpr std::array<Index, 2> kDefaultBackendSizes{300, 3000};
constexpr std::array<const char*, 4> kBackends{"cholmod-simplicial", "cholmod-supernodal",
                                               "eigen-ldlt", "plnet-ldlt"};

const bool kContextAdded = [] {
  benchmark::AddCustomContext("plnet_blas", plnet::bench::force_one_thread());
#ifdef _OPENMP
  benchmark::AddCustomContext(
      "plnet_omp", "max_threads=" + std::to_string(omp_get_max_threads()) +
                       " thread_limit=" + std::to_string(omp_get_thread_limit()) +
                       " max_active_levels=" + std::to_string(omp_get_max_active_levels()));
#endif
  benchmark::AddCustomContext("plnet_network",
                              "random_planar remove_fraction=0.2 seed=1, conductances "
                              "log-uniform [0.01, 1] mt19937_64 seed=2");
  return true;
}();

/// Sizes from the environment variable `name` ("300,3000"; PLNET_BENCH_SIZES is what
/// compare_solve.py --sizes sets) or `defaults`. Sizes below 3 (no room for ground, source and
/// injection) or unparsable entries are reported on stderr and skipped.
template <std::size_t kCount>
std::vector<Index> sweep_sizes(const char* name, const std::array<Index, kCount>& defaults) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return {defaults.begin(), defaults.end()};
  std::vector<Index> sizes;
  const std::string list(env);
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    const std::string item = list.substr(start, end - start);
    char* stop = nullptr;
    const long long value = std::strtoll(item.c_str(), &stop, 10);
    if (stop != item.c_str() && *stop == '\0' && value >= 3)
      sizes.push_back(static_cast<Index>(value));
    else
      std::fprintf(stderr, "%s: skipping '%s' (need an integer >= 3)\n", name, item.c_str());
    start = end + 1;
  }
  return sizes;
}

physics::BoundaryConditions conditions(Index num_nodes) {
  physics::BoundaryConditions bc;
  bc.hold(0, 0.0).hold(num_nodes - 1, 1.0).inject(num_nodes / 2, 1.0);
  return bc;
}

/// Conductances 10^(-2 + 2u), u uniform in [0, 1) from the top 53 bits of each draw (the std::
/// distributions are not portable across standard libraries).
Vector log_uniform_conductances(Index num_edges) {
  std::mt19937_64 rng(kConductanceSeed);
  Vector k(num_edges);
  for (Index e = 0; e < num_edges; ++e) {
    const double u = static_cast<double>(rng() >> 11U) * 0x1.0p-53;
    k[e] = std::pow(10.0, -2.0 + 2.0 * u);
  }
  return k;
}

void write_exports(const std::string& dir, Index size, const graph::Network& net,
                   const Vector& voltages) {
  const std::string stem = dir + "/planar_" + std::to_string(size);
  const Index n = net.num_nodes();
  plnet::io::write_atomically(stem + ".txt", [&](std::ostream& out) {
    out << "# network random_planar N=" << size << " remove_fraction=0.2 seed=" << kNetworkSeed
        << " conductance_seed=" << kConductanceSeed << "\n# nodes " << n << "\n# edges "
        << net.num_edges() << "\n# ground 0\n# source " << n - 1 << " 1\n# inject " << n / 2
        << " 1\n";
    std::array<char, 96> line{};
    for (Index e = 0; e < net.num_edges(); ++e) {
      const auto& edge = net.edge(e);
      const int len = std::snprintf(line.data(), line.size(), "%lld %lld %.17g\n",
                                    static_cast<long long>(edge.a), static_cast<long long>(edge.b),
                                    net.conductances()[e]);
      out.write(line.data(), len);
    }
  });
  plnet::io::write_atomically(stem + "_voltages.txt", [&](std::ostream& out) {
    std::array<char, 40> line{};
    for (Index i = 0; i < voltages.size(); ++i) {
      const int len = std::snprintf(line.data(), line.size(), "%.17g\n", voltages[i]);
      out.write(line.data(), len);
    }
  });
}

/// One benchmark network and the objects the warm benchmarks reuse. Never moved: LinearResponse
/// keeps a pointer to `model`.
struct Case {
  graph::Network net;
  physics::LinearModel model;
  physics::BoundaryConditions bc;
  std::unique_ptr<physics::LinearResponse> response;  // built on first use, "auto" backend
};

Case& network_case(Index size) {
  static std::map<Index, std::unique_ptr<Case>> cache;
  auto& slot = cache[size];
  if (slot) return *slot;
  graph::PlanarOptions options;
  options.num_nodes = size;
  options.remove_fraction = kRemoveFraction;
  options.seed = kNetworkSeed;
  const graph::Network planar = graph::random_planar(options);
  auto c = std::make_unique<Case>();
  c->net = planar.with_conductances(log_uniform_conductances(planar.num_edges()));
  c->model = physics::resistor_model(c->net);
  c->bc = conditions(c->net.num_nodes());
  if (const char* dir = std::getenv("PLNET_BENCH_EXPORT_DIR"); dir != nullptr && *dir != '\0')
    write_exports(dir, size, c->net, physics::solve(c->model, c->net.conductances(), c->bc).x);
  slot = std::move(c);
  return *slot;
}

void set_counters(benchmark::State& state, const Case& c, const physics::ReducedSystem& reduced) {
  state.counters["N"] = static_cast<double>(c.net.num_nodes());
  state.counters["edges"] = static_cast<double>(c.net.num_edges());
  state.counters["nnz"] = static_cast<double>(reduced.matrix().nonZeros());
}

physics::LinearResponse& warm_response(Case& c) {
  if (!c.response) c.response = std::make_unique<physics::LinearResponse>(c.model, c.bc);
  return *c.response;
}

void BM_SolveCold(benchmark::State& state) {
  const Case& c = network_case(state.range(0));
  physics::State st;
  for (auto _ : state) {
    const physics::LinearModel model = physics::resistor_model(c.net);
    st = physics::solve(model, c.net.conductances(), conditions(c.net.num_nodes()));
    benchmark::DoNotOptimize(st.x.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, c, physics::ReducedSystem(c.model, c.bc));
  state.counters["refine_steps"] = st.report.refinement_steps;
  state.counters["backward_error"] = st.report.backward_error;
}

/// BM_SolveCold with a named backend instead of "auto" (to place auto's crossovers).
void solve_cold_with(benchmark::State& state, const std::string& backend) {
  const Case& c = network_case(state.range(0));
  physics::SolveOptions options;
  options.backend = backend;
  physics::State st;
  for (auto _ : state) {
    const physics::LinearModel model = physics::resistor_model(c.net);
    st = physics::solve(model, c.net.conductances(), conditions(c.net.num_nodes()), options);
    benchmark::DoNotOptimize(st.x.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, c, physics::ReducedSystem(c.model, c.bc));
}

void BM_Refactor(benchmark::State& state) {
  Case& c = network_case(state.range(0));
  physics::LinearResponse& response = warm_response(c);
  const Vector& w = c.net.conductances();
  physics::State st;
  for (auto _ : state) {
    response.set_parameters(w);
    st = response.solve(c.bc);
    benchmark::DoNotOptimize(st.x.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, c, response.reduced());
  state.SetLabel(response.backend_name());
  state.counters["refine_steps"] = st.report.refinement_steps;
  state.counters["backward_error"] = st.report.backward_error;
}

/// The reduced right-hand side of the benchmark conditions (one column).
Matrix reduced_rhs(const Case& c, const physics::ReducedSystem& reduced, const Vector& w) {
  const Vector t = reduced.offset(c.bc);
  return reduced.reduced_rhs(w, physics::total_force(c.model, w, c.bc), t);
}

void BM_SolveAssembled(benchmark::State& state) {
  Case& c = network_case(state.range(0));
  const Vector& w = c.net.conductances();
  physics::ReducedSystem reduced(c.model, c.bc);
  reduced.assemble(w);
  const Matrix b = reduced_rhs(c, reduced, w);
  Matrix x;
  std::string backend;
  for (auto _ : state) {
    auto s = solver::make_solver("auto", reduced.size());
    s->analyze(reduced.matrix());
    if (!s->factorize(reduced.matrix()).ok()) {
      state.SkipWithError("factorisation failed");
      break;
    }
    x = b;
    s->solve_in_place(x);
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
    backend = s->name();
  }
  set_counters(state, c, reduced);
  state.SetLabel(backend);
}

enum class BackendPart { kBoth, kFactor, kSolve };

/// Four unit injections spread over the free unknowns.
Matrix four_rhs(Index size) {
  Matrix b = Matrix::Zero(size, 4);
  for (Index j = 0; j < 4; ++j) b((j + 1) * size / 5, j) = 1.0;
  return b;
}

void run_backend(benchmark::State& state, const std::string& backend, BackendPart part) {
  Case& c = network_case(state.range(0));
  const Vector& w = c.net.conductances();
  physics::ReducedSystem reduced(c.model, c.bc);
  reduced.assemble(w);
  auto s = solver::make_solver(backend, reduced.size());
  s->analyze(reduced.matrix());
  if (!s->factorize(reduced.matrix()).ok()) {
    state.SkipWithError("factorisation failed");
    return;
  }
  const Matrix b0 = four_rhs(reduced.size());
  Matrix b = b0;
  for (auto _ : state) {
    if (part != BackendPart::kSolve) {
      reduced.assemble(w);
      benchmark::DoNotOptimize(s->factorize(reduced.matrix()).status);
    }
    if (part != BackendPart::kFactor) {
      b = b0;  // same shape: no allocation
      s->solve_in_place(b);
      benchmark::DoNotOptimize(b.data());
    }
    benchmark::ClobberMemory();
  }
  set_counters(state, c, reduced);
}

const bool kRegistered = [] {
  const std::vector<Index> sizes = sweep_sizes("PLNET_BENCH_SIZES", kDefaultSizes);
  const std::vector<Index> backend_sizes =
      sweep_sizes("PLNET_BENCH_BACKEND_SIZES", kDefaultBackendSizes);
  const std::array<std::pair<const char*, void (*)(benchmark::State&)>, 3> families{
      {{"BM_SolveCold", BM_SolveCold},
       {"BM_Refactor", BM_Refactor},
       {"BM_SolveAssembled", BM_SolveAssembled}}};
  for (const auto& [name, fn] : families) {
    auto* family = benchmark::RegisterBenchmark(name, fn);
    for (const Index n : sizes) family->Arg(n);
    family->Unit(benchmark::kMillisecond);
  }
  for (const char* backend : kBackends) {
    auto* family =
        benchmark::RegisterBenchmark((std::string("BM_SolveColdBackend/") + backend).c_str(),
                                     solve_cold_with, std::string(backend));
    for (const Index n : backend_sizes) family->Arg(n);
    family->Unit(benchmark::kMillisecond);
  }
  const std::array<std::pair<const char*, BackendPart>, 3> parts{
      {{"BM_Backend/", BackendPart::kBoth},
       {"BM_BackendFactor/", BackendPart::kFactor},
       {"BM_BackendSolve4/", BackendPart::kSolve}}};
  for (const auto& [prefix, part] : parts)
    for (const char* backend : kBackends) {
      auto* family = benchmark::RegisterBenchmark((std::string(prefix) + backend).c_str(),
                                                  run_backend, std::string(backend), part);
      for (const Index n : backend_sizes) family->Arg(n);
      family->Unit(benchmark::kMicrosecond);
    }
  return true;
}();

}  // namespace
