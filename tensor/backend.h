// The backend seam: one small table of function pointers per device, in the spirit of
// ggml-backend's interface (not a virtual class). tensor/ops.cpp checks an op's arguments,
// allocates its outputs and makes one call through backend(device); Storage asks the same table
// for memory. The kernels and the ops are listed once in tensor/op_list.h, which documents each layout.
//
// How a backend registers itself: it defines one function returning its table, and backend()
// below returns it for its device.
//   - tensor/cpu/backend.cpp defines cpu_backend(); it is always built.
//   - tensor/cuda/ defines cuda_backend() (namespace pldr), compiled only when the build defines
//     PLDR_CUDA. It throws std::runtime_error("no CUDA device ...") when the machine has no
//     usable GPU. In a build without PLDR_CUDA, backend(Device::CUDA) throws
//     "this build has no CUDA backend".
// Each table's kernel entries and supports() are generated from tensor/op_list.h, so no kernel
// pointer is null and a backend that lacks a kernel does not link.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/op_types.h"

namespace pldr {

struct Backend {
  const char* name;  // "cpu", "cuda"
  Device device;
  // Whether the op runs for `dtype` (the floating operand's dtype; ids and targets are int32).
  bool (*supports)(Op op, DType dtype);

  // ---- memory: raw bytes on this device ----
  void* (*allocate)(size_t bytes);           // never null: throws std::bad_alloc
  void (*release)(void* ptr, size_t bytes);  // bytes as passed to allocate
  void (*memset_zero)(void* ptr, size_t bytes);
  void (*copy_to_host)(void* host_dst, const void* src, size_t bytes);
  void (*copy_from_host)(void* dst, const void* host_src, size_t bytes);

  // ---- kernels: one field per entry of PLDR_KERNELS (tensor/op_list.h documents each layout) ----
#define PLDR_KERNEL_FIELD(kernel, parameters) void(*kernel) parameters;
  PLDR_KERNELS(PLDR_KERNEL_FIELD)
#undef PLDR_KERNEL_FIELD
};

// "cpu" or "cuda"; anything else throws std::invalid_argument naming it.
Device device_from_name(const std::string& name);

// The table for `device`; throws std::runtime_error when this build or machine has none.
const Backend& backend(Device device);
// True when backend(device) would return a table (tests use it to skip with a reason).
bool backend_available(Device device);

// True when `op` runs on `device` for `dtype` (false when the device has no backend).
bool supports(Device device, Op op, DType dtype);
// Throws std::invalid_argument naming the op, device and dtype when it cannot run.
void require_support(Device device, Op op, DType dtype);

// What tensor/op_list.h's dtype columns say `device` runs `op` for: each table's supports().
bool listed_support(Device device, Op op, DType dtype);

// What a piece of work asks of the backends, counted since the last reset (every device, all
// threads): what tests and benchmarks read to see the kernels a training step or a decoded token
// launches, the buffers it allocates and how often the host waits to read a result.
struct RuntimeCounts {
  uint64_t dispatches = 0;       // kernels launched through the table (tensor/ops.h, copies and fills)
  uint64_t allocations = 0;      // Storage buffers taken from a backend
  uint64_t host_reads = 0;       // Tensor::to_vector / item: the host reading values (on a GPU, a wait)
  uint64_t host_read_bytes = 0;  // what those reads carried, in the tensors' own dtypes
};
RuntimeCounts runtime_counts();
uint64_t dispatch_count(Op op);  // the dispatches of one op
void reset_runtime_counts();
// Called by tensor/ itself: once per dispatch, allocation and host read.
void count_dispatch(Op op);
void count_allocation();
void count_host_read(uint64_t bytes);

// The tables themselves; see "How a backend registers itself" above.
const Backend& cpu_backend();
#ifdef PLDR_CUDA
const Backend& cuda_backend();
#endif

}  // namespace pldr
