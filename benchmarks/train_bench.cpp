// One Coupled Learning training step on jammed 2D networks, paper 000's protocol (App. D):
// docs/benchmarks.md, section "Training".
//
// Network: graph::jammed_packing (d = 2, phi = 0.9, radius ratio 1.4, seed kNetworkSeed) of N
// particles; rattlers removed, so the network has somewhat fewer nodes than N (the counters
// report the actual nodes and edges). Every draw goes through core/random.hpp (the std::
// distributions are not portable). Initial conductances k0 ~ U[0.01, 1) from
// random::Engine(kConductanceSeed). Roles, chosen from the particle positions in the periodic
// box [0, L)^2: ground = the node nearest the box centre (L/2, L/2); sources S1, S2 = the nodes
// nearest (L/4, L/4) and (3L/4, 3L/4); targets T1, T2 = the nodes nearest (3L/4, L/4) and
// (L/4, 3L/4), each pick skipping nodes already chosen (the four corners of a periodic box are
// one point, so quarter points are used instead). Task: the ground as a fixed 0 V hold, the
// sources as held inputs (hold_input), the targets as node readouts (node_readout). Data: 112
// samples, inputs (V_S1, V_S2) ~ U[0, 1)^2 drawn row by row from random::Engine(kDataSeed) (000
// gives no range; this is learning::kInputLow000/High000), targets V_T = M V_S with 000 eq. (1),
// M = [[0.15, 0.3], [0.2, 0.1]]. Training: Coupled Learning, eta = 1e-2, alpha = 1e-4, MSE summed
// over the batch (000 sums), minibatches of 30 drawn without replacement (Trainer seed
// kTrainerSeed), k clipped to [1e-6, 1e6], training cost logged every 1000 steps.
//
// Families (benchmarks/compare_train.py reads the wall-clock real_time; one thread):
//   BM_TrainStep/N          one learning::Trainer::step() (one numeric factorisation, blocked
//                           refined solves of the 3 unit and 2 adjoint responses, the
//                           batch-independent CL update, batch draw, clipping). N = 300, 3000.
//   BM_TrainStepBatch/N/B   the same with minibatches of B = 1, 30, 1000, 30000 at N = 300, drawn
//                           from max(112, B) samples (the first 112 are the samples above).
//   BM_Protocol000/N        000's whole run at N = 300: Trainer::run() for 1e6 steps (or
//                           PLNET_BENCH_PROTOCOL_STEPS), Iterations(1); counters give the initial
//                           and final training cost (sum over the 112 samples).
// Setup (packing, model, trainer, first step) is outside every timed region. Buffer policy:
// glibc's default malloc; the Trainer allocates its batch and the rule's temporaries every step
// (what the library's users pay).
//
// Export hook: when PLNET_BENCH_EXPORT_DIR is set, each network is written when first built, every
// file through a temporary file and a rename (io::write_atomically):
//   jammed_<N>.txt          "# key value" header (nodes, edges, ground, sources, targets, alpha,
//                           eta, bounds, batch), then one "a b k0" line per edge ("%.17g");
//   jammed_<N>_samples.txt  one "u1 u2 t1 t2" line per sample;
//   jammed_<N>_step0.txt    "# batch i_1 .. i_30" (0-based rows of step 0's minibatch, in the
//                           Trainer's order), then one "dk k1" line per edge: the CL update
//                           -alpha * gradient_estimate at k0 for that batch, and k after the
//                           Trainer's first step.
// benchmarks/baseline/cl_scipy.py reproduces dk and k1 from the first two files.

#include <plnet/core/random.hpp>
#include <plnet/core/types.hpp>
#include <plnet/graph/generators.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/learning/loss.hpp>
#include <plnet/learning/responses.hpp>
#include <plnet/learning/rules.hpp>
#include <plnet/learning/task.hpp>
#include <plnet/learning/trainer.hpp>
#include <plnet/physics/model.hpp>

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
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using plnet::Index;
using plnet::Matrix;
using plnet::Vector;
namespace graph = plnet::graph;
namespace learning = plnet::learning;
namespace physics = plnet::physics;

constexpr std::uint64_t kNetworkSeed = 1;
constexpr std::uint64_t kConductanceSeed = 2;
constexpr std::uint64_t kDataSeed = 3;
constexpr std::uint64_t kTrainerSeed = 4;
constexpr Index kSamples = 112;  // 000 App. D: "112 pairs of voltages"
constexpr Index kBatch = 30;
constexpr double kAlpha = 1e-4;
constexpr double kEta = 1e-2;
constexpr double kLowerBound = 1e-6;
constexpr double kUpperBound = 1e6;
constexpr double kK0Low = 0.01;
constexpr double kK0High = 1.0;
constexpr Index kLogEvery = 1000;
constexpr Index kProtocolSteps = 1000000;
// A step count the benchmark loops never reach.
constexpr Index kEndless = std::numeric_limits<Index>::max() / 2;
// 000 eq. (1), row-major: V_T1 = 0.15 V_S1 + 0.3 V_S2, V_T2 = 0.2 V_S1 + 0.1 V_S2.
constexpr std::array<double, 4> kMap000{0.15, 0.3, 0.2, 0.1};

