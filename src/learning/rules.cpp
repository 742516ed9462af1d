#include <plnet/core/error.hpp>
#include <plnet/learning/rules.hpp>
#include <plnet/physics/cycle_space.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <map>

namespace plnet::learning {
namespace {

struct BatchOutputs {
  Matrix a;  // n_a x n_b: augmented inputs [u; 1]
  Matrix y;  // n_out x n_b
  Matrix g;  // n_out x n_b: scale * dc/dy
};

BatchOutputs evaluate(const Responses& r, const Batch& batch, const Loss& loss) {
  const Index nb = batch.size();
  const Index ni = r.task().num_inputs();
  require(batch.inputs.cols() == ni, "batch", "inputs have ", batch.inputs.cols(),
          " columns (need ", ni, ")");
  require(batch.targets.rows() == nb && batch.targets.cols() == r.task().num_outputs(), "batch",
          "targets must be ", nb, " x ", r.task().num_outputs(), " (got ", batch.targets.rows(),
          " x ", batch.targets.cols(), ")");
  BatchOutputs out;
  out.a.resize(ni + 1, nb);
  out.a.topRows(ni) = batch.inputs.transpose();
  out.a.row(ni).setOnes();
  out.y = r.output_map() * out.a;
  const double scale = loss.scale(nb);
  if (loss.kind == LossKind::kMse && !batch.targets.array().isNaN().any()) {
    // dc/dy = y - t for every sample at once (what Loss::gradient gives without masked outputs).
    out.g.noalias() = scale * (out.y - batch.targets.transpose());
    return out;
  }
  out.g.resize(r.task().num_outputs(), nb);
  for (Index s = 0; s < nb; ++s) {
    const Index label = batch.labels.empty() ? -1 : batch.labels[static_cast<std::size_t>(s)];
    out.g.col(s) = scale * loss.gradient(out.y.col(s), batch.targets.row(s).transpose(), label);
  }
  return out;
}

// out_i = sum_s (U alpha_s)_i^T S_i (V beta_s)_i for moment Q = sum_s beta_s alpha_s^T, with U
// and V given as states; difference networks use their drop matrices directly.
struct Columns {
  const Matrix& states;
  const Matrix* drops;  // nullptr: compute from states
};

Vector bilinear(const Responses& r, const Columns& u, const Columns& v, const Matrix& q) {
  Vector out;
  if (r.model().rank_one() && u.drops != nullptr && v.drops != nullptr)
    r.drop_bilinear(*u.drops, *v.drops, q, out);
  else
    r.stamp_bilinear(u.states, v.states, q, out);
  return out;
}

// Samples grouped by which targets are constrained (NaN = unconstrained), as index lists.
std::map<std::vector<bool>, std::vector<Index>> mask_groups(const Batch& batch) {
  std::map<std::vector<bool>, std::vector<Index>> groups;
  if (!batch.targets.array().isNaN().any()) {  // the common case: one group, no per-sample keys
    auto& all = groups[std::vector<bool>(static_cast<std::size_t>(batch.targets.cols()), true)];
    all.resize(static_cast<std::size_t>(batch.size()));
    for (Index s = 0; s < batch.size(); ++s) all[static_cast<std::size_t>(s)] = s;
    return groups;
  }
  for (Index s = 0; s < batch.size(); ++s) {
    std::vector<bool> key(static_cast<std::size_t>(batch.targets.cols()));
    for (Index o = 0; o < batch.targets.cols(); ++o)
      key[static_cast<std::size_t>(o)] = !std::isnan(batch.targets(s, o));
    groups[key].push_back(s);
  }
  return groups;
}

std::vector<Index> active_outputs(const std::vector<bool>& key) {
  std::vector<Index> idx;
  for (std::size_t o = 0; o < key.size(); ++o)
    if (key[o]) idx.push_back(static_cast<Index>(o));
  return idx;
}

Vector exact_gradient(const Responses& r, const BatchOutputs& b) {
  const Matrix moment = b.g * b.a.transpose();  // sum_s g_s a_s^T
  return -bilinear(r, {r.unit_states(), &r.unit_drops()}, {r.adjoint_states(), &r.adjoint_drops()},
                   moment);
}

// sum_s [-(x_s . K h_s) + (c/2)(K h_s)^2] for response K (states, drops) and weights h.
Vector nudge_estimate(const Responses& r, const BatchOutputs& b, const Matrix& h, const Columns& k,
                      double c) {
  Vector linear = bilinear(r, {r.unit_states(), &r.unit_drops()}, k, h * b.a.transpose());
  Vector quadratic = bilinear(r, k, k, h * h.transpose());
  return -linear + 0.5 * c * quadratic;
}

// Adds (1/eta) sum_s [(v^C_s)^2 - (v^F_s)^2] over the samples `samples` (nullptr: all of the
// batch) whose constrained outputs are `idx` (nullptr: all outputs) to `total`.
void coupled_group(const Responses& r, const Batch& batch, const BatchOutputs& b, const Loss& loss,
                   double eta, const std::vector<Index>* idx, const std::vector<Index>* samples,
                   Vector& total) {
  const Index no = r.task().num_outputs();
  const auto na = idx == nullptr ? no : static_cast<Index>(idx->size());
  const auto ns = samples == nullptr ? batch.size() : static_cast<Index>(samples->size());
  const auto out_of = [&](Index p) {
    return idx == nullptr ? p : (*idx)[static_cast<std::size_t>(p)];
  };
  const auto sample_of = [&](Index c) {
    return samples == nullptr ? c : (*samples)[static_cast<std::size_t>(c)];
  };
  Matrix s_aa(na, na);
  for (Index p = 0; p < na; ++p)
    for (Index q = 0; q < na; ++q) s_aa(p, q) = r.schur()(out_of(p), out_of(q));
  // Clamped minus free state: K delta with K = Lambda_a S_aa^-1, delta = -eta dc/dy on the
  // active outputs (coupled_clamp_shift). K never needs forming: with the explicit n_a x n_a
  // inverse (S_aa is symmetric) the bilinear forms over K become forms over Lambda_a with
  // transformed moments,
  //   sum_s (U a_s)_i (K d_s)_i = (DU Q DL_a^T)_ii  with Q = S^-1 (sum_s d_s a_s^T),
  //   sum_s (K d_s)_i^2        = (DL_a Q DL_a^T)_ii with Q = S^-1 (sum_s d_s d_s^T) S^-1.
  const Matrix s_inv = s_aa.ldlt().solve(Matrix::Identity(na, na));
  Matrix l_states, l_drops;
  const Matrix* l_states_ptr = &r.adjoint_states();
  const Matrix* l_drops_ptr = r.model().rank_one() ? &r.adjoint_drops() : nullptr;
  if (idx != nullptr) {
    l_states.resize(r.model().num_dofs(), na);
    for (Index p = 0; p < na; ++p) l_states.col(p) = r.adjoint_states().col(out_of(p));
    l_states_ptr = &l_states;
    if (r.model().rank_one()) {
      l_drops.resize(r.model().num_parameters(), na);
      for (Index p = 0; p < na; ++p) l_drops.col(p) = r.adjoint_drops().col(out_of(p));
      l_drops_ptr = &l_drops;
    }
  }
  Matrix delta(na, ns);
  if (loss.kind == LossKind::kMse) {  // eta (t - y), written out: no per-sample temporaries
    for (Index c = 0; c < ns; ++c) {
      const Index s = sample_of(c);
      for (Index p = 0; p < na; ++p)
        delta(p, c) = eta * (batch.targets(s, out_of(p)) - b.y(out_of(p), s));
    }
  } else {
    for (Index c = 0; c < ns; ++c) {
      const Index s = sample_of(c);
      const Index label = batch.labels.empty() ? -1 : batch.labels[static_cast<std::size_t>(s)];
      const Vector shift =
          coupled_clamp_shift(loss, b.y.col(s), batch.targets.row(s).transpose(), label, eta);
      for (Index p = 0; p < na; ++p) delta(p, c) = shift[out_of(p)];
    }
  }
  Matrix moment_a;
  if (samples == nullptr) {
    moment_a.noalias() = delta * b.a.transpose();
  } else {
    Matrix a(b.a.rows(), ns);
    for (Index c = 0; c < ns; ++c) a.col(c) = b.a.col(sample_of(c));
    moment_a.noalias() = delta * a.transpose();
  }
  const Matrix q_linear = s_inv * moment_a;
  const Matrix q_quadratic = s_inv * (delta * delta.transpose()) * s_inv;
  const Columns l{*l_states_ptr, l_drops_ptr};
  // (v^C)^2 - (v^F)^2 = 2 v^F (K delta) + (K delta)^2, summed over the group's samples.
  const Vector linear = bilinear(r, {r.unit_states(), &r.unit_drops()}, l, q_linear);
  const Vector quadratic = bilinear(r, l, l, q_quadratic);
  total += (2.0 * linear + quadratic) / eta;
}

Vector coupled_estimate(const Responses& r, const Batch& batch, const BatchOutputs& b,
                        const Loss& loss, double eta) {
  Vector total = Vector::Zero(r.model().num_parameters());
  if (r.task().num_outputs() > 0 && !batch.targets.array().isNaN().any()) {
    coupled_group(r, batch, b, loss, eta, nullptr, nullptr, total);  // the common case: one group
  } else {
    for (const auto& [key, samples] : mask_groups(batch)) {
      const auto idx = active_outputs(key);
      if (idx.empty()) continue;
      coupled_group(r, batch, b, loss, eta, &idx, &samples, total);
    }
  }
  return loss.scale(batch.size()) * total;
}

Vector equilibrium_estimate(const Responses& r, const Batch& batch, const BatchOutputs& b,
                            const RuleOptions& rule) {
  const double beta = std::pow(rule.nudge, rule.order);
  Matrix h = b.g;
  if (rule.nudge_kind == NudgeKind::kEnergy) {
    // Minimising E + beta C exactly (mse): the force nudge with dc/dy replaced by
    // (I + beta S_aa)^-1 dc/dy on each sample's constrained outputs.
    for (const auto& [key, samples] : mask_groups(batch)) {
      const auto idx = active_outputs(key);
      const auto na = static_cast<Index>(idx.size());
      if (na == 0) continue;
      Matrix m(na, na);
      for (Index p = 0; p < na; ++p)
        for (Index q = 0; q < na; ++q)
          m(p, q) = (p == q ? 1.0 : 0.0) + beta * r.schur()(idx[static_cast<std::size_t>(p)],
                                                            idx[static_cast<std::size_t>(q)]);
      const Eigen::PartialPivLU<Matrix> lu(m);
      for (Index s : samples) {
        Vector gs(na);
        for (Index p = 0; p < na; ++p) gs[p] = b.g(idx[static_cast<std::size_t>(p)], s);
        const Vector solved = lu.solve(gs);
        for (Index p = 0; p < na; ++p) h(idx[static_cast<std::size_t>(p)], s) = solved[p];
      }
    }
  }
  // x^b = x^F - beta Lambda h: (v^b)^2 - (v^F)^2 = -2 beta v^F (DL h) + beta^2 (DL h)^2.
  return nudge_estimate(r, b, h, {r.adjoint_states(), &r.adjoint_drops()}, beta);
}

Vector two_phase_estimate(const Responses& r, const BatchOutputs& b, double beta) {
  const auto& task = r.task();
  const Index m = r.model().num_parameters();
  const Vector& w = r.parameters();
  // Clamped minus free drops per unit error on output o: a series source eps_o on output edge
  // e_o injects w_o eps_o b_o (state change Lambda_o w_o eps_o) and shifts that edge's resistor
  // drop by -eps_o.
  Matrix k_drops(m, task.num_outputs());
  Matrix k_states(r.model().num_dofs(), task.num_outputs());
  for (Index o = 0; o < task.num_outputs(); ++o) {
    const Index e = task.outputs[static_cast<std::size_t>(o)].edge;
    k_drops.col(o) = w[e] * r.adjoint_drops().col(o);
    k_drops(e, o) -= 1.0;
    k_states.col(o) = w[e] * r.adjoint_states().col(o);
  }
  // (1/(2 beta)) sum [(v^C)^2 - (v^F)^2] with v^C = v^F + beta K g is sum [v^F Kg + beta/2 (Kg)^2]
  // = -nudge_estimate(K, g, beta); that is dC/dw, i.e. -(1/k^2) times 004's dC/dr estimate.
  const Columns k{k_states, &k_drops};
  const Vector linear = bilinear(r, {r.unit_states(), &r.unit_drops()}, k, b.g * b.a.transpose());
  const Vector quadratic = bilinear(r, k, k, b.g * b.g.transpose());
  return -(linear + 0.5 * beta * quadratic);
}

}  // namespace

void RuleOptions::validate(const Loss& loss) const {
  require(std::isfinite(nudge) && nudge > 0.0, "rule.nudge", "must be finite and > 0 (got ", nudge,
          ")");
  require(order >= 1 && order <= 8, "rule.order", "must be in [1, 8] (got ", order, ")");
  require(nudge_kind == NudgeKind::kForce || loss.kind == LossKind::kMse, "rule.nudge_kind",
          "the energy nudge needs the mse loss (got ", to_string(loss.kind), ")");
}

RuleKind rule_kind_from_string(const std::string& name) {
  if (name == "exact") return RuleKind::kExact;
  if (name == "coupled" || name == "cl") return RuleKind::kCoupled;
  if (name == "equilibrium" || name == "ep" || name == "gep") return RuleKind::kEquilibrium;
  if (name == "two_phase") return RuleKind::kTwoPhase;
  throw std::invalid_argument(concat("rule: unknown name (got '", name,
                                     "', need one of exact, coupled, equilibrium, two_phase)"));
}

std::string to_string(RuleKind kind) {
  switch (kind) {
    case RuleKind::kExact:
      return "exact";
    case RuleKind::kCoupled:
      return "coupled";
    case RuleKind::kEquilibrium:
      return "equilibrium";
    case RuleKind::kTwoPhase:
      return "two_phase";
  }
  return "unknown";
}

NudgeKind nudge_kind_from_string(const std::string& name) {
  if (name == "force") return NudgeKind::kForce;
  if (name == "energy") return NudgeKind::kEnergy;
  throw std::invalid_argument(
      concat("nudge: unknown name (got '", name, "', need force or energy)"));
}

Vector coupled_clamp_shift(const Loss& loss, const Vector& y, const Vector& target, Index label,
                           double eta) {
  require(y.size() == target.size(), "coupled_clamp_shift", "outputs and targets differ in size (",
          y.size(), " vs ", target.size(), ")");
  if (loss.kind == LossKind::kMse) {
    // eta (t - y) is -eta (y - t) to the last bit (IEEE negation is exact), the form of 000
    // App. D; unconstrained (NaN) outputs are not clamped.
    Vector shift(y.size());
    for (Index o = 0; o < y.size(); ++o)
      shift[o] = std::isnan(target[o]) ? 0.0 : eta * (target[o] - y[o]);
    return shift;
  }
  Vector shift = -eta * loss.gradient(y, target, label);
  for (Index o = 0; o < y.size(); ++o)
    if (std::isnan(target[o])) shift[o] = 0.0;
  return shift;
}

double batch_cost(const Responses& responses, const Batch& batch, const Loss& loss) {
  const Matrix y = responses.outputs(batch.inputs);
  double c = 0.0;
  for (Index s = 0; s < batch.size(); ++s) {
    const Index label = batch.labels.empty() ? -1 : batch.labels[static_cast<std::size_t>(s)];
    c += loss.value(y.row(s).transpose(), batch.targets.row(s).transpose(), label);
  }
  return loss.scale(batch.size()) * c;
}

Vector gradient_estimate(const Responses& responses, const Batch& batch, const Loss& loss,
                         const RuleOptions& rule) {
  rule.validate(loss);
  const BatchOutputs b = evaluate(responses, batch, loss);
  switch (rule.kind) {
    case RuleKind::kExact:
      return exact_gradient(responses, b);
    case RuleKind::kCoupled:
      return coupled_estimate(responses, batch, b, loss, rule.nudge);
    case RuleKind::kEquilibrium:
      return equilibrium_estimate(responses, batch, b, rule);
    case RuleKind::kTwoPhase: {
      require(responses.model().rank_one(), "two_phase", "needs a difference network");
      for (const auto& out : responses.task().outputs)
        require(out.edge >= 0, "two_phase", "every output must be an edge drop (output '", out.name,
                "' is not)");
      return two_phase_estimate(responses, b, rule.nudge);
    }
  }
  return {};
}

Vector projector_gradient(const graph::Network& net, const Vector& w, const Task& task,
                          const Batch& batch, const Loss& loss) {
  for (const auto& in : task.inputs)
    require(in.kind == InputKind::kEdgeSource, "projector_gradient", "inputs must be edge sources");
  for (const auto& out : task.outputs)
    require(out.edge >= 0, "projector_gradient", "outputs must be edge drops");
  const SparseMatrix a = physics::cycle_matrix(net);
  const Matrix omega = physics::cycle_projector(a, w);
  const Index m = net.num_edges();
  Vector grad = Vector::Zero(m);
  const double scale = loss.scale(batch.size());
  for (Index s = 0; s < batch.size(); ++s) {
    Vector src = Vector::Zero(m);
    for (Index j = 0; j < task.num_inputs(); ++j) {
      const auto& in = task.inputs[static_cast<std::size_t>(j)];  // gain: Task::conditions
      src[in.targets[0]] +=
          (in.coefficients.empty() ? 1.0 : in.coefficients[0]) * batch.inputs(s, j);
    }
    for (const auto& fs : task.fixed.edge_sources) src[fs.edge] += fs.value;
    const Vector v = -omega * src;       // 004 eq. (10)
    const Vector i = w.cwiseProduct(v);  // eq. (11)
    Vector y(task.num_outputs());
    for (Index o = 0; o < task.num_outputs(); ++o)
      y[o] = v[task.outputs[static_cast<std::size_t>(o)].edge];
    const Index label = batch.labels.empty() ? -1 : batch.labels[static_cast<std::size_t>(s)];
    const Vector g = loss.gradient(y, batch.targets.row(s).transpose(), label);
    Vector pg = Vector::Zero(m);  // P_o^T dc/dy
    for (Index o = 0; o < task.num_outputs(); ++o)
      pg[task.outputs[static_cast<std::size_t>(o)].edge] += g[o];
    grad += scale * i.cwiseProduct(pg - omega.transpose() * pg);  // eq. (14)
  }
  return grad;
}

}  // namespace plnet::learning
