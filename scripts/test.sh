#!/usr/bin/env bash
# The test command: installs dependencies, builds, and runs the whole suite with CTest.
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   the same suite under AddressSanitizer + UBSan in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The CUDA backend is compiled where nvcc exists (its tests skip without a GPU); a caller's own
# -DPLDR_CUDA=... wins.
cuda=()
if [[ " $* " != *" -DPLDR_CUDA="* ]] && { command -v nvcc > /dev/null || [ -x /usr/local/cuda/bin/nvcc ]; }; then
  cuda=(-DPLDR_CUDA=ON)
fi
bash scripts/build.sh "$@" "${cuda[@]}"
build_dir=build
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  # Leaks in system libraries that are not ours to free (scripts/lsan-suppressions.txt says which).
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan-suppressions.txt}
fi
cd "$build_dir"
# Two test binaries run at once on two cores: OpenMP threads that wait sleep instead of spinning,
# so one binary's idle threads do not steal the other's core.
OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive} ctest --output-on-failure -j 2
