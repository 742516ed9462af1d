// Data layer: CSV parsing and its error messages, bit-exact round trips, the shipped Iris and
// breast cancer tables, seeded splits, scaling, PCA against an independent SVD, and the
// moments of the synthetic generators.

#include <plnet/learning/data.hpp>
#include <plnet_test_paths.hpp>

#include <gtest/gtest.h>
#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace plnet::learning {
namespace {

const std::string kDataDir = PLNET_SOURCE_DIR "/data";

/// The what() of the std::invalid_argument thrown by f ("" when nothing is thrown).
std::string invalid_argument_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

/// Writes `text` to a fresh file in the test temporary directory and returns its path.
std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "plnet_data_test_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}

bool same_bits(const Dataset& a, const Dataset& b) {
  return same_bits(a.inputs, b.inputs) && same_bits(a.targets, b.targets) && a.labels == b.labels &&
         a.num_classes == b.num_classes;
}

/// Sample mean and covariance (n - 1 denominator) of the rows of x.
Vector sample_mean(const Matrix& x) {
  return x.colwise().mean().transpose();
}
Matrix sample_covariance(const Matrix& x) {
  const Matrix centred = x.rowwise() - x.colwise().mean();
  return centred.transpose() * centred / static_cast<double>(x.rows() - 1);
}

// ---- CSV ----

TEST(DataCsv, NotANumberNamesFileLineColumnAndValue) {
  const std::string path = temp_file("nan.csv",
                                     "sepal_length,sepal_width,petal_length,species\n"
                                     "5.1,3.5,1.4,setosa\n"
                                     "4.9,3.0,1.4,setosa\n"
                                     "\n"  // blank lines are skipped but still counted
                                     "4.7,3.2,1.3,setosa\n"
                                     "4.6,3.1,1.5,setosa\n"
                                     "5.0,3.6,abc,setosa\n");
  CsvOptions options;
  options.label_column = "species";
  const std::string message = invalid_argument_message([&] { read_csv(path, options); });
  EXPECT_EQ(message, path + ": line 7, column 3 ('petal_length'): not a number (got \"abc\")");
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(DataCsv, ErrorsWithoutHeaderNameLineAndColumn) {
  const std::string path = temp_file("noheader.csv", "1,2\n3,x4\n");
  CsvOptions options;
  options.header = false;
  EXPECT_EQ(invalid_argument_message([&] { read_csv(path, options); }),
            path + ": line 2, column 2: not a number (got \"x4\")");
}

TEST(DataCsv, RejectsNonFiniteEmptyAndPartialNumbers) {
  for (const std::string bad : {"inf", "-inf", "nan", "NaN", "1e400", "", "1.5x", "0x10", "1,5"}) {
    const std::string path = temp_file("bad.csv", "a;b\n1;2\n3;" + bad + "\n");
    CsvOptions options;
    options.delimiter = ';';
    const std::string message = invalid_argument_message([&] { read_csv(path, options); });
    EXPECT_NE(message.find(path + ": line 3, column 2 ('b'): "), std::string::npos) << message;
    EXPECT_NE(message.find("(got \"" + bad + "\")"), std::string::npos) << message;
  }
}

TEST(DataCsv, RejectsRaggedRows) {
  const std::string path = temp_file("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
  EXPECT_EQ(invalid_argument_message([&] { read_csv(path); }),
            path + ": line 3: wrong number of cells (got 2, need 3 as on line 1)");
  const std::string longer = temp_file("ragged2.csv", "a,b\n1,2,\n");
  EXPECT_NE(invalid_argument_message([&] { read_csv(longer); }).find("(got 3, need 2"),
            std::string::npos);
}

TEST(DataCsv, MissingFilesColumnsAndRows) {
  EXPECT_NE(invalid_argument_message([] {
              read_csv("/nonexistent/plnet.csv");
            }).find("/nonexistent/plnet.csv"),
            std::string::npos);
  const std::string path = temp_file("labels.csv", "a,b\n1,2\n");
  CsvOptions options;
  options.label_column = "class";
  EXPECT_EQ(invalid_argument_message([&] { read_csv(path, options); }),
            path + ": line 1: no column named 'class' (got 'a', 'b')");
  options = {};
  options.label_index = 2;
  EXPECT_NE(invalid_argument_message([&] { read_csv(path, options); }).find("label_index"),
            std::string::npos);
  const std::string header_only = temp_file("header_only.csv", "a,b\n\n");
  EXPECT_NE(invalid_argument_message([&] { read_csv(header_only); }).find("no data rows"),
            std::string::npos);
  const std::string quote = temp_file("quote.csv", "a,b\n1,\"2\n");
  EXPECT_NE(invalid_argument_message([&] { read_csv(quote); }).find("unterminated quote"),
            std::string::npos);
}

TEST(DataCsv, OptionsAreValidated) {
  CsvOptions options;
  options.label_column = "x";
  options.label_index = 1;
  EXPECT_NE(invalid_argument_message([&] { options.validate(); }).find("CsvOptions"),
            std::string::npos);
  options = {};
  options.header = false;
  options.label_column = "x";
  EXPECT_NE(invalid_argument_message([&] { options.validate(); }).find("header"),
            std::string::npos);
  options = {};
  options.delimiter = '"';
  EXPECT_NE(invalid_argument_message([&] { options.validate(); }).find("delimiter"),
            std::string::npos);
}

TEST(DataCsv, QuotesCrlfSpacesAndLabelPosition) {
  const std::string path = temp_file("quoted.csv",
                                     "x, \"label, with comma\" ,y\r\n"
                                     " +1.5 , \"a, b\" , -2e-3\r\n"
                                     "\r\n"
                                     "3,\"say \"\"hi\"\"\",4\r\n"
                                     "5, a b ,6");  // no final line break
  CsvOptions options;
  options.label_index = 1;
  const Table t = read_csv(path, options);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(t.label_name, "label, with comma");
  EXPECT_EQ(t.labels, (std::vector<std::string>{"a, b", "say \"hi\"", "a b"}));
  Matrix expected(3, 2);
  expected << 1.5, -2e-3, 3, 4, 5, 6;
  EXPECT_TRUE(same_bits(t.values, expected));
}

TEST(DataCsv, RoundTripIsBitExact) {
  // Values spanning every regime of the decimal conversion: subnormals, negative zero, the
  // largest finite double, non-terminating binary fractions and random doubles.
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0 / 3.0,
                                -2.0 / 7.0,
                                0.1,
                                1e-300,
                                std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::max(),
                                -std::numeric_limits<double>::max(),
                                std::nextafter(1.0, 2.0),
                                123456789.123456789};
  sampling::Engine engine(7);
  while (values.size() < 300) {
    const double mantissa = sampling::uniform(engine, -1.0, 1.0);
    values.push_back(
        std::ldexp(mantissa, static_cast<int>(sampling::uniform_index(engine, 200)) - 100));
  }
  Table table;
  table.columns = {"a", "b", "c"};
  table.values = Eigen::Map<Matrix>(values.data(), 100, 3);
  table.label_name = "class";
  for (int r = 0; r < 100; ++r)
    table.labels.push_back(r % 3 == 0 ? "x, \"y\"" : (r % 3 == 1 ? " padded " : "plain"));
  const std::string path = ::testing::TempDir() + "plnet_data_test_roundtrip.csv";
  write_csv(path, table);
  CsvOptions options;
  options.label_column = "class";
  const Table back = read_csv(path, options);
  EXPECT_EQ(back.columns, table.columns);
  EXPECT_EQ(back.label_name, table.label_name);
  EXPECT_EQ(back.labels, table.labels);
  EXPECT_TRUE(same_bits(back.values, table.values));
  EXPECT_TRUE(std::signbit(back.values(1, 0)));  // -0 survives
}

// ---- Shipped tables and datasets ----

TEST(DataSets, IrisShapeClassesAndSummaryStatistics) {
  const Dataset iris = load_iris(kDataDir);
  ASSERT_EQ(iris.num_samples(), 150);
  ASSERT_EQ(iris.num_features(), 4);
  EXPECT_EQ(iris.num_classes, 3);
  EXPECT_EQ(iris.class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(iris.class_counts(), (std::vector<Index>{50, 50, 50}));
  EXPECT_EQ(iris.feature_names, (std::vector<std::string>{"sepal_length", "sepal_width",
                                                          "petal_length", "petal_width"}));
  EXPECT_EQ(iris.inputs.row(0), (Eigen::RowVector4d(5.1, 3.5, 1.4, 0.2)));
  EXPECT_TRUE(same_bits(iris.targets, one_hot(iris.labels, 3)));
  // Summary statistics printed (to 2-3 digits) in scikit-learn's iris.rst, an independent
  // description of the same table: means 5.84 3.05 3.76 1.20 (3.057 prints as 3.05 there).
  const Vector mean = sample_mean(iris.inputs);
  EXPECT_NEAR(mean[0], 5.84, 0.005);
  EXPECT_NEAR(mean[1], 3.05, 0.01);
  EXPECT_NEAR(mean[2], 3.76, 0.005);
  EXPECT_NEAR(mean[3], 1.20, 0.005);
  EXPECT_EQ(iris.inputs.colwise().minCoeff(), (Eigen::RowVector4d(4.3, 2.0, 1.0, 0.1)));
  EXPECT_EQ(iris.inputs.colwise().maxCoeff(), (Eigen::RowVector4d(7.9, 4.4, 6.9, 2.5)));
}

TEST(DataSets, BreastCancerShapeAndClasses) {
  const Dataset wbc = load_breast_cancer(kDataDir);
  ASSERT_EQ(wbc.num_samples(), 569);
  ASSERT_EQ(wbc.num_features(), 30);
  EXPECT_EQ(wbc.class_names, (std::vector<std::string>{"malignant", "benign"}));
  EXPECT_EQ(wbc.class_counts(), (std::vector<Index>{212, 357}));
  EXPECT_EQ(wbc.feature_names.front(), "mean_radius");
  EXPECT_EQ(wbc.feature_names.back(), "worst_fractal_dimension");
  EXPECT_EQ(wbc.inputs(0, 0), 17.99);
  EXPECT_EQ(wbc.labels[0], 0);
  // Ranges from scikit-learn's breast_cancer.rst: radius (mean) in [6.981, 28.11], area (worst)
  // in [185.2, 4254].
  EXPECT_EQ(wbc.inputs.col(0).minCoeff(), 6.981);
  EXPECT_EQ(wbc.inputs.col(0).maxCoeff(), 28.11);
  EXPECT_EQ(wbc.inputs.col(23).minCoeff(), 185.2);
  EXPECT_EQ(wbc.inputs.col(23).maxCoeff(), 4254.0);
  EXPECT_NE(invalid_argument_message([] { load_iris("/nonexistent"); }).find("iris.csv"),
            std::string::npos);
}

TEST(DataSets, ClassLabelsOneHotAndValidation) {
  const ClassLabels c = class_labels({"b", "a", "b", "c", "a"});
  EXPECT_EQ(c.names, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(c.indices, (std::vector<Index>{0, 1, 0, 2, 1}));
  const Matrix y = one_hot(c.indices, 3, -1.0, 1.0);
  Matrix expected(5, 3);
  expected << 1, -1, -1, -1, 1, -1, 1, -1, -1, -1, -1, 1, -1, 1, -1;
  EXPECT_EQ(y, expected);
  EXPECT_NE(invalid_argument_message([] {
              one_hot({0, 3}, 3);
            }).find("labels[1]"),
            std::string::npos);

  Dataset d;
  d.inputs = Matrix::Zero(3, 2);
  d.targets = Matrix::Zero(2, 1);
  EXPECT_NE(invalid_argument_message([&] { d.validate(); }).find("targets"), std::string::npos);
  d.targets = Matrix::Zero(3, 1);
  d.labels = {0, 1, 2};
  d.num_classes = 2;
  EXPECT_NE(invalid_argument_message([&] { d.validate(); }).find("labels[2]"), std::string::npos);
  d.num_classes = 3;
  d.inputs(1, 1) = std::nan("");
  EXPECT_NE(invalid_argument_message([&] { d.validate(); }).find("finite"), std::string::npos);
}

TEST(DataSets, DatasetFromTableSplitsTargetColumns) {
  const std::string path = temp_file("regression.csv", "x1,y,x2\n1,2,3\n4,5,6\n");
  const Dataset d = dataset_from_table(read_csv(path), {"y"});
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(d.inputs, (Matrix(2, 2) << 1, 3, 4, 6).finished());
  EXPECT_EQ(d.targets, (Matrix(2, 1) << 2, 5).finished());
  EXPECT_EQ(d.num_classes, 0);
  EXPECT_NE(invalid_argument_message([&] {
              dataset_from_table(read_csv(path), {"z"});
            }).find("no numeric column named 'z'"),
            std::string::npos);
}

// ---- Splits ----

TEST(DataSplit, IrisTenPerClassAsIn003) {
  const Dataset iris = load_iris(kDataDir);
  SplitOptions options;
  options.train_per_class = 10;  // 003 App. A: "For each class of Iris we choose 10 specimens"
  options.seed = 42;
  const Split split = train_test_split(iris, options);
  EXPECT_EQ(split.train.class_counts(), (std::vector<Index>{10, 10, 10}));
  EXPECT_EQ(split.test.class_counts(), (std::vector<Index>{40, 40, 40}));
  std::vector<Index> all = split.train_rows;
  all.insert(all.end(), split.test_rows.begin(), split.test_rows.end());
  std::sort(all.begin(), all.end());
  std::vector<Index> expected(150);
  std::iota(expected.begin(), expected.end(), Index{0});
  EXPECT_EQ(all, expected);  // disjoint and complete
  EXPECT_TRUE(std::is_sorted(split.train_rows.begin(), split.train_rows.end()));
  for (std::size_t i = 0; i < split.train_rows.size(); ++i) {
    const Index r = split.train_rows[i];
    EXPECT_EQ(split.train.inputs.row(static_cast<Index>(i)), iris.inputs.row(r));
    EXPECT_EQ(split.train.labels[i], iris.labels[static_cast<std::size_t>(r)]);
  }
  EXPECT_EQ(split.train.class_names, iris.class_names);
}

TEST(DataSplit, SameSeedSameBitsOtherSeedOtherRows) {
  const Dataset data = gaussian_clusters_000(50, 3);
  SplitOptions options;
  options.seed = 9;
  const Split a = train_test_split(data, options);
  const Split b = train_test_split(data, options);
  EXPECT_EQ(a.train_rows, b.train_rows);
  EXPECT_TRUE(same_bits(a.train, b.train));
  EXPECT_TRUE(same_bits(a.test, b.test));
  options.seed = 10;
  EXPECT_NE(train_test_split(data, options).train_rows, a.train_rows);
}

TEST(DataSplit, FractionCountsAsIn000) {
  // 000 App. D: 150 cluster points, 120 train and 30 test.
  const Dataset data = gaussian_clusters_000(50, 3);
  SplitOptions options;
  options.train_fraction = 0.8;
  const Split plain = train_test_split(data, options);
  EXPECT_EQ(plain.train.num_samples(), 120);
  EXPECT_EQ(plain.test.num_samples(), 30);
  options.stratify = true;
  const Split stratified = train_test_split(data, options);
  EXPECT_EQ(stratified.train.class_counts(), (std::vector<Index>{40, 40, 40}));
  EXPECT_EQ(stratified.test.class_counts(), (std::vector<Index>{10, 10, 10}));
}

TEST(DataSplit, RejectsImpossibleRequests) {
  const Dataset iris = load_iris(kDataDir);
  SplitOptions options;
  options.train_per_class = 51;
  EXPECT_NE(invalid_argument_message([&] {
              train_test_split(iris, options);
            }).find("class 0 ('setosa') (got 51, need <= 50)"),
            std::string::npos);
  const Dataset regression = linear_regression_data(map_000_eq1(), 10, 0.0, 1.0, 1);
  options.train_per_class = 2;
  EXPECT_NE(
      invalid_argument_message([&] { train_test_split(regression, options); }).find("class labels"),
      std::string::npos);
  options = {};
  options.train_fraction = 1.5;
  EXPECT_NE(
      invalid_argument_message([&] { train_test_split(iris, options); }).find("train_fraction"),
      std::string::npos);
}

// ---- Scaling ----

TEST(DataScaling, ZScoreAndMinMaxUseTheFittedStatistics) {
  const Dataset wbc = load_breast_cancer(kDataDir);
  const Scaling z = fit_z_score(wbc.inputs);
  const Matrix y = z.transform(wbc.inputs);
  // Mean 0 and unit sd to round-off: inputs span 1e-3..4e3, 569 rows.
  EXPECT_LT(sample_mean(y).cwiseAbs().maxCoeff(), 1e-13);
  EXPECT_LT((sample_covariance(y).diagonal().array() - 1.0).abs().maxCoeff(), 1e-13);
  EXPECT_LT((z.inverse_transform(y) - wbc.inputs).cwiseAbs().maxCoeff(), 1e-12 * 4254.0);

  const Scaling m = fit_min_max(wbc.inputs, -1.0, 1.0);
  const Matrix w = m.transform(wbc.inputs);
  EXPECT_LT((w.colwise().minCoeff().array() + 1.0).abs().maxCoeff(), 1e-15);
  EXPECT_LT((w.colwise().maxCoeff().array() - 1.0).abs().maxCoeff(), 1e-15);

  Matrix constant = Matrix::Ones(4, 2);
  constant.col(1) << 1, 2, 3, 4;
  EXPECT_EQ(fit_z_score(constant).transform(constant).col(0), Vector::Zero(4));
  EXPECT_EQ(fit_min_max(constant, 2.0, 3.0).transform(constant).col(0), Vector::Constant(4, 2.0));
}

// ---- PCA ----

/// Checks `pca` against the SVD of the centred (scaled) data X = U S V^T computed by
/// Eigen::JacobiSVD, which never forms the covariance: variance_i = S_ii^2 / (n - 1) and
/// component_i = +-V_i.
void expect_matches_svd(const Matrix& x, const Pca& pca, bool standardize) {
  const Index n = x.rows();
  const Index k = pca.components.cols();
  Matrix centred = x.rowwise() - x.colwise().mean();
  if (standardize) {
    const Vector sd = (centred.colwise().squaredNorm() / static_cast<double>(n - 1)).cwiseSqrt();
    centred = centred.array().rowwise() / sd.transpose().array();
  }
  const Eigen::JacobiSVD<Matrix> svd(centred, Eigen::ComputeThinV);
  const Vector variance = svd.singularValues().array().square() / static_cast<double>(n - 1);
  for (Index i = 0; i < k; ++i) {
    // Both are backward stable: eigenvalues of the covariance carry an absolute error of order
    // eps * lambda_max, so 1e-10 relative holds for components with lambda_i / lambda_max
    // above ~1e-5 (true for every component tested here).
    EXPECT_NEAR(pca.explained_variance[i], variance[i], 1e-10 * variance[i]) << "component " << i;
    Vector v = svd.matrixV().col(i);
    Index largest = 0;
    v.cwiseAbs().maxCoeff(&largest);
    if (v[largest] < 0.0) v = -v;  // the documented sign convention
    // Eigenvector error ~ eps * lambda_max / gap; the spectra tested have gaps >= 1e-2 lambda_max.
    EXPECT_LT((pca.components.col(i) - v).cwiseAbs().maxCoeff(), 1e-10) << "component " << i;
    EXPECT_GT(pca.components(largest, i), 0.0);
  }
  EXPECT_NEAR(pca.explained_variance_ratio.sum(), variance.head(k).sum() / variance.sum(), 1e-12);
}

TEST(DataPca, IrisMatchesSvdOfCentredData) {
  const Dataset iris = load_iris(kDataDir);
  const Pca pca = fit_pca(iris.inputs, 4, false);
  expect_matches_svd(iris.inputs, pca, false);
  EXPECT_LT(
      (pca.components.transpose() * pca.components - Matrix::Identity(4, 4)).cwiseAbs().maxCoeff(),
      1e-14);
  // k = all features: transform then inverse is the identity up to round-off (values <= 7.9).
  EXPECT_LT((pca.inverse_transform(pca.transform(iris.inputs)) - iris.inputs).cwiseAbs().maxCoeff(),
            1e-13);
  EXPECT_NEAR(pca.explained_variance_ratio.sum(), 1.0, 1e-14);
}

TEST(DataPca, BreastCancerStandardisedThreeComponentsFitOnTrainSplit) {
  const Dataset wbc = load_breast_cancer(kDataDir);
  SplitOptions options;
  options.stratify = true;
  options.seed = 5;
  const Split split = train_test_split(wbc, options);
  const Pca pca = fit_pca(split.train.inputs, 3, true);  // 004 Sec. III A: PCA to 3
  expect_matches_svd(split.train.inputs, pca, true);
  EXPECT_EQ(pca.mean, sample_mean(split.train.inputs));
  const Matrix z_train = pca.transform(split.train.inputs);
  const Matrix z_test = pca.transform(split.test.inputs);
  EXPECT_EQ(z_test.cols(), 3);
  // Scores of the fitted data have zero mean and the explained variances as variances.
  EXPECT_LT(sample_mean(z_train).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((sample_covariance(z_train).diagonal() - pca.explained_variance).cwiseAbs().maxCoeff(),
            1e-11 * pca.explained_variance[0]);
  // Reconstruction with all 30 components recovers the data to round-off (values <= 4254).
  const Pca full = fit_pca(split.train.inputs, 30, true);
  EXPECT_LT((full.inverse_transform(full.transform(split.test.inputs)) - split.test.inputs)
                .cwiseAbs()
                .maxCoeff(),
            1e-12 * 4254.0);
  EXPECT_NE(invalid_argument_message([&] { fit_pca(wbc.inputs, 31, true); }).find("k out of range"),
            std::string::npos);
}

// ---- Encodings ----

TEST(DataEncoding, DoubledInvertedFollows000) {
  Matrix x(2, 2);
  x << 2.0, 3.0, -1.0, 0.5;
  const Matrix e = encode_doubled_inverted(x);
  ASSERT_EQ(e.cols(), 12);  // 2 copies x (2 features x {+x, -x} + low/high grounds)
  Eigen::RowVectorXd block(6);
  block << 2.0, -2.0, 3.0, -3.0, -1.0, 1.0;
  EXPECT_EQ(e.row(0).head(6), block);
  EXPECT_EQ(e.row(0).tail(6), block);
  DoubledInvertedOptions options;
  options.copies = 1;
  options.grounds = false;
  EXPECT_EQ(encode_doubled_inverted(x, options),
            (Matrix(2, 4) << 2, -2, 3, -3, -1, 1, 0.5, -0.5).finished());
}

// ---- Generators ----

TEST(DataGenerators, GaussianClusters000Moments) {
  // 20000 samples per class: the standard error of a sample mean is sigma / sqrt(n) <= 0.0071,
  // and that of a sample covariance entry is sqrt((S_ii S_jj + S_ij^2) / n) <= 0.01. Five
  // standard errors: a correct generator fails a check with probability < 1e-6 for a random
  // seed, while a wrong mean or covariance (errors >= 0.1 in the paper's units) fails surely.
  const Index n = 20000;
  const Dataset data = gaussian_clusters_000(n, 11);
  ASSERT_EQ(data.num_samples(), 3 * n);
  EXPECT_EQ(data.class_counts(), (std::vector<Index>{n, n, n}));
  const Matrix means = (Matrix(3, 2) << 2, 2, 7, 7, 1, 8).finished();
  const std::vector<Matrix> covariances = {(Matrix(2, 2) << 1, 0.5, 0.5, 1).finished(),
                                           (Matrix(2, 2) << 1, -0.5, -0.5, 1).finished(),
                                           Matrix::Identity(2, 2)};
  for (Index c = 0; c < 3; ++c) {
    const Matrix x = data.inputs.middleRows(c * n, n);
    const Matrix& s = covariances[static_cast<std::size_t>(c)];
    const Vector mean = sample_mean(x);
    const Matrix cov = sample_covariance(x);
    for (Index i = 0; i < 2; ++i) {
      EXPECT_NEAR(mean[i], means(c, i), 5.0 * std::sqrt(s(i, i) / n)) << "class " << c;
      for (Index j = 0; j < 2; ++j)
        EXPECT_NEAR(cov(i, j), s(i, j),
                    5.0 * std::sqrt((s(i, i) * s(j, j) + s(i, j) * s(i, j)) / n))
            << "class " << c << " entry " << i << j;
    }
  }
  EXPECT_TRUE(same_bits(data.targets, one_hot(data.labels, 3)));
  EXPECT_TRUE(same_bits(gaussian_clusters_000(50, 4), gaussian_clusters_000(50, 4)));
  EXPECT_FALSE(same_bits(gaussian_clusters_000(50, 4), gaussian_clusters_000(50, 5)));
}

TEST(DataGenerators, LinearRegressionMapsAndRange) {
  EXPECT_EQ(map_000_eq1(), (Matrix(2, 2) << 0.15, 0.3, 0.2, 0.1).finished());
  EXPECT_EQ(map_000_eq22().rows(), 5);
  EXPECT_EQ(map_000_eq22().row(4), (Eigen::RowVector2d(0.3, 0.15)));
  const Dataset data =
      linear_regression_data(map_000_eq22(), kSamples000, kInputLow000, kInputHigh000, 2);
  ASSERT_EQ(data.num_samples(), 112);
  EXPECT_EQ(data.num_outputs(), 5);
  EXPECT_GE(data.inputs.minCoeff(), kInputLow000);
  EXPECT_LT(data.inputs.maxCoeff(), kInputHigh000);
  EXPECT_TRUE(same_bits(data.targets, data.inputs * map_000_eq22().transpose()));
  EXPECT_TRUE(same_bits(linear_regression_data(map_000_eq1(), 30, -1, 1, 8).inputs,
                        linear_regression_data(map_000_eq1(), 30, -1, 1, 8).inputs));
  const Dataset normal = normal_linear_regression_data(map_003_eqA2(), 50, 1.0, 3);
  EXPECT_TRUE(same_bits(normal.targets, normal.inputs * map_003_eqA2().transpose()));
}

TEST(DataGenerators, NoisyLinearResidualVarianceIsNine) {
  // 004 App. L: eps ~ N(0, 9). With m = 2 x 20000 residuals the sample variance has standard
  // error 9 sqrt(2 / m) = 0.064 and the sample mean 3 / sqrt(m) = 0.015; five standard errors.
  const Index samples = 20000;
  const NoisyRegression task = noisy_linear_data(2, 2, samples, 3.0, 17);
  EXPECT_GE(task.map.minCoeff(), 0.0);
  EXPECT_LE(task.map.maxCoeff(), 10.0);
  EXPECT_TRUE(same_bits(task.noiseless_targets, task.data.inputs * task.map.transpose()));
  const Matrix residuals = task.data.targets - task.data.inputs * task.map.transpose();
  const Eigen::Map<const Vector> eps(residuals.data(), residuals.size());
  const double m = static_cast<double>(eps.size());
  const double mean = eps.mean();
  const double variance = (eps.array() - mean).square().sum() / (m - 1.0);
  EXPECT_NEAR(mean, 0.0, 5.0 * 3.0 / std::sqrt(m));
  EXPECT_NEAR(variance, 9.0, 5.0 * 9.0 * std::sqrt(2.0 / m));
  // Inputs ~ N(0, 1): sample variance within five standard errors sqrt(2 / m) of 1.
  const Eigen::Map<const Vector> x(task.data.inputs.data(), task.data.inputs.size());
  EXPECT_NEAR((x.array() - x.mean()).square().sum() / (m - 1.0), 1.0, 5.0 * std::sqrt(2.0 / m));
  const NoisyRegression again = noisy_linear_data(2, 2, samples, 3.0, 17);
  EXPECT_TRUE(same_bits(again.map, task.map));
  EXPECT_TRUE(same_bits(again.data.targets, task.data.targets));
}

TEST(DataGenerators, LinearConstraintTasksAreStandardNormal) {
  // 003 App. A: every entry of F_r, A_r and B_r is N(0, 1). 200 tasks on 100 nodes give
  // 40200 draws: five standard errors of the mean (1 / sqrt(m)) and variance (sqrt(2 / m)).
  const LinearConstraintTasks tasks = random_linear_constraint_tasks(100, 200, 23);
  ASSERT_EQ(tasks.forces.rows(), 200);
  ASSERT_EQ(tasks.forces.cols(), 100);
  ASSERT_EQ(tasks.constraints.rows(), 200);
  ASSERT_EQ(tasks.offsets.size(), 200);
  Vector all(40200);
  all << Eigen::Map<const Vector>(tasks.forces.data(), 20000),
      Eigen::Map<const Vector>(tasks.constraints.data(), 20000), tasks.offsets;
  const double m = static_cast<double>(all.size());
  EXPECT_NEAR(all.mean(), 0.0, 5.0 / std::sqrt(m));
  EXPECT_NEAR((all.array() - all.mean()).square().sum() / (m - 1.0), 1.0, 5.0 * std::sqrt(2.0 / m));
  // Forces and constraints are independent draws: their sample correlation is ~ 1/sqrt(20000).
  const Eigen::Map<const Vector> f(tasks.forces.data(), 20000);
  const Eigen::Map<const Vector> a(tasks.constraints.data(), 20000);
  EXPECT_LT(std::abs(f.dot(a)) / (f.norm() * a.norm()), 5.0 / std::sqrt(20000.0));
}

TEST(DataGenerators, SamplingHelpers) {
  sampling::Engine engine(1);
  std::vector<Index> items(50);
  std::iota(items.begin(), items.end(), Index{0});
  sampling::shuffle(items, engine);
  std::vector<Index> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  for (Index i = 0; i < 50; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
  EXPECT_FALSE(std::is_sorted(items.begin(), items.end()));
  // uniform_index(3) over 30000 draws: each count has sd sqrt(30000 * 2/9) = 82; five sd.
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 30000; ++i)
    ++counts[static_cast<std::size_t>(sampling::uniform_index(engine, 3))];
  for (int c : counts) EXPECT_NEAR(c, 10000, 5 * 82);
  for (int i = 0; i < 1000; ++i) {
    const double u = sampling::uniform(engine);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace plnet::learning
