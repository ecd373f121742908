// Flat buffers (tensor/flat.h): views laid back to back, and the one view over a run of them.
#include <gtest/gtest.h>

#include "tensor/creation.h"
#include "tensor/flat.h"

namespace pldr {
namespace {

TEST(Flat, ViewsLieBackToBackAndJoin) {
  const std::vector<Tensor> like{ones({2, 3}), ones({4}), ones({1, 1})};
  std::vector<Tensor> views = flat_buffer_like(like);
  ASSERT_EQ(views.size(), 3u);
  for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(views[i].shape(), like[i].shape());
  EXPECT_EQ(views[1].to_vector<float>(), (std::vector<float>(4, 0.0f)));  // zero-filled
  views[1].fill(2.0);
  Tensor joined = joined_view(views);
  ASSERT_TRUE(joined.defined());
  EXPECT_EQ(joined.shape(), (Shape{11}));
  EXPECT_EQ(joined.to_vector<float>()[6], 2.0f);
  joined.fill(5.0);  // writes through to every view
  EXPECT_EQ(views[2].item(), 5.0);
  EXPECT_TRUE(joined_view({views[1], views[2]}).defined());
}

TEST(Flat, NoJoinedViewWhenTensorsAreNotBackToBack) {
  const std::vector<Tensor> views = flat_buffer_like({ones({2}), ones({3}), ones({4})});
  EXPECT_FALSE(joined_view({views[0], views[2]}).defined()) << "a gap";
  EXPECT_FALSE(joined_view({views[1], views[0]}).defined()) << "out of order";
  EXPECT_FALSE(joined_view({views[0], ones({3})}).defined()) << "another storage";
  EXPECT_FALSE(joined_view({}).defined());
}

TEST(Flat, OneBufferPerRunOfOneDtype) {
  const std::vector<Tensor> views = flat_buffer_like({ones({2}), ones({2}, DType::Float64), ones({2}, DType::Float64)});
  EXPECT_FALSE(views[0].shares_storage(views[1]));
  EXPECT_TRUE(views[1].shares_storage(views[2]));
  EXPECT_EQ(views[1].dtype(), DType::Float64);
}

}  // namespace
}  // namespace pldr
