// smallest_eigenvalue: both paths (dense, Lanczos) against a closed form and against Eigen's
// dense symmetric eigensolver on an indefinite sparse matrix.
#include <plnet/solver/smallest_eigenvalue.hpp>

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include <cmath>
#include <random>
#include <vector>

namespace plnet::solver {
namespace {

// Path graph Laplacian plus shift s: eigenvalues s + 2 - 2 cos(pi k / n), k = 0..n-1.
SparseMatrix shifted_path_laplacian(Index n, double shift) {
  std::vector<Eigen::Triplet<double, int>> t;
  for (Index i = 0; i < n; ++i) {
    const double degree = (i == 0 || i == n - 1) ? 1.0 : 2.0;
    t.emplace_back(static_cast<int>(i), static_cast<int>(i), degree + shift);
    if (i + 1 < n) {
      t.emplace_back(static_cast<int>(i), static_cast<int>(i + 1), -1.0);
      t.emplace_back(static_cast<int>(i + 1), static_cast<int>(i), -1.0);
    }
  }
  SparseMatrix a(n, n);
  a.setFromTriplets(t.begin(), t.end());
  return a;
}

TEST(SmallestEigenvalue, ClosedFormOnBothPaths) {
  // The path Laplacian's smallest eigenvalue is 0 (the constant vector): shifted by -0.3 the
  // matrix is indefinite with smallest eigenvalue exactly -0.3.
  const SparseMatrix a = shifted_path_laplacian(60, -0.3);
  // Dense: backward stable, ~1e-15 of ||A|| ~ 4. Lanczos: converged to 1e-10 relative.
  EXPECT_NEAR(smallest_eigenvalue(a), -0.3, 1e-13);
  EXPECT_NEAR(smallest_eigenvalue(a, 5), -0.3, 1e-8);
}

TEST(SmallestEigenvalue, RandomIndefiniteSparseMatrixAgainstDenseEigen) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> pick(0, 79);
  const Index n = 80;
  std::vector<Eigen::Triplet<double, int>> t;
  for (int k = 0; k < 300; ++k) {
    const int i = pick(rng), j = pick(rng);
    const double v = normal(rng);
    t.emplace_back(i, j, v);
    t.emplace_back(j, i, v);
  }
  SparseMatrix a(n, n);
  a.setFromTriplets(t.begin(), t.end());
  const Matrix dense(a);
  const double reference = Eigen::SelfAdjointEigenSolver<Matrix>(dense).eigenvalues()[0];
  ASSERT_LT(reference, 0.0);
  EXPECT_NEAR(smallest_eigenvalue(a), reference, 1e-12 * std::abs(reference) + 1e-13);
  // Lanczos to 1e-10 relative of the Ritz value.
  EXPECT_NEAR(smallest_eigenvalue(a, 10), reference, 1e-8 * std::abs(reference));
}

}  // namespace
}  // namespace plnet::solver
