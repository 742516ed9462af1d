#include <plnet/core/error.hpp>
#include <plnet/solver/smallest_eigenvalue.hpp>

#include <Spectra/MatOp/SparseSymMatProd.h>
#include <Spectra/SymEigsSolver.h>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <limits>

namespace plnet::solver {

double smallest_eigenvalue(const SparseMatrix& a, Index dense_limit) {
  require(a.rows() == a.cols(), "smallest_eigenvalue", "matrix must be square (got ", a.rows(),
          " x ", a.cols(), ")");
  const Index n = a.rows();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  if (n <= std::max<Index>(dense_limit, 2)) {  // Lanczos needs n > 2
    const Matrix dense(a);
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(dense, Eigen::EigenvaluesOnly);
    if (eig.info() != Eigen::Success) return std::numeric_limits<double>::quiet_NaN();
    return eig.eigenvalues()[0];
  }
  // Lanczos for the smallest algebraic eigenvalue; only on an error path, so its speed (slow
  // when the lower end of the spectrum is clustered) does not matter much.
  Spectra::SparseSymMatProd<double> op(a);
  Spectra::SymEigsSolver<decltype(op)> eigs(op, 1, std::min<Index>(n, 40));
  eigs.init();
  // 1e-10 relative: far below the sizes that tell "indefinite" from "singular".
  eigs.compute(Spectra::SortRule::SmallestAlge, 10000, 1e-10, Spectra::SortRule::SmallestAlge);
  if (eigs.info() != Spectra::CompInfo::Successful) return std::numeric_limits<double>::quiet_NaN();
  return eigs.eigenvalues()[0];
}

}  // namespace plnet::solver
