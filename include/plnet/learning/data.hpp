#pragma once
/// The data layer of the learning engine: CSV tables, datasets (inputs, targets, class labels),
/// target and input encodings, seeded train/test splits, feature scaling, PCA, the shipped
/// Iris and Wisconsin breast cancer tables, and the synthetic tasks of papers 000, 003 and 004.
///
/// Shapes: every sample matrix is samples x features (one row per sample). Every random draw
/// comes from std::mt19937_64 through the hand-written helpers in `sampling` below (the std::
/// distributions are implementation-defined), so a seed gives the same bits with any standard
/// library; normal draws also call std::log and std::sqrt (glibc's are correctly rounded).

#include <plnet/core/random.hpp>
#include <plnet/core/types.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace plnet::learning {

// ---------------------------------------------------------------------------------------------
// Random draws

/// The portable draws of core/random.hpp under their historical name here.
namespace sampling = ::plnet::random;

// ---------------------------------------------------------------------------------------------
// CSV tables

/// How read_csv interprets a file. The label column (at most one) may hold any strings; every
/// other cell must be a finite number.
struct CsvOptions {
  bool header = true;        ///< first non-blank line holds the column names
  char delimiter = ',';      ///< not '"', '\n' or '\r'
  std::string label_column;  ///< name of the label column (needs `header`); "" = none
  Index label_index = -1;    ///< or its 0-based position; -1 = none (not both)
  void validate() const;
};

/// A parsed CSV file: numeric columns in `values`, the label column kept apart as strings.
struct Table {
  std::vector<std::string> columns;  ///< names of the numeric columns, in file order
                                     ///< ("column_<j>" with j 1-based when there is no header)
  Matrix values;                     ///< rows x columns.size()
  std::vector<std::string> labels;   ///< label cell per row; empty without a label column
  std::string label_name;            ///< the label column's name ("" when there is none)
};

/// Reads a delimited text file. Blank lines are skipped; "\r\n" line ends are accepted; cells
/// are trimmed of spaces and tabs (unless the delimiter is one) and may be double-quoted
/// ("" inside quotes is a quote; a quoted cell cannot span lines). Numbers are parsed with
/// std::from_chars (locale-independent, correctly rounded); "nan" and "inf" are rejected.
/// Every error is one std::invalid_argument line naming file, line, column and value, e.g.
///   iris.csv: line 7, column 3 ('petal_length'): not a number (got "abc")
/// Rows with a different number of cells than the header (or first row) are rejected.
Table read_csv(const std::string& path, const CsvOptions& options = {});

/// Writes `table` (header, numeric columns, then the label column if `labels` is non-empty)
/// with the shortest decimal form that reads back to the same double (std::to_chars), so
/// read_csv(write_csv(t)) returns t bit for bit. Atomic (io::write_atomically).
void write_csv(const std::string& path, const Table& table, char delimiter = ',');

// ---------------------------------------------------------------------------------------------
// Datasets

/// Samples with their targets and, for classification, class labels.
struct Dataset {
  Matrix inputs;                           ///< samples x features
  Matrix targets;                          ///< samples x outputs (outputs may be 0)
  std::vector<Index> labels;               ///< class in [0, num_classes) per sample, or empty
  Index num_classes = 0;                   ///< 0 for regression
  std::vector<std::string> feature_names;  ///< features entries, or empty
  std::vector<std::string> class_names;    ///< num_classes entries, or empty
  std::string citation;                    ///< where the data come from

  Index num_samples() const { return inputs.rows(); }
  Index num_features() const { return inputs.cols(); }
  Index num_outputs() const { return targets.cols(); }
  /// Number of samples of each class (num_classes entries).
  std::vector<Index> class_counts() const;
  /// Throws std::invalid_argument naming the field when shapes disagree, a label is out of
  /// range or an input or target is not finite.
  void validate() const;
};

/// Class names in order of first appearance and the index of each entry among them.
struct ClassLabels {
  std::vector<Index> indices;      ///< one per entry of the input
  std::vector<std::string> names;  ///< distinct names, first appearance first
};
ClassLabels class_labels(const std::vector<std::string>& names);

/// samples x num_classes matrix with `high` at (r, labels[r]) and `low` elsewhere
/// (000 eq. 23 uses low = 0, high = 1: "class 2 corresponds to V^des = (0, 1, 0)").
Matrix one_hot(const std::vector<Index>& labels, Index num_classes, double low = 0.0,
               double high = 1.0);

