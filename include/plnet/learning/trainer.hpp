#pragma once
/// The training protocol of the papers (physics.md section 4) around one Responses object:
/// every step is one numeric factorisation, one blocked solve and a batch-size independent
/// update. The trainer's whole state (parameters, step, random generator, frozen mask, logs)
/// can be saved and restored, so an interrupted run resumed from a checkpoint ends
/// bit-identical to an uninterrupted one.

#include <plnet/learning/rules.hpp>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace plnet::learning {

enum class BatchMode { kFull, kMinibatch, kSingle };
enum class Parametrization { kConductance, kResistance };

struct ProtocolOptions {
  double learning_rate = 1e-4;
  Index steps = 1000;
  BatchMode batch_mode = BatchMode::kMinibatch;
  Index batch_size = 30;  ///< kMinibatch: samples drawn without replacement each step
  Parametrization learn = Parametrization::kConductance;  ///< 000-003 learn k, 004 learns r
  double lower_bound = 1e-6;  ///< clip the learned quantity to [lower, upper] (000: 1e-6, 1e6)
  double upper_bound = 1e6;
  double noise_sd = 0.0;            ///< additive Gaussian noise on each update (003: 5e-3 alpha)
  double update_fraction = 1.0;     ///< desynchronous: each parameter updates with this probability
  double freeze_probability = 0.0;  ///< each parameter frozen for the whole run (004 Fig. 5)
  double stop_cost = 0.0;           ///< stop once the training cost is <= this (0: never)
  Index log_every = 1;              ///< costs/accuracies every this many steps
  Index parameters_every = 0;       ///< parameter snapshots every this many steps (0: never)
  std::uint64_t seed = 1;
  void validate() const;
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

  /// One training step. Returns false once the run is complete (steps reached or cost reached).
  bool step();
  /// Runs until done; `on_progress(step)` is called after every step (may be empty).
  void run(const std::function<void(Index)>& on_progress = {});
  bool done() const;

  /// The live state (its rng_state is not kept current; use checkpoint() to save).
  const TrainerState& state() const { return state_; }
  /// A complete copy of the state, random generator included, for a checkpoint.
  TrainerState checkpoint() const;
  /// Restores a saved state (same configuration): the run continues exactly.
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
  Responses responses_;
  std::mt19937_64 rng_;
  TrainerState state_;
  bool responses_current_ = false;
  std::vector<Index> order_;  // workspace for minibatch draws
  Batch batch_;               // the current minibatch
};

BatchMode batch_mode_from_string(const std::string& name);
Parametrization parametrization_from_string(const std::string& name);
std::string to_string(BatchMode mode);
std::string to_string(Parametrization p);

}  // namespace plnet::learning
