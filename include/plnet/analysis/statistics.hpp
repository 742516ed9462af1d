#pragma once
/// Statistics used to read the imprint of learning (000 Figs. 4-6, 002, 003): correlation of
/// susceptibilities with stiff-mode entries, significance, participation ratios.
///
///   Pearson   r = sum (x - <x>)(y - <y>) / sqrt(sum (x - <x>)^2 sum (y - <y>)^2)
///   Spearman  rho = Pearson r of the ranks; tied values share the average of their ranks
///             (fractional ranking), so rho = 1 - 6 sum d^2 / (n (n^2 - 1)) only without ties.
///   p-value   two-sided, from t = r sqrt((n - 2) / (1 - r^2)) ~ Student t with n - 2 degrees
///             of freedom (exact for Pearson under bivariate normal independence; the usual
///             large-n approximation for Spearman), or by a permutation test.
///   participation ratio  PR(v) = (sum v_i^2)^2 / sum v_i^4, between 1 (one entry) and n (all
///             entries equal in magnitude) (003 eq. 29).

#include <plnet/core/random.hpp>
#include <plnet/core/types.hpp>

namespace plnet::analysis {

struct Correlation {
  double coefficient = 0.0;  ///< r (Pearson) or rho (Spearman), in [-1, 1]
  double p_value = 1.0;      ///< two-sided, Student t with n - 2 degrees of freedom
  Index n = 0;               ///< number of pairs
};

/// Pearson correlation of two equal-length vectors (n >= 3, neither constant). Throws
/// std::invalid_argument naming the offending argument otherwise.
Correlation pearson_correlation(const Vector& x, const Vector& y);

/// Spearman rank correlation with average ranks for ties (n >= 3, neither constant).
Correlation spearman_correlation(const Vector& x, const Vector& y);

/// Fractional (average) ranks, 1-based: the smallest value has rank 1, a group of t tied
/// values occupying ranks r..r+t-1 all get r + (t - 1)/2. Length of x; NaN is rejected.
Vector average_ranks(const Vector& x);

enum class CorrelationKind { kPearson, kSpearman };

struct PermutationTest {
  double coefficient = 0.0;  ///< the observed statistic
  double p_value = 1.0;      ///< (1 + #{|r_perm| >= |r_obs|}) / (1 + permutations), two-sided
  Index permutations = 0;
};

/// Two-sided permutation test of zero correlation: y is shuffled `permutations` times
/// (random::shuffle, deterministic given `seed`). The +1 in numerator and denominator makes
/// the p-value valid (never 0) (Phipson & Smyth 2010).
PermutationTest correlation_permutation_test(const Vector& x, const Vector& y, CorrelationKind kind,
                                             Index permutations, std::uint64_t seed);

/// Two-sided p-value of a correlation coefficient r over n pairs from the Student t
/// distribution with n - 2 degrees of freedom (|r| = 1 gives 0).
double correlation_p_value(double r, Index n);

/// (sum v_i^2)^2 / sum v_i^4 (003 eq. 29); throws for a zero vector.
double participation_ratio(const Vector& v);

}  // namespace plnet::analysis
