// H5Reader and check_format. Every failure is a std::invalid_argument naming the file and the
// object: a reader's input is a file someone gave us.
#include <plnet/core/error.hpp>
#include <plnet/io/hdf5.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "io/hdf5_detail.hpp"

namespace plnet::io {

namespace {

using h5::Handle;

template <typename... Args>
std::invalid_argument bad(Args&&... what) {
  return std::invalid_argument(concat(std::forward<Args>(what)...));
}

std::string shape_text(const std::vector<Index>& shape) {
  if (shape.empty()) return "a scalar";
  std::string text = "shape (";
  for (std::size_t d = 0; d < shape.size(); ++d)
    text += (d > 0 ? ", " : "") + std::to_string(shape[d]);
  return text + ")";
}

/// An open dataset or attribute: both have a dataspace, a datatype and a whole-object read.
struct Source {
  Handle id;
  bool attribute = false;
  std::string where;      // "run.h5: /costs" or "run.h5: /traj: attribute 'units'"
  hsize_t max_bytes = 0;  // the most data the file can hold (see H5Reader::Impl::max_bytes)

  Handle space() const {
    return h5::checked<std::invalid_argument>(
        attribute ? H5Aget_space(id.get()) : H5Dget_space(id.get()), H5Sclose, where);
  }
  Handle type() const {
    return h5::checked<std::invalid_argument>(
        attribute ? H5Aget_type(id.get()) : H5Dget_type(id.get()), H5Tclose, where);
  }
  void read(hid_t memory_type, void* buffer) const {
    const herr_t status =
        attribute ? H5Aread(id.get(), memory_type, buffer)
                  : H5Dread(id.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
    if (status >= 0) return;
    const std::string reason = h5::last_error();
    if (reason.find("checksum") != std::string::npos)
      throw bad(where, ": checksum mismatch, the file is corrupt (HDF5: ", reason, ")");
    throw bad(where, ": cannot read", reason.empty() ? "" : " (HDF5: " + reason + ")");
  }

  /// {} for a scalar, the dimensions otherwise; a null dataspace (h5py.Empty) is rejected.
  std::vector<Index> shape() const {
    const Handle s = space();
    if (H5Sget_simple_extent_type(s.get()) == H5S_NULL)
      throw bad(where, ": has no data (a null dataspace)");
    const int rank = H5Sget_simple_extent_ndims(s.get());
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    if (rank < 0 || H5Sget_simple_extent_dims(s.get(), dims.data(), nullptr) < 0)
      throw bad(h5::with_reason(where + ": cannot read the shape"));
    // A damaged extent must not become an allocation: the data cannot be larger than what
    // the file can hold (8 bytes an element, the smallest type plnet reads into).
    hsize_t count = 1;
    for (hsize_t d : dims) {
      if (d > static_cast<hsize_t>(std::numeric_limits<Index>::max()) ||
          (d > 0 && count > max_bytes / 8 / d))
        throw bad(where, ": ", shape_text(std::vector<Index>(dims.begin(), dims.end())),
                  " is larger than the file can hold (the file is corrupt)");
      count *= d;
    }
    return std::vector<Index>(dims.begin(), dims.end());
  }

  /// The shape, checked to have `rank` dimensions (0 = scalar) and values of `type_class`.
  std::vector<Index> expect(int rank, H5T_class_t type_class) const {
    const std::vector<Index> dims = shape();
    if (static_cast<int>(dims.size()) != rank) {
      const std::string wanted =
          rank == 0 ? std::string("a scalar") : concat("a ", rank, "-D array");
      throw bad(where, ": expected ", wanted, " (got ", shape_text(dims), ")");
    }
    const H5T_class_t found = H5Tget_class(type().get());
    if (found != type_class)
      throw bad(where, ": expected ", h5::class_name(type_class), " values (got ",
                h5::class_name(found), ")");
    return dims;
  }

  /// `count` integers as Index; unsigned 64-bit values beyond the int64 range are rejected
  /// (HDF5's own conversion would silently clip them).
  std::vector<Index> integers(std::size_t count) const {
    std::vector<Index> values(count);
    if (count == 0) return values;
    const Handle t = type();
    if (H5Tget_sign(t.get()) != H5T_SGN_NONE || H5Tget_size(t.get()) < sizeof(Index)) {
      read(H5T_NATIVE_INT64, values.data());
      return values;
    }
    std::vector<std::uint64_t> raw(count);
    read(H5T_NATIVE_UINT64, raw.data());
    for (std::size_t i = 0; i < count; ++i) {
      if (raw[i] > static_cast<std::uint64_t>(std::numeric_limits<Index>::max()))
        throw bad(where, ": integer out of the int64 range (got ", raw[i], ")");
      values[i] = static_cast<Index>(raw[i]);
    }
    return values;
  }

  double scalar_double() const {
    expect(0, H5T_FLOAT);
    double value = 0.0;
    read(H5T_NATIVE_DOUBLE, &value);
    return value;
  }

  Index scalar_index() const {
    expect(0, H5T_INTEGER);
    return integers(1)[0];
  }

  void verify_checksum(const std::string& bytes) const;

  /// Variable-length strings as stored; fixed-length ones up to their padding.
  std::string scalar_string() const {
    expect(0, H5T_STRING);
    const Handle stored = type();
    Handle memory = h5::checked<std::invalid_argument>(H5Tcopy(H5T_C_S1), H5Tclose, where);
    H5Tset_cset(memory.get(), H5Tget_cset(stored.get()));  // no cset conversion in HDF5
    if (H5Tis_variable_str(stored.get()) > 0) {
      H5Tset_size(memory.get(), H5T_VARIABLE);
      char* text = nullptr;
      read(memory.get(), &text);
      std::string value = text != nullptr ? text : "";
      H5free_memory(text);
      return value;
    }
    const std::size_t size = H5Tget_size(stored.get());
    if (size == 0 || size > max_bytes)
      throw bad(where, ": string length ", size, " is more than the file can hold (corrupt)");
    const H5T_str_t padding = H5Tget_strpad(stored.get());
    H5Tset_size(memory.get(), size);
    H5Tset_strpad(memory.get(), padding);
    std::string value(size, '\0');
    read(memory.get(), value.data());
    verify_checksum(value);
    if (padding == H5T_STR_SPACEPAD) {
      value.erase(value.find_last_not_of(' ') + 1);
    } else {
      value.erase(std::min(value.find('\0'), value.size()));
    }
    return value;
  }
};

/// H5Writer stores the checksum of a string too long for its object header in an attribute.
void Source::verify_checksum(const std::string& bytes) const {
  if (attribute || H5Aexists(id.get(), h5::kStringChecksum) <= 0) return;
  const Source sum{h5::checked<std::invalid_argument>(
                       H5Aopen(id.get(), h5::kStringChecksum, H5P_DEFAULT), H5Aclose, where),
                   true, where + ": attribute '" + h5::kStringChecksum + "'", max_bytes};
  if (sum.scalar_index() != h5::string_checksum(bytes.data(), bytes.size()))
    throw bad(where, ": checksum mismatch, the file is corrupt");
}

Handle file_access_properties() {
  Handle fapl =
      h5::checked<std::invalid_argument>(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "HDF5 fapl");
#if H5_VERSION_GE(1, 12, 1) || (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7)
  // Reading must work on file systems without flock (some NFS and Lustre mounts).
  H5Pset_file_locking(fapl.get(), true, true);
#endif
  return fapl;
}

}  // namespace

struct H5Reader::Impl {
  std::string path;
  Handle file;
  // No dataset can hold more than this many bytes: the file's size times deflate's largest
  // compression ratio (1032:1), plus room for small fill-value datasets.
  hsize_t max_bytes = 0;

