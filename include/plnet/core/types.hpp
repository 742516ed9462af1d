#pragma once
/// Basic numeric types shared by every module.

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <cstdint>

namespace plnet {

using Index = std::int64_t;  ///< node, edge and degree-of-freedom indices
using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;
using SparseMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;

}  // namespace plnet
