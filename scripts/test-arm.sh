#!/usr/bin/env bash
# ARM: cross-builds the embedded configuration (no HDF5, no SentencePiece, no CUDA; the pldr tool
# and the C example with the C API as a static archive) for aarch64 with Debian's cross compiler,
# statically, into build-arm/, runs it under qemu-user and checks that it generates what the x86
# build of the same configuration (build-minimal/: configured when missing, its pldr and
# generate_c brought up to date) generates, in float32:
#   the bundled tiny model (scripts/make-tiny-hf-folder.cmake): `pldr generate --ids`, greedy ids;
#   the bundled Shakespeare export (tests/data/shakespeare_hf): `pldr generate --prompt`, text in and out;
#   examples/c/generate.c on both: the tiny model's ids as `pldr generate` prints them, and on the
#   Shakespeare export the ids and text the x86 build of the example prints.
# Installs its packages (scripts/install-deps.sh arm). Exits 1 naming what differed.
#   bash scripts/test-arm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash scripts/install-deps.sh arm
# Called explicitly, so that binfmt_misc need not be set up to run aarch64 programs.
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64) || {
  echo "test-arm: no qemu-aarch64-static or qemu-aarch64 (bash scripts/install-deps.sh arm)" >&2
  exit 1
}

echo "test-arm: cross build (aarch64, static) into build-arm/"
started=$SECONDS
# FindOpenMP picks libgomp.so, which a static link refuses: the cross compiler's libgomp.a instead.
libgomp=$(aarch64-linux-gnu-gcc -print-file-name=libgomp.a)
cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
  -DPLDR_WITH_HDF5=OFF -DPLDR_WITH_SENTENCEPIECE=OFF -DPLDR_BUILD_BENCH=OFF -DPLDR_BUILD_TESTS=OFF -DPLDR_NATIVE=OFF \
  -DPLDR_CUDA=OFF -DPLDR_C_SHARED=OFF -DPLDR_INSTALL=OFF -DCMAKE_EXE_LINKER_FLAGS=-static \
  -DOpenMP_gomp_LIBRARY="$libgomp" > /dev/null
# (The link warns that libgomp.a calls dlopen: its OpenACC profiling does, only with ACC_PROFLIB set.)
cmake --build build-arm -j "$(nproc)" --target pldr generate_c > /dev/null
echo "test-arm: cross build took $((SECONDS - started)) s"
for program in build-arm/apps/pldr build-arm/apps/c_api/generate_c; do
  description=$(file -b "$program")
  if [[ "$description" != *"ARM aarch64"* || "$description" != *"statically linked"* ]]; then
    echo "test-arm: $program is not a static aarch64 executable: $description" >&2
    exit 1
  fi
done
echo "test-arm: build-arm/apps/pldr and build-arm/apps/c_api/generate_c are static aarch64 executables"

# The x86 reference: the same configuration built natively (scripts/test-minimal.sh's build-minimal/).
if [ ! -f build-minimal/CMakeCache.txt ]; then
  cmake -S . -B build-minimal -DCMAKE_BUILD_TYPE=Release -DPLDR_WITH_HDF5=OFF -DPLDR_WITH_SENTENCEPIECE=OFF \
    -DPLDR_BUILD_BENCH=OFF > /dev/null
fi
cmake --build build-minimal -j "$(nproc)" --target pldr generate_c > /dev/null

cmake -DOUT="$work/tiny" -P scripts/make-tiny-hf-folder.cmake
shakespeare=tests/data/shakespeare_hf
# Two OpenMP threads on both (the parallel kernels run), waiting passively: qemu runs spinning
# threads slowly.
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive
fails=0
check() {  # check WHAT EXPECTED PROGRAM ARGS...: build-arm/PROGRAM under qemu prints EXPECTED (x86's output)
  local got
  if ! got=$("$qemu" "build-arm/$3" "${@:4}" 2> "$work/stderr"); then
    cat "$work/stderr" >&2
    echo "test-arm: $1: the aarch64 build failed" >&2
    fails=1
  elif [ "$got" = "$2" ]; then
    echo "test-arm: $1: aarch64 prints what x86 prints: $(tr '\n' ' ' <<< "$got")"
  else
    echo "test-arm: $1 differs: aarch64 printed '$got', x86 '$2'" >&2
    fails=1
  fi
}
x86=build-minimal/apps
tiny=(generate --hf "$work/tiny" --ids "5,17,3" --greedy --max-new-tokens 12)
tiny_ids=$("$x86/pldr" "${tiny[@]}" 2> /dev/null)
check "pldr generate, tiny model, ids 5,17,3" "$tiny_ids" apps/pldr "${tiny[@]}"
# The C example prints the ids `pldr generate` prints (as in scripts/test-install.sh).
check "C example, tiny model, ids 5,17,3" "$tiny_ids" apps/c_api/generate_c "$work/tiny" 5,17,3 12
text=(generate --hf "$shakespeare" --prompt "ROMEO:" --greedy --max-new-tokens 24 --ignore-end)
completion=$("$x86/pldr" "${text[@]}" 2> /dev/null)
check "pldr generate, Shakespeare export, text" "$completion" apps/pldr "${text[@]}"
# With a tokenizer the example takes text and prints the ids, then the text.
example_output=$("$x86/c_api/generate_c" "$shakespeare" "ROMEO:" 24)
check "C example, Shakespeare export, text" "$example_output" apps/c_api/generate_c "$shakespeare" "ROMEO:" 24
if [ $fails -ne 0 ]; then
  echo "test-arm: the aarch64 build does not generate as x86 does (above)" >&2
  exit 1
fi
echo "test-arm: the static aarch64 build generates as x86 does ($SECONDS s in all)"
