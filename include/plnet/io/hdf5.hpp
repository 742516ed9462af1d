#pragma once
/// HDF5 results and checkpoints (conventions: docs/file_formats.md, "HDF5 conventions").
///
/// - Dataset and group paths are '/'-separated and relative to the root: "a/b/c" and "/a/b/c"
///   name the same object; the writer creates intermediate groups ("a", "a/b") on demand.
///   Messages always show the absolute form ("/a/b/c").
/// - Matrices are row-major on disk: an Eigen (rows x cols) matrix is an HDF5 dataset of shape
///   (rows, cols), which h5py and numpy see as shape (rows, cols) with m[i, j] = m(i, j).
/// - Doubles are IEEE 754 binary64, integers (Index) are 64-bit signed, both little-endian, so
///   every value round-trips bit for bit. Strings are scalar variable-length UTF-8 strings.
/// - H5Writer builds the file in memory and, in commit(), writes it to "<path>.tmp.<pid>"
///   (io::temporary_path), syncs it and renames it over `path`: a reader never sees a
///   half-written file at `path`, and a full disk is one error, with libhdf5 never failing
///   mid-write.
/// - Checksums: every non-empty array is chunked with HDF5's Fletcher-32 filter; scalars and
///   strings up to 32 KiB are stored inside their object header; the file uses the HDF5 1.10
///   format, whose headers, B-trees and chunk indexes carry checksums; a longer string carries
///   its FNV-1a checksum in the attribute "plnet_fnv1a64". Strings are fixed-length (a
///   variable-length string lives in HDF5's unchecksummed global heap). The reader reports a
///   damaged file as one line: "run.h5: /w: checksum mismatch, the file is corrupt (...)".
/// - Errors name the file and, where there is one, the object:
///   "run.h5: /costs: no such dataset", "run.h5: not an HDF5 file". Bad input (a missing,
///   corrupt or mistyped file or dataset; an invalid path or argument) throws
///   std::invalid_argument; a failure of the writer's file system (disk full, rename failed)
///   throws std::runtime_error; using a committed or moved-from writer, or an appender whose
///   writer is gone, throws std::logic_error. HDF5's own error-stack printing is switched off
///   for the whole process, so a failure produces exactly the one line of the exception.
/// - Debian's HDF5 is the serial, non-thread-safe build: call these classes from one thread at
///   a time (never from inside an OpenMP parallel region).

#include <plnet/core/types.hpp>

#include <concepts>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace plnet::io {

/// An integer matrix (edge lists, index tables), written as 2-D int64.
using IndexMatrix = Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic>;

/// Options of H5Writer.
struct H5WriterOptions {
  /// gzip (deflate) level 1..9 for array datasets and appenders (with the byte-shuffle filter,
  /// which makes doubles compress far better); 0 (default) stores them uncompressed. Scalars
  /// and strings are never compressed. Must be in [0, 9]; a level > 0 throws
  /// std::invalid_argument if this HDF5 library cannot encode deflate (H5Zfilter_avail).
  int gzip_level = 0;
};

class H5Writer;

/// What a dataset means, stored with it as three string attributes so that a reader with h5py
/// and no plnet understands the file (docs/file_formats.md, "Self-describing datasets"):
/// `description` (one sentence), `units` ("V", "A", "S (conductance)", "1" for dimensionless
/// numbers, "step", "index" for indices into another array; "" for text) and `axes` (the
/// meaning of each axis, comma-separated, one name per dimension, e.g. "sample, output"; ""
/// for a scalar or a string). Pass one as the last argument of H5Writer::write.
struct Describe {
  std::string description;
  std::string units;
  std::string axes;
};

/// The datasets under `group` of `reader` (absolute paths, sorted) that lack any of the
/// attributes `description`, `units` and `axes` of Describe.
class H5Reader;
std::vector<std::string> undescribed_datasets(const H5Reader& reader,
                                              const std::string& group = "/");

/// An extendible (rows x num_columns) double dataset that grows by one row per append():
/// chunked, maximum shape (unlimited, num_columns), so a run can log any number of rows.
/// Rows are buffered and written a chunk at a time into the writer's in-memory file (the
/// whole file is held in memory until commit());
/// flush() writes the buffered rows now. Obtained from H5Writer::appender. The writer flushes
/// every live appender in commit(); an appender destroyed earlier flushes itself (a failure
/// there is reported by the writer's commit()). After commit() or the writer's destruction,
/// append() and flush() throw std::logic_error. Move-only.
class H5Appender {
 public:
  H5Appender(H5Appender&&) noexcept;
  H5Appender& operator=(H5Appender&&) noexcept;
  H5Appender(const H5Appender&) = delete;
  H5Appender& operator=(const H5Appender&) = delete;
  ~H5Appender();

