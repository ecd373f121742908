#include "tensor/storage.h"

#include <stdexcept>

#include "tensor/backend.h"

namespace pldr {

Storage::Storage(size_t bytes, Device device, bool zero_fill) : bytes_(bytes), device_(device) {
  const Backend& b = backend(device);  // throws when this build or machine has no such device
  data_ = b.allocate(bytes);
  count_allocation();
  if (zero_fill) b.memset_zero(data_, bytes);
}

Storage::Storage(void* data, size_t bytes, Device device, std::shared_ptr<const void> keep_alive)
    : data_(data), bytes_(bytes), device_(device), keep_alive_(std::move(keep_alive)) {
  // Without an owner nothing would say how long the memory lives.
  if (!keep_alive_) throw std::invalid_argument("Storage over external memory needs a keep-alive handle");
}

Storage::~Storage() {
  if (!keep_alive_) backend(device_).release(data_, bytes_);
}

}  // namespace pldr
