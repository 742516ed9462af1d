// plnet inspect: the quantities one training step uses, as JSON, for a given experiment and
// parameters: free states, outputs, cost, exact gradient, the rule's estimate and update, and
// the clamped (coupled) or nudged (equilibrium) states. For scripting and cross-checks.
#include "common.hpp"

#include <plnet/core/error.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/io/hdf5.hpp>
#include <plnet/learning/experiment.hpp>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <iostream>

namespace plnet::cli {
namespace {

struct InspectCommand {
  std::string experiment;
  std::string parameters;  // run.h5 (final parameters) or a text file of numbers; "" = initial
  std::string samples;     // "0,3,5" or "" for the whole training set
  std::string output;
};

std::vector<double> to_std(const Vector& v) {
  return {v.data(), v.data() + v.size()};
}

nlohmann::json columns(const Matrix& m) {
  nlohmann::json out = nlohmann::json::array();
  for (Index c = 0; c < m.cols(); ++c) out.push_back(to_std(m.col(c)));
  return out;
}

// Every error names the file: its format, its length and values the model cannot take.
Vector load_parameters(const std::string& path, const physics::LinearModel& model) {
  const Index expected = model.num_parameters();
  Vector w;
  if (std::filesystem::path(path).extension() == ".h5") {
    w = io::H5Reader(path).read_vector("/parameters/final");
  } else {
    std::istringstream in(io::read_text_file(path));
    std::vector<double> values;
    for (double v; in >> v;) values.push_back(v);
    require(in.eof(), path, "not a list of numbers");
    w = Eigen::Map<Vector>(values.data(), static_cast<Index>(values.size()));
  }
  require(w.size() == expected, path, "wrong number of parameters (got ", w.size(), ", need ",
          expected, ")");
  // Conductances and stiffnesses are positive; a node network's couplings are signed.
  const bool signed_values = model.kind() == physics::ModelKind::kNode;
  for (Index i = 0; i < w.size(); ++i)
    require(std::isfinite(w[i]) && (signed_values || w[i] > 0), path, "parameter ", i,
            signed_values ? " must be finite" : " must be finite and > 0", " (got ", w[i], ")");
  return w;
}

void run(const InspectCommand& cmd) {
  learning::Experiment e = learning::load_experiment(cmd.experiment);
  {
    std::vector<io::InputFile> inputs{{cmd.experiment, "experiment"},
                                      {cmd.parameters, "parameter file"}};
    for (const auto& f : e.input_files) inputs.push_back({f, "input file"});
    check_output(cmd.output, inputs);
  }
  const Vector w =
      cmd.parameters.empty() ? e.initial_parameters : load_parameters(cmd.parameters, *e.model);
  learning::Batch batch = e.train;
  if (!cmd.samples.empty()) {
    std::vector<Index> rows;
    std::stringstream in(cmd.samples);
    for (std::string part; std::getline(in, part, ',');) {
      Index v = -1;
      const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
      require(ec == std::errc() && p == part.data() + part.size() && v >= 0 && v < e.train.size(),
              "--samples", "'", part, "' is not a sample index (need 0 <= index < ", e.train.size(),
              ")");
      rows.push_back(v);
    }
    learning::Batch b;
    b.inputs.resize(static_cast<Index>(rows.size()), batch.inputs.cols());
    b.targets.resize(static_cast<Index>(rows.size()), batch.targets.cols());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      b.inputs.row(static_cast<Index>(k)) = batch.inputs.row(rows[k]);
      b.targets.row(static_cast<Index>(k)) = batch.targets.row(rows[k]);
      if (!batch.labels.empty())
        b.labels.push_back(batch.labels[static_cast<std::size_t>(rows[k])]);
    }
    batch = b;
  }
  learning::Responses r(*e.model, e.task, e.solve);
  r.update(w);
  const Matrix outputs = r.outputs(batch.inputs);
  const Matrix states = r.states(batch.inputs);
  const Vector exact = learning::gradient_estimate(r, batch, e.loss, {learning::RuleKind::kExact});
  const Vector estimate = learning::gradient_estimate(r, batch, e.loss, e.rule);
  const bool resistance = e.protocol.learn == learning::Parametrization::kResistance;
  const Vector grad_theta = resistance ? Vector(-w.cwiseAbs2().cwiseProduct(estimate)) : estimate;

