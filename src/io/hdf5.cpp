// H5Writer and H5Appender (the reader is in hdf5_reader.cpp, shared helpers at the top here).
#include <plnet/io/atomic_file.hpp>
#include <plnet/io/hdf5.hpp>
#include <plnet/io/output_paths.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

#include "io/hdf5_detail.hpp"

namespace plnet::io {

// ---- shared helpers (declared in hdf5_detail.hpp) ----

namespace h5 {

void silence_errors() {
  static const bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

std::string last_error() {
  std::string message;
  // Walking upward starts at the most specific entry, where the failure was detected.
  auto innermost = [](unsigned n, const H5E_error2_t* error, void* out) -> herr_t {
    if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(out) = error->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &message);
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message;
}

std::string with_reason(const std::string& prefix) {
  const std::string reason = last_error();
  return reason.empty() ? prefix : prefix + " (HDF5: " + reason + ")";
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    if (end > begin) parts.push_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

std::string absolute(const std::vector<std::string>& parts) {
  if (parts.empty()) return "/";
  std::string path;
  for (const std::string& part : parts) path += "/" + part;
  return path;
}

Kind kind_of(hid_t file, const std::string& absolute_path, std::string* reason) {
  const std::vector<std::string> parts = components(absolute_path);
  auto unreadable = [&] {
    if (reason != nullptr) *reason = last_error();
    return Kind::unreadable;
  };
  // Walk the links one level at a time: H5Lexists on "/a/b" fails if "/a" is missing or is
  // a dataset, which is "missing" here; any other failure is a damaged file.
  std::string prefix;
  Kind kind = Kind::group;  // the root
  for (const std::string& part : parts) {
    if (kind != Kind::group) return Kind::missing;
    prefix += "/" + part;
    const htri_t exists = H5Lexists(file, prefix.c_str(), H5P_DEFAULT);
    if (exists < 0) return unreadable();
    if (exists == 0) return Kind::missing;
    const Handle object(H5Oopen(file, prefix.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object) {
      H5L_info_t link;
      if (H5Lget_info(file, prefix.c_str(), &link, H5P_DEFAULT) >= 0 && link.type != H5L_TYPE_HARD)
        return Kind::missing;  // a dangling soft or external link
      return unreadable();
    }
    switch (H5Iget_type(object.get())) {
      case H5I_GROUP:
        kind = Kind::group;
        break;
      case H5I_DATASET:
        kind = Kind::dataset;
        break;
      default:
        kind = Kind::other;
    }
  }
  return kind;
}

Index string_checksum(const char* data, std::size_t size) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bit
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(data[i]);
    hash *= 0x100000001b3ULL;
  }
  return static_cast<Index>(hash);
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::missing:
      return "nothing";
    case Kind::group:
      return "a group";
    case Kind::dataset:
      return "a dataset";
    case Kind::other:
      return "a named datatype";
    case Kind::unreadable:
      return "unreadable";
  }
  return "?";
}

const char* class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER:
      return "integer";
    case H5T_FLOAT:
      return "floating-point";
    case H5T_STRING:
      return "string";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_ENUM:
      return "enum";
    case H5T_VLEN:
      return "variable-length sequence";
    case H5T_ARRAY:
      return "array";
    default:
      return "unknown";
  }
}

}  // namespace h5

