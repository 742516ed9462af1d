#include <plnet/core/error.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/learning/data.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace plnet::learning {

namespace {

using sampling::Engine;

std::size_t at(Index i) {
  return static_cast<std::size_t>(i);
}
Index size_of(const auto& container) {
  return static_cast<Index>(container.size());
}

bool all_finite(const Matrix& m) {
  return m.array().isFinite().all();
}

/// 'a', 'b', 'c' (for "got" lists in messages).
std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", '" : "'") + names[i] + "'";
  return out;
}

std::vector<std::string> numbered_names(const std::string& stem, Index count) {
  std::vector<std::string> names;
  for (Index j = 1; j <= count; ++j) names.push_back(stem + std::to_string(j));
  return names;
}

// ---- CSV parsing ----

/// Where a cell sits, for error messages.
struct CellPlace {
  const std::string& path;
  Index line;
  Index column;             // 1-based
  const std::string* name;  // column name, or nullptr without a header
};

std::string shown(std::string_view value) {
  constexpr std::size_t kMax = 60;  // keep the message one readable line
  if (value.size() <= kMax) return std::string(value);
  return std::string(value.substr(0, kMax)) + "...";
}

[[noreturn]] void cell_error(const CellPlace& place, const std::string& what,
                             std::string_view value) {
  std::string where = concat(place.path, ": line ", place.line, ", column ", place.column);
  if (place.name != nullptr) where += " ('" + *place.name + "')";
  throw std::invalid_argument(where + ": " + what + " (got \"" + shown(value) + "\")");
}

bool is_blank(char c, char delimiter) {
  return (c == ' ' || c == '\t') && c != delimiter;
}

/// Splits one line into cells (trimmed, unquoted). Throws on a malformed quoted cell.
std::vector<std::string> split_cells(std::string_view line, char delimiter, const std::string& path,
                                     Index line_number) {
  std::vector<std::string> cells;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && is_blank(line[i], delimiter)) ++i;
    std::string cell;
    if (i < line.size() && line[i] == '"') {
      const std::size_t open = i++;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        cell += line[i++];
      }
      const Index column = size_of(cells) + 1;
      if (!closed)
        throw std::invalid_argument(concat(path, ": line ", line_number, ", column ", column,
                                           ": unterminated quote (got ", shown(line.substr(open)),
                                           ")"));
      while (i < line.size() && is_blank(line[i], delimiter)) ++i;
      if (i < line.size() && line[i] != delimiter)
        throw std::invalid_argument(concat(path, ": line ", line_number, ", column ", column,
                                           ": text after closing quote (got ",
                                           shown(line.substr(open)), ")"));
    } else {
      const std::size_t start = i;
      while (i < line.size() && line[i] != delimiter) ++i;
      std::size_t end = i;
      while (end > start && is_blank(line[end - 1], delimiter)) --end;
      cell.assign(line.substr(start, end - start));
    }
    cells.push_back(std::move(cell));
    if (i >= line.size()) break;
    ++i;  // the delimiter; a trailing delimiter leaves one more (empty) cell
  }
  return cells;
}

double parse_number(const std::string& text, const CellPlace& place) {
  std::string_view digits(text);
  // std::from_chars rejects a leading '+'; accept it when a number follows.
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '+' && digits[1] != '-')
    digits.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) cell_error(place, "number out of range", text);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
    cell_error(place, "not a number", text);
  if (!std::isfinite(value)) cell_error(place, "not a finite number", text);
  return value;
}

/// Position of the label column among `width` columns (nullopt when there is none).
std::optional<Index> label_position(const CsvOptions& options,
                                    const std::vector<std::string>& header, const std::string& path,
                                    Index header_line, Index width) {
  if (!options.label_column.empty()) {
    const auto count = std::count(header.begin(), header.end(), options.label_column);
    require(count > 0, path,
            concat("line ", header_line, ": no column named '", options.label_column, "' (got ",
                   quoted_list(header), ")"));
    require(count == 1, path,
            concat("line ", header_line, ": label column name '", options.label_column,
                   "' is not unique (got it ", count, " times)"));
    return static_cast<Index>(std::find(header.begin(), header.end(), options.label_column) -
                              header.begin());
  }
  if (options.label_index >= 0) {
    require(options.label_index < width, path,
            concat("label_index out of range (got ", options.label_index, ", need < ", width,
                   " columns)"));
    return options.label_index;
  }
  return std::nullopt;
}

