#include <plnet/analysis/saturation.hpp>
#include <plnet/core/error.hpp>
#include <plnet/physics/linear_response.hpp>

#include <cmath>

namespace plnet::analysis {
namespace {

void check_sample(const learning::Responses& r, const Vector& input, Index output,
                  const std::string& where) {
  require(r.model().rank_one(), where,
          "needs a difference (rank-one) network (got a node network)");
  require(r.parameters().size() == r.model().num_parameters(), where,
          "responses have no parameters yet (call update(w) first)");
  require(input.size() == r.task().num_inputs(), where, "input has length ", input.size(),
          " (need ", r.task().num_inputs(), ")");
  require(output >= 0 && output < r.task().num_outputs(), where, "output ", output,
          " out of range (need 0 <= output < ", r.task().num_outputs(), ")");
}

}  // namespace

Vector constraint_gradient(const learning::Responses& responses, const Vector& input,
                           Index output) {
  check_sample(responses, input, output, "constraint_gradient");
  Vector a(input.size() + 1);
  a << input, 1.0;
  const Vector v = responses.unit_drops() * a;
  return -responses.adjoint_drops().col(output).cwiseProduct(v);
}

ModeExpansion mode_expansion(const learning::Responses& responses, const Vector& input,
                             Index output, const Vector& values, const Matrix& modes) {
  check_sample(responses, input, output, "mode_expansion");
  const auto& model = responses.model();
  const auto& reduced = responses.response().reduced();
  require(modes.rows() == reduced.size() && modes.cols() == values.size() && values.size() >= 1,
          "mode_expansion", "modes must be n_free x n with n = values.size() >= 1 (got ",
          modes.rows(), " x ", modes.cols(), ", n_free = ", reduced.size(), ", ", values.size(),
          " values)");
  const Vector& w = responses.parameters();
  const auto bc = responses.task().conditions(input);
  const Vector t = reduced.offset(bc);
  const Vector r = reduced.reduced_rhs(w, physics::total_force(model, w, bc), t);
  Vector p = Vector::Zero(reduced.size());  // T^T p_o
  const auto& readout = responses.task().outputs[static_cast<std::size_t>(output)];
  for (std::size_t q = 0; q < readout.dofs.size(); ++q)
    for (const auto& term : reduced.row(readout.dofs[q]))
      p[term.free] += term.coefficient * readout.coefficients[q];

  ModeExpansion out;
  out.eigenvalues = values;
  out.input_projections = modes.transpose() * r;
  out.output_projections = modes.transpose() * p;
  const Index m = model.num_parameters();
  out.mode_drops.resize(m, values.size());
  out.offset_drops.resize(m);
  for (Index i = 0; i < m; ++i) {
    const auto dofs = model.stamp_dofs(i);
    const auto b = model.stamp_vector(i);
    out.mode_drops.row(i).setZero();
    double offset = 0.0;
    for (std::size_t k = 0; k < dofs.size(); ++k) {
      offset += b[k] * t[dofs[k]];
      for (const auto& term : reduced.row(dofs[k]))
        out.mode_drops.row(i) += (term.coefficient * b[k]) * modes.row(term.free);
    }
    out.offset_drops[i] = offset;
  }
  for (const auto& s : bc.edge_sources) out.offset_drops[s.edge] -= s.value;
  return out;
}

Vector gradient_from_modes(const ModeExpansion& e, Index n) {
  require(n >= 1 && n <= e.eigenvalues.size(), "gradient_from_modes", "n must be in [1, ",
          e.eigenvalues.size(), "] (got ", n, ")");
  const Vector inv = e.eigenvalues.head(n).cwiseInverse();
  const auto d = e.mode_drops.leftCols(n);
  const Vector adjoint = d * e.output_projections.head(n).cwiseProduct(inv);
  const Vector drop = d * e.input_projections.head(n).cwiseProduct(inv) + e.offset_drops;
  return -adjoint.cwiseProduct(drop);
}

Vector gradient_one_mode(const ModeExpansion& e) {
  const double l1 = e.eigenvalues[0];
  return -(e.input_projections[0] * e.output_projections[0] / (l1 * l1)) *
         e.mode_drops.col(0).cwiseAbs2();
}

double stiff_eigenvalue_one_mode(const ModeExpansion& e) {
  const double l1 = e.eigenvalues[0];
  const double io = e.input_projections[0] * e.output_projections[0];
  return io * io / std::pow(l1, 4) * e.mode_drops.col(0).array().pow(4).sum();
}

double normalized_double_dot(const Matrix& a, const Matrix& b) {
  require(a.rows() == b.rows() && a.cols() == b.cols(), "normalized_double_dot",
          "shapes differ (got ", a.rows(), " x ", a.cols(), " and ", b.rows(), " x ", b.cols(),
          ")");
  const double na = a.norm();
  const double nb = b.norm();
  require(na > 0.0 && nb > 0.0, "normalized_double_dot", "a matrix is zero (got norms ", na,
          " and ", nb, ")");
  return a.cwiseProduct(b).sum() / (na * nb);
}

double alignment(const Vector& a, const Vector& b) {
  require(a.size() == b.size(), "alignment", "lengths differ (got ", a.size(), " and ", b.size(),
          ")");
  const double na = a.norm();
  const double nb = b.norm();
  require(na > 0.0 && nb > 0.0, "alignment", "a vector is zero (got norms ", na, " and ", nb, ")");
  return std::abs(a.dot(b)) / (na * nb);
}

}  // namespace plnet::analysis
