#!/usr/bin/env bash
# The embedded configuration: builds without the optional dependencies (no HDF5, no
# SentencePiece) into build-minimal/ and runs its tests, which include loading Hugging Face
# safetensors folders, the built-in reader of SentencePiece models (data/spm/) against ids pinned
# from the library, and `pldr generate --hf DIR` (text or --ids) and `pldr eval --hf DIR`. Extra
# arguments go to CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-minimal -DCMAKE_BUILD_TYPE=Release -DPLDR_WITH_HDF5=OFF -DPLDR_WITH_SENTENCEPIECE=OFF \
  -DPLDR_BUILD_BENCH=OFF > /dev/null
cmake --build build-minimal -j "$(nproc)"
if ldd build-minimal/apps/pldr | grep -qiE "hdf5|sentencepiece"; then
  echo "build-minimal/apps/pldr links HDF5 or SentencePiece" >&2
  exit 1
fi
cd build-minimal && OMP_WAIT_POLICY=passive ctest -j "$(nproc)" "$@"