  /// Appends one row; row.size() must equal num_columns().
  void append(const Vector& row);
  /// Writes the buffered rows to the file (the dataset then has rows() rows).
  void flush();
  /// Rows appended so far (written or buffered).
  Index rows() const;
  Index num_columns() const;

 private:
  friend class H5Writer;
  struct Impl;
  explicit H5Appender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Writes one HDF5 file atomically: the file is built in memory, commit() writes it to
/// "<path>.tmp.<pid>" and renames that over `path`; destroying the writer without commit()
/// removes the temporary and leaves `path` untouched. Datasets are written once: writing to an
/// existing path throws std::invalid_argument ("run.h5: /costs: already exists"). Move-only.
class H5Writer {
 public:
  /// Creates the temporary file for `path` (std::runtime_error if it cannot be created).
  explicit H5Writer(std::string path, H5WriterOptions options = {});
  H5Writer(H5Writer&&) noexcept;
  H5Writer& operator=(H5Writer&&) noexcept;
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;
  /// Without commit(), discards the temporary file (nothing appears at path()).
  ~H5Writer();

  /// The target path given to the constructor.
  const std::string& path() const;

  /// Every write takes an optional Describe: with a non-empty description, the dataset gets
  /// the attributes description, units and axes, and the axes must name each dimension
  /// (std::invalid_argument otherwise: "run.h5: /x: axes 'sample' name 1 axes (need 2)").
  /// 1-D float64 dataset of shape (n).
  void write(const std::string& dataset_path, const Vector& values, const Describe& describe = {});
  /// 2-D float64 dataset of shape (rows, cols), row-major on disk (h5py sees m[i, j] = m(i, j)).
  void write(const std::string& dataset_path, const Matrix& values, const Describe& describe = {});
  /// 2-D int64 dataset of shape (rows, cols), row-major (edge lists, index tables).
  void write(const std::string& dataset_path, const IndexMatrix& values,
             const Describe& describe = {});
  /// Any other Eigen expression (v * 2, m.transpose(), Vector::Zero(n), m.block(...)) is
  /// evaluated first: a compile-time column vector is written as a Vector, anything else
  /// (row vectors included) as a Matrix.
  template <typename Derived>
  void write(const std::string& dataset_path, const Eigen::MatrixBase<Derived>& values,
             const Describe& describe = {}) {
    if constexpr (Derived::ColsAtCompileTime == 1)
      write(dataset_path, Vector(values), describe);
    else
      write(dataset_path, Matrix(values), describe);
  }
  /// 1-D int64 dataset of shape (n).
  void write(const std::string& dataset_path, const std::vector<Index>& values,
             const Describe& describe = {});
  /// Scalar float64 dataset.
  void write(const std::string& dataset_path, double value, const Describe& describe = {});
  /// Scalar int64 dataset.
  void write(const std::string& dataset_path, Index value, const Describe& describe = {});
  /// Scalar variable-length UTF-8 string dataset. `value` must be valid UTF-8 (not checked)
  /// without NUL bytes (checked: HDF5 strings are NUL-terminated).
  void write(const std::string& dataset_path, const std::string& value,
             const Describe& describe = {});
  void write(const std::string& dataset_path, const char* value, const Describe& describe = {}) {
    write(dataset_path, std::string(value), describe);
  }
  /// Any other integer type (int, std::size_t, ...) is stored as an Index; out of range throws.
  /// (bool is deliberately not accepted: store 0 or 1.)
  template <std::integral T>
  requires(!std::same_as<T, Index> &&
           !std::same_as<T, bool>) void write(const std::string& dataset_path, T value,
                                              const Describe& describe = {}) {
    write(dataset_path, to_index(dataset_path, value), describe);
  }

  /// Creates the group `group_path` and any missing parent (no-op if it already exists).
  void create_group(const std::string& group_path);

  /// Sets attribute `name` on the existing group or dataset `object_path` ("/" is the root),
  /// replacing an attribute of the same name. Scalar float64, int64 or UTF-8 string.
  void write_attribute(const std::string& object_path, const std::string& name, double value);
  void write_attribute(const std::string& object_path, const std::string& name, Index value);
  void write_attribute(const std::string& object_path, const std::string& name,
                       const std::string& value);
  void write_attribute(const std::string& object_path, const std::string& name, const char* value) {
    write_attribute(object_path, name, std::string(value));
  }
  template <std::integral T>
  requires(!std::same_as<T, Index> &&
           !std::same_as<T, bool>) void write_attribute(const std::string& object_path,
                                                        const std::string& name, T value) {
    write_attribute(object_path, name, to_index(object_path, value));
  }

  /// Creates an extendible dataset of shape (0, num_columns) at `dataset_path`, chunked by
  /// `chunk_rows` rows, and returns the appender that grows it. num_columns >= 1,
  /// chunk_rows >= 1, and one chunk (chunk_rows * num_columns doubles) must stay below 4 GiB.
  H5Appender appender(const std::string& dataset_path, Index num_columns, Index chunk_rows = 1024);

