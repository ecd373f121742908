// Tests of TokenVector, the in-memory TokenSource.
#include "data/token_source.h"

#include <gtest/gtest.h>

#include "data/error.h"

namespace pldr::data {
namespace {

TEST(DataTokenSource, VectorReadsRanges) {
  const TokenVector tokens({5, 6, 7, 8});
  EXPECT_EQ(tokens.size(), 4u);
  std::vector<int32_t> out(2);
  tokens.read(1, 2, out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{6, 7}));
  tokens.read(4, 0, out.data());  // an empty range at the end is fine
}

TEST(DataTokenSource, VectorRejectsRangesPastTheEnd) {
  const TokenVector tokens({5, 6, 7, 8});
  std::vector<int32_t> out(8);
  EXPECT_THROW(tokens.read(3, 2, out.data()), DataError);
  EXPECT_THROW(tokens.read(5, 0, out.data()), DataError);
  EXPECT_THROW(tokens.read(1, UINT64_MAX, out.data()), DataError);
}

}  // namespace
}  // namespace pldr::data