namespace {

using h5::Handle;

constexpr hsize_t kMaxChunkBytes = 0xFFFFFFFFu;      // HDF5's limit: a chunk is under 4 GiB
constexpr hsize_t kCompressedChunkElements = 65536;  // 512 KiB of doubles: fits the chunk cache
constexpr std::size_t kCoreIncrement = 1 << 20;      // the in-memory file grows by 1 MiB at a time

/// Bob Jenkins' lookup3 hash (hashlittle, byte by byte), which HDF5 uses for its metadata
/// checksums.
std::uint32_t lookup3(const unsigned char* k, std::size_t length) {
  auto rot = [](std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
  std::uint32_t a = 0xdeadbeef + static_cast<std::uint32_t>(length);
  std::uint32_t b = a, c = a;
  auto word = [&](std::size_t at, std::size_t n) {
    std::uint32_t w = 0;
    for (std::size_t i = 0; i < n; ++i) w += static_cast<std::uint32_t>(k[at + i]) << (8 * i);
    return w;
  };
  while (length > 12) {
    a += word(0, 4);
    b += word(4, 4);
    c += word(8, 4);
    a -= c, a ^= rot(c, 4), c += b;
    b -= a, b ^= rot(a, 6), a += c;
    c -= b, c ^= rot(b, 8), b += a;
    a -= c, a ^= rot(c, 16), c += b;
    b -= a, b ^= rot(a, 19), a += c;
    c -= b, c ^= rot(b, 4), b += a;
    length -= 12;
    k += 12;
  }
  if (length == 0) return c;
  a += word(0, std::min<std::size_t>(length, 4));
  if (length > 4) b += word(4, std::min<std::size_t>(length - 4, 4));
  if (length > 8) c += word(8, length - 8);
  c ^= b, c -= rot(b, 14);
  a ^= c, a -= rot(c, 11);
  b ^= a, b -= rot(a, 25);
  c ^= b, c -= rot(b, 16);
  a ^= c, a -= rot(c, 4);
  b ^= a, b -= rot(a, 14);
  c ^= b, c -= rot(b, 24);
  return c;
}

/// An image from H5Fget_file_image of a file still open for writing has its superblock's
/// "open for writing" flags cleared but (in libhdf5 1.10.8) the checksum of the flags as set:
/// clear the flags and recompute the checksum so the image opens as a closed file.
void close_superblock(std::vector<char>& image) {
  auto* bytes = reinterpret_cast<unsigned char*>(image.data());
  if (image.size() < 12 || bytes[8] < 2) return;  // superblock versions 0 and 1: no checksum
  const std::size_t offsets = bytes[9];
  const std::size_t checksum_at = 12 + 4 * offsets;
  if (image.size() < checksum_at + 4) return;
  bytes[11] = 0;
  const std::uint32_t sum = lookup3(bytes, checksum_at);
  for (int i = 0; i < 4; ++i) bytes[checksum_at + i] = static_cast<unsigned char>(sum >> (8 * i));
}

/// Writes `bytes` to `fd` and syncs it; "" on success, else the system's reason.
std::string write_all(int fd, const std::vector<char>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? std::strerror(errno) : "short write";
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) return std::strerror(errno);
  return "";
}
// Scalars up to this size live in their object header (HDF5's limit is 64 KiB per message).
constexpr std::size_t kCompactBytes = 32768;

bool deflate_available() {
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) return false;
  unsigned config = 0;
  if (H5Zget_filter_info(H5Z_FILTER_DEFLATE, &config) < 0) return false;
  return (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
}

Handle property_list(hid_t property_class) {
  return h5::checked(H5Pcreate(property_class), H5Pclose, "cannot create an HDF5 property list");
}

/// Link names in UTF-8; intermediate groups are created explicitly (see ensure_groups).
Handle link_properties() {
  Handle lcpl = property_list(H5P_LINK_CREATE);
  H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8);
  return lcpl;
}

/// No modification times in object headers, so the same content gives the same bytes.
Handle object_properties(hid_t property_class) {
  Handle plist = property_list(property_class);
  H5Pset_obj_track_times(plist.get(), 0);
  return plist;
}

/// A fixed-length UTF-8 string type of `size` bytes, NUL-padded. Fixed rather than
/// variable length: a variable-length string lives in HDF5's global heap, which carries no
/// checksum and whose corrupted lengths libhdf5 follows into a crash or an endless loop; a
/// fixed length is part of the (checksummed) object header.
Handle utf8_string_type(std::size_t size) {
  Handle type = h5::checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create an HDF5 string type");
  H5Tset_size(type.get(), std::max<std::size_t>(size, 1));  // HDF5 has no zero-size type
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  return type;
}

}  // namespace