const bool kContextAdded = [] {
  benchmark::AddCustomContext("plnet_train_blas", plnet::bench::force_one_thread());
  benchmark::AddCustomContext("plnet_train_setup",
                              "jammed_packing d=2 phi=0.9 seed=1; k0 ~ U[0.01,1) seed=2; 112 "
                              "samples U[0,1)^2 seed=3, 000 eq. (1); CL alpha=1e-4 eta=1e-2, "
                              "batch 30, clip [1e-6,1e6], trainer seed=4");
  return true;
}();

/// The data of `count` samples: inputs U[0, 1)^2 drawn row by row, targets by 000 eq. (1).
learning::Batch samples(Index count) {
  plnet::random::Engine rng(kDataSeed);
  learning::Batch data;
  data.inputs.resize(count, 2);
  data.targets.resize(count, 2);
  for (Index s = 0; s < count; ++s) {
    data.inputs(s, 0) = plnet::random::uniform(rng);
    data.inputs(s, 1) = plnet::random::uniform(rng);
    for (Index o = 0; o < 2; ++o)
      data.targets(s, o) = kMap000[static_cast<std::size_t>(2 * o)] * data.inputs(s, 0) +
                           kMap000[static_cast<std::size_t>(2 * o + 1)] * data.inputs(s, 1);
  }
  return data;
}

/// The node nearest the point (fx L, fy L) of the box spanned by the positions, skipping `used`.
Index nearest_node(const graph::Network& net, double fx, double fy,
                   const std::vector<Index>& used) {
  const Matrix& p = net.positions();
  const double x = p.col(0).minCoeff() + fx * (p.col(0).maxCoeff() - p.col(0).minCoeff());
  const double y = p.col(1).minCoeff() + fy * (p.col(1).maxCoeff() - p.col(1).minCoeff());
  Index best = -1;
  double best_d2 = std::numeric_limits<double>::infinity();
  for (Index n = 0; n < net.num_nodes(); ++n) {
    if (std::find(used.begin(), used.end(), n) != used.end()) continue;
    const double d2 = (p(n, 0) - x) * (p(n, 0) - x) + (p(n, 1) - y) * (p(n, 1) - y);
    if (d2 < best_d2) {
      best_d2 = d2;
      best = n;
    }
  }
  return best;
}

/// One benchmark network with its task and data. Never moved: the Trainer and Responses keep
/// pointers to `model` and `task`.
struct Case {
  Index particles = 0;
  graph::Network net;
  physics::LinearModel model;
  learning::Task task;
  Index ground = -1;
  std::array<Index, 2> sources{};
  std::array<Index, 2> targets{};
  Vector k0;
};

learning::Loss mse_sum() {
  learning::Loss loss;
  loss.kind = learning::LossKind::kMse;
  loss.reduction = learning::Reduction::kSum;
  return loss;
}

learning::RuleOptions coupled() {
  learning::RuleOptions rule;
  rule.kind = learning::RuleKind::kCoupled;
  rule.nudge = kEta;
  return rule;
}

learning::ProtocolOptions protocol(Index steps, Index batch, learning::BatchMode mode) {
  learning::ProtocolOptions p;
  p.learning_rate = kAlpha;
  p.steps = steps;
  p.batch_mode = mode;
  p.batch_size = batch;
  p.bounds = learning::Bounds{kLowerBound, kUpperBound};
  p.log_every = kLogEvery;
  p.seed = kTrainerSeed;
  return p;
}

std::unique_ptr<learning::Trainer> make_trainer(
    const Case& c, learning::Batch train, Index batch, Index steps,
    learning::BatchMode mode = learning::BatchMode::kMinibatch) {
  return std::make_unique<learning::Trainer>(c.model, c.task, std::move(train), learning::Batch{},
                                             mse_sum(), coupled(), protocol(steps, batch, mode),
                                             c.k0);
}

