#include "autograd/autocast.h"

#include <stdexcept>

namespace pldr::ag {

namespace {
thread_local Precision current = Precision::Float32;
}

Precision precision_from_name(const std::string& name) {
  if (name == "float32") return Precision::Float32;
  if (name == "bf16-mixed") return Precision::BFloat16Mixed;
  throw std::invalid_argument("unknown precision '" + name + "' (expected float32 or bf16-mixed)");
}

const char* precision_name(Precision p) { return p == Precision::Float32 ? "float32" : "bf16-mixed"; }

Precision autocast_precision() { return current; }

AutocastGuard::AutocastGuard(Precision p) : previous_(current) { current = p; }
AutocastGuard::~AutocastGuard() { current = previous_; }

DType matmul_compute_dtype(DType dtype) {
  return current == Precision::BFloat16Mixed && dtype == DType::Float32 ? DType::BFloat16 : dtype;
}

}  // namespace pldr::ag
