#include <plnet/core/error.hpp>
#include <plnet/learning/loss.hpp>

#include <cmath>

namespace plnet::learning {
namespace {

// Active (non-NaN) target entries.
Eigen::ArrayXd mask_of(const Vector& target) {
  return target.array().isNaN().select(Eigen::ArrayXd::Zero(target.size()), 1.0);
}
Vector masked(const Vector& target) {
  return target.array().isNaN().select(0.0, target.array());
}

}  // namespace

double Loss::value(const Vector& y, const Vector& target, Index label) const {
  switch (kind) {
    case LossKind::kMse: {
      const Eigen::ArrayXd m = mask_of(target);
      return 0.5 * ((y - masked(target)).array().square() * m).sum();
    }
    case LossKind::kCosine: {
      const Vector t = masked(target);
      return 1.0 - y.dot(t) / (y.norm() * t.norm());
    }
    case LossKind::kHinge: {
      if (y.size() == 1) return std::max(0.0, margin - (label == 1 ? 1.0 : -1.0) * y[0]);
      double c = 0.0;
      for (Index o = 0; o < y.size(); ++o)
        if (o != label) c += std::max(0.0, margin - (y[label] - y[o]));
      return c;
    }
    case LossKind::kCrossEntropy: {
      const double m = y.maxCoeff();
      return -(y[label] - m) + std::log((y.array() - m).exp().sum());
    }
    case LossKind::kGatedMse: {
      if (predicted_class(y) == label) return 0.0;
      const Eigen::ArrayXd m = mask_of(target);
      return 0.5 * ((y - masked(target)).array().square() * m).sum();
    }
  }
  return 0.0;
}

Vector Loss::gradient(const Vector& y, const Vector& target, Index label) const {
  switch (kind) {
    case LossKind::kMse:
      return ((y - masked(target)).array() * mask_of(target)).matrix();
    case LossKind::kCosine: {
      // d/dy [-(y.t)/(|y||t|)] = -t/(|y||t|) + (y.t) y / (|y|^3 |t|)
      const Vector t = masked(target);
      const double ny = y.norm(), nt = t.norm();
      return -t / (ny * nt) + (y.dot(t) / (ny * ny * ny * nt)) * y;
    }
    case LossKind::kHinge: {
      Vector g = Vector::Zero(y.size());
      if (y.size() == 1) {
        const double s = label == 1 ? 1.0 : -1.0;
        if (margin - s * y[0] > 0.0) g[0] = -s;
        return g;
      }
      for (Index o = 0; o < y.size(); ++o) {
        if (o == label || margin - (y[label] - y[o]) <= 0.0) continue;
        g[o] += 1.0;
        g[label] -= 1.0;
      }
      return g;
    }
    case LossKind::kCrossEntropy: {
      const double m = y.maxCoeff();
      Vector p = (y.array() - m).exp().matrix();
      p /= p.sum();
      p[label] -= 1.0;
      return p;
    }
    case LossKind::kGatedMse:
      if (predicted_class(y) == label) return Vector::Zero(y.size());
      return ((y - masked(target)).array() * mask_of(target)).matrix();
  }
  return Vector::Zero(y.size());
}

Matrix Loss::hessian(const Vector& y, const Vector& target, Index label) const {
  const Index n = y.size();
  switch (kind) {
    case LossKind::kMse:
      return mask_of(target).matrix().asDiagonal();
    case LossKind::kCosine: {
      // f = u.t with u = y/|y| has Hessian [-(u t^T + t u^T) + (u.t)(3 u u^T - I)] / |y|^2,
      // and c = 1 - f/|t|.
      const Vector t = masked(target);
      const double ny = y.norm(), nt = t.norm();
      const Vector u = y / ny;
      const double ut = u.dot(t);
      const Matrix h = (t * u.transpose() + u * t.transpose()) -
                       ut * (3.0 * u * u.transpose() - Matrix::Identity(n, n));
      return h / (ny * ny * nt);
    }
    case LossKind::kHinge:
      return Matrix::Zero(n, n);
    case LossKind::kCrossEntropy: {
      const double m = y.maxCoeff();
      Vector p = (y.array() - m).exp().matrix();
      p /= p.sum();
      return Matrix(p.asDiagonal()) - p * p.transpose();
    }
    case LossKind::kGatedMse:
      if (predicted_class(y) == label) return Matrix::Zero(n, n);
      return mask_of(target).matrix().asDiagonal();
  }
  return Matrix::Zero(n, n);
}

double Loss::scale(Index num_samples) const {
  return reduction == Reduction::kMean ? 1.0 / static_cast<double>(num_samples) : 1.0;
}

LossKind loss_kind_from_string(const std::string& name) {
  if (name == "mse") return LossKind::kMse;
  if (name == "cosine") return LossKind::kCosine;
  if (name == "hinge") return LossKind::kHinge;
  if (name == "xent" || name == "cross-entropy") return LossKind::kCrossEntropy;
  if (name == "gated_mse") return LossKind::kGatedMse;
  throw std::invalid_argument(concat("loss: unknown name (got '", name,
                                     "', need one of mse, cosine, hinge, xent, gated_mse)"));
}

std::string to_string(LossKind kind) {
  switch (kind) {
    case LossKind::kMse:
      return "mse";
    case LossKind::kCosine:
      return "cosine";
    case LossKind::kHinge:
      return "hinge";
    case LossKind::kCrossEntropy:
      return "xent";
    case LossKind::kGatedMse:
      return "gated_mse";
  }
  return "unknown";
}

Reduction reduction_from_string(const std::string& name) {
  if (name == "sum") return Reduction::kSum;
  if (name == "mean") return Reduction::kMean;
  throw std::invalid_argument(
      concat("reduction: unknown name (got '", name, "', need sum or mean)"));
}

std::string to_string(Reduction reduction) {
  return reduction == Reduction::kSum ? "sum" : "mean";
}

Index predicted_class(const Vector& y) {
  if (y.size() == 1) return y[0] > 0.0 ? 1 : 0;
  Index best = 0;
  y.maxCoeff(&best);
  return best;
}

double accuracy(const Matrix& outputs, const std::vector<Index>& labels) {
  require(outputs.rows() == static_cast<Index>(labels.size()), "accuracy",
          "one label per sample needed (got ", labels.size(), " for ", outputs.rows(), ")");
  if (labels.empty()) return 0.0;
  Index correct = 0;
  for (Index s = 0; s < outputs.rows(); ++s) {
    const Index best = predicted_class(outputs.row(s).transpose());
    correct += (best == labels[static_cast<std::size_t>(s)]) ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

}  // namespace plnet::learning
