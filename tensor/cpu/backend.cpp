// The CPU backend's table, generated from tensor/op_list.h: every kernel of tensor/cpu/kernels.h,
// and supports() from the list's CPU dtype column. float32 and float64 run everywhere. bfloat16:
// copy, fill, the elementwise kernels and matmul read and write it themselves; every other kernel
// takes it through via_float (float32 compute and accumulation, one rounding per output element).
#include "tensor/backend.h"
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/via_float.h"

namespace pldr {

namespace {

// The table entry of a CPU kernel: the kernel itself where it handles bfloat16 (or supports()
// keeps bfloat16 from it), else its via_float adapter.
template <auto Kernel> constexpr bool kHandlesBFloat16 = false;
template <> constexpr bool kHandlesBFloat16<&cpu::copy> = true;
template <> constexpr bool kHandlesBFloat16<&cpu::fill> = true;
template <> constexpr bool kHandlesBFloat16<&cpu::binary> = true;
template <> constexpr bool kHandlesBFloat16<&cpu::unary> = true;
template <> constexpr bool kHandlesBFloat16<&cpu::matmul> = true;
template <> constexpr bool kHandlesBFloat16<&cpu::expm> = true;            // float32 and float64 only
template <> constexpr bool kHandlesBFloat16<&cpu::expm_frechet> = true;    // float32 and float64 only
template <> constexpr bool kHandlesBFloat16<&cpu::log_trace_expm> = true;  // float32 and float64 only
template <> constexpr bool kHandlesBFloat16<&cpu::adamw_update> = true;    // float32 and float64 only

template <auto Kernel> constexpr auto entry() {
  if constexpr (kHandlesBFloat16<Kernel>) return Kernel;
  else return &cpu::via_float<Kernel>::run;
}

constexpr Backend kCpuBackend{.name = "cpu",
                              .device = Device::CPU,
                              .supports = [](Op op, DType dtype) { return listed_support(Device::CPU, op, dtype); },
                              .allocate = cpu::allocate,
                              .release = cpu::release,
                              .memset_zero = cpu::memset_zero,
                              .copy_to_host = cpu::copy_bytes,
                              .copy_from_host = cpu::copy_bytes,
#define PLDR_CPU_ENTRY(kernel, parameters) .kernel = entry<&cpu::kernel>(),
                              PLDR_KERNELS(PLDR_CPU_ENTRY)
#undef PLDR_CPU_ENTRY
};

}  // namespace

const Backend& cpu_backend() { return kCpuBackend; }

}  // namespace pldr
