#pragma once
/// SHA-256 of files (OpenSSL), so that a run file or checkpoint can tell whether the network
/// and data files it was computed from are still the same.

#include <string>

namespace plnet::io {

/// The SHA-256 of the file's bytes as 64 lowercase hex digits; std::invalid_argument
/// ("<path>: cannot open file") when it cannot be read.
std::string sha256_of_file(const std::string& path);

/// The SHA-256 of a byte string, as 64 lowercase hex digits.
std::string sha256_of_bytes(const std::string& bytes);

}  // namespace plnet::io
