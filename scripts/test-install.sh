#!/usr/bin/env bash
# The installed tree as a program using pldr sees it (README "Using pldr from your program"):
# installs a built build directory (default build/) into a temporary prefix, then, against that
# prefix alone, builds examples/c and examples/cpp with find_package(pldr) and the C example again
# with pkg-config, runs them (and examples/python with ctypes) on the bundled tiny model, and
# checks that each prints the tokens `pldr generate` prints. Also: no installed CMake file points
# into the source or build tree, every public header compiles, and the package's components
# follow the build.
#   bash scripts/test-install.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

# What is installed (the libraries behind pldr_c) and the tool that tells the expected tokens.
cmake --build "$build" -j "$(nproc)" --target pldr_c pldr > /dev/null
cmake --install "$build" --prefix "$prefix" > /dev/null
if grep -rlE "$PWD|$build" "$prefix/lib/cmake" "$prefix/lib/pkgconfig"; then
  echo "test-install: the installed package files above point into the source or build tree" >&2
  exit 1
fi

cmake -DOUT="$work/tiny" -P scripts/make-tiny-hf-folder.cmake
want=$("$build/apps/pldr" generate --hf "$work/tiny" --ids 5,17,3 --greedy --max-new-tokens 12 2> /dev/null)
fails=0
expect() {  # expect NAME COMMAND...: the command prints the tokens `pldr generate` printed
  local got
  got=$("${@:2}" 2>&1) || true
  if [ "$got" = "$want" ]; then
    echo "test-install: $1 generates $got"
  else
    echo "test-install: $1 printed '$got', pldr generate '$want'" >&2
    fails=1
  fi
}

for lang in c cpp; do
  cmake -S "examples/$lang" -B "$work/$lang" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
  cmake --build "$work/$lang" > /dev/null
  expect "examples/$lang (find_package)" "$work/$lang/generate" "$work/tiny" 5,17,3 12
done

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046  # pkg-config's flags are separate words
cc -std=c99 -Wall -Werror examples/c/generate.c $(pkg-config --cflags --libs pldr) -o "$work/generate-pkg-config"
LD_LIBRARY_PATH=$prefix/lib expect "examples/c (pkg-config)" "$work/generate-pkg-config" "$work/tiny" 5,17,3 12
if command -v python3 > /dev/null; then
  PLDR_LIBRARY=$prefix/lib/libpldr_c.so expect "examples/python (ctypes)" python3 examples/python/generate.py \
    "$work/tiny" 5,17,3 12
fi

# Every installed C++ header, in one translation unit, with the installed include path only.
(cd "$prefix/include/pldr" && find . -name '*.h' ! -name pldr.h | sed 's|^\./\(.*\)|#include "\1"|') > "$work/all.cpp"
c++ -std=c++20 -fsyntax-only -I "$prefix/include/pldr" "$work/all.cpp"
echo "test-install: the $(wc -l < "$work/all.cpp") public C++ headers compile from the installed tree"

# Components: found exactly when the build has them.
mkdir -p "$work/components"
cat > "$work/components/CMakeLists.txt" << 'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(components LANGUAGES C CXX)
find_package(pldr CONFIG REQUIRED OPTIONAL_COMPONENTS hdf5 sentencepiece cuda)
message(STATUS "components: hdf5=${pldr_hdf5_FOUND} sentencepiece=${pldr_sentencepiece_FOUND} cuda=${pldr_cuda_FOUND}")
CMAKE
found=$(cmake -S "$work/components" -B "$work/components/build" -DCMAKE_PREFIX_PATH="$prefix" | grep "components:")
has() { grep -q "^$1:BOOL=ON" "$build/CMakeCache.txt" && echo ON || echo OFF; }
hdf5=OFF
[ -f "$build/train/libpldr_train.a" ] && hdf5=ON
sentencepiece=OFF
[ -f "$build/data/libpldr_data.a" ] && sentencepiece=ON
expected="-- components: hdf5=$hdf5 sentencepiece=$sentencepiece cuda=$(has PLDR_CUDA)"
if [ "$found" != "$expected" ]; then
  echo "test-install: the package says '$found', the build '$expected'" >&2
  fails=1
else
  echo "test-install: ${found#-- }"
fi
exit $fails
