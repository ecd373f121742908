// Host memory for CPU tensors, and the strided copy and fill every layout change goes through.
#include <cstdlib>
#include <cstring>
#include <new>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"

namespace pldr::cpu {

namespace {
constexpr size_t kAlignment = 64;  // one cache line; also what AVX-512 loads prefer
size_t rounded_size(size_t bytes) {
  return bytes == 0 ? kAlignment : (bytes + kAlignment - 1) / kAlignment * kAlignment;
}
}  // namespace

void* allocate(size_t bytes) {
  void* p = std::aligned_alloc(kAlignment, rounded_size(bytes));
  if (!p) throw std::bad_alloc();
  return p;
}

void release(void* ptr, size_t) { std::free(ptr); }

void memset_zero(void* ptr, size_t bytes) { std::memset(ptr, 0, bytes); }

void copy_bytes(void* dst, const void* src, size_t bytes) {
  if (bytes) std::memcpy(dst, src, bytes);
}

void copy(Tensor& out, const Tensor& src) {
  dispatch_any(out.dtype(), [&](auto dst_tag) {
    using D = decltype(dst_tag);
    dispatch_any(src.dtype(), [&](auto src_tag) {
      using S = decltype(src_tag);
      D* o = out.data<D>();
      const S* in = src.data<S>();
      for_each_element<2>({out.shape(), {0, 0}, {out.strides(), src.strides()}},
                          [&](const auto& off) { o[off[0]] = static_cast<D>(in[off[1]]); });
    });
  });
}

void fill(Tensor& out, double value) {
  dispatch_any(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();
    const T v = static_cast<T>(value);
    for_each_element<1>({out.shape(), {0}, {out.strides()}}, [&](const auto& off) { o[off[0]] = v; });
  });
}

}  // namespace pldr::cpu
