// bfloat16 for the CPU kernels that compute in float32 only: via_float<&kernel>::run takes the
// kernel's own arguments, widens every bfloat16 tensor to accumulate_dtype (float32), runs the
// float32 kernel, and rounds each output back into its bfloat16 tensor once. With no bfloat16
// argument it is the kernel itself. So matmul sums its products in float32 (the operands are
// converted to float32 panels first), and softmax, layer_norm, the reductions and the
// cross-entropy accumulate in float32, as accumulate_t<BFloat16> says.
//
// An argument is treated by its parameter type: Tensor& and Tensor* (non-null) and the tensors of
// LayerNormResult&/LayerNormGrads& are outputs (their current contents are widened too, since
// some kernels add into a zero-filled output), const Tensor& and const std::vector<Tensor>& are
// inputs, anything else passes through.
#pragma once
#include <deque>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensor/op_types.h"

namespace pldr::cpu {

namespace via_float_detail {

inline bool is_bf16(const Tensor& t) { return t.defined() && t.dtype() == DType::BFloat16; }
inline Tensor widen(const Tensor& t) { return is_bf16(t) ? t.to(accumulate_dtype(t.dtype())) : t; }

inline bool has_bf16(const Tensor& t) { return is_bf16(t); }
inline bool has_bf16(Tensor* t) { return t && is_bf16(*t); }
inline bool has_bf16(const std::vector<Tensor>& ts) {
  for (const Tensor& t : ts)
    if (is_bf16(t)) return true;
  return false;
}
inline bool has_bf16(const LayerNormResult& r) { return is_bf16(r.y) || is_bf16(r.mean) || is_bf16(r.rstd); }
inline bool has_bf16(const LayerNormGrads& r) { return is_bf16(r.dx) || is_bf16(r.dgamma) || is_bf16(r.dbeta); }
template <class T> bool has_bf16(const T&) { return false; }

// The float32 stand-ins of the outputs, written back into the originals by finish().
class Outputs {
 public:
  Tensor& stage(Tensor& out) {
    if (!is_bf16(out)) return out;
    staged_.push_back({&out, widen(out)});
    return staged_.back().second;
  }
  void finish() {
    for (auto& [original, wide] : staged_) original->copy_from(wide);
  }

 private:
  std::deque<std::pair<Tensor*, Tensor>> staged_;  // a deque: stage() hands out references that stay valid
};

template <class P, class A> decltype(auto) adapt(A&& arg, Outputs& outs, std::vector<LayerNormResult>& results,
                                                 std::vector<LayerNormGrads>& grads) {
  if constexpr (std::is_same_v<P, Tensor&>) {
    return outs.stage(arg);
  } else if constexpr (std::is_same_v<P, Tensor*>) {
    return arg ? &outs.stage(*arg) : arg;
  } else if constexpr (std::is_same_v<P, const Tensor&>) {
    return widen(arg);
  } else if constexpr (std::is_same_v<P, const std::vector<Tensor>&>) {
    std::vector<Tensor> wide;
    for (const Tensor& t : arg) wide.push_back(widen(t));
    return wide;
  } else if constexpr (std::is_same_v<P, LayerNormResult&>) {
    return static_cast<LayerNormResult&>(
        results.emplace_back(LayerNormResult{outs.stage(arg.y), outs.stage(arg.mean), outs.stage(arg.rstd)}));
  } else if constexpr (std::is_same_v<P, LayerNormGrads&>) {
    return static_cast<LayerNormGrads&>(
        grads.emplace_back(LayerNormGrads{outs.stage(arg.dx), outs.stage(arg.dgamma), outs.stage(arg.dbeta)}));
  } else {
    static_assert(!std::is_reference_v<P> || std::is_const_v<std::remove_reference_t<P>>,
                  "via_float: an output parameter type it does not know");
    return std::forward<A>(arg);
  }
}

}  // namespace via_float_detail

template <auto Kernel> struct via_float;

template <class... Args, void (*Kernel)(Args...)> struct via_float<Kernel> {
  static void run(Args... args) {
    using namespace via_float_detail;
    if (!(has_bf16(args) || ...)) return Kernel(std::forward<Args>(args)...);
    Outputs outs;
    std::vector<LayerNormResult> results;  // reserved: adapt() hands out references into them
    std::vector<LayerNormGrads> grads;
    results.reserve(1), grads.reserve(1);
    Kernel(adapt<Args>(args, outs, results, grads)...);
    outs.finish();
  }
};

}  // namespace pldr::cpu
