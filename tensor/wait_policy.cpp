#include "tensor/wait_policy.h"

#include <unistd.h>

#include <cstdlib>

namespace pldr {

// Measured 2026-12-07 on two cores, 40 steps of the bundled small model: spinning 3,000 rounds
// trained as fast as libgomp's default (12.3 s against 12.5-12.7 s) on an idle machine and kept 49%
// of that speed beside one busy process (25.2 s), where never spinning (OMP_WAIT_POLICY=passive)
// lost 17% on the idle machine (14.8 s) and the default kept 35% (36.5 s).
constexpr const char* kIdleSpinRounds = "3000";

void sleep_idle_threads(char** argv) {
#ifdef _OPENMP
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT") || std::getenv("PLDR_WAIT_POLICY_SET")) return;
  if (::setenv("GOMP_SPINCOUNT", kIdleSpinRounds, 0) != 0 || ::setenv("PLDR_WAIT_POLICY_SET", "1", 0) != 0) return;
  ::execv("/proc/self/exe", argv);
  // execv returned: no /proc (or no permission); this run keeps libgomp's default.
  ::unsetenv("GOMP_SPINCOUNT");
  ::unsetenv("PLDR_WAIT_POLICY_SET");
#else
  (void)argv;
#endif
}

}  // namespace pldr
