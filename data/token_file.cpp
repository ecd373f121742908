// Token files: the writer (little-endian, atomic) and the memory-mapped reader.
#include "data/token_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "data/error.h"
#include "io/atomic_file.h"

namespace pldr::data {
namespace {

constexpr char kMagic[8] = {'P', 'L', 'D', 'R', 'T', 'O', 'K', '\0'};

void put_le(unsigned char* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}

uint64_t get_le(const unsigned char* in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(in[i]) << (8 * i);
  return value;
}

uint32_t width_for(uint32_t vocab_size) { return vocab_size <= 65536 ? 16 : 32; }

}  // namespace

void write_token_file(const std::string& path, std::span<const int32_t> tokens, uint32_t vocab_size) {
  if (vocab_size == 0 || vocab_size > static_cast<uint32_t>(INT32_MAX)) {
    throw DataError("token file " + path + ": vocab_size " + std::to_string(vocab_size) + " is out of range");
  }
  const uint32_t width_bits = width_for(vocab_size);
  const int width_bytes = static_cast<int>(width_bits / 8);

  unsigned char header[kTokenFileHeaderBytes] = {};
  std::memcpy(header, kMagic, sizeof kMagic);
  put_le(header + 8, kTokenFileVersion, 4);
  put_le(header + 12, vocab_size, 4);
  put_le(header + 16, tokens.size(), 8);
  put_le(header + 24, width_bits, 4);

  io::AtomicFile file(path);
  file.write(header, sizeof header);
  constexpr std::size_t kChunkTokens = 1 << 18;
  std::vector<unsigned char> buffer;
  buffer.reserve(kChunkTokens * 4);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const int32_t token = tokens[i];
    if (token < 0 || static_cast<uint32_t>(token) >= vocab_size) {
      throw DataError("token file " + path + ": token " + std::to_string(i) + " is " + std::to_string(token) +
                      ", outside the vocabulary [0, " + std::to_string(vocab_size) + ")");
    }
    buffer.resize(buffer.size() + width_bytes);
    put_le(buffer.data() + buffer.size() - width_bytes, static_cast<uint32_t>(token), width_bytes);
    if (buffer.size() >= kChunkTokens * width_bytes) {
      file.write(buffer.data(), buffer.size());
      buffer.clear();
    }
  }
  file.write(buffer.data(), buffer.size());
  file.commit();
}

TokenFile::TokenFile(const std::string& path) : path_(path) {
  const std::string where = "token file " + path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DataError(where + ": cannot open: " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw DataError(where + ": not a regular file");
  }
  const auto file_bytes = static_cast<uint64_t>(info.st_size);
  if (file_bytes < kTokenFileHeaderBytes) {
    ::close(fd);
    throw DataError(where + ": " + std::to_string(file_bytes) + " bytes, too short for the " +
                    std::to_string(kTokenFileHeaderBytes) + "-byte header");
  }
  void* mapping = ::mmap(nullptr, file_bytes, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);  // the mapping keeps the file open
  if (mapping == MAP_FAILED) throw DataError(where + ": mmap failed: " + std::strerror(errno));
  mapping_ = static_cast<const unsigned char*>(mapping);
  mapping_bytes_ = file_bytes;

  try {
    if (std::memcmp(mapping_, kMagic, sizeof kMagic) != 0) {
      throw DataError(where + ": wrong magic, not a PLDR token file");
    }
    const auto version = static_cast<uint32_t>(get_le(mapping_ + 8, 4));
    if (version != kTokenFileVersion) {
      throw DataError(where + ": format version " + std::to_string(version) + ", this build reads version " +
                      std::to_string(kTokenFileVersion));
    }
    vocab_size_ = static_cast<uint32_t>(get_le(mapping_ + 12, 4));
    token_count_ = get_le(mapping_ + 16, 8);
    width_bits_ = static_cast<uint32_t>(get_le(mapping_ + 24, 4));
    if (width_bits_ != 16 && width_bits_ != 32) {
      throw DataError(where + ": token width " + std::to_string(width_bits_) + " bits, expected 16 or 32");
    }
    if (vocab_size_ == 0 || (width_bits_ == 16 && vocab_size_ > 65536)) {
      throw DataError(where + ": vocab_size " + std::to_string(vocab_size_) + " does not fit " +
                      std::to_string(width_bits_) + "-bit tokens");
    }
    const uint64_t width_bytes = width_bits_ / 8;
    if (token_count_ > (UINT64_MAX - kTokenFileHeaderBytes) / width_bytes) {
      throw DataError(where + ": header says " + std::to_string(token_count_) + " tokens, more than a file can hold");
    }
    const uint64_t expected_bytes = kTokenFileHeaderBytes + token_count_ * width_bytes;
    if (expected_bytes != file_bytes) {
      throw DataError(where + ": header says " + std::to_string(token_count_) + " tokens of " +
                      std::to_string(width_bits_) + " bits, so " + std::to_string(expected_bytes) +
                      " bytes, but the file has " + std::to_string(file_bytes) + " bytes (truncated or corrupt)");
    }
  } catch (...) {
    unmap();
    throw;
  }
  tokens_ = mapping_ + kTokenFileHeaderBytes;
}

TokenFile::~TokenFile() { unmap(); }

TokenFile::TokenFile(TokenFile&& other) noexcept
    : path_(std::move(other.path_)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mapping_bytes_(std::exchange(other.mapping_bytes_, 0)),
      tokens_(std::exchange(other.tokens_, nullptr)),
      token_count_(std::exchange(other.token_count_, 0)),
      vocab_size_(other.vocab_size_),
      width_bits_(other.width_bits_) {}

TokenFile& TokenFile::operator=(TokenFile&& other) noexcept {
  if (this != &other) {
    unmap();
    path_ = std::move(other.path_);
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapping_bytes_ = std::exchange(other.mapping_bytes_, 0);
    tokens_ = std::exchange(other.tokens_, nullptr);
    token_count_ = std::exchange(other.token_count_, 0);
    vocab_size_ = other.vocab_size_;
    width_bits_ = other.width_bits_;
  }
  return *this;
}

void TokenFile::unmap() {
  if (mapping_ != nullptr) ::munmap(const_cast<unsigned char*>(mapping_), mapping_bytes_);
  mapping_ = nullptr;
  mapping_bytes_ = 0;
}

int32_t TokenFile::operator[](uint64_t i) const {
  assert(i < token_count_);
  if (width_bits_ == 16) return static_cast<int32_t>(get_le(tokens_ + 2 * i, 2));
  return static_cast<int32_t>(get_le(tokens_ + 4 * i, 4));
}

void TokenFile::read(uint64_t begin, uint64_t count, int32_t* out) const {
  if (begin > token_count_ || count > token_count_ - begin) {
    throw DataError("token file " + path_ + ": range [" + std::to_string(begin) + ", " + std::to_string(begin + count) +
                    ") is outside its " + std::to_string(token_count_) + " tokens");
  }
  const int width_bytes = static_cast<int>(width_bits_ / 8);
  const unsigned char* in = tokens_ + begin * width_bytes;
  for (uint64_t i = 0; i < count; ++i) out[i] = static_cast<int32_t>(get_le(in + i * width_bytes, width_bytes));
}

}  // namespace pldr::data
