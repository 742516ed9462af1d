#pragma once
/// Writing output files so that a failure never leaves a half-written file behind: content
/// goes to "<path>.tmp.<pid>" in the same directory, is flushed, and is renamed over `path`
/// (rename is atomic on POSIX file systems).

#include <functional>
#include <ostream>
#include <string>

namespace plnet::io {

/// Calls `write(stream)` on a temporary file and renames it to `path` on success. If `write`
/// throws or the stream fails, the temporary file is removed and std::runtime_error (or the
/// original exception) propagates; `path` is left untouched.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

/// The temporary name write_atomically uses for `path` (for writers that need a file name,
/// such as HDF5): pair with commit_temporary / discard_temporary.
std::string temporary_path(const std::string& path);
void commit_temporary(const std::string& temporary, const std::string& path);
void discard_temporary(const std::string& temporary) noexcept;

/// Reads a whole text file; throws std::invalid_argument("<path>: cannot open file") if absent.
std::string read_text_file(const std::string& path);

}  // namespace plnet::io
