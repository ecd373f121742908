#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/: safetensors, checkpoints, token files, run configurations,
# SentencePiece models read by data/spm/)
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer into build-fuzz/, then runs each for
# SECONDS (default 20) from the seeds in fuzz/corpus/<target>. Exits non-zero on the first crash,
# leak or sanitizer report (libFuzzer writes the input to build-fuzz/crash-*); prints one line of
# figures per target. Usage: bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors checkpoint token_file run_config spm_model)

# libFuzzer ships in Debian's compiler-rt package.
if ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" > /dev/null; then
  apt-get update -q && apt-get install -y -q --no-install-recommends clang libclang-rt-14-dev
fi

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLDR_FUZZ=ON -DPLDR_OPENMP=OFF \
  -DPLDR_BUILD_TESTS=OFF -DPLDR_BUILD_BENCH=OFF -DPLDR_CUDA=OFF > /dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

cd build-fuzz
export LSAN_OPTIONS="suppressions=$PWD/../fuzz/lsan_suppressions.txt"
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"  # what the run learns; the committed seeds stay as they are
  log="fuzz_$t.log"
  if ! "./fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
       "corpus/$t" "../fuzz/corpus/$t" > "$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz_$t: FAILED (see build-fuzz/$log)"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz_$t: ${runs} executions in ${seconds} s (${speed}/s), $(ls "corpus/$t" | wc -l) corpus inputs, no crashes"
done
