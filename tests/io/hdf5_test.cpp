// HDF5 layer: bit-exact round trips of every type, the extendible appender, attributes and
// groups, one-line errors (and nothing printed by HDF5 itself), the atomic-commit guarantee,
// format versioning, and interoperability with h5py in both directions.
#include <plnet/io/atomic_file.hpp>
#include <plnet/io/hdf5.hpp>

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>

namespace plnet::io {
namespace {

namespace fs = std::filesystem;

class Hdf5Files : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = (fs::temp_directory_path() / "plnet_h5_XXXXXX").string();
    ASSERT_NE(::mkdtemp(name.data()), nullptr);
    dir_ = name;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  /// Names of the files in the test directory.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

/// The message of the std::invalid_argument that `action` throws, checked to be one line and
/// to be the only thing printed (HDF5's own error stack must stay silent).
std::string error_of(const std::function<void()>& action) {
  ::testing::internal::CaptureStderr();
  std::string message;
  try {
    action();
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(printed, "") << "HDF5 printed to stderr";
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  return message;
}

void expect_contains(const std::string& message, const std::string& fragment) {
  EXPECT_NE(message.find(fragment), std::string::npos)
      << "missing \"" << fragment << "\" in: " << message;
}

std::uint64_t bits(double x) {
  return std::bit_cast<std::uint64_t>(x);
}

void expect_same_bits(const Matrix& expected, const Matrix& actual) {
  ASSERT_EQ(actual.rows(), expected.rows());
  ASSERT_EQ(actual.cols(), expected.cols());
  for (Index i = 0; i < expected.rows(); ++i)
    for (Index j = 0; j < expected.cols(); ++j)
      EXPECT_EQ(bits(actual(i, j)), bits(expected(i, j))) << "(" << i << ", " << j << ")";
}

/// Doubles that a lossy path would change: signed zero, subnormals, extremes, infinities and
/// a NaN with a payload.
Vector special_doubles() {
  Vector v(12);
  v << 0.0, -0.0, 1.0 / 3.0, std::numeric_limits<double>::denorm_min(),
      std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
      std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
      std::bit_cast<double>(std::uint64_t{0x7ff8000000000123}), 1e-300, M_PI,
      std::nextafter(1.0, 2.0);
  return v;
}

/// A non-square matrix whose every entry differs, so a transpose or reshape cannot pass.
Matrix distinct_matrix(Index rows, Index cols) {
  Matrix m(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) m(i, j) = std::sin(static_cast<double>(i * cols + j) + 0.5);
  return m;
}

// ---- round trips ----

using Hdf5RoundTrip = Hdf5Files;

TEST_F(Hdf5RoundTrip, EveryTypeBitForBit) {
  const Vector v = special_doubles();
  const Matrix m = distinct_matrix(3, 5);
  const std::vector<Index> indices{std::numeric_limits<Index>::min(), -1, 0, 1,
                                   std::numeric_limits<Index>::max()};
  const std::string utf8 = "h\xc3\xa9llo \xe2\x9c\x93";  // "héllo ✓"
  const std::string long_text(100000, 'x');
  {
    H5Writer writer(path("run.h5"));
    writer.write("v", v);
    writer.write("m", m);
    writer.write("indices", indices);
    writer.write("third", 1.0 / 3.0);
    writer.write("nan", v[8]);
    writer.write("min", std::numeric_limits<Index>::min());
    writer.write("int", 42);               // int, through the Index template
    writer.write("size", std::size_t{7});  // unsigned, same
    writer.write("utf8", utf8);
    writer.write("empty_string", std::string());
    writer.write("literal", "plain");
    writer.write("long", long_text);
    writer.commit();
  }
  const H5Reader reader(path("run.h5"));
  expect_same_bits(v, reader.read_vector("v"));
  expect_same_bits(m, reader.read_matrix("m"));
  EXPECT_EQ(reader.read_indices("indices"), indices);
  EXPECT_EQ(bits(reader.read_double("third")), bits(1.0 / 3.0));
  EXPECT_EQ(bits(reader.read_double("nan")), bits(v[8]));
  EXPECT_EQ(reader.read_index("min"), std::numeric_limits<Index>::min());
  EXPECT_EQ(reader.read_index("int"), 42);
  EXPECT_EQ(reader.read_index("size"), 7);
  EXPECT_EQ(reader.read_string("utf8"), utf8);
  EXPECT_EQ(reader.read_string("empty_string"), "");
  EXPECT_EQ(reader.read_string("literal"), "plain");
  EXPECT_EQ(reader.read_string("long"), long_text);
  EXPECT_EQ(reader.shape("v"), (std::vector<Index>{12}));
  EXPECT_EQ(reader.shape("m"), (std::vector<Index>{3, 5}));
  EXPECT_EQ(reader.shape("third"), std::vector<Index>{});
}

TEST_F(Hdf5RoundTrip, EmptyArraysKeepTheirShape) {
  {
    H5Writer writer(path("run.h5"));
    writer.write("v", Vector(0));
    writer.write("rows", Matrix(0, 3));
    writer.write("cols", Matrix(4, 0));
    writer.write("indices", std::vector<Index>{});
    writer.commit();
  }
  const H5Reader reader(path("run.h5"));
  EXPECT_EQ(reader.read_vector("v").size(), 0);
  const Matrix rows = reader.read_matrix("rows");
  EXPECT_EQ(rows.rows(), 0);
  EXPECT_EQ(rows.cols(), 3);
  const Matrix cols = reader.read_matrix("cols");
  EXPECT_EQ(cols.rows(), 4);
  EXPECT_EQ(cols.cols(), 0);
  EXPECT_TRUE(reader.read_indices("indices").empty());
}

TEST_F(Hdf5RoundTrip, TransposeReversesTheStoredShape) {
  // Property of a row-major layout: m and m^T store the same numbers under reversed shapes.
  const Matrix m = distinct_matrix(2, 7);
  {
    H5Writer writer(path("run.h5"));
    writer.write("m", m);
    writer.write("mt", m.transpose());  // an expression, evaluated
    writer.commit();
  }
  const H5Reader reader(path("run.h5"));
  EXPECT_EQ(reader.shape("m"), (std::vector<Index>{2, 7}));
  EXPECT_EQ(reader.shape("mt"), (std::vector<Index>{7, 2}));
  expect_same_bits(m, reader.read_matrix("mt").transpose());
}

TEST_F(Hdf5RoundTrip, NestedGroupsAreCreatedAndListed) {
  {
    H5Writer writer(path("run.h5"));
    writer.write("a/b/c", 1.0);
    writer.write("/a/b/d", Index{2});  // a leading '/' names the same place
    writer.write("a//e", "three");     // empty components are ignored
    writer.create_group("empty/group");
    writer.create_group("a/b");  // existing group: no-op
    writer.commit();
  }
  const H5Reader reader(path("run.h5"));
  EXPECT_EQ(reader.list(), (std::vector<std::string>{"a", "empty"}));
  EXPECT_EQ(reader.list("a"), (std::vector<std::string>{"b", "e"}));
  EXPECT_EQ(reader.list("/a/b/"), (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(reader.list("empty/group").empty());
  EXPECT_TRUE(reader.has("a"));
  EXPECT_TRUE(reader.has("/a/b/c"));
  EXPECT_TRUE(reader.has("/"));
  EXPECT_FALSE(reader.has("a/x"));
  EXPECT_FALSE(reader.has("x/y/z"));
  EXPECT_FALSE(reader.has("a/b/c/d"));  // below a dataset
  EXPECT_EQ(reader.read_double("a/b/c"), 1.0);
  EXPECT_EQ(reader.read_index("a/b/d"), 2);
  EXPECT_EQ(reader.read_string("a/e"), "three");
}

TEST_F(Hdf5RoundTrip, AttributesOnRootGroupsAndDatasets) {
  {
    H5Writer writer(path("run.h5"));
    writer.write("run/costs", Vector::LinSpaced(4, 0.0, 1.0));
    writer.write_attribute("/", "seed", Index{-12345});
    writer.write_attribute("/", "note", "first");
    writer.write_attribute("/", "note", std::string("replaced"));  // replaces
    writer.write_attribute("run", "eta", 0.1);
    writer.write_attribute("run/costs", "units", "W");
    writer.write_attribute("run/costs", "count", 4);  // int, through the template
    writer.write_attribute("run/costs", "tiny", std::numeric_limits<double>::denorm_min());
    writer.commit();
  }
  const H5Reader reader(path("run.h5"));
  EXPECT_EQ(reader.read_attribute_index("/", "seed"), -12345);
  EXPECT_EQ(reader.read_attribute_string("/", "note"), "replaced");
  EXPECT_EQ(bits(reader.read_attribute_double("run", "eta")), bits(0.1));
  EXPECT_EQ(reader.read_attribute_string("run/costs", "units"), "W");
  EXPECT_EQ(reader.read_attribute_index("run/costs", "count"), 4);
  EXPECT_EQ(bits(reader.read_attribute_double("/run/costs", "tiny")),
            bits(std::numeric_limits<double>::denorm_min()));
  EXPECT_TRUE(reader.has_attribute("run/costs", "units"));
  EXPECT_FALSE(reader.has_attribute("run/costs", "volts"));
  EXPECT_FALSE(reader.has_attribute("nowhere", "units"));
}

TEST_F(Hdf5RoundTrip, SameContentGivesTheSameBytes) {
  // No timestamps in object headers: rerunning a deterministic job reproduces its file.
  for (const char* name : {"one.h5", "two.h5"}) {
    H5Writer writer(path(name));
    writer.write("g/m", distinct_matrix(4, 3));
    writer.write("g/s", "text");
    H5Appender rows = writer.appender("t", 2, 4);
    for (int i = 0; i < 9; ++i) rows.append(Vector::Constant(2, i));
    write_format(writer, "run", 1);
    writer.commit();
  }
  std::ifstream one(path("one.h5"), std::ios::binary), two(path("two.h5"), std::ios::binary);
  std::stringstream a, b;
  a << one.rdbuf();
  b << two.rdbuf();
  EXPECT_TRUE(a.str() == b.str());
}

// ---- the appender ----

using Hdf5Append = Hdf5Files;

Vector trajectory_row(Index i) {
  Vector row(3);
  row << static_cast<double>(i), static_cast<double>(i) + 0.5, -static_cast<double>(i) / 3.0;
  return row;
}

TEST_F(Hdf5Append, MoreRowsThanAChunk) {
  constexpr Index kRows = 50;  // 7 full chunks of 7 and a partial one
  {
    H5Writer writer(path("run.h5"));
    H5Appender trajectory = writer.appender("train/trajectory", 3, 7);
    EXPECT_EQ(trajectory.num_columns(), 3);
    for (Index i = 0; i < kRows; ++i) {
      trajectory.append(trajectory_row(i));
      EXPECT_EQ(trajectory.rows(), i + 1);
    }
    writer.write_attribute("train/trajectory", "columns", "step,cost,eta");
    writer.commit();  // flushes the last, partial chunk of the still-live appender
  }
  const H5Reader reader(path("run.h5"));
  const Matrix rows = reader.read_matrix("train/trajectory");
  ASSERT_EQ(rows.rows(), kRows);
  for (Index i = 0; i < kRows; ++i) expect_same_bits(trajectory_row(i).transpose(), rows.row(i));
  EXPECT_EQ(reader.read_attribute_string("train/trajectory", "columns"), "step,cost,eta");
}

TEST_F(Hdf5Append, AppenderDestroyedBeforeCommitFlushesItsRows) {
  {
    H5Writer writer(path("run.h5"));
    {
      H5Appender costs = writer.appender("costs", 3);  // default chunk: nothing written yet
      for (Index i = 0; i < 3; ++i) costs.append(trajectory_row(i));
    }
    H5Appender empty = writer.appender("empty", 2, 16);
    H5Appender moved = writer.appender("moved", 3, 2);
    moved.append(trajectory_row(0));
    H5Appender target = std::move(moved);
    target.append(trajectory_row(1));
    target.append(trajectory_row(2));
    target.flush();
    writer.commit();
  }
  const H5Reader reader(path("run.h5"));
  EXPECT_EQ(reader.read_matrix("costs").rows(), 3);
  EXPECT_EQ(reader.shape("empty"), (std::vector<Index>{0, 2}));
  expect_same_bits(reader.read_matrix("costs"), reader.read_matrix("moved"));
}

TEST_F(Hdf5Append, RejectsBadRowsAndUseAfterCommit) {
  H5Writer writer(path("run.h5"));
  H5Appender rows = writer.appender("rows", 3, 4);
  expect_contains(error_of([&] { rows.append(Vector::Zero(2)); }),
                  "/rows: row has the wrong length (got 2, need 3)");
  expect_contains(error_of([&] { writer.appender("bad", 0, 4); }),
                  "/bad: num_columns out of range (got 0, need >= 1)");
  expect_contains(error_of([&] { writer.appender("bad", 2, 0); }), "/bad: chunk_rows out of range");
  expect_contains(error_of([&] { writer.appender("bad", 1 << 20, 1 << 20); }),
                  "a chunk is < 4 GiB");
  rows.append(Vector::Ones(3));
  writer.commit();
  EXPECT_THROW(rows.append(Vector::Ones(3)), std::logic_error);
  EXPECT_EQ(H5Reader(path("run.h5")).read_matrix("rows").rows(), 1);
}

TEST_F(Hdf5Append, AppenderOutlivingItsWriterFailsCleanly) {
  std::optional<H5Appender> orphan;
  {
    H5Writer writer(path("run.h5"));
    orphan.emplace(writer.appender("rows", 2, 4));
    orphan->append(Vector::Ones(2));
  }  // discarded, not committed
  EXPECT_THROW(orphan->append(Vector::Ones(2)), std::logic_error);
  EXPECT_THROW(orphan->flush(), std::logic_error);
  EXPECT_EQ(orphan->rows(), 1);
  orphan.reset();  // destroying it touches no closed HDF5 object
  EXPECT_TRUE(files().empty());
}

TEST_F(Hdf5Append, GzipCompressesAndRoundTrips) {
  // Smooth data: shuffle + deflate must shrink it well below the raw 8 bytes per value.
  constexpr Index kValues = 200000;
  Vector smooth(kValues);
  for (Index i = 0; i < kValues; ++i) smooth[i] = static_cast<double>(i % 100);
  Matrix trajectory(5000, 4);
  for (Index i = 0; i < trajectory.rows(); ++i)
    trajectory.row(i).setConstant(static_cast<double>(i % 7));
  {
    H5Writer writer(path("run.h5"), {.gzip_level = 6});
    writer.write("smooth", smooth);
    writer.write("matrix", trajectory);
    H5Appender rows = writer.appender("rows", 4, 512);
    for (Index i = 0; i < trajectory.rows(); ++i) rows.append(trajectory.row(i).transpose());
    writer.commit();
  }
  const double raw_bytes = 8.0 * static_cast<double>(kValues + 2 * trajectory.size());
  EXPECT_LT(static_cast<double>(fs::file_size(path("run.h5"))), raw_bytes / 10.0);
  const H5Reader reader(path("run.h5"));
  expect_same_bits(smooth, reader.read_vector("smooth"));
  expect_same_bits(trajectory, reader.read_matrix("matrix"));
  expect_same_bits(trajectory, reader.read_matrix("rows"));

  expect_contains(error_of([&] { H5Writer(path("x.h5"), {.gzip_level = 10}); }),
                  "H5WriterOptions::gzip_level out of range (got 10, need 0 to 9)");
  EXPECT_FALSE(fs::exists(path("x.h5")));
}

// ---- errors ----

using Hdf5Errors = Hdf5Files;

TEST_F(Hdf5Errors, MissingDatasetIsOneLine) {
  {
    H5Writer writer(path("run.h5"));
    writer.write("loss", 1.0);
    writer.commit();
  }
  const H5Reader reader(path("run.h5"));
  EXPECT_EQ(error_of([&] { reader.read_vector("costs"); }),
            path("run.h5") + ": /costs: no such dataset");
  EXPECT_EQ(error_of([&] { reader.read_double("/a/b/costs"); }),
            path("run.h5") + ": /a/b/costs: no such dataset");
  EXPECT_EQ(error_of([&] { reader.read_attribute_string("loss", "units"); }),
            path("run.h5") + ": /loss: no attribute 'units'");
}

TEST_F(Hdf5Errors, NotAnHdf5FileIsOneLine) {
  std::ofstream(path("run.h5")) << "step,cost\n0,1.5\n";
  EXPECT_EQ(error_of([&] { H5Reader reader(path("run.h5")); }),
            path("run.h5") + ": not an HDF5 file");
  EXPECT_EQ(error_of([&] { H5Reader reader(path("absent.h5")); }),
            path("absent.h5") + ": cannot open file");
  // A truncated HDF5 file: the signature is there, the rest is not.
  {
    H5Writer writer(path("full.h5"));
    writer.write("v", special_doubles());
    writer.commit();
  }
  fs::resize_file(path("full.h5"), 600);
  const std::string truncated = error_of([&] {
    H5Reader reader(path("full.h5"));
    reader.read_vector("v");
  });
  EXPECT_EQ(truncated.rfind(path("full.h5") + ": ", 0), 0U) << truncated;
}

TEST_F(Hdf5Errors, WrongKindShapeOrTypeNamesWhatWasFound) {
  {
    H5Writer writer(path("run.h5"));
    writer.write("m", distinct_matrix(3, 4));
    writer.write("g/v", Vector::Zero(2));
    writer.write("i", std::vector<Index>{1, 2});
    writer.write("s", "text");
    writer.commit();
  }
  const H5Reader reader(path("run.h5"));
  const std::string file = path("run.h5") + ": ";
  EXPECT_EQ(error_of([&] { reader.read_vector("m"); }),
            file + "/m: expected a 1-D array (got shape (3, 4))");
  EXPECT_EQ(error_of([&] { reader.read_matrix("g/v"); }),
            file + "/g/v: expected a 2-D array (got shape (2))");
  EXPECT_EQ(error_of([&] { reader.read_double("g/v"); }),
            file + "/g/v: expected a scalar (got shape (2))");
  EXPECT_EQ(error_of([&] { reader.read_vector("i"); }),
            file + "/i: expected floating-point values (got integer)");
  EXPECT_EQ(error_of([&] { reader.read_indices("g/v"); }),
            file + "/g/v: expected integer values (got floating-point)");
  EXPECT_EQ(error_of([&] { reader.read_index("s"); }),
            file + "/s: expected integer values (got string)");
  EXPECT_EQ(error_of([&] { reader.read_vector("g"); }), file + "/g: is a group, not a dataset");
  EXPECT_EQ(error_of([&] { reader.list("m"); }), file + "/m: is a dataset, not a group");
  EXPECT_EQ(error_of([&] { reader.list("nowhere"); }), file + "/nowhere: no such group");
}

TEST_F(Hdf5Errors, WriterRejectsBadPathsAndStrings) {
  H5Writer writer(path("run.h5"));
  writer.write("costs", 1.0);
  const std::string file = path("run.h5") + ": ";
  EXPECT_EQ(error_of([&] { writer.write("costs", 2.0); }), file + "/costs: already exists");
  EXPECT_EQ(error_of([&] { writer.write("costs/x", 2.0); }),
            file + "/costs: is a dataset, not a group (cannot create /costs/x)");
  expect_contains(error_of([&] { writer.write("/", 2.0); }), "empty dataset path");
  expect_contains(error_of([&] { writer.write("s", std::string("a\0b", 3)); }),
                  "/s: string contains a NUL byte (at offset 1");
  EXPECT_EQ(error_of([&] { writer.write_attribute("nowhere", "units", "V"); }),
            file + "/nowhere: no such group or dataset (cannot set attribute 'units')");
  // The failed writes changed nothing.
  writer.commit();
  const H5Reader reader(path("run.h5"));
  EXPECT_EQ(reader.list(), std::vector<std::string>{"costs"});
  EXPECT_EQ(reader.read_double("costs"), 1.0);
}

// ---- atomic commit ----

using Hdf5Atomic = Hdf5Files;

TEST_F(Hdf5Atomic, UncommittedWriterLeavesNoFileAndNoTemporary) {
  {
    H5Writer writer(path("run.h5"));
    writer.write("v", special_doubles());
    H5Appender rows = writer.appender("rows", 3, 2);
    rows.append(trajectory_row(0));
    // Everything so far went to the temporary, nothing to the target.
    EXPECT_EQ(files(), std::vector<std::string>{
                           fs::path(temporary_path(path("run.h5"))).filename().string()});
  }
  EXPECT_TRUE(files().empty());

  // An exception half way through a job behaves the same.
  EXPECT_THROW(
      {
        H5Writer writer(path("run.h5"));
        writer.write("v", Vector::Ones(3));
        throw std::runtime_error("solver failed");
      },
      std::runtime_error);
  EXPECT_TRUE(files().empty());
}

TEST_F(Hdf5Atomic, CommitReplacesTheTargetAndOnlyThen) {
  {
    H5Writer writer(path("run.h5"));
    writer.write("version", Index{1});
    writer.commit();
  }
  {
    H5Writer writer(path("run.h5"));
    writer.write("version", Index{2});
    // Until commit, readers still see the old file.
    EXPECT_EQ(H5Reader(path("run.h5")).read_index("version"), 1);
  }
  EXPECT_EQ(H5Reader(path("run.h5")).read_index("version"), 1);
  {
    H5Writer first(path("run.h5"));
    first.write("version", Index{3});
    H5Writer writer = std::move(first);  // a moved writer keeps its file
    writer.commit();
    EXPECT_THROW(writer.write("late", 1.0), std::logic_error);
    EXPECT_THROW(writer.commit(), std::logic_error);
  }
  EXPECT_EQ(H5Reader(path("run.h5")).read_index("version"), 3);
  EXPECT_EQ(files(), std::vector<std::string>{"run.h5"});
}

TEST_F(Hdf5Atomic, UnwritableDirectoryIsARuntimeError) {
  try {
    H5Writer writer(path("no/such/dir/run.h5"));
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path("no/such/dir/run.h5") + ": cannot open file for writing", 0), 0U)
        << message;
  }
}

// ---- format versioning ----

using Hdf5Format = Hdf5Files;

TEST_F(Hdf5Format, CheckFormatAcceptsKnownVersionsAndNamesTheRest) {
  auto make = [&](const std::string& name, const std::string& kind, Index version) {
    H5Writer writer(path(name));
    if (!kind.empty()) write_format(writer, kind, version);
    writer.commit();
    return path(name);
  };
  EXPECT_EQ(check_format(H5Reader(make("run.h5", "run", 1)), "run", 1), 1);
  EXPECT_EQ(check_format(H5Reader(make("run2.h5", "run", 2)), "run", 3), 2);

  const std::string analysis = make("analysis.h5", "analysis", 2);
  EXPECT_EQ(error_of([&] { check_format(H5Reader(analysis), "run", 1); }),
            analysis + ": expected a plnet run file version 1 (got 'analysis' version 2)");
  const std::string newer = make("newer.h5", "run", 4);
  EXPECT_EQ(error_of([&] { check_format(H5Reader(newer), "run", 3); }),
            newer + ": expected a plnet run file version 1 to 3 (got 'run' version 4)");
  const std::string bare = make("bare.h5", "", 0);
  EXPECT_EQ(error_of([&] { check_format(H5Reader(bare), "run", 1); }),
            bare + ": expected a plnet run file version 1 (got no plnet_format attribute)");

  H5Writer writer(path("bad.h5"));
  expect_contains(error_of([&] { write_format(writer, "run", 0); }),
                  "version out of range (got 0, need >= 1)");
}

// ---- h5py interoperability ----

std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct ProcessResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

ProcessResult run_python(const std::string& script, const std::vector<std::string>& args) {
  // Appending (not "literal" + string) avoids a GCC 12 -Wrestrict false positive.
  std::string command = "/usr/bin/python3 -c ";
  command += shell_quoted(script);
  for (const std::string& arg : args) {
    command += ' ';
    command += shell_quoted(arg);
  }
  command += " 2>&1";
  ProcessResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// Fails (never skips) when the interpreter or h5py is missing: both are dependencies.
::testing::AssertionResult h5py_available() {
  const char* fix = "scripts/setup.sh installs python3-h5py (Debian package)";
  if (!fs::exists("/usr/bin/python3"))
    return ::testing::AssertionFailure() << "/usr/bin/python3 is missing; " << fix;
  const ProcessResult probe = run_python("import h5py, numpy", {});
  if (probe.status != 0)
    return ::testing::AssertionFailure()
           << "h5py cannot be imported by /usr/bin/python3; " << fix << "\n"
           << probe.output;
  return ::testing::AssertionSuccess();
}

using Hdf5Python = Hdf5Files;

TEST_F(Hdf5Python, H5pyReadsWhatH5WriterWrote) {
  ASSERT_TRUE(h5py_available());
  Matrix m(2, 3);
  m << 0, 1, 2, 10, 11, 12;  // m(i, j) = 10 i + j
  {
    H5Writer writer(path("run.h5"));
    write_format(writer, "run", 1);
    Vector v(4);
    v << 0.5, -1.25, 3.0, 1e-300;
    writer.write("vec", v);
    writer.write_attribute("vec", "units", "V");
    writer.write("group/matrix", m);
    writer.write("indices", std::vector<Index>{-3, 0, std::numeric_limits<Index>::max()});
    writer.write("scalar", 2.5);
    writer.write("count", Index{-7});
    writer.write("name", "h\xc3\xa9llo \xe2\x9c\x93");
    H5Appender trajectory = writer.appender("traj", 3, 7);
    for (Index i = 0; i < 50; ++i) trajectory.append(trajectory_row(i));
    writer.commit();
  }
  {
    H5Writer writer(path("gzip.h5"), {.gzip_level = 4});
    writer.write("m", m);
    writer.commit();
  }
  const std::string script = R"PY(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    # Strings are fixed-length (checksummed in their object header): attributes are bytes.
    assert f.attrs["plnet_format"] == b"run", repr(f.attrs["plnet_format"])
    assert f.attrs["plnet_format_version"] == 1
    v = f["vec"]
    assert v.shape == (4,) and v.dtype == np.float64, (v.shape, v.dtype)
    assert v[()].tolist() == [0.5, -1.25, 3.0, 1e-300], v[()]
    assert f["vec"].attrs["units"].decode() == "V", repr(f["vec"].attrs["units"])
    assert v.fletcher32, "arrays carry Fletcher-32 checksums"
    m = f["group/matrix"]
    assert m.shape == (2, 3), m.shape
    assert (m[()] == np.array([[0.0, 1, 2], [10, 11, 12]])).all(), m[()]
    i = f["indices"]
    assert i.dtype == np.int64 and i[()].tolist() == [-3, 0, 2**63 - 1], i[()]
    assert f["scalar"].shape == () and f["scalar"][()] == 2.5
    assert f["count"].dtype == np.int64 and f["count"][()] == -7
    s = f["name"]
    assert h5py.check_string_dtype(s.dtype).encoding == "utf-8", s.dtype
    assert s.asstr()[()] == "h\u00e9llo \u2713", repr(s.asstr()[()])
    assert s[()] == "h\u00e9llo \u2713".encode("utf-8"), repr(s[()])
    t = f["traj"]
    assert t.shape == (50, 3) and t.maxshape == (None, 3) and t.chunks == (7, 3), (t.shape, t.maxshape, t.chunks)
    expected = np.array([[k, k + 0.5, -k / 3.0] for k in range(50)])
    assert (t[()] == expected).all(), t[()]
    assert t.compression is None and t.fletcher32
    assert m.fletcher32 and i.fletcher32
with h5py.File(sys.argv[2], "r") as g:
    assert g["m"].compression == "gzip" and g["m"].compression_opts == 4, g["m"].compression
    assert g["m"].fletcher32
    assert (g["m"][()] == np.array([[0.0, 1, 2], [10, 11, 12]])).all()
print("ok")
)PY";
  const ProcessResult result = run_python(script, {path("run.h5"), path("gzip.h5")});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(result.output, "ok\n");
}

TEST_F(Hdf5Python, H5ReaderReadsWhatH5pyWrote) {
  ASSERT_TRUE(h5py_available());
  const std::string script = R"PY(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["f32"] = np.array([0.5, 1.5, -2.0], dtype=np.float32)
    f["i32"] = np.array([1, -2, 3], dtype=np.int32)
    f["u8"] = np.uint8(255)
    f["u64"] = np.array([2**63], dtype=np.uint64)
    f["m"] = np.arange(6.0).reshape(2, 3)
    f["fixed"] = np.bytes_("abc")
    f["vlen"] = "h\u00e9"
    f["flag"] = True
    f["g/x"] = 1.0
    f["g"].attrs["n"] = np.int32(5)
    f.attrs["s"] = "x"
    f.attrs["fixed_attr"] = np.bytes_("pad")
    f.attrs["f"] = np.float32(0.25)
)PY";
  const ProcessResult result = run_python(script, {path("py.h5")});
  ASSERT_EQ(result.status, 0) << result.output;

  const H5Reader reader(path("py.h5"));
  EXPECT_EQ(reader.read_vector("f32"), (Vector(3) << 0.5, 1.5, -2.0).finished());
  EXPECT_EQ(reader.read_indices("i32"), (std::vector<Index>{1, -2, 3}));
  EXPECT_EQ(reader.read_index("u8"), 255);
  expect_contains(error_of([&] { reader.read_indices("u64"); }),
                  "/u64: integer out of the int64 range (got 9223372036854775808)");
  const Matrix m = reader.read_matrix("m");
  ASSERT_EQ(m.rows(), 2);
  EXPECT_EQ(m(1, 2), 5.0);
  EXPECT_EQ(m(0, 1), 1.0);
  EXPECT_EQ(reader.read_string("fixed"), "abc");
  EXPECT_EQ(reader.read_string("vlen"), "h\xc3\xa9");
  expect_contains(error_of([&] { reader.read_index("flag"); }),
                  "/flag: expected integer values (got enum)");
  EXPECT_EQ(reader.list(), (std::vector<std::string>{"f32", "fixed", "flag", "g", "i32", "m", "u64",
                                                     "u8", "vlen"}));
  EXPECT_EQ(reader.read_attribute_index("g", "n"), 5);
  EXPECT_EQ(reader.read_attribute_string("/", "s"), "x");
  EXPECT_EQ(reader.read_attribute_string("/", "fixed_attr"), "pad");
  EXPECT_EQ(reader.read_attribute_double("/", "f"), 0.25);
}

// ---- damaged files and a full disk ----

using Hdf5Damage = Hdf5Files;

std::string file_bytes(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_bytes(const std::string& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// A small file with every kind of dataset and attribute plnet writes (a checkpoint's shape).
void write_sample(const std::string& file) {
  H5Writer writer(file);
  write_format(writer, "checkpoint", 1);
  writer.write("config", "[network]\nfile = \"net.json\"\n");
  writer.write("w", special_doubles());
  writer.write("step", Index{40});
  writer.write("frozen", std::vector<Index>{1, 5});
  writer.write("log", distinct_matrix(3, 5));
  writer.write("empty", std::vector<Index>{});
  writer.write("cost", 0.25);
  writer.write_attribute("w", "units", "S");
  writer.commit();
}

// Reads everything write_sample wrote; true if every value is exactly what was written.
bool sample_intact(const H5Reader& r) {
  const Vector w = r.read_vector("w");
  const Vector expected = special_doubles();
  bool same = w.size() == expected.size();
  for (Index i = 0; same && i < w.size(); ++i) same = bits(w[i]) == bits(expected[i]);
  const Matrix log = r.read_matrix("log");
  return check_format(r, "checkpoint", 1) == 1 &&
         r.read_string("config") == "[network]\nfile = \"net.json\"\n" && same &&
         r.read_index("step") == 40 && r.read_indices("frozen") == std::vector<Index>{1, 5} &&
         log.rows() == 3 && log.cols() == 5 && log == distinct_matrix(3, 5) &&
         r.read_indices("empty").empty() && r.read_double("cost") == 0.25 &&
         r.read_attribute_string("w", "units") == "S";
}

// Every single-bit flip anywhere in the file (string lengths, shapes, data, headers) is read
// back exactly or reported as one line naming the file: never a crash, a hang, silently wrong
// data or HDF5 printing its error stack. The child process bounds a hang and catches a crash.
TEST_F(Hdf5Damage, EveryBitFlipIsReadExactlyOrReportedAsOneLine) {
  write_sample(path("good.h5"));
  {
    const H5Reader reader(path("good.h5"));
    ASSERT_TRUE(sample_intact(reader));
  }
  const std::string good = file_bytes(path("good.h5"));
  ASSERT_LT(good.size(), 20000U);
  // One child walks the flips (bit `byte % 8` of every third byte, ~2,000 flips): a crash or
  // a hang (the alarm) ends it by a signal, a wrong result with the flip's position in
  // "walk.txt".
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(300);
    Index detected = 0, harmless = 0;
    std::ofstream report(path("walk.txt"));
    for (std::size_t byte = 0; byte < good.size(); byte += 3) {
      std::string bad = good;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << (byte % 8)));
      write_bytes(path("bad.h5"), bad);
      std::string failure;
      ::testing::internal::CaptureStderr();
      try {
        const H5Reader reader(path("bad.h5"));
        if (sample_intact(reader))
          ++harmless;
        else
          failure = "silently wrong data";
      } catch (const std::invalid_argument& e) {
        const std::string message = e.what();
        if (message.rfind(path("bad.h5") + ": ", 0) != 0 || message.find('\n') != std::string::npos)
          failure = "message: " + message;
        ++detected;
      } catch (const std::exception& e) {
        failure = std::string("not an input error: ") + e.what();
      }
      const std::string printed = ::testing::internal::GetCapturedStderr();
      if (!printed.empty()) failure = "printed: " + printed;
      if (!failure.empty()) {
        report << "byte " << byte << ": " << failure << "\n";
        report.close();
        std::_Exit(1);
      }
    }
    report << detected << " " << harmless << "\n";
    report.close();
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  const std::string report = file_bytes(path("walk.txt"));
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status) << " after " << report;
  ASSERT_EQ(WEXITSTATUS(status), 0) << report;
  std::istringstream counts(report);
  Index detected = 0, harmless = 0;
  counts >> detected >> harmless;
  // Most of a small file is structure and data; padding and unused fields are the rest.
  EXPECT_GT(detected, harmless) << report;
}

TEST_F(Hdf5Damage, CorruptedDataIsAChecksumErrorNamingFileAndDataset) {
  // A recognisable run of doubles, found in the file and damaged in its middle.
  Vector v(64);
  for (Index i = 0; i < v.size(); ++i) v[i] = 1000.0 + static_cast<double>(i);
  {
    H5Writer writer(path("run.h5"));
    writer.write("w", v);
    writer.commit();
  }
  std::string bytes = file_bytes(path("run.h5"));
  const double marker = v[32];
  const std::size_t at = bytes.find(std::string(reinterpret_cast<const char*>(&marker), 8));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3] = static_cast<char>(bytes[at + 3] ^ 0x01);
  write_bytes(path("run.h5"), bytes);
  const H5Reader reader(path("run.h5"));
  const std::string message = error_of([&] { reader.read_vector("w"); });
  EXPECT_EQ(message.rfind(path("run.h5") + ": /w: checksum mismatch, the file is corrupt", 0), 0U)
      << message;
}

