// Views share storage (no copy) and read the right elements; contiguous() copies only when it
// must, clone() always does; storage over external memory lives as long as its last tensor; copy_from writes through
// views; dtype conversions; shape errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>

#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor_testing.h"

namespace pldr {
namespace {

using testing::at;
using testing::contains;
using testing::error_message;
using testing::values;

// 0, 1, 2, ... laid out row-major in `s`: element [i, j, k] of a [.., J, K] tensor is i*J*K + j*K + k.
Tensor counting(const Shape& s, DType dt = DType::Float64) { return arange(0, numel(s), dt).view(s); }

// ---- reshape / view ----

TEST(tensor_Reshape, ViewOfDenseDataSharesStorage) {
  const Tensor t = counting({2, 3, 4});
  const Tensor r = t.reshape({4, -1});
  EXPECT_EQ(r.shape(), (Shape{4, 6}));
  EXPECT_TRUE(r.shares_storage(t));
  EXPECT_EQ(r.data<double>(), t.data<double>());
  EXPECT_EQ(at(r, {2, 5}), 17);
  EXPECT_EQ(t.reshape({-1}).shape(), Shape{24});
  EXPECT_EQ(t.reshape({2, -1, 2}).shape(), (Shape{2, 6, 2}));
  EXPECT_EQ(t.view({24, 1}).strides(), (Strides{1, 1}));
  EXPECT_EQ(scalar(3.0).reshape({1, 1}).shape(), (Shape{1, 1}));
  EXPECT_EQ(counting({1}).reshape({}).shape(), Shape{});
}

TEST(tensor_Reshape, NonContiguousInputIsCopiedInLogicalOrder) {
  const Tensor t = counting({2, 3});
  const Tensor tr = t.transpose(0, 1);  // [3, 2]: 0 3 / 1 4 / 2 5
  const Tensor r = tr.reshape({-1});
  EXPECT_FALSE(r.shares_storage(t));
  EXPECT_EQ(values(r), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_THROW(tr.view({6}), std::invalid_argument);  // view never copies
}

TEST(tensor_Reshape, BadShapesThrowNamingBothShapes) {
  const Tensor t = counting({2, 3, 4});
  const std::string bad = error_message([&] { t.reshape({5, 5}); });
  EXPECT_TRUE(contains(bad, "[2,3,4]")) << bad;
  EXPECT_TRUE(contains(bad, "[5,5]")) << bad;
  const std::string indivisible = error_message([&] { t.reshape({5, -1}); });
  EXPECT_TRUE(contains(indivisible, "[2,3,4]")) << indivisible;
  EXPECT_THROW(t.reshape({-1, -1}), std::invalid_argument);
  // Negative sizes other than a single -1 are not sizes, even when their product matches.
  EXPECT_THROW(t.reshape({-2, -12}), std::invalid_argument);
  EXPECT_THROW(t.reshape({-4, 3, -2}), std::invalid_argument);
  // -1 cannot be inferred for an empty tensor when another size is 0.
  EXPECT_THROW(zeros({0, 3}).reshape({-1, 0}), std::invalid_argument);
  EXPECT_EQ(zeros({0, 3}).reshape({-1, 3}).shape(), (Shape{0, 3}));
  const std::string not_dense = error_message([&] { t.transpose(0, 2).view({24}); });
  EXPECT_TRUE(contains(not_dense, "[4,3,2]")) << not_dense;
}

// ---- permute / transpose ----

TEST(tensor_Permute, StridesAndEveryElement) {
  const Tensor t = counting({2, 3, 4});
  const Tensor p = t.permute({2, 0, 1});  // p[k, i, j] = t[i, j, k]
  EXPECT_TRUE(p.shares_storage(t));
  EXPECT_FALSE(p.is_contiguous());
  EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(p.strides(), (Strides{1, 12, 4}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k) ASSERT_EQ(at(p, {k, i, j}), i * 12 + j * 4 + k);
  EXPECT_EQ(t.permute({-1, 0, -2}).shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(values(p.permute({1, 2, 0})), values(t));  // the inverse permutation is the original
  EXPECT_THROW(t.permute({0, 0, 1}), std::invalid_argument);
  EXPECT_THROW(t.permute({0, 1}), std::invalid_argument);
  EXPECT_THROW(t.permute({0, 1, 3}), std::out_of_range);
}

TEST(tensor_Transpose, LastTwoAxes) {
  const Tensor t = counting({2, 3, 4});
  const Tensor tt = t.transpose(-1, -2);
  EXPECT_TRUE(tt.shares_storage(t));
  EXPECT_EQ(tt.shape(), (Shape{2, 4, 3}));
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 3; ++j) ASSERT_EQ(at(tt, {b, i, j}), b * 12 + j * 4 + i);
  EXPECT_EQ(values(counting({2, 3}).transpose(0, 1)), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(t.transpose(1, 1).strides(), t.strides());
}

// ---- slice / select ----

TEST(tensor_Slice, OffsetsAndElements) {
  const Tensor t = counting({4, 5});
  const Tensor cols = t.slice(1, 1, 4);  // [4, 3]
  EXPECT_TRUE(cols.shares_storage(t));
  EXPECT_EQ(cols.shape(), (Shape{4, 3}));
  EXPECT_EQ(cols.offset(), 1);
  EXPECT_FALSE(cols.is_contiguous());
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 3; ++j) ASSERT_EQ(at(cols, {i, j}), i * 5 + j + 1);
  const Tensor rows = t.slice(0, 2, 4);
  EXPECT_EQ(rows.offset(), 10);
  EXPECT_TRUE(rows.is_contiguous());
  EXPECT_EQ(values(rows), (std::vector<double>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}));
  EXPECT_EQ(t.slice(-1, 3, 3).shape(), (Shape{4, 0}));  // empty slice is allowed
  // A slice of a slice of a transposed view.
  const Tensor nested =
      t.transpose(0, 1).slice(0, 1, 4).slice(1, 2, 4);  // rows: columns 1..3 of t; cols: rows 2..3 of t
  EXPECT_EQ(values(nested), (std::vector<double>{11, 16, 12, 17, 13, 18}));
}

TEST(tensor_Slice, OutOfRangeThrowsNamingTheShape) {
  const Tensor t = counting({4, 5});
  const std::string past_end = error_message([&] { t.slice(1, 2, 6); });
  EXPECT_TRUE(contains(past_end, "[4,5]")) << past_end;
  EXPECT_THROW(t.slice(1, 2, 6), std::out_of_range);
  EXPECT_THROW(t.slice(0, -1, 2), std::out_of_range);
  EXPECT_THROW(t.slice(0, 3, 2), std::out_of_range);
  EXPECT_THROW(t.slice(2, 0, 1), std::out_of_range);  // no axis 2
}

TEST(tensor_Select, DropsTheAxis) {
  const Tensor t = counting({2, 3, 4});
  const Tensor s = t.select(1, 2);  // [2, 4]: t[i, 2, k]
  EXPECT_TRUE(s.shares_storage(t));
  EXPECT_EQ(s.shape(), (Shape{2, 4}));
  EXPECT_EQ(values(s), (std::vector<double>{8, 9, 10, 11, 20, 21, 22, 23}));
  EXPECT_EQ(values(t.select(-1, 3)), (std::vector<double>{3, 7, 11, 15, 19, 23}));
  EXPECT_EQ(t.select(0, 1).select(0, 1).select(0, 1).item(), 17);
  EXPECT_THROW(t.select(1, 3), std::out_of_range);
  EXPECT_THROW(t.select(0, -1), std::out_of_range);
}

// ---- expand / unsqueeze / squeeze / diagonal ----

TEST(tensor_Expand, BroadcastsWithZeroStrides) {
  const Tensor c = counting({3, 1});
  const Tensor e = c.expand({2, 3, 4});
  EXPECT_TRUE(e.shares_storage(c));
  EXPECT_EQ(e.strides(), (Strides{0, 1, 0}));
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 4; ++j) ASSERT_EQ(at(e, {b, i, j}), i);
  EXPECT_EQ(values(counting({4}).expand({2, 4})), (std::vector<double>{0, 1, 2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(values(scalar(5.0, DType::Float64).expand({2, 2})), std::vector<double>(4, 5));
  // Materialising the broadcast copies; the copy is independent of the source.
  Tensor dense = e.contiguous();
  EXPECT_FALSE(dense.shares_storage(c));
  dense.fill(9);
  EXPECT_EQ(values(c), (std::vector<double>{0, 1, 2}));
}

TEST(tensor_Expand, IncompatibleShapesThrowNamingBoth) {
  const Tensor t = counting({3, 2});
  const std::string msg = error_message([&] { t.expand({3, 4}); });
  EXPECT_TRUE(contains(msg, "[3,2]")) << msg;
  EXPECT_TRUE(contains(msg, "[3,4]")) << msg;
  EXPECT_THROW(t.expand({3, 4}), std::invalid_argument);
  EXPECT_THROW(t.expand({6}), std::invalid_argument);  // fewer dims
}

TEST(tensor_Unsqueeze, InsertsAndSqueezeRemoves) {
  const Tensor t = counting({2, 3});
  EXPECT_EQ(t.unsqueeze(0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(t.unsqueeze(1).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(t.unsqueeze(-1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(t.unsqueeze(2).shape(), (Shape{2, 3, 1}));
  const Tensor u = t.unsqueeze(1);
  EXPECT_TRUE(u.shares_storage(t));
  EXPECT_TRUE(u.is_contiguous());
  EXPECT_EQ(at(u, {1, 0, 2}), 5);
  EXPECT_EQ(values(u), values(t));
  EXPECT_EQ(u.squeeze(1).shape(), t.shape());
  EXPECT_EQ(u.squeeze(-2).strides(), t.strides());
  EXPECT_EQ(scalar(1.0).unsqueeze(0).shape(), Shape{1});
  const std::string msg = error_message([&] { t.squeeze(0); });
  EXPECT_TRUE(contains(msg, "size 2")) << msg;
  EXPECT_THROW(t.unsqueeze(3), std::out_of_range);
}

TEST(tensor_Diagonal, ReadsAndWritesTheMainDiagonal) {
  const Tensor t = counting({2, 3, 3});
  const Tensor d = t.diagonal();
  EXPECT_TRUE(d.shares_storage(t));
  EXPECT_EQ(d.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(d), (std::vector<double>{0, 4, 8, 9, 13, 17}));
  EXPECT_EQ(values(t.transpose(-1, -2).diagonal()), values(d));  // transposing keeps the diagonal
  Tensor z = zeros({3, 3}, DType::Float64);
  z.diagonal().fill(2);
  EXPECT_EQ(values(z), (std::vector<double>{2, 0, 0, 0, 2, 0, 0, 0, 2}));
  const std::string msg = error_message([&] { counting({2, 3}).diagonal(); });
  EXPECT_TRUE(contains(msg, "[2,3]")) << msg;
  EXPECT_THROW(counting({3}).diagonal(), std::invalid_argument);
}

// ---- writes through views ----

TEST(tensor_Views, WritesThroughAViewReachTheBase) {
  Tensor t = zeros({3, 4}, DType::Float64);
  t.slice(1, 1, 3).fill(1);
  t.transpose(0, 1).select(0, 3).fill(2);  // column 3
  t.select(0, 0).unsqueeze(0).fill(-1);
  EXPECT_EQ(values(t), (std::vector<double>{-1, -1, -1, -1, 0, 1, 1, 2, 0, 1, 1, 2}));
}

// ---- copies ----

TEST(tensor_Contiguous, CopiesOnlyWhenNeeded) {
  const Tensor t = counting({3, 4});
  EXPECT_TRUE(t.contiguous().shares_storage(t));
  EXPECT_TRUE(t.slice(0, 1, 3).contiguous().shares_storage(t));                            // whole rows are dense
  EXPECT_TRUE(t.unsqueeze(0).contiguous().shares_storage(t));                              // size-1 axes do not matter
  EXPECT_TRUE(t.select(1, 2).unsqueeze(1).slice(0, 0, 1).contiguous().shares_storage(t));  // one element
  const Tensor tr = t.transpose(0, 1).contiguous();
  EXPECT_FALSE(tr.shares_storage(t));
  EXPECT_TRUE(tr.is_contiguous());
  EXPECT_EQ(tr.strides(), (Strides{3, 1}));
  EXPECT_EQ(values(tr), (std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  const Tensor cols = t.slice(1, 1, 3).contiguous();
  EXPECT_FALSE(cols.shares_storage(t));
  EXPECT_EQ(cols.offset(), 0);
  EXPECT_EQ(values(cols), (std::vector<double>{1, 2, 5, 6, 9, 10}));
}

TEST(tensor_Clone, AlwaysCopiesAndIsIndependent) {
  Tensor t = counting({2, 3});
  Tensor c = t.clone();
  EXPECT_FALSE(c.shares_storage(t));
  EXPECT_EQ(values(c), values(t));
  c.fill(0);
  EXPECT_EQ(at(t, {1, 2}), 5);
  const Tensor ct = t.transpose(0, 1).clone();
  EXPECT_TRUE(ct.is_contiguous());
  EXPECT_EQ(values(ct), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  t.fill(7);
  EXPECT_EQ(values(ct), (std::vector<double>{0, 3, 1, 4, 2, 5}));
}

TEST(tensor_CopyFrom, WritesIntoANonContiguousView) {
  Tensor t = zeros({3, 4}, DType::Float64);
  // Columns 1..2 through a transposed view, from a dense [2, 3] source.
  t.transpose(0, 1).slice(0, 1, 3).copy_from(from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_EQ(values(t), (std::vector<double>{0, 1, 4, 0, 0, 2, 5, 0, 0, 3, 6, 0}));
  // A broadcast source into a strided column, with a dtype conversion (float32 -> float64).
  t.slice(1, 3, 4).copy_from(full({1}, 2.5, DType::Float32));
  EXPECT_EQ(values(t.select(1, 3)), (std::vector<double>{2.5, 2.5, 2.5}));
  // A non-contiguous source into a non-contiguous destination.
  Tensor u = zeros({2, 3}, DType::Float32);
  u.transpose(0, 1).copy_from(counting({2, 3}).transpose(0, 1));
  EXPECT_EQ(values(u), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_THROW(t.copy_from(counting({2, 2})), std::invalid_argument);
}

TEST(tensor_To, DtypeConversions) {
  const Tensor f = from_vector(std::vector<double>{1.5, -2.75, 2.75, 0.1}, {4}, DType::Float32);
  EXPECT_EQ(f.dtype(), DType::Float32);
  const Tensor d = f.to(DType::Float64);
  EXPECT_EQ(d.dtype(), DType::Float64);
  EXPECT_FALSE(d.shares_storage(f));
  EXPECT_EQ(values(d), (std::vector<double>{1.5, -2.75, 2.75, double(0.1f)}));              // exact widening
  EXPECT_EQ(f.to(DType::Int32).to_vector<int32_t>(), (std::vector<int32_t>{1, -2, 2, 0}));  // toward zero
  const Tensor i = from_vector(std::vector<int32_t>{-3, 7}, {2});
  EXPECT_EQ(i.dtype(), DType::Int32);
  EXPECT_EQ(values(i.to(DType::Float64)), (std::vector<double>{-3, 7}));
  EXPECT_EQ(values(i.to(DType::Float32)), (std::vector<double>{-3, 7}));
  const Tensor narrowed = from_vector(std::vector<double>{0.1, 1e-50}, {2}).to(DType::Float32);
  EXPECT_EQ(narrowed.to_vector<float>(), (std::vector<float>{0.1f, 0.0f}));
  EXPECT_TRUE(f.to(DType::Float32).shares_storage(f));  // same dtype: no copy
  // A converted view comes back dense in logical order.
  const Tensor tv = counting({2, 3}).transpose(0, 1).to(DType::Float32);
  EXPECT_TRUE(tv.is_contiguous());
  EXPECT_EQ(tv.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(tensor_Access, TypedDataItemAndErrors) {
  const Tensor f = zeros({2}, DType::Float32);
  EXPECT_THROW(f.data<double>(), std::invalid_argument);
  EXPECT_THROW(f.data<int32_t>(), std::invalid_argument);
  EXPECT_NO_THROW(f.data<float>());
  EXPECT_EQ(counting({2, 3}).select(0, 1).select(0, 2).item(), 5);
  EXPECT_THROW(f.item(), std::invalid_argument);
  EXPECT_THROW(Tensor::empty({2, -1}, DType::Float32), std::invalid_argument);
  EXPECT_FALSE(Tensor().defined());
  EXPECT_EQ(counting({2, 3, 4}).size(-1), 4);
  EXPECT_THROW(counting({2, 3}).size(2), std::out_of_range);
}

// ---- storage over external memory ----

// What a memory-mapped weight file gives a tensor: its bytes viewed in place, no allocation, and the
// owner of that memory kept alive exactly as long as some tensor views it.
TEST(tensor_Storage, ExternalMemoryLivesAsLongAsTheLastTensorOverIt) {
  auto owner = std::make_shared<std::vector<float>>(std::vector<float>{1, 2, 3, 4, 5, 6});
  float* const bytes = owner->data();
  const std::weak_ptr<std::vector<float>> alive = owner;
  reset_runtime_counts();
  Tensor t(std::make_shared<Storage>(bytes, 6 * sizeof(float), Device::CPU, owner), DType::Float32, {2, 3},
           contiguous_strides({2, 3}), 0);
  Tensor row = t.select(0, 1);
  EXPECT_EQ(runtime_counts().allocations, 0u);  // not a backend allocation
  owner.reset();                                // the storage alone holds it now
  EXPECT_EQ(t.data<float>(), bytes);
  EXPECT_EQ(values(row), (std::vector<double>{4, 5, 6}));
  t = Tensor();
  EXPECT_FALSE(alive.expired());  // the row still views it
  EXPECT_EQ(values(row), (std::vector<double>{4, 5, 6}));
  row = Tensor();
  EXPECT_TRUE(alive.expired());
  float x = 0;
  EXPECT_THROW(Storage(&x, sizeof x, Device::CPU, nullptr), std::invalid_argument);  // nothing would own it
}

}  // namespace
}  // namespace pldr