namespace h5 {

struct AppenderCore;

/// The open temporary file, shared by the writer and its appenders so that commit() can flush
/// and close the appenders and an appender outliving its writer fails cleanly.
struct FileState {
  std::string path;
  std::string temporary;
  Handle file;            // an in-memory HDF5 file (core driver, no backing store)
  int temporary_fd = -1;  // the temporary file the image is written to in commit()
  int gzip_level = 0;
  std::vector<AppenderCore*> appenders;  // live appenders, each unregisters itself
  std::string deferred_error;            // a flush failure in an appender's destructor
  std::vector<std::string> datasets;     // every dataset created, for undescribed_datasets()
  bool open = false;

  std::string where(const std::string& object) const { return path + ": " + object; }
  void require_open() const {
    if (!open) throw std::logic_error(path + ": H5Writer already committed or discarded");
  }
  void close_appenders();
};

struct AppenderCore {
  std::shared_ptr<FileState> state;
  std::string name;  // absolute dataset path
  Handle dataset;
  Index columns = 0;
  Index chunk_rows = 0;
  Index written = 0;
  Index buffered = 0;
  std::vector<double> buffer;  // buffered rows, row-major

  AppenderCore(std::shared_ptr<FileState> file_state, std::string dataset_name, Handle set,
               Index num_columns, Index rows_per_chunk)
      : state(std::move(file_state)),
        name(std::move(dataset_name)),
        dataset(std::move(set)),
        columns(num_columns),
        chunk_rows(rows_per_chunk) {
    state->appenders.push_back(this);
  }
  AppenderCore(const AppenderCore&) = delete;
  AppenderCore& operator=(const AppenderCore&) = delete;

  ~AppenderCore() {
    if (!dataset) return;  // the writer already closed it
    try {
      flush();
    } catch (const std::exception& e) {
      if (state->deferred_error.empty()) state->deferred_error = e.what();
    }
    std::erase(state->appenders, this);
  }

  void require_open() const {
    if (!state->open || !dataset)
      throw std::logic_error(state->where(name) +
                             ": appender used after its H5Writer was committed or destroyed");
  }

  void append(const Vector& row) {
    require_open();
    if (row.size() != columns)
      throw std::invalid_argument(state->where(name) + ": row has the wrong length (got " +
                                  std::to_string(row.size()) + ", need " + std::to_string(columns) +
                                  ")");
    buffer.insert(buffer.end(), row.data(), row.data() + row.size());
    if (++buffered == chunk_rows) flush();
  }

  void flush() {
    require_open();
    if (buffered == 0) return;
    const std::string where = state->where(name);
    const std::array<hsize_t, 2> extent{static_cast<hsize_t>(written + buffered),
                                        static_cast<hsize_t>(columns)};
    h5::check(H5Dset_extent(dataset.get(), extent.data()), where + ": cannot extend dataset");
    const Handle file_space = h5::checked(H5Dget_space(dataset.get()), H5Sclose, where);
    const std::array<hsize_t, 2> start{static_cast<hsize_t>(written), 0};
    const std::array<hsize_t, 2> count{static_cast<hsize_t>(buffered),
                                       static_cast<hsize_t>(columns)};
    h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                  count.data(), nullptr),
              where);
    const Handle memory_space =
        h5::checked(H5Screate_simple(2, count.data(), nullptr), H5Sclose, where);
    h5::check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                       H5P_DEFAULT, buffer.data()),
              where + ": cannot write rows");
    written += buffered;
    buffered = 0;
    buffer.clear();
  }
};

void FileState::close_appenders() {
  for (AppenderCore* appender : appenders) appender->dataset.reset();
  appenders.clear();
}

}  // namespace h5

// ---- H5Appender ----

struct H5Appender::Impl : h5::AppenderCore {
  using AppenderCore::AppenderCore;
};

H5Appender::H5Appender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
H5Appender::H5Appender(H5Appender&&) noexcept = default;
H5Appender& H5Appender::operator=(H5Appender&&) noexcept = default;
H5Appender::~H5Appender() = default;

namespace {
template <typename ImplPtr>
auto& checked_impl(const ImplPtr& impl, const char* type) {
  if (!impl) throw std::logic_error(std::string(type) + ": used after being moved from");
  return *impl;
}
}  // namespace

