#pragma once
// Shared by the HDF5 writer and reader (src/io/hdf5*.cpp): RAII ownership of hid_t, path
// normalisation, object lookup and error text. HDF5 headers stay in src/.

#include <plnet/core/types.hpp>

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace plnet::io::h5 {

/// Owns one HDF5 identifier and closes it with the matching H5?close. Move-only.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      close_ = other.close_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

  /// Closes the identifier now; returns false if HDF5 reported a failure (a flush that failed).
  bool reset() noexcept {
    if (id_ < 0) return true;
    const bool ok = close_(std::exchange(id_, H5I_INVALID_HID)) >= 0;
    return ok;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

/// Switches off HDF5's automatic error-stack printing (once per process): plnet reports each
/// failure as one exception line instead.
void silence_errors();

/// The most specific message on HDF5's error stack ("" if none): read it right after the
/// failing call, as the next API call clears the stack.
std::string last_error();

/// "<prefix> (HDF5: <last_error>)", or just `prefix` if the stack is empty.
std::string with_reason(const std::string& prefix);

/// Throws Error("<prefix> (HDF5: <last_error>)") if `id` < 0, else owns it. The writer uses
/// std::runtime_error (its file system failed), the reader std::invalid_argument (bad file).
template <typename Error = std::runtime_error>
Handle checked(hid_t id, Handle::Closer close, const std::string& prefix) {
  if (id < 0) throw Error(with_reason(prefix));
  return Handle(id, close);
}

/// Throws Error the same way if `status` < 0.
template <typename Error = std::runtime_error>
void check(herr_t status, const std::string& prefix) {
  if (status < 0) throw Error(with_reason(prefix));
}

/// The components of "a//b/c/" = {"a", "b", "c"}; "/" or "" has none.
std::vector<std::string> components(const std::string& path);
/// "/a/b/c" for {"a", "b", "c"}, "/" for none.
std::string absolute(const std::vector<std::string>& parts);
inline std::string absolute(const std::string& path) {
  return absolute(components(path));
}

enum class Kind { missing, group, dataset, other, unreadable };
/// What `absolute_path` names in `file` (missing also when a parent is missing or no group);
/// `unreadable` if HDF5 failed to read the file's structure on the way (a damaged file), with
/// HDF5's message in `reason` if given.
Kind kind_of(hid_t file, const std::string& absolute_path, std::string* reason = nullptr);
const char* kind_name(Kind kind);

/// The attribute holding string_checksum of a string dataset too long to be compact (and so
/// outside its checksummed object header).
inline constexpr const char* kStringChecksum = "plnet_fnv1a64";
/// FNV-1a (64 bit) of `size` bytes, as a signed 64-bit value.
Index string_checksum(const char* data, std::size_t size);

/// "floating-point", "integer", "string", ... for an HDF5 datatype class.
const char* class_name(H5T_class_t type_class);

}  // namespace plnet::io::h5