TEST_F(Hdf5Damage, LongStringsCarryAChecksumToo) {
  // Longer than fits in an object header: stored contiguously with its own checksum.
  const std::string text(100000, 'a');
  {
    H5Writer writer(path("run.h5"));
    writer.write("config", text);
    writer.commit();
  }
  EXPECT_EQ(H5Reader(path("run.h5")).read_string("config"), text);
  std::string bytes = file_bytes(path("run.h5"));
  const std::size_t at = bytes.find(std::string(1000, 'a'));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 500] = 'b';
  write_bytes(path("run.h5"), bytes);
  const H5Reader reader(path("run.h5"));
  EXPECT_EQ(error_of([&] { reader.read_string("config"); }),
            path("run.h5") + ": /config: checksum mismatch, the file is corrupt");
}

TEST_F(Hdf5Damage, ExtentLargerThanTheFileIsRefusedBeforeAllocating) {
  ASSERT_TRUE(h5py_available());
  // A dataset whose shape claims 2^40 doubles (8 TiB) in a file of a few KiB: never written,
  // so its data is all fill value. Reading it must not try to allocate 8 TiB.
  const ProcessResult made = run_python(R"PY(
import sys, h5py
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("huge", shape=(2**40,), dtype="f8", chunks=(1024,))
    f.create_dataset("wide", shape=(2**20, 2**20), dtype="f8", chunks=(64, 64))
    string = h5py.h5t.C_S1.copy()
    string.set_size(2**31)
    h5py.h5d.create(f.id, b"long", string, h5py.h5s.create(h5py.h5s.SCALAR))
)PY",
                                        {path("huge.h5")});
  ASSERT_EQ(made.status, 0) << made.output;
  const H5Reader reader(path("huge.h5"));
  expect_contains(error_of([&] { reader.read_vector("huge"); }),
                  "/huge: shape (1099511627776) is larger than the file can hold");
  expect_contains(error_of([&] { reader.read_matrix("wide"); }),
                  "/wide: shape (1048576, 1048576) is larger than the file can hold");
  expect_contains(error_of([&] { reader.read_string("long"); }),
                  "/long: string length 2147483648 is more than the file can hold");
}

