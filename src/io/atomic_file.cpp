#include <plnet/io/atomic_file.hpp>
#include <plnet/io/output_paths.hpp>

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace plnet::io {

std::string temporary_path(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

void commit_temporary(const std::string& temporary, const std::string& path) {
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    discard_temporary(temporary);
    throw std::runtime_error(path + ": cannot write file (rename of " + temporary +
                             " failed: " + std::strerror(error) + ")");
  }
}

void discard_temporary(const std::string& temporary) noexcept {
  std::remove(temporary.c_str());
}

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  remove_stale_temporaries(path);
  const std::string temporary = temporary_path(path);
  try {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error(path + ": cannot open file for writing (" + std::strerror(errno) +
                               ")");
    write(out);
    errno = 0;
    out.flush();
    if (!out)
      throw std::runtime_error(
          path + ": write failed" +
          (errno != 0 ? std::string(" (") + std::strerror(errno) + ")" : std::string()));
    out.close();
  } catch (...) {
    discard_temporary(temporary);
    throw;
  }
  commit_temporary(temporary, path);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open file");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace plnet::io
