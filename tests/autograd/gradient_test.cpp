// Every differentiable op against finite differences (tests/autograd/gradcheck.h), including
// broadcasting and non-contiguous (permuted, sliced, transposed) inputs.
#include <gtest/gtest.h>

#include "nn/rotary_embedding.h"
#include "tests/autograd/gradcheck.h"

namespace pldr {
namespace {

using testing::GradCase;
using testing::random_tensor;
using V = std::vector<ag::Variable>;

Tensor positive(const Shape& s, uint64_t seed) { return random_tensor(s, seed, 0.5, 2.0); }

std::vector<GradCase> cases() {
  const Tensor a = random_tensor({2, 3}, 1), b = random_tensor({2, 3}, 2);
  const Tensor col = random_tensor({3, 1}, 3), row = random_tensor({1, 4}, 4);
  return {
      {"add", {a, b}, [](const V& v) { return ag::add(v[0], v[1]); }},
      {"add broadcast [3,1]+[1,4]", {col, row}, [](const V& v) { return ag::add(v[0], v[1]); }},
      {"sub broadcast", {row, col}, [](const V& v) { return ag::sub(v[0], v[1]); }},
      {"mul broadcast scalar shape", {a, random_tensor({}, 5)}, [](const V& v) { return ag::mul(v[0], v[1]); }},
      {"div", {a, positive({2, 3}, 6)}, [](const V& v) { return ag::div(v[0], v[1]); }},
      {"div broadcast", {col, positive({1, 4}, 7)}, [](const V& v) { return ag::div(v[0], v[1]); }},
      {"pow base and exponent", {positive({2, 3}, 8), random_tensor({2, 3}, 9)}, [](const V& v) { return ag::pow(v[0], v[1]); }},
      {"pow exponent [H,d,d] broadcast over [B,H,d,d]", {positive({2, 2, 3, 3}, 10), random_tensor({2, 3, 3}, 11)},
       [](const V& v) { return ag::pow(v[0], v[1]); }},
      {"add_scalar", {a}, [](const V& v) { return ag::add_scalar(v[0], 0.7); }},
      {"mul_scalar", {a}, [](const V& v) { return ag::mul_scalar(v[0], -1.3); }},
      {"neg", {a}, [](const V& v) { return ag::neg(v[0]); }},
      {"abs", {random_tensor({2, 3}, 12, 0.1, 1.0)}, [](const V& v) { return ag::abs(ag::neg(v[0])); }},
      {"exp", {a}, [](const V& v) { return ag::exp(v[0]); }},
      {"log", {positive({2, 3}, 13)}, [](const V& v) { return ag::log(v[0]); }},
      {"sqrt", {positive({2, 3}, 14)}, [](const V& v) { return ag::sqrt(v[0]); }},
      {"sigmoid", {a}, [](const V& v) { return ag::sigmoid(v[0]); }},
      {"silu", {random_tensor({2, 3}, 15, -4, 4)}, [](const V& v) { return ag::silu(v[0]); }},
      {"sum all", {a}, [](const V& v) { return ag::sum(v[0]); }},
      {"sum axis keepdim", {random_tensor({2, 3, 4}, 16)}, [](const V& v) { return ag::sum(v[0], {1}, true); }},
      {"mean axes", {random_tensor({2, 3, 4}, 17)}, [](const V& v) { return ag::mean(v[0], {0, 2}); }},
      {"max axis", {random_tensor({3, 5}, 18)}, [](const V& v) { return ag::max(v[0], {1}); }},
      {"max all keepdim", {random_tensor({3, 5}, 19)}, [](const V& v) { return ag::max(v[0], {}, true); }},
      {"matmul 2-D", {random_tensor({3, 4}, 20), random_tensor({4, 2}, 21)}, [](const V& v) { return ag::matmul(v[0], v[1]); }},
      {"matmul batched", {random_tensor({2, 3, 4}, 22), random_tensor({2, 4, 5}, 23)}, [](const V& v) { return ag::matmul(v[0], v[1]); }},
      {"matmul broadcast batch", {random_tensor({3, 4}, 24), random_tensor({2, 4, 2}, 25)}, [](const V& v) { return ag::matmul(v[0], v[1]); }},
      {"matmul [B,S,K] x weight [K,N]", {random_tensor({2, 3, 4}, 26), random_tensor({4, 5}, 27)},
       [](const V& v) { return ag::matmul(v[0], v[1]); }},
      {"matmul transposed view", {random_tensor({4, 3}, 28), random_tensor({5, 4}, 29)},
       [](const V& v) { return ag::matmul(ag::transpose(v[0], 0, 1), ag::transpose(v[1], 0, 1)); }},
      {"trace", {random_tensor({2, 3, 3}, 30)}, [](const V& v) { return ag::trace(v[0]); }},
      {"expm small norm", {random_tensor({2, 3, 3}, 31, -0.5, 0.5)}, [](const V& v) { return ag::expm(v[0]); }},
      {"expm norm > 5.4 (scaling and squaring)", {random_tensor({3, 3}, 32, -3, 3)}, [](const V& v) { return ag::expm(v[0]); },
       1e-5},
      {"log_trace_expm", {random_tensor({2, 4, 4}, 33, -2, 2)}, [](const V& v) { return ag::log_trace_expm(v[0]); }},
      {"reshape", {a}, [](const V& v) { return ag::reshape(v[0], {3, 2}); }},
      {"permute", {random_tensor({2, 3, 4}, 34)}, [](const V& v) { return ag::permute(v[0], {2, 0, 1}); }},
      {"transpose then exp (non-contiguous input)", {random_tensor({3, 4}, 35)},
       [](const V& v) { return ag::exp(ag::transpose(v[0], 0, 1)); }},
      {"slice", {random_tensor({4, 5}, 36)}, [](const V& v) { return ag::slice(v[0], 1, 1, 4); }},
      {"sliced view into softmax", {random_tensor({4, 6}, 37)}, [](const V& v) { return ag::softmax(ag::slice(v[0], 1, 2, 6)); }},
      {"expand", {random_tensor({3, 1}, 38)}, [](const V& v) { return ag::expand(v[0], {2, 3, 4}); }},
      {"concat", {a, random_tensor({2, 2}, 39)}, [](const V& v) { return ag::concat({v[0], v[1]}, 1); }},
      {"split", {random_tensor({5, 3}, 40)}, [](const V& v) {
         const auto parts = ag::split(v[0], 0, {2, 3});
         return ag::add(ag::sum(ag::mul(parts[0], parts[0]), {0}), ag::sum(parts[1], {0}));
       }},
      {"softmax", {random_tensor({3, 5}, 41)}, [](const V& v) { return ag::softmax(v[0]); }},
      {"log_softmax", {random_tensor({3, 5}, 42)}, [](const V& v) { return ag::log_softmax(v[0]); }},
      {"layer_norm x, gamma, beta", {random_tensor({2, 3, 6}, 43), random_tensor({6}, 44), random_tensor({6}, 45)},
       [](const V& v) { return ag::layer_norm(v[0], v[1], v[2], 1e-6); }},
      {"layer_norm of a permuted view", {random_tensor({6, 4}, 46), random_tensor({6}, 47), random_tensor({6}, 48)},
       [](const V& v) { return ag::layer_norm(ag::transpose(v[0], 0, 1), v[1], v[2], 1e-5); }},
      {"embedding with repeated ids", {random_tensor({5, 3}, 49)},
       [](const V& v) { return ag::embedding(v[0], from_vector(std::vector<int32_t>{1, 3, 1, 4, 1, 0}, {2, 3})); }},
      {"cross_entropy with ignored targets", {random_tensor({2, 3, 5}, 50, -2, 2)},
       [](const V& v) { return ag::cross_entropy(v[0], from_vector(std::vector<int32_t>{1, 0, 4, 2, 0, 3}, {2, 3}), 0); }},
      {"rotary interleaved", {random_tensor({1, 3, 2, 4}, 51)},
       [](const V& v) { return nn::RotaryEmbedding(4, 10000, 16, RotaryPairing::Interleaved).forward(v[0], 2); }},
      {"rotary rotate-half", {random_tensor({1, 3, 2, 4}, 52)},
       [](const V& v) { return nn::RotaryEmbedding(4, 10000, 16, RotaryPairing::RotateHalf).forward(v[0], 5); }},
  };
}

class GradientCheck : public ::testing::TestWithParam<GradCase> {};

TEST_P(GradientCheck, MatchesFiniteDifferences) { testing::check_gradients(GetParam()); }

INSTANTIATE_TEST_SUITE_P(EveryOp, GradientCheck, ::testing::ValuesIn(cases()), [](const auto& info) {
  std::string name = info.param.name;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
});

}  // namespace
}  // namespace pldr