  std::string where(const std::string& object) const { return path + ": " + object; }

  /// kind_of, with a damaged structure reported as one line.
  h5::Kind kind_of(const std::string& name) const {
    std::string reason;
    const h5::Kind kind = h5::kind_of(file.get(), name, &reason);
    if (kind == h5::Kind::unreadable)
      throw bad(where(name), ": cannot read, the file is corrupt",
                reason.empty() ? "" : " (HDF5: " + reason + ")");
    return kind;
  }

  /// Opens the dataset at `dataset_path` or throws "no such dataset" / "is a group ...".
  Source dataset(const std::string& dataset_path) const {
    const std::string name = h5::absolute(dataset_path);
    const h5::Kind kind = kind_of(name);
    if (kind == h5::Kind::missing) throw bad(where(name), ": no such dataset");
    if (kind != h5::Kind::dataset)
      throw bad(where(name), ": is ", h5::kind_name(kind), ", not a dataset");
    return {h5::checked<std::invalid_argument>(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT),
                                               H5Dclose, where(name) + ": cannot open"),
            false, where(name), max_bytes};
  }

  /// Opens attribute `name` of the group or dataset `object_path`.
  Source attribute(const std::string& object_path, const std::string& name) const {
    const std::string object = h5::absolute(object_path);
    const h5::Kind kind = kind_of(object);
    if (kind != h5::Kind::group && kind != h5::Kind::dataset)
      throw bad(where(object), ": no such group or dataset (reading attribute '", name, "')");
    const std::string at = where(object) + ": attribute '" + name + "'";
    const htri_t exists = H5Aexists_by_name(file.get(), object.c_str(), name.c_str(), H5P_DEFAULT);
    if (exists < 0) throw bad(h5::with_reason(at + ": cannot read, the file is corrupt"));
    if (exists == 0) throw bad(where(object), ": no attribute '", name, "'");
    return {h5::checked<std::invalid_argument>(
                H5Aopen_by_name(file.get(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose, at + ": cannot open"),
            true, at, max_bytes};
  }
};

H5Reader::H5Reader(std::string path) : impl_(std::make_unique<Impl>()) {
  h5::silence_errors();
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw bad(path, ": cannot open file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw bad(path, ": not an HDF5 file");
  const Handle fapl = file_access_properties();
  impl_->file =
      h5::checked<std::invalid_argument>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()),
                                         H5Fclose, path + ": cannot open HDF5 file");
  const auto size = static_cast<hsize_t>(std::filesystem::file_size(path, error));
  impl_->max_bytes = (error ? 0 : size) * 1032 + (1 << 20);
  impl_->path = std::move(path);
}

H5Reader::H5Reader(H5Reader&&) noexcept = default;
H5Reader& H5Reader::operator=(H5Reader&&) noexcept = default;
H5Reader::~H5Reader() = default;

namespace {
template <typename ImplPtr>
const auto& checked_impl(const ImplPtr& impl) {
  if (!impl) throw std::logic_error("H5Reader: used after being moved from");
  return *impl;
}
}  // namespace

const std::string& H5Reader::path() const {
  return checked_impl(impl_).path;
}

bool H5Reader::has(const std::string& object_path) const {
  const Impl& impl = checked_impl(impl_);
  const h5::Kind kind = impl.kind_of(h5::absolute(object_path));
  return kind == h5::Kind::group || kind == h5::Kind::dataset;
}

std::vector<std::string> H5Reader::list(const std::string& group_path) const {
  const Impl& impl = checked_impl(impl_);
  const std::string name = h5::absolute(group_path);
  const h5::Kind kind = impl.kind_of(name);
  if (kind == h5::Kind::missing) throw bad(impl.where(name), ": no such group");
  if (kind != h5::Kind::group)
    throw bad(impl.where(name), ": is ", h5::kind_name(kind), ", not a group");
  const Handle group = h5::checked<std::invalid_argument>(
      H5Gopen2(impl.file.get(), name.c_str(), H5P_DEFAULT), H5Gclose, impl.where(name));
  H5G_info_t info;
  h5::check<std::invalid_argument>(H5Gget_info(group.get(), &info), impl.where(name));
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    auto name_at = [&](char* buffer, std::size_t size) {
      return H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, buffer, size,
                                H5P_DEFAULT);
    };
    const ssize_t length = name_at(nullptr, 0);
    if (length < 0) throw bad(h5::with_reason(impl.where(name) + ": cannot list"));
    std::string member(static_cast<std::size_t>(length) + 1, '\0');
    name_at(member.data(), member.size());
    member.resize(static_cast<std::size_t>(length));
    names.push_back(std::move(member));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> H5Reader::datasets(const std::string& group_path) const {
  const std::string group = h5::absolute(group_path);
  std::vector<std::string> out;
  for (const std::string& member : list(group)) {
    const std::string name = group == "/" ? "/" + member : group + "/" + member;
    const h5::Kind kind = checked_impl(impl_).kind_of(name);
    if (kind == h5::Kind::group) {
      const std::vector<std::string> inner = datasets(name);
      out.insert(out.end(), inner.begin(), inner.end());
    } else if (kind == h5::Kind::dataset) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> undescribed_datasets(const H5Reader& reader, const std::string& group) {
  std::vector<std::string> out;
  for (const std::string& name : reader.datasets(group))
    for (const char* attribute : {"description", "units", "axes"})
      if (!reader.has_attribute(name, attribute)) {
        out.push_back(name);
        break;
      }
  return out;
}

std::vector<Index> H5Reader::shape(const std::string& dataset_path) const {
  return checked_impl(impl_).dataset(dataset_path).shape();
}

Vector H5Reader::read_vector(const std::string& dataset_path) const {
  const Source source = checked_impl(impl_).dataset(dataset_path);
  const std::vector<Index> dims = source.expect(1, H5T_FLOAT);
  Vector values(dims[0]);
  if (values.size() > 0) source.read(H5T_NATIVE_DOUBLE, values.data());
  return values;
}

Matrix H5Reader::read_matrix(const std::string& dataset_path) const {
  const Source source = checked_impl(impl_).dataset(dataset_path);
  const std::vector<Index> dims = source.expect(2, H5T_FLOAT);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> values(dims[0], dims[1]);
  if (values.size() > 0) source.read(H5T_NATIVE_DOUBLE, values.data());
  return values;
}

IndexMatrix H5Reader::read_index_matrix(const std::string& dataset_path) const {
  const Source source = checked_impl(impl_).dataset(dataset_path);
  const std::vector<Index> dims = source.expect(2, H5T_INTEGER);
  const std::vector<Index> values =
      source.integers(static_cast<std::size_t>(dims[0]) * static_cast<std::size_t>(dims[1]));
  IndexMatrix m(dims[0], dims[1]);
  for (Index r = 0; r < dims[0]; ++r)
    for (Index c = 0; c < dims[1]; ++c) m(r, c) = values[static_cast<std::size_t>(r * dims[1] + c)];
  return m;
}

std::vector<Index> H5Reader::read_indices(const std::string& dataset_path) const {
  const Source source = checked_impl(impl_).dataset(dataset_path);
  const std::vector<Index> dims = source.expect(1, H5T_INTEGER);
  return source.integers(static_cast<std::size_t>(dims[0]));
}

double H5Reader::read_double(const std::string& dataset_path) const {
  return checked_impl(impl_).dataset(dataset_path).scalar_double();
}

Index H5Reader::read_index(const std::string& dataset_path) const {
  return checked_impl(impl_).dataset(dataset_path).scalar_index();
}

std::string H5Reader::read_string(const std::string& dataset_path) const {
  return checked_impl(impl_).dataset(dataset_path).scalar_string();
}

bool H5Reader::has_attribute(const std::string& object_path, const std::string& name) const {
  const Impl& impl = checked_impl(impl_);
  const std::string object = h5::absolute(object_path);
  const h5::Kind kind = impl.kind_of(object);
  if (kind != h5::Kind::group && kind != h5::Kind::dataset) return false;
  const htri_t exists =
      H5Aexists_by_name(impl.file.get(), object.c_str(), name.c_str(), H5P_DEFAULT);
  if (exists < 0)
    throw bad(h5::with_reason(impl.where(object) + ": attribute '" + name +
                              "': cannot read, the file is corrupt"));
  return exists > 0;
}

double H5Reader::read_attribute_double(const std::string& object_path,
                                       const std::string& name) const {
  return checked_impl(impl_).attribute(object_path, name).scalar_double();
}

Index H5Reader::read_attribute_index(const std::string& object_path,
                                     const std::string& name) const {
  return checked_impl(impl_).attribute(object_path, name).scalar_index();
}

std::string H5Reader::read_attribute_string(const std::string& object_path,
                                            const std::string& name) const {
  return checked_impl(impl_).attribute(object_path, name).scalar_string();
}

Index check_format(const H5Reader& reader, const std::string& kind, Index supported_version) {
  if (supported_version < 1)
    throw bad(reader.path(), ": check_format: supported_version out of range (got ",
              supported_version, ", need >= 1)");
  const std::string expected =
      concat(reader.path(), ": expected a plnet ", kind, " file version ",
             supported_version == 1 ? std::string("1") : concat("1 to ", supported_version));
  if (!reader.has_attribute("/", "plnet_format"))
    throw bad(expected, " (got no plnet_format attribute)");
  const std::string found = reader.read_attribute_string("/", "plnet_format");
  if (!reader.has_attribute("/", "plnet_format_version"))
    throw bad(expected, " (got '", found, "' without plnet_format_version)");
  const Index version = reader.read_attribute_index("/", "plnet_format_version");
  if (found != kind || version < 1 || version > supported_version)
    throw bad(expected, " (got '", found, "' version ", version, ")");
  return version;
}

}  // namespace plnet::io
