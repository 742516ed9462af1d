#include <plnet/io/hdf5.hpp>
#include <plnet/io/output_paths.hpp>

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace plnet::io {
namespace {

namespace fs = std::filesystem;

bool is_stdout(const std::string& path) {
  return path.empty() || path == "-";
}

[[noreturn]] void fail(const std::string& flag, const std::string& path, const std::string& what) {
  throw std::invalid_argument(flag + ": " + path + ": " + what);
}

// The directory the file lands in ("." for a bare name).
fs::path directory_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {};
  struct stat sb {};
  if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  // One of them does not exist yet: compare what the paths will resolve to.
  std::error_code ea;
  std::error_code eb;
  const fs::path ca = fs::weakly_canonical(a, ea);
  const fs::path cb = fs::weakly_canonical(b, eb);
  return !ea && !eb && ca == cb;
}

void check_location(const OutputFile& out) {
  if (out.path.find('\0') != std::string::npos) fail(out.flag, out.path, "contains a NUL byte");
  const fs::path dir = directory_of(out.path);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    fail(out.flag, out.path, "directory " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail(out.flag, out.path,
         "cannot write in directory " + dir.string() + " (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::stat(out.path.c_str(), &st) != 0) return;  // a new file
  if (S_ISDIR(st.st_mode)) fail(out.flag, out.path, "is a directory");
  // Writes go to a temporary file renamed over the output, which a read-only file would not
  // stop; refuse as the user's shell would (root included: mode 0444 says "keep this").
  if ((st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0 || ::access(out.path.c_str(), W_OK) != 0)
    fail(out.flag, out.path, "is read-only; plnet does not replace it");
}

}  // namespace

std::string plnet_format_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  char signature[8] = {};
  in.read(signature, sizeof signature);
  static constexpr char kHdf5Signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  if (in.gcount() == 8 && std::memcmp(signature, kHdf5Signature, 8) == 0) {
    try {
      const H5Reader reader(path);
      return reader.has_attribute("/", "plnet_format")
                 ? reader.read_attribute_string("/", "plnet_format")
                 : "";
    } catch (const std::exception&) {
      return "";
    }
  }
  in.clear();
  in.seekg(0);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("plnet_format") && j["plnet_format"].is_string())
    return j["plnet_format"].get<std::string>();
  return "";
}

void check_outputs(const std::vector<InputFile>& inputs, const std::vector<OutputFile>& outputs) {
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const OutputFile& out = outputs[k];
    if (is_stdout(out.path)) continue;
    check_location(out);
    for (const InputFile& in : inputs)
      if (!in.path.empty() && same_file(out.path, in.path))
        fail(out.flag, out.path,
             "is the " + in.what + " " + in.path + "; an output never replaces an input");
    for (std::size_t j = 0; j < k; ++j)
      if (!is_stdout(outputs[j].path) && same_file(out.path, outputs[j].path))
        fail(out.flag, out.path, "is also the file of " + outputs[j].flag);
    if (!out.derived_kind.empty() && fs::exists(out.path) &&
        plnet_format_of(out.path) != out.derived_kind)
      fail(out.flag, out.path,
           "exists and is not a plnet " + out.derived_kind +
               " file; plnet does not replace a file it did not write (name another output)");
  }
}

int remove_stale_temporaries(const std::string& path) noexcept {
  int removed = 0;
  try {
    const fs::path target(path);
    const std::string prefix = target.filename().string() + ".tmp.";
    for (const auto& entry : fs::directory_iterator(directory_of(path))) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string pid_text = name.substr(prefix.size());
      if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos)
        continue;
      const long pid = std::strtol(pid_text.c_str(), nullptr, 10);
      // A live process (or one we may not signal) may still be writing it.
      if (pid <= 0 || pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 ||
          errno != ESRCH)
        continue;
      std::error_code ec;
      if (fs::remove(entry.path(), ec)) ++removed;
    }
  } catch (...) {
  }
  return removed;
}

}  // namespace plnet::io