  /// The datasets written so far (absolute paths, sorted) that lack any of the attributes
  /// description, units and axes (io::Describe): a writer of self-describing files checks it
  /// is empty before commit().
  std::vector<std::string> undescribed_datasets() const;

  /// Flushes every live appender, closes the file and renames it to path(). Throws (and keeps
  /// path() untouched) if any of that fails; afterwards every write throws std::logic_error.
  void commit();

 private:
  // Writes the three attributes of `describe` (if it has a description) on a dataset of `rank`.
  void write_description(const std::string& dataset_path, std::size_t rank,
                         const Describe& describe);

  template <std::integral T>
  Index to_index(const std::string& where, T value) const {
    if (!std::in_range<Index>(value))
      throw std::invalid_argument(path() + ": " + where + ": integer out of the int64 range");
    return static_cast<Index>(value);
  }

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reads an HDF5 file (written by H5Writer, h5py or anything else). Every size read from the
/// file is checked before it is used (no extent or string length larger than the file can
/// hold becomes an allocation), and every checksum is verified. Readers accept any
/// floating-point type for doubles and any integer type for Index (HDF5 converts, e.g. float32
/// and int32 from numpy) and both variable- and fixed-length strings; they reject other
/// classes, shapes of the wrong rank and non-scalars for scalars, with the file, the path and
/// what was found. Move-only.
class H5Reader {
 public:
  /// Opens `path` read-only: "<path>: cannot open file" if it does not exist,
  /// "<path>: not an HDF5 file" if it is not one (std::invalid_argument).
  explicit H5Reader(std::string path);
  H5Reader(H5Reader&&) noexcept;
  H5Reader& operator=(H5Reader&&) noexcept;
  H5Reader(const H5Reader&) = delete;
  H5Reader& operator=(const H5Reader&) = delete;
  ~H5Reader();

  const std::string& path() const;

  /// True if a group or dataset exists at `object_path` (false also when a parent is missing
  /// or is a dataset).
  bool has(const std::string& object_path) const;
  /// Names (not paths) of the direct members of `group_path`, sorted by name.
  std::vector<std::string> list(const std::string& group_path = "/") const;
  /// Absolute paths of every dataset under `group_path`, at any depth, sorted.
  std::vector<std::string> datasets(const std::string& group_path = "/") const;
  /// Shape of a dataset: {} for a scalar, {n} for a vector, {rows, cols} for a matrix.
  std::vector<Index> shape(const std::string& dataset_path) const;

  /// A 1-D floating-point dataset.
  Vector read_vector(const std::string& dataset_path) const;
  /// A 2-D floating-point dataset of shape (rows, cols) as an Eigen (rows x cols) matrix.
  Matrix read_matrix(const std::string& dataset_path) const;
  /// A 2-D integer dataset of shape (rows, cols).
  IndexMatrix read_index_matrix(const std::string& dataset_path) const;
  /// A 1-D integer dataset.
  std::vector<Index> read_indices(const std::string& dataset_path) const;
  /// A scalar floating-point dataset.
  double read_double(const std::string& dataset_path) const;
  /// A scalar integer dataset.
  Index read_index(const std::string& dataset_path) const;
  /// A scalar string dataset (variable or fixed length; bytes returned as stored).
  std::string read_string(const std::string& dataset_path) const;

  /// True if the group or dataset `object_path` exists and has attribute `name`.
  bool has_attribute(const std::string& object_path, const std::string& name) const;
  /// Scalar attributes; "run.h5: /traj: no attribute 'units'" if absent.
  double read_attribute_double(const std::string& object_path, const std::string& name) const;
  Index read_attribute_index(const std::string& object_path, const std::string& name) const;
  std::string read_attribute_string(const std::string& object_path, const std::string& name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Throws std::logic_error naming every dataset `writer` has written without description,
/// units and axes ("run.h5: datasets without description, units and axes (io::Describe): /a,
/// /b"): the writers of run, checkpoint, analysis and reproduction files call it before
/// commit(), so a dataset added without its meaning fails every test that writes the file.
void require_described(const H5Writer& writer);

/// Records what a file is: root attributes "plnet_format" = kind (e.g. "run", "analysis",
/// "checkpoint") and "plnet_format_version" = version (an integer >= 1, bumped on every
/// incompatible change of that kind's layout).
void write_format(H5Writer& writer, const std::string& kind, Index version);

/// Checks that `reader`'s file is a plnet `kind` file of a version in [1, supported_version]
/// and returns that version (so a reader can branch on older layouts). Otherwise throws
/// std::invalid_argument, e.g. "run.h5: expected a plnet run file version 1 (got 'analysis'
/// version 2)" or "... (got no plnet_format attribute)".
Index check_format(const H5Reader& reader, const std::string& kind, Index supported_version);

}  // namespace plnet::io
