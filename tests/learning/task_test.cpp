// The input gain (004's gamma, eq. 20; a held or edge-source channel's coefficient, set for
// every channel by [task] input_gain): a sample's input u enters the network as gamma u. Checked
// against an independent dense solve of an edge-source circuit, finite differences of the cost, and
// the experiment file's validation.
#include <plnet/learning/experiment.hpp>
#include <plnet/learning/rules.hpp>
#include <plnet/physics/cycle_space.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/reference.hpp"

namespace plnet::learning {
namespace {

struct Circuit {
  graph::Network net;
  physics::LinearModel model;
  Task task;
  Batch batch;
  std::vector<Index> in_edges, out_edges;
};

Circuit gained_circuit(double gain) {
  std::mt19937_64 rng(21);
  Circuit c{testing::random_connected_network(14, 16, 0.4, rng), {}, {}, {}, {}, {}};
  c.model = physics::resistor_model(c.net);
  c.task.fixed.hold(0, 0.0);
  const auto tree = physics::spanning_forest_edges(c.net);
  std::vector<bool> in_tree(static_cast<std::size_t>(c.net.num_edges()), false);
  for (Index e : tree) in_tree[static_cast<std::size_t>(e)] = true;
  std::vector<Index> off;  // edges on independent cycles, so every source drives current
  for (Index e = 0; e < c.net.num_edges(); ++e)
    if (!in_tree[static_cast<std::size_t>(e)]) off.push_back(e);
  c.in_edges = {off[0], off[1]};
  c.out_edges = {off[2], off[3]};
  c.task.inputs = {edge_source_input(c.in_edges[0]), edge_source_input(c.in_edges[1])};
  for (auto& in : c.task.inputs) in.coefficients = {gain};
  c.task.outputs = {edge_readout(c.model, c.out_edges[0]), edge_readout(c.model, c.out_edges[1])};
  c.batch.inputs = Matrix::Random(6, 2);
  c.batch.targets = 3.0 * Matrix::Random(6, 2);
  return c;
}

TEST(InputGain, OutputsAreTheDenseSolveWithSourcesGammaTimesTheInputs) {
  const double gain = 7.5;
  const Circuit c = gained_circuit(gain);
  Responses r(c.model, c.task);
  r.update(c.net.conductances());
  const Matrix y = r.outputs(c.batch.inputs);
  for (Index s = 0; s < c.batch.size(); ++s) {
    Vector src = Vector::Zero(c.net.num_edges());
    for (Index j = 0; j < 2; ++j)
      src[c.in_edges[static_cast<std::size_t>(j)]] = gain * c.batch.inputs(s, j);
    const Vector drops = testing::dense_series_source_drops(c.net, c.net.conductances(), src);
    for (Index o = 0; o < 2; ++o)
      // Sparse double vs dense long double solve on conductances within 0.8 decades: ~1e-14.
      EXPECT_NEAR(y(s, o), drops[c.out_edges[static_cast<std::size_t>(o)]],
                  1e-11 * drops.lpNorm<Eigen::Infinity>())
          << "sample " << s << " output " << o;
  }
}

TEST(InputGain, ExactAndProjectorGradientsAreThoseOfTheGainedCost) {
  const double gain = 4.0;
  const Circuit c = gained_circuit(gain);
  const Loss loss{LossKind::kMse, Reduction::kSum};
  const Vector k = c.net.conductances();
  // The cost from the independent dense solve: sum_s 1/2 |P_o v_s - t_s|^2.
  auto cost = [&](const Vector& kk) {
    double total = 0.0;
    for (Index s = 0; s < c.batch.size(); ++s) {
      Vector src = Vector::Zero(c.net.num_edges());
      for (Index j = 0; j < 2; ++j)
        src[c.in_edges[static_cast<std::size_t>(j)]] = gain * c.batch.inputs(s, j);
      const Vector drops = testing::dense_series_source_drops(c.net, kk, src);
      for (Index o = 0; o < 2; ++o) {
        const double d = drops[c.out_edges[static_cast<std::size_t>(o)]] - c.batch.targets(s, o);
        total += 0.5 * d * d;
      }
    }
    return total;
  };
  Vector fd(k.size());
  for (Index i = 0; i < k.size(); ++i) {
    const double h = 1e-5 * k[i];
    Vector kp = k, km = k;
    kp[i] += h;
    km[i] -= h;
    fd[i] = (cost(kp) - cost(km)) / (2.0 * h);
  }
  Responses r(c.model, c.task);
  r.update(k);
  RuleOptions exact;
  exact.kind = RuleKind::kExact;
  const Vector dcdk = gradient_estimate(r, c.batch, loss, exact);
  // Central differences, relative step 1e-5: truncation ~1e-10, round-off of the long double
  // cost ~1e-19 / 1e-5: agreement to 1e-7 of the gradient's size.
  EXPECT_LT((dcdk - fd).norm(), 1e-7 * fd.norm());
  // 004's projector gradient (dense Omega, resistance space) is -k^2 dC/dk with the same gain.
  const Vector dcdr = projector_gradient(c.net, k, c.task, c.batch, loss);
  EXPECT_LT((dcdr + k.cwiseAbs2().cwiseProduct(fd)).norm(), 1e-7 * dcdr.norm());
}

std::string gain_experiment(const std::string& task_extra, const std::string& data_extra) {
  return R"(
[network]
generator = "nanowires"
wires = 100
stick_length = 0.2
seed = 4
model = "resistor"
[parameters]
init = "constant"
value = 1.0
[task]
ground = [0]
edge_inputs = 2
edge_outputs = 2
)" + task_extra +
         R"(
[data]
kind = "noisy_linear"
outputs = 2
inputs = 2
samples = 5
noise_sd = 0.0
)" + data_extra +
         R"(
[loss]
kind = "mse"
[rule]
kind = "exact"
[protocol]
steps = 1
batch = "full"
)";
}

