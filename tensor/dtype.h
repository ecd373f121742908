// Element types a tensor can hold, and the one place that maps a dtype to a C++ type.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace pldr {

enum class DType { Float32, Float64, Int32 };

inline size_t dtype_size(DType dt) {
  switch (dt) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int32: return 4;
  }
  throw std::logic_error("dtype_size: bad dtype");
}
inline bool is_floating(DType dt) { return dt != DType::Int32; }

inline const char* dtype_name(DType dt) {
  switch (dt) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
  }
  return "?";
}

DType dtype_from_name(const std::string& name);  // "float32" | "float64" | "int32"

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::Int32; }

// Calls f(T{}) with T the C++ type of a floating dtype; kernels are templates over T.
template <class F> decltype(auto) dispatch_floating(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    default: throw std::invalid_argument(std::string(op) + ": needs a floating dtype, got " + dtype_name(dt));
  }
}

// Same, for every dtype.
template <class F> decltype(auto) dispatch_any(DType dt, F&& f) {
  switch (dt) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int32: return f(int32_t{});
  }
  throw std::logic_error("bad dtype");
}

}  // namespace pldr
