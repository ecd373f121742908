// Small helpers shared by the tensor tests: reading elements straight through the strides, and
// comparing value lists with a relative tolerance.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <ostream>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace pldr {
// GoogleTest prints dtype parameters by name (found by argument-dependent lookup).
inline void PrintTo(DType dt, std::ostream* os) { *os << dtype_name(dt); }
}  // namespace pldr

namespace pldr::testing {

// The element at a multi-index, read from storage through the tensor's own strides and offset
// (independent of contiguous()/to_vector(), so it checks the view arithmetic itself).
inline double at(const Tensor& t, const std::vector<int64_t>& index) {
  EXPECT_EQ(static_cast<int>(index.size()), t.dim());
  int64_t off = 0;
  for (size_t i = 0; i < index.size(); ++i) off += index[i] * t.strides()[i];
  return dispatch_any(t.dtype(), [&](auto tag) -> double {
    using T = decltype(tag);
    return static_cast<double>(t.data<T>()[off]);
  });
}

inline std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

// Row-major multi-index of flat position i in `shape`.
inline std::vector<int64_t> unravel(int64_t i, const Shape& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t a = shape.size(); a-- > 0;) {
    idx[a] = i % shape[a];
    i /= shape[a];
  }
  return idx;
}

// |a - b| <= tol * max(1, |b|) element by element.
inline void expect_close(const std::vector<double>& a, const std::vector<double>& b, double tol,
                         const std::string& what = "") {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], tol * std::max(1.0, std::abs(b[i]))) << what << " element " << i;
}

// The message of the exception f throws ("" when it throws nothing).
template <class F> std::string error_message(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace pldr::testing
