// The beta -> 0 limit of 004's two-phase rule (Alg. 1: the error re-injected as series sources
// on the output edges) against the objective its App. F derivation actually differentiates.
// Written out from 004 eqs. (109)-(111): with i(r) = M(r) s the free currents and the error
// e = y_hat - y held at its free value, the limit diag(i_F) M P_o^T e (eq. 16) is the gradient
// in r of
//     Phi(r) = sum_s e_s . P_o i_s(r)          (the error-weighted OUTPUT CURRENTS),
// while eq. (12) asserts the gradient of the cost J = sum_s 1/2 |P_o v_s(r) - y_s|^2, whose
// gradient with the error held is that of sum_s e_s . P_o v_s(r) (the output VOLTAGES,
// v_o = r_o i_o). Both are checked here by finite differences of an independent dense solve.
#include <plnet/learning/rules.hpp>
#include <plnet/physics/cycle_space.hpp>

#include <gtest/gtest.h>

#include <vector>

#include "support/reference.hpp"

namespace plnet::learning {
namespace {

TEST(TwoPhase, LimitIsTheGradientOfTheOutputCurrentObjectiveNotOfTheCost) {
  std::mt19937_64 rng(17);
  const auto net = testing::random_connected_network(16, 20, 0.3, rng);
  const auto model = physics::resistor_model(net);
  const auto tree = physics::spanning_forest_edges(net);
  std::vector<bool> in_tree(static_cast<std::size_t>(net.num_edges()), false);
  for (Index e : tree) in_tree[static_cast<std::size_t>(e)] = true;
  std::vector<Index> off;
  for (Index e = 0; e < net.num_edges(); ++e)
    if (!in_tree[static_cast<std::size_t>(e)]) off.push_back(e);
  ASSERT_GE(off.size(), 4u);
  const std::vector<Index> ins = {off[0], off[1]}, outs = {off[2], off[3]};
  Task task;
  task.fixed.hold(0, 0.0);
  task.inputs = {edge_source_input(ins[0]), edge_source_input(ins[1])};
  task.outputs = {edge_readout(model, outs[0]), edge_readout(model, outs[1])};
  Batch batch;
  batch.inputs = Matrix::Random(5, 2);
  batch.targets = 2.0 * Matrix::Random(5, 2);
  const Loss loss{LossKind::kMse, Reduction::kSum};
  const Vector k = net.conductances();
  const Vector r = k.cwiseInverse();
  const Index m = net.num_edges();

  auto sources = [&](Index s) {
    Vector src = Vector::Zero(m);
    for (Index j = 0; j < 2; ++j) src[ins[static_cast<std::size_t>(j)]] = batch.inputs(s, j);
    return src;
  };
  // The free errors e_s = y_hat_s - y_s, held fixed below.
  Matrix err(batch.size(), 2);
  for (Index s = 0; s < batch.size(); ++s) {
    const Vector i = k.cwiseProduct(testing::dense_series_source_drops(net, k, sources(s)));
    for (Index o = 0; o < 2; ++o) {
      const Index e = outs[static_cast<std::size_t>(o)];
      err(s, o) = i[e] * r[e] - batch.targets(s, o);
    }
  }
  // Phi (currents) and Psi (voltages) with the errors frozen, as functions of resistances.
  auto frozen = [&](const Vector& rr, bool voltages) {
    const Vector kk = rr.cwiseInverse();
    double total = 0.0;
    for (Index s = 0; s < batch.size(); ++s) {
      const Vector i = kk.cwiseProduct(testing::dense_series_source_drops(net, kk, sources(s)));
      for (Index o = 0; o < 2; ++o) {
        const Index e = outs[static_cast<std::size_t>(o)];
        total += err(s, o) * (voltages ? rr[e] * i[e] : i[e]);
      }
    }
    return total;
  };
  auto gradient = [&](bool voltages) {
    Vector g(m);
    for (Index e = 0; e < m; ++e) {
      const double h = 1e-5 * r[e];
      Vector rp = r, rm = r;
      rp[e] += h;
      rm[e] -= h;
      g[e] = (frozen(rp, voltages) - frozen(rm, voltages)) / (2.0 * h);
    }
    return g;
  };
  const Vector grad_phi = gradient(false);  // eq. (16)'s objective
  const Vector grad_psi = gradient(true);   // eq. (12)'s cost, dJ/dr

  Responses responses(model, task);
  responses.update(k);
  auto two_phase_dcdr = [&](double beta) {
    RuleOptions rule;
    rule.kind = RuleKind::kTwoPhase;
    rule.nudge = beta;
    return Vector(-k.cwiseAbs2().cwiseProduct(gradient_estimate(responses, batch, loss, rule)));
  };
  // The estimate is affine in beta (currents are linear in the nudge): the intercept from two
  // nudges is the limit up to round-off.
  const Vector limit = 2.0 * two_phase_dcdr(1.0) - two_phase_dcdr(2.0);
  RuleOptions exact;
  exact.kind = RuleKind::kExact;
  const Vector dcdr = -k.cwiseAbs2().cwiseProduct(gradient_estimate(responses, batch, loss, exact));

  // Central differences with relative step 1e-5 of a rational function of r: truncation ~1e-10,
  // long double round-off negligible; 1e-7 of the gradient's size is safe.
  EXPECT_LT((limit - grad_phi).norm(), 1e-7 * grad_phi.norm());
  EXPECT_LT((dcdr - grad_psi).norm(), 1e-7 * grad_psi.norm());
  // And the two objectives' gradients differ at the order of the gradient itself (0.3 decades
  // of conductance spread; on this network the relative difference is about 1): the limit is
  // not the gradient of eq. (12)'s cost.
  EXPECT_GT((limit - dcdr).norm(), 0.1 * dcdr.norm());
}

}  // namespace
}  // namespace plnet::learning