// A full disk (here: a file-size limit, which fails write() the same way without needing a
// small file system): one line naming the file and the reason, no temporary left, and a
// normal exit. libhdf5 used to fail inside H5Fclose and then crash in its exit handler.
TEST_F(Hdf5Damage, FullDiskIsOneErrorAndACleanExit) {
  const std::string target = path("run.h5");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing us
    const rlimit limit{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    int code = 3;
    try {
      H5Writer writer(target);
      writer.write("big", distinct_matrix(200, 50));  // 80 KB, well over the limit
      writer.commit();
      code = 2;
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      code = message.rfind(target + ": cannot write file (File too large)", 0) == 0 ? 1 : 4;
      if (code != 1) std::fprintf(stderr, "%s\n", message.c_str());
    }
    std::exit(code);  // runs HDF5's exit handler, where the crash was
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_TRUE(files().empty());
}

// ---- self-describing datasets (io::Describe) ----

TEST_F(Hdf5Files, DescribeStoresDescriptionUnitsAndAxes) {
  {
    H5Writer writer(path("d.h5"));
    writer.write("/final/states", Matrix::Zero(3, 2),
                 {"Free state of each sample.", "V", "sample, dof"});
    writer.write("/count", Index{4}, {"A count.", "1", ""});
    writer.write("/config", std::string("x = 1"), {"TOML text.", "", ""});
    writer.write("/plain", 1.5);  // no Describe: no attributes
    EXPECT_EQ(writer.undescribed_datasets(), std::vector<std::string>{"/plain"});
    EXPECT_THROW(require_described(writer), std::logic_error);
    writer.write_attribute("/plain", "description", "Described later.");
    writer.write_attribute("/plain", "units", "1");
    writer.write_attribute("/plain", "axes", "");
    EXPECT_TRUE(writer.undescribed_datasets().empty());
    EXPECT_NO_THROW(require_described(writer));
    writer.commit();
  }
  const H5Reader reader(path("d.h5"));
  EXPECT_EQ(reader.read_attribute_string("/final/states", "description"),
            "Free state of each sample.");
  EXPECT_EQ(reader.read_attribute_string("/final/states", "units"), "V");
  EXPECT_EQ(reader.read_attribute_string("/final/states", "axes"), "sample, dof");
  EXPECT_EQ(reader.read_attribute_string("/count", "axes"), "");
  EXPECT_EQ(reader.read_attribute_string("/config", "units"), "");
  EXPECT_EQ(reader.datasets(),
            (std::vector<std::string>{"/config", "/count", "/final/states", "/plain"}));
  EXPECT_EQ(reader.datasets("/final"), std::vector<std::string>{"/final/states"});
  EXPECT_TRUE(undescribed_datasets(reader).empty());
}

TEST_F(Hdf5Files, DescribeAxesNameEveryDimension) {
  H5Writer writer(path("d.h5"));
  // One name per dimension: a matrix needs two, a vector one, a scalar none.
  EXPECT_THROW(writer.write("/m", Matrix::Zero(2, 2), {"M.", "1", "sample"}),
               std::invalid_argument);
  EXPECT_THROW(writer.write("/v", Vector::Zero(2), {"V.", "1", "sample, dof"}),
               std::invalid_argument);
  EXPECT_THROW(writer.write("/s", 1.0, {"S.", "1", "sample"}), std::invalid_argument);
  EXPECT_THROW(writer.write("/e", Matrix::Zero(2, 2), {"E.", "1", "sample, "}),
               std::invalid_argument);
  try {
    writer.write("/w", Matrix::Zero(2, 2), {"W.", "1", "sample"});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              path("d.h5") +
                  ": /w: axes 'sample' name 1 axes (need 2, one non-empty name per "
                  "dimension)");
  }
}

