// TokenVector: a TokenSource over tokens held in memory.
#include "data/token_source.h"

#include <algorithm>
#include <string>

#include "data/error.h"

namespace pldr::data {

void TokenVector::read(uint64_t begin, uint64_t count, int32_t* out) const {
  if (begin > tokens_.size() || count > tokens_.size() - begin) {
    throw DataError("token vector: range [" + std::to_string(begin) + ", " + std::to_string(begin + count) +
                    ") is outside its " + std::to_string(tokens_.size()) + " tokens");
  }
  std::copy_n(tokens_.begin() + static_cast<std::ptrdiff_t>(begin), count, out);
}

}  // namespace pldr::data
