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
