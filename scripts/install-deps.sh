#!/usr/bin/env bash
# Installs every build and test dependency of the project from Debian packages.
# Idempotent: packages already present are left as they are. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libeigen3-dev            # CPU tensor kernels (matrix products)
  libomp-dev               # OpenMP (g++ uses libgomp; kept for clang builds)
  libhdf5-dev              # checkpoints and golden files
  libsentencepiece-dev     # tokenizer (encode, decode, train)
  libgtest-dev             # unit tests
  libbenchmark-dev         # bench/
  libopenblas-dev          # optional faster GEMM, and the comparison in bench/
  nlohmann-json3-dev       # run configurations, metrics and reports
  libgloo-dev              # optional second CPU engine for dist/ (the ring engine needs nothing)
  clang-format             # tests/format_test.sh: the sources as .clang-format says
  librsvg2-dev             # optional: PNG charts (pldr plot -o curves.png), the SVG rasterised
)

# Optional groups instead, chosen by the first argument (none: the project's dependencies above).
case "${1:-}" in
  "") ;;
  arm)  # scripts/test-arm.sh: the static aarch64 build, run under qemu-user
    packages=(
      g++-aarch64-linux-gnu  # cross compiler, with the static glibc, libstdc++ and libgomp that -static links
      qemu-user-static       # qemu-aarch64-static runs the aarch64 programs here
      file                   # tells that the programs are static aarch64 executables
    )
    ;;
  wasm)  # scripts/test-wasm.sh: the WebAssembly build, run in node and in headless Chromium
    packages=(emscripten nodejs chromium fonts-dejavu-core)  # the font: text in the page's screenshot
    ;;
  *)
    echo "install-deps: unknown package group '$1' (known: arm, wasm)" >&2
    exit 2
    ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