  nlohmann::json j;
  j["parameters"] = to_std(w);
  j["samples"] = batch.size();
  j["free_states"] = columns(states);
  j["outputs"] = columns(outputs.transpose());
  j["cost"] = learning::batch_cost(r, batch, e.loss);
  j["exact_gradient"] = to_std(exact);
  j["rule"] = learning::to_string(e.rule.kind);
  j["estimate"] = to_std(estimate);
  j["learned"] = learning::to_string(e.protocol.learn);
  j["update"] = to_std(-e.protocol.learning_rate * grad_theta);  // before noise, masks, clipping
  // The second state of two-phase rules, per sample, from the same responses.
  Matrix second(states.rows(), states.cols());
  const Index no = e.task.num_outputs();
  for (Index s = 0; s < batch.size(); ++s) {
    const Vector y = outputs.row(s).transpose();
    const Vector t = batch.targets.row(s).transpose();
    const Index label = batch.labels.empty() ? -1 : batch.labels[static_cast<std::size_t>(s)];
    if (e.rule.kind == learning::RuleKind::kCoupled) {
      // clamp every constrained output at y - eta dc/dy: x^C = x^F + Lambda_a S_aa^-1 delta
      std::vector<Index> a;
      for (Index o = 0; o < no; ++o)
        if (!std::isnan(t[o])) a.push_back(o);
      const Vector shift = learning::coupled_clamp_shift(e.loss, y, t, label, e.rule.nudge);
      Matrix saa(static_cast<Index>(a.size()), static_cast<Index>(a.size()));
      Matrix la(states.rows(), static_cast<Index>(a.size()));
      Vector delta(static_cast<Index>(a.size()));
      for (std::size_t p = 0; p < a.size(); ++p) {
        la.col(static_cast<Index>(p)) = r.adjoint_states().col(a[p]);
        delta[static_cast<Index>(p)] = shift[a[p]];
        for (std::size_t q = 0; q < a.size(); ++q)
          saa(static_cast<Index>(p), static_cast<Index>(q)) = r.schur()(a[p], a[q]);
      }
      second.col(s) = states.col(s) + la * saa.ldlt().solve(delta);
    } else {
      const double beta = std::pow(e.rule.nudge, e.rule.order);
      second.col(s) = states.col(s) - beta * r.adjoint_states() * e.loss.gradient(y, t, label);
    }
  }
  if (e.rule.kind == learning::RuleKind::kCoupled)
    j["clamped_states"] = columns(second);
  else if (e.rule.kind == learning::RuleKind::kEquilibrium &&
           e.rule.nudge_kind == learning::NudgeKind::kForce)
    j["nudged_states"] = columns(second);
  write_output(cmd.output, j.dump(2) + "\n");
}

}  // namespace

void register_inspect(CLI::App& app) {
  auto cmd = std::make_shared<InspectCommand>();
  auto* sub = app.add_subcommand(
      "inspect", "Free/clamped states, outputs, gradient and update of one step, as JSON");
  sub->add_option("experiment", cmd->experiment, "Experiment TOML file")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--parameters", cmd->parameters,
                  "run.h5 (its final parameters) or a text file of numbers")
      ->check(CLI::ExistingFile);
  sub->add_option("--samples", cmd->samples, "Training samples to use, e.g. 0,3,5 (default: all)");
  sub->add_option("-o,--output", cmd->output, "Output file (default: standard output)");
  sub->callback([cmd] { run(*cmd); });
}

}  // namespace plnet::cli