/// A Dataset from a Table: the numeric columns named in `target_columns` become targets and
/// the other numeric columns inputs. A label column becomes class labels (class_labels order);
/// when `target_columns` is empty its one-hot encoding (0/1) becomes the targets.
Dataset dataset_from_table(const Table& table, const std::vector<std::string>& target_columns = {},
                           const std::string& citation = "");

/// The rows `rows` of `data` (in that order), with every other field copied.
Dataset subset(const Dataset& data, const std::vector<Index>& rows);

// ---------------------------------------------------------------------------------------------
// Train/test splits

/// Either a fraction of the samples (optionally per class) or a fixed count per class goes to
/// training. Draws: one shuffle of all rows, or with stratification one shuffle per class in
/// class order, all from one std::mt19937_64 seeded with `seed`.
struct SplitOptions {
  double train_fraction = 0.8;  ///< in [0, 1]; round(fraction * n) rows (per class if stratified)
  Index train_per_class = -1;   ///< >= 0: exactly this many rows of each class (overrides the
                                ///< fraction; stratified; 003 App. A Iris uses 10)
  bool stratify = false;        ///< apply train_fraction to each class separately
  std::uint64_t seed = 1;
  void validate() const;
};

struct Split {
  Dataset train;
  Dataset test;
  std::vector<Index> train_rows;  ///< rows of the input dataset, ascending
  std::vector<Index> test_rows;   ///< the complement, ascending
};

