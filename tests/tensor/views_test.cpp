// Views share storage and read the right elements; copies happen only where they must.
#include <gtest/gtest.h>

#include "tensor/creation.h"

namespace pldr {
namespace {

Tensor counting(const Shape& s) { return arange(0, numel(s), DType::Float64).view(s); }

TEST(Views, ShareStorageAndIndexCorrectly) {
  const Tensor t = counting({2, 3, 4});
  const Tensor p = t.permute({2, 0, 1});  // [4, 2, 3]
  EXPECT_TRUE(p.shares_storage(t));
  EXPECT_FALSE(p.is_contiguous());
  EXPECT_EQ(p.select(0, 1).select(0, 1).to_vector<double>(), (std::vector<double>{13, 17, 21}));
  const Tensor s = t.slice(2, 1, 3);  // [2, 3, 2]
  EXPECT_TRUE(s.shares_storage(t));
  EXPECT_EQ(s.select(0, 1).select(0, 0).to_vector<double>(), (std::vector<double>{13, 14}));
  EXPECT_EQ(t.transpose(0, 2).shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(t.view({6, -1}).shape(), (Shape{6, 4}));
  EXPECT_EQ(t.unsqueeze(1).shape(), (Shape{2, 1, 3, 4}));
  EXPECT_EQ(t.unsqueeze(1).squeeze(1).shape(), t.shape());
  const Tensor e = counting({3, 1}).expand({2, 3, 4});
  EXPECT_EQ(e.strides()[0], 0);
  EXPECT_EQ(e.select(0, 1).select(0, 2).to_vector<double>(), (std::vector<double>{2, 2, 2, 2}));
  EXPECT_EQ(counting({3, 3}).diagonal().to_vector<double>(), (std::vector<double>{0, 4, 8}));
}

TEST(Views, ContiguousCopiesOnlyWhenNeeded) {
  const Tensor t = counting({2, 3});
  EXPECT_TRUE(t.contiguous().shares_storage(t));
  const Tensor tt = t.transpose(0, 1).contiguous();
  EXPECT_FALSE(tt.shares_storage(t));
  EXPECT_EQ(tt.to_vector<double>(), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_FALSE(t.clone().shares_storage(t));
  EXPECT_TRUE(t.reshape({3, 2}).shares_storage(t));
  EXPECT_FALSE(t.transpose(0, 1).reshape({6}).shares_storage(t));  // not viewable: copied
}

TEST(Views, CopyFromWritesThroughAView) {
  Tensor t = zeros({3, 4}, DType::Float64);
  t.transpose(0, 1).slice(0, 1, 3).copy_from(full({2, 3}, 7.0, DType::Float64));  // columns 1..2
  EXPECT_EQ(t.select(0, 0).to_vector<double>(), (std::vector<double>{0, 7, 7, 0}));
  t.slice(1, 3, 4).fill(-1);
  EXPECT_EQ(t.select(0, 2).to_vector<double>(), (std::vector<double>{0, 7, 7, -1}));
}

TEST(Views, DtypeConversions) {
  const Tensor f = from_vector(std::vector<double>{1.5, -2.25}, {2}, DType::Float32);
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.to(DType::Int32).to_vector<int32_t>(), (std::vector<int32_t>{1, -2}));
  EXPECT_EQ(f.to(DType::Float64).to_vector<double>(), (std::vector<double>{1.5, -2.25}));
  EXPECT_THROW(f.data<double>(), std::invalid_argument);
}

TEST(Views, ErrorsNameTheShapes) {
  const Tensor t = counting({2, 3});
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message([&] { t.view({4, 2}); }).find("[2,3]"), std::string::npos);
  EXPECT_NE(message([&] { t.slice(1, 2, 5); }).find("[2,3]"), std::string::npos);
  EXPECT_NE(message([&] { t.expand({4, 4}); }).find("[4,4]"), std::string::npos);
  EXPECT_THROW(t.permute({0, 0}), std::invalid_argument);
  EXPECT_THROW(t.squeeze(0), std::invalid_argument);
}

}  // namespace
}  // namespace pldr
