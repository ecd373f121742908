// Where a tensor's storage lives. Ops dispatch on the device once per call, never per element.
#pragma once
#include <string>

namespace pldr {

enum class Device { CPU, CUDA };

inline const char* device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

}  // namespace pldr