/// Seeded, deterministic split; both parts keep the input's row order.
Split train_test_split(const Dataset& data, const SplitOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Feature scaling and PCA (fit on the training split only, then transform both splits)

/// Per-feature affine map y_j = (x_j - center_j) * factor_j + offset_j.
struct Scaling {
  Vector center;
  Vector factor;
  Vector offset;
  Matrix transform(const Matrix& x) const;          ///< samples x features
  Matrix inverse_transform(const Matrix& y) const;  ///< samples x features
};

/// z-score: center = column mean, factor = 1 / sample standard deviation (n - 1 denominator),
/// offset = 0. A constant column gets factor 1 (it maps to 0). Needs >= 2 rows.
Scaling fit_z_score(const Matrix& x);

/// Min-max to [low, high]: column minimum -> low, maximum -> high. A constant column maps to
/// `low` (factor 1). Needs >= 1 row and low < high.
Scaling fit_min_max(const Matrix& x, double low, double high);

/// Principal component analysis of samples x features data.
struct Pca {
  Vector mean;                      ///< features: column means of the fitted data
  Vector scale;                     ///< features: sample std. deviations if standardised, else 1
  Matrix components;                ///< features x k, orthonormal columns, variance descending
  Vector explained_variance;        ///< k: variance along each component (n - 1 denominator)
  Vector explained_variance_ratio;  ///< k: explained_variance / total variance
  /// samples x features -> samples x k: ((x - mean) / scale) * components.
  Matrix transform(const Matrix& x) const;
  /// samples x k -> samples x features (exact when k = features).
  Matrix inverse_transform(const Matrix& z) const;
};

/// Eigen-decomposition (Eigen::SelfAdjointEigenSolver) of the sample covariance of the
/// centred (and, if `standardize`, unit-variance; constant columns keep scale 1) data, keeping
/// the k largest eigenvalues (negative round-off clamped to 0). Sign convention: the entry of
/// largest magnitude of each component is positive (the first such entry on exact ties).
/// Needs >= 2 rows and 1 <= k <= features.
Pca fit_pca(const Matrix& x, Index k, bool standardize);

// ---------------------------------------------------------------------------------------------
// Input encodings

/// 000's classification encoding (000 lines 731-742, Sec. IV): "we represent each input value
/// as two different and opposite voltage nodes [...] We do the same for the ground nodes,
/// placing one low (-1) and high (+1) ground [...] doubling the information and copying each
/// input node twice, as well as the low and high grounds". "Opposite" is the negation -x (the
/// grounds -1/+1 are the opposite pair of the value 1).
struct DoubledInvertedOptions {
  Index copies = 2;     ///< >= 1 copies of the whole block ("copying each input node twice")
  bool grounds = true;  ///< append the (low, high) ground pair to each block
  double ground_low = -1.0;
  double ground_high = 1.0;
  void validate() const;
};

/// samples x (copies * (2 features + 2 grounds)): each block is
/// [x_1, -x_1, x_2, -x_2, ..., x_d, -x_d, ground_low, ground_high] (without grounds: 2d
/// columns), repeated `copies` times. 000's 2-feature clusters give 2 * (4 + 2) = 12 sources.
Matrix encode_doubled_inverted(const Matrix& x, const DoubledInvertedOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Shipped tables (data/README.md has provenance and citations)

/// <data_dir>/iris.csv: 150 x 4 (sepal/petal length/width in cm), classes setosa, versicolor,
/// virginica (50 each). Targets one-hot 0/1. Fisher (1936), via UCI and scikit-learn.
Dataset load_iris(const std::string& data_dir);

/// <data_dir>/breast_cancer.csv: Wisconsin Diagnostic Breast Cancer, 569 x 30, classes
/// malignant (212) = 0 and benign (357) = 1. Targets one-hot 0/1. Wolberg, Street and
/// Mangasarian (1995), via UCI and scikit-learn.
Dataset load_breast_cancer(const std::string& data_dir);

// ---------------------------------------------------------------------------------------------
// Synthetic tasks

/// 000 eq. (1): V_T = M V_S with M = [[0.15, 0.3], [0.2, 0.1]] (2 targets x 2 sources).
Matrix map_000_eq1();
/// 000 eq. (22): 5 targets x 2 sources, rows (0.15, 0.3), (0.2, 0.1), (0.05, 0.2),
/// (0.1, 0.05), (0.3, 0.15).
Matrix map_000_eq22();
/// 003 eq. (A2): (x^F - x^0)_o = M F_i with M = [[0.5, 0.2], [-0.1, 0.7]].
Matrix map_003_eqA2();

/// Number of training pairs of 000's regression tasks (App. D: "112 pairs of voltages").
inline constexpr Index kSamples000 = 112;
/// Input range used for 000's regressions. Neither 000 nor 001 states it (App. D gives only
/// "112 pairs of voltages (V_S1, V_S2)"; the Fig. 1 inset uses V_S1 = 1, V_S2 = 2). This is
/// our documented default: non-negative voltages of order one.
inline constexpr double kInputLow000 = 0.0;
inline constexpr double kInputHigh000 = 1.0;

/// Regression data: inputs uniform in [low, high) entrywise (samples x map.cols(), drawn row
/// by row), targets = inputs * map^T (samples x map.rows()).
Dataset linear_regression_data(const Matrix& map, Index samples, double low, double high,
                               std::uint64_t seed);

/// Regression data with inputs N(0, sd^2) entrywise (003 App. A: 50 train and 100 test forces
/// "sampled from a Gaussian distribution as before", i.e. N(0, 1)).
Dataset normal_linear_regression_data(const Matrix& map, Index samples, double sd,
                                      std::uint64_t seed);

/// Three-class Gaussian clusters: `per_class` samples of N(means[c], covariances[c]) for each
/// class c in turn (x = mean + L z, L the Cholesky factor, z standard normal), labels in
/// blocks, targets one-hot 0/1.
Dataset gaussian_clusters(const std::vector<Vector>& means, const std::vector<Matrix>& covariances,
                          Index per_class, std::uint64_t seed);

/// 000 App. D eqs. (D1)-(D3): means [2, 2], [7, 7], [1, 8], covariances [[1, .5], [.5, 1]],
/// [[1, -.5], [-.5, 1]], I. The paper uses 150 points (50 per class), 120 train / 30 test.
Dataset gaussian_clusters_000(Index per_class, std::uint64_t seed);

/// 004 App. L (eq. 31): y = M x + eps with M (rows x cols) uniform in [0, 10] entrywise,
/// x ~ N(0, 1) entrywise and eps ~ N(0, noise_sd^2) entrywise. 004 line 996 writes
/// "eps ~ N(0, 9)" in the same (mean, variance) notation as "x ~ N(0, 1)": noise_sd = 3.
/// Draw order: M row by row, then per sample x then eps.
struct NoisyRegression {
  Dataset data;              ///< targets are the noisy y
  Matrix map;                ///< the true M (rows x cols)
  Matrix noiseless_targets;  ///< samples x rows: x M^T
};
NoisyRegression noisy_linear_data(Index rows, Index cols, Index samples, double noise_sd,
                                  std::uint64_t seed);

/// 003 App. A (eq. A1): task r is an input force F_r, a constraint row A_r and an offset B_r,
/// every entry N(0, 1); the network must satisfy 0 = A_r H^-1 F_r + B_r. Drawn task by task
/// (F_r, then A_r, then B_r).
struct LinearConstraintTasks {
  Matrix forces;       ///< num_tasks x num_nodes: F_r per row
  Matrix constraints;  ///< num_tasks x num_nodes: A_r per row
  Vector offsets;      ///< num_tasks: B_r
};
LinearConstraintTasks random_linear_constraint_tasks(Index num_nodes, Index num_tasks,
                                                     std::uint64_t seed);

}  // namespace plnet::learning
