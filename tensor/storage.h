// Storage: one buffer on one device, shared by the Tensors that view it. Either owned (taken from
// that device's backend, tensor/backend.h, and given back when the last Tensor goes) or external:
// memory something else holds (a memory-mapped weight file), kept valid by a keep-alive handle
// that the Storage holds until the last Tensor goes.
#pragma once
#include <cstddef>
#include <memory>

#include "tensor/device.h"

namespace pldr {

class Storage {
 public:
  Storage(size_t bytes, Device device, bool zero_fill = true);
  // Views `bytes` at `data` on `device` without copying; `keep_alive` (not null) owns that memory
  // and is released with this Storage. Not a backend allocation, so not counted as one.
  Storage(void* data, size_t bytes, Device device, std::shared_ptr<const void> keep_alive);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }
  bool external() const { return keep_alive_ != nullptr; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  Device device_;
  std::shared_ptr<const void> keep_alive_;  // set only for external memory
};

}  // namespace pldr
