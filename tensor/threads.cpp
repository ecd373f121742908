#include "tensor/threads.h"

#include <cstdlib>
#include <stdexcept>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace pldr {

namespace {

// A bound far above any core count, so that a typo such as 80000 is an error rather than an
// attempt to start that many threads.
constexpr int kMaxThreads = 4096;

int parse_thread_count(const std::string& text, const std::string& what) {
  long n = 0;
  bool ok = !text.empty() && text.size() <= 4;
  for (char c : text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) n = n * 10 + (c - '0');
  }
  if (!ok || n < 1 || n > kMaxThreads)
    throw std::invalid_argument(what + " must be an integer from 1 to " + std::to_string(kMaxThreads) + ", got '" +
                                text + "'");
  return static_cast<int>(n);
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads: " + std::to_string(n) + " threads");
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
}

int num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

int requested_num_threads(const std::optional<std::string>& flag, int fallback) {
  if (flag) return parse_thread_count(*flag, "--threads");
  if (const char* env = std::getenv("PLDR_NUM_THREADS")) return parse_thread_count(env, "PLDR_NUM_THREADS");
  return fallback;
}

}  // namespace pldr
