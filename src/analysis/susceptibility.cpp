#include <plnet/analysis/susceptibility.hpp>
#include <plnet/core/error.hpp>
#include <plnet/physics/linear_response.hpp>

#include <Eigen/Dense>

namespace plnet::analysis {
namespace {

Eigen::PartialPivLU<Matrix> bordered_lu(const physics::LinearModel& model, const Vector& w,
                                        const physics::BoundaryConditions& bc,
                                        const std::string& where) {
  require(model.rank_one(), where, "needs a difference (rank-one) network (got a node network)");
  physics::validate(model, bc);
  model.check_parameters(w, where);
  return Eigen::PartialPivLU<Matrix>(Matrix(physics::bordered_matrix(model, w, bc)));
}

// [F; c] for conditions without edge sources.
Vector extended_force(const physics::LinearModel& model, const physics::BoundaryConditions& bc) {
  const Index n = model.num_dofs();
  Vector f = Vector::Zero(n + static_cast<Index>(bc.holds.size() + bc.constraints.size()));
  for (const auto& inj : bc.injections) f[inj.dof] += inj.amount;
  Index row = n;
  for (const auto& h : bc.holds) f[row++] = h.value;
  for (const auto& c : bc.constraints) f[row++] = c.value;
  return f;
}

}  // namespace

Matrix susceptibility_vectors(const physics::LinearModel& model, const Vector& w,
                              const physics::BoundaryConditions& bc) {
  const auto lu = bordered_lu(model, w, bc, "susceptibility_vectors");
  const Index n_ext = lu.rows();
  const Index m = model.num_parameters();
  Matrix rhs = Matrix::Zero(n_ext, m);  // columns [b_i; 0]
  for (Index i = 0; i < m; ++i) {
    const auto dofs = model.stamp_dofs(i);
    const auto b = model.stamp_vector(i);
    for (std::size_t k = 0; k < dofs.size(); ++k) rhs(dofs[k], i) += b[k];
  }
  Matrix s = lu.solve(rhs).transpose();  // K symmetric: rows s_i^T = [b_i; 0]^T K^-1
  require(s.allFinite(), "susceptibility_vectors", "the bordered matrix is singular");
  return s;
}

Vector susceptibility_norms(const physics::LinearModel& model, const Vector& w,
                            const physics::BoundaryConditions& bc) {
  return susceptibility_vectors(model, w, bc).rowwise().squaredNorm();
}

std::vector<double> TrainingTensor::dense() const {
  const Index n = inputs.rows();
  const auto nn = static_cast<std::size_t>(n);
  std::vector<double> out(nn * nn * nn * nn, 0.0);
  for (std::size_t r = 0; r < metrics.size(); ++r) {
    const Matrix middle = readout.transpose() * metrics[r] * readout;  // n_ext x n_ext
    const auto in = inputs.col(static_cast<Index>(r));
    for (Index a = 0; a < n; ++a)
      for (Index b = 0; b < n; ++b)
        for (Index c = 0; c < n; ++c)
          for (Index d = 0; d < n; ++d)
            out[((static_cast<std::size_t>(a) * nn + static_cast<std::size_t>(b)) * nn +
                 static_cast<std::size_t>(c)) *
                    nn +
                static_cast<std::size_t>(d)] += in[a] * middle(b, c) * in[d];
  }
  return out;
}

TrainingTensor training_tensor(const physics::LinearModel& model, const Vector& w,
                               const learning::Task& task, const learning::Batch& batch,
                               const learning::Loss& loss) {
  task.validate(model);
  require(task.fixed.edge_sources.empty(), "training_tensor",
          "edge sources make the extended force depend on w; L : S does not apply (got ",
          task.fixed.edge_sources.size(), " fixed edge sources)");
  for (const auto& in : task.inputs)
    require(in.kind != learning::InputKind::kEdgeSource, "training_tensor",
            "edge-source inputs make the extended force depend on w; L : S does not apply (input '",
            in.name, "')");
  require(batch.inputs.cols() == task.num_inputs() && batch.targets.rows() == batch.size() &&
              batch.targets.cols() == task.num_outputs(),
          "training_tensor", "batch must be ", batch.size(), " x ", task.num_inputs(),
          " inputs and ", batch.size(), " x ", task.num_outputs(), " targets (got ",
          batch.inputs.cols(), " input and ", batch.targets.cols(), " target columns)");
  const auto structure = task.conditions(Vector::Zero(task.num_inputs()));
  const auto lu = bordered_lu(model, w, structure, "training_tensor");
  const Index n_ext = lu.rows();

  TrainingTensor l;
  l.readout = Matrix::Zero(task.num_outputs(), n_ext);
  for (Index o = 0; o < task.num_outputs(); ++o) {
    const auto& r = task.outputs[static_cast<std::size_t>(o)];
    for (std::size_t j = 0; j < r.dofs.size(); ++j) l.readout(o, r.dofs[j]) += r.coefficients[j];
  }
  const Index nb = batch.size();
  const double scale = loss.scale(nb);
  l.inputs.resize(n_ext, nb);
  for (Index s = 0; s < nb; ++s) {
    l.inputs.col(s) = extended_force(model, task.conditions(batch.inputs.row(s).transpose()));
    const Vector y = l.readout * lu.solve(l.inputs.col(s));
    const Index label = batch.labels.empty() ? -1 : batch.labels[static_cast<std::size_t>(s)];
    l.metrics.push_back(scale * loss.hessian(y, batch.targets.row(s).transpose(), label));
  }
  return l;
}

Matrix double_dot(const TrainingTensor& l, const Matrix& s) {
  require(s.cols() == l.inputs.rows(), "double_dot", "susceptibility vectors have ", s.cols(),
          " entries (need n_ext = ", l.inputs.rows(), ")");
  const Matrix drive = s * l.inputs;                 // M x R: I_r . s_i
  const Matrix outputs = s * l.readout.transpose();  // M x n_out: Q_o s_i
  Matrix out = Matrix::Zero(s.rows(), s.rows());
  for (std::size_t r = 0; r < l.metrics.size(); ++r) {
    const Matrix j = drive.col(static_cast<Index>(r)).asDiagonal() * outputs;  // M x n_out
    out.noalias() += j * l.metrics[r] * j.transpose();
  }
  return out;
}

}  // namespace plnet::analysis
