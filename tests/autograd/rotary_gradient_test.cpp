// The rotary embedding's backward (nn/, built on tensor/ rotary) through the same
// finite-difference harness; built only when pldr_nn is.
#include <gtest/gtest.h>

#include "gradcheck.h"
#include "nn/rotary_embedding.h"

namespace pldr {
namespace {

using testing::GradCase;
using testing::random_tensor;
using V = std::vector<ag::Variable>;

class RotaryGradient : public ::testing::TestWithParam<GradCase> {};

TEST_P(RotaryGradient, MatchesCentralDifferences) { testing::check_gradients(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    autograd_rotary, RotaryGradient,
    ::testing::Values(GradCase{"interleaved",
                               {random_tensor({1, 3, 2, 4}, 51)},
                               [](const V& v) {
                                 return nn::RotaryEmbedding(4, 10000, 16, RotaryPairing::Interleaved).forward(v[0], 2);
                               }},
                      GradCase{"rotate_half",
                               {random_tensor({1, 3, 2, 4}, 52)},
                               [](const V& v) {
                                 return nn::RotaryEmbedding(4, 10000, 16, RotaryPairing::RotateHalf).forward(v[0], 5);
                               }},
                      GradCase{"rotate_half of a permuted leaf",
                               {random_tensor({1, 2, 3, 4}, 53).permute({0, 2, 1, 3})},
                               [](const V& v) {
                                 return nn::RotaryEmbedding(4, 10000, 16, RotaryPairing::RotateHalf).forward(v[0], 1);
                               }}),
    [](const auto& info) { return testing::test_name(info.param.name); });

}  // namespace
}  // namespace pldr