TEST_F(Hdf5Files, IndexMatrixIsInt64RowMajor) {
  IndexMatrix edges(3, 2);
  edges << 0, 1, 1, 2, 2, std::numeric_limits<Index>::max();
  {
    H5Writer writer(path("e.h5"));
    writer.write("/edges", edges, {"Edges.", "index (node)", "edge, end"});
    writer.commit();
  }
  const H5Reader reader(path("e.h5"));
  EXPECT_EQ(reader.shape("/edges"), (std::vector<Index>{3, 2}));
  EXPECT_EQ(reader.read_index_matrix("/edges"), edges);
  // Integers are not doubles: no silent conversion across classes.
  EXPECT_THROW(reader.read_matrix("/edges"), std::invalid_argument);
}

TEST_F(Hdf5Files, UndescribedDatasetsOfAFileWrittenElsewhere) {
  {
    H5Writer writer(path("u.h5"));
    writer.write("/a/b", Vector::Zero(2), {"B.", "1", "x"});
    writer.write("/a/c", Vector::Zero(2));
    writer.write("/d", Index{1});
    writer.write_attribute("/d", "description", "Only a description.");
    writer.commit();
  }
  EXPECT_EQ(undescribed_datasets(H5Reader(path("u.h5"))), (std::vector<std::string>{"/a/c", "/d"}));
}

}  // namespace
}  // namespace plnet::io
