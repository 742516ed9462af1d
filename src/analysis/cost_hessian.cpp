// Derivation (difference networks, H(w) = sum_i w_i b_i b_i^T, docs/conventions.md).
//
// Eliminated form: x = T z + t_j for column j of the unit responses (t_j holds the held and
// constrained values, independent of w). Column j solves
//     H_r z_j = T^T (F_j + sum_i w_i s_ji b_i - H t_j),     H_r = T^T H T,
// with s_ji the edge source of column j on edge i (non-zero only for edge-source inputs).
// Differentiating and writing G = T H_r^-1 T^T (the Green's function, held dofs at 0):
//     dx_j/dw_i = G (s_ji b_i - b_i b_i^T x_j) = -G b_i v_ij,      v_ij = b_i . x_j - s_ji,
// i.e. the resistor drop of edge i (Responses::unit_drops, DX) drives the response. For a
// sample, x_s = X a_s and v_i(s) = (DX a_s)_i. With y = P x and Lambda = G P^T:
//     J_s(:, i) = dy_s/dw_i = -P G b_i v_i(s) = -DL_i v_i(s),        DL = B Lambda (M x n_out).
// Second derivatives: dG/dw_j = -G b_j b_j^T G, and the right-hand side is linear in w, so
//     d(P G b_i)/dw_j = -DL_j (b_j^T G b_i),     d v_i(s)/dw_j = -(b_i^T G b_j) v_j(s),
//     d2y_s/dw_i dw_j = Gbb_ij [DL_j v_i(s) + DL_i v_j(s)],         Gbb = B G B^T.
// With g_s = scale dc/dy_s and c''_s = scale d2c/dy2_s:
//     H_sat_ij = sum_s v_i(s) v_j(s) DL_i^T c''_s DL_j
//     H_dyn_ij = Gbb_ij (R_ij + R_ji),   R = DL Q DX^T,   Q = sum_s g_s a_s^T (n_out x n_a).
// H_dyn costs two small products independent of the batch size; H_sat is accumulated per
// sample (c''_s depends on the sample for non-quadratic losses).
#include <plnet/analysis/cost_hessian.hpp>
#include <plnet/core/error.hpp>

namespace plnet::analysis {
namespace {

void check_batch(const learning::Responses& r, const learning::Batch& batch) {
  const auto& task = r.task();
  require(r.model().rank_one(), "cost_hessian",
          "needs a difference (rank-one) network (got a node network)");
  require(r.parameters().size() == r.model().num_parameters(), "cost_hessian",
          "responses have no parameters yet (call update(w) first)");
  require(batch.inputs.cols() == task.num_inputs(), "cost_hessian", "batch inputs have ",
          batch.inputs.cols(), " columns (need ", task.num_inputs(), ")");
  require(batch.targets.rows() == batch.size() && batch.targets.cols() == task.num_outputs(),
          "cost_hessian", "targets must be ", batch.size(), " x ", task.num_outputs(), " (got ",
          batch.targets.rows(), " x ", batch.targets.cols(), ")");
}

}  // namespace

Matrix edge_green_matrix(const learning::Responses& responses) {
  const auto& model = responses.model();
  require(model.rank_one(), "edge_green_matrix",
          "needs a difference (rank-one) network (got a node network)");
  const auto& reduced = responses.response().reduced();
  const Index m = model.num_parameters();
  // T^T b_i as columns, then one blocked solve: Z = H_r^-1 T^T B^T.
  Matrix z = Matrix::Zero(reduced.size(), m);
  for (Index i = 0; i < m; ++i) {
    const auto dofs = model.stamp_dofs(i);
    const auto b = model.stamp_vector(i);
    for (std::size_t k = 0; k < dofs.size(); ++k)
      for (const auto& term : reduced.row(dofs[k])) z(term.free, i) += term.coefficient * b[k];
  }
  const Matrix tb = z;  // T^T B^T, kept for b_i^T T z_j = (T^T b_i) . z_j
  responses.response().solve_reduced(z);
  return tb.transpose() * z;  // symmetric up to solver round-off (tested)
}

CostHessian cost_hessian(const learning::Responses& responses, const learning::Batch& batch,
                         const learning::Loss& loss) {
  check_batch(responses, batch);
  const Index ni = responses.task().num_inputs();
  const Index nb = batch.size();
  const Index m = responses.model().num_parameters();
  const Matrix& dx = responses.unit_drops();     // M x n_a
  const Matrix& dl = responses.adjoint_drops();  // M x n_out
  const double scale = loss.scale(nb);

  Matrix a(ni + 1, nb);
  a.topRows(ni) = batch.inputs.transpose();
  a.row(ni).setOnes();
  const Matrix y = responses.output_map() * a;  // n_out x n_b
  const Matrix v = dx * a;                      // M x n_b: drops v_i(s)

  CostHessian out;
  out.saturated = Matrix::Zero(m, m);
  Matrix g(responses.task().num_outputs(), nb);
  Matrix jt(m, responses.task().num_outputs());  // J_s^T up to sign (the sign cancels)
  for (Index s = 0; s < nb; ++s) {
    const Index label = batch.labels.empty() ? -1 : batch.labels[static_cast<std::size_t>(s)];
    const Vector target = batch.targets.row(s).transpose();
    g.col(s) = scale * loss.gradient(y.col(s), target, label);
    const Matrix c2 = scale * loss.hessian(y.col(s), target, label);
    jt = v.col(s).asDiagonal() * dl;
    out.saturated.noalias() += jt * (c2 * jt.transpose());
  }
  const Matrix r = dl * (g * a.transpose()) * dx.transpose();  // M x M
  out.dynamic = edge_green_matrix(responses).cwiseProduct(r + r.transpose());
  out.total = out.saturated + out.dynamic;
  return out;
}

}  // namespace plnet::analysis
