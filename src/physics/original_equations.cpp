#include "physics/original_equations.hpp"

#include <plnet/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace plnet::physics::detail {
namespace {

double ratio(double numerator, double denominator) {
  if (numerator == 0.0) return 0.0;
  return denominator > 0.0 ? numerator / denominator : std::numeric_limits<double>::infinity();
}

double max_abs(const Vector& v) {
  return v.size() == 0 ? 0.0 : v.lpNorm<Eigen::Infinity>();
}

}  // namespace

OriginalEquations::OriginalEquations(const LinearModel& model, const Vector& w,
                                     const BoundaryConditions& bc)
    : model_(&model), w_(&w), bc_(&bc) {
  if (!bc.edge_sources.empty()) {
    sources_ = Vector::Zero(model.num_parameters());
    for (const auto& s : bc.edge_sources) sources_[s.edge] += s.value;
  }
  sum_.resize(static_cast<std::size_t>(model.num_dofs()));
  magnitude_.resize(static_cast<std::size_t>(model.num_dofs()));
  residual_.resize(model.num_dofs());
}

void OriginalEquations::evaluate(const Vector& x) {
  using Extended = long double;
  const LinearModel& model = *model_;
  const Vector& w = *w_;
  std::fill(sum_.begin(), sum_.end(), Extended{0});
  std::fill(magnitude_.begin(), magnitude_.end(), Extended{0});
  for (const auto& inj : bc_->injections) {
    sum_[static_cast<std::size_t>(inj.dof)] += inj.amount;
    magnitude_[static_cast<std::size_t>(inj.dof)] += std::abs(Extended{inj.amount});
  }
  const bool sources = sources_.size() > 0;
  for (Index i = 0; i < model.num_parameters(); ++i) {
    const auto d = model.stamp_dofs(i);
    const std::size_t k = d.size();
    if (model.rank_one()) {
      const auto b = model.stamp_vector(i);
      Extended drop = sources ? -Extended{sources_[i]} : Extended{0};
      for (std::size_t r = 0; r < k; ++r) drop += Extended{b[r]} * x[d[r]];
      const Extended current = w[i] * drop;
      for (std::size_t r = 0; r < k; ++r) {
        const Extended term = b[r] * current;
        sum_[static_cast<std::size_t>(d[r])] -= term;
        magnitude_[static_cast<std::size_t>(d[r])] += std::abs(term);
      }
      continue;
    }
    const auto s = model.stamp_matrix(i);
    for (std::size_t r = 0; r < k; ++r) {
      Extended acc = 0;
      Extended size = 0;
      for (std::size_t c = 0; c < k; ++c) {
        const Extended term = Extended{s[r * k + c]} * x[d[c]];
        acc += term;
        size += std::abs(term);
      }
      sum_[static_cast<std::size_t>(d[r])] -= w[i] * acc;
      magnitude_[static_cast<std::size_t>(d[r])] += std::abs(Extended{w[i]}) * size;
    }
  }
  Extended largest = 0;
  for (std::size_t j = 0; j < sum_.size(); ++j) {
    residual_[static_cast<Index>(j)] = static_cast<double>(sum_[j]);
    largest = std::max(largest, magnitude_[j]);
  }
  scale_ = static_cast<double>(largest);
}

double OriginalEquations::constraint_error(const Vector& x) const {
  double worst = 0.0;
  for (const auto& c : bc_->constraints) {
    long double value = c.value;
    long double size = std::abs(c.value);
    for (std::size_t j = 0; j < c.dofs.size(); ++j) {
      const long double term = static_cast<long double>(c.coefficients[j]) * x[c.dofs[j]];
      value -= term;
      size += std::abs(term);
    }
    worst = std::max(worst, ratio(static_cast<double>(std::abs(value)), static_cast<double>(size)));
  }
  return worst;
}

Vector OriginalEquations::currents(const Vector& x) const {
  if (!model_->rank_one()) return {};
  Vector out;
  model_->drops(x, out);
  if (sources_.size() > 0) out -= sources_;
  return w_->cwiseProduct(out);
}

double OriginalEquations::relative_change(const Vector& x, const Vector& reactions,
                                          const Vector& dx, const Vector& dreactions) const {
  double change = ratio(max_abs(dx), max_abs(x));
  if (model_->rank_one()) {
    Vector ddrops;
    model_->drops(dx, ddrops);
    const double dcurrent = std::max(max_abs(w_->cwiseProduct(ddrops)), max_abs(dreactions));
    const double current = std::max(max_abs(currents(x)), max_abs(reactions));
    change = std::max(change, ratio(dcurrent, current));
  } else {
    change = std::max(change, ratio(max_abs(dreactions), max_abs(reactions)));
  }
  return std::isnan(change) ? std::numeric_limits<double>::infinity() : change;
}

void require_finite(const LinearModel& model, const Vector& w, const BoundaryConditions& bc,
                    const Vector& x, const Vector& currents, double power,
                    const Vector& reactions) {
  const std::string where = concat(to_string(model.kind()), " network");
  const bool spring = model.kind() == ModelKind::kSpring;
  if (!x.allFinite()) {
    double held = 0.0, injected = 0.0, source = 0.0;
    for (const auto& h : bc.holds) held = std::max(held, std::abs(h.value));
    for (const auto& i : bc.injections) injected = std::max(injected, std::abs(i.amount));
    for (const auto& s : bc.edge_sources) source = std::max(source, std::abs(s.value));
    const double w_max = w.size() ? w.cwiseAbs().maxCoeff() : 0.0;
    const double w_min = w.size() ? w.cwiseAbs().minCoeff() : 0.0;
    throw std::invalid_argument(
        concat(where, ": the state overflows double precision (",
               spring ? "displacements" : "voltages", " not finite): held values up to ", held,
               ", injections up to ", injected, ", edge sources up to ", source,
               ", parameters in [", w_min, ", ", w_max, "]; their products must stay below ",
               std::numeric_limits<double>::max(), ": rescale the units"));
  }
  for (Index e = 0; e < currents.size(); ++e) {
    if (std::isfinite(currents[e])) continue;
    const auto d = model.stamp_dofs(e);
    const auto b = model.stamp_vector(e);
    double drop = 0.0;
    for (std::size_t r = 0; r < d.size(); ++r) drop += b[r] * x[d[r]];
    throw std::invalid_argument(concat(where, ": the ", spring ? "tension" : "current", " of edge ",
                                       e, " overflows double precision (parameter ", w[e],
                                       " times ", spring ? "extension " : "drop ", drop,
                                       "): rescale the units"));
  }
  if (!std::isfinite(power)) {
    Vector drops;
    model.drops(x, drops);
    throw std::invalid_argument(
        concat(where, ": the ", spring ? "elastic energy" : "dissipated power",
               " overflows double precision (sum over edges of ", spring ? "tension" : "current",
               " times ", spring ? "extension" : "drop", ", up to ", currents.cwiseAbs().maxCoeff(),
               " times ", drops.cwiseAbs().maxCoeff(), "): rescale the units"));
  }
  for (Index k = 0; k < reactions.size(); ++k)
    if (!std::isfinite(reactions[k]))
      throw std::invalid_argument(concat(
          where, ": the reaction at held ",
          dof_name(model, bc.holds[static_cast<std::size_t>(k)].dof),
          " overflows double precision (its edges' parameters times drops): rescale the units"));
}

}  // namespace plnet::physics::detail
