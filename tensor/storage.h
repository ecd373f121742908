// Storage: one owned buffer on one device, from that device's backend (tensor/backend.h).
// Tensors are views onto a shared Storage.
#pragma once
#include <cstddef>
#include <memory>

#include "tensor/device.h"

namespace pldr {

class Storage {
 public:
  Storage(size_t bytes, Device device, bool zero_fill = true);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  Device device_;
};

}  // namespace pldr
