// DoubleArray: lookups in a Darts-clone double-array trie as stored in a SentencePiece model's
// precompiled_charsmap (third_party/darts_clone/darts.h there). Read-only; every step is
// bounds-checked, so a damaged array gives a DataError instead of a read outside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace pldr::data::spm {

class DoubleArray {
 public:
  // `units`: the array's bytes, 4-byte little-endian units.
  explicit DoubleArray(std::string_view units);

  struct Match {
    size_t length;  // bytes of the key matched
    uint32_t value;
  };

  // The longest key that is a prefix of `text`, or none (length 0).
  Match longest_prefix(std::string_view text) const;

 private:
  uint32_t unit(size_t index) const;

  std::vector<uint32_t> units_;
};

}  // namespace pldr::data::spm
