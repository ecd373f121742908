#include "tensor/wait_policy.h"

#include <unistd.h>

#include <cstdlib>

namespace pldr {

void sleep_idle_threads(char** argv) {
#ifdef _OPENMP
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT") || std::getenv("PLDR_WAIT_POLICY_SET")) return;
  if (::setenv("OMP_WAIT_POLICY", "passive", 0) != 0 || ::setenv("PLDR_WAIT_POLICY_SET", "1", 0) != 0) return;
  ::execv("/proc/self/exe", argv);
  // execv returned: no /proc (or no permission); this run keeps libgomp's default.
  ::unsetenv("OMP_WAIT_POLICY");
  ::unsetenv("PLDR_WAIT_POLICY_SET");
#else
  (void)argv;
#endif
}

}  // namespace pldr
