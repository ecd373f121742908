// Every op of autograd/ops.h against finite differences (gradcheck.h), in float64, including
// broadcasting, scalar shapes, and non-contiguous inputs: leaves that are transposed or sliced
// views, and views made inside the graph.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>

#include "gradcheck.h"

namespace pldr {
namespace {

using testing::GradCase;
using testing::random_tensor;
using testing::signed_tensor;
using V = std::vector<ag::Variable>;

Tensor rnd(const Shape& s, uint64_t seed) { return random_tensor(s, seed); }
Tensor positive(const Shape& s, uint64_t seed) { return random_tensor(s, seed, 0.5, 2.0); }
Tensor ids(std::vector<int32_t> v, const Shape& s) { return from_vector(v, s); }

std::vector<GradCase> elementwise_cases() {
  const Tensor a = rnd({2, 3}, 1), b = rnd({2, 3}, 2), col = rnd({3, 1}, 3), row = rnd({1, 4}, 4), s = rnd({}, 5);
  const Tensor at = rnd({3, 2}, 6).transpose(0, 1);  // a non-contiguous [2, 3] leaf
  // clang-format off
  return {
      {"add", {a, b}, [](const V& v) { return ag::add(v[0], v[1]); }},
      {"add broadcast [3,1]+[1,4]", {col, row}, [](const V& v) { return ag::add(v[0], v[1]); }},
      {"add scalar shape [] + [2,3]", {s, a}, [](const V& v) { return ag::add(v[0], v[1]); }},
      {"add rank extension [4] + [2,3,4]", {rnd({4}, 7), rnd({2, 3, 4}, 8)}, [](const V& v) { return ag::add(v[0], v[1]); }},
      {"add transposed leaf", {at, b}, [](const V& v) { return ag::add(v[0], v[1]); }},
      {"sub", {a, b}, [](const V& v) { return ag::sub(v[0], v[1]); }},
      {"sub broadcast [1,4]-[3,1]", {row, col}, [](const V& v) { return ag::sub(v[0], v[1]); }},
      {"sub [2,3] - []", {a, s}, [](const V& v) { return ag::sub(v[0], v[1]); }},
      {"mul", {a, b}, [](const V& v) { return ag::mul(v[0], v[1]); }},
      {"mul broadcast [2,1,3]*[4,1]", {rnd({2, 1, 3}, 9), rnd({4, 1}, 10)}, [](const V& v) { return ag::mul(v[0], v[1]); }},
      {"mul by scalar shape", {a, s}, [](const V& v) { return ag::mul(v[0], v[1]); }},
      {"mul transposed leaf by a row", {at, rnd({3}, 11)}, [](const V& v) { return ag::mul(v[0], v[1]); }},
      {"div", {a, positive({2, 3}, 12)}, [](const V& v) { return ag::div(v[0], v[1]); }},
      {"div broadcast [3,1]/[1,4]", {col, positive({1, 4}, 13)}, [](const V& v) { return ag::div(v[0], v[1]); }},
      {"div [] / [2,3]", {s, positive({2, 3}, 14)}, [](const V& v) { return ag::div(v[0], v[1]); }},
      {"pow base and exponent", {positive({2, 3}, 15), rnd({2, 3}, 16)}, [](const V& v) { return ag::pow(v[0], v[1]); }},
      {"pow exponent [H,d,d] broadcast over base [B,H,d,d]", {positive({2, 2, 3, 3}, 17), rnd({2, 3, 3}, 18)},
       [](const V& v) { return ag::pow(v[0], v[1]); }},
      {"pow base [3,1] exponent [1,4]", {positive({3, 1}, 19), rnd({1, 4}, 20)}, [](const V& v) { return ag::pow(v[0], v[1]); }},
      {"pow scalar-shape exponent", {positive({2, 3}, 21), rnd({}, 22)}, [](const V& v) { return ag::pow(v[0], v[1]); }},
      {"add_scalar", {a}, [](const V& v) { return ag::add_scalar(v[0], 0.7); }},
      {"mul_scalar", {a}, [](const V& v) { return ag::mul_scalar(v[0], -1.3); }},
      {"neg", {at}, [](const V& v) { return ag::neg(v[0]); }},
      {"abs (values away from 0)", {signed_tensor({2, 3}, 23, 0.1, 1.0)}, [](const V& v) { return ag::abs(v[0]); }},
      {"exp", {a}, [](const V& v) { return ag::exp(v[0]); }},
      {"exp of a transposed leaf", {at}, [](const V& v) { return ag::exp(v[0]); }},
      {"log", {positive({2, 3}, 24)}, [](const V& v) { return ag::log(v[0]); }},
      {"sqrt", {positive({2, 3}, 25)}, [](const V& v) { return ag::sqrt(v[0]); }},
      {"sigmoid", {random_tensor({2, 3}, 26, -4, 4)}, [](const V& v) { return ag::sigmoid(v[0]); }},
      {"silu", {random_tensor({2, 3}, 27, -4, 4)}, [](const V& v) { return ag::silu(v[0]); }},
  };
  // clang-format on
}

std::vector<GradCase> reduction_cases() {
  const Tensor x = rnd({2, 3, 4}, 30);
  const Tensor xp = rnd({4, 2, 3}, 31).permute({1, 2, 0});  // a non-contiguous [2, 3, 4] leaf
  // clang-format off
  return {
      {"sum all", {x}, [](const V& v) { return ag::sum(v[0]); }},
      {"sum all keepdim", {x}, [](const V& v) { return ag::sum(v[0], {}, true); }},
      {"sum axis 1 keepdim", {x}, [](const V& v) { return ag::sum(v[0], {1}, true); }},
      {"sum axes 0 2", {x}, [](const V& v) { return ag::sum(v[0], {0, 2}); }},
      {"sum axis -1 of a permuted leaf", {xp}, [](const V& v) { return ag::sum(v[0], {-1}); }},
      {"sum leading axes", {x}, [](const V& v) { return ag::sum(v[0], {0, 1}); }},
      {"mean all", {x}, [](const V& v) { return ag::mean(v[0]); }},
      {"mean axes 0 2", {x}, [](const V& v) { return ag::mean(v[0], {0, 2}); }},
      {"mean axis 1 keepdim", {xp}, [](const V& v) { return ag::mean(v[0], {1}, true); }},
      {"max axis 1", {x}, [](const V& v) { return ag::max(v[0], {1}); }},
      {"max axis 0 keepdim", {x}, [](const V& v) { return ag::max(v[0], {0}, true); }},
      {"max axes 0 2 keepdim", {x}, [](const V& v) { return ag::max(v[0], {0, 2}, true); }},
      {"max all", {x}, [](const V& v) { return ag::max(v[0]); }},
      {"max axis -1 of a permuted leaf", {xp}, [](const V& v) { return ag::max(v[0], {-1}); }},
  };
  // clang-format on
}

std::vector<GradCase> linalg_cases() {
  auto mm = [](const V& v) { return ag::matmul(v[0], v[1]); };
  // clang-format off
  return {
      {"matmul 2-D", {rnd({3, 4}, 40), rnd({4, 2}, 41)}, mm},
      {"matmul row x column", {rnd({1, 4}, 42), rnd({4, 1}, 43)}, mm},
      {"matmul batched 3-D", {rnd({2, 3, 4}, 44), rnd({2, 4, 5}, 45)}, mm},
      {"matmul batched 4-D", {rnd({2, 2, 2, 3}, 46), rnd({2, 2, 3, 2}, 47)}, mm},
      {"matmul broadcast batch [3,4] x [2,4,2]", {rnd({3, 4}, 48), rnd({2, 4, 2}, 49)}, mm},
      {"matmul broadcast batch [2,1,2,3] x [3,3,2]", {rnd({2, 1, 2, 3}, 50), rnd({3, 3, 2}, 51)}, mm},
      {"matmul [B,S,K] x weight [K,N]", {rnd({2, 3, 4}, 52), rnd({4, 5}, 53)}, mm},
      {"matmul [B,H,S,K] x weight [K,N]", {rnd({2, 2, 2, 3}, 54), rnd({3, 2}, 55)}, mm},
      {"matmul transposed leaves", {rnd({4, 3}, 56).transpose(0, 1), rnd({5, 4}, 57).transpose(0, 1)}, mm},
      {"matmul of views transposed in the graph", {rnd({2, 4, 3}, 58), rnd({2, 5, 4}, 59)},
       [](const V& v) { return ag::matmul(ag::transpose(v[0], -1, -2), ag::transpose(v[1], -1, -2)); }},
      {"matmul scaled, batched", {rnd({2, 3, 4}, 62), rnd({2, 4, 5}, 63)},
       [](const V& v) { return ag::matmul(v[0], v[1], 0.125); }},
      {"matmul scaled, [B,S,K] x weight [K,N]", {rnd({2, 3, 4}, 64), rnd({4, 5}, 65)},
       [](const V& v) { return ag::matmul(v[0], v[1], -2.0); }},
      {"matmul sliced leaf x weight", {rnd({2, 3, 6}, 60).slice(2, 1, 5), rnd({4, 2}, 61)}, mm},
      {"linear [B,S,in] with bias", {rnd({2, 3, 4}, 71), rnd({5, 4}, 72), rnd({5}, 73)},
       [](const V& v) { return ag::linear(v[0], v[1], v[2]); }},
      {"linear 2-D without bias", {rnd({3, 4}, 74), rnd({2, 4}, 75)},
       [](const V& v) { return ag::linear(v[0], v[1], ag::Variable()); }},
      {"linear of a transposed leaf", {rnd({4, 3}, 76).transpose(0, 1), rnd({2, 4}, 77), rnd({2}, 78)},
       [](const V& v) { return ag::linear(v[0], v[1], v[2]); }},
      {"trace", {rnd({3, 3}, 62)}, [](const V& v) { return ag::trace(v[0]); }},
      {"trace batched", {rnd({2, 3, 3}, 63)}, [](const V& v) { return ag::trace(v[0]); }},
      {"trace of a transposed leaf", {rnd({2, 3, 3}, 64).transpose(-1, -2)}, [](const V& v) { return ag::trace(v[0]); }},
      {"expm small norm", {random_tensor({2, 3, 3}, 65, -0.5, 0.5)}, [](const V& v) { return ag::expm(v[0]); }},
      // Entries of magnitude 2..3: every column's 1-norm is at least 6 > θ13 = 5.37.
      {"expm norm above 5.4 (scaling and squaring)", {signed_tensor({3, 3}, 66, 2, 3)}, [](const V& v) { return ag::expm(v[0]); }},
      {"expm batched norm above 5.4", {signed_tensor({2, 4, 4}, 67, 1.5, 2.5)}, [](const V& v) { return ag::expm(v[0]); }},
      {"expm of a transposed leaf", {random_tensor({3, 3}, 68, -1, 1).transpose(0, 1)}, [](const V& v) { return ag::expm(v[0]); }},
      {"log_trace_expm", {random_tensor({2, 4, 4}, 69, -2, 2)}, [](const V& v) { return ag::log_trace_expm(v[0]); }},
      {"log_trace_expm large norm", {signed_tensor({3, 3}, 70, 3, 5)}, [](const V& v) { return ag::log_trace_expm(v[0]); }},
  };
  // clang-format on
}

std::vector<GradCase> shape_cases() {
  const Tensor a = rnd({2, 3}, 80), x = rnd({2, 3, 4}, 81);
  // clang-format off
  return {
      {"reshape", {a}, [](const V& v) { return ag::reshape(v[0], {3, 2}); }},
      {"reshape -1 of a transposed leaf", {rnd({4, 3}, 82).transpose(0, 1)}, [](const V& v) { return ag::reshape(v[0], {-1, 2}); }},
      {"permute", {x}, [](const V& v) { return ag::permute(v[0], {2, 0, 1}); }},
      {"permute negative axes", {x}, [](const V& v) { return ag::permute(v[0], {-1, -3, -2}); }},
      {"transpose", {x}, [](const V& v) { return ag::transpose(v[0], 0, 2); }},
      {"transpose last two", {x}, [](const V& v) { return ag::transpose(v[0], -1, -2); }},
      {"slice", {rnd({4, 5}, 83)}, [](const V& v) { return ag::slice(v[0], 1, 1, 4); }},
      {"slice axis 0 of 3-D", {x}, [](const V& v) { return ag::slice(v[0], 0, 1, 2); }},
      {"slice of a transposed leaf", {rnd({5, 4}, 84).transpose(0, 1)}, [](const V& v) { return ag::slice(v[0], -1, 2, 5); }},
      {"sliced leaf", {rnd({4, 6}, 85).slice(1, 1, 5)}, [](const V& v) { return ag::exp(v[0]); }},
      {"expand [3,1] -> [2,3,4]", {rnd({3, 1}, 86)}, [](const V& v) { return ag::expand(v[0], {2, 3, 4}); }},
      {"expand [4] -> [3,4]", {rnd({4}, 87)}, [](const V& v) { return ag::expand(v[0], {3, 4}); }},
      {"expand [] -> [2,2]", {rnd({}, 88)}, [](const V& v) { return ag::expand(v[0], {2, 2}); }},
      {"concat axis 1", {a, rnd({2, 2}, 89), rnd({2, 1}, 90)}, [](const V& v) { return ag::concat({v[0], v[1], v[2]}, 1); }},
      {"concat axis 0 with a transposed leaf", {a, rnd({3, 2}, 91).transpose(0, 1)}, [](const V& v) { return ag::concat({v[0], v[1]}, 0); }},
      {"concat axis -1 of 3-D", {x, rnd({2, 3, 2}, 92)}, [](const V& v) { return ag::concat({v[0], v[1]}, -1); }},
      {"split", {rnd({2, 4}, 93)}, [](const V& v) {
         const std::vector<ag::Variable> p = ag::split(v[0], 1, {1, 2, 1});
         return ag::concat({ag::exp(p[0]), ag::mul(p[1], p[1]), ag::neg(p[2])}, 1);
       }},
      {"split axis 0 of a permuted leaf", {rnd({3, 5}, 94).transpose(0, 1)}, [](const V& v) {
         const std::vector<ag::Variable> p = ag::split(v[0], 0, {2, 3});
         return ag::add(ag::sum(ag::mul(p[0], p[0]), {0}), ag::sum(p[1], {0}));
       }},
  };
  // clang-format on
}

std::vector<GradCase> nn_cases() {
  // clang-format off
  return {
      {"softmax", {rnd({3, 5}, 100)}, [](const V& v) { return ag::softmax(v[0]); }},
      {"softmax 3-D", {random_tensor({2, 2, 4}, 101, -3, 3)}, [](const V& v) { return ag::softmax(v[0]); }},
      {"softmax of a sliced view", {rnd({4, 6}, 102)}, [](const V& v) { return ag::softmax(ag::slice(v[0], 1, 2, 6)); }},
      {"softmax of a transposed leaf", {rnd({5, 3}, 103).transpose(0, 1)}, [](const V& v) { return ag::softmax(v[0]); }},
      {"log_softmax", {random_tensor({3, 5}, 104, -3, 3)}, [](const V& v) { return ag::log_softmax(v[0]); }},
      {"log_softmax of a transposed leaf", {rnd({5, 3}, 105).transpose(0, 1)}, [](const V& v) { return ag::log_softmax(v[0]); }},
      {"layer_norm x, gamma, beta", {rnd({2, 3, 6}, 106), rnd({6}, 107), rnd({6}, 108)},
       [](const V& v) { return ag::layer_norm(v[0], v[1], v[2], 1e-5); }},
      {"layer_norm of a transposed leaf", {rnd({6, 4}, 109).transpose(0, 1), rnd({6}, 110), rnd({6}, 111)},
       [](const V& v) { return ag::layer_norm(v[0], v[1], v[2], 1e-5); }},
      {"layer_norm of a permuted view", {rnd({6, 4}, 112), rnd({6}, 113), rnd({6}, 114)},
       [](const V& v) { return ag::layer_norm(ag::transpose(v[0], 0, 1), v[1], v[2], 1e-5); }},
      {"embedding with repeated ids", {rnd({5, 3}, 115)},
       [](const V& v) { return ag::embedding(v[0], ids({1, 3, 1, 4, 1, 0}, {2, 3})); }},
      {"embedding of a transposed weight", {rnd({3, 5}, 116).transpose(0, 1)},
       [](const V& v) { return ag::embedding(v[0], ids({4, 4, 2}, {3})); }},
      {"cross_entropy with ignored targets", {random_tensor({2, 3, 5}, 117, -2, 2)},
       [](const V& v) { return ag::cross_entropy(v[0], ids({1, 0, 4, 2, 0, 3}, {2, 3}), 0); }},
      {"cross_entropy nothing ignored", {random_tensor({4, 3}, 118, -2, 2)},
       [](const V& v) { return ag::cross_entropy(v[0], ids({0, 2, 1, 0}, {4}), -1); }},
      {"cross_entropy every target ignored", {rnd({2, 3}, 119)}, [](const V& v) { return ag::cross_entropy(v[0], ids({0, 0}, {2}), 0); }},
      {"cross_entropy of a sliced leaf", {random_tensor({3, 6}, 120, -2, 2).slice(1, 1, 5)},
       [](const V& v) { return ag::cross_entropy(v[0], ids({3, 1, 0}, {3}), 0); }},
  };
  // clang-format on
}

std::vector<GradCase> composite_cases() {
  // clang-format off
  return {
      // One leaf reaching the output along several paths (gradients add up).
      {"x * exp(x) + x", {rnd({2, 3}, 130)}, [](const V& v) { return ag::add(ag::mul(v[0], ag::exp(v[0])), v[0]); }},
      // An attention-shaped chain: softmax(q kᵀ / sqrt(d)) v.
      {"attention", {rnd({2, 3, 4}, 131), rnd({2, 3, 4}, 132), rnd({2, 3, 4}, 133)}, [](const V& v) {
         const ag::Variable scores = ag::mul_scalar(ag::matmul(v[0], ag::transpose(v[1], -1, -2)), 0.5);
         return ag::matmul(ag::softmax(scores), v[2]);
       }},
      // An additive causal mask [1, 1, S, S] (0 on and below the diagonal, -1e9 above, as the
      // model's attention_mask) broadcast over batch and heads before the softmax: masked entries
      // must get zero weight and no gradient must leak through them.
      {"softmax(scores + additive causal mask)", {rnd({2, 3, 4, 4}, 134)}, [](const V& v) {
         Tensor mask = Tensor::empty({1, 1, 4, 4}, DType::Float64);
         for (int i = 0; i < 4; ++i)
           for (int j = 0; j < 4; ++j) mask.data<double>()[i * 4 + j] = j > i ? -1e9 : 0.0;
         return ag::softmax(ag::add(v[0], ag::Variable(mask)));
       }},
      // The fused form the model uses: the scale inside the product, the mask [B, 1, S, S] (a
      // padded key in item 1) inside the softmax, broadcast over 2 heads.
      {"attention, scale in the product and mask in the softmax",
       {rnd({2, 2, 4, 3}, 135), rnd({2, 2, 4, 3}, 136), rnd({2, 2, 4, 3}, 137)}, [](const V& v) {
         Tensor mask = Tensor::empty({2, 1, 4, 4}, DType::Float64);
         for (int b = 0; b < 2; ++b)
           for (int i = 0; i < 4; ++i)
             for (int j = 0; j < 4; ++j) mask.data<double>()[(b * 4 + i) * 4 + j] = j > i || (b == 1 && j == 1 && i > 1) ? -1e9 : 0.0;
         const ag::Variable scores = ag::matmul(v[0], ag::transpose(v[1], -1, -2), 1 / std::sqrt(3.0));
         return ag::matmul(ag::softmax(scores, mask), v[2]);
       }},
  };
  // clang-format on
}

template <class... Lists> std::vector<GradCase> join(Lists... lists) {
  std::vector<GradCase> all;
  (all.insert(all.end(), lists.begin(), lists.end()), ...);
  return all;
}

class GradientCheck : public ::testing::TestWithParam<GradCase> {};

TEST_P(GradientCheck, MatchesCentralDifferences) { testing::check_gradients(GetParam()); }

INSTANTIATE_TEST_SUITE_P(autograd_gradcheck, GradientCheck,
                         ::testing::ValuesIn(join(elementwise_cases(), reduction_cases(), linalg_cases(), shape_cases(),
                                                  nn_cases(), composite_cases())),
                         [](const auto& info) { return testing::test_name(info.param.name); });

// The harness itself must be able to fail: a wrong backward is caught.
TEST(autograd_Gradcheck, CatchesAWrongGradient) {
  // One element, so exactly one mismatch is reported.
  const GradCase wrong{"exp with the gradient of x²/2", {rnd({1}, 140)}, [](const V& v) {
                         const Tensor y = ::pldr::ops::exp(v[0].value());
                         return ag::record(y, "wrong_exp", {v[0]}, [x = v[0].value()](const Tensor& g) {
                           return std::vector<Tensor>{::pldr::ops::mul(g, x)};
                         });
                       }};
  EXPECT_NONFATAL_FAILURE(testing::check_gradients(wrong), "element");
}

}  // namespace
}  // namespace pldr
