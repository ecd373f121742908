// One table of op cases (in the spirit of ggml's test-backend-ops test_case structs) that drives
// three harnesses in op_cases_test.cpp:
//   1. values: float32 against float64 on the same inputs (results and gradients), and strided
//      views against their dense copies, within a tolerance that grows with magnitude and dtype;
//   2. gradients: float64 finite differences through the tape (tests/autograd/gradcheck.h);
//   3. backends: every backend other than the CPU that supports() the case against the CPU,
//      results and gradients (so its backward kernels too);
//   4. bfloat16: the CPU's bfloat16 results and gradients against the float32 CPU oracle on the
//      same (bfloat16-rounded) inputs, with bfloat16 tolerances; where supports() says no, the
//      op must fail with a message naming the op and the dtype.
// A case states its inputs (shape, layout, value range, or int32 ids) and its op once, on
// Variables: run without the tape it exercises the tensor op itself.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"

namespace pldr::testing {

// How an input tensor is laid out in memory.
enum class Layout {
  Dense,
  Transposed,  // the last two axes of a dense tensor swapped: a column-major view
  Sliced,      // rows 1..n of a dense tensor one row longer at each end along axis 0
};

struct InputSpec {
  Shape shape;
  Layout layout = Layout::Dense;
  double low = -1, high = 1;  // uniform values; for ids, int32 in [low, high)
  bool ids = false;           // an int32 tensor (embedding ids, targets): no gradient
};

using CaseFn = std::function<ag::Variable(const std::vector<ag::Variable>& floats, const std::vector<Tensor>& ids)>;

struct OpCase {
  std::string name;
  Op op;  // the op it is about, for supports() (it may dispatch others: a backward, a copy)
  std::vector<InputSpec> inputs;
  CaseFn fn;
  bool differentiable = true;
  double tolerance_scale = 1;  // for ops whose float32 rounding error grows (matmul sums, expm)
};

inline void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

// llm.c dev/cuda/common.h validate_result: |a - b| <= atol + rtol·|b|, with rtol and atol chosen by
// the dtype of the result under test and scaled per case.
struct Tolerance {
  double rtol, atol;
};
// bfloat16 keeps 8 significant bits: one rounding is 2^-9 relative; a case rounds a few times
// (each op of a composition, each backward op), hence 2e-2.
inline Tolerance tolerance(DType dtype, double scale) {
  switch (dtype) {
    case DType::Float64: return {1e-10 * scale, 1e-10 * scale};
    case DType::BFloat16: return {2e-2 * scale, 2e-2 * scale};
    default: return {2e-5 * scale, 2e-5 * scale};
  }
}
inline bool within(double a, double b, Tolerance t) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::abs(a - b) <= t.atol + t.rtol * std::abs(b);
}

// The case's inputs in `dtype` (ids stay int32) on `device`, each in its layout. Values are drawn
// in float64 from a seed per input, so every dtype and device sees the same numbers.
struct CaseInputs {
  std::vector<Tensor> floats, ids;
};
inline CaseInputs make_inputs(const OpCase& c, DType dtype, Device device = Device::CPU) {
  CaseInputs out;
  for (size_t k = 0; k < c.inputs.size(); ++k) {
    const InputSpec& in = c.inputs[k];
    Generator gen(1000 + k);
    if (in.ids) {
      Tensor u = gen.uniform(in.shape, in.low, in.high, DType::Float64);
      std::vector<int32_t> v;
      for (double x : u.to_vector<double>()) v.push_back(static_cast<int32_t>(std::floor(x)));
      out.ids.push_back(from_vector(v, in.shape, DType::Int32, device));
      continue;
    }
    Shape base = in.shape;
    if (in.layout == Layout::Transposed) std::swap(base[base.size() - 1], base[base.size() - 2]);
    if (in.layout == Layout::Sliced) base[0] += 2;
    Tensor t = gen.uniform(base, in.low, in.high, DType::Float64).to(dtype).to(device);
    if (in.layout == Layout::Transposed) t = t.transpose(-1, -2);
    if (in.layout == Layout::Sliced) t = t.slice(0, 1, 1 + in.shape[0]);
    out.floats.push_back(t);
  }
  return out;
}

// The op without the tape: the tensor op's own result.
inline Tensor run_case(const OpCase& c, const CaseInputs& in) {
  ag::NoGradGuard no_grad;
  std::vector<ag::Variable> vars;
  for (const Tensor& t : in.floats) vars.push_back(ag::Variable(t));
  return c.fn(vars, in.ids).value();
}