/// Quotes a cell for write_csv when reading it back would otherwise change it.
std::string csv_cell(const std::string& text, char delimiter) {
  const bool needs_quotes =
      text.empty() ||
      text.find_first_of(std::string{delimiter, '"', '\n', '\r'}) != std::string::npos ||
      is_blank(text.front(), delimiter) || is_blank(text.back(), delimiter);
  if (!needs_quotes) return text;
  std::string out = "\"";
  for (char c : text) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string shortest_decimal(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string join_path(const std::string& directory, const std::string& file) {
  if (directory.empty()) return file;
  return directory.back() == '/' ? directory + file : directory + "/" + file;
}

Matrix rows_of(const Matrix& m, const std::vector<Index>& rows) {
  Matrix out(size_of(rows), m.cols());
  for (Index r = 0; r < size_of(rows); ++r) out.row(r) = m.row(rows[at(r)]);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CSV tables

void CsvOptions::validate() const {
  require(delimiter != '"' && delimiter != '\n' && delimiter != '\r', "CsvOptions",
          "delimiter cannot be a quote or a line break (got code ", static_cast<int>(delimiter),
          ")");
  require(label_column.empty() || label_index < 0, "CsvOptions",
          "set label_column or label_index, not both (got '", label_column, "' and ", label_index,
          ")");
  require(label_column.empty() || header, "CsvOptions",
          "label_column needs a header (got label_column = '", label_column,
          "' with header = false)");
  require(label_index >= -1, "CsvOptions", "label_index must be >= 0 or -1 for none (got ",
          label_index, ")");
}

Table read_csv(const std::string& path, const CsvOptions& options) {
  options.validate();
  const std::string text = io::read_text_file(path);

  std::vector<std::string> header;
  Index header_line = 0;
  Index width = -1;  // cells per row, fixed by the header or the first row
  Index width_line = 0;
  std::optional<Index> label;
  Table table;
  std::vector<double> numbers;  // row-major
  Index num_rows = 0;

  std::size_t begin = 0;
  Index line_number = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; }))
      continue;

    std::vector<std::string> cells = split_cells(line, options.delimiter, path, line_number);
    if (width < 0) {
      width = size_of(cells);
      width_line = line_number;
      if (options.header) {
        header = std::move(cells);
        header_line = line_number;
      }
      label = label_position(options, header, path, header_line, width);
      for (Index j = 0; j < width; ++j) {
        if (label && *label == j) {
          table.label_name = options.header ? header[at(j)] : "column_" + std::to_string(j + 1);
          continue;
        }
        table.columns.push_back(options.header ? header[at(j)] : "column_" + std::to_string(j + 1));
      }
      if (options.header) continue;
    }
    require(size_of(cells) == width, path,
            concat("line ", line_number, ": wrong number of cells (got ", cells.size(), ", need ",
                   width, " as on line ", width_line, ")"));
    for (Index j = 0; j < width; ++j) {
      if (label && *label == j) {
        table.labels.push_back(std::move(cells[at(j)]));
        continue;
      }
      const CellPlace place{path, line_number, j + 1, options.header ? &header[at(j)] : nullptr};
      numbers.push_back(parse_number(cells[at(j)], place));
    }
    ++num_rows;
  }
  require(num_rows > 0, path, "no data rows (got ", line_number, " lines)");

  const Index num_columns = size_of(table.columns);
  table.values.resize(num_rows, num_columns);
  for (Index r = 0; r < num_rows; ++r)
    for (Index c = 0; c < num_columns; ++c) table.values(r, c) = numbers[at(r * num_columns + c)];
  return table;
}

