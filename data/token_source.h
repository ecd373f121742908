// TokenSource: a read-only sequence of token ids, from memory (TokenVector) or from a token file
// (TokenFile, token_file.h). Packing and the sample loader read through it.
#pragma once

#include <cstdint>
#include <vector>

namespace pldr::data {

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual uint64_t size() const = 0;
  // Copies tokens [begin, begin + count) to `out`; DataError if the range is out of bounds.
  virtual void read(uint64_t begin, uint64_t count, int32_t* out) const = 0;
};

class TokenVector : public TokenSource {
 public:
  explicit TokenVector(std::vector<int32_t> tokens) : tokens_(std::move(tokens)) {}
  uint64_t size() const override { return tokens_.size(); }
  void read(uint64_t begin, uint64_t count, int32_t* out) const override;
  const std::vector<int32_t>& tokens() const { return tokens_; }

 private:
  std::vector<int32_t> tokens_;
};

}  // namespace pldr::data