// Gradients of Σ op(inputs) ∘ W (W fixed, uniform, shaped like the output) for each float input,
// through the tape on the inputs' device: the backward kernels of a backend, compared with the CPU's.
inline std::vector<Tensor> case_gradients(const OpCase& c, const CaseInputs& in) {
  std::vector<ag::Variable> leaves;
  for (const Tensor& t : in.floats) leaves.push_back(ag::Variable(t, true));
  const ag::Variable out = c.fn(leaves, in.ids);
  const Tensor weights = Generator(991).uniform(out.shape(), -1, 1, out.dtype(), out.value().device());
  ag::sum(ag::mul(out, ag::Variable(weights))).backward();
  std::vector<Tensor> grads;
  for (const ag::Variable& leaf : leaves) grads.push_back(leaf.grad());
  return grads;
}

// Rotary position embedding of x [B, S, H, dk] with a fixed float32 table of angles on x's device,
// recorded on the tape with its inverse rotation as the backward (as nn::RotaryEmbedding does).
inline ag::Variable rotary_case(const ag::Variable& x, RotaryPairing pairing) {
  const Shape table{x.shape()[1], x.shape()[3] / 2};
  std::vector<float> cos_values, sin_values;
  for (double angle : Generator(77).uniform(table, -3, 3, DType::Float64).to_vector<double>()) {
    cos_values.push_back(static_cast<float>(std::cos(angle)));
    sin_values.push_back(static_cast<float>(std::sin(angle)));
  }
  const Tensor cos = from_vector(cos_values, table, DType::Float32, x.value().device());
  const Tensor sin = from_vector(sin_values, table, DType::Float32, x.value().device());
  return ag::record(
      ops::rotary(x.value(), cos, sin, pairing, false), "rotary", {x},
      [cos, sin, pairing](const Tensor& g) { return std::vector<Tensor>{ops::rotary(g, cos, sin, pairing, true)}; });
}

// Each row's token of logits [B, V] under `rule`, one fixed uniform per row on the logits'
// device, as the case's dtype (small integers, exact in every dtype).
inline ag::Variable sample_rows_case(const ag::Variable& logits, const SampleRule& rule) {
  const int64_t B = logits.shape()[0];
  const Tensor uniforms = Generator(91).uniform({B}, 0.01, 0.99, DType::Float64, logits.value().device());
  return ag::Variable(ops::sample_rows(logits.value(), uniforms, rule).to(logits.dtype()));
}

// One AdamW update of a parameter from its moments and gradient; returns the parameter.
inline ag::Variable adamw_case(const std::vector<ag::Variable>& v) {
  Tensor param = v[0].value().clone(), m = v[1].value().clone(), second = v[2].value().clone();
  ops::adamw_update(param, m, second, v[3].value(),
                    {.decay = 0.9999, .beta1 = 0.9, .beta2 = 0.95, .eps = 1e-5, .step_size = 0.01, .bias2_sqrt = 0.3});
  return ag::Variable(param);
}

