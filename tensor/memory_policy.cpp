#include "tensor/memory_policy.h"

#include <cstdlib>  // defines __GLIBC__ on glibc systems
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pldr {

void retain_freed_memory() {
#if defined(__GLIBC__)
  // Blocks up to 32 MiB (glibc's largest allowed threshold) come from the heap rather than mmap,
  // and the heap is never trimmed back.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, -1);
#endif
}

}  // namespace pldr
