#include <plnet/analysis/cost_hessian_operator.hpp>
#include <plnet/core/error.hpp>
#include <plnet/core/random.hpp>

#include <Spectra/SymEigsSolver.h>

#include <algorithm>

namespace plnet::analysis {
namespace {

// Spectra holds its operator by non-const reference; the products themselves are const.
class ConstOp {
 public:
  using Scalar = double;
  explicit ConstOp(const CostHessianOperator& op) : op_(op) {}
  Index rows() const { return op_.rows(); }
  Index cols() const { return op_.cols(); }
  void perform_op(const double* x, double* y) const { op_.perform_op(x, y); }

 private:
  const CostHessianOperator& op_;
};

}  // namespace

CostHessianOperator::CostHessianOperator(const learning::Responses& responses,
                                         const learning::Batch& batch, const learning::Loss& loss,
                                         CostHessianPart part)
    : responses_(&responses), part_(part), m_(responses.model().num_parameters()) {
  const auto& task = responses.task();
  const auto& model = responses.model();
  require(model.rank_one(), "CostHessianOperator",
          "needs a difference (rank-one) network (got a node network)");
  require(responses.parameters().size() == m_, "CostHessianOperator",
          "responses have no parameters yet (call update(w) first)");
  require(batch.inputs.cols() == task.num_inputs() && batch.targets.rows() == batch.size() &&
              batch.targets.cols() == task.num_outputs(),
          "CostHessianOperator", "batch must be ", batch.size(), " x ", task.num_inputs(),
          " inputs and ", batch.size(), " x ", task.num_outputs(), " targets (got ",
          batch.inputs.cols(), " input and ", batch.targets.cols(), " target columns)");
  const Index ni = task.num_inputs();
  const Index nb = batch.size();
  const double scale = loss.scale(nb);
  a_.resize(ni + 1, nb);
  a_.topRows(ni) = batch.inputs.transpose();
  a_.row(ni).setOnes();
  const Matrix y = responses.output_map() * a_;
  Matrix g(task.num_outputs(), nb);
  for (Index s = 0; s < nb; ++s) {
    const Index label = batch.labels.empty() ? -1 : batch.labels[static_cast<std::size_t>(s)];
    const Vector target = batch.targets.row(s).transpose();
    g.col(s) = scale * loss.gradient(y.col(s), target, label);
    c2_.push_back(scale * loss.hessian(y.col(s), target, label));
  }
  q_ = g * a_.transpose();
  // T^T B^T as a sparse matrix: column i is T^T b_i (held dofs drop out).
  const auto& reduced = responses.response().reduced();
  std::vector<Eigen::Triplet<double, int>> trip;
  for (Index i = 0; i < m_; ++i) {
    const auto dofs = model.stamp_dofs(i);
    const auto b = model.stamp_vector(i);
    for (std::size_t k = 0; k < dofs.size(); ++k)
      for (const auto& term : reduced.row(dofs[k]))
        trip.emplace_back(static_cast<int>(term.free), static_cast<int>(i),
                          term.coefficient * b[k]);
  }
  tbt_.resize(reduced.size(), m_);
  tbt_.setFromTriplets(trip.begin(), trip.end());
}

Vector CostHessianOperator::saturated_product(const Vector& u) const {
  require(u.size() == m_, "CostHessianOperator", "vector has length ", u.size(), " (need M = ", m_,
          ")");
  const Matrix& dx = responses_->unit_drops();               // M x n_a
  const Matrix& dl = responses_->adjoint_drops();            // M x n_out
  const Matrix pu = dl.transpose() * (u.asDiagonal() * dx);  // n_out x n_a
  Matrix w = Matrix::Zero(a_.rows(), dl.cols());             // n_a x n_out
  for (Index s = 0; s < a_.cols(); ++s)
    w.noalias() += a_.col(s) * (c2_[static_cast<std::size_t>(s)] * (pu * a_.col(s))).transpose();
  // out_i = DX_i^T W DL_i
  return (dx * w).cwiseProduct(dl).rowwise().sum();
}

Vector CostHessianOperator::dynamic_product(const Vector& u) const {
  require(u.size() == m_, "CostHessianOperator", "vector has length ", u.size(), " (need M = ", m_,
          ")");
  const Matrix& dx = responses_->unit_drops();
  const Matrix& dl = responses_->adjoint_drops();
  const Index na = dx.cols();
  const Index no = dl.cols();
  Matrix sources(m_, na + no);
  sources.leftCols(na) = u.asDiagonal() * dx;
  sources.rightCols(no) = u.asDiagonal() * dl;
  Matrix z = tbt_ * sources;  // T^T B^T [diag(u) DX, diag(u) DL]
  responses_->response().solve_reduced(z);
  const Matrix y = tbt_.transpose() * z;                         // B G B^T [...]: M x (n_a + n_out)
  const Matrix term1 = (dl * q_).cwiseProduct(y.leftCols(na));   // sum_op DL_io Q_op Y1_ip
  const Matrix term2 = (y.rightCols(no) * q_).cwiseProduct(dx);  // sum_op Y2_io Q_op DX_ip
  return term1.rowwise().sum() + term2.rowwise().sum();
}

Vector CostHessianOperator::product(const Vector& u) const {
  ++products_;
  switch (part_) {
    case CostHessianPart::kSaturated:
      return saturated_product(u);
    case CostHessianPart::kDynamic:
      return dynamic_product(u);
    case CostHessianPart::kTotal:
      break;
  }
  return saturated_product(u) + dynamic_product(u);
}

void CostHessianOperator::perform_op(const double* x_in, double* y_out) const {
  const Eigen::Map<const Vector> x(x_in, m_);
  Eigen::Map<Vector>(y_out, m_) = product(Vector(x));
}

StiffModes stiffest_cost_modes(const CostHessianOperator& op, Index k, Index ncv, double tolerance,
                               Index max_iterations) {
  const Index m = op.rows();
  require(k >= 1 && k < m, "stiffest_cost_modes", "k must be in [1, M - 1] (got ", k, ", M = ", m,
          ")");
  if (ncv == 0) ncv = std::max<Index>(2 * k + 1, 20);
  ncv = std::min(ncv, m);
  require(ncv > k, "stiffest_cost_modes", "ncv must exceed k (got ncv = ", ncv, ", k = ", k, ")");
  require(tolerance > 0.0, "stiffest_cost_modes", "tolerance must be > 0 (got ", tolerance, ")");
  const Index before = op.num_products();
  ConstOp adapter(op);
  Spectra::SymEigsSolver<ConstOp> eigs(adapter, k, ncv);
  // Reproducible start: ones plus a seeded perturbation (a constant vector alone can be
  // orthogonal to a mode by symmetry).
  random::Engine engine(12345);
  Vector start(m);
  for (Index i = 0; i < m; ++i) start[i] = 1.0 + 0.5 * random::uniform(engine, -1.0, 1.0);
  eigs.init(start.data());
  eigs.compute(Spectra::SortRule::LargestAlge, max_iterations, tolerance,
               Spectra::SortRule::LargestAlge);
  StiffModes out;
  out.converged = eigs.info() == Spectra::CompInfo::Successful;
  out.iterations = eigs.num_iterations();
  out.values = eigs.eigenvalues();
  out.modes = eigs.eigenvectors();
  out.products = op.num_products() - before;
  return out;
}

}  // namespace plnet::analysis
