#!/usr/bin/env bash
# Configures and builds the project (Release) into build/, or with --sanitize into build-asan/
# (AddressSanitizer + UndefinedBehaviorSanitizer). Extra arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  shift
  build_dir=build-asan
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLDR_SANITIZE=ON -DPLDR_BUILD_BENCH=OFF)
fi

cmake -S . -B "$build_dir" "${cmake_args[@]}" "$@" > /dev/null
cmake --build "$build_dir" -j "$(nproc)"
echo "built into $build_dir/"
