#pragma once
// What plnet's fuzz targets share: a scratch folder, the error contract every parser must keep,
// and the values that break parsers. The targets are libFuzzer programs (clang's
// -fsanitize=fuzzer) built with AddressSanitizer and UndefinedBehaviorSanitizer; see
// docs/testing.md, "Fuzzing".
//
// The contract: a parser given any bytes either returns a valid object or throws a
// std::exception whose message is one non-empty line. A crash, a sanitizer report, a hang, an
// allocation beyond libFuzzer's -malloc_limit_mb (a size read from the file and used before it
// was checked), another exception type or a message of several lines is a finding.

#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace plnet::fuzz {

/// A folder of this process's own, removed when the process exits normally.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    path_ = (std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
             ("plnet_fuzz." + std::to_string(::getpid())))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// The files the parsers read live in one ScratchDir for the whole process.
inline const std::string& scratch_dir() {
  static const ScratchDir dir;
  return dir.path();
}

/// Writes `bytes` to scratch_dir()/name and returns the path.
inline std::string write_scratch(const std::string& name, const std::string& bytes) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Stops the process (a libFuzzer finding) with the reason and the message.
[[noreturn]] inline void finding(const char* why, const std::string& message) {
  std::fprintf(stderr, "fuzz finding: %s: %s\n", why, message.c_str());
  std::abort();
}

/// Runs `parse` under the error contract: success, or a std::exception with one line.
template <class Parse>
void expect_clean(Parse&& parse) {
  try {
    parse();
  } catch (const std::bad_alloc& e) {
    // A parser that allocates what a small file claims, without checking it first.
    finding("std::bad_alloc (a size was used before it was validated)", e.what());
  } catch (const std::exception& e) {
    const std::string message = e.what();
    if (message.empty()) finding("empty error message", message);
    if (message.find('\n') != std::string::npos) finding("error message of several lines", message);
  } catch (...) {
    finding("an exception that is not a std::exception", "");
  }
}

/// A deterministic stream of choices for a custom mutator (libFuzzer passes a seed).
class Choices {
 public:
  explicit Choices(unsigned seed) : rng_(seed) {}
  /// Uniform in [0, n); n > 0.
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool one_in(std::size_t n) { return below(n) == 0; }

  /// Numbers at the edges of what a file may say: zero and signs, counts at the limits of
  /// int32/int64, the extremes of double, NaN, infinities, subnormals.
  double extreme_double() {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    static constexpr std::array kValues = {0.0,
                                           -0.0,
                                           1.0,
                                           -1.0,
                                           0.5,
                                           -5.0,
                                           1e-300,
                                           4.9e-324,
                                           1e308,
                                           -1e308,
                                           1.7976931348623157e308,
                                           kInf,
                                           -kInf,
                                           std::numeric_limits<double>::quiet_NaN(),
                                           2147483647.0,
                                           2147483648.0,
                                           4294967296.0,
                                           9.2233720368547758e18,
                                           1e11,
                                           2e9,
                                           1e6};
    return kValues[below(kValues.size())];
  }
  std::int64_t extreme_integer() {
    static constexpr std::array<std::int64_t, 16> kValues = {
        0,
        1,
        -1,
        2,
        3,
        -5,
        255,
        65536,
        2147483647,
        -2147483648LL,
        4294967296,
        1000000000,
        2000000000,
        std::numeric_limits<std::int64_t>::max(),
        std::numeric_limits<std::int64_t>::min(),
        100000000000LL};
    return kValues[below(kValues.size())];
  }
  /// Short strings that parsers trip over: empty, NUL, quotes, separators, non-UTF-8, long.
  std::string odd_string() {
    static const std::array<std::string, 10> kValues = {"",
                                                        std::string(1, '\0'),
                                                        "\"",
                                                        "a,b",
                                                        "\n",
                                                        "\xff\xfe",
                                                        "../../etc/passwd",
                                                        std::string(5000, 'x'),
                                                        "nan",
                                                        "1e400"};
    return kValues[below(kValues.size())];
  }

 private:
  std::mt19937 rng_;
};

/// Falls back to libFuzzer's byte-level mutations, which also find what structure-aware
/// ones cannot (broken syntax, truncation).
inline std::size_t mutate_bytes(std::uint8_t* data, std::size_t size, std::size_t max_size) {
  return LLVMFuzzerMutate(data, size, max_size);
}

/// Copies `text` into libFuzzer's buffer if it fits; otherwise mutates the bytes instead.
inline std::size_t emit(const std::string& text, std::uint8_t* data, std::size_t size,
                        std::size_t max_size) {
  if (text.size() > max_size) return mutate_bytes(data, size, max_size);
  std::copy(text.begin(), text.end(), data);
  return text.size();
}

}  // namespace plnet::fuzz