void H5Appender::append(const Vector& row) {
  checked_impl(impl_, "H5Appender").append(row);
}
void H5Appender::flush() {
  checked_impl(impl_, "H5Appender").flush();
}
Index H5Appender::rows() const {
  const Impl& impl = checked_impl(impl_, "H5Appender");
  return impl.written + impl.buffered;
}
Index H5Appender::num_columns() const {
  return checked_impl(impl_, "H5Appender").columns;
}

// ---- H5Writer ----

struct H5Writer::Impl {
  std::shared_ptr<h5::FileState> state;

  ~Impl() {
    if (!state || !state->open) return;
    state->close_appenders();
    state->file.reset();  // in memory: closing cannot fail on a full disk
    state->open = false;
    close_temporary(*state);
    discard_temporary(state->temporary);
  }

  static bool close_temporary(h5::FileState& s) noexcept {
    if (s.temporary_fd < 0) return true;
    return ::close(std::exchange(s.temporary_fd, -1)) == 0;
  }

  h5::FileState& open_state() const {
    state->require_open();
    return *state;
  }

  /// What `name` is in the file being written (its own structure unreadable: an I/O failure).
  h5::Kind kind_of(const std::string& name) const {
    std::string reason;
    const h5::Kind kind = h5::kind_of(open_state().file.get(), name, &reason);
    if (kind == h5::Kind::unreadable)
      throw std::runtime_error(state->where(name) + ": cannot read back (HDF5: " + reason + ")");
    return kind;
  }

  /// The absolute path of a new object at `object_path` after creating its missing parent
  /// groups; throws if the path is empty, exists already or runs through a dataset.
  std::string prepare(const std::string& object_path) const {
    h5::FileState& s = open_state();
    const std::vector<std::string> parts = h5::components(object_path);
    if (parts.empty())
      throw std::invalid_argument(s.path + ": empty dataset path (got '" + object_path +
                                  "', need a name such as 'costs' or 'run/costs')");
    const std::string name = h5::absolute(parts);
    ensure_groups(std::vector<std::string>(parts.begin(), parts.end() - 1), name);
    if (kind_of(name) != h5::Kind::missing)
      throw std::invalid_argument(s.where(name) + ": already exists");
    return name;
  }

  void ensure_groups(const std::vector<std::string>& parts, const std::string& target) const {
    h5::FileState& s = open_state();
    std::vector<std::string> prefix;
    for (const std::string& part : parts) {
      prefix.push_back(part);
      const std::string group = h5::absolute(prefix);
      const h5::Kind kind = kind_of(group);
      if (kind == h5::Kind::group) continue;
      if (kind != h5::Kind::missing)
        throw std::invalid_argument(s.where(group) + ": is " + h5::kind_name(kind) +
                                    ", not a group (cannot create " + target + ")");
      const Handle lcpl = link_properties();
      const Handle gcpl = object_properties(H5P_GROUP_CREATE);
      h5::checked(H5Gcreate2(s.file.get(), group.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT),
                  H5Gclose, s.where(group) + ": cannot create group");
    }
  }

