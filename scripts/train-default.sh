#!/usr/bin/env bash
# The main job on the bundled default: trains a small PLDR-LLM on Tiny Shakespeare
# (data/corpus/tinyshakespeare.txt) on this machine, draws its training curves and generates
# from it. Everything lands in runs/shakespeare/. Extra arguments override the run configuration
# (apps/configs/shakespeare.json), e.g. training.steps=200; --overwrite replaces an earlier run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
pldr=build/apps/pldr
run=runs/shakespeare
# A finished run is kept: `pldr train` refuses to replace it, so refuse here before the tokenizer
# and the token files it was trained on are made again.
if [ -f "$run/checkpoint.h5" ] && [[ " $* " != *" --overwrite "* ]]; then
  echo "$run holds a trained run: pass --overwrite to train it again, or continue it with" >&2
  echo "  $pldr train --resume $run/checkpoint.h5 training.steps=N" >&2
  exit 1
fi
mkdir -p "$run"

echo "== 1/5 tokenizer: SentencePiece unigram, 2048 pieces, PLDR-LLM's special ids =="
$pldr tokenizer train data/corpus/tinyshakespeare.txt --vocab-size 2048 --output "$run/tokenizer"

echo "== 2/5 data: documents -> token files, last 10% for validation =="
$pldr prepare data/corpus/tinyshakespeare.txt --tokenizer "$run/tokenizer.model" --output "$run/data" --val-fraction 0.1

echo "== 3/5 training =="
$pldr train --config apps/configs/shakespeare.json "$@"

echo "== 4/5 training curves =="
$pldr plot "$run/metrics.jsonl" -o "$run/curves.svg"

echo "== 5/5 generation (KV + G cache, top-p 0.9) =="
$pldr generate --checkpoint "$run/checkpoint.h5" --prompt "ROMEO:" --max-new-tokens 150 --top-p 0.9 --seed 1 --ignore-end
