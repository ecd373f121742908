// The ops that replaced host loops above tensor/ (AdamW update, global norm and clipping
// coefficient, attention mask, prediction counts) and the device plumbing of tensors.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor_testing.h"

namespace pldr::ops {
namespace {

using testing::error_message;
using testing::values;

class DeviceOps : public ::testing::TestWithParam<DType> {
 protected:
  DType dt() const { return GetParam(); }
};

// The update written out element by element, each scalar rounded to T as the kernel documents.
template <class T> void reference_adamw(std::vector<T>& w, std::vector<T>& m, std::vector<T>& v,
                                        const std::vector<T>& g, const AdamWStep& s) {
  const T decay = T(s.decay), b1 = T(s.beta1), b2 = T(s.beta2), eps = T(s.eps), bias2 = T(s.bias2_sqrt),
          size = T(s.step_size);
  for (size_t j = 0; j < w.size(); ++j) {
    w[j] *= decay;
    m[j] = m[j] * b1 + g[j] * (T(1) - b1);
    v[j] = v[j] * b2 + g[j] * g[j] * (T(1) - b2);
    w[j] -= size * m[j] / (std::sqrt(v[j]) / bias2 + eps);
  }
}

template <class T> void check_adamw(DType dt) {
  Generator gen(5);
  Tensor w = gen.uniform({4, 5}, -1, 1, dt), m = gen.uniform({4, 5}, -0.1, 0.1, dt),
         v = gen.uniform({4, 5}, 0, 0.1, dt);
  const Tensor g = gen.uniform({5, 4}, -1, 1, dt).transpose(0, 1);  // a strided gradient
  std::vector<T> rw = w.to_vector<T>(), rm = m.to_vector<T>(), rv = v.to_vector<T>();
  const AdamWStep step{.decay = 1 - 1e-3 * 0.1,
                       .beta1 = 0.9,
                       .beta2 = 0.95,
                       .eps = 1e-5,
                       .step_size = 1e-3 / 0.19,
                       .bias2_sqrt = std::sqrt(1 - 0.95 * 0.95)};
  for (int k = 0; k < 3; ++k) {
    adamw_update(w, m, v, g, step);
    reference_adamw(rw, rm, rv, g.to_vector<T>(), step);
  }
  EXPECT_EQ(w.to_vector<T>(), rw);  // bit for bit
  EXPECT_EQ(m.to_vector<T>(), rm);
  EXPECT_EQ(v.to_vector<T>(), rv);
}

TEST_P(DeviceOps, AdamWUpdateIsTheDocumentedFormulaBitForBit) {
  if (dt() == DType::Float32) check_adamw<float>(dt());
  else check_adamw<double>(dt());
}

TEST(DeviceOps, AdamWRejectsMismatchedTensors) {
  Tensor w = zeros({3}), m = zeros({3}), v = zeros({2});
  const AdamWStep step{1, 0.9, 0.95, 1e-5, 1, 1};
  EXPECT_THROW(adamw_update(w, m, v, zeros({3}), step), std::invalid_argument);
  v = zeros({3});
  EXPECT_THROW(adamw_update(w, m, v, zeros({4}), step), std::invalid_argument);
  Tensor wide = zeros({3, 2}), strided = wide.transpose(0, 1);
  Tensor m2 = zeros({2, 3}), v2 = zeros({2, 3});
  EXPECT_THROW(adamw_update(strided, m2, v2, zeros({2, 3}), step), std::invalid_argument);
}

TEST_P(DeviceOps, GlobalNormIsTheSumOfPerTensorSumsOfSquares) {
  Generator gen(9);
  const std::vector<Tensor> xs{gen.normal({3, 4}, 0, 1, dt()), gen.normal({7}, 0, 2, dt()).slice(0, 1, 6),
                               gen.normal({4, 3}, 0, 1, dt()).transpose(0, 1)};
  double total = 0;  // the host loop the op replaced
  for (const Tensor& x : xs) total += sum(mul(x, x)).item();
  const Tensor norm = global_norm(xs);
  EXPECT_EQ(norm.dtype(), DType::Float64);
  EXPECT_EQ(norm.shape(), Shape{});
  EXPECT_EQ(norm.item(), std::sqrt(total));  // bit for bit
  EXPECT_EQ(global_norm({}).item(), 0.0);
}

TEST(DeviceOps, ClipCoefficientScalesOnlyAboveTheBound) {
  EXPECT_EQ(clip_coefficient(scalar(5.0, DType::Float64), 1.0).item(), 1.0 / (5.0 + 1e-6));
  EXPECT_EQ(clip_coefficient(scalar(0.5, DType::Float64), 1.0).item(), 1.0);
  EXPECT_EQ(clip_coefficient(scalar(1.0, DType::Float64), 1.0).item(), 1.0);
  EXPECT_THROW(clip_coefficient(scalar(1.0, DType::Float32), 1.0), std::invalid_argument);
}

TEST_P(DeviceOps, AttentionMaskHidesFutureAndPaddedKeys) {
  // Two queries at the last two of four keys; key 1 of row 0 and key 0 of row 1 are padding (id 0).
  const Tensor ids = from_vector(std::vector<int32_t>{5, 0, 7, 8, 0, 3, 4, 6}, {2, 4});
  const Tensor mask = attention_mask(ids, 2, dt(), 0);
  ASSERT_EQ(mask.shape(), (Shape{2, 1, 2, 4}));
  EXPECT_EQ(mask.dtype(), dt());
  const double h = dt() == DType::Float32 ? double(float(-1e9)) : -1e9;
  const std::vector<double> expected{0, h, 0, h,  // query at key 2 of row 0: key 3 is its future
                                     0, h, 0, 0,  // query at key 3 sees everything but padding
                                     h, 0, 0, h,  //
                                     h, 0, 0, 0};
  EXPECT_EQ(values(mask), expected);
  EXPECT_THROW(attention_mask(ids, 5, dt(), 0), std::invalid_argument);
  EXPECT_THROW(attention_mask(ids.to(DType::Float32), 2, dt(), 0), std::invalid_argument);
}

TEST_P(DeviceOps, CountCorrectCountsArgmaxHitsOverNonIgnoredTargets) {
  const Tensor logits =
      from_vector(std::vector<double>{0, 3, 1, /**/ 2, 2, 0, /**/ 5, 0, 1, /**/ 0, 0, 9}, {4, 3}, dt());
  // Row 1 ties at 0 and 1: the first maximum (0) is the prediction. Row 3 is ignored (target 0).
  const Tensor targets = from_vector(std::vector<int32_t>{1, 1, 2, 0}, {4});
  EXPECT_EQ(values(count_correct(logits, targets, 0)), (std::vector<double>{1, 3}));
  EXPECT_EQ(values(count_correct(logits.view({2, 2, 3}), targets.view({2, 2}), -1)), (std::vector<double>{1, 4}));
  EXPECT_THROW(count_correct(logits, targets.to(DType::Float32), 0), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(BothDtypes, DeviceOps, ::testing::Values(DType::Float32, DType::Float64));

TEST(DevicePlumbing, ToTheSameDeviceSharesAndToVectorReadsThroughTheHost) {
  const Tensor t = arange(0, 6, DType::Float32).view({2, 3});
  const Tensor same = t.to(Device::CPU);
  EXPECT_TRUE(same.shares_storage(t));
  const Tensor r = Generator(3).normal({2, 2}, 0, 1, DType::Float64, Device::CPU);
  EXPECT_EQ(r.device(), Device::CPU);
  EXPECT_EQ(values(r), values(Generator(3).normal({2, 2}, 0, 1, DType::Float64)));
  EXPECT_EQ(full({2}, 4.0, DType::Int32, Device::CPU).to_vector<int32_t>(), (std::vector<int32_t>{4, 4}));
  EXPECT_EQ(eye(2, DType::Float64, Device::CPU).to_vector<double>(), (std::vector<double>{1, 0, 0, 1}));
}

// rotary reads cos/sin, and embedding / embedding_back read the ids, through the backend of the
// other argument, so they must share its device; on one device the calls work as before.
TEST(DevicePlumbing, RotaryAndEmbeddingWorkWithTablesAndIdsOnTheSameDevice) {
  Generator gen(4);
  const Tensor x = gen.uniform({1, 3, 2, 4}, -1, 1, DType::Float32);
  const Tensor c = gen.uniform({3, 2}, -1, 1, DType::Float32), s = gen.uniform({3, 2}, -1, 1, DType::Float32);
  EXPECT_EQ(rotary(x, c, s, RotaryPairing::Interleaved, false).shape(), x.shape());
  const Tensor w = gen.uniform({5, 3}, -1, 1, DType::Float32);
  const Tensor ids = from_vector(std::vector<int32_t>{4, 0, 4}, {3});
  EXPECT_EQ(embedding(w, ids).shape(), (Shape{3, 3}));
  EXPECT_EQ(embedding_back(embedding(w, ids), ids, 5).shape(), w.shape());
}

// The mismatch needs a tensor on the GPU, so this runs only where a CUDA backend is usable.
TEST(DevicePlumbing, RotaryAndEmbeddingNameBothDevicesWhenTheyDiffer) {
  if (!backend_available(Device::CUDA)) GTEST_SKIP() << "no usable CUDA backend: no tensor on a second device";
  Generator gen(4);
  const Tensor x = gen.uniform({1, 3, 2, 4}, -1, 1, DType::Float32);
  const Tensor c = gen.uniform({3, 2}, -1, 1, DType::Float32), s = gen.uniform({3, 2}, -1, 1, DType::Float32);
  EXPECT_EQ(error_message([&] { rotary(x.to(Device::CUDA), c, s, RotaryPairing::Interleaved, false); }),
            "rotary: cos on cpu, x on cuda");
  EXPECT_EQ(error_message([&] { rotary(x, c, s.to(Device::CUDA), RotaryPairing::Interleaved, false); }),
            "rotary: sin on cuda, x on cpu");
  const Tensor w = gen.uniform({5, 3}, -1, 1, DType::Float32);
  const Tensor ids = from_vector(std::vector<int32_t>{4, 0, 4}, {3});
  EXPECT_EQ(error_message([&] { embedding(w.to(Device::CUDA), ids); }), "embedding: ids on cpu, weight on cuda");
  EXPECT_EQ(error_message([&] { embedding(w, ids.to(Device::CUDA)); }), "embedding: ids on cuda, weight on cpu");
  const Tensor g = gen.uniform({3, 3}, -1, 1, DType::Float32);
  EXPECT_EQ(error_message([&] { embedding_back(g.to(Device::CUDA), ids, 5); }),
            "embedding_back: ids on cpu, g on cuda");
}

TEST(DevicePlumbing, DtypeSizes) {
  EXPECT_EQ(dtype_size(DType::Float32), 4u);
  EXPECT_EQ(dtype_size(DType::Float64), 8u);
  EXPECT_EQ(dtype_size(DType::Int32), 4u);
}

}  // namespace
}  // namespace pldr::ops