/// The rows of Trainer::draw_batch's first minibatch: a partial Fisher-Yates shuffle driven by
/// the trainer's generator and random::uniform_index, replayed here (export_step0 checks it
/// against the Trainer itself and refuses to export if the two differ).
std::vector<Index> first_batch_rows(Index samples_count, Index batch) {
  plnet::random::Engine rng(kTrainerSeed);
  std::vector<Index> order(static_cast<std::size_t>(samples_count));
  std::iota(order.begin(), order.end(), Index{0});
  for (Index i = 0; i < batch; ++i) {
    const Index j = i + plnet::random::uniform_index(rng, samples_count - i);
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  order.resize(static_cast<std::size_t>(batch));
  return order;
}

void write_line(std::ostream& out, const char* format, double a, double b) {
  std::array<char, 96> line{};
  const int len = std::snprintf(line.data(), line.size(), format, a, b);
  out.write(line.data(), len);
}

void export_network(const std::string& stem, const Case& c, const learning::Batch& data) {
  plnet::io::write_atomically(stem + ".txt", [&](std::ostream& out) {
    out << "# network jammed_packing d=2 particles=" << c.particles
        << " phi=0.9 seed=" << kNetworkSeed << " k0=U[0.01,1) seed=" << kConductanceSeed
        << "\n# nodes " << c.net.num_nodes() << "\n# edges " << c.net.num_edges() << "\n# ground "
        << c.ground << "\n# sources " << c.sources[0] << " " << c.sources[1] << "\n# targets "
        << c.targets[0] << " " << c.targets[1] << "\n# alpha " << kAlpha << "\n# eta " << kEta
        << "\n# bounds " << kLowerBound << " " << kUpperBound << "\n# batch " << kBatch << "\n";
    for (Index e = 0; e < c.net.num_edges(); ++e) {
      std::array<char, 96> line{};
      const auto& edge = c.net.edge(e);
      const int len =
          std::snprintf(line.data(), line.size(), "%lld %lld %.17g\n",
                        static_cast<long long>(edge.a), static_cast<long long>(edge.b), c.k0[e]);
      out.write(line.data(), len);
    }
  });
  plnet::io::write_atomically(stem + "_samples.txt", [&](std::ostream& out) {
    out << "# u1 u2 t1 t2 (000 eq. 1)\n";
    for (Index s = 0; s < data.size(); ++s) {
      write_line(out, "%.17g %.17g ", data.inputs(s, 0), data.inputs(s, 1));
      write_line(out, "%.17g %.17g\n", data.targets(s, 0), data.targets(s, 1));
    }
  });
}

/// Step 0 of the benchmark's Trainer, cross-checked three ways before it is written: the
/// minibatch Trainer, a full-batch Trainer on the replayed rows, and -alpha * gradient_estimate
/// clipped must give the same k1 bit for bit.
void export_step0(const std::string& stem, const Case& c, const learning::Batch& data) {
  const std::vector<Index> rows = first_batch_rows(data.size(), kBatch);
  learning::Batch batch;
  batch.inputs.resize(kBatch, 2);
  batch.targets.resize(kBatch, 2);
  for (Index r = 0; r < kBatch; ++r) {
    batch.inputs.row(r) = data.inputs.row(rows[static_cast<std::size_t>(r)]);
    batch.targets.row(r) = data.targets.row(rows[static_cast<std::size_t>(r)]);
  }
  auto minibatch = make_trainer(c, data, kBatch, 1);
  minibatch->step();
  auto full = make_trainer(c, batch, kBatch, 1, learning::BatchMode::kFull);
  full->step();
  learning::Responses responses(c.model, c.task);
  responses.update(c.k0);
  const Vector dk = -kAlpha * learning::gradient_estimate(responses, batch, mse_sum(), coupled());
  const Vector k1 = (c.k0 + dk).cwiseMax(kLowerBound).cwiseMin(kUpperBound);
  if (minibatch->parameters() != full->parameters() || full->parameters() != k1)
    throw std::runtime_error(
        "train_bench export: the replayed first minibatch does not reproduce Trainer::step() "
        "(Trainer::draw_batch changed?)");
  plnet::io::write_atomically(stem + "_step0.txt", [&](std::ostream& out) {
    out << "# batch";
    for (Index r : rows) out << " " << r;
    out << "\n# dk k1 per edge: dk = -alpha * gradient_estimate(k0, batch), k1 = Trainer step 0\n";
    for (Index e = 0; e < dk.size(); ++e) write_line(out, "%.17g %.17g\n", dk[e], k1[e]);
  });
}

Case& network_case(Index particles) {
  static std::map<Index, std::unique_ptr<Case>> cache;
  auto& slot = cache[particles];
  if (slot) return *slot;
  graph::JammedOptions options;
  options.num_particles = particles;
  options.dimension = 2;
  options.seed = kNetworkSeed;
  auto c = std::make_unique<Case>();
  c->particles = particles;
  const graph::Network packing = graph::jammed_packing(options);
  plnet::random::Engine rng(kConductanceSeed);
  Vector k0(packing.num_edges());
  for (Index e = 0; e < k0.size(); ++e) k0[e] = plnet::random::uniform(rng, kK0Low, kK0High);
  c->net = packing.with_conductances(k0);
  c->k0 = std::move(k0);
  c->model = physics::resistor_model(c->net);
  std::vector<Index> used;
  used.push_back(c->ground = nearest_node(c->net, 0.5, 0.5, used));
  used.push_back(c->sources[0] = nearest_node(c->net, 0.25, 0.25, used));
  used.push_back(c->sources[1] = nearest_node(c->net, 0.75, 0.75, used));
  used.push_back(c->targets[0] = nearest_node(c->net, 0.75, 0.25, used));
  used.push_back(c->targets[1] = nearest_node(c->net, 0.25, 0.75, used));
  c->task.fixed.hold(c->ground, 0.0);
  c->task.inputs = {learning::hold_input(c->sources[0], "S1"),
                    learning::hold_input(c->sources[1], "S2")};
  c->task.outputs = {learning::node_readout(c->targets[0], "T1"),
                     learning::node_readout(c->targets[1], "T2")};
  c->task.validate(c->model);
  if (const char* dir = std::getenv("PLNET_BENCH_EXPORT_DIR"); dir != nullptr && *dir != '\0') {
    const std::string stem = std::string(dir) + "/jammed_" + std::to_string(particles);
    const learning::Batch data = samples(kSamples);
    export_network(stem, *c, data);
    export_step0(stem, *c, data);
  }
  slot = std::move(c);
  return *slot;
}

void set_counters(benchmark::State& state, const Case& c, const learning::Trainer& trainer,
                  Index batch, Index train_size) {
  state.counters["nodes"] = static_cast<double>(c.net.num_nodes());
  state.counters["edges"] = static_cast<double>(c.net.num_edges());
  state.counters["free"] = static_cast<double>(trainer.responses().response().reduced().size());
  state.counters["batch"] = static_cast<double>(batch);
  state.counters["samples"] = static_cast<double>(train_size);
  state.SetLabel(trainer.responses().response().backend_name());
}

void run_steps(benchmark::State& state, Index batch) {
  const Case& c = network_case(state.range(0));
  const Index train_size = std::max(kSamples, batch);
  auto trainer = make_trainer(c, samples(train_size), batch, kEndless);
  trainer->step();  // step 0 also logs the initial cost: keep it out of the timed loop
  for (auto _ : state) {
    benchmark::DoNotOptimize(trainer->step());
    benchmark::ClobberMemory();
  }
  set_counters(state, c, *trainer, batch, train_size);
}

void BM_TrainStep(benchmark::State& state) {
  run_steps(state, kBatch);
}

void BM_TrainStepBatch(benchmark::State& state) {
  run_steps(state, state.range(1));
}

Index protocol_steps() {
  const char* env = std::getenv("PLNET_BENCH_PROTOCOL_STEPS");
  if (env == nullptr || *env == '\0') return kProtocolSteps;
  char* stop = nullptr;
  const long long value = std::strtoll(env, &stop, 10);
  if (stop == env || *stop != '\0' || value < 1) {
    std::fprintf(stderr, "PLNET_BENCH_PROTOCOL_STEPS: ignoring '%s' (need an integer >= 1)\n", env);
    return kProtocolSteps;
  }
  return static_cast<Index>(value);
}

void BM_Protocol000(benchmark::State& state) {
  const Case& c = network_case(state.range(0));
  const Index steps = protocol_steps();
  std::unique_ptr<learning::Trainer> trainer;
  for (auto _ : state) {
    state.PauseTiming();
    trainer = make_trainer(c, samples(kSamples), kBatch, steps);
    state.ResumeTiming();
    trainer->run();
  }
  const auto& log = trainer->state().log;
  set_counters(state, c, *trainer, kBatch, kSamples);
  state.counters["steps"] = static_cast<double>(trainer->state().step);
  state.counters["cost_initial"] = log.empty() ? -1.0 : log.front().train_cost;
  state.counters["cost_final"] = log.empty() ? -1.0 : log.back().train_cost;
  state.counters["k_min"] = trainer->parameters().minCoeff();
  state.counters["k_max"] = trainer->parameters().maxCoeff();
}

BENCHMARK(BM_TrainStep)->Arg(300)->Arg(3000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TrainStepBatch)
    ->ArgsProduct({{300}, {1, 30, 1000, 30000}})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Protocol000)->Arg(300)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

}  // namespace