  /// Dataset creation properties that checksum the data: an array is chunked by `chunk`
  /// (shuffled and deflated if gzip is on) with the Fletcher-32 filter last, so its checksum
  /// covers the stored bytes; a scalar (`chunk` empty) is compact, stored inside its object
  /// header, which HDF5 checksums itself. `bytes` is the size of the data.
  Handle dataset_properties(const std::vector<hsize_t>& chunk, std::size_t bytes) const {
    Handle dcpl = object_properties(H5P_DATASET_CREATE);
    const std::string where = state->path + ": dataset properties";
    if (!chunk.empty()) {
      h5::check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), where);
      if (state->gzip_level > 0) {
        h5::check(H5Pset_shuffle(dcpl.get()), where);
        h5::check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(state->gzip_level)), where);
      }
      h5::check(H5Pset_fletcher32(dcpl.get()), where);
    } else if (bytes <= kCompactBytes) {
      h5::check(H5Pset_layout(dcpl.get(), H5D_COMPACT), where);
    }
    return dcpl;
  }

  /// Creates dataset `object_path` of shape `dims` (scalar if empty) and writes `data`.
  void write_dataset(const std::string& object_path, hid_t file_type, hid_t memory_type,
                     const std::vector<hsize_t>& dims, const void* data) const {
    const std::string name = prepare(object_path);
    state->datasets.push_back(name);
    const std::string where = state->where(name);
    const Handle space =
        dims.empty()
            ? h5::checked(H5Screate(H5S_SCALAR), H5Sclose, where)
            : h5::checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                          H5Sclose, where);
    hsize_t count = 1;
    for (hsize_t d : dims) count *= d;
    // An empty array has no data to checksum (and HDF5 cannot chunk a zero extent): it stays
    // contiguous, its shape in the checksummed object header.
    const Handle dcpl =
        dims.empty() || count > 0
            ? dataset_properties(dims.empty() ? std::vector<hsize_t>{} : compressed_chunk(dims),
                                 H5Tget_size(file_type))
            : object_properties(H5P_DATASET_CREATE);
    const Handle lcpl = link_properties();
    const Handle dataset = h5::checked(H5Dcreate2(state->file.get(), name.c_str(), file_type,
                                                  space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
                                       H5Dclose, where + ": cannot create dataset");
    // Empty datasets need no write (and HDF5 would reject a null buffer).
    if (count > 0)
      h5::check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
                where + ": cannot write dataset");
    // A string too long to be compact is stored contiguously: its checksum is an attribute
    // (the reader verifies it).
    if (dims.empty() && H5Tget_class(file_type) == H5T_STRING &&
        H5Tget_size(file_type) > kCompactBytes) {
      const Index sum = h5::string_checksum(static_cast<const char*>(data), H5Tget_size(file_type));
      write_attribute(name, h5::kStringChecksum, H5T_STD_I64LE, H5T_NATIVE_INT64, &sum);
    }
  }

  /// About kCompressedChunkElements per chunk: whole rows where they fit (also without gzip:
  /// every array is chunked for its checksum).
  static std::vector<hsize_t> compressed_chunk(const std::vector<hsize_t>& dims) {
    std::vector<hsize_t> chunk(dims);
    hsize_t inner = 1;
    for (std::size_t d = dims.size(); d-- > 0;) {
      const hsize_t room = std::max<hsize_t>(1, kCompressedChunkElements / inner);
      chunk[d] = std::min(dims[d], room);
      inner *= chunk[d];
    }
    return chunk;
  }

  /// Creates or replaces attribute `name` on the group or dataset `object_path`.
  void write_attribute(const std::string& object_path, const std::string& name, hid_t file_type,
                       hid_t memory_type, const void* data) const {
    h5::FileState& s = open_state();
    const std::string object = h5::absolute(object_path);
    const h5::Kind kind = kind_of(object);
    if (kind != h5::Kind::group && kind != h5::Kind::dataset)
      throw std::invalid_argument(s.where(object) + ": no such group or dataset (cannot set " +
                                  "attribute '" + name + "')");
    if (name.empty()) throw std::invalid_argument(s.where(object) + ": empty attribute name");
    const std::string where = s.where(object) + ": attribute '" + name + "'";
    const Handle target =
        h5::checked(H5Oopen(s.file.get(), object.c_str(), H5P_DEFAULT), H5Oclose, where);
    if (H5Aexists(target.get(), name.c_str()) > 0)
      h5::check(H5Adelete(target.get(), name.c_str()), where + ": cannot replace");
    const Handle space = h5::checked(H5Screate(H5S_SCALAR), H5Sclose, where);
    const Handle acpl = property_list(H5P_ATTRIBUTE_CREATE);
    H5Pset_char_encoding(acpl.get(), H5T_CSET_UTF8);
    const Handle attribute = h5::checked(
        H5Acreate2(target.get(), name.c_str(), file_type, space.get(), acpl.get(), H5P_DEFAULT),
        H5Aclose, where + ": cannot create");
    h5::check(H5Awrite(attribute.get(), memory_type, data), where + ": cannot write");
  }
};

namespace {
void require_no_nul(const std::string& where, const std::string& value) {
  const std::size_t nul = value.find('\0');
  if (nul != std::string::npos)
    throw std::invalid_argument(where + ": string contains a NUL byte (at offset " +
                                std::to_string(nul) + "; HDF5 strings end at the first NUL)");
}
}  // namespace

