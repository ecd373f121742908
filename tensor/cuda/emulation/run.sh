#!/usr/bin/env bash
# Checks the CUDA kernels' logic without a GPU: rewrites each kernel launch of tensor/cuda/*.cu
# (`k<<<grid, block, 0, stream()>>>(args);`) into a call of the host emulation, compiles the
# kernels as C++ with emulated_cuda.h, and compares them with the CPU kernels
# (kernels_vs_cpu.cpp). matmul runs through cuBLAS; its plan (plain C++) is checked against
# pldr::matmul through a naive emulation of the cuBLAS call (matmul_plan_vs_cpu.cpp).
# With --tsan the kernels run under ThreadSanitizer, which reports a missing __syncthreads (a race
# on shared or global memory between the emulated threads) whatever the scheduling.
# Usage: tensor/cuda/emulation/run.sh [--tsan] [BUILD_DIR]   (BUILD_DIR holds tensor/libpldr_tensor.a; default build)
set -euo pipefail
sanitize=()
if [ "${1:-}" = "--tsan" ]; then
  shift
  sanitize=(-fsanitize=thread -g)
  export OMP_NUM_THREADS=1  # the CPU kernels' OpenMP runtime is not instrumented
  export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tensor/cuda"

python3 - "$root/tensor/cuda" "$work/tensor/cuda" <<'PY'
import pathlib, re, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
launch = re.compile(r'([\w:]+(?:<[^;{}]*?>)?)\s*<<<(.*?),\s*(.*?),\s*0,\s*stream\(\)>>>\((.*?)\);', re.S)
for f in src.iterdir():
    if f.suffix not in ('.cu', '.cuh', '.h', '.cpp'):
        continue
    text = f.read_text()
    if f.suffix == '.cu':
        text = launch.sub(lambda m: f'emu::launch({m.group(2)}, {m.group(3)}, [&] {{ {m.group(1)}({m.group(4)}); }});', text)
        text = text.replace('Device::CUDA', 'Device::CPU')  # device memory is host memory here
        if '<<<' in text:
            sys.exit(f'{f.name}: a launch the rewrite does not understand')
    (dst / (f.stem + ('.cpp' if f.suffix == '.cu' else f.suffix))).write_text(text)
PY

kernels=(elementwise reduce softmax layer_norm embedding cross_entropy rotary expm training sample_rows)
sources=("$here/kernels_vs_cpu.cpp" "$here/emulated_runtime.cpp" "$work/tensor/cuda/strided.cpp" "$work/tensor/cuda/backend.cpp")
for k in "${kernels[@]}"; do sources+=("$work/tensor/cuda/$k.cpp"); done
echo "compiling the emulation..."
g++ -std=c++20 -O1 -w -DPLDR_CUDA "${sanitize[@]}" -include "$here/emulated_cuda.h" -I"$here" -I"$work" -I"$root" "${sources[@]}" \
  "$build/tensor/libpldr_tensor.a" -fopenmp -pthread -o "$work/kernels_vs_cpu"
g++ -std=c++20 -O1 -DPLDR_CUDA -I"$root" "$here/matmul_plan_vs_cpu.cpp" "$root/tensor/cuda/matmul_plan.cpp" "$here/no_cuda_backend.cpp" \
  "$build/tensor/libpldr_tensor.a" -fopenmp -o "$work/matmul_plan_vs_cpu"
"$work/kernels_vs_cpu"
"$work/matmul_plan_vs_cpu"
