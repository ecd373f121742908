// The backend seam: one small table of function pointers per device, in the spirit of
// ggml-backend's interface (not a virtual class). tensor/ops.cpp checks an op's arguments,
// allocates its outputs and makes one call through backend(device); Storage asks the same table
// for memory. Shapes and layouts follow tensor/cpu/kernels.h, whose free functions fill the CPU table.
//
// How a backend registers itself: it defines one function returning its table, and backend()
// below returns it for its device.
//   - tensor/cpu/backend.cpp defines cpu_backend(); it is always built.
//   - tensor/cuda/ defines cuda_backend() (namespace pldr), compiled only when the build defines
//     PLDR_CUDA. It throws std::runtime_error("no CUDA device ...") when the machine has no
//     usable GPU. In a build without PLDR_CUDA, backend(Device::CUDA) throws
//     "this build has no CUDA backend".
// A kernel pointer may be null only when supports() says no for every dtype of that op.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/op_types.h"

namespace pldr {

// Every kernel of the table, for supports() and error messages.
enum class Op {
  Copy, Fill,
  Binary, Unary, Reduce, Argmax,
  Matmul, Expm, ExpmFrechet, LogTraceExpm,
  Softmax, SoftmaxBack, LayerNorm, LayerNormBack,
  Embedding, EmbeddingBack, CrossEntropy, CrossEntropyBack, CountCorrect,
  Rotary, AttentionMask,
  AdamW, SumOfSquares, ClipCoefficient,
};
const char* op_name(Op op);

struct Backend {
  const char* name;  // "cpu", "cuda"
  Device device;
  // Whether the op runs for `dtype` (the floating operand's dtype; ids and targets are int32).
  bool (*supports)(Op op, DType dtype);

  // ---- memory: raw bytes on this device ----
  void* (*allocate)(size_t bytes);            // never null: throws std::bad_alloc
  void (*release)(void* ptr, size_t bytes);   // bytes as passed to allocate
  void (*memset_zero)(void* ptr, size_t bytes);
  void (*copy_to_host)(void* host_dst, const void* src, size_t bytes);
  void (*copy_from_host)(void* dst, const void* host_src, size_t bytes);

  // ---- kernels: outputs first; tensor/cpu/kernels.h documents each layout ----
  void (*copy)(Tensor& out, const Tensor& src);  // strided views of one shape, converting dtype
  void (*fill)(Tensor& out, double value);       // out may be any strided view
  void (*binary)(BinaryOp op, Tensor& out, const Tensor& a, const Tensor& b);
  void (*unary)(UnaryOp op, Tensor& out, const Tensor& x, double p0, double p1);
  void (*reduce_rows)(ReduceOp op, Tensor& out, const Tensor& x, int64_t inner);
  void (*reduce_columns)(ReduceOp op, Tensor& out, const Tensor& x, int64_t rows);
  void (*argmax_rows)(Tensor& out, const Tensor& x, int64_t inner);
  void (*matmul)(Tensor& out, const Tensor& a, const Tensor& b);
  void (*expm)(Tensor& out, const Tensor& x);
  void (*expm_frechet)(Tensor& out, const Tensor& a, const Tensor& e);
  void (*log_trace_expm)(Tensor& out, Tensor* grad, const Tensor& x);
  void (*softmax_rows)(Tensor& out, const Tensor& x, bool log);
  void (*softmax_back_rows)(Tensor& out, const Tensor& y, const Tensor& g, bool log);
  void (*layer_norm)(LayerNormResult& r, const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps);
  void (*layer_norm_back)(LayerNormGrads& r, const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                          const Tensor& gamma);
  void (*embedding)(Tensor& out, const Tensor& weight, const Tensor& ids);
  void (*embedding_back)(Tensor& out, const Tensor& g, const Tensor& ids);
  void (*cross_entropy_mean)(Tensor& loss, Tensor& counted, const Tensor& logits, const Tensor& targets, int ignore_id);
  void (*cross_entropy_mean_back)(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id,
                                  const Tensor& g, const Tensor& counted);
  void (*count_correct)(Tensor& out, const Tensor& logits, const Tensor& targets, int ignore_id);
  void (*rotary)(Tensor& out, const Tensor& x, const Tensor& cos, const Tensor& sin, RotaryPairing pairing, bool inverse);
  void (*attention_mask)(Tensor& out, const Tensor& key_ids, int pad_id);
  void (*adamw_update)(Tensor& param, Tensor& m, Tensor& v, const Tensor& grad, const AdamWStep& step);
  void (*sum_of_squares)(Tensor& out, const std::vector<Tensor>& xs);
  void (*clip_coefficient)(Tensor& out, const Tensor& norm, double max_norm);
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

// The tables themselves; see "How a backend registers itself" above.
const Backend& cpu_backend();
#ifdef PLDR_CUDA
const Backend& cuda_backend();
#endif

}  // namespace pldr
