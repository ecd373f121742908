// Element types a tensor can hold, and the one place that maps a dtype to a C++ type.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "tensor/bfloat16.h"

namespace pldr {

enum class DType { Float32, Float64, Int32, BFloat16 };

inline size_t dtype_size(DType dt) {
  switch (dt) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int32: return 4;
    case DType::BFloat16: return 2;
  }
  throw std::logic_error("dtype_size: bad dtype");
}
inline bool is_floating(DType dt) { return dt != DType::Int32; }

inline const char* dtype_name(DType dt) {
  switch (dt) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
    case DType::BFloat16: return "bfloat16";
  }
  return "?";
}

DType dtype_from_name(const std::string& name);  // "float32" | "float64" | "int32" | "bfloat16" (or "bf16")

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <> constexpr DType dtype_of<BFloat16>() { return DType::BFloat16; }

// The type a kernel computes and accumulates in for storage type T: float for bfloat16 (every sum,
// normalisation, softmax and loss over bfloat16 data runs in float32), T itself otherwise.
template <class T> struct accumulate_type { using type = T; };
template <> struct accumulate_type<BFloat16> { using type = float; };
template <class T> using accumulate_t = typename accumulate_type<T>::type;

// The dtype kernels without a bfloat16 path of their own compute in (tensor/cpu/via_float.h).
inline DType accumulate_dtype(DType dt) { return dt == DType::BFloat16 ? DType::Float32 : dt; }

// Calls f(T{}) with T the C++ type of a float32 or float64 dtype; kernels are templates over T.
// bfloat16 data reaches these kernels widened to float32 (tensor/cpu/via_float.h).
template <class F> decltype(auto) dispatch_floating(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    default: throw std::invalid_argument(std::string(op) + ": needs float32 or float64, got " + dtype_name(dt));
  }
}

// Same, bfloat16 included, for kernels that read and write bfloat16 themselves (computing in
// accumulate_t<T>).
template <class F> decltype(auto) dispatch_storage_floating(DType dt, const char* op, F&& f) {
  if (dt == DType::BFloat16) return f(BFloat16{});
  return dispatch_floating(dt, op, std::forward<F>(f));
}

// Same, for every dtype.
template <class F> decltype(auto) dispatch_any(DType dt, F&& f) {
  switch (dt) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int32: return f(int32_t{});
    case DType::BFloat16: return f(BFloat16{});
  }
  throw std::logic_error("bad dtype");
}

}  // namespace pldr