H5Writer::H5Writer(std::string path, H5WriterOptions options) : impl_(std::make_unique<Impl>()) {
  h5::silence_errors();
  if (options.gzip_level < 0 || options.gzip_level > 9)
    throw std::invalid_argument(path + ": H5WriterOptions::gzip_level out of range (got " +
                                std::to_string(options.gzip_level) + ", need 0 to 9)");
  if (options.gzip_level > 0 && !deflate_available())
    throw std::invalid_argument(
        path + ": H5WriterOptions::gzip_level = " + std::to_string(options.gzip_level) +
        " but this HDF5 library cannot write gzip (deflate) data");
  auto state = std::make_shared<h5::FileState>();
  remove_stale_temporaries(path);
  state->temporary = temporary_path(path);
  state->path = std::move(path);
  state->gzip_level = options.gzip_level;
  const Handle fapl = property_list(H5P_FILE_ACCESS);
  // Strong close: H5Fclose in commit() closes the file for real, even if an object leaked.
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
  // HDF5 builds the file in memory and commit() writes the image: HDF5 itself never writes
  // to disk, so a full disk is one checked write() here, not a failed H5Fclose (after which
  // libhdf5 1.10 keeps a freed file in its ID table and crashes at exit).
  h5::check(H5Pset_fapl_core(fapl.get(), kCoreIncrement, false),
            state->path + ": cannot set up the in-memory HDF5 file");
  // The 1.10 file format: superblock, object headers, B-trees and chunk indexes all carry
  // checksums, so a corrupted structure is an error rather than a wild read.
  h5::check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110),
            state->path + ": cannot select the HDF5 1.10 file format");
  // The temporary is created now, so an unwritable location fails before any work.
  state->temporary_fd =
      ::open(state->temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (state->temporary_fd < 0)
    throw std::runtime_error(state->path + ": cannot open file for writing (temporary " +
                             state->temporary + ": " + std::strerror(errno) + ")");
  // No modification times on the root group either (same content, same bytes).
  const Handle fcpl = object_properties(H5P_FILE_CREATE);
  const hid_t file = H5Fcreate(state->temporary.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
  if (file < 0) {
    const std::string reason = h5::with_reason(state->path + ": cannot create the HDF5 file");
    Impl::close_temporary(*state);
    discard_temporary(state->temporary);
    throw std::runtime_error(reason);
  }
  state->file = Handle(file, H5Fclose);
  state->open = true;
  impl_->state = std::move(state);
}

H5Writer::H5Writer(H5Writer&&) noexcept = default;
H5Writer& H5Writer::operator=(H5Writer&&) noexcept = default;
H5Writer::~H5Writer() = default;

const std::string& H5Writer::path() const {
  return checked_impl(impl_, "H5Writer").state->path;
}

void H5Writer::write(const std::string& dataset_path, const Vector& values,
                     const Describe& describe) {
  checked_impl(impl_, "H5Writer")
      .write_dataset(dataset_path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                     {static_cast<hsize_t>(values.size())}, values.data());
  write_description(dataset_path, 1, describe);
}

void H5Writer::write(const std::string& dataset_path, const Matrix& values,
                     const Describe& describe) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = values;
  checked_impl(impl_, "H5Writer")
      .write_dataset(dataset_path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                     {static_cast<hsize_t>(values.rows()), static_cast<hsize_t>(values.cols())},
                     row_major.data());
  write_description(dataset_path, 2, describe);
}

void H5Writer::write(const std::string& dataset_path, const IndexMatrix& values,
                     const Describe& describe) {
  const Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = values;
  checked_impl(impl_, "H5Writer")
      .write_dataset(dataset_path, H5T_STD_I64LE, H5T_NATIVE_INT64,
                     {static_cast<hsize_t>(values.rows()), static_cast<hsize_t>(values.cols())},
                     row_major.data());
  write_description(dataset_path, 2, describe);
}

void H5Writer::write(const std::string& dataset_path, const std::vector<Index>& values,
                     const Describe& describe) {
  checked_impl(impl_, "H5Writer")
      .write_dataset(dataset_path, H5T_STD_I64LE, H5T_NATIVE_INT64, {values.size()}, values.data());
  write_description(dataset_path, 1, describe);
}

