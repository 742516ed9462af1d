#include <plnet/core/error.hpp>
#include <plnet/learning/responses.hpp>

namespace plnet::learning {

Responses::Responses(const physics::LinearModel& model, const Task& task,
                     physics::SolveOptions options)
    : model_(&model), task_(&task) {
  task.validate(model);
  response_ = std::make_unique<physics::LinearResponse>(
      model, task.conditions(Vector::Zero(task.num_inputs())), std::move(options));
  if (model.rank_one()) b_ = model.difference_operator();
  std::vector<Eigen::Triplet<double, int>> triplets;
  for (Index o = 0; o < task.num_outputs(); ++o) {
    const auto& r = task.outputs[static_cast<std::size_t>(o)];
    for (std::size_t j = 0; j < r.dofs.size(); ++j)
      triplets.emplace_back(static_cast<int>(o), static_cast<int>(r.dofs[j]), r.coefficients[j]);
  }
  p_.resize(task.num_outputs(), model.num_dofs());
  p_.setFromTriplets(triplets.begin(), triplets.end());
  // Input edge sources shift the resistor drops of their edges: v = B x - s.
  const Index na = task.num_inputs() + 1;
  source_drops_ = Matrix::Zero(model.num_parameters(), na);
  for (Index j = 0; j < task.num_inputs(); ++j) {
    const auto& in = task.inputs[static_cast<std::size_t>(j)];
    if (in.kind == InputKind::kEdgeSource) source_drops_(in.targets[0], j) += 1.0;
  }
  for (const auto& s : task.fixed.edge_sources) source_drops_(s.edge, na - 1) += s.value;
}

void Responses::update(const Vector& w) {
  response_->set_parameters(w);
  w_ = w;
  const auto& reduced = response_->reduced();
  const Index na = task_->num_inputs() + 1;
  const Index n = model_->num_dofs();
  // Unit responses: channel j alone at 1 (fixed values zeroed); the last column carries the
  // fixed conditions alone.
  std::vector<Vector> offsets(static_cast<std::size_t>(na));
  rhs_x_.resize(reduced.size(), na);
  for (Index j = 0; j < na; ++j) {
    Vector values = Vector::Zero(task_->num_inputs());
    if (j < na - 1) values[j] = 1.0;
    const auto bc = task_->conditions(values, j == na - 1);
    offsets[static_cast<std::size_t>(j)] = reduced.offset(bc);
    rhs_x_.col(j) = reduced.reduced_rhs(w, physics::total_force(*model_, w, bc),
                                        offsets[static_cast<std::size_t>(j)]);
  }
  // Adjoint responses: a unit force along each readout row, every held dof at 0.
  const Vector zero = Vector::Zero(n);
  rhs_l_.resize(reduced.size(), task_->num_outputs());
  for (Index o = 0; o < task_->num_outputs(); ++o)
    rhs_l_.col(o) = reduced.reduced_rhs(w, Vector(p_.row(o).transpose()), zero);
  response_->solve_reduced(rhs_x_);
  response_->solve_reduced(rhs_l_);
  x_.resize(n, na);
  for (Index j = 0; j < na; ++j)
    x_.col(j) = reduced.expand(rhs_x_.col(j), offsets[static_cast<std::size_t>(j)]);
  lambda_.resize(n, task_->num_outputs());
  for (Index o = 0; o < task_->num_outputs(); ++o)
    lambda_.col(o) = reduced.expand(rhs_l_.col(o), zero);
  y_ = p_ * x_;
  s_ = p_ * lambda_;
  if (model_->rank_one()) {
    dx_ = b_ * x_ - source_drops_;
    dl_ = b_ * lambda_;
  }
}

Matrix Responses::outputs(const Matrix& inputs) const {
  require(inputs.cols() == task_->num_inputs(), "outputs", "wrong number of input columns (got ",
          inputs.cols(), ", need ", task_->num_inputs(), ")");
  return (inputs * y_.leftCols(task_->num_inputs()).transpose()).rowwise() +
         y_.col(task_->num_inputs()).transpose();
}

Matrix Responses::states(const Matrix& inputs) const {
  return (x_.leftCols(task_->num_inputs()) * inputs.transpose()).colwise() +
         x_.col(task_->num_inputs());
}

void Responses::drop_bilinear(const Matrix& u_drops, const Matrix& v_drops, const Matrix& q_moment,
                              Vector& out) const {
  // out_i = (DV_i Q) . DU_i
  out = (v_drops * q_moment).cwiseProduct(u_drops).rowwise().sum();
}

void Responses::stamp_bilinear(const Matrix& u_states, const Matrix& v_states,
                               const Matrix& q_moment, Vector& out) const {
  if (model_->rank_one()) {
    drop_bilinear(b_ * u_states, b_ * v_states, q_moment, out);
    return;
  }
  // out_i = sum_{r,c} S_i[r,c] (V Q)[d_c,:] . U[d_r,:]
  const Matrix vq = v_states * q_moment;
  out.resize(model_->num_parameters());
  for (Index i = 0; i < model_->num_parameters(); ++i) {
    const auto d = model_->stamp_dofs(i);
    const auto s = model_->stamp_matrix(i);
    const std::size_t k = d.size();
    double acc = 0.0;
    for (std::size_t r = 0; r < k; ++r)
      for (std::size_t c = 0; c < k; ++c)
        if (s[r * k + c] != 0.0) acc += s[r * k + c] * vq.row(d[c]).dot(u_states.row(d[r]));
    out[i] = acc;
  }
}

}  // namespace plnet::learning
