#pragma once
/// The training protocol of the papers (physics.md section 4) around one Responses object:
/// every step is one numeric factorisation, one blocked solve and a batch-size independent
/// update. The trainer's whole state (parameters, step, random generator, frozen mask, logs)
/// can be saved and restored, so an interrupted run resumed from a checkpoint ends
/// bit-identical to an uninterrupted one.

#include <plnet/learning/rules.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace plnet::learning {

enum class BatchMode { kFull, kMinibatch, kSingle };
enum class Parametrization { kConductance, kResistance };

/// The interval the learned quantity (conductance, stiffness, resistance or node coupling) is
/// clipped to after every update.
struct Bounds {
  double lower = 0.0;
  double upper = 0.0;
};

struct ProtocolOptions {
  double learning_rate = 1e-4;
  Index steps = 1000;
  BatchMode batch_mode = BatchMode::kMinibatch;
  Index batch_size = 30;  ///< kMinibatch: samples drawn without replacement each step
  Parametrization learn = Parametrization::kConductance;  ///< 000-003 learn k, 004 learns r
  /// Clip the learned quantity to [lower, upper]; unset: the model's default (default_bounds).
  std::optional<Bounds> bounds;
  double noise_sd = 0.0;            ///< additive Gaussian noise on each update (003: 5e-3 alpha)
  double update_fraction = 1.0;     ///< desynchronous: each parameter updates with this probability
  double freeze_probability = 0.0;  ///< each parameter frozen for the whole run (004 Fig. 5)
  double stop_cost = 0.0;           ///< stop once the training cost is <= this (0: never)
  Index log_every = 1;              ///< costs/accuracies every this many steps
  Index parameters_every = 0;       ///< parameter snapshots every this many steps (0: never)
  std::uint64_t seed = 1;
  void validate() const;
};

/// What the learned quantity physically allows, used when ProtocolOptions::bounds is unset.
/// Conductances, stiffnesses and resistances are positive: [1e-6, 1e6] (000 Sec. II). Node
/// networks (003, H = W) learn every entry W_ab, a <= b, of a symmetric matrix: the couplings
/// (a != b) are signed and the diagonal is positive only through W being positive definite, so
/// no entry is bounded: (-inf, inf). Their physical constraint, W on the free dofs positive
/// definite, is checked by the trainer at every step (TrainStatus::kNotPositiveDefinite).
Bounds default_bounds(physics::ModelKind kind, Parametrization learn);
/// `protocol.bounds` if set, else default_bounds(kind, protocol.learn).
Bounds resolved_bounds(const ProtocolOptions& protocol, physics::ModelKind kind);

/// How a run stands. Expected numerical outcomes are statuses, not exceptions.
enum class TrainStatus {
  kRunning,              ///< steps remain
  kFinished,             ///< protocol.steps reached
  kCostReached,          ///< the training cost fell to protocol.stop_cost
  kNotPositiveDefinite,  ///< an update made H(w) on the free dofs singular or indefinite
};

/// Where a run lost positive definiteness (TrainStatus::kNotPositiveDefinite). The update of
/// `step` was rejected: the trainer keeps the parameters, random generator and log of step - 1,
/// so checkpoint() then saves a state that resumes (and, unchanged, meets the same step again).
struct Breakdown {
  Index step = 0;  ///< the step whose update broke H (the trainer's state is at step - 1)
  /// Smallest eigenvalue of the reduced H (free dofs; H = W for node networks) at the rejected
  /// parameters: <= 0, or tiny against the largest for a numerically singular H. NaN if the
  /// iterative eigensolver (large systems) did not converge.
  double smallest_eigenvalue = 0.0;
  Index size = 0;       ///< dimension of the reduced H
  std::string message;  ///< the factorisation's own message
};

/// One logged row: the cost of the parameters *before* the update of that step.
struct LogRow {
  Index step = 0;
  double train_cost = 0.0;
  double train_accuracy = -1.0;  ///< -1 without labels
  double test_cost = -1.0;       ///< -1 without a test set
  double test_accuracy = -1.0;
};

