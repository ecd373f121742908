// tensor/threads.h: the thread count from --threads, PLDR_NUM_THREADS and a fallback, in that
// order, and the count set for OpenMP.
#include "tensor/threads.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace pldr {
namespace {

// Sets PLDR_NUM_THREADS (or unsets it: nullptr) for one test and restores it afterwards.
class EnvThreads {
 public:
  explicit EnvThreads(const char* value) {
    if (const char* old = std::getenv("PLDR_NUM_THREADS")) saved_ = old;
    if (value) ::setenv("PLDR_NUM_THREADS", value, 1);
    else ::unsetenv("PLDR_NUM_THREADS");
  }
  ~EnvThreads() {
    if (saved_) ::setenv("PLDR_NUM_THREADS", saved_->c_str(), 1);
    else ::unsetenv("PLDR_NUM_THREADS");
  }

 private:
  std::optional<std::string> saved_;
};

// The message of the std::invalid_argument that `f` throws ("" when it throws none).
template <class F> std::string error_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(RequestedThreads, FlagOverEnvironmentOverFallback) {
  EnvThreads env("3");
  EXPECT_EQ(requested_num_threads(std::string("2"), 5), 2);
  EXPECT_EQ(requested_num_threads(std::nullopt, 5), 3);
  EnvThreads none(nullptr);
  EXPECT_EQ(requested_num_threads(std::nullopt, 5), 5);
  EXPECT_EQ(requested_num_threads(std::nullopt, 0), 0);
}

TEST(RequestedThreads, TheFlagWinsOverABadVariable) {
  EnvThreads env("many");
  EXPECT_EQ(requested_num_threads(std::string("1"), 0), 1);
}

TEST(RequestedThreads, BadFlagValuesNameTheFlag) {
  EnvThreads env("2");
  for (const char* bad : {"0", "-1", "", "2x", " 2", "1.5", "4097", "99999999999"}) {
    const std::string message = error_of([&] { requested_num_threads(std::string(bad), 0); });
    EXPECT_NE(message.find("--threads"), std::string::npos) << "'" << bad << "': " << message;
    EXPECT_NE(message.find(std::string("'") + bad + "'"), std::string::npos) << message;
  }
  EXPECT_EQ(requested_num_threads(std::string("4096"), 0), 4096);
}

TEST(RequestedThreads, BadVariableValuesNameTheVariable) {
  for (const char* bad : {"0", "two", ""}) {
    EnvThreads env(bad);
    const std::string message = error_of([] { requested_num_threads(std::nullopt, 4); });
    EXPECT_NE(message.find("PLDR_NUM_THREADS"), std::string::npos) << "'" << bad << "': " << message;
  }
}

TEST(SetThreads, TheCountReachesOpenMP) {
  const int before = num_threads();
#ifdef _OPENMP
  set_num_threads(3);
  EXPECT_EQ(num_threads(), 3);
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
#else
  EXPECT_EQ(before, 1);
#endif
  EXPECT_THROW(set_num_threads(0), std::invalid_argument);
  set_num_threads(before);
}

}  // namespace
}  // namespace pldr
