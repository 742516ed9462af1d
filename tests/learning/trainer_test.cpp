// The training protocol: cost falls by orders of magnitude on a small regression, the same seed
// gives the same bits, a resumed run ends bit-identical to an uninterrupted one, and the
// protocol knobs (bounds, frozen edges, resistances) do what they say.
#include <plnet/learning/trainer.hpp>

#include <gtest/gtest.h>

#include "support/reference.hpp"

namespace plnet::learning {
namespace {

struct Regression {
  graph::Network net;
  physics::LinearModel model;
  Task task;
  Batch train;
};

// 000's first experiment in miniature: 2 sources + ground, 2 node targets, a linear map.
Regression regression(std::uint64_t seed, Index nodes = 40) {
  std::mt19937_64 rng(seed);
  Regression s{testing::random_connected_network(nodes, nodes, 0.3, rng), {}, {}, {}};
  s.model = physics::resistor_model(s.net);
  s.task.fixed.hold(0, 0.0);
  s.task.inputs = {hold_input(1), hold_input(2)};
  s.task.outputs = {node_readout(nodes / 2), node_readout(nodes - 1)};
  Matrix map(2, 2);
  map << 0.15, 0.2, 0.25, 0.1;  // 000 eq. (1)-like: outputs are positive mixtures of inputs
  s.train.inputs = Matrix::Random(40, 2).cwiseAbs();
  s.train.targets = s.train.inputs * map.transpose();
  return s;
}

TEST(Trainer, CoupledLearningLowersRegressionCostByOrdersOfMagnitude) {
  Regression s = regression(1);
  ProtocolOptions protocol;
  protocol.learning_rate = 1.0;
  protocol.steps = 4000;
  protocol.batch_size = 10;
  protocol.log_every = 100;
  Trainer trainer(s.model, s.task, s.train, {}, {LossKind::kMse, Reduction::kMean},
                  {RuleKind::kCoupled, 1e-2}, protocol, s.net.conductances());
  trainer.run();
  const auto& log = trainer.state().log;
  ASSERT_GE(log.size(), 2U);
  EXPECT_LT(log.back().train_cost, 1e-3 * log.front().train_cost)
      << log.front().train_cost << " -> " << log.back().train_cost;
}

TEST(Trainer, SameSeedSameBitsAndResumeIsBitIdentical) {
  Regression s = regression(2);
  ProtocolOptions protocol;
  protocol.learning_rate = 0.02;
  protocol.steps = 300;
  protocol.batch_size = 8;
  protocol.noise_sd = 1e-4;
  protocol.update_fraction = 0.5;
  protocol.freeze_probability = 0.1;
  protocol.log_every = 7;
  protocol.parameters_every = 50;
  protocol.seed = 99;
  const Loss loss{LossKind::kMse, Reduction::kSum};
  const RuleOptions rule{RuleKind::kEquilibrium, 1e-3};
  Trainer a(s.model, s.task, s.train, {}, loss, rule, protocol, s.net.conductances());
  a.run();
  Trainer b(s.model, s.task, s.train, {}, loss, rule, protocol, s.net.conductances());
  for (int i = 0; i < 137; ++i) b.step();
  const TrainerState saved = b.checkpoint();
  Trainer c(s.model, s.task, s.train, {}, loss, rule, protocol, s.net.conductances());
  c.restore(saved);
  c.run();
  for (const Trainer* t : {&c}) {
    ASSERT_EQ(t->parameters().size(), a.parameters().size());
    EXPECT_EQ(std::memcmp(t->parameters().data(), a.parameters().data(),
                          sizeof(double) * static_cast<std::size_t>(a.parameters().size())),
              0);
    ASSERT_EQ(t->state().log.size(), a.state().log.size());
    for (std::size_t k = 0; k < a.state().log.size(); ++k)
      EXPECT_EQ(t->state().log[k].train_cost, a.state().log[k].train_cost);
    EXPECT_EQ(t->state().snapshot_steps, a.state().snapshot_steps);
  }
}

TEST(Trainer, BoundsFrozenEdgesAndResistances) {
  Regression s = regression(3);
  ProtocolOptions protocol;
  protocol.learning_rate = 5.0;  // large steps so that clipping is exercised
  protocol.steps = 50;
  protocol.batch_mode = BatchMode::kFull;
  protocol.lower_bound = 0.5;
  protocol.upper_bound = 2.0;
  protocol.freeze_probability = 0.3;
  protocol.learn = Parametrization::kResistance;
  const Vector w0 = Vector::Ones(s.net.num_edges());
  Trainer t(s.model, s.task, s.train, {}, {LossKind::kMse}, {RuleKind::kExact}, protocol, w0);
  t.run();
  const Vector r = t.parameters().cwiseInverse();
  EXPECT_GE(r.minCoeff(), 0.5 - 1e-15);
  EXPECT_LE(r.maxCoeff(), 2.0 + 1e-15);
  Index frozen = 0, moved = 0;
  for (Index i = 0; i < w0.size(); ++i) {
    if (t.state().frozen[static_cast<std::size_t>(i)]) {
      ++frozen;
      EXPECT_EQ(t.parameters()[i], 1.0);
    } else if (t.parameters()[i] != 1.0) {
      ++moved;
    }
  }
  EXPECT_GT(frozen, 0);
  EXPECT_GT(moved, 0);
}

TEST(Trainer, BadProtocolIsRejected) {
  Regression s = regression(4);
  ProtocolOptions protocol;
  protocol.batch_size = 1000;
  EXPECT_THROW(Trainer(s.model, s.task, s.train, {}, {}, {}, protocol, s.net.conductances()),
               std::invalid_argument);
  protocol.batch_size = 10;
  protocol.update_fraction = 0.0;
  EXPECT_THROW(Trainer(s.model, s.task, s.train, {}, {}, {}, protocol, s.net.conductances()),
               std::invalid_argument);
}

}  // namespace
}  // namespace plnet::learning
