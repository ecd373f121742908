#include "tensor/storage.h"

#include "tensor/backend.h"

namespace pldr {

Storage::Storage(size_t bytes, Device device, bool zero_fill) : bytes_(bytes), device_(device) {
  const Backend& b = backend(device);  // throws when this build or machine has no such device
  data_ = b.allocate(bytes);
  count_allocation();
  if (zero_fill) b.memset_zero(data_, bytes);
}

Storage::~Storage() { backend(device_).release(data_, bytes_); }

}  // namespace pldr
