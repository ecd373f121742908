// apps/flags.h: Flags::optional, the form bench/ passes --threads on to requested_num_threads.
#include "apps/flags.h"

#include <gtest/gtest.h>

namespace pldr::cli {
namespace {

TEST(Flags, OptionalGivesTheValueOnlyWhenTheFlagIsGiven) {
  const Flags given({"--threads", "3", "--output=x"}, {"threads", "output", "steps"}, {});
  EXPECT_EQ(given.optional("threads"), std::optional<std::string>("3"));
  EXPECT_EQ(given.optional("output"), std::optional<std::string>("x"));
  EXPECT_EQ(given.optional("steps"), std::nullopt);
  const Flags empty_value({"--threads="}, {"threads"}, {});
  EXPECT_EQ(empty_value.optional("threads"), std::optional<std::string>(""));
}

}  // namespace
}  // namespace pldr::cli