void write_csv(const std::string& path, const Table& table, char delimiter) {
  require(table.values.cols() == size_of(table.columns), "write_csv",
          "values has the wrong number of columns (got ", table.values.cols(), ", need ",
          table.columns.size(), " = columns.size())");
  require(table.labels.empty() || size_of(table.labels) == table.values.rows(), "write_csv",
          "labels has the wrong length (got ", table.labels.size(), ", need ", table.values.rows(),
          " = values rows)");
  io::write_atomically(path, [&](std::ostream& out) {
    const bool has_labels = !table.labels.empty();
    std::string line;
    for (std::size_t j = 0; j < table.columns.size(); ++j)
      line +=
          (j ? std::string(1, delimiter) : std::string()) + csv_cell(table.columns[j], delimiter);
    if (has_labels) {
      if (!table.columns.empty()) line += delimiter;
      line += csv_cell(table.label_name.empty() ? "label" : table.label_name, delimiter);
    }
    out << line << '\n';
    for (Index r = 0; r < table.values.rows(); ++r) {
      line.clear();
      for (Index c = 0; c < table.values.cols(); ++c) {
        if (c) line += delimiter;
        line += shortest_decimal(table.values(r, c));
      }
      if (has_labels) {
        if (table.values.cols() > 0) line += delimiter;
        line += csv_cell(table.labels[at(r)], delimiter);
      }
      out << line << '\n';
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Datasets

std::vector<Index> Dataset::class_counts() const {
  std::vector<Index> counts(at(std::max<Index>(num_classes, 0)), 0);
  for (Index label : labels)
    if (label >= 0 && label < num_classes) ++counts[at(label)];
  return counts;
}

void Dataset::validate() const {
  const Index n = inputs.rows();
  require(targets.rows() == n, "Dataset", "targets has the wrong number of rows (got ",
          targets.rows(), ", need ", n, " = inputs rows)");
  require(all_finite(inputs), "Dataset", "inputs must be finite (got a NaN or infinity)");
  require(all_finite(targets), "Dataset", "targets must be finite (got a NaN or infinity)");
  require(num_classes >= 0, "Dataset", "num_classes must be >= 0 (got ", num_classes, ")");
  require(labels.empty() || size_of(labels) == n, "Dataset", "labels has the wrong length (got ",
          labels.size(), ", need 0 or ", n, ")");
  require(labels.empty() || num_classes > 0, "Dataset",
          "labels are set but num_classes is 0 (need num_classes >= 1)");
  for (Index r = 0; r < size_of(labels); ++r)
    require(labels[at(r)] >= 0 && labels[at(r)] < num_classes, "Dataset", "labels[", r,
            "] out of range (got ", labels[at(r)], ", need 0 <= label < ", num_classes, ")");
  require(feature_names.empty() || size_of(feature_names) == inputs.cols(), "Dataset",
          "feature_names has the wrong length (got ", feature_names.size(), ", need 0 or ",
          inputs.cols(), ")");
  require(class_names.empty() || size_of(class_names) == num_classes, "Dataset",
          "class_names has the wrong length (got ", class_names.size(), ", need 0 or ", num_classes,
          ")");
}

ClassLabels class_labels(const std::vector<std::string>& names) {
  ClassLabels out;
  out.indices.reserve(names.size());
  for (const std::string& name : names) {
    const auto it = std::find(out.names.begin(), out.names.end(), name);
    out.indices.push_back(static_cast<Index>(it - out.names.begin()));
    if (it == out.names.end()) out.names.push_back(name);
  }
  return out;
}

Matrix one_hot(const std::vector<Index>& labels, Index num_classes, double low, double high) {
  require(num_classes >= 1, "one_hot", "num_classes must be >= 1 (got ", num_classes, ")");
  Matrix out = Matrix::Constant(size_of(labels), num_classes, low);
  for (Index r = 0; r < size_of(labels); ++r) {
    require(labels[at(r)] >= 0 && labels[at(r)] < num_classes, "one_hot", "labels[", r,
            "] out of range (got ", labels[at(r)], ", need 0 <= label < ", num_classes, ")");
    out(r, labels[at(r)]) = high;
  }
  return out;
}

Dataset dataset_from_table(const Table& table, const std::vector<std::string>& target_columns,
                           const std::string& citation) {
  std::vector<Index> input_cols;
  std::vector<Index> target_cols;
  for (const std::string& name : target_columns) {
    const auto it = std::find(table.columns.begin(), table.columns.end(), name);
    require(it != table.columns.end(), "dataset_from_table", "no numeric column named '", name,
            "' (got ", quoted_list(table.columns), ")");
    target_cols.push_back(static_cast<Index>(it - table.columns.begin()));
  }
  for (Index j = 0; j < size_of(table.columns); ++j)
    if (std::find(target_cols.begin(), target_cols.end(), j) == target_cols.end())
      input_cols.push_back(j);

  Dataset data;
  data.inputs = table.values(Eigen::all, input_cols);
  data.targets = table.values(Eigen::all, target_cols);
  for (Index j : input_cols) data.feature_names.push_back(table.columns[at(j)]);
  if (!table.labels.empty()) {
    ClassLabels classes = class_labels(table.labels);
    data.labels = std::move(classes.indices);
    data.class_names = std::move(classes.names);
    data.num_classes = size_of(data.class_names);
    if (target_columns.empty()) data.targets = one_hot(data.labels, data.num_classes);
  }
  data.citation = citation;
  data.validate();
  return data;
}

Dataset subset(const Dataset& data, const std::vector<Index>& rows) {
  for (Index r : rows)
    require(r >= 0 && r < data.num_samples(), "subset", "row out of range (got ", r,
            ", need 0 <= row < ", data.num_samples(), ")");
  Dataset out;
  out.inputs = rows_of(data.inputs, rows);
  out.targets = rows_of(data.targets, rows);
  if (!data.labels.empty())
    for (Index r : rows) out.labels.push_back(data.labels[at(r)]);
  out.num_classes = data.num_classes;
  out.feature_names = data.feature_names;
  out.class_names = data.class_names;
  out.citation = data.citation;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Train/test splits

void SplitOptions::validate() const {
  require(std::isfinite(train_fraction) && train_fraction >= 0.0 && train_fraction <= 1.0,
          "SplitOptions", "train_fraction must be in [0, 1] (got ", train_fraction, ")");
  require(train_per_class >= -1, "SplitOptions",
          "train_per_class must be >= 0 or -1 for none (got ", train_per_class, ")");
}

Split train_test_split(const Dataset& data, const SplitOptions& options) {
  options.validate();
  data.validate();
  const Index n = data.num_samples();
  const auto rounded = [&](Index count) {
    return std::min(
        count,
        static_cast<Index>(std::floor(options.train_fraction * static_cast<double>(count) + 0.5)));
  };
  Engine engine(options.seed);
  std::vector<bool> in_train(at(n), false);

  if (options.train_per_class >= 0 || options.stratify) {
    require(!data.labels.empty(), "train_test_split",
            "a stratified split needs class labels (got a dataset without labels)");
    const std::vector<Index> counts = data.class_counts();
    for (Index c = 0; c < data.num_classes; ++c) {
      std::vector<Index> members;
      for (Index r = 0; r < n; ++r)
        if (data.labels[at(r)] == c) members.push_back(r);
      sampling::shuffle(members, engine);
      const Index take =
          options.train_per_class >= 0 ? options.train_per_class : rounded(size_of(members));
      require(take <= size_of(members), "train_test_split", "train_per_class exceeds class ", c,
              data.class_names.empty() ? std::string() : " ('" + data.class_names[at(c)] + "')",
              " (got ", take, ", need <= ", counts[at(c)], ")");
      for (Index i = 0; i < take; ++i) in_train[at(members[at(i)])] = true;
    }
  } else {
    std::vector<Index> order(at(n));
    for (Index r = 0; r < n; ++r) order[at(r)] = r;
    sampling::shuffle(order, engine);
    const Index take = rounded(n);
    for (Index i = 0; i < take; ++i) in_train[at(order[at(i)])] = true;
  }

  Split split;
  for (Index r = 0; r < n; ++r) (in_train[at(r)] ? split.train_rows : split.test_rows).push_back(r);
  split.train = subset(data, split.train_rows);
  split.test = subset(data, split.test_rows);
  return split;
}

// ---------------------------------------------------------------------------------------------
// Feature scaling and PCA

Matrix Scaling::transform(const Matrix& x) const {
  require(x.cols() == center.size(), "Scaling::transform", "wrong number of features (got ",
          x.cols(), ", need ", center.size(), ")");
  return (((x.rowwise() - center.transpose()).array().rowwise() * factor.transpose().array())
              .rowwise() +
          offset.transpose().array())
      .matrix();
}

Matrix Scaling::inverse_transform(const Matrix& y) const {
  require(y.cols() == center.size(), "Scaling::inverse_transform", "wrong number of features (got ",
          y.cols(), ", need ", center.size(), ")");
  return (((y.rowwise() - offset.transpose()).array().rowwise() / factor.transpose().array())
              .rowwise() +
          center.transpose().array())
      .matrix();
}

namespace {

/// Sample standard deviation of each column (n - 1 denominator) around `mean`.
Vector column_sd(const Matrix& x, const Vector& mean) {
  const double denominator = static_cast<double>(x.rows() - 1);
  return ((x.rowwise() - mean.transpose()).colwise().squaredNorm() / denominator)
      .cwiseSqrt()
      .transpose();
}

Vector nonzero_or_one(Vector v) {
  for (Index j = 0; j < v.size(); ++j)
    if (!(v[j] > 0.0)) v[j] = 1.0;
  return v;
}

void require_fit_input(const Matrix& x, Index min_rows, const char* where) {
  require(x.rows() >= min_rows, where, "too few samples (got ", x.rows(), ", need >= ", min_rows,
          ")");
  require(x.cols() >= 1, where, "no features (got 0 columns, need >= 1)");
  require(all_finite(x), where, "data must be finite (got a NaN or infinity)");
}

}  // namespace

Scaling fit_z_score(const Matrix& x) {
  require_fit_input(x, 2, "fit_z_score");
  Scaling s;
  s.center = x.colwise().mean().transpose();
  s.factor = nonzero_or_one(column_sd(x, s.center)).cwiseInverse();
  s.offset = Vector::Zero(x.cols());
  return s;
}

Scaling fit_min_max(const Matrix& x, double low, double high) {
  require_fit_input(x, 1, "fit_min_max");
  require(std::isfinite(low) && std::isfinite(high) && low < high, "fit_min_max",
          "need finite low < high (got [", low, ", ", high, "])");
  Scaling s;
  s.center = x.colwise().minCoeff().transpose();
  const Vector span = x.colwise().maxCoeff().transpose() - s.center;
  s.factor = Vector::Ones(x.cols());
  for (Index j = 0; j < x.cols(); ++j)
    if (span[j] > 0.0) s.factor[j] = (high - low) / span[j];
  s.offset = Vector::Constant(x.cols(), low);
  return s;
}

Matrix Pca::transform(const Matrix& x) const {
  require(x.cols() == mean.size(), "Pca::transform", "wrong number of features (got ", x.cols(),
          ", need ", mean.size(), ")");
  const Matrix scaled =
      ((x.rowwise() - mean.transpose()).array().rowwise() / scale.transpose().array()).matrix();
  return scaled * components;
}

Matrix Pca::inverse_transform(const Matrix& z) const {
  require(z.cols() == components.cols(), "Pca::inverse_transform",
          "wrong number of components (got ", z.cols(), ", need ", components.cols(), ")");
  const Matrix scaled = z * components.transpose();
  return ((scaled.array().rowwise() * scale.transpose().array()).rowwise() +
          mean.transpose().array())
      .matrix();
}

Pca fit_pca(const Matrix& x, Index k, bool standardize) {
  require_fit_input(x, 2, "fit_pca");
  require(k >= 1 && k <= x.cols(), "fit_pca", "k out of range (got ", k,
          ", need 1 <= k <= ", x.cols(), " features)");
  const Index d = x.cols();
  Pca pca;
  pca.mean = x.colwise().mean().transpose();
  pca.scale = standardize ? nonzero_or_one(column_sd(x, pca.mean)) : Vector::Ones(d);
  const Matrix scaled =
      ((x.rowwise() - pca.mean.transpose()).array().rowwise() / pca.scale.transpose().array())
          .matrix();
  Matrix covariance = Matrix::Zero(d, d);
  covariance.selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose(),
                                                        1.0 / static_cast<double>(x.rows() - 1));
  const Eigen::SelfAdjointEigenSolver<Matrix> solver(covariance);  // reads the lower triangle
  if (solver.info() != Eigen::Success)
    throw std::runtime_error("fit_pca: the symmetric eigensolver did not converge");

  const double total = covariance.trace();
  pca.components.resize(d, k);
  pca.explained_variance.resize(k);
  for (Index i = 0; i < k; ++i) {
    const Index source = d - 1 - i;  // eigenvalues come in ascending order
    Vector v = solver.eigenvectors().col(source);
    Index largest = 0;
    v.cwiseAbs().maxCoeff(&largest);  // first index on exact ties
    if (v[largest] < 0.0) v = -v;
    pca.components.col(i) = v;
    pca.explained_variance[i] = std::max(solver.eigenvalues()[source], 0.0);
  }
  pca.explained_variance_ratio =
      total > 0.0 ? Vector(pca.explained_variance / total) : Vector(Vector::Zero(k));
  return pca;
}

// ---------------------------------------------------------------------------------------------
// Input encodings

void DoubledInvertedOptions::validate() const {
  require(copies >= 1, "DoubledInvertedOptions", "copies must be >= 1 (got ", copies, ")");
  require(std::isfinite(ground_low) && std::isfinite(ground_high), "DoubledInvertedOptions",
          "grounds must be finite (got ", ground_low, " and ", ground_high, ")");
}

Matrix encode_doubled_inverted(const Matrix& x, const DoubledInvertedOptions& options) {
  options.validate();
  const Index d = x.cols();
  const Index block = 2 * d + (options.grounds ? 2 : 0);
  Matrix out(x.rows(), options.copies * block);
  for (Index c = 0; c < options.copies; ++c) {
    const Index first = c * block;
    for (Index j = 0; j < d; ++j) {
      out.col(first + 2 * j) = x.col(j);
      out.col(first + 2 * j + 1) = -x.col(j);
    }
    if (options.grounds) {
      out.col(first + 2 * d).setConstant(options.ground_low);
      out.col(first + 2 * d + 1).setConstant(options.ground_high);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shipped tables

namespace {

Dataset load_shipped(const std::string& data_dir, const std::string& file,
                     const std::string& label_column, Index rows, Index features, Index classes,
                     const std::string& citation) {
  const std::string path = join_path(data_dir, file);
  CsvOptions options;
  options.label_column = label_column;
  Dataset data = dataset_from_table(read_csv(path, options), {}, citation);
  require(
      data.num_samples() == rows && data.num_features() == features && data.num_classes == classes,
      path, "not the shipped table (got ", data.num_samples(), " x ", data.num_features(), " with ",
      data.num_classes, " classes, need ", rows, " x ", features, " with ", classes, ")");
  return data;
}

}  // namespace

Dataset load_iris(const std::string& data_dir) {
  return load_shipped(data_dir, "iris.csv", "species", 150, 4, 3,
                      "R. A. Fisher, The use of multiple measurements in taxonomic problems, "
                      "Annals of Eugenics 7, 179-188 (1936); UCI Machine Learning Repository "
                      "(Iris), as shipped by scikit-learn 1.2.1");
}

Dataset load_breast_cancer(const std::string& data_dir) {
  return load_shipped(data_dir, "breast_cancer.csv", "diagnosis", 569, 30, 2,
                      "W. H. Wolberg, W. N. Street, O. L. Mangasarian, Breast Cancer Wisconsin "
                      "(Diagnostic), UCI Machine Learning Repository (1995), as shipped by "
                      "scikit-learn 1.2.1");
}

// ---------------------------------------------------------------------------------------------
// Synthetic tasks

Matrix map_000_eq1() {
  Matrix m(2, 2);
  m << 0.15, 0.3,  //
      0.2, 0.1;
  return m;
}

Matrix map_000_eq22() {
  Matrix m(5, 2);
  m << 0.15, 0.3,  //
      0.2, 0.1,    //
      0.05, 0.2,   //
      0.1, 0.05,   //
      0.3, 0.15;
  return m;
}

Matrix map_003_eqA2() {
  Matrix m(2, 2);
  m << 0.5, 0.2,  //
      -0.1, 0.7;
  return m;
}

namespace {

void require_map(const Matrix& map, Index samples, const char* where) {
  require(map.rows() >= 1 && map.cols() >= 1, where, "map must be non-empty (got ", map.rows(),
          " x ", map.cols(), ")");
  require(all_finite(map), where, "map must be finite (got a NaN or infinity)");
  require(samples >= 1, where, "samples must be >= 1 (got ", samples, ")");
}

Dataset regression_dataset(Matrix inputs, const Matrix& map, std::string citation) {
  Dataset data;
  data.targets = inputs * map.transpose();
  data.inputs = std::move(inputs);
  data.feature_names = numbered_names("x_", data.inputs.cols());
  data.citation = std::move(citation);
  return data;
}

}  // namespace

Dataset linear_regression_data(const Matrix& map, Index samples, double low, double high,
                               std::uint64_t seed) {
  require_map(map, samples, "linear_regression_data");
  require(std::isfinite(low) && std::isfinite(high) && low < high, "linear_regression_data",
          "need finite low < high (got [", low, ", ", high, "])");
  Engine engine(seed);
  Matrix inputs(samples, map.cols());
  for (Index r = 0; r < samples; ++r)
    for (Index j = 0; j < map.cols(); ++j) inputs(r, j) = sampling::uniform(engine, low, high);
  return regression_dataset(std::move(inputs), map,
                            concat("y = M x, x ~ U[", low, ", ", high, ") entrywise"));
}

Dataset normal_linear_regression_data(const Matrix& map, Index samples, double sd,
                                      std::uint64_t seed) {
  require_map(map, samples, "normal_linear_regression_data");
  require(std::isfinite(sd) && sd >= 0.0, "normal_linear_regression_data",
          "sd must be finite and >= 0 (got ", sd, ")");
  Engine engine(seed);
  Matrix inputs(samples, map.cols());
  for (Index r = 0; r < samples; ++r)
    for (Index j = 0; j < map.cols(); ++j) inputs(r, j) = sd * sampling::normal(engine);
  return regression_dataset(std::move(inputs), map,
                            concat("y = M x, x ~ N(0, ", sd * sd, ") entrywise (003 App. A)"));
}

Dataset gaussian_clusters(const std::vector<Vector>& means, const std::vector<Matrix>& covariances,
                          Index per_class, std::uint64_t seed) {
  require(!means.empty() && means.size() == covariances.size(), "gaussian_clusters",
          "need one covariance per mean (got ", means.size(), " means and ", covariances.size(),
          " covariances)");
  require(per_class >= 1, "gaussian_clusters", "per_class must be >= 1 (got ", per_class, ")");
  const Index d = means.front().size();
  const Index k = size_of(means);
  std::vector<Matrix> factors;
  for (Index c = 0; c < k; ++c) {
    const Vector& mean = means[at(c)];
    const Matrix& cov = covariances[at(c)];
    require(mean.size() == d && d >= 1 && mean.allFinite(), "gaussian_clusters", "means[", c,
            "] must be finite with ", d, " entries (got ", mean.size(), ")");
    require(cov.rows() == d && cov.cols() == d && cov.allFinite() && cov.isApprox(cov.transpose()),
            "gaussian_clusters", "covariances[", c, "] must be a finite symmetric ", d, " x ", d,
            " matrix (got ", cov.rows(), " x ", cov.cols(), ")");
    const Eigen::LLT<Matrix> llt(cov);
    require(llt.info() == Eigen::Success, "gaussian_clusters", "covariances[", c,
            "] is not positive definite (got a failed Cholesky factorisation)");
    factors.push_back(llt.matrixL());
  }
  Engine engine(seed);
  Dataset data;
  data.inputs.resize(k * per_class, d);
  Vector z(d);
  for (Index c = 0; c < k; ++c) {
    for (Index s = 0; s < per_class; ++s) {
      for (Index j = 0; j < d; ++j) z[j] = sampling::normal(engine);
      data.inputs.row(c * per_class + s) = (means[at(c)] + factors[at(c)] * z).transpose();
      data.labels.push_back(c);
    }
  }
  data.num_classes = k;
  data.targets = one_hot(data.labels, k);
  data.feature_names = numbered_names("x_", d);
  data.class_names = numbered_names("cluster_", k);
  data.citation = "Gaussian clusters";
  return data;
}

Dataset gaussian_clusters_000(Index per_class, std::uint64_t seed) {
  std::vector<Vector> means(3, Vector(2));
  means[0] << 2.0, 2.0;
  means[1] << 7.0, 7.0;
  means[2] << 1.0, 8.0;
  std::vector<Matrix> covariances(3, Matrix(2, 2));
  covariances[0] << 1.0, 0.5, 0.5, 1.0;
  covariances[1] << 1.0, -0.5, -0.5, 1.0;
  covariances[2] << 1.0, 0.0, 0.0, 1.0;
  Dataset data = gaussian_clusters(means, covariances, per_class, seed);
  data.class_names = {"D1", "D2", "D3"};
  data.citation = "000 App. D, eqs. (D1)-(D3)";
  return data;
}

NoisyRegression noisy_linear_data(Index rows, Index cols, Index samples, double noise_sd,
                                  std::uint64_t seed) {
  require(rows >= 1 && cols >= 1, "noisy_linear_data", "map shape must be >= 1 x 1 (got ", rows,
          " x ", cols, ")");
  require(samples >= 1, "noisy_linear_data", "samples must be >= 1 (got ", samples, ")");
  require(std::isfinite(noise_sd) && noise_sd >= 0.0, "noisy_linear_data",
          "noise_sd must be finite and >= 0 (got ", noise_sd, ")");
  Engine engine(seed);
  NoisyRegression out;
  out.map.resize(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) out.map(i, j) = sampling::uniform(engine, 0.0, 10.0);
  Matrix inputs(samples, cols);
  Matrix noise(samples, rows);
  for (Index s = 0; s < samples; ++s) {
    for (Index j = 0; j < cols; ++j) inputs(s, j) = sampling::normal(engine);
    for (Index i = 0; i < rows; ++i) noise(s, i) = noise_sd * sampling::normal(engine);
  }
  out.noiseless_targets = inputs * out.map.transpose();
  out.data.targets = out.noiseless_targets + noise;
  out.data.inputs = std::move(inputs);
  out.data.feature_names = numbered_names("x_", cols);
  out.data.citation = concat(
      "004 App. L eq. (31): y = M x + eps, M ~ U[0, 10], x ~ N(0, 1), "
      "eps ~ N(0, ",
      noise_sd * noise_sd, ")");
  return out;
}

LinearConstraintTasks random_linear_constraint_tasks(Index num_nodes, Index num_tasks,
                                                     std::uint64_t seed) {
  require(num_nodes >= 1, "random_linear_constraint_tasks", "num_nodes must be >= 1 (got ",
          num_nodes, ")");
  require(num_tasks >= 1, "random_linear_constraint_tasks", "num_tasks must be >= 1 (got ",
          num_tasks, ")");
  Engine engine(seed);
  LinearConstraintTasks tasks;
  tasks.forces.resize(num_tasks, num_nodes);
  tasks.constraints.resize(num_tasks, num_nodes);
  tasks.offsets.resize(num_tasks);
  for (Index r = 0; r < num_tasks; ++r) {
    for (Index a = 0; a < num_nodes; ++a) tasks.forces(r, a) = sampling::normal(engine);
    for (Index a = 0; a < num_nodes; ++a) tasks.constraints(r, a) = sampling::normal(engine);
    tasks.offsets[r] = sampling::normal(engine);
  }
  return tasks;
}

}  // namespace plnet::learning
