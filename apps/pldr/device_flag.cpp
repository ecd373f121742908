#include "apps/pldr/device_flag.h"

#include "tensor/backend.h"

namespace pldr::cli {

FlagSpec device_flag_spec() { return {"device", "cpu|cuda", "cpu", "where the model runs", {}}; }

Device device_flag(const Flags& flags) {
  const std::string name = flags.get("device", "cpu");
  if (name != "cpu" && name != "cuda") throw UsageError("--device must be cpu or cuda, got '" + name + "'");
  const Device device = device_from_name(name);
  try {
    backend(device);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("--device " + name + ": " + e.what());
  }
  return device;
}

}  // namespace pldr::cli