void H5Writer::write(const std::string& dataset_path, double value, const Describe& describe) {
  checked_impl(impl_, "H5Writer")
      .write_dataset(dataset_path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &value);
  write_description(dataset_path, 0, describe);
}

void H5Writer::write(const std::string& dataset_path, Index value, const Describe& describe) {
  checked_impl(impl_, "H5Writer")
      .write_dataset(dataset_path, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, &value);
  write_description(dataset_path, 0, describe);
}

void H5Writer::write(const std::string& dataset_path, const std::string& value,
                     const Describe& describe) {
  Impl& impl = checked_impl(impl_, "H5Writer");
  require_no_nul(impl.open_state().where(h5::absolute(dataset_path)), value);
  const Handle type = utf8_string_type(value.size());
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  impl.write_dataset(dataset_path, type.get(), type.get(), {}, padded.data());
  write_description(dataset_path, 0, describe);
}

void H5Writer::write_description(const std::string& dataset_path, std::size_t rank,
                                 const Describe& describe) {
  if (describe.description.empty()) return;
  // One non-empty name per dimension: "sample, output" for a (samples x outputs) matrix.
  std::size_t names = 0;
  bool blank = false;
  if (!describe.axes.empty()) {
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = describe.axes.find(',', start);
      const std::string name = describe.axes.substr(start, comma - start);
      blank = blank || name.find_first_not_of(' ') == std::string::npos;
      ++names;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (names != rank || blank)
    throw std::invalid_argument(path() + ": " + h5::absolute(dataset_path) + ": axes '" +
                                describe.axes + "' name " + std::to_string(names) + " axes (need " +
                                std::to_string(rank) + ", one non-empty name per dimension)");
  write_attribute(dataset_path, "description", describe.description);
  write_attribute(dataset_path, "units", describe.units);
  write_attribute(dataset_path, "axes", describe.axes);
}

void H5Writer::create_group(const std::string& group_path) {
  Impl& impl = checked_impl(impl_, "H5Writer");
  const std::string name = h5::absolute(group_path);
  impl.ensure_groups(h5::components(group_path), name);
}

void H5Writer::write_attribute(const std::string& object_path, const std::string& name,
                               double value) {
  checked_impl(impl_, "H5Writer")
      .write_attribute(object_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void H5Writer::write_attribute(const std::string& object_path, const std::string& name,
                               Index value) {
  checked_impl(impl_, "H5Writer")
      .write_attribute(object_path, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void H5Writer::write_attribute(const std::string& object_path, const std::string& name,
                               const std::string& value) {
  Impl& impl = checked_impl(impl_, "H5Writer");
  require_no_nul(impl.open_state().where(h5::absolute(object_path)) + ": attribute '" + name + "'",
                 value);
  const Handle type = utf8_string_type(value.size());
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  impl.write_attribute(object_path, name, type.get(), type.get(), padded.data());
}

H5Appender H5Writer::appender(const std::string& dataset_path, Index num_columns,
                              Index chunk_rows) {
  Impl& impl = checked_impl(impl_, "H5Writer");
  const std::string where = impl.open_state().where(h5::absolute(dataset_path));
  if (num_columns < 1)
    throw std::invalid_argument(where + ": num_columns out of range (got " +
                                std::to_string(num_columns) + ", need >= 1)");
  const Index max_rows = static_cast<Index>(kMaxChunkBytes / sizeof(double)) / num_columns;
  if (chunk_rows < 1 || chunk_rows > max_rows)
    throw std::invalid_argument(where + ": chunk_rows out of range (got " +
                                std::to_string(chunk_rows) + ", need 1 to " +
                                std::to_string(max_rows) + " for " + std::to_string(num_columns) +
                                " columns: a chunk is < 4 GiB)");
  const std::string name = impl.prepare(dataset_path);
  impl.state->datasets.push_back(name);
  const std::array<hsize_t, 2> dims{0, static_cast<hsize_t>(num_columns)};
  const std::array<hsize_t, 2> max_dims{H5S_UNLIMITED, static_cast<hsize_t>(num_columns)};
  const Handle space =
      h5::checked(H5Screate_simple(2, dims.data(), max_dims.data()), H5Sclose, where);
  // Chunking is what makes the dataset extendible, so it is on even without gzip.
  Handle dcpl = object_properties(H5P_DATASET_CREATE);
  const std::array<hsize_t, 2> chunk{static_cast<hsize_t>(chunk_rows),
                                     static_cast<hsize_t>(num_columns)};
  H5Pset_chunk(dcpl.get(), 2, chunk.data());
  if (impl.state->gzip_level > 0) {
    H5Pset_shuffle(dcpl.get());
    H5Pset_deflate(dcpl.get(), static_cast<unsigned>(impl.state->gzip_level));
  }
  H5Pset_fletcher32(dcpl.get());
  const Handle lcpl = link_properties();
  Handle dataset = h5::checked(H5Dcreate2(impl.state->file.get(), name.c_str(), H5T_IEEE_F64LE,
                                          space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
                               H5Dclose, where + ": cannot create dataset");
  return H5Appender(std::make_unique<H5Appender::Impl>(impl.state, name, std::move(dataset),
                                                       num_columns, chunk_rows));
}

std::vector<std::string> H5Writer::undescribed_datasets() const {
  const h5::FileState& s = checked_impl(impl_, "H5Writer").open_state();
  std::vector<std::string> out;
  for (const std::string& name : s.datasets)
    for (const char* attribute : {"description", "units", "axes"})
      if (H5Aexists_by_name(s.file.get(), name.c_str(), attribute, H5P_DEFAULT) <= 0) {
        out.push_back(name);
        break;
      }
  std::sort(out.begin(), out.end());
  return out;
}

void H5Writer::commit() {
  Impl& impl = checked_impl(impl_, "H5Writer");
  h5::FileState& s = impl.open_state();
  // A failure here leaves the writer open and uncommitted: its destructor discards the file.
  for (h5::AppenderCore* appender : s.appenders) appender->flush();
  if (!s.deferred_error.empty()) throw std::runtime_error(s.deferred_error);
  s.close_appenders();
  h5::check(H5Fflush(s.file.get(), H5F_SCOPE_GLOBAL), s.path + ": cannot finish the HDF5 file");
  const ssize_t size = H5Fget_file_image(s.file.get(), nullptr, 0);
  if (size < 0) throw std::runtime_error(h5::with_reason(s.path + ": cannot finish the HDF5 file"));
  std::vector<char> image(static_cast<std::size_t>(size));
  if (H5Fget_file_image(s.file.get(), image.data(), image.size()) != size)
    throw std::runtime_error(h5::with_reason(s.path + ": cannot finish the HDF5 file"));
  close_superblock(image);
  // From here the writer is done with HDF5; a failed write discards the temporary.
  s.file.reset();
  s.open = false;
  const std::string failure = write_all(s.temporary_fd, image);
  const bool closed = Impl::close_temporary(s);
  if (!failure.empty() || !closed) {
    const std::string reason = !failure.empty() ? failure : std::strerror(errno);
    discard_temporary(s.temporary);
    throw std::runtime_error(s.path + ": cannot write file (" + reason + ")");
  }
  commit_temporary(s.temporary, s.path);
}

void require_described(const H5Writer& writer) {
  const std::vector<std::string> missing = writer.undescribed_datasets();
  if (missing.empty()) return;
  std::string list;
  for (const std::string& name : missing) list += (list.empty() ? "" : ", ") + name;
  throw std::logic_error(writer.path() +
                         ": datasets without description, units and axes (io::Describe): " + list);
}

void write_format(H5Writer& writer, const std::string& kind, Index version) {
  if (kind.empty()) throw std::invalid_argument(writer.path() + ": write_format: empty kind");
  if (version < 1)
    throw std::invalid_argument(writer.path() + ": write_format: version out of range (got " +
                                std::to_string(version) + ", need >= 1)");
  writer.write_attribute("/", "plnet_format", kind);
  writer.write_attribute("/", "plnet_format_version", version);
}

}  // namespace plnet::io