std::string error_of(const std::string& text) {
  try {
    (void)parse_experiment(text, "g.toml", ".");
  } catch (const std::invalid_argument& ex) {
    return ex.what();
  }
  return {};
}

TEST(InputGain, ExperimentKeyScalesTheNetworkInputsNotTheData) {
  const auto plain = parse_experiment(gain_experiment("", ""), "g.toml", ".");
  const auto gained = parse_experiment(gain_experiment("input_gain = 20.0", ""), "g.toml", ".");
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_EQ(plain.task.inputs[j].coefficients, std::vector<double>{1.0});
    EXPECT_EQ(gained.task.inputs[j].coefficients, std::vector<double>{20.0});
  }
  EXPECT_EQ(plain.train.inputs, gained.train.inputs);  // the data are unchanged
  Responses rp(*plain.model, plain.task), rg(*gained.model, gained.task);
  rp.update(plain.initial_parameters);
  rg.update(gained.initial_parameters);
  // Linear response without fixed sources: outputs scale exactly with the gain (1e-13: one
  // rounding per entry of two independent factorisations of the same matrix).
  const Matrix yp = rp.outputs(plain.train.inputs), yg = rg.outputs(gained.train.inputs);
  EXPECT_LT((yg - 20.0 * yp).norm(), 1e-13 * yg.norm());
  ASSERT_GT(yp.norm(), 0.0);
}

TEST(InputGain, BadGainIsOneLineNamingTheKey) {
  for (const std::string bad : {"0.0", "-2.0", "nan", "inf"}) {
    const std::string what = error_of(gain_experiment("input_gain = " + bad, ""));
    EXPECT_NE(what.find("g.toml: line"), std::string::npos) << what;
    EXPECT_NE(what.find("task.input_gain"), std::string::npos) << what;
    EXPECT_NE(what.find("finite"), std::string::npos) << what;
  }
  const std::string moved = error_of(gain_experiment("", "input_gain = 2.0"));
  EXPECT_NE(moved.find("data.input_gain"), std::string::npos) << moved;
  EXPECT_NE(moved.find("[task] key"), std::string::npos) << moved;
  Task task;
  const auto model = physics::resistor_model(graph::Network(3, {{0, 1}, {1, 2}}));
  task.fixed.hold(0, 0.0);
  task.inputs = {hold_input(1)};
  task.outputs = {node_readout(2)};
  task.inputs[0].coefficients = {std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THROW(task.validate(model), std::invalid_argument);
  task.inputs[0].coefficients = {2.0, 3.0};
  EXPECT_THROW(task.validate(model), std::invalid_argument);
  task.inputs[0].coefficients = {3.0};
  const auto bc = task.conditions(Vector::Constant(1, 0.5));
  ASSERT_EQ(bc.holds.size(), 2u);
  EXPECT_EQ(bc.holds[1].value, 1.5);  // the held value is gain x input
}

}  // namespace
}  // namespace plnet::learning