inline std::vector<OpCase> op_cases() {
  using V = std::vector<ag::Variable>;
  using I = std::vector<Tensor>;
  const Layout D = Layout::Dense, Tr = Layout::Transposed, Sl = Layout::Sliced;
  // clang-format off
  std::vector<OpCase> cases = {
      {"add broadcast row", Op::Add, {{{3, 4}}, {{4}}}, [](const V& v, const I&) { return ag::add(v[0], v[1]); }},
      {"sub transposed minus sliced", Op::Sub, {{{3, 4}, Tr}, {{3, 4}, Sl}},
       [](const V& v, const I&) { return ag::sub(v[0], v[1]); }},
      {"mul broadcast column", Op::Mul, {{{2, 3, 4}}, {{3, 1}, Sl}}, [](const V& v, const I&) { return ag::mul(v[0], v[1]); }},
      {"div positive denominators", Op::Div, {{{3, 4}, Tr}, {{3, 4}, D, 0.5, 2}},
       [](const V& v, const I&) { return ag::div(v[0], v[1]); }},
      {"pow positive base", Op::Pow, {{{2, 3}, D, 0.5, 2}, {{2, 3}, Tr}}, [](const V& v, const I&) { return ag::pow(v[0], v[1]); }},
      {"exp transposed", Op::Exp, {{{3, 4}, Tr}}, [](const V& v, const I&) { return ag::exp(v[0]); }},
      {"log positive sliced", Op::Log, {{{3, 4}, Sl, 0.5, 2}}, [](const V& v, const I&) { return ag::log(v[0]); }},
      {"sqrt positive", Op::Sqrt, {{{5}, D, 0.5, 2}}, [](const V& v, const I&) { return ag::sqrt(v[0]); }},
      {"sigmoid", Op::Sigmoid, {{{2, 5}, Tr, -3, 3}}, [](const V& v, const I&) { return ag::sigmoid(v[0]); }},
      {"swiglu broadcast gate", Op::SwiGlu, {{{2, 5}, Sl, -3, 3}, {{3, 2, 5}, Tr}},
       [](const V& v, const I&) { return ag::swiglu(v[0], v[1]); }},
      {"silu", Op::Silu, {{{2, 5}, Sl, -3, 3}}, [](const V& v, const I&) { return ag::silu(v[0]); }},
      {"scalar ops", Op::AddScalar, {{{4, 3}, Tr}},
       [](const V& v, const I&) { return ag::neg(ag::mul_scalar(ag::add_scalar(v[0], 0.25), 1.5)); }},
      // abs's gradient is sign(x): the inputs keep clear of 0, where abs has no derivative.
      {"abs and its sign gradient", Op::Abs, {{{3, 4}, Tr, 0.2, 1.5}}, [](const V& v, const I&) { return ag::abs(ag::neg(v[0])); }},
      {"pow_scalar", Op::PowScalar, {{{3, 4}, Sl, 0.5, 2}},
       [](const V& v, const I&) { return ag::Variable(ops::pow_scalar(v[0].value(), 1.5)); }, false},
      {"clamp", Op::Clamp, {{{3, 4}, Tr}}, [](const V& v, const I&) { return ag::Variable(ops::clamp(v[0].value(), -0.5, 0.25)); }, false},
      {"fill", Op::Fill, {{{2, 3}, Tr}},
       [](const V& v, const I&) {
         Tensor t = v[0].value().clone();
         t.slice(1, 1, 2).fill(0.5);
         return ag::Variable(t);
       },
       false},
      {"argmax_last", Op::Argmax, {{{4, 5}, Tr}}, [](const V& v, const I&) { return ag::Variable(ops::argmax_last(v[0].value()).to(v[0].dtype())); },
       false},
      {"sample_rows reference top-p then top-k", Op::SampleRows, {{{5, 12}, Tr, -3, 3}},
       [](const V& v, const I&) { return sample_rows_case(v[0], SampleRule{false, 0.8, 7, 0.9, false}); }, false},
      {"sample_rows Hugging Face top-k then top-p", Op::SampleRows, {{{5, 12}, Sl, -3, 3}},
       [](const V& v, const I&) { return sample_rows_case(v[0], SampleRule{false, 1.3, 9, 0.6, true}); }, false},
      {"sample_rows greedy", Op::SampleRows, {{{5, 12}, Tr}},
       [](const V& v, const I&) { return sample_rows_case(v[0], SampleRule{true}); }, false},
      {"sum leading axis of transposed", Op::Sum, {{{4, 3}, Tr}}, [](const V& v, const I&) { return ag::sum(v[0], {0}); }},
      {"sum all", Op::Sum, {{{2, 3, 4}, Sl}}, [](const V& v, const I&) { return ag::sum(v[0]); }},
      {"mean last axis keepdim", Op::Sum, {{{2, 3, 4}}}, [](const V& v, const I&) { return ag::mean(v[0], {-1}, true); }},
      {"max middle axis", Op::Max, {{{2, 5, 3}, Tr}}, [](const V& v, const I&) { return ag::max(v[0], {1}); }},
      {"matmul dense", Op::Matmul, {{{3, 4}}, {{4, 5}}}, [](const V& v, const I&) { return ag::matmul(v[0], v[1]); }},
      {"matmul transposed a and b", Op::Matmul, {{{2, 3, 4}, Tr}, {{4, 5}, Tr}},
       [](const V& v, const I&) { return ag::matmul(v[0], v[1]); }},
      {"matmul broadcast batch", Op::Matmul, {{{2, 1, 3, 4}}, {{3, 4, 2}, Sl}},
       [](const V& v, const I&) { return ag::matmul(v[0], v[1]); }},
      // Attention's scores q kᵀ / sqrt(dk): the scale inside the product and its two gradient products.
      {"matmul scaled, b transposed (attention scores)", Op::Matmul, {{{2, 2, 3, 4}}, {{2, 2, 4, 5}, Tr}},
       [](const V& v, const I&) { return ag::matmul(v[0], v[1], 0.125); }},
      {"matmul scaled, weight shared by the batch", Op::Matmul, {{{2, 3, 4}, Sl}, {{4, 5}}},
       [](const V& v, const I&) { return ag::matmul(v[0], v[1], -1.5); }},
      {"softmax sliced", Op::Softmax, {{{3, 5}, Sl, -2, 2}}, [](const V& v, const I&) { return ag::softmax(v[0]); }},
      {"log_softmax transposed", Op::LogSoftmax, {{{4, 5}, Tr, -2, 2}}, [](const V& v, const I&) { return ag::log_softmax(v[0]); }},
      {"layer_norm", Op::LayerNorm, {{{2, 3, 6}}, {{6}, D, 0.5, 1.5}, {{6}}},
       [](const V& v, const I&) { return ag::layer_norm(v[0], v[1], v[2], 1e-5); }},
      {"layer_norm transposed rows", Op::LayerNorm, {{{5, 4}, Tr}, {{4}, Sl, 0.5, 1.5}, {{4}}},
       [](const V& v, const I&) { return ag::layer_norm(v[0], v[1], v[2], 1e-5); }},
      {"embedding", Op::Embedding, {{{6, 3}}, {{2, 4}, D, 0, 6, true}},
       [](const V& v, const I& ids) { return ag::embedding(v[0], ids[0]); }},
      {"cross_entropy with ignored targets", Op::CrossEntropy, {{{7, 5}, Sl, -2, 2}, {{7}, D, 0, 5, true}},
       [](const V& v, const I& ids) { return ag::cross_entropy(v[0], ids[0], 0); }},
      {"expm", Op::Expm, {{{2, 3, 3}, D, -0.5, 0.5}}, [](const V& v, const I&) { return ag::expm(v[0]); }, true, 10},
      {"log_trace_expm transposed", Op::LogTraceExpm, {{{2, 4, 4}, Tr}},
       [](const V& v, const I&) { return ag::log_trace_expm(v[0]); }, true, 10},
      {"trace", Op::Sum, {{{2, 3, 3}, Tr}}, [](const V& v, const I&) { return ag::trace(v[0]); }},
      {"rotary interleaved", Op::Rotary, {{{2, 3, 2, 4}, Sl}},
       [](const V& v, const I&) { return rotary_case(v[0], RotaryPairing::Interleaved); }},
      {"rotary rotate-half", Op::Rotary, {{{1, 3, 2, 6}}}, [](const V& v, const I&) { return rotary_case(v[0], RotaryPairing::RotateHalf); }},
      // Pad id 2 among ids 1..3: every query still sees some key (a fully masked row would put
      // -1e9 into the finite differences).
      {"softmax of masked scores", Op::AttentionMask, {{{2, 1, 3, 5}}, {{2, 5}, D, 1, 4, true}},
       [](const V& v, const I& ids) {
         return ag::softmax(ag::add(v[0], ag::Variable(ops::attention_mask(ids[0], 3, v[0].dtype(), 2))));
       }},
      // The same mask [2, 1, 3, 5] fused into the softmax, broadcast over 2 heads (stride 0).
      {"softmax with the attention mask fused", Op::Softmax, {{{2, 2, 3, 5}, Sl, -2, 2}, {{2, 5}, D, 1, 4, true}},
       [](const V& v, const I& ids) { return ag::softmax(v[0], ops::attention_mask(ids[0], 3, v[0].dtype(), 2)); }},
      {"count_correct", Op::CountCorrect, {{{6, 5}, Tr}, {{6}, D, 0, 5, true}},
       [](const V& v, const I& ids) { return ag::Variable(ops::count_correct(v[0].value(), ids[0], 0)); }, false},
      {"global_norm", Op::SumOfSquares, {{{3, 4}, Tr}, {{5}, Sl}},
       [](const V& v, const I&) { return ag::Variable(ops::global_norm({v[0].value(), v[1].value()})); }, false},
      {"clip_coefficient", Op::ClipCoefficient, {{{}, D, 0, 3}},
       [](const V& v, const I&) { return ag::Variable(ops::clip_coefficient(v[0].value().to(DType::Float64), 1.0).to(v[0].dtype())); },
       false},
      {"adamw_update", Op::AdamW, {{{3, 4}}, {{3, 4}, D, -0.1, 0.1}, {{3, 4}, D, 0, 0.1}, {{3, 4}, Tr}},
       [](const V& v, const I&) { return adamw_case(v); }, false},
      {"concat middle axis", Op::Copy, {{{2, 1, 3}}, {{2, 2, 3}, Sl}}, [](const V& v, const I&) { return ag::concat({v[0], v[1]}, 1); }},
  };
  // clang-format on
  return cases;
}

}  // namespace pldr::testing
