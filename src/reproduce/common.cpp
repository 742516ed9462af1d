// Shared pieces of the reproductions.
#include "common.hpp"

#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <sstream>

namespace plnet::reproduce::detail {

TrainedRun train(const learning::Experiment& e, const Context& context, const std::string& name) {
  learning::Trainer trainer(*e.model, e.task, e.train, e.test, e.loss, e.rule, e.protocol,
                            e.initial_parameters, e.solve);
  const auto start = std::chrono::steady_clock::now();
  const Index total = e.protocol.steps;
  const Index report = std::max<Index>(1, total / 10);
  while (trainer.step()) {
    const Index step = trainer.state().step;
    if (step % report == 0 && !trainer.state().log.empty()) {
      std::ostringstream line;
      line << name << ": step " << step << "/" << total << ", cost "
           << trainer.state().log.back().train_cost;
      context.log(line.str());
    }
  }
  // A run that lost positive definiteness is not a trained network: callers that count it as
  // a failed trial (R12) catch this.
  require(trainer.status() != learning::TrainStatus::kNotPositiveDefinite, name,
          trainer.status_message());
  return finished_run(
      trainer, e.initial_parameters,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

TrainedRun finished_run(learning::Trainer& trainer, Vector initial, double seconds) {
  TrainedRun run;
  run.initial = std::move(initial);
  run.seconds = seconds;
  run.final = trainer.parameters();
  run.steps = trainer.state().step;
  run.log = trainer.state().log;
  learning::LogRow last = trainer.evaluate();
  last.step = run.steps;
  if (run.log.empty() || run.log.back().step != last.step) run.log.push_back(last);
  return run;
}

void write_training(io::H5Writer& out, const std::string& group, const learning::Experiment& e,
                    const TrainedRun& run) {
  const auto& net = e.network;
  const std::string length = "length (the network's units)";
  if (net.has_positions())
    out.write(group + "/network/positions", net.positions(),
              {"Position of each node.", length, "node, coordinate"});
  if (net.is_periodic())
    out.write(group + "/network/box", net.box(),
              {"Side lengths of the periodic box.", length, "coordinate"});
  io::IndexMatrix edges(net.num_edges(), 2);
  for (Index i = 0; i < net.num_edges(); ++i) edges.row(i) << net.edge(i).a, net.edge(i).b;
  out.write(group + "/network/edges", edges,
            {"The two end nodes (a, b) of each edge; edge i carries parameter i.", "index (node)",
             "edge, end"});
  std::vector<Index> inputs, outputs, held;
  for (const auto& c : e.task.inputs)
    if (c.kind == learning::InputKind::kHold)
      inputs.insert(inputs.end(), c.targets.begin(), c.targets.end());
  for (const auto& o : e.task.outputs) outputs.insert(outputs.end(), o.dofs.begin(), o.dofs.end());
  for (const auto& h : e.task.fixed.holds) held.push_back(h.dof);
  out.write(group + "/task/inputs", inputs,
            {"Nodes held at the sample's input values (voltage-source inputs).", "index (node)",
             "input node"});
  out.write(group + "/task/outputs", outputs,
            {"Nodes read by the outputs (both nodes of a difference output).", "index (node)",
             "output node"});
  out.write(group + "/task/held", held,
            {"Nodes held at the same value in every sample (ground and constant sources).",
             "index (node)", "held node"});
  const std::string parameter = "S (conductance), or stiffness for a spring network";
  out.write(group + "/parameters/initial", run.initial,
            {"Learning parameters before training.", parameter, "edge"});
  out.write(group + "/parameters/final", run.final,
            {"Learning parameters after training.", parameter, "edge"});
  const auto n = static_cast<Index>(run.log.size());
  std::vector<Index> step;
  Vector train_cost(n), train_acc(n), test_cost(n), test_acc(n);
  for (Index k = 0; k < n; ++k) {
    const auto& row = run.log[static_cast<std::size_t>(k)];
    step.push_back(row.step);
    train_cost(k) = row.train_cost;
    train_acc(k) = row.train_accuracy;
    test_cost(k) = row.test_cost;
    test_acc(k) = row.test_accuracy;
  }
  const std::string loss = "1 (loss, squared output units for mse)";
  out.write(group + "/log/step", step,
            {"Training step of each log row (costs before that step's update).", "step", "row"});
  out.write(group + "/log/train_cost", train_cost,
            {"Loss over the training samples.", loss, "row"});
  out.write(group + "/log/train_accuracy", train_acc,
            {"Fraction of training samples classified right; -1 without labels.", "1", "row"});
  out.write(group + "/log/test_cost", test_cost,
            {"Loss over the test samples; -1 without a test set.", loss, "row"});
  out.write(
      group + "/log/test_accuracy", test_acc,
      {"Fraction of test samples classified right; -1 without labels or test set.", "1", "row"});
  learning::Responses responses(*e.model, e.task, e.solve);
  responses.update(run.final);
  const std::string state = "V (or the model's state units)";
  out.write(group + "/train/inputs", e.train.inputs,
            {"Input values of each training sample.", state, "sample, input"});
  out.write(group + "/train/targets", e.train.targets,
            {"Desired outputs of each training sample.", state, "sample, output"});
  out.write(group + "/train/outputs", responses.outputs(e.train.inputs),
            {"Outputs of the trained network for each training sample.", state, "sample, output"});
  if (e.test.size() > 0) {
    out.write(group + "/test/inputs", e.test.inputs,
              {"Input values of each test sample.", state, "sample, input"});
    out.write(group + "/test/targets", e.test.targets,
              {"Desired outputs of each test sample.", state, "sample, output"});
    out.write(group + "/test/outputs", responses.outputs(e.test.inputs),
              {"Outputs of the trained network for each test sample.", state, "sample, output"});
  }
}

double plain_mse(const Matrix& outputs, const Matrix& targets) {
  require(outputs.rows() == targets.rows() && outputs.cols() == targets.cols(), "plain_mse",
          "outputs and targets differ in shape");
  require(outputs.size() > 0, "plain_mse", "no samples");
  return (outputs - targets).array().square().mean();
}

double winner_take_all_accuracy(const Matrix& outputs, const Matrix& targets) {
  require(outputs.rows() == targets.rows() && outputs.cols() == targets.cols(),
          "winner_take_all_accuracy", "outputs and targets differ in shape");
  require(outputs.rows() > 0, "winner_take_all_accuracy", "no samples");
  Index right = 0;
  for (Index s = 0; s < outputs.rows(); ++s) {
    Index y = 0, t = 0;
    outputs.row(s).maxCoeff(&y);
    targets.row(s).maxCoeff(&t);
    right += y == t ? 1 : 0;
  }
  return static_cast<double>(right) / static_cast<double>(outputs.rows());
}

double pearson(const Vector& a, const Vector& b) {
  require(a.size() == b.size() && a.size() > 1, "pearson", "need two vectors of equal length >= 2");
  const Vector da = a.array() - a.mean();
  const Vector db = b.array() - b.mean();
  const double denom = da.norm() * db.norm();
  if (denom == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return da.dot(db) / denom;
}

namespace {
Vector ranks(const Vector& v) {
  std::vector<Index> order(static_cast<std::size_t>(v.size()));
  std::iota(order.begin(), order.end(), Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Index i, Index j) { return v(i) < v(j); });
  Vector r(v.size());
  for (std::size_t k = 0; k < order.size();) {
    std::size_t end = k;
    while (end + 1 < order.size() && v(order[end + 1]) == v(order[k])) ++end;
    const double mean_rank = 0.5 * static_cast<double>(k + end);
    for (std::size_t q = k; q <= end; ++q) r(order[q]) = mean_rank;
    k = end + 1;
  }
  return r;
}
}  // namespace

double spearman(const Vector& a, const Vector& b) {
  return pearson(ranks(a), ranks(b));
}

learning::Experiment redrawn_experiment(const Config& config, std::uint64_t seed,
                                        const std::string& variant, const std::string& reason) {
  for (std::uint64_t attempt = 0;; ++attempt) {
    const std::uint64_t s = attempt == 0 ? seed : random::derive_seed(seed, attempt);
    try {
      return variant.empty() ? config.experiment(s) : config.experiment(s, variant);
    } catch (const std::invalid_argument& error) {
      if (attempt >= 20 || std::string(error.what()).find(reason) == std::string::npos) throw;
    }
  }
}

learning::Experiment experiment_with_io_edges(const Config& config, std::uint64_t seed,
                                              const std::string& variant) {
  return redrawn_experiment(config, seed, variant, "choose_io_edges");
}

std::vector<double> number_list(const Config& config, const std::string& key,
                                const std::string& fallback) {
  std::istringstream words(config.text(key, fallback));
  std::vector<double> values;
  std::string word;
  while (words >> word) {
    std::size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    require(used == word.size() && std::isfinite(value), config.path(), "reproduce.", key,
            ": need numbers separated by spaces (got '", word, "')");
    values.push_back(value);
  }
  return values;
}

double median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::string text(double x) {
  std::ostringstream s;
  s.precision(3);
  s << x;
  return s.str();
}

std::unique_ptr<Config> sibling_config(const Config& config, const RunOptions& options,
                                       const std::string& file,
                                       const std::vector<std::string>& extra) {
  const std::filesystem::path path = std::filesystem::path(config.path()).parent_path() / file;
  require(std::filesystem::exists(path), config.path(), "reproduce: no config '", path.string(),
          "' next to this one");
  std::vector<std::string> overrides;
  for (const std::string& o : options.overrides)
    if (o.rfind("reproduce.", 0) != 0) overrides.push_back(o);
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return std::make_unique<Config>(path.string(), config.quick(), overrides);
}

Spectrum descending_spectrum(const Matrix& h, const std::string& where) {
  Eigen::SelfAdjointEigenSolver<Matrix> solver(h);
  require(solver.info() == Eigen::Success, where, "symmetric eigensolver failed");
  Spectrum s;
  s.values = solver.eigenvalues().reverse();
  s.vectors = solver.eigenvectors().rowwise().reverse();
  return s;
}

double log_gap(const Vector& descending, Index k) {
  return std::log10(std::max(descending(k), 1e-300) / std::max(descending(k + 1), 1e-300));
}

Index count_above_largest_gap(const Vector& descending, Index window) {
  window = std::min(window, descending.size());
  Index largest = 0;
  for (Index k = 1; k + 1 < window; ++k)
    if (log_gap(descending, k) > log_gap(descending, largest)) largest = k;
  return largest + 1;
}

double log_log_slope(const Vector& x, const Vector& y) {
  std::vector<double> lx, ly;
  for (Index k = 0; k < x.size(); ++k)
    if (y[k] > 0.0) {
      lx.push_back(std::log(x[k]));
      ly.push_back(std::log(y[k]));
    }
  if (lx.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double n = static_cast<double>(lx.size());
  double mx = 0.0, my = 0.0;
  for (std::size_t k = 0; k < lx.size(); ++k) mx += lx[k] / n, my += ly[k] / n;
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t k = 0; k < lx.size(); ++k) {
    sxy += (lx[k] - mx) * (ly[k] - my);
    sxx += (lx[k] - mx) * (lx[k] - mx);
  }
  return sxy / sxx;
}

}  // namespace plnet::reproduce::detail
