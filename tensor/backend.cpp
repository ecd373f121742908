#include "tensor/backend.h"

#include <array>
#include <atomic>
#include <stdexcept>
#include <string>

namespace pldr {

const char* op_name(Op op) {
  switch (op) {
#define PLDR_OP_NAME_CASE(op, name, cpu, cuda) \
  case Op::op: return name;
    PLDR_OPS(PLDR_OP_NAME_CASE)
#undef PLDR_OP_NAME_CASE
  }
  return "?";
}

bool listed_support(Device device, Op op, DType dtype) {
  constexpr DTypeSet kListed[kOpCount][2] = {// [op][CPU, CUDA]
#define PLDR_LISTED_DTYPES(op, name, cpu, cuda) {cpu, cuda},
                                             PLDR_OPS(PLDR_LISTED_DTYPES)
#undef PLDR_LISTED_DTYPES
  };
  return kListed[static_cast<int>(op)][device == Device::CPU ? 0 : 1].contains(dtype);
}

namespace {
std::array<std::atomic<uint64_t>, kOpCount> dispatches{};
std::atomic<uint64_t> allocations{0}, host_reads{0}, host_read_bytes{0};
}  // namespace

void count_dispatch(Op op) { dispatches[static_cast<size_t>(op)].fetch_add(1, std::memory_order_relaxed); }
void count_allocation() { allocations.fetch_add(1, std::memory_order_relaxed); }
void count_host_read(uint64_t bytes) {
  host_reads.fetch_add(1, std::memory_order_relaxed);
  host_read_bytes.fetch_add(bytes, std::memory_order_relaxed);
}
uint64_t dispatch_count(Op op) { return dispatches[static_cast<size_t>(op)].load(std::memory_order_relaxed); }

RuntimeCounts runtime_counts() {
  RuntimeCounts c;
  for (const std::atomic<uint64_t>& n : dispatches) c.dispatches += n.load(std::memory_order_relaxed);
  c.allocations = allocations.load(std::memory_order_relaxed);
  c.host_reads = host_reads.load(std::memory_order_relaxed);
  c.host_read_bytes = host_read_bytes.load(std::memory_order_relaxed);
  return c;
}

void reset_runtime_counts() {
  for (std::atomic<uint64_t>& n : dispatches) n.store(0, std::memory_order_relaxed);
  allocations.store(0, std::memory_order_relaxed);
  host_reads.store(0, std::memory_order_relaxed);
  host_read_bytes.store(0, std::memory_order_relaxed);
}

Device device_from_name(const std::string& name) {
  if (name == "cpu") return Device::CPU;
  if (name == "cuda") return Device::CUDA;
  throw std::invalid_argument("unknown device '" + name + "' (cpu or cuda)");
}

const Backend& backend(Device device) {
  switch (device) {
    case Device::CPU: return cpu_backend();
    case Device::CUDA:
#ifdef PLDR_CUDA
      return cuda_backend();
#else
      throw std::runtime_error("this build has no CUDA backend (configure with -DPLDR_CUDA=ON)");
#endif
  }
  throw std::logic_error("backend: unknown device");
}

bool backend_available(Device device) {
  try {
    backend(device);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

bool supports(Device device, Op op, DType dtype) {
  return backend_available(device) && backend(device).supports(op, dtype);
}

void require_support(Device device, Op op, DType dtype) {
  const Backend& b = backend(device);  // throws when the device has no backend
  if (!b.supports(op, dtype))
    throw std::invalid_argument(std::string(op_name(op)) + " is not supported on " + device_name(device) + " for " +
                                dtype_name(dtype));
}

}  // namespace pldr
