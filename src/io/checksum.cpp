#include <plnet/io/checksum.hpp>

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace plnet::io {

namespace {

// Feeds whatever `feed(update)` passes to `update(data, size)` into one SHA-256.
template <typename Feed>
std::string sha256(Feed feed) {
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: OpenSSL could not start a digest");
  feed([&](const char* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx.get(), data, size) != 1)
      throw std::runtime_error("sha256: OpenSSL digest update failed");
  });
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1)
    throw std::runtime_error("sha256: OpenSSL digest final failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

}  // namespace

std::string sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open file");
  std::string hex = sha256([&](const auto& update) {
    std::array<char, 1 << 16> buffer{};
    while (in) {
      in.read(buffer.data(), buffer.size());
      update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
  });
  if (in.bad()) throw std::invalid_argument(path + ": read error");
  return hex;
}

std::string sha256_of_bytes(const std::string& bytes) {
  return sha256([&](const auto& update) { update(bytes.data(), bytes.size()); });
}

}  // namespace plnet::io
