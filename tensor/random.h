// Seeded random tensors from a counter-based generator (Philox-4x32-10).
//
// Element i of a draw is a pure function of (seed, offset + i): results do not depend on thread
// count, and a checkpoint that stores (seed, offset) resumes the exact stream.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace pldr {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0, uint64_t offset = 0) : seed_(seed), offset_(offset) {}

  // Draws are made on the CPU and copied to `device`. A device kernel that draws in place must give
  // the same numbers: element i is a pure function of (seed, offset + i), as below.
  Tensor normal(const Shape& shape, double mean = 0, double stddev = 1, DType dtype = DType::Float32,
                Device device = Device::CPU);
  Tensor uniform(const Shape& shape, double low = 0, double high = 1, DType dtype = DType::Float32,
                 Device device = Device::CPU);
  uint64_t next_u64();  // one raw draw, e.g. for shuffles

  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }  // counters used so far

 private:
  uint64_t seed_;
  uint64_t offset_;
};

// The Philox-4x32-10 block for (key, counter): four independent 32-bit words.
struct PhiloxBlock {
  uint32_t w[4];
};
PhiloxBlock philox4x32(uint64_t key, uint64_t counter);

}  // namespace pldr
