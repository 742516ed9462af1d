#pragma once
/// Per-sample costs on the outputs y of a network and their gradients dc/dy.
///
///   mse      c = 1/2 sum_o (y_o - t_o)^2
///   cosine   c = 1 - y.t / (|y| |t|)                   (000's classification cost)
///   hinge    one output (004 App. M eq. 151): c = max(0, margin - s y), s = +1 for label 1
///            and -1 for label 0; several outputs: c = sum_{o != l} max(0, margin - (y_l - y_o))
///   xent     c = -log softmax(y)_l                     (003's Iris classification)
///   gated_mse  c = 1/2 sum_o (y_o - t_o)^2 if the sample is misclassified (winner-take-all,
///            as accuracy()), else 0: 003 App. A's classification rule as written there ("the
///            same as Eq. 10 for specimens that are not classified correctly, while the output
///            force vanishes for specimens that are classified correctly"); targets one-hot.
///            Piecewise: c jumps where the winner changes, elsewhere dc/dy is that of mse or 0.
///
/// The batch cost is the sum or the mean of the per-sample costs (Reduction); physics.md
/// section 3: 000 sums, 003 averages. Every logged number says which was used.

#include <plnet/core/types.hpp>

#include <string>
#include <vector>

namespace plnet::learning {

enum class LossKind { kMse, kCosine, kHinge, kCrossEntropy, kGatedMse };
enum class Reduction { kSum, kMean };

struct Loss {
  LossKind kind = LossKind::kMse;
  Reduction reduction = Reduction::kSum;
  double margin = 1.0;  ///< hinge only

  /// c for one sample. `label` is the class index (hinge, xent); `target` the desired
  /// outputs (mse, cosine). Entries of `target` that are NaN are unconstrained (masked).
  double value(const Vector& y, const Vector& target, Index label) const;
  /// dc/dy for one sample (zero on masked outputs).
  Vector gradient(const Vector& y, const Vector& target, Index label) const;
  /// d2c/dy2 for one sample (n_out x n_out; the hinge's generalised Hessian is zero).
  Matrix hessian(const Vector& y, const Vector& target, Index label) const;
  /// 1 for sums, 1/n for means over n samples.
  double scale(Index num_samples) const;
};

/// "mse", "cosine", "hinge", "xent" (also "cross-entropy"), "gated_mse"; throws listing the
/// known names.
LossKind loss_kind_from_string(const std::string& name);
std::string to_string(LossKind kind);
Reduction reduction_from_string(const std::string& name);
std::string to_string(Reduction reduction);

/// Winner-take-all class of one sample's outputs: the argmax, or for a single output its sign
/// (1 if y > 0, else 0; 004 App. M).
Index predicted_class(const Vector& y);

/// Winner-take-all accuracy: fraction of rows of `outputs` (samples x outputs) whose argmax is
/// the label.
double accuracy(const Matrix& outputs, const std::vector<Index>& labels);

}  // namespace plnet::learning