struct TrainerState {
  Vector w;
  Index step = 0;
  std::string rng_state;     ///< std::mt19937_64 textual state
  std::vector<bool> frozen;  ///< per parameter
  std::vector<LogRow> log;
  std::vector<Index> snapshot_steps;
  std::vector<Vector> snapshots;
  bool stopped_on_cost = false;
};

class Trainer {
 public:
  /// `train` and `test` are full data sets (test may be empty). `w0` the initial parameters.
  Trainer(const physics::LinearModel& model, const Task& task, Batch train, Batch test, Loss loss,
          RuleOptions rule, ProtocolOptions protocol, const Vector& w0,
          physics::SolveOptions solve = {});

  /// One training step. Returns false once the run is complete (steps reached, cost reached, or
  /// the update made H(w) singular or indefinite: then status() is kNotPositiveDefinite and the
  /// update is undone).
  bool step();
  /// Runs until done; `on_progress(step)` is called after every step (may be empty).
  void run(const std::function<void(Index)>& on_progress = {});
  bool done() const;
  TrainStatus status() const;
  /// Set when status() is kNotPositiveDefinite.
  const std::optional<Breakdown>& breakdown() const { return breakdown_; }
  /// One line for the status, e.g. "step 37 of 1000: the update made H = W not positive
  /// definite on the 20 free dofs (smallest eigenvalue -1.234567e-02); the parameters of step 36
  /// are kept (...)".
  std::string status_message() const;
  /// The bounds in force (protocol.bounds or the model's default).
  const Bounds& bounds() const { return bounds_; }

  /// The live state (its rng_state is not kept current; use checkpoint() to save).
  const TrainerState& state() const { return state_; }
  /// A complete copy of the state, random generator included, for a checkpoint.
  TrainerState checkpoint() const;
  /// Restores a saved state (same configuration): the run continues exactly. Clears a
  /// breakdown.
  void restore(TrainerState state);

  const Vector& parameters() const { return state_.w; }
  const Responses& responses() const { return responses_; }
  /// Cost and accuracy of a data set at the current parameters (refactorises if needed).
  LogRow evaluate();

 private:
  /// The step's batch: train_ itself (full) or batch_ refilled in place (no allocation).
  const Batch& draw_batch();
  void log_if_due();

  const physics::LinearModel* model_;
  Batch train_, test_;
  Loss loss_;
  RuleOptions rule_;
  ProtocolOptions protocol_;
  Bounds bounds_;
  Responses responses_;
  std::mt19937_64 rng_;
  TrainerState state_;
  std::optional<Breakdown> breakdown_;
  bool responses_current_ = false;
  bool draws_random_ = false;   // the step uses rng_ (batch draws, noise, desynchronisation)
  std::mt19937_64 rng_before_;  // rng_ at the start of the step, to undo a rejected update
  Vector w_before_;             // parameters at the start of the step
  std::vector<Index> order_;    // workspace for minibatch draws
  Batch batch_;                 // the current minibatch
};

/// The state of a run of `recorded.steps` steps (finished, stopped or interrupted) made the
/// state of a longer run of the same protocol: a run's last step is always logged and
/// snapshotted, so the log row and the parameter snapshot at step == recorded.steps that fall
/// between log_every and parameters_every multiples are removed, and with them a stop on cost
/// that the removed row triggered. Continued to N steps, the result is bit for bit the run of
/// N steps from the start (the same protocol otherwise, log_every and parameters_every included).
TrainerState extended_state(TrainerState state, const ProtocolOptions& recorded);

BatchMode batch_mode_from_string(const std::string& name);
Parametrization parametrization_from_string(const std::string& name);
std::string to_string(BatchMode mode);
std::string to_string(Parametrization p);
std::string to_string(TrainStatus status);

}  // namespace plnet::learning
