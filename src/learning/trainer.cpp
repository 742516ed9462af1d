#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>
#include <plnet/learning/trainer.hpp>
#include <plnet/solver/smallest_eigenvalue.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace plnet::learning {
namespace {

using random::normal;
using random::uniform;
using random::uniform_index;

std::string rng_to_string(const std::mt19937_64& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

// Copies the listed rows of `all` into `b`, reusing its storage (no allocation once sized).
void rows_into(const Batch& all, const Index* rows, Index n, Batch& b) {
  b.inputs.resize(n, all.inputs.cols());
  b.targets.resize(n, all.targets.cols());
  b.labels.clear();
  for (Index r = 0; r < n; ++r) {
    b.inputs.row(r) = all.inputs.row(rows[r]);
    b.targets.row(r) = all.targets.row(rows[r]);
    if (!all.labels.empty()) b.labels.push_back(all.labels[static_cast<std::size_t>(rows[r])]);
  }
}

}  // namespace

void ProtocolOptions::validate() const {
  const std::string w = "protocol.";
  require(std::isfinite(learning_rate) && learning_rate > 0, w + "learning_rate",
          "must be > 0 (got ", learning_rate, ")");
  require(steps >= 0, w + "steps", "must be >= 0 (got ", steps, ")");
  require(batch_mode != BatchMode::kMinibatch || batch_size >= 1, w + "batch", "must be >= 1 (got ",
          batch_size, ")");
  if (bounds)
    require(bounds->upper > bounds->lower, w + "bounds", "need lower < upper (got ", bounds->lower,
            ", ", bounds->upper, ")");
  require(std::isfinite(noise_sd) && noise_sd >= 0, w + "noise_sd", "must be >= 0 (got ", noise_sd,
          ")");
  require(update_fraction > 0 && update_fraction <= 1, w + "update_fraction",
          "must be in (0, 1] (got ", update_fraction, ")");
  require(freeze_probability >= 0 && freeze_probability < 1, w + "freeze_probability",
          "must be in [0, 1) (got ", freeze_probability, ")");
  require(stop_cost >= 0, w + "stop_cost", "must be >= 0 (got ", stop_cost, ")");
  require(log_every >= 1, w + "log_every", "must be >= 1 (got ", log_every, ")");
  require(parameters_every >= 0, w + "parameters_every", "must be >= 0 (got ", parameters_every,
          ")");
}

Bounds default_bounds(physics::ModelKind kind, Parametrization learn) {
  if (kind == physics::ModelKind::kNode && learn == Parametrization::kConductance)
    return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  return {1e-6, 1e6};
}

Bounds resolved_bounds(const ProtocolOptions& protocol, physics::ModelKind kind) {
  return protocol.bounds ? *protocol.bounds : default_bounds(kind, protocol.learn);
}

Trainer::Trainer(const physics::LinearModel& model, const Task& task, Batch train, Batch test,
                 Loss loss, RuleOptions rule, ProtocolOptions protocol, const Vector& w0,
                 physics::SolveOptions solve)
    : model_(&model),
      train_(std::move(train)),
      test_(std::move(test)),
      loss_(loss),
      rule_(rule),
      protocol_(protocol),
      bounds_(resolved_bounds(protocol, model.kind())),
      responses_(model, task, std::move(solve)),
      rng_(protocol.seed) {
  protocol_.validate();
  rule_.validate(loss_);
  model.check_parameters(w0, "initial parameters");
  // Conductances, stiffnesses and resistances must stay positive; node-network weights may not.
  require(bounds_.lower > 0 || (model.kind() == physics::ModelKind::kNode &&
                                protocol_.learn == Parametrization::kConductance),
          "protocol.bounds", "the lower bound must be > 0 when learning ",
          to_string(protocol_.learn), "s (got ", bounds_.lower, ")");
  require(train_.size() >= 1, "data", "the training set is empty");
  require(protocol_.batch_mode != BatchMode::kMinibatch || protocol_.batch_size <= train_.size(),
          "protocol.batch", "larger than the training set (got ", protocol_.batch_size, ", have ",
          train_.size(), " samples)");
  state_.w = w0;
  state_.frozen.assign(static_cast<std::size_t>(model.num_parameters()), false);
  if (protocol_.freeze_probability > 0.0)
    for (auto&& f : state_.frozen) f = uniform(rng_) < protocol_.freeze_probability;
  order_.resize(static_cast<std::size_t>(train_.size()));
  draws_random_ = protocol_.batch_mode != BatchMode::kFull || protocol_.noise_sd > 0.0 ||
                  protocol_.update_fraction < 1.0;
}

TrainerState Trainer::checkpoint() const {
  TrainerState copy = state_;
  copy.rng_state = rng_to_string(rng_);
  return copy;
}

void Trainer::restore(TrainerState state) {
  require(state.w.size() == model_->num_parameters(), "checkpoint", "parameter count differs (got ",
          state.w.size(), ", need ", model_->num_parameters(), ")");
  std::istringstream in(state.rng_state);
  in >> rng_;
  require(!in.fail(), "checkpoint", "unreadable random generator state");
  state_ = std::move(state);
  breakdown_.reset();
  responses_current_ = false;
}

bool Trainer::done() const {
  return state_.stopped_on_cost || breakdown_ || state_.step >= protocol_.steps;
}

TrainStatus Trainer::status() const {
  if (breakdown_) return TrainStatus::kNotPositiveDefinite;
  if (state_.stopped_on_cost) return TrainStatus::kCostReached;
  if (state_.step >= protocol_.steps) return TrainStatus::kFinished;
  return TrainStatus::kRunning;
}

std::string Trainer::status_message() const {
  switch (status()) {
    case TrainStatus::kRunning:
      return concat("running: step ", state_.step, " of ", protocol_.steps);
    case TrainStatus::kFinished:
      return concat("finished: ", state_.step, " steps");
    case TrainStatus::kCostReached:
      return concat("cost reached: training cost <= ", protocol_.stop_cost, " at step ",
                    state_.step);
    case TrainStatus::kNotPositiveDefinite:
      break;
  }
  const Breakdown& b = *breakdown_;
  const bool node = model_->kind() == physics::ModelKind::kNode;
  char eigenvalue[32];
  std::snprintf(eigenvalue, sizeof eigenvalue, "%.6e", b.smallest_eigenvalue);
  return concat("step ", b.step, " of ", protocol_.steps, ": the update made ",
                node ? "H = W" : "the Hessian H(w)", " not positive definite on the ", b.size,
                " free dofs (smallest eigenvalue ", eigenvalue, "); the parameters of step ",
                b.step - 1, " are kept (lower protocol.learning_rate",
                node ? " or set protocol.bounds" : "", ")");
}

const Batch& Trainer::draw_batch() {
  switch (protocol_.batch_mode) {
    case BatchMode::kFull:
      return train_;
    case BatchMode::kSingle: {
      const Index row = uniform_index(rng_, train_.size());
      rows_into(train_, &row, 1, batch_);
      return batch_;
    }
    case BatchMode::kMinibatch: {
      // Partial Fisher-Yates: the first batch_size entries of a fresh permutation.
      for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<Index>(i);
      const Index n = train_.size();
      for (Index i = 0; i < protocol_.batch_size; ++i) {
        const Index j = i + uniform_index(rng_, n - i);
        std::swap(order_[static_cast<std::size_t>(i)], order_[static_cast<std::size_t>(j)]);
      }
      rows_into(train_, order_.data(), protocol_.batch_size, batch_);
      return batch_;
    }
  }
  return train_;
}

LogRow Trainer::evaluate() {
  if (!responses_current_) {
    responses_.update(state_.w);
    responses_current_ = true;
  }
  LogRow row;
  row.step = state_.step;
  row.train_cost = batch_cost(responses_, train_, loss_);
  if (!train_.labels.empty())
    row.train_accuracy = accuracy(responses_.outputs(train_.inputs), train_.labels);
  if (test_.size() > 0) {
    row.test_cost = batch_cost(responses_, test_, loss_);
    if (!test_.labels.empty())
      row.test_accuracy = accuracy(responses_.outputs(test_.inputs), test_.labels);
  }
  return row;
}

void Trainer::log_if_due() {
  const bool last = state_.step >= protocol_.steps;
  if (state_.step % protocol_.log_every == 0 || last) {
    const LogRow row = evaluate();
    state_.log.push_back(row);
    if (protocol_.stop_cost > 0.0 && row.train_cost <= protocol_.stop_cost)
      state_.stopped_on_cost = true;
  }
  if (protocol_.parameters_every > 0 && (state_.step % protocol_.parameters_every == 0 || last)) {
    state_.snapshot_steps.push_back(state_.step);
    state_.snapshots.push_back(state_.w);
  }
}

bool Trainer::step() {
  if (state_.step == 0 && state_.log.empty()) log_if_due();
  if (done()) return false;
  if (!responses_current_) responses_.update(state_.w);
  // What a rejected update needs to undo (the random generator only when the step draws).
  if (draws_random_) rng_before_ = rng_;
  w_before_ = state_.w;
  const Batch& batch = draw_batch();
  const Vector grad_w = gradient_estimate(responses_, batch, loss_, rule_);
  const bool resistance = protocol_.learn == Parametrization::kResistance;
  Vector& w = state_.w;
  if (!resistance && protocol_.noise_sd == 0.0 && protocol_.update_fraction >= 1.0 &&
      protocol_.freeze_probability == 0.0) {
    // 000's protocol: no random draws, no frozen edges (the mask is only drawn when
    // freeze_probability > 0), plain clipped steps in one branch-free loop. Same values as the
    // general loop below (whose "+ 0.0" noise does not change a clipped positive result).
    const double lr = protocol_.learning_rate, lo = bounds_.lower, hi = bounds_.upper;
    double* wp = w.data();
    const double* gp = grad_w.data();
    for (Index i = 0; i < w.size(); ++i) wp[i] = std::clamp(wp[i] - lr * gp[i], lo, hi);
  } else {
    for (Index i = 0; i < w.size(); ++i) {
      // Draw the noise and the desynchronisation coin for every parameter, frozen or not, so
      // the random stream does not depend on the parameter values.
      const double noise = protocol_.noise_sd > 0.0 ? protocol_.noise_sd * normal(rng_) : 0.0;
      const bool active =
          protocol_.update_fraction >= 1.0 || uniform(rng_) < protocol_.update_fraction;
      if (!active || state_.frozen[static_cast<std::size_t>(i)]) continue;
      const double theta = resistance ? 1.0 / w[i] : w[i];
      const double grad = resistance ? -w[i] * w[i] * grad_w[i] : grad_w[i];  // dC/dr = -k^2 dC/dk
      const double next =
          std::clamp(theta - protocol_.learning_rate * grad + noise, bounds_.lower, bounds_.upper);
      w[i] = resistance ? 1.0 / next : next;
    }
  }
  // Factorise the new parameters now (the next step or the log needs them anyway): an update
  // that takes H(w) through zero is rejected and ends the run with a status.
  const auto factor = responses_.try_update(w);
  if (!factor.ok()) {
    const SparseMatrix& h = responses_.response().reduced().matrix();
    breakdown_ =
        Breakdown{state_.step + 1, solver::smallest_eigenvalue(h), h.rows(), factor.message};
    state_.w = w_before_;
    if (draws_random_) rng_ = rng_before_;
    responses_current_ = false;
    return false;
  }
  responses_current_ = true;
  ++state_.step;
  log_if_due();
  return !done();
}

void Trainer::run(const std::function<void(Index)>& on_progress) {
  while (step())
    if (on_progress) on_progress(state_.step);
  if (on_progress) on_progress(state_.step);
}

TrainerState extended_state(TrainerState state, const ProtocolOptions& recorded) {
  if (state.step != recorded.steps) return state;  // stopped early: nothing of a last step
  if (!state.log.empty() && state.log.back().step == state.step &&
      state.step % recorded.log_every != 0) {
    state.log.pop_back();
    // Only a logged row stops a run on cost, and had an earlier row done so the run would have
    // ended there: the stop (if any) came from the removed row.
    state.stopped_on_cost = false;
  }
  if (recorded.parameters_every > 0 && !state.snapshot_steps.empty() &&
      state.snapshot_steps.back() == state.step && state.step % recorded.parameters_every != 0) {
    state.snapshot_steps.pop_back();
    state.snapshots.pop_back();
  }
  return state;
}

BatchMode batch_mode_from_string(const std::string& name) {
  if (name == "full") return BatchMode::kFull;
  if (name == "minibatch") return BatchMode::kMinibatch;
  if (name == "single") return BatchMode::kSingle;
  throw std::invalid_argument(
      concat("batch mode: unknown name (got '", name, "', need full, minibatch or single)"));
}

Parametrization parametrization_from_string(const std::string& name) {
  if (name == "conductance") return Parametrization::kConductance;
  if (name == "resistance") return Parametrization::kResistance;
  throw std::invalid_argument(
      concat("learn: unknown name (got '", name, "', need conductance or resistance)"));
}

std::string to_string(BatchMode mode) {
  switch (mode) {
    case BatchMode::kFull:
      return "full";
    case BatchMode::kMinibatch:
      return "minibatch";
    case BatchMode::kSingle:
      return "single";
  }
  return "unknown";
}

std::string to_string(Parametrization p) {
  return p == Parametrization::kConductance ? "conductance" : "resistance";
}

std::string to_string(TrainStatus status) {
  switch (status) {
    case TrainStatus::kRunning:
      return "running";
    case TrainStatus::kFinished:
      return "finished";
    case TrainStatus::kCostReached:
      return "cost_reached";
    case TrainStatus::kNotPositiveDefinite:
      return "not_positive_definite";
  }
  return "unknown";
}

}  // namespace plnet::learning
