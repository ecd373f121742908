// Token files: a corpus of token ids on disk, memory-mapped for reading.
//
// Layout (all integers little-endian):
//   offset  0  magic "PLDRTOK\0"   8 bytes
//   offset  8  version = 1         uint32
//   offset 12  vocab_size          uint32
//   offset 16  token_count         uint64
//   offset 24  token_width_bits    uint32 (16 or 32)
//   offset 28  zero padding        4 bytes
//   offset 32  token_count tokens, each uint16 or uint32
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "data/token_source.h"

namespace pldr::data {

inline constexpr std::size_t kTokenFileHeaderBytes = 32;
inline constexpr uint32_t kTokenFileVersion = 1;

// Writes `tokens` atomically (temporary file, fsync, rename). Tokens take 16 bits when
// vocab_size <= 65536, else 32. DataError if a token is outside [0, vocab_size).
void write_token_file(const std::string& path, std::span<const int32_t> tokens, uint32_t vocab_size);

class TokenFile : public TokenSource {
 public:
  // Maps the file read-only and checks its header against its length. DataError naming the path
  // on a missing file, wrong magic, unknown version or width, or a length that disagrees with the
  // header (a truncated file reports the expected and the actual size).
  explicit TokenFile(const std::string& path);
  ~TokenFile() override;
  TokenFile(TokenFile&& other) noexcept;
  TokenFile& operator=(TokenFile&& other) noexcept;
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  uint64_t size() const override { return token_count_; }
  uint32_t vocab_size() const { return vocab_size_; }
  uint32_t token_width_bits() const { return width_bits_; }
  const std::string& path() const { return path_; }

  int32_t operator[](uint64_t i) const;  // unchecked beyond an assertion
  void read(uint64_t begin, uint64_t count, int32_t* out) const override;

 private:
  void unmap();

  std::string path_;
  const unsigned char* mapping_ = nullptr;
  std::size_t mapping_bytes_ = 0;
  const unsigned char* tokens_ = nullptr;
  uint64_t token_count_ = 0;
  uint32_t vocab_size_ = 0;
  uint32_t width_bits_ = 0;
};

}  // namespace pldr::data
