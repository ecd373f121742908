#include "tensor/storage.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace pldr {

namespace {
constexpr size_t kAlignment = 64;  // one cache line; also what AVX-512 loads prefer
}

Storage::Storage(size_t bytes, Device device, bool zero_fill) : bytes_(bytes), device_(device) {
  if (device != Device::CPU) throw std::runtime_error("storage: this build has no CUDA backend");
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  data_ = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (!data_) throw std::bad_alloc();
  if (zero_fill) std::memset(data_, 0, rounded == 0 ? kAlignment : rounded);
}

Storage::~Storage() { std::free(data_); }

}  // namespace pldr
